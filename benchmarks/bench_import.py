"""Benchmark: the BPMN import on every file of the OMG MIWG test suite (issue 25).

Not a speed figure: for each tool of the suite (tests/fixtures/bpmn_miwg, 831 files), how
many files come in whole, how many with losses listed by the file's own ids (work or
successions the .bpr lacks, found by the importer's independent reading of the sequence
flows), how many leave a step no path reaches that no note lists, and how many are
refused with a message; and any crash. Run in-process; the time is printed too.
Run: `make bench` or `.venv/bin/python benchmarks/bench_import.py`.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from bprkit.interop import bpmn_import
from bprkit.text.loader import check_files

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT / "tests" / "fixtures" / "bpmn_miwg"
KINDS = ("whole", "listed", "unlisted", "refused", "crash")


def verdict(path: Path, tmp: Path) -> tuple[str, int, int]:
    """(kind, lost notes, of them what a start event leads to) of one file's import."""
    data = path.read_bytes()
    try:
        result = bpmn_import.read(str(path), data)
    except bpmn_import.BpmnImportError:
        return "refused", 0, 0
    except Exception:
        return "crash", 0, 0
    lost = [n for n in result.notes if n.what.startswith("lost_")]
    starts = {m.group(1).decode() for m in re.finditer(
        rb'<(?:\w+:)?startEvent\b[^>]*\bid="([^"]+)"', data)}
    out = tmp / "imported.bpr"
    out.write_text(result.text, encoding="utf-8")
    unreachable = any(d.code == "W001" for d in check_files([str(out)]).diagnostics)
    return (("listed" if lost else "unlisted" if unreachable else "whole"), len(lost),
            sum(n.element in starts for n in lost))


def main() -> None:
    started = time.perf_counter()
    table: dict[str, Counter[str]] = defaultdict(Counter)
    lost: Counter[str] = Counter()
    from_starts = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(SUITE.rglob("*.bpmn")):
            tool = path.relative_to(SUITE).parts[0]
            kind, n, at_start = verdict(path, Path(tmp))
            table[tool][kind] += 1
            lost[tool] += n
            from_starts += at_start
    print(f"BPMN MIWG test suite, {sum(sum(c.values()) for c in table.values())} files "
          f"(tests/fixtures/bpmn_miwg): bprkit import, file by file")
    print(f"{'tool':<46} {'files':>5} {'whole':>5} {'listed (notes)':>15} "
          f"{'unlisted':>8} {'refused':>7} {'crash':>5}")
    total: Counter[str] = Counter()
    for tool, counts in sorted(table.items(), key=lambda kv: kv[0].lower()):
        total.update(counts)
        print(f"{tool[:46]:<46} {sum(counts.values()):>5} {counts['whole']:>5} "
              f"{counts['listed']:>6} ({lost[tool]:>5}) {counts['unlisted']:>8} "
              f"{counts['refused']:>7} {counts['crash']:>5}")
    print(f"{'total':<46} {sum(total.values()):>5} {total['whole']:>5} "
          f"{total['listed']:>6} ({sum(lost.values()):>5}) {total['unlisted']:>8} "
          f"{total['refused']:>7} {total['crash']:>5}")
    print(f"goal: no crash: {'met' if not total['crash'] else 'NOT met'}; "
          f"imported whole {total['whole']}, with losses listed {total['listed']}, "
          f"unreachable steps unlisted {total['unlisted']}, refused {total['refused']} "
          f"({time.perf_counter() - started:.0f} s)")
    print(f"of the {sum(lost.values())} notes, {from_starts} are the work a start event "
          "leads to")


if __name__ == "__main__":
    main()
