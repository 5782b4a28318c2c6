"""Benchmark: `bprkit estimate` with combined levers (AI-OCR then RPA on every keyed
paper form, online and 書かない窓口 at the counter).

Goals (issue 9): 10,000 samples over a 1,000-step process under 1 s (the Monte
Carlo); a 10,000-step process with 10,000 samples within 1 GiB peak memory (samples
are drawn in chunks). The memory figure is the peak resident size of a child
process that runs only that estimate.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))

from bench_check import best_of, generate

from bprkit.analysis import levers, metrics
from bprkit.analysis.records import analyze_process
from bprkit.assumptions import catalog as assumptions
from bprkit.estimate import montecarlo as estimate
from bprkit.estimate import sampling
from bprkit.model import Bundle, Process
from bprkit.text.loader import check_files


def _load(steps: int, tmp: str) -> tuple[Process, Bundle]:
    path = os.path.join(tmp, f"bench{steps}.bpr")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(generate(steps))
    bundle = check_files([path]).files[0].bundle
    return bundle.root.processes[0], bundle


def _peak_child(steps: int, samples: int) -> float:
    """Peak resident memory (MiB) of a fresh interpreter running one estimate."""
    code = (
        "import sys, os, tempfile, resource\n"
        f"sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})\n"
        "from bench_estimate import _load\n"
        "from bprkit.assumptions import catalog as assumptions\n"
        "from bprkit.estimate import montecarlo as estimate\n"
        "with tempfile.TemporaryDirectory() as tmp:\n"
        f"    p, b = _load({steps}, tmp)\n"
        f"    estimate.estimate(p, b, assumptions.default(), samples={samples})\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=1_000)
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--memory-steps", type=int, default=10_000)
    args = ap.parse_args()
    a = assumptions.default()
    with tempfile.TemporaryDirectory() as tmp:
        process, bundle = _load(args.steps, tmp)
    asis = analyze_process(process, bundle, assumptions=a)
    runs = asis.graph.runs
    plans = levers.plan_runs(runs, a, None)
    combined = sum(len(p.plan.chain) > 1 for p in plans)
    side = sampling.Side.of(asis.graph, asis.metrics, a)
    starts = metrics.visit_starts(asis.graph, a)
    groups = metrics.visit_groups(asis.graph, a)
    mc = best_of(lambda: estimate._monte_carlo_levers(side, side, plans, starts, groups,
                                                      a.levers, a, args.samples, 1),
                 args.repeat)
    whole = best_of(lambda: estimate.estimate(process, bundle, a, samples=args.samples),
                    args.repeat)
    print(f"process: {len(runs)} steps, {combined} with two levers or more; "
          f"{args.samples} samples (best and median of {args.repeat})")
    print(f"Monte Carlo            : {mc[0]:.3f} s, median {mc[1]:.3f} s")
    print(f"estimate, whole        : {whole[0]:.3f} s, median {whole[1]:.3f} s")
    print("goal: Monte Carlo under 1 s:", "met" if mc[0] < 1.0 else "NOT met")
    peak = _peak_child(args.memory_steps, args.samples)
    print(f"peak memory, {args.memory_steps} steps × {args.samples} samples: {peak:.0f} MiB "
          f"(chunks of {sampling.CHUNK_CELLS:,} cells)")
    print("goal: within 1 GiB:", "met" if peak < 1024 else "NOT met")


if __name__ == "__main__":
    main()
