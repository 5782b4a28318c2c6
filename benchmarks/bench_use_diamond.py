"""Benchmark: `bprkit analyze` on a `use` diamond, each process using the next twice.

The file is the audit's shape (issue 21): process q{i} has one step and two lines
`use q{i+1}`, 40 levels deep (3.4 KB). Fully inlined it would be 2^40 − 1 step
runs; the analysis takes each used process once (bprkit/analysis/graph.py) and its lead
weights were still copied for every use, doubling per level (the audit's file, 22
levels: 17 s and 1.4 GB, 26 levels: 335 s and 21 GB; this file before the fix, 22
levels: 5.2 s and 904 MB: benchmarks/results.md). Goal: `bprkit analyze FILE` of the 40-level
diamond under 1 s and 200 MB. Reports the top process's analysis in-process, every
process of the file in-process (what the command analyses), the whole command in a
fresh interpreter, and peak memory: Python's allocations of the in-process analysis
(tracemalloc) and the peak resident size of the command. Run:
`.venv/bin/python benchmarks/bench_use_diamond.py`.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(__file__))

from bench_check import best_of

from bprkit.analysis.records import analyze_process
from bprkit.model import Bundle
from bprkit.text.loader import check_files


def diamond(levels: int) -> str:
    """q0 … q{levels−1}: one 1-minute counter step each, and two uses of the next."""
    out = []
    for i in range(levels):
        out.append(f"process q{i} {{")
        if i == 0:
            out.append("  volume 1,000 / 年")
        out += ["  lane a : 窓口", f"  step s{i} @a [紙, 転記] 1分"]
        if i < levels - 1:
            out += [f"  use q{i + 1}", f"  use q{i + 1}"]
        out.append("}")
    return "\n".join(out) + "\n"


def _load(path: str) -> Bundle:
    report = check_files([path])
    assert report.ok, [d.render() for d in report.diagnostics if d.is_error][:3]
    return report.files[0].bundle


def _every(bundle: Bundle) -> None:
    for process in bundle.root.processes:
        analyze_process(process, bundle)


def _peak_python(fn: object) -> float:
    """Peak of Python's allocations (MiB) while ``fn`` runs."""
    tracemalloc.start()
    fn()  # type: ignore[operator]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def _command(path: str, fmt: str, repeat: int) -> tuple[float, float, float]:
    """Best and median seconds of `bprkit analyze --format FMT FILE` in a fresh
    interpreter, and the peak resident size (MiB) of the largest run."""
    times = []
    peak = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "bprkit", "analyze", "--format", fmt,
                               path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              check=False)
        times.append(time.perf_counter() - start)
        assert done.returncode == 0, done.stderr[-300:]
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    times.sort()
    return times[0], times[len(times) // 2], peak


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--levels", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scale", type=int, nargs="*", default=[10, 20, 22, 26, 30, 60, 99],
                    help="also time the top process's analysis at these depths")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"diamond{args.levels}.bpr")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(diamond(args.levels))
        size = os.path.getsize(path)
        bundle = _load(path)
        top = bundle.root.processes[0]
        result = analyze_process(top, bundle)
        check = best_of(lambda: _load(path), args.repeat)
        one = best_of(lambda: analyze_process(top, bundle), args.repeat)
        every = best_of(lambda: _every(bundle), args.repeat)
        python_peak = _peak_python(lambda: _every(bundle))
        text = _command(path, "text", args.repeat)
        json_ = _command(path, "json", max(1, args.repeat // 2))
        scale = []
        for levels in args.scale:
            other = os.path.join(tmp, f"diamond{levels}.bpr")
            with open(other, "w", encoding="utf-8") as fh:
                fh.write(diamond(levels))
            b = _load(other)
            p = b.root.processes[0]
            scale.append((levels, best_of(lambda p=p, b=b: analyze_process(p, b), 3)[0],
                          _peak_python(lambda p=p, b=b: analyze_process(p, b))))
    m = result.metrics
    print(f"diamond: {args.levels} levels, {size:,} bytes; {2 ** args.levels - 1:,} step runs "
          f"inlined, {len(result.graph.runs)} analysed (combined: {result.graph.combined}); "
          f"staff minutes a case {m.staff_minutes_per_case:,.0f} "
          f"(2^{args.levels} − 1 = {2 ** args.levels - 1:,})")
    print(f"(best and median of {args.repeat})")
    print(f"check (read, parse, validate)         : {check[0]:.3f} s, median {check[1]:.3f} s")
    print(f"analysis of q0, in-process            : {one[0]:.3f} s, median {one[1]:.3f} s")
    print(f"analysis of all {len(bundle.root.processes)} processes, in-process: "
          f"{every[0]:.3f} s, median {every[1]:.3f} s; Python peak {python_peak:.1f} MiB")
    print(f"bprkit analyze FILE, whole command    : {text[0]:.3f} s, median {text[1]:.3f} s, "
          f"peak resident {text[2]:.0f} MiB")
    print(f"bprkit analyze --format json FILE     : {json_[0]:.3f} s, median {json_[1]:.3f} s, "
          f"peak resident {json_[2]:.0f} MiB (all findings of every process, no goal)")
    for levels, seconds, peak in scale:
        print(f"  {levels:3d} levels: analysis of q0 {seconds * 1000:7.1f} ms, "
              f"Python peak {peak:5.1f} MiB")
    print("goal: analyze under 1 s:", "met" if text[0] < 1.0 else "NOT met")
    print("goal: analyze under 200 MB:", "met" if text[2] * 2**20 < 200e6 else "NOT met")


if __name__ == "__main__":
    main()
