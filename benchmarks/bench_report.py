"""Benchmark: `bprkit report` (HTML, every procedure's section) over 14, 50 and 100
procedures, and the PDF of the library.

No goal was set by the issue; this records the cost so a change that makes it worse
shows. The procedures are copies of the library's 14 As-Is files, as in
bench_portfolio.py.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_portfolio import make


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--counts", type=int, nargs="*", default=[14, 50, 100])
    args = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    rows = []
    for count in args.counts:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "in"
            folder.mkdir()
            make(folder, count)
            out = Path(tmp) / "report.html"
            pdf = count == args.counts[0]
            command = [sys.executable, "-m", "bprkit", "report", str(folder), "--quiet",
                       "--no-backtest", "-o", str(out)] + (["--pdf"] if pdf else [])
            start = time.perf_counter()
            subprocess.run(command, check=False, capture_output=True, env=env)
            rows.append((count, time.perf_counter() - start, out.stat().st_size, pdf))
    print(f"report on {os.cpu_count()} CPUs (2,000 samples per procedure)")
    for n, (count, seconds, size, pdf) in enumerate(rows):
        growth = ""
        if n:
            before = rows[n - 1]
            if not before[3]:
                growth = f"  n^{math.log(seconds / before[1]) / math.log(count / before[0]):.2f}"
        print(f"{count:6d} procedures  {seconds:6.2f} s  {size / 1e6:5.1f} MB"
              f"{'  (with the PDF)' if pdf else ''}{growth}")


if __name__ == "__main__":
    main()
