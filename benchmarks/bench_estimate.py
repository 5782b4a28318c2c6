"""Benchmark: the Monte Carlo of `bprkit estimate`, 10,000 samples over a
1,000-step process (goal, issue 5: under 1 s, no Python loop over samples).

Reports the Monte Carlo alone and the whole estimate (analysis, levers, To-Be
lead time, Monte Carlo, sensitivity).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))

from bench_check import best_of, generate

from bprkit import assumptions, estimate
from bprkit.analysis import analyze_process
from bprkit.loader import check_files
from bprkit.model import STAFF_ROLES


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=1_000)
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    a = assumptions.default()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.bpr")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(generate(args.steps))
        bundle = check_files([path]).files[0].bundle
    process = bundle.root.processes[0]
    runs = analyze_process(process, bundle).graph.runs
    chosen = estimate.choose_levers(runs, a, None)
    staff = estimate.np.array([r.kind in STAFF_ROLES for r in runs], dtype=float)
    execs = estimate.np.array([r.executions for r in runs])
    cases = 36_000.0
    mc = best_of(lambda: estimate._monte_carlo(runs, chosen, a, staff, execs, cases,
                                               args.samples, 1), args.repeat)
    whole = best_of(lambda: estimate.estimate(process, bundle, a, samples=args.samples),
                    args.repeat)
    print(f"process: {len(runs)} steps, {len(chosen)} with a lever; {args.samples} samples "
          f"(best and median of {args.repeat})")
    print(f"Monte Carlo            : {mc[0]:.3f} s, median {mc[1]:.3f} s")
    print(f"estimate, whole        : {whole[0]:.3f} s, median {whole[1]:.3f} s")
    print("goal: Monte Carlo under 1 s:", "met" if mc[0] < 1.0 else "NOT met")


if __name__ == "__main__":
    main()
