"""Figures computed by hand for small processes, asserted exactly."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

import bprkit
from bprkit.analysis.graph import ExpandedGraph
from bprkit.analysis.records import Analysis, analyze_process
from bprkit.assumptions.catalog import default
from bprkit.model import WHOSE, Bundle, Process
from bprkit.text.loader import check_files

from .clirunner import run_cli
from .conftest import CORPUS, PROCESSES, load_text

A = default()
TRAVEL = (20 + 30 + 60) / 3
HPD = 7.75


def analyse(tmp_path: Path, text: str, name: str = "t.bpr") -> Analysis:
    """The analysis of the last process of ``text`` (the one that uses the others)."""
    return analyze_process(*load_text(tmp_path, text, name, index=-1))


def execs(a: Analysis) -> dict[str, float]:
    return {s.id: s.executions for s in a.steps}


def test_rework_loop_of_20_percent(tmp_path: Path) -> None:
    a = analyse(tmp_path, """process p {
  volume 1,000 / year
  lane 窓口 : counter
  step a @窓口 10min
  step b @窓口 5min
  branch {
    20% -> a
    else -> c
  }
  step c @窓口 2min
}""")
    assert execs(a) == pytest.approx({"a": 1.25, "b": 1.25, "c": 1.0}, rel=1e-12)
    m = a.metrics
    assert m.staff_minutes_per_case == pytest.approx(1.25 * 15 + 2, rel=1e-12)
    assert m.lead_time_hours == pytest.approx((1.25 * 15 + 2) / 60, rel=1e-12)
    assert m.annual_staff_hours == pytest.approx(1000 * 20.75 / 60, rel=1e-12)
    assert m.fte == pytest.approx(1000 * 20.75 / 60 / 1920, rel=1e-12)
    assert m.annual_cost_yen == pytest.approx(1000 * 20.75 / 60 * (2600 + 3300 + 4500) / 3)
    rework = [f for f in a.findings if f.rule == "rework"]
    assert [(f.step, f.args["share"]) for f in rework] == [("b", "20")]


def test_nested_loops_compose(tmp_path: Path) -> None:
    a = analyse(tmp_path, """process p {
  lane 事務 : back_office
  step a @事務 1min
  step b @事務 1min
  branch {
    50% -> b
    else -> c
  }
  step c @事務 1min
  branch {
    20% -> a
    else -> d
  }
  step d @事務 1min
}""")
    # x_a = 1 + 0.2·x_c; x_b = x_a + 0.5·x_b; x_c = 0.5·x_b  ⇒  x_a = 1.25, x_b = 2.5
    assert execs(a) == pytest.approx({"a": 1.25, "b": 2.5, "c": 1.25, "d": 1.0}, rel=1e-12)


def test_parallel_block_takes_its_longest_path(tmp_path: Path) -> None:
    a = analyse(tmp_path, """process p {
  lane 事務 : back_office
  lane 県 : external
  step a @事務 10min
  parallel {
    path { step p1 @県 30min wait 60min }
    path { step q1 @事務 20min; step q2 @事務 20min }
  }
  step b @事務 5min
}""")
    assert execs(a) == pytest.approx({"a": 1, "p1": 1, "q1": 1, "q2": 1, "b": 1})
    assert a.metrics.staff_minutes_per_case == pytest.approx(10 + 40 + 5)  # external is free
    assert a.metrics.lead_time_hours * 60 == pytest.approx(10 + max(30 + 60, 40) + 5)
    assert a.metrics.lead_time_days == pytest.approx(105 / (HPD * 60))


def test_use_times_two_inlines_qualified_steps(tmp_path: Path) -> None:
    a = analyse(tmp_path, """process sub {
  lane 係長 : approval
  step s1 @係長 10min wait 30min
}
process p {
  lane 事務 : back_office
  step a @事務 5min
  use sub x 2
  step b @事務 5min
}""")
    assert execs(a) == pytest.approx({"a": 1, "sub.s1": 2, "b": 1})
    assert a.metrics.staff_minutes_per_case == pytest.approx(5 + 2 * 10 + 5)
    assert a.metrics.staff_minutes_by_kind["approval"] == pytest.approx(20)
    assert a.metrics.lead_time_hours * 60 == pytest.approx(5 + 2 * 40 + 5)


def test_second_use_of_the_same_process_gets_its_own_ids(tmp_path: Path) -> None:
    a = analyse(tmp_path, """process sub {
  lane 係長 : approval
  step s1 @係長 1min
}
process p {
  lane 事務 : back_office
  use sub
  step a @事務 1min
  use sub
}""")
    assert list(execs(a)) == ["sub.s1", "a", "sub[2].s1"]


def test_ranges_use_their_expected_value(tmp_path: Path) -> None:
    a = analyse(tmp_path, """process p {
  lane 事務 : back_office
  step u @事務 3..5min
  step t @事務 2..3..7min wait 1..2..3h
}""")
    minutes = {s.id: s.minutes for s in a.steps}
    assert minutes == pytest.approx({"u": 4.0, "t": 4.0})
    assert a.steps[1].wait == pytest.approx(120)


def test_process_without_volume_has_null_annual_figures(tmp_path: Path) -> None:
    a = analyse(tmp_path, "process p {\n  lane 事務 : back_office\n  step a @事務 3min\n}\n")
    m = a.to_dict()["metrics"]
    assert m["annual_staff_hours"] is None and m["fte"] is None and m["annual_cost_yen"] is None
    assert all(s["annual_hours"] is None for s in a.to_dict()["steps"])
    json.dumps(a.to_dict(), allow_nan=False)


def test_resident_time_visits_and_burden(tmp_path: Path) -> None:
    a = analyse(tmp_path, """process p {
  volume 100 / month
  lane 住民 : resident
  lane 窓口 : counter
  lane 係 : back_office
  data 氏名 : held
  data 理由
  step 記入 @住民 [handwritten, in_person] 6min wait 15min { writes 氏名, 理由 }
  step 受付 @窓口 [in_person] 3min
  step 入力 @係 4min
  step 交付 @窓口 [in_person] 1min wait 10min
  branch {
    10% -> 再来庁
    else -> end
  }
  step 再来庁 @住民 [in_person] 5min wait 3d -> 受付
}""")
    m = a.metrics
    # the resident waits at the counter while 入力 runs: one visit, plus a return in 10 %
    assert m.resident.visits == pytest.approx(1 + 0.1 / 0.9)
    assert m.resident.counters == 1
    assert m.resident.items_handwritten == pytest.approx(2)
    waiting = 15 + (10 / 0.9)  # queues only; the 3-day wait is time at home
    assert m.resident.waiting_minutes == pytest.approx(waiting)
    resident_hands_on = 6 + 5 * 0.1 / 0.9
    assert m.resident_minutes_per_case == pytest.approx(
        resident_hands_on + m.resident.visits * TRAVEL + waiting)
    assert m.cases_per_year == 1200


def test_handoffs_approval_depth_counts_and_digital_rate(tmp_path: Path) -> None:
    a = analyse(tmp_path, """process p {
  lane 担当 : back_office
  lane 係長 : approval
  lane 課長 : approval
  step 起案 @担当 [paper, print] 10min
  step 係長 @係長 [paper, seal] 2min
  step 課長 @課長 [paper, seal] 2min
  step 通知 @担当 [auto] 1min
}""")
    m = a.metrics
    assert m.handoffs == pytest.approx(3)
    assert m.approval_depth == 2
    assert (m.counts.paper, m.counts.seal, m.counts.in_person) == (3, 2, 0)
    assert m.digital_completion_rate == pytest.approx(1 / 4)


def test_examples_flag_what_an_analyst_expects() -> None:
    jumin = bprkit.analyze(str(CORPUS / "juminhyo.bpr"))
    rules = {f.rule for f in jumin.findings}
    assert {"seal", "paper", "in_person", "handwritten", "once_only"} <= rules
    seal = next(f for f in jumin.findings if f.rule == "seal")
    assert (seal.step, seal.span.line) == ("認証", 35)
    tennyu = bprkit.analyze(str(CORPUS / "tennyu.bpr"))
    rules = {f.rule for f in tennyu.findings}
    assert {"one_stop", "once_only"} <= rules
    assert tennyu.metrics.resident.counters == 3


def test_findings_are_sorted_by_hours_at_stake() -> None:
    a = bprkit.analyze(str(PROCESSES / "tenshutsu.bpr"))
    hours = [f.annual_hours or 0 for f in a.findings]
    assert hours == sorted(hours, reverse=True)


def test_every_process_analyses_without_nan() -> None:
    r = run_cli("analyze", "--format", "json", "processes", str(CORPUS))
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)  # allow_nan=False in the CLI: a NaN would have failed
    files = [*PROCESSES.rglob("*.bpr"), *CORPUS.rglob("*.bpr")]
    expected = sum(len(bprkit.load(str(f)).root.processes) for f in files)
    assert len(doc["processes"]) == expected
    for p in doc["processes"]:
        assert set(p) == {"id", "label", "metrics", "phases", "steps", "findings",
                          "findings_by_step", "queues"}
        for value in p["metrics"].values():
            assert value is None or isinstance(value, (dict, int, str)) or math.isfinite(value)
        assert p["metrics"]["lead_ends_at"] in ("outcome", "end")
        for f in p["findings"]:
            assert {"code", "rule", "principle", "step", "file", "line", "levers",
                    "annual_hours", "message"} <= set(f)
        for e in p["findings_by_step"]:
            assert e["annual_hours"] is None or math.isfinite(e["annual_hours"])
        assert sum(len(e["findings"]) for e in p["findings_by_step"]) == len(p["findings"])


def test_to_frame_imports_pandas_only_when_called() -> None:
    code = ("import sys, bprkit\n"
            "a = bprkit.analyze('processes/tenshutsu.bpr')\n"
            "assert 'pandas' not in sys.modules\n"
            "df = a.to_frame()\n"
            "print(list(df.columns)[:4], df.loc['記入', 'executions'])\n")
    import subprocess

    from .conftest import ROOT
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert "['label', 'lane', 'kind', 'executions'] 1.1111" in r.stdout


def test_analyze_names_an_unknown_process() -> None:
    with pytest.raises(ValueError, match="processes: 転出届"):
        bprkit.analyze(str(PROCESSES / "tenshutsu.bpr"), process="nope")


def _grouped_processes() -> list[Analysis]:
    from bprkit.text.loader import find_files

    out = []
    for path in find_files([str(PROCESSES), str(CORPUS)]):
        report = check_files([path])
        bundle = report.files[0].bundle
        out += [analyze_process(p, bundle) for p in bundle.root.processes]
    return out


def test_grouped_entries_add_up() -> None:
    for a in _grouped_processes():
        entries = a.findings_by_step()
        hours = {s.id: s.annual_hours for s in a.steps}
        whose = {s.id: WHOSE.get(s.kind or "") for s in a.steps}
        # every finding is in exactly one entry
        grouped = [f for e in entries for f in e.findings]
        assert sorted(map(id, grouped)) == sorted(map(id, a.findings)), a.id
        steps = [e.step for e in entries if e.scope == "step"]
        assert len(steps) == len(set(steps)), a.id  # each step appears once
        assert set(steps) == {f.step for f in a.findings if f.scope == "step"}
        for e in entries:
            if e.scope == "step":
                assert {f.step for f in e.findings} == {e.step}
                # the step's hours, not a sum of its duplicates, in the column of whose
                # they are (staff hours rank; resident and external stand beside)
                expected = hours[e.step]
                if expected is None:
                    assert e.annual_hours is None and e.hours is None
                else:
                    columns = {"staff": 0.0, "resident": 0.0, "external": 0.0}
                    if whose[e.step]:
                        columns[whose[e.step]] = expected
                    assert e.hours is not None and e.hours.to_dict() == pytest.approx(
                        columns, abs=1e-3), (a.id, e.step)
                    assert e.annual_hours == pytest.approx(columns["staff"])
                assert e.annual_hours == max((f.annual_hours for f in e.findings),
                                             key=lambda h: h or 0)
            else:
                assert len(e.findings) == 1 and e.findings[0].scope == "process"
                assert e.annual_hours == e.findings[0].annual_hours
            levers = [lever for f in e.findings for lever in f.levers]
            assert set(e.levers) == set(levers) and len(e.levers) == len(set(levers))
        ranked = [e.hours.rank() if e.hours else (0.0, 0.0, 0.0) for e in entries]
        assert ranked == sorted(ranked, reverse=True), a.id


def test_grouping_a_step_with_four_issues(tmp_path: Path) -> None:
    a = analyse(tmp_path, """process p {
  volume 600 / year
  lane 住民 : resident
  lane 窓口 : counter
  lane 係 : back_office
  lane 係長 : approval
  lane 課長 : approval
  lane 部長 : approval
  data 氏名 : held
  step 記入 @住民 [paper, handwritten, in_person] 10min { writes 氏名 }
  step 受付 @窓口 [in_person, check] 5min
  step 起案 @係 [print] 3min
  step a @係長 [seal] 1min
  step b @課長 [seal] 1min
  step c @部長 [seal] 1min
}""")
    entries = a.findings_by_step()
    # ranked by staff hours: the resident's writing (100 resident hours, 0 staff) comes
    # after every step that takes staff time, its hours said as the resident's
    first = next(e for e in entries if e.step == "記入")
    assert first.codes == ("F103", "F201", "F101", "F104")  # high first, then by code
    assert first.annual_hours == 0.0
    assert first.hours is not None and first.hours.resident == pytest.approx(600 * 10 / 60)
    assert "住民 100 時間" in first.lines("ja")[0] and "職員 年 0 時間" in first.lines("ja")[0]
    assert first.severity == "high"
    # only the levers the engine applies to a resident writing at the counter
    assert first.levers == ("online", "no_writing_counter")
    chain = next(e for e in entries if e.codes == ("F203",))
    assert chain.scope == "process" and chain.annual_hours == pytest.approx(600 * 3 / 60)
    assert [e.step for e in entries if e.scope == "step"] == ["受付", "起案", "a", "b", "c",
                                                              "記入"]
    d = next(x for x in a.to_dict("ja")["findings_by_step"] if x["step"] == "記入")
    assert d["rank"] == 7 and d["codes"] == ["F103", "F201", "F101", "F104"]
    assert d["hours"] == {"staff": 0.0, "resident": 100.0, "external": 0.0}
    assert d["title"] == "対面、ワンスオンリー違反、紙、手書き"


def test_phases_add_up_to_the_lead_time_and_the_staff_time() -> None:
    """Per phase: staff minutes and lead minutes; the phases of kaigo_nintei cover
    every step, so they add up to the process's figures."""
    a = bprkit.analyze(str(PROCESSES / "kaigo_nintei.bpr"))
    assert [ph.id for ph in a.phases] == ["受付", "調査", "判定", "通知"]
    assert sum(ph.lead_minutes for ph in a.phases) == pytest.approx(a.graph.lead_minutes)
    assert sum(ph.staff_minutes_per_case for ph in a.phases) == \
        pytest.approx(a.metrics.staff_minutes_per_case)
    assert sum(ph.steps for ph in a.phases) == len(a.graph.runs)
    survey = next(ph for ph in a.phases if ph.id == "調査")
    assert survey.wait_minutes > 0 and survey.lead_minutes >= survey.wait_minutes
    assert a.to_dict()["phases"][0]["title"] == "受付"


def test_phase_lines_in_both_languages_and_the_writer(tmp_path) -> None:
    from bprkit.text import writer

    text = ("process p 「手続」 {\n  volume 10 / 年\n  lane 窓口 : 窓口\n  フェーズ 受付\n"
            "  step a @窓口 3分\n  段階 審査 「審査・決裁」\n  parallel {\n"
            "    path { step b @窓口 1分 }\n    path { step c @窓口 2分 }\n  }\n"
            "  phase 保存\n  step d @窓口 1分\n}\n")
    path = tmp_path / "p.bpr"
    path.write_text(text, encoding="utf-8")
    process = bprkit.load(str(path)).root.processes[0]
    assert [(ph.id, ph.first) for ph in process.phases] == [("受付", "a"), ("審査", "b"),
                                                            ("保存", "d")]
    assert process.phase_of_steps()["c"].title == "審査・決裁"
    again = tmp_path / "q.bpr"
    again.write_text(writer.write(bprkit.load(str(path)).root), encoding="utf-8")
    reread = bprkit.load(str(again)).root.processes[0]
    assert reread.phases == process.phases and reread.flow == process.flow


def test_a_season_gives_the_peak_staff(tmp_path) -> None:
    from bprkit.text import writer

    text = ("process p 「申告」 {\n  volume 8,000 / 年 集中 20 日\n  lane a : 窓口\n"
            "  step s @a 15分\n}\n")
    path = tmp_path / "s.bpr"
    path.write_text(text, encoding="utf-8")
    a = bprkit.analyze(str(path))
    assert a.metrics.peak_cases_per_day == 400
    assert a.metrics.peak_staff == pytest.approx(400 * 15 / 60 / 7.75)
    assert a.metrics.fte == pytest.approx(8000 * 15 / 60 / 1920)  # the yearly figure unchanged
    again = tmp_path / "w.bpr"
    again.write_text(writer.write(bprkit.load(str(path)).root), encoding="utf-8")
    assert "within 20 days" in again.read_text(encoding="utf-8")
    assert bprkit.load(str(again)).root.processes[0].volume.season_days == 20
    assert bprkit.analyze(str(PROCESSES / "shikenmin_zei.bpr")).metrics.peak_staff > 1


KESSAI = PROCESSES / "common" / "kessai.bpr"
PHASED_USE = """import "kessai.bpr"

process 補助金 「補助金の交付決定」 {
  volume 1,200 / 年
  lane 申請者 : 住民
  lane 担当 : 内部事務

  phase 受付 「受付」
  step 申請 @申請者 [紙] 20分
  step 審査 @担当 [紙] 30分 wait 2日

  phase 決裁 「決裁」
  use 課長決裁

  phase 通知 「通知」
  step 通知 @担当 [紙, 通知] 10分
}
"""


def test_a_phase_that_starts_with_a_use_holds_the_used_steps(tmp_path: Path) -> None:
    """phase 決裁 then use 課長決裁: no W013, and the phase holds the approval's three
    steps. By hand (common/kessai.bpr): 起案 (10+15+30)/3 = 18.33 min and 係長審査
    (3+5+10)/3 = 6 min run 1/0.92 times (8 % sent back), 課長審査 (3+5)/2 = 4 min once:
    staff 24.33/0.92 + 4 = 30.449 min; waits 0.5 d × 465 min / 0.92 + 1 d = 717.72 min."""
    import shutil

    from bprkit.render import drawing as render

    shutil.copy(KESSAI, tmp_path / "kessai.bpr")
    path = tmp_path / "f.bpr"
    path.write_text(PHASED_USE, encoding="utf-8")
    report = check_files([str(path)])
    assert report.ok and "W013" not in [d.code for d in report.diagnostics]
    bundle = report.files[0].bundle
    process = bundle.root.processes[0]
    assert [(ph.id, ph.first, ph.start) for ph in process.phases] == [
        ("受付", "申請", 0), ("決裁", None, 2), ("通知", "通知", 3)]
    a = analyze_process(process, bundle)
    phases = {ph.id: ph for ph in a.phases}
    staff = (55 / 3 + 6) / 0.92 + 4
    waits = 0.5 * HPD * 60 / 0.92 + HPD * 60
    assert phases["決裁"].steps == 3
    assert phases["決裁"].staff_minutes_per_case == pytest.approx(staff)
    assert phases["決裁"].wait_minutes == pytest.approx(waits)
    assert phases["決裁"].lead_minutes == pytest.approx(waits + staff)
    assert phases["決裁"].annual_staff_hours == pytest.approx(staff * 1200 / 60)
    # the phase before keeps only its own steps (審査 is the only staff step: 30 min)
    assert phases["受付"].steps == 2 and phases["受付"].staff_minutes_per_case == 30
    assert phases["受付"].wait_minutes == pytest.approx(2 * HPD * 60)
    assert phases["通知"].steps == 1 and phases["通知"].staff_minutes_per_case == 10
    assert sum(ph.staff_minutes_per_case for ph in a.phases) == \
        pytest.approx(a.metrics.staff_minutes_per_case)
    # the diagram's band of 決裁 covers the box of the used process
    page = render.diagram(a, bundle, render.Options(lang="ja")).pages[0]
    bands = {title: (u0, u1) for title, u0, u1 in page.geometry.phases}
    (use,) = [k for b in page.scene.blocks for k, n in b.nodes.items() if n.kind == "use"]
    assert page.scene.blocks[0].nodes[use].phase == "決裁"
    assert bands["決裁"][0] < page.geometry.centre[use][0] < bands["決裁"][1]
    # a phase that starts with a parallel block of uses holds them too; writing and
    # reading the file back keeps where each phase starts
    from bprkit.text import writer

    text = PHASED_USE.replace("  use 課長決裁\n", "  parallel {\n    path { use 課長決裁 }\n"
                              "    path { use 部長決裁 }\n  }\n")
    path.write_text(text, encoding="utf-8")
    report = check_files([str(path)])
    assert report.ok and "W013" not in [d.code for d in report.diagnostics]
    bundle = report.files[0].bundle
    a = analyze_process(bundle.root.processes[0], bundle)
    assert {ph.id: ph.steps for ph in a.phases} == {"受付": 2, "決裁": 3 + 5, "通知": 1}
    again = bprkit.parse(writer.write(bundle.root), path=str(path))
    assert again.processes[0].phases == bundle.root.processes[0].phases


def test_a_season_with_a_share_of_the_cases(tmp_path: Path) -> None:
    """volume 8,000 / 年 集中 15 日 60%: 60 % of the cases arrive in 15 working days.
    By hand: 8,000 × 0.6 / 15 = 320 cases a day, 320 × 15 min / 60 / 7.75 h = 10.32
    staff on those days; without the share 8,000 / 15 = 533.3 and 17.20 staff."""
    from bprkit.render import drawing as render

    text = ("process p 「申告」 {\n  volume 8,000 / 年 集中 15 日 60%\n  lane a : 窓口\n"
            "  step s @a 15分\n}\n")
    a = analyse(tmp_path, text)
    assert a.process.volume.season_days == 15 and a.process.volume.season_share == 0.6
    assert a.metrics.peak_cases_per_day == pytest.approx(320)
    assert a.metrics.peak_staff == pytest.approx(320 * 15 / 60 / HPD)
    assert a.metrics.fte == pytest.approx(8000 * 15 / 60 / 1920)  # the yearly figure unchanged
    whole = analyse(tmp_path, text.replace(" 60%", ""), "w.bpr")
    assert whole.process.volume.season_share == 1.0
    assert whole.metrics.peak_staff == pytest.approx(8000 / 15 * 15 / 60 / HPD)
    assert a.to_dict()["metrics"]["season_share"] == 0.6
    assert a.to_dict()["metrics"]["season_days"] == 15
    assert whole.to_dict()["metrics"]["season_share"] == 1.0
    assert analyse(tmp_path, text.replace(" 集中 15 日 60%", ""), "n.bpr").to_dict()[
        "metrics"]["season_share"] is None
    # the diagram's title block says the season
    ja = render.diagram(a, None, render.Options(lang="ja")).pages[0].scene.facts
    en = render.diagram(a, None, render.Options(lang="en")).pages[0].scene.facts
    # the title block writes the season as the file does, so what a reader copies checks
    assert "集中 15 日 60%" in ja and "within 15 days 60%" in en
    # the text says it too
    path = tmp_path / "t.bpr"
    out = run_cli("analyze", str(path), "--lang", "ja").stdout
    assert "15 営業日に件数の 60%: 1 営業日 320 件、その日に職員 10.3 人" in out
    out = run_cli("analyze", str(path), "--lang", "en").stdout
    assert "60% of the cases within 15 working days: 320 cases a working day, 10.3 staff" \
        in out


@pytest.mark.parametrize("share", ["0%", "120%", "100.5 ％"])
def test_a_season_share_outside_0_to_100_is_e054(tmp_path: Path, share: str) -> None:
    path = tmp_path / "s.bpr"
    path.write_text("process p {\n  volume 8,000 / year within 15 days " + share + "\n"
                    "  lane a : counter\n  step s @a 1min\n}\n", encoding="utf-8")
    report = check_files([str(path)])
    (d,) = [d for d in report.diagnostics if d.is_error]
    assert d.code == "E054" and (d.span.line, d.span.column) == (2, 38)
    assert "more than 0% and at most 100%" in d.message("en")
    assert "0% より大きく 100% 以下" in d.message("ja")
    r = run_cli("check", str(path), "--lang", "ja")
    assert r.returncode == 1 and "E054" in r.stdout


def _resident_by_second_expansion(
        process: Process, bundle: Bundle | None,
        times: dict[str, tuple[float, float]] | None = None
) -> tuple[ExpandedGraph, tuple[float, float, float, dict[str, float]]] | None:
    """The resident's lead figures as expand computed them before issue 23: a second
    whole expansion cut at the outcome (the reference for the lead-only walk)."""
    from bprkit.analysis import graph as graph_module

    out = graph_module.expand(process, bundle, A, times=times)
    stop = graph_module.outcome_order(out)
    if stop is None or stop >= len(out.runs) - 1:
        return None
    again = graph_module._Expander(bundle, A, times, cutoff=stop, combine=out.combined)
    if process.volume is not None and process.volume.count > 0:
        again.cases_per_year = process.volume.per_year(working_days=again.working_days)
        again.season = graph_module._season(process, again.working_days)
    lead, waited, weights = again.expand(graph_module.ExpandedGraph(process), process, "",
                                         1.0, ())
    fixed = 0.0
    lead_weights: dict[str, float] = {}
    for index, weight, minutes in weights:
        if index is None:
            fixed += weight * minutes
        else:
            run_id = out.runs[index].id
            lead_weights[run_id] = lead_weights.get(run_id, 0.0) + weight
    return out, (lead, waited, fixed, lead_weights)


def _every_process() -> list[tuple[Bundle, Process]]:
    """Every process of processes/ and the corpus that checks, with its bundle."""
    out = []
    for path in sorted(PROCESSES.rglob("*.bpr")) + sorted(CORPUS.rglob("*.bpr")):
        report = check_files([str(path)])
        bundle = report.files[0].bundle
        if report.ok and bundle is not None:
            out += [(bundle, process) for process in bundle.root.processes]
    return out


@pytest.mark.parametrize("combine", [False, True])
def test_resident_lead_in_one_expansion(combine: bool, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    """expand walks the flow a second time for the resident's lead only (no runs, nodes
    or edges made again, the first walk's plans reused): its figures are exactly those
    of a second whole expansion, combined or not, with the estimate's times or not."""
    from bprkit.analysis import graph as graph_module

    if combine:
        monkeypatch.setattr(graph_module, "COMBINE_ABOVE", 0)
    compared = 0
    for bundle, process in _every_process():
        plain = graph_module.expand(process, bundle, A)
        times = {r.id: (r.minutes * 0.5, r.wait * 0.25 + r.batch_wait) for r in plain.runs}
        for t in (None, times):
            reference = _resident_by_second_expansion(process, bundle, t)
            if reference is None:
                continue
            out, (lead, waited, fixed, weights) = reference
            assert out.combined is combine
            assert (out.resident_lead_minutes, out.resident_wait_minutes,
                    out.resident_fixed_minutes) == (lead, waited, fixed), process.id
            assert out.resident_lead_weights == weights, process.id
            compared += 1
    assert compared >= 10


def test_retimed_equals_a_new_expansion_with_the_times() -> None:
    """The estimate's To-Be graph is the As-Is graph retimed (graph.retimed: the runs'
    times replaced, the lead figures walked again): every figure equals a whole new
    expansion with the same times, on processes/ and the corpus."""
    from bprkit.analysis import graph as graph_module

    compared = 0
    for bundle, process in _every_process():
        asis = graph_module.expand(process, bundle, A)
        times = {r.id: (r.minutes * (0.3 + (k % 3) * 0.4), r.wait * 0.25 + r.batch_wait)
                 for k, r in enumerate(asis.runs)}
        want = graph_module.expand(process, bundle, A, times=times)
        got = graph_module.retimed(asis, bundle, A, times)
        assert got.runs == want.runs, process.id
        for name in ("lead_minutes", "wait_minutes", "resident_lead_minutes",
                     "resident_wait_minutes", "resident_fixed_minutes", "lead_weights",
                     "resident_lead_weights", "lead_fixed", "combined"):
            assert getattr(got, name) == getattr(want, name), (process.id, name)
        assert sorted(got.digraph.edges(data=True)) == \
            sorted(want.digraph.edges(data=True)), process.id
        compared += 1
    assert compared >= 20


def _random_block(seed: int, size: int, loop: bool) -> tuple[list[str], dict, str]:
    import random

    rng = random.Random(seed)
    nodes = [f"n{i}" for i in range(size)]
    transitions: dict[str, dict[str, float]] = {}
    for i, u in enumerate(nodes[:-1]):
        later = rng.sample(nodes[i + 1:], k=min(len(nodes) - i - 1, rng.randint(1, 3)))
        shares = [rng.random() + 0.05 for _ in later]
        transitions[u] = {v: s / sum(shares) for v, s in zip(later, shares, strict=True)}
    if loop and size > 2:  # a rework edge back (n0 → n1 → n0): the general solver's case
        transitions[nodes[0]] = {nodes[1]: 1.0}
        transitions[nodes[1]][nodes[0]] = 0.1
    return nodes, transitions, nodes[0]


@pytest.mark.parametrize("seed", range(25))
def test_visits_without_a_loop_equal_the_general_solver(seed: int,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """A block without a loop is solved in one topological pass (graph._visits_acyclic);
    the general solver (strongly connected components) gives the same visits, and a block
    with a loop still goes to the general solver."""
    from bprkit.analysis import graph as graph_module

    nodes, transitions, entry = _random_block(seed, 3 + seed % 12, loop=False)
    fast = graph_module.visits(nodes, transitions, entry)
    assert graph_module._visits_acyclic(nodes, transitions, entry) is not None
    monkeypatch.setattr(graph_module, "_visits_acyclic", lambda *args: None)
    general = graph_module.visits(nodes, transitions, entry)
    assert fast.keys() == general.keys()
    for n in nodes:
        assert math.isclose(fast[n], general[n], rel_tol=1e-12, abs_tol=1e-12), n
    monkeypatch.undo()
    looped = _random_block(seed, 4 + seed % 12, loop=True)
    assert graph_module._visits_acyclic(*looped) is None
