"""Benchmark: `bprkit estimate` with combined levers (AI-OCR then RPA on every keyed
paper form, online and 書かない窓口 at the counter).

Goals (issue 23):
- the Monte Carlo kernel within 2× numpy's floor per sample-step. The floor is what
  any Monte Carlo of this model must at least do, measured in the same process,
  interleaved with the kernel: numpy's own sampler draws two triangular numbers per
  cell (a run's time and its wait) and sums them per sample, in the estimate's chunks;
- the whole estimate of a 1,000-step process with 10,000 samples within 1 s;
- a 10,000-step process with 10,000 samples within 8 s and 1 GiB (a child process
  that runs only that estimate: its wall time and peak resident size).

Figures are medians of ``--repeat`` runs; the growth exponent is log(t₂/t₁)/log(n₂/n₁)
between the two sizes.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))

import numpy as np
from bench_check import generate

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


def floor(low: np.ndarray, mode: np.ndarray, high: np.ndarray, samples: int,
          chunk: int) -> np.ndarray:
    """numpy's floor: two triangular numbers per cell, summed per sample."""
    rng = np.random.default_rng(1)
    out = []
    for start in range(0, samples, chunk):
        n = min(chunk, samples - start)
        a = rng.triangular(low, mode, high, size=(n, low.size))
        b = rng.triangular(low, mode, high, size=(n, low.size))
        out.append(a.sum(axis=1) + b.sum(axis=1))
    return np.concatenate(out)


def _timed(fn) -> tuple[float, float]:
    """(wall, CPU) seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def _child(steps: int, samples: int) -> tuple[float, float]:
    """Wall seconds of one estimate and peak resident memory (MiB) of a fresh
    interpreter that runs only it."""
    code = (
        "import sys, os, tempfile, resource, time\n"
        f"sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})\n"
        "from bench_estimate import _load\n"
        "from bprkit.assumptions import catalog as assumptions\n"
        "from bprkit.estimate import montecarlo as estimate\n"
        "with tempfile.TemporaryDirectory() as tmp:\n"
        f"    p, b = _load({steps}, tmp)\n"
        "    a = assumptions.default()\n"
        "    t = time.perf_counter()\n"
        f"    estimate.estimate(p, b, a, samples={samples})\n"
        "    print(time.perf_counter() - t)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[-2]), int(out[-1]) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=1_000)
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--large-steps", type=int, default=10_000)
    args = ap.parse_args()
    a = assumptions.default()
    with tempfile.TemporaryDirectory() as tmp:
        process, bundle = _load(args.steps, tmp)
    asis = analyze_process(process, bundle, assumptions=a, with_findings=False)
    runs = asis.graph.runs
    plans = levers.plan_runs(runs, a, None)
    combined = sum(len(p.plan.chain) > 1 for p in plans)
    side = sampling.Side.of(asis.graph, asis.metrics, a)
    starts = metrics.visit_starts(asis.graph, a)
    groups = metrics.visit_groups(asis.graph, a)
    low, mode, high, _ = side.minutes
    high = np.maximum(high, low + 1e-9)  # numpy's triangular needs low < high
    mode = np.clip(mode, low, high)
    chunk = sampling.chunks(args.samples, len(runs))[0]
    cells = args.samples * len(runs)
    kernel_times, floor_times, whole_times = [], [], []
    for _ in range(args.repeat):  # interleaved: the machine's load falls on both alike
        floor_times.append(_timed(lambda: floor(low, mode, high, args.samples, chunk)))
        kernel_times.append(_timed(lambda: estimate._monte_carlo_levers(
            side, side, plans, starts, groups, a.levers, a, args.samples, 1)))
        whole_times.append(_timed(lambda: estimate.estimate(process, bundle, a,
                                                            samples=args.samples)))

    def median(times: list[tuple[float, float]], k: int) -> float:
        return statistics.median(t[k] for t in times)

    print(f"process: {len(runs)} steps, {combined} with two levers or more; "
          f"{args.samples:,} samples; medians of {args.repeat}, {os.cpu_count()} CPUs")
    for k, clock in ((0, "wall"), (1, "CPU")):
        f, m = median(floor_times, k), median(kernel_times, k)
        print(f"{clock:4}: numpy floor {f * 1e9 / cells:5.1f} ns a sample-step, kernel "
              f"{m * 1e9 / cells:5.1f} ns, ratio {m / f:.2f}")
    ratio = median(kernel_times, 1) / median(floor_times, 1)
    print("goal: kernel ≤ 2× the floor (CPU):", "met" if ratio <= 2 else "NOT met")
    whole = median(whole_times, 0)
    print(f"estimate, whole, {len(runs):,} steps: {whole:.3f} s wall, "
          f"{median(whole_times, 1):.3f} s CPU")
    print("goal: ≤ 1 s:", "met" if whole <= 1 else "NOT met")
    large, peak = _child(args.large_steps, args.samples)
    growth = math.log(large / whole) / math.log(args.large_steps / len(runs))
    print(f"estimate, whole, {args.large_steps:,} steps: {large:.2f} s wall "
          f"(n^{growth:.2f} from {len(runs):,}), peak {peak:.0f} MiB "
          f"(chunks of {sampling.CHUNK_CELLS:,} cells)")
    print("goal: ≤ 8 s and ≤ 1 GiB:", "met" if large <= 8 and peak < 1024 else "NOT met")


if __name__ == "__main__":
    main()
