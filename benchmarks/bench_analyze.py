"""Benchmark: `bprkit analyze` on generated processes of 5,000 to 50,000 steps (a 10 %
rework loop every ``steps / loops`` steps, a parallel inquiry every 200).

Goals: issue 3, the whole analyze of 5,000 steps under 2 s on the project's machine
(2 cores); issue 23, the analysis growing no faster than n^1.05 up to 50,000 steps.
Prints, per size, the CPU seconds of each stage (check; then the analysis: expansion,
metrics, plans, findings), the growth exponent of each stage between sizes
(log(t2/t1) / log(n2/n1)), and the "net" growth of the analysis: its stages' sum,
check excluded, fitted over all sizes (least squares on log-log) and between the
last two. CPU time (time.process_time), best of ``--repeat``: the machine is
shared, and wall time would measure the neighbours.

Files above 2 MB are refused by ``check`` (E007): the benchmark lifts that limit
for its own generated files. Run: `.venv/bin/python benchmarks/bench_analyze.py`
(``--sizes 5000 10000`` for a quick look).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import pairwise
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))

from bench_check import generate

from bprkit import collector
from bprkit.analysis import findings as findings_module
from bprkit.analysis import graph as graph_module
from bprkit.analysis import levers as lever_module
from bprkit.analysis import metrics as metrics_module
from bprkit.analysis.records import analyze_process
from bprkit.assumptions.catalog import default as default_assumptions
from bprkit.text import source
from bprkit.text.loader import check_files

STAGES = ("check", "expansion", "metrics", "plans", "findings")
ANALYSIS = STAGES[1:]
GOAL_GROWTH = 1.05
GOAL_5K_SECONDS = 2.0


def cpu(fn: Callable[[], Any]) -> tuple[float, Any]:
    """The CPU seconds of one call, and its result."""
    t0 = time.process_time()
    result = fn()
    return time.process_time() - t0, result


def write(steps: int, loops: int, tmp: str) -> str:
    path = os.path.join(tmp, f"bench{steps}.bpr")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(generate(steps, loop_every=max(steps // loops, 2)))
    return path


def measure(path: str) -> tuple[dict[str, float], int]:
    """CPU seconds per stage of one file, once, and the number of findings."""
    t: dict[str, float] = {}
    t["check"], report = cpu(lambda: check_files([path]))
    assert report.ok, [d.render() for d in report.diagnostics[:3]]
    bundle = report.files[0].bundle
    process = bundle.root.processes[0]
    a = default_assumptions()
    with collector.paused():  # as analyze_process runs its stages
        t["expansion"], graph = cpu(lambda: graph_module.expand(process, bundle, a))
        t["metrics"], figures = cpu(lambda: metrics_module.compute(graph, a))
        t["plans"], plans = cpu(lambda: lever_module.plan_runs(graph.runs, a, None))
        t["findings"], found = cpu(
            lambda: findings_module.find(graph, figures, a, plans=plans))
    t["analysis"] = sum(t[s] for s in ANALYSIS)
    t["analyze_process"], _ = cpu(lambda: analyze_process(process, bundle))
    return t, len(found)


def exponent(n1: int, t1: float, n2: int, t2: float) -> float:
    return math.log(t2 / t1) / math.log(n2 / n1) if t1 > 0 and t2 > 0 else math.nan


def fitted(sizes: list[int], times: list[float]) -> float:
    """The least-squares slope of log t over log n."""
    xs = [math.log(n) for n in sizes]
    ys = [math.log(t) for t in times]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return (sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
            / sum((x - mx) ** 2 for x in xs))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[5_000, 10_000, 25_000, 50_000])
    ap.add_argument("--loops", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    source.MAX_BYTES = 64 * 1024 * 1024  # the generated 25k/50k-step files are 3–6 MB
    best: dict[int, dict[str, float]] = {}
    found: dict[int, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        paths = {steps: write(steps, args.loops, tmp) for steps in args.sizes}
        # the sizes in turn, round after round: a machine that slows down or speeds up
        # meanwhile moves every size alike, and the growth between them stays true
        for round_ in range(args.repeat):
            for steps, path in paths.items():
                t, found[steps] = measure(path)
                best[steps] = {k: min(v, best.get(steps, {}).get(k, math.inf))
                               for k, v in t.items()}
            print(f"round {round_ + 1} of {args.repeat} measured", flush=True)
    rows = [(steps, best[steps], found[steps]) for steps in args.sizes]
    print("findings: " + ", ".join(f"{found[s]:,} at {s:,} steps" for s in args.sizes))
    columns = (*STAGES, "analysis", "analyze_process")
    print(f"\nCPU seconds, best of {args.repeat} rounds, the sizes measured in turn "
          "('analysis' = the sum of its stages, "
          "check excluded; 'analyze_process' = the call as the CLI makes it)")
    print("steps   " + "".join(f"{c:>16}" for c in columns))
    for steps, t, _ in rows:
        print(f"{steps:6d}  " + "".join(f"{t[c]:16.3f}" for c in columns))
    if len(rows) > 1:
        print("\ngrowth exponent between sizes, log(t2/t1) / log(n2/n1)")
        print("sizes          " + "".join(f"{c:>16}" for c in columns))
        for (n1, t1, _), (n2, t2, _) in pairwise(rows):
            print(f"{n1:6d}→{n2:<6d}  " + "".join(
                f"{'n^' + format(exponent(n1, t1[c], n2, t2[c]), '.2f'):>16}" for c in columns))
        sizes = [r[0] for r in rows]
        fit = fitted(sizes, [r[1]["analysis"] for r in rows])
        last = exponent(rows[-2][0], rows[-2][1]["analysis"], rows[-1][0],
                        rows[-1][1]["analysis"])
        print(f"\nnet growth of the analysis: n^{fit:.2f} fitted over {sizes[0]}–{sizes[-1]} "
              f"steps, n^{last:.2f} between the last two sizes")
        print(f"goal: net growth up to {sizes[-1]} steps ≤ n^{GOAL_GROWTH}:",
              "met" if fit <= GOAL_GROWTH and last <= GOAL_GROWTH else "NOT met")
    five = next((t for steps, t, _ in rows if steps == 5_000), None)
    if five is not None:
        whole = five["check"] + five["analyze_process"]
        print(f"goal: analyze of 5,000 steps (check + analysis) under {GOAL_5K_SECONDS} s: "
              f"{whole:.3f} s,", "met" if whole < GOAL_5K_SECONDS else "NOT met")


if __name__ == "__main__":
    main()
