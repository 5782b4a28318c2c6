"""Benchmark: hostile and huge input, the figures docs/reliability.md and docs/interop.md
quote (issues 17 and 21). Each is the time bprkit takes today on input that once took
minutes; the tests assert the behaviour (what is refused, what is reported), this script
prints how long it takes.

- a 10,000-step file with 12 syntax errors: `check` reports the first ones;
- 64,000 blanks before an error; a label of 30,000 「、」 wrapped;
- a 16-level `use` diamond (65,535 steps once inlined): analyze, estimate, redesign;
- an .xlsx zip bomb and a sheet declaring a million rows, refused by `import`;
- `portfolio` of 300 files stopped by SIGTERM: exit 130, and how soon.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, os.path.dirname(__file__))

from bench_check import generate  # noqa: E402
from bench_use_diamond import diamond  # noqa: E402

import bprkit  # noqa: E402
from bprkit.interop import xlsx_import  # noqa: E402
from bprkit.render import textfit  # noqa: E402
from tests.test_import_limits import SHEET, _repack, _survey, bomb  # noqa: E402

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def command(*args: str) -> tuple[float, int]:
    """Wall seconds of a whole `bprkit` command (bytecode cached) and its exit code."""
    cmd = [sys.executable, "-m", "bprkit", *args]
    subprocess.run(cmd, capture_output=True, env=ENV, check=False)  # warm-up
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, env=ENV, check=False)
    return time.perf_counter() - start, done.returncode


def syntax_errors(tmp: Path) -> None:
    lines = generate(10_000).splitlines()
    step_lines = [i for i, line in enumerate(lines) if line.startswith("  step ")]
    for i in step_lines[:: len(step_lines) // 12][:12]:
        lines[i] = lines[i].replace("@", "@@", 1)  # a syntax error on the step's line
    path = tmp / "errors.bpr"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report: list = []
    took = seconds(lambda: report.append(bprkit.check(str(path))))
    errors = sum(d.is_error for d in report[0].diagnostics)
    print(f"{path.stat().st_size / 1e6:.1f} MB file, 12 syntax errors: {errors} reported "
          f"in {took:.2f} s")


def blanks_and_commas(tmp: Path) -> None:
    path = tmp / "blanks.bpr"
    path.write_text("process p {\n" + " " * 64_000 + "%\n}\n", encoding="utf-8")
    took = seconds(lambda: bprkit.check(str(path)))
    print(f"64,000 blanks before an error: checked in {took:.3f} s")
    label = "、" * 30_000
    print(f"a label of 30,000 「、」: wrapped in {seconds(lambda: textfit.wrap(label, 20)):.3f} s")


def use_diamond(tmp: Path) -> None:
    path = tmp / "diamond16.bpr"
    path.write_text(diamond(16), encoding="utf-8")
    for verb in ("analyze", "estimate", "redesign"):
        args = [verb, str(path)] + (["-o", str(tmp / "d_tobe.bpr")] if verb == "redesign"
                                    else [])
        took, code = command(*args)
        print(f"16-level use diamond (65,535 steps inlined): bprkit {verb} {took:.2f} s "
              f"(exit {code})")


def import_refusals(tmp: Path) -> None:
    small = _survey(tmp / "s.xlsx", [["a", "b", "窓口", 1, 3]])
    with zipfile.ZipFile(small) as z:
        xml = z.read(SHEET)
    import re

    lying = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:E1000000"', xml)
    cases = {"zip bomb": _repack(small, tmp / "bomb.xlsx", bomb),
             "a million rows declared": _repack(small, tmp / "million.xlsx",
                                                lambda z, info: z.writestr(info, lying))}
    for name, path in cases.items():
        data = path.read_bytes()

        def read(p: Path = path, d: bytes = data) -> None:
            try:
                xlsx_import.read(str(p), d, lang="en")
            except xlsx_import.XlsxImportError:
                return
            raise AssertionError(f"{p} was not refused")

        took, code = command("import", str(path), "-o", str(tmp / "out.bpr"))
        print(f"{name} ({path.stat().st_size / 1e3:.0f} KB): refused in {seconds(read):.3f} s "
              f"in the importer, {took:.2f} s for the whole command (exit {code})")


def interrupt(tmp: Path) -> None:
    folder = tmp / "many"
    folder.mkdir()
    sources = [p for p in sorted((ROOT / "processes").glob("*.bpr")) if "_tobe" not in p.name]
    (folder / "common").symlink_to(ROOT / "processes" / "common")
    for n in range(300):
        (folder / f"{n:03d}_{sources[n % len(sources)].name}").write_bytes(
            sources[n % len(sources)].read_bytes())
    p = subprocess.Popen([sys.executable, "-m", "bprkit", "portfolio", str(folder), "--jobs",
                          "2", "--quiet", "--samples", "100000", "-o", str(tmp / "p.csv")],
                         env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    time.sleep(3)
    start = time.monotonic()
    p.send_signal(signal.SIGTERM)
    p.communicate(timeout=60)
    print(f"portfolio of 300 files, SIGTERM while at work: exit {p.returncode} after "
          f"{time.monotonic() - start:.2f} s")


def main() -> None:
    print(f"hostile and huge input ({os.cpu_count()} CPUs; whole commands with bytecode "
          "cached, one run after a warm-up)")
    with tempfile.TemporaryDirectory() as tmp:
        for part in (syntax_errors, blanks_and_commas, use_diamond, import_refusals,
                     interrupt):
            part(Path(tmp))


if __name__ == "__main__":
    main()
