"""The one lever engine: rules (requires / provides / excludes), order, combination,
pins, and the agreement of estimate with redesign + compare."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bprkit
from bprkit.analysis.records import analyze_process
from bprkit.assumptions import catalog as assumptions
from bprkit.estimate import montecarlo as estimate
from bprkit.estimate import redesign, sampling
from bprkit.model import SourceFile
from bprkit.text import writer
from bprkit.text.loader import check_files

from .clirunner import run_cli
from .conftest import CORPUS, PROCESSES, load_text

A = assumptions.default()


def _v(lever: str, key: str) -> float:
    return A.value(f"levers.{lever}.{key}")


def _step(e: estimate.Estimate, step_id: str) -> estimate.StepEstimate:
    return next(s for s in e.steps if s.id == step_id)


def _one(tmp_path: Path, lane: str, role: str, head: str, body: str = "",
         levers: list[str] | None = None) -> estimate.StepEstimate:
    text = (f"process p {{\n  volume 1,000 / year\n  lane {lane} : {role}\n"
            f"  step s @{lane} {head}" + (f" {{\n    {body}\n  }}" if body else "") + "\n}\n")
    process, bundle = load_text(tmp_path, text)
    return _step(estimate.estimate(process, bundle, A, levers=levers, samples=200), "s")


# ── hand-computed combinations ──
def test_ai_ocr_then_rpa_on_a_handwritten_form(tmp_path: Path) -> None:
    s = _one(tmp_path, "事務", "back_office", "[transcribe, paper] 10min")
    assert s.levers == ("ai_ocr", "rpa")
    ocr = _v("ai_ocr", "adoption") * (1 - _v("ai_ocr", "exception_rate"))
    # AI-OCR leaves the check by eye of what it read (v), which RPA does not take
    checked = ocr * _v("ai_ocr", "verify_factor")
    keep_ocr = 1 - ocr * (1 - _v("ai_ocr", "minutes_factor")) + checked
    # RPA serves only the cases AI-OCR turned into electronic input
    rpa = _v("rpa", "adoption") * ocr * (1 - _v("rpa", "exception_rate"))
    keep_rpa = 1 - rpa * (1 - _v("rpa", "minutes_factor"))
    keep = checked + (keep_ocr - checked) * keep_rpa
    assert s.tobe_minutes == pytest.approx(10 * keep)
    assert s.staff_hours_saved == pytest.approx(1000 * 10 * (1 - keep) / 60)
    by_lever = dict(s.by_lever)
    assert by_lever["ai_ocr"] == pytest.approx(1000 * 10 * (1 - keep_ocr) / 60)
    assert by_lever["ai_ocr"] + by_lever["rpa"] == pytest.approx(s.staff_hours_saved)


def test_rpa_on_electronic_data(tmp_path: Path) -> None:
    s = _one(tmp_path, "事務", "back_office", "[transcribe] 10min")
    assert s.levers == ("rpa",)
    keep = 1 - _v("rpa", "adoption") * (1 - _v("rpa", "exception_rate")) * (
        1 - _v("rpa", "minutes_factor"))
    assert s.tobe_minutes == pytest.approx(10 * keep)


def test_rpa_refused_on_paper_without_ai_ocr_and_says_why(tmp_path: Path) -> None:
    # the refusal is said where RPA works on another step of the same kind ("why not
    # here too?"); a process where no step takes RPA lists no RPA refusal
    two = ("process p {\n  volume 1,000 / year\n  lane 事務 : back_office\n"
           "  step s @事務 [check, paper] 10min\n  step t @事務 [check] 5min\n}\n")
    process, bundle = load_text(tmp_path, two)
    e = estimate.estimate(process, bundle, A, samples=200)
    s = _step(e, "s")
    assert s.levers == () and _step(e, "t").levers == ("rpa",)
    assert [(r.lever, r.kind, r.fact) for r in s.refused] == [
        ("rpa", "needs", "electronic_input")]
    alone = _one(tmp_path, "事務", "back_office", "[check, paper] 10min")
    assert alone.levers == () and alone.refused == ()
    path = tmp_path / "paper.bpr"
    path.write_text(two.replace("1,000", "100"), encoding="utf-8")
    for lang, words in (("en", "RPA not applied: it needs electronic input"),
                        ("ja", "RPA は適用しません。必要な条件: 入力が電子データ")):
        r = run_cli("estimate", str(path), "--lang", lang, "--samples", "100")
        assert r.returncode == 0, r.stderr
        assert words in r.stdout


@pytest.mark.parametrize("head", ["[transcribe, in_person] 5min", "[check, judgement] 5min",
                                  "[check, 判断] 5min"])
def test_rpa_never_on_in_person_or_judgement_work(tmp_path: Path, head: str) -> None:
    offline = ["no_writing_counter", "ai_ocr", "rpa", "e_approval"]
    s = _one(tmp_path, "窓口", "counter", head, levers=offline)
    assert "rpa" not in s.levers


def test_rpa_serves_only_the_cases_online_took_off_the_counter(tmp_path: Path) -> None:
    s = _one(tmp_path, "窓口", "counter", "[transcribe, in_person] 5min",
             levers=["online", "rpa"])
    online = _v("online", "adoption") * (1 - _v("online", "exception_rate"))
    rpa = _v("rpa", "adoption") * online * (1 - _v("rpa", "exception_rate"))
    keep = (1 - online * (1 - _v("online", "staff_minutes_factor"))) * (
        1 - rpa * (1 - _v("rpa", "minutes_factor")))
    assert s.levers == ("online", "rpa")
    assert s.tobe_minutes == pytest.approx(5 * keep)


def test_no_writing_counter_only_where_a_form_is_written_at_a_counter(tmp_path: Path) -> None:
    assert "no_writing_counter" in _one(tmp_path, "住民", "resident",
                                        "[paper, handwritten, in_person] 10min").levers
    home = _one(tmp_path, "住民", "resident", "[paper, handwritten] 10min")  # at home
    assert "no_writing_counter" not in home.levers
    cash = _one(tmp_path, "窓口", "counter", "[paper, in_person, cash] 3min")
    assert "no_writing_counter" not in cash.levers and "cashless" in cash.levers


def test_no_writing_counter_leaves_a_go_home_wait_alone(tmp_path: Path) -> None:
    queue = _one(tmp_path, "窓口", "counter", "[paper, in_person, handwritten] 5min wait 30min",
                 levers=["no_writing_counter"])
    home = _one(tmp_path, "窓口", "counter", "[paper, in_person, handwritten] 5min wait 3d",
                levers=["no_writing_counter"])
    assert queue.levers == home.levers == ("no_writing_counter",)
    assert queue.tobe_wait == pytest.approx(30 * _v("no_writing_counter", "wait_factor"))
    assert home.tobe_wait == pytest.approx(home.asis_wait)


def test_data_linkage_on_inquiries_not_on_an_interview(tmp_path: Path) -> None:
    inquiry = _one(tmp_path, "市民税課", "back_office", "[inquiry, paper] 15min")
    assert inquiry.levers == ("data_linkage",)
    interview = _one(tmp_path, "保育所", "external", "[in_person, paper] 30min")
    assert "data_linkage" not in interview.levers


def test_no_writing_counter_needs_writing_or_checking_at_the_counter(tmp_path: Path) -> None:
    brought = _one(tmp_path, "窓口", "counter", "[paper, in_person] 3min")  # forms brought in
    assert "no_writing_counter" not in brought.levers


def test_new_levers(tmp_path: Path) -> None:
    # コンビニ交付 only where an analyst pins it: which certificates a kiosk issues is
    # a national list the step does not show
    assert _one(tmp_path, "窓口", "counter", "[issue, in_person, print] 3min").levers == ()
    issue = _one(tmp_path, "窓口", "counter", "[issue, in_person, print] 3min",
                 "lever コンビニ交付")
    assert issue.levers == ("convenience_store",)
    assert issue.tobe_minutes == pytest.approx(3 * (1 - _v("convenience_store", "adoption")))
    seal = _one(tmp_path, "住民", "resident", "[seal] 2min", levers=["seal_abolition"])
    assert seal.levers == ("seal_abolition",)
    official = _one(tmp_path, "窓口", "counter", "[seal, print, issue] 2min")  # the 公印
    assert "seal_abolition" not in official.levers
    phone = _one(tmp_path, "住民", "resident", "[phone] 5min")
    assert phone.levers == ("online",)
    approval = _one(tmp_path, "課長", "approval", "[seal, paper] 5min")
    assert approval.levers == ("e_approval",)  # an approval's seal goes with e-approval
    survey = _one(tmp_path, "調査", "back_office", "[survey, paper] 60min")
    assert "tablet_survey" in survey.levers
    notice = _one(tmp_path, "事務", "back_office", "[notice, postal, print] 5min")
    assert "e_notice" in notice.levers


def test_a_step_pins_or_forbids_levers(tmp_path: Path) -> None:
    pinned = _one(tmp_path, "事務", "back_office", "[check] 10min", "lever ai_ocr")
    assert pinned.levers == ("ai_ocr",) and pinned.pinned  # the analyst's call, c = 1
    served = 1 - _v("ai_ocr", "exception_rate")
    keep = 1 - served * (1 - _v("ai_ocr", "minutes_factor") - _v("ai_ocr", "verify_factor"))
    assert pinned.tobe_minutes == pytest.approx(10 * keep)
    none = _one(tmp_path, "事務", "back_office", "[transcribe] 10min", "施策 なし")
    assert none.levers == () and none.tobe_minutes == 10


def test_a_slower_lever_is_kept_and_warned(tmp_path: Path) -> None:
    slow = tmp_path / "slow.toml"
    slow.write_text('[levers.ai_ocr]\nminutes_factor = { value = 1.3, source = "assumption: '
                    'every field checked by eye" }\n', encoding="utf-8")
    path = tmp_path / "t.bpr"
    path.write_text("process p {\n  volume 100 / year\n  lane 事務 : back_office\n"
                    "  step 入力 @事務 [transcribe, paper] 10min\n}\n", encoding="utf-8")
    a = assumptions.load(str(slow))
    process, bundle = load_text(tmp_path, path.read_text(encoding="utf-8"))
    e = estimate.estimate(process, bundle, a, levers=["ai_ocr"], samples=200)
    s = _step(e, "入力")
    assert s.tobe_minutes > s.asis_minutes and s.slower == ("ai_ocr",)
    assert e.warnings == (("入力", "ai_ocr"),)
    for fmt in ("text", "json", "csv"):
        r = run_cli("estimate", str(path), "--assumptions", str(slow), "--levers", "ai_ocr",
                    "--format", fmt, "--samples", "100")
        assert r.returncode == 0 and "slower" in r.stderr, (fmt, r.stderr)
    out = tmp_path / "t_tobe.bpr"
    r = run_cli("redesign", str(path), "--assumptions", str(slow), "--levers", "ai_ocr",
                "--lang", "en")
    assert r.returncode == 0 and "makes this step slower" in out.read_text(encoding="utf-8")


# ── one engine: estimate == redesign + compare ──
def _agree(tmp_path: Path, path: Path) -> None:
    """The estimate's expected saving and P50 equal redesign + compare's within 1 %:
    the To-Be's lever lines let compare draw the same factors with the same numbers."""
    bundle = bprkit.load(str(path))
    result = redesign.redesign_all(bundle.root.processes, bundle, A)
    relative = Path(path).resolve().as_posix()
    tobe_path = tmp_path / f"{path.stem}_tobe.bpr"
    tobe_path.write_text(writer.write(SourceFile(str(tobe_path), (
        bprkit.model.Import(relative),), result.processes)), encoding="utf-8")
    report = check_files([str(tobe_path)])
    assert report.ok, [d.render("en") for d in report.diagnostics]
    tobe_bundle = report.files[0].bundle
    for process in bundle.root.processes:
        if process.volume is None:
            continue
        e = estimate.estimate(process, bundle, A, samples=4000, seed=5)
        tobe = next(p for p in tobe_bundle.root.processes if p.based_on == process.id)
        c = estimate.compare(process, bundle, tobe, tobe_bundle, A, samples=4000, seed=5)
        a, b = e.staff_hours_saved, c.staff_hours_saved
        assert b.expected == pytest.approx(a.expected, rel=0.01, abs=0.05), process.id
        assert b.p50 == pytest.approx(a.p50, rel=0.01, abs=0.05), process.id
        assert c.tobe_metrics.annual_staff_hours == pytest.approx(
            e.tobe_metrics.annual_staff_hours, rel=0.01, abs=0.05)


@pytest.mark.parametrize("path", sorted(p for p in PROCESSES.glob("*.bpr")
                                        if "tobe" not in p.stem), ids=lambda p: p.stem)
def test_estimate_agrees_with_redesign_and_compare(tmp_path: Path, path: Path) -> None:
    _agree(tmp_path, path)


TAGS = ["paper", "handwritten", "seal", "in_person", "transcribe", "check", "print", "postal",
        "cash", "routine", "judgement", "issue", "notice", "inquiry", "survey"]
ROLES = ["resident", "counter", "back_office", "approval", "storage", "external"]


@st.composite
def generated(draw: st.DrawFn) -> str:
    """A valid file: lanes of every role, steps with random tags, times, branches
    and a shared approval route called with use (sometimes batched)."""
    lines = ["process 決裁 {", "  lane 課長 : approval",
             "  step 押印 @課長 [seal, paper] 3..5min wait 0.5d", "}",
             "process p {", "  volume 2,000 / year"]
    lines += [f"  lane L{i} : {role}" for i, role in enumerate(ROLES)]
    n = draw(st.integers(2, 8))
    for i in range(n):
        tags = draw(st.lists(st.sampled_from(TAGS), max_size=3, unique=True))
        lane = draw(st.integers(0, len(ROLES) - 1))
        low = draw(st.integers(1, 20))
        wait = draw(st.sampled_from(["", " wait 10min", " wait 2d"]))
        body = draw(st.sampled_from(["", "lever none", "lever ai_ocr, rpa", "batch 20",
                                     "batch month", "lever コンビニ交付"]))
        lines.append(f"  step s{i} @L{lane} [{', '.join(tags)}] {low}..{low * 2}min{wait}"
                     + (f" {{\n    {body}\n  }}" if body else ""))
        if i == 0 and draw(st.booleans()):
            lines += ["  branch {", "    20% -> s0", "    else -> s1", "  }"] if n > 1 else []
    lines.append("  use 決裁" + draw(st.sampled_from(["", " x 2", " batch month"])))
    lines.append("}")
    return "\n".join(lines) + "\n"


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=generated())
def test_estimate_agrees_with_redesign_and_compare_on_generated_files(
        tmp_path: Path, text: str) -> None:
    path = tmp_path / "gen.bpr"
    path.write_text(text, encoding="utf-8")
    _agree(tmp_path, path)


@pytest.mark.parametrize("path", sorted(PROCESSES.glob("*.bpr")), ids=lambda p: p.stem)
def test_a_file_compared_with_itself_has_a_band_of_zero(path: Path) -> None:
    bundle = bprkit.load(str(path))
    process = bundle.root.processes[0]
    c = estimate.compare(process, bundle, process, bundle, A, samples=1000)
    if c.staff_hours_saved is not None:
        r = c.staff_hours_saved
        assert (r.expected, r.p10, r.p50, r.p90) == (0, 0, 0, 0)
        assert c.payback_years is None and c.costs is None  # no cost known
    assert {s.status for s in c.steps} == {"same"}


@pytest.mark.parametrize("path", sorted([*PROCESSES.glob("*.bpr"), *CORPUS.glob("*.bpr")]),
                         ids=lambda p: p.stem)
def test_the_step_table_adds_up_to_its_totals(path: Path) -> None:
    bundle = bprkit.load(str(path))
    for process in bundle.root.processes:
        if process.volume is None:
            continue
        e = estimate.estimate(process, bundle, A, samples=500)
        steps = e.steps
        assert sum(s.staff_hours_saved for s in steps) == pytest.approx(
            e.staff_hours_saved.expected)
        assert sum(s.staff_hours_saved for s in steps) == pytest.approx(
            e.asis_metrics.annual_staff_hours - e.tobe_metrics.annual_staff_hours, abs=1e-6)
        assert sum(s.resident_hours_saved for s in steps) == pytest.approx(
            e.resident_hours_saved.expected)
        assert sum(s.resident_hours_saved for s in steps) == pytest.approx(
            e.asis_metrics.annual_resident_hours - e.tobe_metrics.annual_resident_hours,
            abs=1e-6)
        assert sum(s.external_hours_saved for s in steps) == pytest.approx(
            e.external_hours_saved)


def test_csv_keeps_the_hours_apart() -> None:
    r = run_cli("estimate", str(PROCESSES / "tenshutsu.bpr"), "--format", "csv",
                "--samples", "200")
    header = r.stdout.lstrip("\ufeff").splitlines()[0].split(",")
    assert {"staff_hours_saved", "resident_hours_saved", "external_hours_saved"} <= set(header)
    assert "annual_hours_saved" not in header


# ── uncertainty ──
def test_bands_for_lead_time_and_resident_hours() -> None:
    bundle = bprkit.load(str(PROCESSES / "tenshutsu.bpr"))
    e = estimate.estimate(bundle.root.processes[0], bundle, A, samples=4000)
    for r in (e.lead_time_days, e.resident_hours_saved):
        assert r.p10 < r.p50 < r.p90
    assert e.lead_time_days.mean == pytest.approx(e.lead_time_days.expected, rel=0.05)
    assert 0 < e.assumption_share < 1
    assert set(e.reductions) == {"staff", "resident", "lead", "wait"}


def test_memory_is_bounded_by_chunks() -> None:
    assert sampling.CHUNK_CELLS <= 2_000_000
    assert sum(sampling.chunks(10_000, 10_000)) == 10_000
    assert max(sampling.chunks(10_000, 10_000)) * 10_000 <= sampling.CHUNK_CELLS


# ── lead time and batches ──
def test_lead_time_ends_when_the_resident_has_the_outcome(tmp_path: Path) -> None:
    process, bundle = load_text(tmp_path, """process p {
  volume 1,000 / year
  lane 住民 : resident
  lane 窓口 : counter
  lane 書庫 : storage
  step 申請 @住民 [in_person] 10min wait 20min
  step 交付 @窓口 [issue, in_person] 5min
  step 保管 @書庫 [paper] 1min wait 2d
}
""")
    a = analyze_process(process, bundle)
    assert a.metrics.lead_time_hours == pytest.approx(35 / 60)
    assert a.metrics.back_office_after_hours == pytest.approx((2 * 7.75 * 60 + 1) / 60)
    assert a.metrics.waiting_share == pytest.approx(20 / 35)


def test_a_batched_step_shares_staff_time_and_every_case_waits(tmp_path: Path) -> None:
    process, bundle = load_text(tmp_path, """process p {
  volume 2,430 / year
  lane 課長 : approval
  step 決裁 @課長 [seal] 30min {
    batch 10
  }
}
""")
    a = analyze_process(process, bundle)
    assert a.metrics.staff_minutes_per_case == pytest.approx(3.0)
    per_case = 243 * 7.75 * 60 / 2430  # working minutes between two arrivals
    assert a.metrics.lead_time_hours == pytest.approx((30 + 4.5 * per_case) / 60)
    process, bundle = load_text(tmp_path, """process 決裁 {
  lane 課長 : approval
  step 押印 @課長 [seal] 60min
}
process p {
  volume 1,200 / year
  lane 事務 : back_office
  step 起案 @事務 5min
  use 決裁 batch month
}
""")
    a = analyze_process(bundle.process("p"), bundle)
    assert a.metrics.staff_minutes_per_case == pytest.approx(5 + 60 / 100)
    half_month = 243 * 7.75 * 60 / 12 / 2
    assert a.metrics.lead_time_hours == pytest.approx((5 + 60 + half_month) / 60)


# ── compare and redesign files ──
def test_compare_reads_replaces_and_payback_is_unknown(tmp_path: Path) -> None:
    asis = tmp_path / "a.bpr"
    asis.write_text("process a {\n  volume 100 / year\n  lane 事務 : back_office\n"
                    "  step 入力 @事務 [transcribe, paper] 10min\n"
                    "  step 照合 @事務 [check, paper] 5min\n}\n", encoding="utf-8")
    tobe = tmp_path / "b.bpr"
    tobe.write_text('import "a.bpr"\nprocess b {\n  volume 100 / year\n  state to_be\n'
                    "  based_on a\n  lane 事務 : back_office\n"
                    "  step 自動入力 @事務 [ai_ocr, rpa] 2min {\n    replaces 入力, 照合\n  }\n"
                    "}\n", encoding="utf-8")
    r = run_cli("compare", str(asis), str(tobe), "--format", "json", "--samples", "200")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    status = {s["id"]: s["status"] for s in doc["steps"]}
    assert status == {"入力": "changed", "照合": "changed"}
    assert doc["totals"]["payback_years"] is None and doc["totals"]["payback"] == "unknown"
    assert doc["totals"]["annual_staff_hours"]["saved"] == pytest.approx(100 * 13 / 60, abs=1e-3)
    text = run_cli("compare", str(asis), str(tobe), "--lang", "en", "--samples", "200").stdout
    assert "payback unknown" in text and "0.0 years" not in text


def test_hand_written_tenshutsu_pair_is_matched_step_by_step() -> None:
    r = run_cli("compare", str(PROCESSES / "tenshutsu.bpr"),
                str(PROCESSES / "tenshutsu_tobe.bpr"), "--format", "json", "--samples", "200")
    doc = json.loads(r.stdout)
    assert [s["id"] for s in doc["steps"] if s["status"] == "added"] == []


def test_redesign_never_overwrites_a_file_it_did_not_write(tmp_path: Path) -> None:
    asis = tmp_path / "t.bpr"
    asis.write_text((PROCESSES / "tenshutsu.bpr").read_text(encoding="utf-8"),
                    encoding="utf-8")
    mine = tmp_path / "t_tobe.bpr"
    mine.write_text("# hand-written\n", encoding="utf-8")
    r = run_cli("redesign", str(asis), "--lang", "en")
    assert r.returncode == 2 and "--force" in r.stderr and "-o" in r.stderr
    assert mine.read_text(encoding="utf-8") == "# hand-written\n"
    r = run_cli("redesign", str(asis), "--force")
    assert r.returncode == 0
    r = run_cli("redesign", str(asis))  # its own output: rewritten without --force
    assert r.returncode == 0, r.stderr


def test_redesign_never_overwrites_an_import(tmp_path: Path) -> None:
    (tmp_path / "common").mkdir()
    lib = tmp_path / "common" / "kessai.bpr"
    lib.write_text((PROCESSES / "common" / "kessai.bpr").read_text(encoding="utf-8"),
                   encoding="utf-8")
    main = tmp_path / "m.bpr"
    main.write_text('import "common/kessai.bpr"\nprocess m {\n  volume 10 / year\n'
                    "  lane 事務 : back_office\n  step a @事務 5min\n  use 課長決裁\n}\n",
                    encoding="utf-8")
    before = lib.read_bytes()
    r = run_cli("redesign", str(main), "-o", str(lib), "--force")
    assert r.returncode == 2 and lib.read_bytes() == before


def test_redesign_redesigns_used_processes_and_calls_them(tmp_path: Path) -> None:
    main = tmp_path / "m.bpr"
    main.write_text("process 部長決裁 {\n  lane 部長 : approval\n"
                    "  step 押印 @部長 [seal, paper] 5min wait 1d\n}\n"
                    "process m {\n  volume 500 / year\n  lane 事務 : back_office\n"
                    "  step a @事務 5min\n  use 部長決裁\n}\n", encoding="utf-8")
    r = run_cli("redesign", str(main))
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "m_tobe.bpr").read_text(encoding="utf-8")
    assert "use 部長決裁_tobe" in text and "process 部長決裁_tobe" in text
    assert check_files([str(tmp_path / "m_tobe.bpr")]).ok


def test_a_to_be_lever_line_means_already_applied(tmp_path: Path) -> None:
    """redesign writes the levers a changed step rests on; estimating the To-Be applies
    nothing more there, and compare carries those levers' uncertainty."""
    asis = tmp_path / "a.bpr"
    asis.write_text("process a {\n  volume 1,000 / year\n  lane 事務 : back_office\n"
                    "  step 入力 @事務 [transcribe, paper] 10min\n}\n", encoding="utf-8")
    assert run_cli("redesign", str(asis)).returncode == 0
    text = (tmp_path / "a_tobe.bpr").read_text(encoding="utf-8")
    assert "lever ai_ocr, rpa" in text
    bundle = bprkit.load(str(tmp_path / "a_tobe.bpr"))
    tobe = bundle.process("a_tobe")
    again = estimate.estimate(tobe, bundle, A, samples=200)
    assert again.steps[0].levers == () and again.staff_hours_saved.expected == 0
    asis_bundle = bprkit.load(str(asis))
    c = estimate.compare(asis_bundle.root.processes[0], asis_bundle, tobe, bundle, A,
                         samples=2000)
    e = estimate.estimate(asis_bundle.root.processes[0], asis_bundle, A, samples=2000)
    assert c.staff_hours_saved.p10 == pytest.approx(e.staff_hours_saved.p10, rel=0.01)
    assert c.staff_hours_saved.p90 == pytest.approx(e.staff_hours_saved.p90, rel=0.01)


def test_ai_ocr_set_up_counts_once_per_batch(tmp_path: Path) -> None:
    """A batched step (one job of 100 sheets) pays AI-OCR's set-up once per run."""
    s = _one(tmp_path, "事務", "back_office", "[transcribe, paper] 90min", "batch 100",
             levers=["ai_ocr"])
    served = 1 - _v("ai_ocr", "exception_rate")
    keep = 1 - served * (1 - _v("ai_ocr", "minutes_factor") - _v("ai_ocr", "verify_factor"))
    assert s.tobe_minutes == pytest.approx(90 * keep + served * _v("ai_ocr", "setup_minutes"))
    assert s.executions == pytest.approx(1 / 100)
    unbatched = _one(tmp_path, "事務", "back_office", "[transcribe, paper] 0.9min",
                     levers=["ai_ocr"])
    assert unbatched.tobe_minutes == pytest.approx(0.9 * keep)  # no set-up per sheet


def test_a_visit_is_spared_only_when_no_step_of_it_needs_the_resident(tmp_path: Path) -> None:
    process, bundle = load_text(tmp_path, """process p {
  volume 1,200 / year
  lane 住民 : resident
  lane 窓口 : counter
  step 申請 @住民 [paper, in_person] 10min
  step 手数料 @窓口 [cash, in_person] 2min
}
""")
    e = estimate.estimate(process, bundle, A, samples=500)
    assert "online" in _step(e, "申請").levers
    assert e.tobe_metrics.resident.visits == pytest.approx(1.0)  # the fee is paid in person


def test_a_rework_branch_taken_by_a_few_does_not_keep_the_visit(tmp_path: Path) -> None:
    process, bundle = load_text(tmp_path, """process p {
  volume 1,200 / year
  lane 住民 : resident
  lane 窓口 : counter
  step 申請 @住民 [paper, in_person] 10min
  step 受付 @窓口 [in_person] 3min
  branch {
    10% -> 説明
    else -> 交付
  }
  step 説明 @窓口 [in_person] 2min -> 申請 {
    lever none
  }
  step 交付 @窓口 [issue, in_person] 1min {
    lever online
  }
}
""")
    e = estimate.estimate(process, bundle, A, levers=["online"], samples=300)
    share = _v("online", "adoption") * (1 - _v("online", "exception_rate"))
    assert e.tobe_metrics.resident.visits == pytest.approx(1 - share)


@pytest.mark.parametrize("path", sorted(p for p in PROCESSES.glob("*.bpr")
                                        if "tobe" not in p.stem), ids=lambda p: p.stem)
def test_compare_rows_add_up_to_its_totals(tmp_path: Path, path: Path) -> None:
    bundle = bprkit.load(str(path))
    result = redesign.redesign_all(bundle.root.processes, bundle, A)
    tobe_path = tmp_path / "t.bpr"
    tobe_path.write_text(writer.write(SourceFile(str(tobe_path), (
        bprkit.model.Import(path.resolve().as_posix()),), result.processes)), encoding="utf-8")
    tobe_bundle = bprkit.load(str(tobe_path))
    for process in bundle.root.processes:
        if process.volume is None:
            continue
        tobe = next(p for p in tobe_bundle.root.processes if p.based_on == process.id)
        c = estimate.compare(process, bundle, tobe, tobe_bundle, A, samples=200)
        cases = c.asis_metrics.cases_per_year
        assert sum(s.staff_hours_saved for s in c.steps) == pytest.approx(
            c.staff_hours_saved.expected)
        assert sum(s.resident_hours_saved for s in c.steps) == pytest.approx(
            (c.asis_metrics.resident_minutes_per_case
             - c.tobe_metrics.resident_minutes_per_case) * cases / 60, abs=1e-6)


def test_payback_never_when_the_yearly_costs_eat_the_saving(tmp_path: Path) -> None:
    path = tmp_path / "small.bpr"
    path.write_text("process p {\n  volume 10 / year\n  lane 事務 : back_office\n"
                    "  step 入力 @事務 [transcribe, paper] 5min\n}\n", encoding="utf-8")
    r = run_cli("estimate", str(path), "--format", "json", "--samples", "100")
    totals = json.loads(r.stdout)["totals"]
    assert totals["payback"] == "never" and totals["payback_years"] is None
    text = run_cli("estimate", str(path), "--lang", "ja", "--samples", "100").stdout
    assert "投資回収 できない" in text


# ── lead time through parallel paths (found in review) ──
LEVER_FIXTURES = Path(__file__).parent / "fixtures" / "levers"


def _analysed(name: str):
    bundle = bprkit.load(str(LEVER_FIXTURES / name))
    return bundle, analyze_process(bundle.root.processes[0], bundle)


def test_the_outcome_on_the_shorter_parallel_path_ends_the_lead_time() -> None:
    _, a = _analysed("outcome_on_shorter_path.bpr")
    day = 7.75 * 60
    # 申請 10 min, then the notice path: 5 days' wait and 5 min (the survey runs on)
    assert a.metrics.lead_time_hours * 60 == pytest.approx(10 + 5 * day + 5)


def test_the_to_be_band_follows_the_to_be_longest_path() -> None:
    bundle, _ = _analysed("lever_changes_longest_path.bpr")
    e = estimate.estimate(bundle.root.processes[0], bundle, A, samples=2000)
    band = e.lead_time_days
    assert band.p10 <= band.expected <= band.p90


def test_a_batched_use_on_the_shorter_path_adds_no_wait() -> None:
    _, a = _analysed("batched_use_on_shorter_path.bpr")
    day = 7.75 * 60
    assert a.metrics.lead_time_hours * 60 == pytest.approx(10 + 10 + 60 * day + 5)


def test_a_period_batch_waits_half_the_period_at_any_volume(tmp_path: Path) -> None:
    for volume in ("volume 6 / year\n", ""):
        process, bundle = load_text(tmp_path, "process p {\n  " + volume
                                + "  lane 課長 : approval\n  step 決裁 @課長 [seal] 10min {\n"
                                "    batch month\n  }\n}\n")
        a = analyze_process(process, bundle)
        half_month = 243 * 7.75 * 60 / 12 / 2
        assert a.metrics.lead_time_hours * 60 == pytest.approx(10 + half_month)
