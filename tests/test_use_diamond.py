"""`use` diamonds (issue 21): a process that uses another twice, level after level.

Fully inlined, a chain of 30 such processes is 2^30 − 1 step runs; past
``graph.COMBINE_ABOVE`` each used process is analysed once and its figures multiply.
Its lead weights (how often each run's time enters the lead time) used to be copied
for every use, doubling per level: 22 levels took 17 s and 1.4 GB, 26 levels 21 GB.
They are folded per used process now. The figures below are derived by hand from the
model (docs/analysis.md, docs/estimate.md "Batches"); how fast it runs is measured by
benchmarks/bench_use_diamond.py, not here: the tests only bound it generously.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bprkit.analysis import graph
from bprkit.analysis.records import Analysis, analyze_process
from bprkit.assumptions.catalog import default

from .conftest import ROOT, load_file

LEVELS = 30
LEAF_MINUTES = 3
LEAF_WAIT = 2


def diamond(levels: int) -> str:
    """q0 … q{levels−1}: each has one 1-minute counter step and uses the next twice
    (two `use` lines); the last has a 3-minute step with a 2-minute wait."""
    out = []
    for i in range(levels):
        last = i == levels - 1
        out += [f"process q{i} {{", "  volume 10 / 年" if i == 0 else "", "  lane a : 窓口"]
        out.append(f"  step s{i} @a {LEAF_MINUTES}分 wait {LEAF_WAIT}分" if last
                   else f"  step s{i} @a 1分")
        if not last:
            out += [f"  use q{i + 1}", f"  use q{i + 1}"]
        out.append("}")
    return "\n".join(line for line in out if line) + "\n"


def unreached(levels: int) -> str:
    """The same diamond behind a branch no case takes (0 %, W011): the uses bring no
    cases, and each used to be inlined anew, still doubling per level."""
    out = []
    for i in range(levels):
        out += [f"process z{i} {{", "  volume 10 / 年" if i == 0 else "", "  lane a : 窓口",
                f"  step s{i} @a 1分"]
        if i < levels - 1:
            out += ["  branch {", f"    0% -> t{i}", "    else -> end", "  }",
                    f"  step t{i} @a 1分", f"  use z{i + 1}", f"  use z{i + 1}"]
        out.append("}")
    return "\n".join(line for line in out if line) + "\n"


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def _analyse_top(path: Path) -> Analysis:
    return analyze_process(*load_file(path))


@pytest.fixture(scope="module")
def diamonds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    """Both 30-level files, analysed first by `bprkit analyze --format json` in a child
    process bounded to 60 s and 2 GiB: an exponential regression fails there, before
    the in-process analysis could take the machine's memory."""
    folder = tmp_path_factory.mktemp("diamond")
    twice = folder / "diamond.bpr"
    twice.write_text(diamond(LEVELS), encoding="utf-8")
    zero = folder / "unreached.bpr"
    zero.write_text(unreached(LEVELS), encoding="utf-8")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bprkit", "analyze", "--format", "json", str(twice),
             str(zero)], capture_output=True, text=True, cwd=ROOT, timeout=60,
            preexec_fn=_limit_memory if sys.platform.startswith("linux") else None)
    except subprocess.TimeoutExpired:
        pytest.fail(f"bprkit analyze of a {LEVELS}-level use diamond took over 60 s")
    assert done.returncode == 0, ("bprkit analyze failed (an expansion that doubles per "
                                  f"level runs out of the 2 GiB cap): {done.stderr[-300:]}")
    return twice, zero, json.loads(done.stdout)


def test_a_30_level_diamond_counts_every_use(diamonds: tuple[Path, Path, dict]) -> None:
    """q{i}'s step runs 2^i times per case of q0 (each level doubles the uses), the
    leaf q29's 2^29 times: staff = Σ_{i<29} 2^i × 1 + 2^29 × 3 = 2^31 − 1 minutes.
    No resident: the lead time is the whole flow, one after another, each run's time
    and wait as often as it runs: staff + 2^29 × 2 minutes of waiting."""
    twice, _, printed = diamonds
    runs_of_leaf = 2 ** (LEVELS - 1)
    staff = sum(2 ** i for i in range(LEVELS - 1)) + runs_of_leaf * LEAF_MINUTES
    assert staff == 2 ** 31 - 1
    waiting = runs_of_leaf * LEAF_WAIT
    a = _analyse_top(twice)
    m = a.metrics
    assert a.graph.combined
    assert len(a.graph.runs) == LEVELS  # one run per process, its cases multiplied
    assert m.staff_minutes_per_case == staff
    assert m.staff_minutes_by_kind["counter"] == staff
    assert m.annual_staff_hours == pytest.approx(10 * staff / 60, rel=1e-12)
    assert m.lead_time_hours == pytest.approx((staff + waiting) / 60, rel=1e-12)
    assert m.waiting_share == pytest.approx(waiting / (staff + waiting), rel=1e-12)
    assert m.back_office_after_hours == 0
    # each level's run, under its first use's id, with its weight in the lead time
    for i in range(LEVELS):
        run_id = "".join(f"q{k}." for k in range(1, i + 1)) + f"s{i}"
        run = a.graph.run(run_id)
        assert run is not None, run_id
        assert run.executions == 2 ** i
        assert a.graph.lead_weights[run_id] == 2 ** i
    # the child process printed the same figures for q0
    top = next(p for p in printed["processes"] if p["id"] == "q0")
    assert top["metrics"]["staff_minutes_per_case"] == pytest.approx(staff, rel=1e-9)
    assert top["metrics"]["lead_time_hours"] == pytest.approx((staff + waiting) / 60,
                                                              rel=1e-6)


def test_uses_no_case_reaches_are_not_inlined_again(
        diamonds: tuple[Path, Path, dict]) -> None:
    """Behind a 0 % branch only s0 runs (1 minute a case). Each used process is still
    analysed once: two runs a level (s and t), not 2^level."""
    _, zero, printed = diamonds
    a = _analyse_top(zero)
    assert a.graph.combined
    assert len(a.graph.runs) == 2 * (LEVELS - 1) + 1
    assert a.metrics.staff_minutes_per_case == 1
    assert a.metrics.lead_time_hours == pytest.approx(1 / 60, rel=1e-12)
    assert sum(r.executions for r in a.graph.runs) == 1
    top = next(p for p in printed["processes"] if p["id"] == "z0")
    assert top["metrics"]["staff_minutes_per_case"] == 1


SMALL = """process top 「上位」 {
  volume 1,200 / 年
  lane 窓口 : 窓口
  lane 書庫 : 保存
  phase 前段 「受付」
  step 受付 @窓口 3分 wait 10分
  phase 後段 「審査・交付」
  use mid
  use mid batch 5
  step 交付 @窓口 [交付] 2分
  step 保管 @書庫 1分
}

process mid 「中間」 {
  lane 審査 : 内部事務
  step 確認 @審査 4分 wait 1時間
  use leaf x 2
  use leaf
}

process leaf 「末端」 {
  lane 係長 : 決裁
  step 決裁 @係長 2分 wait 30分
}
"""


@pytest.mark.parametrize("combine", [False, True], ids=["inlined", "combined"])
def test_a_3_level_diamond_by_hand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   combine: bool) -> None:
    """top uses mid twice (the second `batch 5`: one run for every 5 cases, every case
    waiting for its batch), mid uses leaf three times (`x 2`, then once more). Worked
    out by hand, the same whether each use is inlined or each process analysed once.

    Staff minutes a case: top 3 + 2 + 1; mid 4 + 3 × 2 = 10 for the first use and
    10 / 5 for the batched one: 6 + 10 + 2 = 18 (counter 5, back office 4 × 1.2,
    approval 6 × 1.2, storage 1); 18 × 1,200 / 60 = 360 hours a year.

    Lead time: every case passes each step of both mids (a batch shares the work,
    not the case's time): mid = 4 + 60 + 3 × (2 + 30) = 160 minutes. Before the
    batched mid a case waits (5 − 1)/2 arrivals, an arrival every working year ÷
    1,200 cases. The resident has the outcome at 交付: 13 + 160 + batch + 160 + 2;
    保管 after it is the office's time."""
    if combine:
        monkeypatch.setattr(graph, "COMBINE_ABOVE", 0)
    path = tmp_path / "small.bpr"
    path.write_text(SMALL, encoding="utf-8")
    a = _analyse_top(path)
    assert a.graph.combined is combine
    assumptions = default()
    year = assumptions.value("time.working_days_per_year") * assumptions.hours_per_day * 60
    batch = (5 - 1) / 2 * year / 1200
    mid = 4 + 60 + 3 * (2 + 30)
    mid_wait = 60 + 3 * 30
    lead = 3 + 10 + mid + batch + mid + 2
    waiting = 10 + mid_wait + batch + mid_wait
    m = a.metrics
    assert m.staff_minutes_per_case == pytest.approx(18, rel=1e-12)
    assert m.staff_minutes_by_kind == pytest.approx(
        {"counter": 5, "back_office": 4.8, "approval": 7.2, "storage": 1}, rel=1e-12)
    assert m.annual_staff_hours == pytest.approx(360, rel=1e-12)
    assert m.lead_time_hours == pytest.approx(lead / 60, rel=1e-12)
    assert m.waiting_share == pytest.approx(waiting / lead, rel=1e-12)
    assert m.back_office_after_hours == pytest.approx(1 / 60, rel=1e-12)
    assert a.graph.lead_minutes == pytest.approx(lead + 1, rel=1e-12)
    # lane changes a case: 受付→確認, 確認→決裁 and 決裁→the next lane per mid run
    # (1 + 1/5 each), 交付→保管
    assert m.handoffs == pytest.approx(1 + 2 * (1 + 1 / 5) + 1, rel=1e-12)
    # the leaf's runs: executions 2 + 1 per mid run (1 + 1/5), but each case passes
    # 3 times per mid, so 6 times in the lead time
    leaf = [r for r in a.graph.runs if r.process.id == "leaf"]
    assert sum(r.executions for r in leaf) == pytest.approx(3 * 1.2, rel=1e-12)
    assert sum(a.graph.lead_weights[r.id] for r in leaf) == pytest.approx(6, rel=1e-12)
    assert sum(a.graph.resident_lead_weights[r.id] for r in leaf) == pytest.approx(6)
    assert sum(a.graph.lead_fixed.values()) == pytest.approx(batch, rel=1e-12)
    assert a.graph.resident_fixed_minutes == pytest.approx(batch, rel=1e-12)
    # the phases add up to the lead time; the batch wait is in the second
    phases = {p.id: p for p in a.phases}
    assert phases["前段"].lead_minutes == pytest.approx(13, rel=1e-12)
    assert phases["後段"].lead_minutes == pytest.approx(lead + 1 - 13, rel=1e-12)
    assert phases["後段"].wait_minutes == pytest.approx(waiting - 10, rel=1e-12)
    assert phases["後段"].staff_minutes_per_case == pytest.approx(15, rel=1e-12)
