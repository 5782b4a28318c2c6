"""Benchmark: `bprkit render` on a generated 300-step process.

Goal (issue 4): the time bprkit adds on top of Graphviz itself stays under 20 %
of Graphviz's time. Reports Graphviz's run (neato -n2 on the pinned layout, SVG)
and bprkit's own work: check, analysis, layout and DOT text.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))

from bench_check import best_of, generate

from bprkit.analysis import analyze_process
from bprkit.loader import check_files
from bprkit.render import dot


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.bpr")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(generate(args.steps))

        def ours() -> dot.graphviz.Digraph:
            report = check_files([path])
            bundle = report.files[0].bundle
            graph = dot.diagram(analyze_process(bundle.root.processes[0], bundle), bundle)
            graph.source  # noqa: B018 - the DOT text is part of our work
            return graph

        graph = ours()
        own = best_of(ours, args.repeat)
        graphviz = best_of(lambda: dot.svg(graph), args.repeat)
    share = own[0] / graphviz[0] * 100
    print(f"process: {args.steps} steps (best and median of {args.repeat})")
    print(f"Graphviz (neato -n2, SVG): {graphviz[0]:.3f} s, median {graphviz[1]:.3f} s")
    print(f"bprkit's own work         : {own[0]:.3f} s, median {own[1]:.3f} s "
          f"({share:.0f} % of Graphviz's time)")
    print("goal: under 20 %:", "met" if share < 20 else "NOT met")


if __name__ == "__main__":
    main()
