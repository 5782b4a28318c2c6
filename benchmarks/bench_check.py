"""Benchmark: `bprkit check` on a generated 10,000-step file.

Reports the time of lark's bare parse of the same text beside the time of our
whole pipeline (read, parse, transform, validate), so the overhead of our own
code shows. Run: `make bench` or `.venv/bin/python benchmarks/bench_check.py`.
Goal (issue 2): parse + validate under 1 s on the project's machine (2 cores).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time

from bprkit.text import parser, source
from bprkit.text.loader import check_files

LANES = ("住民", "窓口", "審査", "係長", "書庫")


def generate(steps: int, loop_every: int = 50) -> str:
    """A realistic-looking process: labels, tags, ranges, waits, bodies, a branch
    with a 10 % rework loop every ``loop_every`` steps, a parallel inquiry every 200."""
    out = [
        "# generated for the benchmark",
        "process 大量 「ベンチマーク用の手続」 {",
        "  owner 「市民課」",
        "  volume 36,000 / 年",
        "  lane 住民 「申請者」 : 住民",
        "  lane 窓口 「窓口担当」 : 窓口",
        "  lane 審査 「審査担当」 : 内部事務",
        "  lane 係長 「係長」 : 決裁",
        "  lane 書庫 「文書庫」 : 保存",
        "  document 申請書 「申請書」 : 紙",
        "  data 氏名, 住所 : held",
    ]
    i = 0
    while i < steps:
        lane = LANES[i % len(LANES)]
        if i % 200 == 120 and i + 2 <= steps:
            out += [
                "  parallel {",
                f"    path {{ step s{i} 「照会 {i}」 @審査 [紙, 郵送] 5min wait 1..2d }}",
                f"    path {{ step s{i + 1} 「確認 {i + 1}」 @審査 [突合] 3..5min }}",
                "  }",
            ]
            i += 2
            continue
        out.append(f"  step s{i} 「手順 {i} を処理する」 @{lane} [紙, 転記] 2..3..5分 wait 5min {{")
        out.append("    reads 氏名, 住所")
        out.append("  }")
        if i % loop_every == loop_every - 1 and i >= 10:
            out += ["  branch 「不備」 {", f"    10% -> s{i - 5}", f"    else -> s{i + 1}", "  }"]
            if i + 1 >= steps:
                out[-2] = "    else -> end"
        i += 1
    out.append("}")
    return "\n".join(out) + "\n"


def best_of(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    text = generate(args.steps)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.bpr")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        report = check_files([path])
        assert report.ok, [d.render() for d in report.diagnostics[:3]]
        decoded, _ = source.read(path)
        assert decoded is not None
        lark = parser.lark_parser()  # stock lark: its own lexer, a parse tree
        lexed = decoded.normalized + "\n"
        bare = best_of(lambda: lark.parse(lexed), args.repeat)
        gc.disable()  # the setting bprkit uses while it checks
        try:
            bare_nogc = best_of(lambda: lark.parse(lexed), args.repeat)
            ours = best_of(lambda: parser.parse(decoded), args.repeat)
        finally:
            gc.enable()
        full = best_of(lambda: check_files([path]), args.repeat)
        command = [sys.executable, "-m", "bprkit", "check", path]
        cli = best_of(lambda: subprocess.run(command, check=True, capture_output=True),
                      args.repeat)
    size = len(text.encode("utf-8")) / 1e6
    print(f"file: {args.steps} steps, {text.count(chr(10))} lines, {size:.2f} MB "
          f"(best and median of {args.repeat})")
    print(f"lark bare parse (stock lexer, tree)     : {bare[0]:.3f} s, median {bare[1]:.3f} s")
    print(f"  the same, cyclic GC paused            : {bare_nogc[0]:.3f} s, "
          f"median {bare_nogc[1]:.3f} s")
    print(f"bprkit parse (own tables, model built)  : {ours[0]:.3f} s, median {ours[1]:.3f} s")
    print(f"bprkit check (read, parse, validate)    : {full[0]:.3f} s, median {full[1]:.3f} s")
    print(f"check minus lark's bare parse (GC off)  : {full[0] - bare_nogc[0]:+.3f} s")
    print(f"`python -m bprkit check FILE`, whole run: {cli[0]:.3f} s, median {cli[1]:.3f} s")
    print("goal: check under 1 s:", "met" if full[0] < 1.0 else "NOT met")


if __name__ == "__main__":
    main()
