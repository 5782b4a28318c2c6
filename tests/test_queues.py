"""Counter queues (docs/queues.md): the language, Erlang C, the wait in analyze,
estimate, redesign and the diagram, BPMN, and the 鹿児島市 check in the backtest."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import bprkit
from bprkit.estimate.backtest import cases as backtest
from bprkit.model import Process, Step
from bprkit.text import queue

from .clirunner import run_cli

CASES = Path(backtest.bundled())

FILE = """\
process 転居 「転居届（繁忙期）」 {
  volume 40,000 / year
  lane 住民 「届出人」 : resident
  lane 窓口 「市民課 窓口」 : counter
  step 記入 「届に記入」 @住民 [紙, 手書き] 5..8..12min
  step 受付 「受付・本人確認」 @窓口 [紙, 対面, 突合] 5..8..12min {
    到着 26 件 / 時
    窓口数 9
  }
  step 入力 「異動を入力」 @窓口 [転記] 5..8..10min
  step 交付 「書類を交付」 @窓口 [対面, 交付] 2..3..5min
}
"""

DAY = 7.75 * 60  # the default working day, in minutes


def _erlang_c(c: int, a: float) -> float:
    """Erlang C by the textbook recursion on Erlang B."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return c * b / (c - a * (1 - b))


def _tri(low: float, mode: float, high: float) -> tuple[float, float]:
    mean = (low + mode + high) / 3
    var = (low ** 2 + mode ** 2 + high ** 2 - low * mode - low * high - mode * high) / 18
    return mean, var


def _visit() -> tuple[float, float]:
    """Mean and cs² of 受付 + 入力 + 交付."""
    parts = [_tri(5, 8, 12), _tri(5, 8, 10), _tri(2, 3, 5)]
    mean = sum(m for m, _ in parts)
    return mean, sum(v for _, v in parts) / mean ** 2


def _step(process: Process, step_id: str) -> Step:
    step = process.step(step_id)
    assert step is not None
    return step


def _write(tmp_path: Path, text: str = FILE, name: str = "q.bpr") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ── the formula ──
@settings(max_examples=200, deadline=None)
@given(st.integers(1, 120), st.floats(0.01, 0.999))
def test_erlang_c_equals_the_recursion_for_whole_counters(c: int, rho: float) -> None:
    a = c * rho
    assert float(queue.erlang_c(c, a)) == pytest.approx(_erlang_c(c, a), rel=1e-9, abs=1e-12)


def test_one_counter_is_the_mm1_queue() -> None:
    """λ = 6 an hour, 6 minutes each, exponential (cs² = 1): ρ = 0.6, Wq = ρS/(1 − ρ) = 9."""
    assert float(queue.wait_minutes(6, 1, 6, 1.0, DAY)) == pytest.approx(9.0)
    # a deterministic visit (cs² = 0) waits half as long (Pollaczek–Khinchine)
    assert float(queue.wait_minutes(6, 1, 6, 0.0, DAY)) == pytest.approx(4.5)


@settings(max_examples=100, deadline=None)
@given(st.floats(1, 200), st.floats(1, 60), st.floats(0.5, 120), st.floats(0, 1))
def test_the_inferred_counters_give_back_the_observed_wait(per_hour: float, service: float,
                                                           wait: float, cs2: float) -> None:
    c = queue.counters_for(per_hour, wait, service, cs2, DAY)
    assert c > per_hour / 60 * service  # the queue keeps up
    assert float(queue.wait_minutes(per_hour, c, service, cs2, DAY)) == pytest.approx(
        wait, rel=1e-6)


def test_more_counters_wait_less_and_fractional_counters_lie_between() -> None:
    waits = [float(queue.wait_minutes(26, c, 19.3, 0.05, DAY)) for c in (9, 9.5, 10, 12)]
    assert waits == sorted(waits, reverse=True) and waits[-1] > 0
    assert float(queue.wait_minutes(26, 8, 19.3, 0.05, DAY)) == DAY / 2  # overloaded: capped


# ── the language ──
def test_both_languages_read_the_same_queue(tmp_path: Path) -> None:
    ja = bprkit.load(str(_write(tmp_path))).root.processes[0]
    en = bprkit.load(str(_write(tmp_path, FILE.replace("到着 26 件 / 時", "arrivals 26 / hour")
                                .replace("窓口数 9", "counters 9"), "en.bpr"))).root.processes[0]
    q = _step(ja, "受付").queue
    assert q is not None and (q.rate, q.period, q.counters) == (26, "hour", 9)
    assert _step(en, "受付").queue == q
    per_day = FILE.replace("到着 26 件 / 時", "到着 201.5 件 / 日")
    d = _step(bprkit.load(str(_write(tmp_path, per_day, "d.bpr"))).root.processes[0],
              "受付").queue
    assert d is not None and d.period == "day" and d.per_hour(7.75) == pytest.approx(26)


def test_the_writer_and_fmt_keep_the_queue(tmp_path: Path) -> None:
    from bprkit.text import writer

    process = bprkit.load(str(_write(tmp_path))).root.processes[0]
    for words in (writer.ENGLISH, writer.JAPANESE):
        text = writer.process(process, words=words)
        again = bprkit.load(str(_write(tmp_path, text, "w.bpr"))).root.processes[0]
        assert _step(again, "受付").queue == _step(process, "受付").queue
    assert "arrivals 26 / 時" in writer.process(process, words=writer.JAPANESE)
    messy = _write(tmp_path, FILE.replace("    到着 26 件 / 時", "      到着   26件/時  # 実測"),
                   "messy.bpr")
    result = run_cli("fmt", str(messy))
    assert result.code == 0, result.stderr
    assert "到着 26件 / 時  # 実測" in messy.read_text(encoding="utf-8")


@pytest.mark.parametrize(("body", "code", "line", "col"), [
    ("到着 26 件 / 分\n    窓口数 9", "E074", 7, 15),
    ("到着 0 件 / 時\n    窓口数 9", "E075", 7, 8),
    ("到着 26 件 / 時\n    窓口数 0", "E076", 8, 9),
    ("窓口数 9", "E077", 7, 5),
    ("到着 26 件 / 時", "E078", 7, 5),
    ("到着 26 件 / 時 月曜\n    到着 30 件 / 時 月曜\n    窓口数 9", "E082", 8, 5),
])
def test_a_wrong_queue_is_named_where_it_is(tmp_path: Path, body: str, code: str, line: int,
                                             col: int) -> None:
    text = FILE.replace("到着 26 件 / 時\n    窓口数 9", body)
    path = _write(tmp_path, text)
    result = run_cli("check", str(path), "--lang", "en")
    assert result.code == 1
    assert f"{path}:{line}:{col}: error[{code}]" in result.stdout + result.stderr


def test_a_wait_beside_counters_and_a_queue_without_minutes_are_refused(tmp_path: Path) -> None:
    both = _write(tmp_path, FILE.replace("12min {", "12min wait 30min {"), "both.bpr")
    result = run_cli("check", str(both), "--lang", "ja")
    assert "error" not in result.stdout and "E079" in result.stdout + result.stderr
    assert "窓口数と待ち時間の両方" in result.stdout + result.stderr
    bare = _write(tmp_path, FILE.replace("5..8..12min {", "{"), "bare.bpr")
    assert "E081" in (r := run_cli("check", str(bare))).stdout + r.stderr
    overloaded = _write(tmp_path, FILE.replace("窓口数 9", "窓口数 8"), "over.bpr")
    out = run_cli("check", str(overloaded), "--lang", "en")
    assert out.code == 0 and "warning[W015]" in out.stdout  # warned, and handled:
    assert "at least 9" in out.stdout  # 26/h × 19.3 min = 8.4 erlangs
    run = bprkit.analyze(str(overloaded)).graph.run("受付")
    assert run is not None and run.wait == DAY / 2  # the queue never worked off


def test_one_mistake_in_a_queue_gives_one_message(tmp_path: Path) -> None:
    """A line reported (a wrong period, day or number) leaves the queue out: no second
    message about what the queue then lacks."""
    for wrong, code in (("到着 26 件 / 週", "E074"), ("窓口数 5 つ", "E083"),
                        ("到着 26 件 / 時 土曜", "E083"), ("窓口数 0", "E076")):
        text = FILE.replace("到着 26 件 / 時" if "到着" in wrong else "窓口数 9", wrong)
        result = run_cli("check", str(_write(tmp_path, text, "one.bpr")), "--lang", "en")
        codes = re.findall(r"(?:error|warning)\[(\w+)\]", result.stdout)
        assert codes == [code], (wrong, result.stdout)


def test_an_observed_wait_a_queue_cannot_have_is_refused(tmp_path: Path) -> None:
    for wait, variant in (("2日", "is not one"), ("0分", "has no queue")):
        text = FILE.replace("12min {", f"12min 待ち {wait} {{").replace("    窓口数 9\n", "")
        result = run_cli("check", str(_write(tmp_path, text, "w.bpr")), "--lang", "en")
        assert result.code == 1 and "error[E085]" in result.stdout and variant in result.stdout


# ── analyze, estimate, redesign ──
def test_analyze_takes_the_queues_wait_over_the_whole_visit(tmp_path: Path) -> None:
    analysis = bprkit.analyze(str(_write(tmp_path)))
    run = analysis.graph.run("受付")
    assert run is not None
    s, cs2 = _visit()
    expected = _erlang_c(9, 26 / 60 * s) * s / (9 - 26 / 60 * s) * (1 + cs2) / 2
    assert run.wait == pytest.approx(expected, rel=1e-9)
    assert analysis.metrics.resident.waiting_minutes == pytest.approx(expected, rel=1e-9)


def test_a_lever_that_shortens_the_visit_shortens_the_wait_as_a_queue_does(
        tmp_path: Path) -> None:
    """RPA on 入力 shortens the procedure's visit; the wait falls far more than in
    proportion, and by exactly what the queue gives: the procedure's 40,000 cases a
    year are 21.2 of the 26 arrivals an hour, and the others keep their visit."""
    est = bprkit.estimate_process(str(_write(tmp_path)), levers=["rpa"], samples=2000)
    rows = {s.id: s for s in est.steps}
    before = sum(rows[k].asis_minutes for k in ("受付", "入力", "交付"))
    after = sum(rows[k].tobe_minutes for k in ("受付", "入力", "交付"))
    assert after < before
    s, cs2 = _visit()
    kept = after / before
    own = 40_000 / (243 * 7.75) / 26
    expected = float(queue.wait_minutes(26, 9, s * (1 - own + own * kept), cs2, DAY))
    assert rows["受付"].tobe_wait == pytest.approx(expected, rel=1e-6)
    assert 1 - rows["受付"].tobe_wait / rows["受付"].asis_wait > 2 * (1 - kept)
    # the sampled To-Be waits follow the queue too: the band's middle is near the figure
    assert est.asis_metrics.resident.waiting_minutes == pytest.approx(rows["受付"].asis_wait)


def test_online_application_lowers_the_arrivals_of_the_procedure_only(
        tmp_path: Path) -> None:
    """Online application spares the procedure's cases the visit; the others at the
    counter keep coming: a procedure that brings few of the arrivals moves the wait
    little."""
    est = bprkit.estimate_process(str(_write(tmp_path)), levers=["online"], samples=2000)
    row = next(s for s in est.steps if s.id == "受付")
    assert row.tobe_wait < row.asis_wait
    small = _write(tmp_path, FILE.replace("volume 40,000", "volume 1,000"), "small.bpr")
    few = bprkit.estimate_process(str(small), levers=["online"], samples=2000)
    little = next(s for s in few.steps if s.id == "受付")
    assert little.asis_wait == pytest.approx(row.asis_wait)
    assert 0.8 * little.asis_wait < little.tobe_wait < little.asis_wait


@pytest.mark.parametrize("volume", ["40,000", "60,000"])
def test_an_observed_wait_gives_the_counters_and_the_lever_the_new_wait(
        tmp_path: Path, volume: str) -> None:
    """40,000 cases a year are 21.2 of the 26 arrivals an hour: others share the
    counter, and the To-Be keeps the estimate's wait as its observed wait. 60,000 are
    more than arrive: the procedure is the counter's whole queue, and the To-Be writes
    the counters the observed wait implied. Either way the To-Be waits what the
    estimate says."""
    observed = FILE.replace("12min {", "12min wait 40min {").replace(
        "    窓口数 9\n", "").replace("volume 40,000", f"volume {volume}")
    path = _write(tmp_path, observed)
    analysis = bprkit.analyze(str(path))
    run = analysis.graph.run("受付")
    assert run is not None and run.wait == pytest.approx(40)
    est = bprkit.estimate_process(str(path), levers=["rpa"], samples=2000)
    row = next(s for s in est.steps if s.id == "受付")
    assert row.asis_wait == pytest.approx(40) and 0 < row.tobe_wait < 40 * 0.6
    out = tmp_path / "tobe.bpr"
    result = run_cli("redesign", str(path), "--levers", "rpa", "-o", str(out))
    assert result.code == 0, result.stderr
    assert bprkit.check(str(out)).ok
    tobe = bprkit.load(str(out)).root.processes[0]
    q = _step(tobe, "受付").queue
    assert q is not None and q.rate == 26
    if volume == "60,000":
        s, cs2 = _visit()
        assert q.counters == pytest.approx(queue.counters_for(26, 40, s, cs2, DAY), rel=1e-5)
        assert _step(tobe, "受付").wait is None
    else:
        wait = _step(tobe, "受付").wait
        assert q.counters is None and wait is not None
        assert wait.low == pytest.approx(row.tobe_wait, rel=1e-3)
    tobe_wait = bprkit.analyze(str(out)).graph.run("受付")
    # the To-Be file writes its minutes to three figures: the wait moves with them
    assert tobe_wait is not None and tobe_wait.wait == pytest.approx(row.tobe_wait, rel=0.01)


@pytest.mark.parametrize(("rate", "wait"), [(4, "30分"), (20, "220分"), (26, "120分")])
def test_the_redesigned_queue_checks_and_keeps_the_wait_no_lever_changes(
        tmp_path: Path, rate: int, wait: str) -> None:
    """A To-Be whose levers leave the visit alone waits what the As-Is waited: its
    counters (below 1 at 4 an hour, near capacity at 220 minutes) are written exactly
    enough, and the To-Be checks clean. (e-approval changes nothing at the counter.)"""
    text = FILE.replace("12min {", f"12min 待ち {wait} {{").replace("    窓口数 9\n", "").replace(
        "到着 26 件", f"到着 {rate} 件")
    path, out = _write(tmp_path, text), tmp_path / "tobe.bpr"
    result = run_cli("redesign", str(path), "--levers", "e_approval", "-o", str(out))
    assert result.code == 0, result.stderr
    assert bprkit.check(str(out)).ok
    before = bprkit.analyze(str(path)).graph.run("受付")
    after = bprkit.analyze(str(out)).graph.run("受付")
    assert before is not None and after is not None
    assert after.wait == pytest.approx(before.wait, rel=1e-3)


# ── the diagram and BPMN ──
def test_the_diagram_says_where_the_wait_comes_from(tmp_path: Path) -> None:
    path = _write(tmp_path)
    svg = tmp_path / "q.svg"
    result = run_cli("render", str(path), "-o", str(svg), "--lang", "ja")
    assert result.code == 0, result.stderr
    text = svg.read_text(encoding="utf-8")
    wait = bprkit.analyze(str(path)).graph.run("受付")
    assert wait is not None
    words = "".join(re.sub(r"<[^>]+>", "", text).split())
    assert f"待ち{wait.wait:.2g}分（窓口9・26件/時）" in words
    en = tmp_path / "en.svg"
    assert run_cli("render", str(path), "-o", str(en), "--lang", "en").code == 0
    words = " ".join(re.sub(r"<[^>]+>", " ", en.read_text(encoding="utf-8")).split())
    assert "wait 12 min (9 counters, 26 arrive per hour)" in words


def test_a_bpmn_round_trip_keeps_the_queue(tmp_path: Path) -> None:
    path = _write(tmp_path)
    bpmn, back = tmp_path / "q.bpmn", tmp_path / "back.bpr"
    assert run_cli("export", str(path), "-o", str(bpmn)).code == 0
    assert run_cli("import", str(bpmn), "-o", str(back)).code == 0
    process = bprkit.load(str(back)).root.processes[0]
    assert _step(process, "受付").queue == _step(bprkit.load(str(path)).root.processes[0],
                                              "受付").queue


# ── the 鹿児島市 check ──
def test_kagoshima_main_hall_queue_is_near_the_published_wait() -> None:
    """The queue model of 本庁 58 → 23 min (counters inferred from the 58 minutes, the
    arrivals from the article): its P50 reduction is within 10 points of the published
    60.3 % (2.2 points on 2026-12-07); the 谷山支所's, on assumed arrivals, is shown."""
    paths = [str(CASES / "counter_kagoshima_queue.bpr"),
             str(CASES / "counter_kagoshima_taniyama_queue.bpr")]
    cases, report = backtest.load(paths, bprkit.load_assumptions().levers)
    result = backtest.run(cases, [f.bundle for f in report.files], bprkit.load_assumptions(),
                          samples=4000)
    main, branch = result.results
    assert not main.case.scored and not branch.case.scored
    assert main.case.published == pytest.approx(1 - 23 / 58, abs=1e-3)
    assert abs(main.reduction.p50 - main.case.published) < 0.10, main.reduction
    assert main.inside
    assert np.isfinite(branch.reduction.p50)


# ── days of the week and the season ──
VARIED = FILE.replace("volume 40,000 / year", "volume 40,000 / year within 20 days 40%").replace(
    "    到着 26 件 / 時\n    窓口数 9\n",
    "    到着 20 件 / 時\n    到着 24 件 / 時 月曜\n    到着 28 件 / 時 繁忙期\n"
    "    到着 32 件 / 時 月曜, 繁忙期\n    窓口数 9\n    窓口数 11 繁忙期\n")


def test_days_and_the_season_each_wait_their_own_queue(tmp_path: Path) -> None:
    """The procedure's cases arrive 40 % in the season's 20 working days and 60 % in the
    other 223, within each as the counter's arrivals do by weekday. A case's mean wait
    weights each period's wait by the cases that arrive in it."""
    path = _write(tmp_path, VARIED)
    q = _step(bprkit.load(str(path)).root.processes[0], "受付").queue
    assert q is not None and q.varies and q.peak
    assert q.per_hour(7.75, "mon", True) == 32 and q.per_hour(7.75, "tue", True) == 28
    assert q.per_hour(7.75, "mon", False) == 24 and q.per_hour(7.75, "wed", False) == 20
    assert q.counters_on_day("mon", True) == 11 and q.counters_on_day("mon", False) == 9
    s, cs2 = _visit()
    waited = 0.0
    for peak, share in ((False, 0.6), (True, 0.4)):
        rates = {d: {(True, True): 32, (True, False): 24, (False, True): 28}.get(
            (d == "mon", peak), 20) for d in ("mon", "tue", "wed", "thu", "fri")}
        c = 11 if peak else 9
        for rate in rates.values():
            a = rate / 60 * s
            wait = _erlang_c(c, a) * s / (c - a) * (1 + cs2) / 2
            waited += share * rate / sum(rates.values()) * wait
    total = 1.0
    run = bprkit.analyze(str(path)).graph.run("受付")
    assert run is not None and run.wait == pytest.approx(waited / total, rel=1e-9)
    # the writer writes the lines back, in both languages
    from bprkit.text import writer

    process = bprkit.load(str(path)).root.processes[0]
    for words in (writer.ENGLISH, writer.JAPANESE):
        again = bprkit.load(str(_write(tmp_path, writer.process(process, words=words),
                                       "w.bpr"))).root.processes[0]
        assert _step(again, "受付").queue == q
    assert "arrivals 32 / hour mon, peak" in writer.process(process)


def test_a_busy_monday_the_counters_cannot_serve_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, VARIED.replace("到着 24 件 / 時 月曜", "到着 60 件 / 時 月曜"))
    result = run_cli("check", str(path), "--lang", "en")
    assert result.code == 0
    assert "warning[W015]: step '受付': 9 counters cannot serve 60 cases an hour on mon" in \
        result.stdout


def test_simulate_and_fit_leave_a_queue_its_counters(tmp_path: Path) -> None:
    """A simulated log waits as the queue does (some cases not at all, the mean the
    queue's); fitting it back shows the log's mean wait beside the queue's and writes no
    wait beside the counters (that would be E079); counters the log contradicts are
    named."""
    from bprkit.interop import eventlog, logfit

    path = _write(tmp_path, VARIED)
    process = bprkit.load(str(path)).root.processes[0]
    log = eventlog.read_csv("sim.csv", eventlog.write_csv(
        eventlog.simulate(process, 3000, 5)).encode("utf-8"))
    fit = logfit.fit(process, path.read_text(encoding="utf-8"), log, path=str(path))
    (check,) = fit.queues
    run = bprkit.analyze(str(path)).graph.run("受付")
    assert run is not None and check.model == pytest.approx(run.wait)
    assert check.agrees and check.measured == pytest.approx(run.wait, rel=0.15)
    waits = []
    for events in log.cases.values():
        at = {e.activity: e for e in events}
        start = at["受付・本人確認"].start
        assert start is not None
        waits.append(eventlog.CALENDAR.between(at["届に記入"].end, start))
    assert len(waits) == 3000
    queued = sum(w > 0 for w in waits) / len(waits)  # Erlang C: some cases do not wait
    assert 0.1 < queued < 0.9 and max(waits) > 5 * check.model
    out, csv = tmp_path / "fitted.bpr", tmp_path / "log.csv"
    assert run_cli("simulate", str(path), "-o", str(csv), "--cases", "3000").code == 0
    result = run_cli("fit", str(path), "--log", str(csv), "-o", str(out), "--lang", "en")
    assert result.code == 0, result.stderr
    assert "queue 受付: the log's mean wait" in result.stdout
    fitted = bprkit.load(str(out)).root.processes[0]
    assert _step(fitted, "受付").wait is None and _step(fitted, "受付").queue == _step(
        process, "受付").queue
    more = _write(tmp_path, VARIED.replace("窓口数 9\n", "窓口数 20\n").replace(
        "窓口数 11 繁忙期", "窓口数 22 繁忙期"), "more.bpr")
    result = run_cli("fit", str(more), "--log", str(csv), "--lang", "en")
    assert "check the arrivals and counters" in result.stdout, result.stdout


def test_analyze_names_each_queue_and_its_busiest_day(tmp_path: Path) -> None:
    path = _write(tmp_path, VARIED)
    ja = run_cli("analyze", str(path), "--lang", "ja")
    line = next(x for x in ja.stdout.splitlines() if "待ち行列" in x)
    assert "受付・本人確認: 平均" in line and "窓口 9" in line
    assert "最も混むのは 月曜、繁忙期" in line
    en = run_cli("analyze", str(path), "--lang", "en", "--format", "json")
    (q,) = json.loads(en.stdout)["processes"][0]["queues"]
    assert q["step"] == "受付" and q["counters"] == 9 and not q["counters_inferred"]
    # Mondays in the season load the counters most: 32 an hour × 19.3 min on 11 counters
    assert q["busiest"]["day"] == "mon" and q["busiest"]["peak"]
    assert q["busiest"]["utilisation"] == pytest.approx(32 / 60 * _visit()[0] / 11, abs=1e-3)
    observed = _write(tmp_path, FILE.replace("12min {", "12min wait 40min {").replace(
        "    窓口数 9\n", ""), "o.bpr")
    text = run_cli("analyze", str(observed), "--lang", "en").stdout
    assert "queue           受付・本人確認: 40.0 min observed, 26.0 arrive an hour" in text


def test_arrivals_fewer_than_the_procedures_own_cases_are_named(tmp_path: Path) -> None:
    """The arrivals count everyone at the counter: fewer than this procedure alone
    brings (40,000 cases, all in 20 days: 258 an hour) is a mistake analyze names."""
    path = _write(tmp_path, VARIED.replace("within 20 days 40%", "within 20 days"))
    (q,) = json.loads(run_cli("analyze", str(path), "--format", "json").stdout)[
        "processes"][0]["queues"]
    # a fifth of the season's days each weekday; the cases by the counter's arrivals
    # (32 on Mondays, 28 the other days): 8.96 times the arrivals on every day
    own = q["own_cases_per_hour"]
    assert min(abs(own - 40_000 * r / 144 / (4 * 7.75)) for r in (32, 28)) < 0.01
    text = run_cli("analyze", str(path), "--lang", "en").stdout
    assert "but this procedure alone brings" in text and "check the arrivals" in text
    fine = run_cli("analyze", str(_write(tmp_path, FILE, "fine.bpr")), "--format", "json")
    assert json.loads(fine.stdout)["processes"][0]["queues"][0]["own_cases_per_hour"] is None


# ── any queue check accepts, every command handles ──
_WHEN = st.sampled_from([" 月曜", " 金曜", " 繁忙期", " 月曜, 繁忙期"])
_FIGURE = st.floats(0.1, 200).map(lambda x: round(x, 2))


@settings(max_examples=120, deadline=None)
@given(rate=_FIGURE, arrivals=st.dictionaries(_WHEN, _FIGURE, max_size=3),
       counters=st.none() | st.tuples(_FIGURE, st.dictionaries(_WHEN, _FIGURE, max_size=2)),
       wait=st.sampled_from(["", " 待ち 30分", " 待ち 200分", " 待ち 1分"]),
       per=st.sampled_from(["時", "日"]), season=st.booleans(),
       minutes=st.sampled_from(["5..8..12min", "1min", "30..60..90min"]))
def test_whatever_check_accepts_every_command_handles(
        tmp_path_factory: pytest.TempPathFactory, rate: float, arrivals: dict,
        counters: tuple | None, wait: str, per: str, season: bool, minutes: str) -> None:
    """Random queues: check gives only diagnostics; for a file it accepts, analyze,
    estimate and redesign give finite figures, and the To-Be checks clean too."""
    lines = [f"到着 {rate} 件 / {per}"] + [f"到着 {r} 件 / {per}{w}" for w, r in arrivals.items()]
    if counters is not None:
        lines += [f"窓口数 {counters[0]}"] + [f"窓口数 {c}{w}" for w, c in counters[1].items()]
        wait = ""  # counters give the wait (a wait beside them is E079, tested above)
    text = FILE.replace("volume 40,000 / year",
                        "volume 4,000 / year" + (" within 20 days 50%" if season else "")) \
        .replace("5..8..12min {", f"{minutes}{wait} {{").replace(
            "    到着 26 件 / 時\n    窓口数 9\n", "".join(f"    {x}\n" for x in lines))
    folder = tmp_path_factory.mktemp("q")
    path = _write(folder, text)
    report = bprkit.check(str(path))
    for d in report.diagnostics:
        d.render("ja")
        d.render("en")
    event("checked" if report.ok else "refused")
    if not report.ok:
        return
    analysis = bprkit.analyze(str(path))
    assert all(np.isfinite(r.wait) and 0 <= r.wait <= DAY for r in analysis.graph.runs)
    est = bprkit.estimate_process(str(path), samples=200)
    assert all(np.isfinite(s.tobe_wait) and s.tobe_wait >= 0 for s in est.steps)
    out = folder / "tobe.bpr"
    out.write_text(bprkit.redesign_source(str(path), output=str(out)), encoding="utf-8")
    tobe = bprkit.check(str(out))
    assert tobe.ok, [d.render("en") for d in tobe.diagnostics]


# ── found on a code review ──
def test_a_batched_step_is_no_part_of_the_visit(tmp_path: Path) -> None:
    text = FILE.replace("step 交付 「書類を交付」 @窓口 [対面, 交付] 2..3..5min",
                        "step 整理 「まとめて整理」 @窓口 30..60..90min { まとめて 月 }")
    run = bprkit.analyze(str(_write(tmp_path, text))).graph.run("受付")
    s = _tri(5, 8, 12)[0] + _tri(5, 8, 10)[0]  # 受付 → 入力; the month's 整理 is not
    assert run is not None
    (q,) = json.loads(run_cli("analyze", str(tmp_path / "q.bpr"), "--format", "json")
                      .stdout)["processes"][0]["queues"]
    assert q["visit_minutes"] == pytest.approx(s, abs=1e-3) and run.wait < DAY / 2


def test_an_observed_wait_is_kept_when_one_day_is_busier(tmp_path: Path) -> None:
    """A 150-minute wait at 10 an hour, 30 on Mondays: the counters it implies are fewer
    than Monday needs (Monday's queue grows all day), and the mean is still 150; a lever
    that changes nothing at the counter leaves it at 150."""
    text = FILE.replace("12min {", "12min 待ち 150分 {").replace(
        "    到着 26 件 / 時\n    窓口数 9\n", "    到着 10 件 / 時\n    到着 30 件 / 時 月曜\n")
    path = _write(tmp_path, text)
    assert bprkit.check(str(path)).ok
    row = next(s for s in bprkit.estimate_process(str(path), levers=["e_approval"],
                                                  samples=500).steps if s.id == "受付")
    assert row.asis_wait == pytest.approx(150) and row.tobe_wait == pytest.approx(150)


def test_a_working_day_other_than_the_default_moves_only_what_the_levers_move(
        tmp_path: Path) -> None:
    """With 6-hour days the half-day cap is 180 minutes: an observed 200 cannot be had by
    the formula, yet a lever that changes nothing at the counter leaves it at 200."""
    path = _write(tmp_path, FILE.replace("12min {", "12min 待ち 200分 {").replace(
        "    窓口数 9\n", ""))
    six = tmp_path / "six.toml"
    six.write_text('[time.hours_per_day]\nvalue = 6\nsource = "assumption: a test"\n',
                   encoding="utf-8")
    est = bprkit.estimate_process(str(path), levers=["e_approval"], samples=500,
                                  assumptions=str(six))
    row = next(s for s in est.steps if s.id == "受付")
    assert row.asis_wait == pytest.approx(200) and row.tobe_wait == pytest.approx(200)


def test_the_overload_warning_underlines_the_line_that_holds(tmp_path: Path) -> None:
    text = VARIED.replace("    窓口数 11 繁忙期\n", "    窓口数 11 繁忙期\n    窓口数 6 月曜\n"
                          "    窓口数 1 月曜, 繁忙期\n")
    result = run_cli("check", str(_write(tmp_path, text)), "--lang", "en")
    line = next(x for x in result.stdout.splitlines() if "warning[W015]" in x)
    assert ":14:5:" in line and "1 counters" in line and "on mon, peak" in line


def test_the_docs_show_what_analyze_prints() -> None:
    """docs/queues.md's analyze lines are today's output: its days-and-season example
    (tests/fixtures/queues/days.bpr) and the 鹿児島市 本庁 case."""
    from .conftest import ROOT

    doc = (ROOT / "docs" / "queues.md").read_text(encoding="utf-8")
    for path, lang in ((ROOT / "tests" / "fixtures" / "queues" / "days.bpr", "ja"),
                       (CASES / "counter_kagoshima_queue.bpr", "en")):
        out = run_cli("analyze", str(path), "--lang", lang).stdout
        line = next(x.strip() for x in out.splitlines() if x.strip().startswith(
            ("待ち行列", "queue ")))
        assert line in doc, line


def test_a_one_character_mistake_gets_no_guess(tmp_path: Path) -> None:
    """「/ 週」 for a rate: no did-you-mean (every one-character word was one character
    off it, so 'h' was offered)."""
    out = run_cli("check", str(_write(tmp_path, FILE.replace("件 / 時", "件 / 週"))))
    assert "E074" in out.stdout and "誤りではありませんか" not in out.stdout
