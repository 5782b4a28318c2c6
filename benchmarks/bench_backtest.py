"""Benchmark: `bprkit backtest` over the bundled cases (goal: under 10 s, the whole
command as a user runs it, interpreter start included).

Reports the command end to end, and inside one process: reading the headers and
checking the cases, estimating them, and the fit with its leave-one-publication-out
scores (bprkit/estimate/backtest/fit.py), which the command runs too.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from bench_check import best_of

from bprkit.assumptions import catalog as assumptions
from bprkit.estimate.backtest import cases as backtest
from bprkit.estimate.backtest import fit


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=backtest.DEFAULT_SAMPLES)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    a = assumptions.default()
    paths = backtest.case_files(backtest.bundled())

    def command() -> None:
        r = subprocess.run([sys.executable, "-m", "bprkit", "backtest", "--samples",
                            str(args.samples), "--format", "json"], capture_output=True,
                           text=True, check=False, timeout=120)
        if r.returncode not in (0, 1):  # 1: ran, targets missed
            raise SystemExit(f"bprkit backtest failed ({r.returncode}): {r.stderr}")

    loaded: list = []

    def load() -> None:
        loaded[:] = [backtest.load(paths, list(a.levers))]

    def run() -> None:
        cases, report = loaded[0]
        backtest.run(cases, [f.bundle for f in report.files], a, samples=args.samples)

    def fitting() -> None:
        cases, report = loaded[0]
        fit.run(cases, [f.bundle for f in report.files], a, samples=args.samples,
                seed=20261122, before=fit.baseline())

    whole = best_of(command, args.repeat)
    reading = best_of(load, args.repeat)
    start = time.perf_counter()
    run()
    first = time.perf_counter() - start
    estimating = best_of(run, args.repeat)
    fitted = best_of(fitting, args.repeat)
    print(f"{len(paths)} cases, {args.samples} samples each (best and median of "
          f"{args.repeat})")
    print(f"bprkit backtest, whole : {whole[0]:.3f} s, median {whole[1]:.3f} s")
    print(f"headers and check      : {reading[0]:.3f} s, median {reading[1]:.3f} s")
    print(f"estimates (first run)  : {first:.3f} s")
    print(f"estimates              : {estimating[0]:.3f} s, median {estimating[1]:.3f} s")
    print(f"fit and out-of-sample  : {fitted[0]:.3f} s, median {fitted[1]:.3f} s")
    print("goal: bprkit backtest under 10 s:", "met" if whole[0] < 10.0 else "NOT met")


if __name__ == "__main__":
    main()
