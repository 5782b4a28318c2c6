"""Benchmark: `bprkit report` (HTML, every procedure's section) over 14, 50 and 100
procedures, and the PDF of 14.

Goal (issue 23), on this machine: 100 procedures in at most 5 CPU-s without ``--pdf``.
CPU seconds are user + system of the command and everything it waited for (its pool
workers and their Graphviz runs; with ``--pdf`` the browser), medians of ``--repeat``
runs; the ratio is to an in-process ``bprkit.check`` of the same folder measured in the
same run. The procedures are copies of the library's 14 As-Is files, as in
bench_portfolio.py, whose helpers this uses (bytecode cached, a warm-up run first).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from bench_portfolio import check_cpu, growth, make, run, warm_up


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--counts", type=int, nargs="*", default=[14, 50, 100])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-pdf", action="store_true", help="leave out the PDF run")
    args = ap.parse_args()
    warm_up()
    rows = []
    pdf_row = None
    for count in args.counts:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "in"
            folder.mkdir()
            make(folder, count)
            out = Path(tmp) / "report.html"
            command = [sys.executable, "-m", "bprkit", "report", str(folder), "--quiet",
                       "--no-backtest", "-o", str(out)]
            runs = [run(command) for _ in range(args.repeat)]
            size = out.stat().st_size
            check = check_cpu(folder, args.repeat)
            rows.append((count, statistics.median(c for c, _ in runs),
                         statistics.median(w for _, w in runs), check, size))
            if count == args.counts[0] and not args.no_pdf:
                pdf_row = (count, *run([*command, "--pdf"]))
    print(f"report on {os.cpu_count()} CPUs (2,000 samples per procedure, no backtest; "
          f"medians of {args.repeat}; CPU: the command, its workers and Graphviz)")
    print(f"{'procedures':>10}  {'CPU-s':>6}  {'wall s':>6}  {'CPU-ms each':>11}  "
          f"{'check CPU-ms each':>17}  {'ratio':>5}  {'HTML MB':>7}  growth (CPU)")
    for n, (count, cpu, wall, check, size) in enumerate(rows):
        print(f"{count:10d}  {cpu:6.2f}  {wall:6.2f}  {cpu / count * 1e3:11.2f}  "
              f"{check / count * 1e3:17.2f}  {cpu / check:5.2f}  {size / 1e6:7.2f}  "
              f"{growth([(r[0], r[1]) for r in rows], n)}")
    if pdf_row:
        count, cpu, wall = pdf_row
        print(f"{count:10d}  {cpu:6.2f}  {wall:6.2f}  with --pdf (one run)")
    hundred = [r for r in rows if r[0] == 100]
    if hundred:
        print(f"goal 100 procedures ≤ 5 CPU-s without --pdf ({hundred[0][1]:.2f} CPU-s):",
              "met" if hundred[0][1] <= 5 else "NOT met")


if __name__ == "__main__":
    main()
