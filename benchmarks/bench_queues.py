"""Benchmark: counter queues (issue 26, docs/queues.md). Not a speed figure: how the
鹿児島市 本庁 check depends on what its case assumes.

The case (bprkit/estimate/backtest/cases/counter_kagoshima_queue.bpr) infers the counters
from the observed 58-minute wait, the published arrivals (25.9 an hour) and the visit's
assumed minutes (受付 5..8..12, 入力 5..8..10, 交付 2..3..5), then applies 書かない窓口
(at its expected figures, from the case's own estimate) to the visit. This prints the
expected To-Be wait and reduction when the visit's minutes and the arrivals are taken
20 % lower or higher, and when the visit is 受付 alone: what the 2.2-point agreement with
the published 60.3 % rests on. Then the whole backtest row of both 鹿児島市 queue cases.
Run: `.venv/bin/python benchmarks/bench_queues.py`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import bprkit
from bprkit.estimate.backtest import cases as backtest
from bprkit.text import flow, queue

CASES = Path(backtest.bundled())
MAIN = CASES / "counter_kagoshima_queue.bpr"


def main() -> None:
    process = bprkit.load(str(MAIN)).root.processes[0]
    g = flow.build(process)
    solved = queue.solve(g, "受付", 7.75, process.volume)
    assert solved is not None
    est = bprkit.estimate_process(str(MAIN), levers=["no_writing_counter"], samples=2000)
    rows = {s.id: s for s in est.steps}
    visit = solved.service.steps
    before = sum(rows[k].asis_minutes for k in visit)
    keep = sum(rows[k].tobe_minutes for k in visit) / before
    observed, published = 58.0, 1 - 23 / 58
    print(f"受付 {rows['受付'].asis_minutes:.1f} → {rows['受付'].tobe_minutes:.1f} min")
    print(f"visit {' → '.join(visit)}: {solved.service.minutes:.1f} min, cs² "
          f"{solved.service.cs2:.3f}; the lever keeps {keep:.3f} of it")
    print(f"inferred counters {solved.counters[0]:.2f} ({solved.load / solved.counters[0]:.1%}"
          f" busy); published reduction {published:.1%}")
    print("visit × | arrivals/h | counters | busy  | To-Be wait | reduction")
    for scale in (0.8, 1.0, 1.2):
        for rate in (25.9 * 0.8, 25.9, 25.9 * 1.2):
            s = solved.service.minutes * scale
            c = queue.counters_for(rate, observed, s, solved.service.cs2, solved.day_minutes)
            w = float(queue.wait_minutes(rate, c, s * keep, solved.service.cs2,
                                         solved.day_minutes))
            print(f"{scale:7.1f} | {rate:10.1f} | {c:8.2f} | {rate / 60 * s / c:5.1%} | "
                  f"{w:7.1f} min | {1 - w / observed:.1%}")
    first = process.step("受付")
    assert first is not None and first.duration is not None
    own = rows["受付"].tobe_minutes / rows["受付"].asis_minutes
    mean = first.duration.expected_minutes()
    low, mode, high = first.duration.low, first.duration.mode or 0.0, first.duration.high
    var = (low ** 2 + mode ** 2 + high ** 2 - low * mode - low * high - mode * high) / 18
    c = queue.counters_for(25.9, observed, mean, var / mean ** 2, solved.day_minutes)
    w = float(queue.wait_minutes(25.9, c, mean * own, var / mean ** 2, solved.day_minutes))
    print(f"the visit 受付 alone ({mean:.1f} min, the lever keeps {own:.3f}): counters "
          f"{c:.2f}, To-Be wait {w:.1f} min, reduction {1 - w / observed:.1%}")
    # the wait-factor case's assumed volume instead: part of the arrivals are others'
    other = MAIN.read_text(encoding="utf-8").replace("volume 200.7 / 日", "volume 40,000 / year")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / MAIN.name
        path.write_text(other, encoding="utf-8")
        shared = queue.solve(flow.build(bprkit.load(str(path)).root.processes[0]), "受付",
                             7.75, bprkit.load(str(path)).root.processes[0].volume)
        assert shared is not None
        own = shared.with_own(40_000, 7.75).own or (1.0,)
        cases, report = backtest.load([str(path)], bprkit.load_assumptions().levers)
        r = backtest.run(cases, [f.bundle for f in report.files],
                         bprkit.load_assumptions()).results[0]
        print(f"with 40,000 a year: the procedure's share of the arrivals {own[0]:.1%}, "
              f"P50 {r.reduction.p50:.1%}")
    cases, report = backtest.load([str(MAIN), str(CASES / "counter_kagoshima_taniyama_queue.bpr")],
                                  bprkit.load_assumptions().levers)
    result = backtest.run(cases, [f.bundle for f in report.files], bprkit.load_assumptions())
    for r in result.results:
        print(f"{r.case.name}: published {r.case.published:.1%}, modelled P10 "
              f"{r.reduction.p10:.1%} P50 {r.reduction.p50:.1%} P90 {r.reduction.p90:.1%}")


if __name__ == "__main__":
    main()
