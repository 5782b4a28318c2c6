"""`make test`'s type check (issue 22): mypy on bprkit/, and a ratchet.

    python -m tests.typecheck

The counts of mypy errors and of `# type: ignore` comments may only go down: above the
numbers below this exits 1 naming what grew; below them it says to lower the numbers
(a commit that removes errors lowers them, so no later one can bring them back).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

MAX_ERRORS = 0
"""mypy errors in bprkit/ (157 at the first count, 2026-12-07; 0 since issue 22)."""
MAX_IGNORES = 1
"""`# type: ignore` comments in bprkit/ (99 at the first count). The one left is justified on
its line: a backtest case's optional keys, checked by ``_options``, passed as ``**options``."""

ROOT = Path(__file__).resolve().parents[1]


def counts() -> tuple[int, int, str]:
    """(mypy errors, type: ignore comments, mypy's last line)."""
    done = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary", "bprkit"],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1) or ("error: " not in done.stdout and done.returncode):
        raise SystemExit(f"mypy did not run: {done.stderr.strip() or done.stdout.strip()}")
    errors = sum(1 for line in done.stdout.splitlines() if ": error: " in line)
    ignores = sum(len(re.findall(r"#\s*type:\s*ignore", p.read_text(encoding="utf-8")))
                  for p in (ROOT / "bprkit").rglob("*.py"))
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "clean"
    return errors, ignores, last


def main() -> int:
    errors, ignores, _ = counts()
    print(f"types: {errors} mypy errors (at most {MAX_ERRORS}), {ignores} "
          f"`type: ignore` (at most {MAX_IGNORES})")
    grew = [f"{what} went up to {n} (at most {limit})" for what, n, limit in (
        ("mypy errors", errors, MAX_ERRORS), ("type: ignore comments", ignores, MAX_IGNORES))
        if n > limit]
    if grew:
        print("types: " + "; ".join(grew) + ". Run `python -m mypy` and fix what is new.")
        return 1
    if errors < MAX_ERRORS or ignores < MAX_IGNORES:
        print(f"types: lower the ratchet in tests/typecheck.py to MAX_ERRORS = {errors}, "
              f"MAX_IGNORES = {ignores}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
