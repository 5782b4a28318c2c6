"""Benchmark: `bprkit analyze` on a generated 5,000-step process with 50 rework loops.

Goal (issue 3): under 2 s on the project's machine (2 cores). Reports check and
analysis separately. Run: `.venv/bin/python benchmarks/bench_analyze.py`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))

from bench_check import best_of, generate

from bprkit.analysis.records import analyze_process
from bprkit.text.loader import check_files


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=5_000)
    ap.add_argument("--loops", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    text = generate(args.steps, loop_every=args.steps // args.loops)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.bpr")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        report = check_files([path])
        assert report.ok, [d.render() for d in report.diagnostics[:3]]
        bundle = report.files[0].bundle
        process = bundle.root.processes[0]
        result = analyze_process(process, bundle)
        loops = sum(1 for f in result.findings if f.rule == "rework")
        check = best_of(lambda: check_files([path]), args.repeat)
        analysis = best_of(lambda: analyze_process(process, bundle), args.repeat)

        def whole() -> None:
            r = check_files([path])
            analyze_process(r.files[0].bundle.root.processes[0], r.files[0].bundle)

        total = best_of(whole, args.repeat)
    print(f"process: {args.steps} steps, {loops} rework loops found, "
          f"{len(result.findings)} findings (best and median of {args.repeat})")
    print(f"check (read, parse, validate) : {check[0]:.3f} s, median {check[1]:.3f} s")
    print(f"analysis (graph, metrics, findings): {analysis[0]:.3f} s, median {analysis[1]:.3f} s")
    print(f"analyze, whole                : {total[0]:.3f} s, median {total[1]:.3f} s")
    print("goal: under 2 s:", "met" if total[0] < 2.0 else "NOT met")


if __name__ == "__main__":
    main()
