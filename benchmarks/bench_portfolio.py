"""Benchmark: `bprkit portfolio` over 100, 300 and 1,000 procedures.

Goals (issue 23), on this machine: per procedure at most 3× an in-process `check` of
the same files (``bprkit.check`` over the same folder, measured in the same run), and
1,000 procedures in at most 6 CPU-s. CPU seconds are user + system of the command and
everything it waited for (its pool workers), from ``getrusage(RUSAGE_CHILDREN)``; the
figures are the medians of ``--repeat`` runs. The procedures are copies of the
library's 14 As-Is files (each copy its own file; the `common/` processes they use
copied once). Python's bytecode is cached for the measured commands (this environment
sets PYTHONDONTWRITEBYTECODE; it is dropped for them, and one warm-up run writes it).
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def make(folder: Path, count: int) -> None:
    sources = [p for p in sorted((ROOT / "processes").glob("*.bpr")) if "_tobe" not in p.name]
    shutil.copytree(ROOT / "processes" / "common", folder / "common")
    for n in range(count):
        src = sources[n % len(sources)]
        shutil.copy(src, folder / f"{n:04d}_{src.name}")


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(command: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of a command and the processes it waited for."""
    cpu, start = children_cpu(), time.perf_counter()
    done = subprocess.run(command, check=False, capture_output=True, env=ENV)
    wall, cpu = time.perf_counter() - start, children_cpu() - cpu
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr.decode()}")
    return cpu, wall


def check_cpu(folder: Path, repeat: int) -> float:
    """CPU seconds of an in-process ``bprkit.check`` of the folder (median)."""
    import bprkit

    times = []
    for _ in range(repeat):
        start = time.process_time()
        bprkit.check(str(folder))
        times.append(time.process_time() - start)
    return statistics.median(times)


def warm_up() -> None:
    """Import bprkit once in this process and write the bytecode of every module the
    commands use, so neither is measured."""
    import bprkit

    bprkit.check(str(ROOT / "processes"))
    with tempfile.TemporaryDirectory() as tmp:
        make(Path(tmp), 4)
        run([sys.executable, "-m", "bprkit", "portfolio", tmp, "--quiet", "--format", "json"])


def growth(rows: list[tuple[int, float]], n: int) -> str:
    if not n:
        return ""
    (c0, s0), (c1, s1) = rows[n - 1], rows[n]
    return f"n^{math.log(s1 / s0) / math.log(c1 / c0):.2f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--counts", type=int, nargs="*", default=[100, 300, 1000])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    warm_up()
    rows = []
    for count in args.counts:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            make(folder, count)
            command = [sys.executable, "-m", "bprkit", "portfolio", str(folder), "--quiet",
                       "--format", "json"]
            runs = [run(command) for _ in range(args.repeat)]
            check = check_cpu(folder, args.repeat)
            rows.append((count, statistics.median(c for c, _ in runs),
                         statistics.median(w for _, w in runs), check))
    print(f"portfolio on {os.cpu_count()} CPUs (2,000 samples per procedure; medians of "
          f"{args.repeat}; CPU: the command and its workers)")
    print(f"{'procedures':>10}  {'CPU-s':>6}  {'wall s':>6}  {'CPU-ms each':>11}  "
          f"{'check CPU-ms each':>17}  {'ratio':>5}  growth (CPU)")
    for n, (count, cpu, wall, check) in enumerate(rows):
        print(f"{count:10d}  {cpu:6.2f}  {wall:6.2f}  {cpu / count * 1e3:11.2f}  "
              f"{check / count * 1e3:17.2f}  {cpu / check:5.2f}  "
              f"{growth([(r[0], r[1]) for r in rows], n)}")
    count, cpu, _, check = rows[-1]
    print(f"goal per procedure ≤ 3× an in-process check ({count} procedures: "
          f"{cpu / check:.2f}×):", "met" if cpu / check <= 3 else "NOT met")
    thousand = [r for r in rows if r[0] == 1000]
    if thousand:
        print(f"goal 1,000 procedures ≤ 6 CPU-s ({thousand[0][1]:.2f} CPU-s):",
              "met" if thousand[0][1] <= 6 else "NOT met")


if __name__ == "__main__":
    main()
