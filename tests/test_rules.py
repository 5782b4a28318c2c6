"""Issue 19: lever rules that follow the work, facts that flow with documents,
batches that mean what analysts mean, and findings that say whose hours. Every
figure here is computed by hand from the catalog's expected values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bprkit.analysis import findings
from bprkit.analysis import levers as lever_module
from bprkit.analysis.records import analyze_process
from bprkit.assumptions import catalog as assumptions
from bprkit.estimate import montecarlo as estimate
from bprkit.render import style
from bprkit.text.loader import check_files

from .clirunner import run_cli
from .conftest import load_text

A = assumptions.default()
DAY = A.hours_per_day * 60
YEAR = A.value("time.working_days_per_year") * DAY


def _v(lever: str, key: str) -> float:
    return A.value(f"levers.{lever}.{key}")


def _served(lever: str, c: float = 1.0) -> float:
    return _v(lever, "adoption") * c * (1 - _v(lever, "exception_rate"))


def _read_then_rpa(ocr: float, rpa: float, check: str = "verify_factor") -> float:
    """The time kept when AI-OCR reads (serving ``ocr``) and RPA enters (``rpa``): the
    check by eye AI-OCR leaves (``check``) is not RPA's to take (docs/estimate.md, "The
    check after reading")."""
    checked = ocr * (_v("ai_ocr", check) if check else 0.0)
    after_ocr = 1 - ocr * (1 - _v("ai_ocr", "minutes_factor")) + checked
    return checked + (after_ocr - checked) * (1 - rpa * (1 - _v("rpa", "minutes_factor")))


def _estimate(tmp_path: Path, text: str) -> dict[str, estimate.StepEstimate]:
    process, bundle = load_text(tmp_path, text)
    e = estimate.estimate(process, bundle, A, samples=200)  # type: ignore[arg-type]
    return {s.id: s for s in e.steps}


COUNTER = """process p {
  volume 1,000 / year
  lane 住民 : resident
  lane 窓口 : counter
  lane 係 : back_office
  document 届書 : paper
%s
}
"""


# ── 1. facts flow with documents ──
def test_no_writing_counter_upstream_leaves_ai_ocr_only_the_paper_left(tmp_path: Path) -> None:
    """書かない窓口 at the counter makes the form electronic for the cases it serves;
    AI-OCR downstream serves only the paper share left, RPA the electronic share."""
    steps = _estimate(tmp_path, COUNTER % """
  step 記入 @住民 [paper, handwritten, in_person] 10min { produces 届書 }
  step 受付 @窓口 [paper, in_person, check] 5min { uses 届書 }
  step 入力 @係 [paper, transcribe] 10min { uses 届書 }""")
    assert steps["記入"].levers == ("online", "no_writing_counter")
    on = _served("online")
    nw = _served("no_writing_counter", 1 - on)  # the cases still at the counter
    electronic = on + nw  # nested: online's cases, then the counter's
    assert electronic == pytest.approx(1.0)
    # the form arrives electronic: no AI-OCR (nor its fee), RPA on all of it
    assert steps["入力"].levers == ("rpa",)
    keep = 1 - _served("rpa", electronic) * (1 - _v("rpa", "minutes_factor"))
    assert steps["入力"].tobe_minutes == pytest.approx(10 * keep)


def test_online_upstream_leaves_ai_ocr_the_paper_share(tmp_path: Path) -> None:
    """The resident writes at home (no 書かない窓口): online makes the form electronic for
    its share; AI-OCR reads the rest, RPA then serves both shares."""
    steps = _estimate(tmp_path, COUNTER % """
  step 記入 @住民 [paper, handwritten] 10min { produces 届書 }
  step 入力 @係 [paper, transcribe] 10min { uses 届書 }""")
    assert steps["記入"].levers == ("online",)
    on = _served("online")
    ocr = _served("ai_ocr", 1 - on)
    rpa = _served("rpa", on + ocr)
    keep = _read_then_rpa(ocr, rpa)
    assert steps["入力"].levers == ("ai_ocr", "rpa")
    assert steps["入力"].tobe_minutes == pytest.approx(10 * keep)


def test_ai_ocr_then_a_read_back_check_on_the_same_document(tmp_path: Path) -> None:
    """AI-OCR digitises the form at 入力; the read-back 突合 [check, paper] on the same
    document takes RPA for the digitised share (refused before the flow)."""
    steps = _estimate(tmp_path, COUNTER % """
  step 入力 @係 [paper, transcribe] 10min { uses 届書 }
  step 検算 @係 [paper, check] 4min { uses 届書 }""")
    assert steps["入力"].levers == ("ai_ocr", "rpa")
    ocr = _served("ai_ocr")
    assert steps["検算"].levers == ("rpa",)
    keep = 1 - _served("rpa", ocr) * (1 - _v("rpa", "minutes_factor"))
    assert steps["検算"].tobe_minutes == pytest.approx(4 * keep)


def test_rpa_after_ai_ocr_leaves_the_check_by_eye(tmp_path: Path) -> None:
    """What AI-OCR read is checked by eye (the step's verify tag says how much); RPA
    entering the read data takes the rest of the keying, never that check. A step whose
    every field is checked can end slower than keying by hand (久慈市 収納)."""
    text = COUNTER % """
  step 入力 @係 [paper, transcribe%s] 10min"""
    ocr = _served("ai_ocr")
    rpa = _served("rpa", ocr)
    for tag, check in (("", "verify_factor"), (", 全件確認", "verify_all_factor"),
                       (", 抽出確認", "verify_sample_factor"), (", 確認なし", "")):
        step = _estimate(tmp_path, text % tag)["入力"]
        assert step.levers == ("ai_ocr", "rpa")
        assert step.tobe_minutes == pytest.approx(10 * _read_then_rpa(ocr, rpa, check)), tag
    every = _estimate(tmp_path, text % ", 全件確認")["入力"].tobe_minutes
    none = _estimate(tmp_path, text % ", 確認なし")["入力"].tobe_minutes
    assert every - none == pytest.approx(10 * ocr * _v("ai_ocr", "verify_all_factor"))
    # a check that takes longer than keying: the To-Be step is slower than the As-Is
    over = tmp_path / "slow.toml"
    over.write_text('[levers.ai_ocr]\nverify_all_factor = { value = 2, source = "test" }\n',
                    encoding="utf-8")
    path = tmp_path / "slow.bpr"
    path.write_text(text % ", 全件確認", encoding="utf-8")
    r = run_cli("estimate", str(path), "--assumptions", str(over), "--samples", "200",
                "--format", "json")
    step = next(s for s in json.loads(r.stdout)["steps"] if s["id"] == "入力")
    assert step["tobe_minutes"] > 10 and step["slower"] == ["ai_ocr"]


def test_a_step_naming_no_document_keeps_todays_rule(tmp_path: Path) -> None:
    steps = _estimate(tmp_path, COUNTER % """
  step 記入 @住民 [paper, handwritten, in_person] 10min { produces 届書 }
  step 入力 @係 [paper, transcribe] 10min""")
    assert steps["入力"].levers == ("ai_ocr", "rpa")


def test_redesign_writes_the_tags_as_they_now_are(tmp_path: Path) -> None:
    path = tmp_path / "f.bpr"
    path.write_text(COUNTER % """
  step 記入 @住民 [paper, handwritten, in_person] 10min { produces 届書 }
  step 確認 @係 [paper, judgement] 10min { uses 届書 }""", encoding="utf-8")
    out = tmp_path / "f_tobe.bpr"
    r = run_cli("redesign", str(path), "-o", str(out), "--lang", "en")
    assert r.returncode == 0, r.stdout + r.stderr
    line = next(x for x in out.read_text("utf-8").splitlines() if "step 確認" in x)
    assert "[judgement]" in line  # its paper became electronic upstream


def test_redesign_writes_what_a_step_now_does_where_a_lever_changes_it(tmp_path: Path) -> None:
    """書かない窓口 takes the writing away from the resident at the counter: the To-Be
    says what they do now, in the file's language; the As-Is label and its pain move
    to the comment. A staff step keeps its label (the lever changes part of it), and so
    does a form written at home, which the no-writing counter does not reach."""
    path = tmp_path / "f.bpr"
    path.write_text(COUNTER % """
  step 記入 「届書を手書きで記入」 @住民 [paper, handwritten, in_person] 10min {
    produces 届書
    pain 「同じことを 3 枚に書く」
  }
  step 家で記入 「委任状を自宅で記入」 @住民 [paper, handwritten] 10min
  step 受付 「届書を受け付け、本人確認」 @窓口 [paper, in_person, check] 10min { uses 届書 }
  step 入力 「届書の内容を入力」 @係 [paper, transcribe] 10min { uses 届書 }""",
                    encoding="utf-8")
    for lang in ("en", "ja"):
        out = tmp_path / f"f_{lang}.bpr"
        r = run_cli("redesign", str(path), "-o", str(out), "--lang", lang)
        assert r.returncode == 0, r.stdout + r.stderr
        text = out.read_text("utf-8")
        lines = text.splitlines()
        at = next(n for n, x in enumerate(lines) if "step 記入" in x)
        assert "「職員が作った届書を確認して署名」" in lines[at]
        assert "届書を手書きで記入" in lines[at - 1] and "同じことを 3 枚に書く" in lines[at - 1]
        assert "同じことを 3 枚に書く" not in "\n".join(lines[at:])  # not a To-Be pain
        for kept in ("委任状を自宅で記入", "届書を受け付け、本人確認", "届書の内容を入力"):
            assert any(f"「{kept}」" in x and x.lstrip().startswith("step") for x in lines)
        assert run_cli("check", str(out)).returncode == 0


def test_a_pain_stays_where_a_lever_serves_only_some_cases(tmp_path: Path) -> None:
    """A form written at home: online serves under half the cases (28 %), so its pain
    still holds for most and stays on the To-Be step, not in the comment."""
    path = tmp_path / "f.bpr"
    path.write_text(COUNTER % """
  step 記入 「申請書を自宅で記入」 @住民 [paper, handwritten] 10min {
    produces 届書
    pain 「同じことを 3 枚に書く」
  }
  step 受付 「届書を受け付け」 @窓口 [paper, in_person] 10min { uses 届書 }""",
                    encoding="utf-8")
    out = tmp_path / "f_tobe.bpr"
    assert run_cli("redesign", str(path), "-o", str(out), "--lang", "ja").returncode == 0
    lines = out.read_text("utf-8").splitlines()
    at = next(n for n, x in enumerate(lines) if "step 記入" in x)
    assert "lever online" in "\n".join(lines[at:at + 5])  # a lever did apply
    assert any("pain 「同じことを 3 枚に書く」" in x for x in lines[at:at + 5])
    assert "見直し前の課題" not in lines[at - 1]


def test_an_english_label_gets_an_english_text(tmp_path: Path) -> None:
    """English labels get English text; a {what} with no document names the form."""
    path = tmp_path / "f.bpr"
    path.write_text(COUNTER % """
  step fill "Fill in the form by hand" @住民 [paper, handwritten, in_person] 10min""",
                    encoding="utf-8")
    out = tmp_path / "f_tobe.bpr"
    assert run_cli("redesign", str(path), "-o", str(out), "--lang", "ja").returncode == 0
    assert "「Check and sign the form staff filled in」" in out.read_text("utf-8")


# ── 2. lever rules that follow the work ──
INQUIRY = """process p {
  volume 1,000 / year
  lane 係 : back_office
  lane 税務 : back_office
  lane 銀行 : external
  data 所得 : held
%s
}
"""


@pytest.mark.parametrize("step, takes", [
    ("step 回答 @税務 [paper, inquiry] 10min", True),  # another department: linkage
    ("step 回答 @税務 [paper, inquiry, judgement] 10min", False),  # a consultation
    ("step 回答 @銀行 [paper, postal, inquiry] 10min", False),  # an outside body
])
def test_data_linkage_only_between_own_departments(tmp_path: Path, step: str,
                                                   takes: bool) -> None:
    steps = _estimate(tmp_path, INQUIRY % f"  {step}")
    assert ("data_linkage" in steps["回答"].levers) is takes


def test_an_inquiry_sent_to_an_outside_body_is_no_internal_linkage(tmp_path: Path) -> None:
    steps = _estimate(tmp_path, INQUIRY % """
  step 照会 @係 [paper, postal, inquiry] 5min
  step 回答 @銀行 [paper, postal, inquiry] 10min""")
    assert "data_linkage" not in steps["照会"].levers
    assert "data_linkage" not in steps["回答"].levers
    # the outside lever is the analyst's call: pinned, it applies
    steps = _estimate(tmp_path, INQUIRY % """
  step 照会 @係 [paper, postal, inquiry] 5min { lever マイナンバー情報連携 }
  step 回答 @銀行 [paper, postal, inquiry] 10min""")
    assert steps["照会"].levers == ("external_linkage",)
    keep = 1 - _served("external_linkage") * (1 - _v("external_linkage", "minutes_factor"))
    assert steps["照会"].tobe_minutes == pytest.approx(5 * keep)


def test_no_writing_counter_only_where_the_resident_writes_at_the_counter(
        tmp_path: Path) -> None:
    # a permit desk checking drawings made at home: nothing is written at the counter
    home = _estimate(tmp_path, COUNTER % """
  step 作成 @住民 [paper, print] 60min { produces 届書 }
  step 持参 @住民 [paper, in_person] 10min
  step 受付 @窓口 [paper, in_person, check] 15min { uses 届書 }""")
    assert "no_writing_counter" not in home["受付"].levers
    assert "no_writing_counter" not in home["持参"].levers
    # the form written at the counter, and the counter step that takes it
    here = _estimate(tmp_path, COUNTER % """
  step 記入 @住民 [paper, handwritten, in_person] 10min { produces 届書 }
  step 受付 @窓口 [paper, in_person, check] 5min { uses 届書 }""")
    assert "no_writing_counter" in here["記入"].levers
    assert here["受付"].levers == ("online", "no_writing_counter", "rpa")
    on = _served("online")
    nw = _served("no_writing_counter", 1 - on)
    rpa = _served("rpa", on)  # a robot checks only what came in online, nobody present
    keep = (1 - on * (1 - _v("online", "staff_minutes_factor"))) * (
        1 - nw * (1 - _v("no_writing_counter", "staff_minutes_factor"))) * (
        1 - rpa * (1 - _v("rpa", "minutes_factor")))
    assert here["受付"].tobe_minutes == pytest.approx(5 * keep)


def test_online_never_on_a_hand_over_and_never_shortens_time_at_home(tmp_path: Path) -> None:
    steps = _estimate(tmp_path, COUNTER % """
  step 収集 @住民 [paper] 60min wait 3d
  step 交付 @窓口 [paper, in_person, issue] 3min wait 20min""")
    assert "online" not in steps["交付"].levers
    assert steps["収集"].levers == ("online",)
    assert steps["収集"].tobe_wait == pytest.approx(steps["収集"].asis_wait)  # at home


def test_e_approval_reaches_the_printed_draft_of_an_approval_route(tmp_path: Path) -> None:
    steps = _estimate(tmp_path, """process p {
  volume 1,000 / year
  lane 係 : back_office
  lane 課長 : approval
  step 起案 @係 [paper, print] 20min
  step 決裁 @課長 [paper, seal] 5min
  step 通知 @係 [paper, print, postal, notice] 5min
}
""")
    assert steps["起案"].levers == ("e_approval",)
    keep = 1 - _served("e_approval") * (1 - _v("e_approval", "minutes_factor"))
    assert steps["起案"].tobe_minutes == pytest.approx(20 * keep)
    assert "e_approval" not in steps["通知"].levers  # not followed by an approval


def test_process_wide_findings_offer_only_levers_some_step_takes(tmp_path: Path) -> None:
    """A postal procedure: F202/F205/F208 never offer 書かない窓口 when no step can take it."""
    process, bundle = load_text(tmp_path, """process p {
  volume 1,000 / year
  lane 住民 : resident
  lane 係 : back_office
  step 郵送 @住民 [paper, handwritten, postal] 10min
  step 審査 @係 [paper, check] 10min wait 5d
  branch { 30% -> 補正
           else -> end }
  step 補正 @住民 [paper, handwritten, postal] 10min wait 5d -> 審査
}
""")
    a = analyze_process(process, bundle)  # type: ignore[arg-type]
    wide = [f for f in a.findings if f.scope == "process"]
    assert wide and all("no_writing_counter" not in f.levers for f in wide)
    assert any("online" in f.levers for f in wide)


# ── 4. batches ──
BATCH = """process p {
  volume 2,430 / year%s
  lane 係 : back_office
  step 開封 @係 [paper, check] 3min { %s }
  step 次 @係 [check] 1min
}
"""


def _run(tmp_path: Path, season: str, batch: str):  # type: ignore[no-untyped-def]
    process, bundle = load_text(tmp_path, BATCH % (season, batch))
    return analyze_process(process, bundle).graph.runs[0]  # type: ignore[arg-type]


def test_a_batch_the_cases_only_wait_for_keeps_the_work_per_case(tmp_path: Path) -> None:
    each = _run(tmp_path, "", "まとめて 日 個別")
    assert each.executions == pytest.approx(1.0) and each.batch_wait == pytest.approx(DAY / 2)
    shared = _run(tmp_path, "", "batch day")
    assert shared.executions == pytest.approx(1 / 10)  # 10 cases a working day share it
    assert _run(tmp_path, "", "まとめて 20件").executions == pytest.approx(1 / 20)


def test_a_week_is_five_working_days(tmp_path: Path) -> None:
    week = _run(tmp_path, "", "batch week")
    assert week.batch_wait == pytest.approx(5 * DAY / 2)
    assert week.cases_per_run == pytest.approx(2430 / (243 / 5))


def test_a_period_batch_waits_at_most_the_season(tmp_path: Path) -> None:
    yearly = _run(tmp_path, "", "batch year")
    assert yearly.batch_wait == pytest.approx(YEAR / 2)
    season = _run(tmp_path, " within 15 days", "batch year")
    assert season.batch_wait == pytest.approx(15 * DAY / 2)


def test_rework_share_is_of_cases_and_its_hours_say_whose(tmp_path: Path) -> None:
    """The okugai hand computation: 審査 (staff) re-run by 25 % of its passes, 補正依頼
    (staff) and 補正 (resident) taken only by reworked cases."""
    process, bundle = load_text(tmp_path, """process p {
  volume 1,000 / year
  lane 申請者 : resident
  lane 係 : back_office
  step 受付 @係 [paper] 6min { batch 10 }
  step 審査 @係 [paper, check] 30min
  branch { 25% -> 補正依頼
           else -> 許可 }
  step 補正依頼 @係 [phone] 10min
  step 補正 @申請者 [paper] 60min -> 審査
  step 許可 @係 [paper] 5min
}
""")
    a = analyze_process(process, bundle)  # type: ignore[arg-type]
    f = next(x for x in a.findings if x.code == "F205")
    assert f.args["share"] == "25"
    visits = 1 / (1 - 0.25)
    again = 1000 * 30 * visits * 0.25 / 60  # the re-runs of 審査
    only_staff = 1000 * 10 * 0.25 * visits / 60  # 補正依頼
    only_resident = 1000 * 60 * 0.25 * visits / 60  # 補正
    assert f.hours is not None
    assert f.hours.staff == pytest.approx(again + only_staff)
    assert f.hours.resident == pytest.approx(only_resident)
    assert f.hours.external == 0.0
    assert "住民" in findings.group([f])[0].lines("ja")[0]


def test_a_batched_rework_target_is_a_share_of_cases(tmp_path: Path) -> None:
    process, bundle = load_text(tmp_path, """process p {
  volume 2,430 / year
  lane 係 : back_office
  step 受付 @係 [paper, check] 3min { batch day }
  branch { 12% -> 受付
           else -> end }
}
""")
    a = analyze_process(process, bundle)  # type: ignore[arg-type]
    assert next(x for x in a.findings if x.code == "F205").args["share"] == "12"


def test_the_longest_wait_counts_batch_waits(tmp_path: Path) -> None:
    process, bundle = load_text(tmp_path, """process p {
  volume 2,430 / year
  lane 住民 : resident
  lane 係 : back_office
  step 申請 @住民 [paper] 10min
  step 審査 @係 [paper] 10min wait 2d
  step 決定 @係 [paper, notice] 10min { batch month }
}
""")
    a = analyze_process(process, bundle)  # type: ignore[arg-type]
    f = next(x for x in a.findings if x.code == "F208")
    assert f.step == "決定"  # half a month (10.1 days) beats the 2-day wait
    assert f.args["wait_days"] == f"{243 / 12 / 2:.1f}"


def test_heat_colours_only_whose_hours_are_asked(tmp_path: Path) -> None:
    path = tmp_path / "h.bpr"
    path.write_text(COUNTER % """
  step 記入 @住民 [paper, handwritten, in_person] 60min
  step 受付 @窓口 [paper, in_person] 5min""", encoding="utf-8")
    for whose, hot in (("staff", "受付"), ("resident", "記入")):
        out = tmp_path / f"{whose}.dot"
        r = run_cli("render", str(path), "-o", str(out), "--heat", whose, "--lang", "ja")
        assert r.returncode == 0, r.stderr
        dot = out.read_text("utf-8")
        assert ("職員" if whose == "staff" else "住民") + "の年間時間" in dot
        # the hottest colour sits on the step whose hours were asked
        assert style.heat(1.0, 1.0) in next(x for x in dot.splitlines() if hot in x
                                             and "label" in x)
    # no step has external hours: nothing is shaded, not even the palest shade
    out = tmp_path / "external.dot"
    assert run_cli("render", str(path), "-o", str(out), "--heat", "external").returncode == 0
    assert not any(colour in out.read_text("utf-8") for colour in style.HEAT)


# ── the share algebra stays within 0..1 whatever the order ──

@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(A.levers)), st.floats(0, 1)), max_size=8),
       st.dictionaries(st.sampled_from(["paper_input", "electronic_input", "person_present",
                                        "handwritten", "seal", "postal"]),
                       st.floats(0, 1), max_size=6))
def test_facts_stay_shares_whatever_the_levers(chain: list[tuple[str, float]],
                                               facts: dict[str, float]) -> None:
    facts = dict(facts)
    for name, s in chain:
        lever = A.levers[name]
        before = dict(facts)
        lever_module.give(lever, facts, s)
        assert all(0.0 <= v <= 1.0 for v in facts.values())
        for fact in lever.provides:  # a lever never takes away what it provides
            assert facts[fact] >= before.get(fact, 0.0) - 1e-12
        for fact in lever.removes:
            if fact not in lever.provides:
                assert facts[fact] <= before.get(fact, 0.0) + 1e-12


def test_a_batch_already_gathered_waits_once(tmp_path: Path) -> None:
    """The month's list goes from the drafter to the chief to the director together:
    one wait for the month, not three."""
    process, bundle = load_text(tmp_path, """process p {
  volume 2,430 / year
  lane 係 : back_office
  lane 長 : approval
  step 起案 @係 [paper] 10min { batch month }
  step 係長 @長 [paper, seal] 5min { batch month }
  step 課長 @長 [paper, seal] 5min { batch month }
}
""")
    runs = analyze_process(process, bundle).graph.runs  # type: ignore[arg-type]
    assert [r.batch_wait for r in runs] == [pytest.approx(YEAR / 12 / 2), 0.0, 0.0]
    assert all(r.executions == pytest.approx(12 / 2430) for r in runs)  # still shared


def test_set_up_is_per_gathered_job_and_a_slower_step_is_said(tmp_path: Path) -> None:
    """AI-OCR's set-up per job: on a shared batch once per run; on a batch whose work
    stays per case (個別) spread over the cases it gathers; and when it costs more than
    AI-OCR saves, the estimate says the step gets slower."""
    setup = _v("ai_ocr", "setup_minutes")
    text = """process p {
  volume 2,430 / year
  lane 係 : back_office
  step 入力 @係 [paper, transcribe, routine] %s { %s }
}
"""
    ocr = _served("ai_ocr")
    keep = _read_then_rpa(ocr, _served("rpa", ocr))
    each = _estimate(tmp_path, text % ("2min", "まとめて 20件 個別"))["入力"]
    assert each.tobe_minutes == pytest.approx(2 * keep + ocr * setup / 20)
    assert each.slower == ()
    process, bundle = load_text(tmp_path, text % ("6min", "batch 20"))
    e = estimate.estimate(process, bundle, A, samples=200)  # type: ignore[arg-type]
    shared = e.steps[0]
    assert shared.tobe_minutes == pytest.approx(6 * keep + ocr * setup)  # per run
    assert shared.slower == ("ai_ocr",) and ("入力", "ai_ocr") in e.warnings


def test_an_inquiry_on_paper_is_a_finding_offering_linkage(tmp_path: Path) -> None:
    process, bundle = load_text(tmp_path, INQUIRY % """
  step 照会 @係 [paper, print, inquiry] 5min
  step 回答 @税務 [paper, inquiry] 10min""")
    a = analyze_process(process, bundle)  # type: ignore[arg-type]
    f207 = {f.step: f for f in a.findings if f.code == "F207"}
    assert set(f207) == {"照会", "回答"}
    assert f207["照会"].levers == ("data_linkage",)
    assert f207["照会"].message("ja") == "「照会」: 紙で照会・回答しています"


def test_a_use_batch_wait_points_at_the_use_line(tmp_path: Path) -> None:
    process, bundle = load_text(tmp_path, """process 決裁 「課長決裁」 {
  lane 課長 : approval
  step 決裁 @課長 [paper, seal] 5min
}
process p {
  volume 2,430 / year
  lane 住民 : resident
  lane 係 : back_office
  step 申請 @住民 [paper] 10min
  step 審査 @係 [paper] 10min wait 2d
  use 決裁 batch month
  step 通知 @係 [paper, notice] 10min
}
""")
    process = bundle.root.processes[1]  # type: ignore[attr-defined]
    a = analyze_process(process, bundle)  # type: ignore[arg-type]
    f = next(x for x in a.findings if x.code == "F208")
    assert f.span is not None and f.span.line == 11  # the use line, not the callee's step
    assert f.variant == "message_batch" and "「課長決裁」の前のまとめ待ち" in f.message("ja")


def _one_diagnostic(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "one.bpr"
    path.write_text(text, encoding="utf-8")
    [d] = check_files([str(path)]).diagnostics
    return d


def test_batch_words_typed_in_kana_get_their_word(tmp_path: Path) -> None:
    d = _one_diagnostic(tmp_path, "process p {\n  volume 1 / 年\n  lane 係 : 内部事務\n"
                                  "  step a @係 [紙] 1分 { まとめて つき }\n}\n")
    assert d.code == "E048" and "「月」の誤りではありませんか" in d.hint("ja")


def test_a_redesigned_file_is_already_in_fmt_layout(tmp_path: Path) -> None:
    """redesign writes tags in the canonical order (vocabulary.TAG_ORDER), so its To-Be
    passes fmt --check as written."""
    from .conftest import PROCESSES

    out = tmp_path / "t_tobe.bpr"
    assert run_cli("redesign", str(PROCESSES / "tenshutsu.bpr"), "-o", str(out)).returncode == 0
    r = run_cli("fmt", "--check", str(out))
    assert r.returncode == 0, r.stdout + r.stderr


def test_a_season_shorter_than_a_working_day_is_e053(tmp_path: Path) -> None:
    d = _one_diagnostic(tmp_path, "process p {\n  volume 100 / year within 0.5 days\n"
                                  "  lane a : counter\n  step s @a 1min\n}\n")
    assert d.code == "E053" and "年の中の営業日数（1〜243 日）" in d.message("ja")
    assert "year" not in d.message("ja")


def test_a_misspelt_batch_kind_gets_its_word_and_the_usage(tmp_path: Path) -> None:
    path = tmp_path / "k.bpr"
    path.write_text("process 乙 {\n  lane a : back_office\n  step s @a 1min\n}\n"
                    "process p {\n  volume 1 / 年\n  lane 係 : 内部事務\n"
                    "  step a @係 [紙] 1分 { まとめて 日 こべつ }\n  use 乙 batch month x\n}\n",
                    encoding="utf-8")
    found = check_files([str(path)]).diagnostics
    assert [d.code for d in found] == ["E058", "E058"]
    assert "「個別」の誤りではありませんか" in found[0].hint("ja")
    assert "x 2" in found[1].hint("en")  # the count of a use comes before batch


def test_a_season_written_as_in_the_diagram_says_the_word(tmp_path: Path) -> None:
    """「集中 15 日に 60%」 (as one says it): the caret is on 「日に」 and the hint says to
    write 日 alone."""
    d = _one_diagnostic(tmp_path, "process p {\n  volume 100 / 年 集中 15 日に 60%\n"
                                  "  lane a : 窓口\n  step s @a 1分\n}\n")
    assert d.code == "E053" and d.span is not None and d.span.column == 24
    assert "「日に」ではなく" in d.hint("ja") and "'日に'" in d.hint("en")
