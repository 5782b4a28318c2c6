"""Benchmark: the whole `bprkit render` (check, analysis, scene, layout, routing,
DOT, Graphviz drawing SVG) on generated processes of 15 to 1,000 steps.

Goals (issue 10): 300 steps under 1.5 s and 1,000 steps under 5 s on this
machine, growing about linearly; no slower than the round-one renderer at 15
steps (its figure is in results.md). Prints each size, the time of our own
stages and of Graphviz, and the growth exponent between sizes.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))

from bench_check import best_of, generate

from bprkit.analysis.records import analyze_process
from bprkit.render import dot
from bprkit.render import drawing as render
from bprkit.text.loader import check_files


def _ours(path: str) -> render.Drawing:
    report = check_files([path])
    bundle = report.files[0].bundle
    return render.diagram(analyze_process(bundle.root.processes[0], bundle), bundle)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, nargs="*", default=[15, 25, 100, 300, 1000])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for steps in args.steps:
            path = os.path.join(tmp, f"bench{steps}.bpr")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(generate(steps))
            own = best_of(lambda p=path: _ours(p).source, args.repeat)
            graph = dot.graph(_ours(path).pages[0])
            drawing = best_of(lambda g=graph: dot.run(g, "svg"), args.repeat)
            out = os.path.join(tmp, "out.svg")
            cli = []
            # the command a user runs, start-up included, with bytecode cached as after
            # `pip install` (this workplace sets PYTHONDONTWRITEBYTECODE; a first run
            # writes the caches and is not counted)
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            command = [sys.executable, "-m", "bprkit", "render", path, "-o", out, "--lang", "ja"]
            subprocess.run(command, check=True, capture_output=True, env=env)
            for _ in range(args.repeat):
                t = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True, env=env)
                cli.append(time.perf_counter() - t)
            rows.append((steps, own[0], drawing[0], min(cli)))
    print("steps  ours (s)  Graphviz (s)  bprkit render (s)  growth")
    for n, (steps, own, graphviz, cli) in enumerate(rows):
        growth = ""
        if n:
            s0, c0 = rows[n - 1][0], rows[n - 1][3]
            growth = f"n^{math.log(cli / c0) / math.log(steps / s0):.2f}"
        print(f"{steps:5d}  {own:8.3f}  {graphviz:12.3f}  {cli:17.3f}  {growth}")
    goals = {300: 1.5, 1000: 5.0}
    for steps, limit in goals.items():
        row = next((r for r in rows if r[0] == steps), None)
        if row:
            print(f"goal {steps} steps under {limit} s:", "met" if row[3] < limit else "NOT met")


if __name__ == "__main__":
    main()
