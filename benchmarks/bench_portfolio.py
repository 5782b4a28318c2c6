"""Benchmark: `bprkit portfolio` over 100, 300 and 1,000 procedures.

Goal (issue 12): 1,000 procedures analysed and estimated in under 10 s here, the
cost growing linearly. The procedures are copies of the library's 14 As-Is files
(each copy its own file; the `common/` processes they use copied once).
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make(folder: Path, count: int) -> None:
    sources = [p for p in sorted((ROOT / "processes").glob("*.bpr")) if "_tobe" not in p.name]
    shutil.copytree(ROOT / "processes" / "common", folder / "common")
    for n in range(count):
        src = sources[n % len(sources)]
        shutil.copy(src, folder / f"{n:04d}_{src.name}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--counts", type=int, nargs="*", default=[100, 300, 1000])
    args = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    rows = []
    for count in args.counts:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            make(folder, count)
            command = [sys.executable, "-m", "bprkit", "portfolio", str(folder), "--quiet",
                       "--format", "json"]
            start = time.perf_counter()
            subprocess.run(command, check=False, capture_output=True, env=env)
            rows.append((count, time.perf_counter() - start))
    print(f"portfolio on {os.cpu_count()} CPUs (2,000 samples per procedure)")
    for n, (count, seconds) in enumerate(rows):
        growth = ""
        if n:
            before = rows[n - 1]
            growth = f"  n^{math.log(seconds / before[1]) / math.log(count / before[0]):.2f}"
        print(f"{count:6d} procedures  {seconds:6.2f} s{growth}")
    last = rows[-1]
    if last[0] >= 1000:
        print("goal 1,000 procedures under 10 s:", "met" if last[1] < 10 else "NOT met")


if __name__ == "__main__":
    main()
