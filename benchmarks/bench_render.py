"""Benchmark: the render pipeline (check, analysis, scene, layout, routing, DOT,
Graphviz drawing SVG) on generated processes.

Goals: issue 10, the whole `bprkit render` of 300 steps under 1.5 s and of 1,000 steps
under 5 s on this machine; issue 23, each of bprkit's own render stages (scene,
layout, routing, DOT) growing no faster than n^1.1. Prints per size the CPU seconds of
each stage (exclusive: a stage called from another counts once, in its own column),
the growth exponent of each between sizes (log(t2/t1) / log(n2/n1)), and, for the
sizes of ``--cli-sizes``, Graphviz's drawing and the `bprkit render` command as a user
runs it (wall seconds, start-up included).
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))

from bench_check import best_of, generate

from bprkit.analysis.records import analyze_process
from bprkit.render import dot, layout, routing, textfit
from bprkit.render import drawing as render
from bprkit.render import scene as scenes
from bprkit.text.loader import check_files

STAGES = ("scene", "layout", "routing", "DOT")
GOAL_GROWTH = 1.1
CLI_GOALS = {300: 1.5, 1000: 5.0}


class Clock:
    """CPU seconds per stage, exclusive of the stages called within."""

    def __init__(self) -> None:
        self.spent = dict.fromkeys(STAGES, 0.0)
        self.stack: list[str] = []
        self.inner: list[float] = []

    def wrap(self, module: Any, name: str, stage: str) -> None:
        fn = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            self.stack.append(stage)
            self.inner.append(0.0)
            t0 = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.process_time() - t0
                self.stack.pop()
                inner = self.inner.pop()
                self.spent[stage] += elapsed - inner
                if self.inner:
                    self.inner[-1] += elapsed

        setattr(module, name, timed)


def timed_stages(clock: Clock) -> None:
    clock.wrap(scenes, "diagram", "scene")
    for name in ("sizes", "grid", "geometry", "title_block"):
        clock.wrap(layout, name, "layout")
    for name in ("plan", "route"):
        clock.wrap(routing, name, "routing")
    clock.wrap(dot, "graph", "DOT")


def stages(path: str, clock: Clock, repeat: int, gc_mode: str = "on"
           ) -> tuple[dict[str, float], Any]:
    """The best CPU seconds of each stage over ``repeat`` renders of an analysed file."""
    report = check_files([path])
    bundle = report.files[0].bundle
    analysis = analyze_process(bundle.root.processes[0], bundle)
    best = dict.fromkeys(STAGES, math.inf)
    graph = None
    for _ in range(repeat):
        # each render as a command's: the wrapped titles cache empty (it holds 8,192
        # titles, so a later repeat of a small drawing would find all of its own there
        # and a large one not: the growth would measure the cache)
        textfit._wrap.cache_clear()
        gc.collect()  # every repeat starts from the same collector state
        if gc_mode == "freeze":  # as a command that froze what it loaded
            gc.freeze()
        clock.spent = dict.fromkeys(STAGES, 0.0)
        drawing = render.diagram(analysis, bundle)
        graph = dot.graph(drawing.pages[0])
        graph.source  # noqa: B018 — the DOT text, as the backend hands it to Graphviz
        for s in STAGES:
            best[s] = min(best[s], clock.spent[s])
        gc.unfreeze()
    return best, graph


def command(path: str, tmp: str, repeat: int) -> float:
    """The best wall seconds of `bprkit render FILE -o out.svg`, start-up included, with
    bytecode cached as after `pip install` (this workplace sets PYTHONDONTWRITEBYTECODE;
    a first run writes the caches and is not counted)."""
    out = os.path.join(tmp, "out.svg")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cmd = [sys.executable, "-m", "bprkit", "render", path, "-o", out, "--lang", "ja"]
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        runs.append(time.perf_counter() - t)
    return min(runs)


def exponent(n1: int, t1: float, n2: int, t2: float) -> float:
    return math.log(t2 / t1) / math.log(n2 / n1) if t1 > 0 and t2 > 0 else math.nan


def _fmt(x: float) -> str:
    return f"n^{x:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, nargs="*", default=[1000, 3000, 10000])
    ap.add_argument("--cli-sizes", type=int, nargs="*", default=[15, 300, 1000],
                    help="sizes also drawn by Graphviz and by the command")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--gc", choices=("on", "freeze", "off"), default="on",
                    help="the cyclic collector during the stages: on (as the library "
                    "runs them), frozen after loading and analysing, or off")
    args = ap.parse_args()
    clock = Clock()
    timed_stages(clock)
    cli: list[tuple[int, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for steps in sorted({*args.steps, *args.cli_sizes}):
            paths[steps] = os.path.join(tmp, f"bench{steps}.bpr")
            with open(paths[steps], "w", encoding="utf-8") as fh:
                fh.write(generate(steps))
        # the sizes in turn, round after round: a machine that slows down or speeds up
        # meanwhile moves every size alike, and the growth between them stays true
        best_of_rounds: dict[int, dict[str, float]] = {}
        for _ in range(args.repeat):
            for steps in sorted(args.steps):
                if args.gc == "off":
                    gc.disable()
                once, _ = stages(paths[steps], clock, 1, args.gc)
                gc.enable()
                best_of_rounds[steps] = {s: min(once[s], best_of_rounds.get(steps, {}).get(
                    s, math.inf)) for s in STAGES}
        rows = [(steps, best_of_rounds[steps]) for steps in sorted(args.steps)]
        print(f"measured the stages at {', '.join(map(str, sorted(args.steps)))} steps, "
              f"{args.repeat} rounds", flush=True)
        for steps in sorted(args.cli_sizes):
            _, graph = stages(paths[steps], clock, 1)
            drawing = best_of(lambda g=graph: dot.run(g, "svg"), args.repeat)[0]
            cli.append((steps, drawing, command(paths[steps], tmp, args.repeat)))
    print(f"\nbprkit's render stages, CPU seconds, best of {args.repeat}, cyclic GC {args.gc}")
    print("steps  " + "".join(f"{s:>10}" for s in STAGES) + f"{'all':>10}")
    for steps, t in rows:
        print(f"{steps:5d}  " + "".join(f"{t[s]:10.3f}" for s in STAGES)
              + f"{sum(t.values()):10.3f}")
    worst = -math.inf
    if len(rows) > 1:
        print("\ngrowth exponent between sizes, log(t2/t1) / log(n2/n1)")
        print("sizes         " + "".join(f"{s:>10}" for s in STAGES) + f"{'all':>10}")
        for (n1, t1), (n2, t2) in pairwise(rows):
            growth = [exponent(n1, t1[s], n2, t2[s]) for s in STAGES]
            worst = max(worst, *(g for g in growth if not math.isnan(g)))
            whole = exponent(n1, sum(t1.values()), n2, sum(t2.values()))
            print(f"{n1:5d}→{n2:<6d}  " + "".join(f"{_fmt(g):>10}" for g in growth)
                  + f"{_fmt(whole):>10}")
        print(f"goal: every render stage ≤ n^{GOAL_GROWTH} between sizes (worst n^{worst:.2f}):",
              "met" if worst <= GOAL_GROWTH else "NOT met")
    if cli:
        print("\nsteps  Graphviz (s)  bprkit render (s)  growth")
        for n, (steps, graphviz, whole) in enumerate(cli):
            growth = _fmt(exponent(cli[n - 1][0], cli[n - 1][2], steps, whole)) if n else ""
            print(f"{steps:5d}  {graphviz:12.3f}  {whole:17.3f}  {growth}")
        for steps, limit in CLI_GOALS.items():
            row = next((r for r in cli if r[0] == steps), None)
            if row:
                print(f"goal {steps} steps under {limit} s:",
                      "met" if row[2] < limit else "NOT met")


if __name__ == "__main__":
    main()
