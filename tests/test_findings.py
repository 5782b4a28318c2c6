"""Every finding rule: a positive and a negative fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from bprkit.analysis.findings import PRINCIPLES, RULES
from bprkit.messages import catalog as messages

from .test_analysis import analyse

HEAD = """process p {
  volume 1,000 / year
  lane 住民 : resident
  lane 窓口 : counter
  lane 保険 : counter
  lane 事務 : back_office
  lane 係長 : approval
  lane 課長 : approval
  lane 部長 : approval
  lane 書庫 : storage
  lane 県 : external
  document 紙票 : paper
  document 電子票 : electronic
  data 氏名 : held
  data 理由
"""


def tagged(tag: str) -> tuple[str, str]:
    return (f"  step s @事務 [{tag}] 5min\n", "  step s @事務 [auto] 5min\n")


CASES: dict[str, tuple[str, str]] = {
    **{tag: tagged(tag) for tag in ("paper", "seal", "in_person", "handwritten", "transcribe",
                                    "check", "print", "postal", "fax", "phone", "cash")},
    "once_only": ("  step s @住民 3min { writes 氏名 }\n",
                  "  step s @住民 3min { writes 理由 }\n"),
    "one_stop": ("  step a @窓口 [in_person] 3min\n  step b @保険 [in_person] 3min\n",
                 "  step a @窓口 [in_person] 3min\n  step b @窓口 [in_person] 3min\n"),
    "approval_chain": ("  step a @係長 1min\n  step b @課長 1min\n  step c @部長 1min\n",
                       "  step a @係長 1min\n  step b @課長 1min\n  step c @事務 1min\n"),
    "handoffs": ("".join(f"  step s{i} @{'窓口' if i % 2 else '事務'} 1min\n" for i in range(9)),
                 "".join(f"  step s{i} @事務 1min\n" for i in range(9))),
    "rework": ("  step a @事務 1min\n  step b @事務 1min\n  branch {\n    10% -> a\n"
               "    else -> end\n  }\n",
               "  step a @事務 1min\n  step b @事務 1min\n  branch {\n    5% -> a\n"
               "    else -> end\n  }\n"),
    "paper_storage": ("  step s @事務 1min { stores 紙票 for 5 years }\n",
                      "  step s @事務 1min { stores 電子票 for 5 years }\n"),
    "paper_inquiry": ("  step s @県 [paper] 10min { reads 氏名 }\n",
                      "  step s @県 10min { reads 氏名 }\n"),
    "waiting": ("  step s @事務 10min wait 1d\n", "  step s @事務 10min wait 10min\n"),
}


def test_every_rule_has_cases_and_metadata() -> None:
    assert {r.name for r in RULES} == set(CASES)
    assert len({r.code for r in RULES}) == len(RULES)
    for r in RULES:
        assert r.principle in PRINCIPLES and r.levers and r.severity in ("high", "medium", "low")


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_fires_on_the_positive_fixture_only(tmp_path: Path, name: str) -> None:
    positive, negative = CASES[name]
    found = analyse(tmp_path, HEAD + positive + "}\n").findings
    hits = [f for f in found if f.rule == name]
    assert hits, [f.rule for f in found]
    f = hits[0]
    assert f.span is not None and f.span.line > 15  # points at a step of the fixture
    for lang in messages.LANGUAGES:
        assert f.title(lang) and "{" not in f.message(lang)
    missed = analyse(tmp_path, HEAD + negative + "}\n").findings
    assert name not in {f.rule for f in missed}


def test_approval_chain_counts_through_use(tmp_path: Path) -> None:
    text = ("process route {\n  lane 課長 : approval\n  step c @課長 1min\n}\n" + HEAD +
            "  step a @係長 1min\n  step b @課長 1min\n  use route\n}\n")
    hits = [f for f in analyse(tmp_path, text).findings if f.rule == "approval_chain"]
    assert [f.args["chain"] for f in hits] == ["a → b → route.c"]


def test_once_only_flags_an_item_written_twice(tmp_path: Path) -> None:
    text = HEAD + ("  step a @住民 1min { writes 理由 }\n  step b @住民 1min { writes 理由 }\n}\n")
    hits = [f for f in analyse(tmp_path, text).findings if f.rule == "once_only"]
    assert [(f.step, f.args["again"]) for f in hits] == [("b", ("理由",))]
    assert "理由" in hits[0].message("ja") and "理由" in hits[0].message("en")


def test_hours_at_stake_and_basis(tmp_path: Path) -> None:
    text = HEAD + ('  step s @事務 [seal] 6min { basis 「要綱第3条」 }\n}\n')
    f = next(f for f in analyse(tmp_path, text).findings if f.rule == "seal")
    assert f.annual_hours == pytest.approx(1000 * 6 / 60)
    assert f.basis == ("要綱第3条",)
    assert f.to_dict("ja")["principle"] == "書面・押印・対面の見直し"


# ── F107: the issued document itself is not a finding ──

def test_print_of_the_issued_certificate_is_not_a_finding(tmp_path: Path) -> None:
    tagged_issue = HEAD + "  step s @窓口 [print, issue] 2min\n}\n"
    assert "print" not in {f.rule for f in analyse(tmp_path, tagged_issue).findings}
    handed = HEAD + ("  step p @事務 [print] 2min { produces 紙票 }\n"
                     "  step s @窓口 [issue, in_person] 1min { uses 紙票 }\n}\n")
    found = analyse(tmp_path, handed).findings
    assert "print" not in {f.rule for f in found}
    assert "in_person" in {f.rule for f in found}  # the step itself is still looked at


def test_print_of_an_internal_document_is_still_a_finding(tmp_path: Path) -> None:
    text = HEAD + ("  step p @事務 [print] 2min { produces 紙票 }\n"
                   "  step q @事務 [print] 2min { produces 電子票 }\n"
                   "  step s @窓口 [issue] 1min { uses 電子票 }\n}\n")
    hits = [f for f in analyse(tmp_path, text).findings if f.rule == "print"]
    assert [f.step for f in hits] == ["p"]


# ── F102: e-approval only for an approval step ──

@pytest.mark.parametrize("step,levers", [
    ("step s @係長 [seal] 2min", ("e_approval",)),
    ("step s @窓口 [seal, cash] 2min", ("seal_abolition",)),   # 領収印: no resident there
    ("step s @住民 [seal, handwritten] 2min", ("seal_abolition", "online")),
    ("step s @事務 [seal, approval] 2min", ("e_approval",)),            # kind by tag
    ("step s @係長 [seal, counter] 2min", ("seal_abolition",)),
])
def test_seal_levers_follow_the_kind_of_step(tmp_path: Path, step: str,
                                            levers: tuple[str, ...]) -> None:
    (f,) = [f for f in analyse(tmp_path, HEAD + f"  {step}\n}}\n").findings if f.rule == "seal"]
    assert f.levers == levers
    assert f.to_dict()["levers"] == list(levers)


# ── F208: the wait the resident lives ──

WAITING = """process p {
  volume 100 / year
  lane 住民 : resident
  lane 窓口 : counter
  lane 事務 : back_office
  lane 書庫 : storage
  step 申請 @住民 [in_person] 5min
  step 審査 @事務 10min wait 3d
  step 交付 「証明書を交付」 @窓口 [in_person, %s] 2min wait 20min
  step 保管 @書庫 1min wait 10d
}
"""


def test_waiting_names_the_wait_before_the_outcome(tmp_path: Path) -> None:
    (f,) = [f for f in analyse(tmp_path, WAITING % "issue").findings if f.rule == "waiting"]
    assert f.step == "審査"  # 3 days before the issue, not the 10 days of filing after it
    assert "審査" in f.message("en") and "保管" not in f.message("ja")
    (f,) = [f for f in analyse(tmp_path, WAITING % "notice").findings if f.rule == "waiting"]
    assert f.step == "審査"


def test_waiting_without_an_outcome_tag_ends_where_the_resident_last_takes_part(
        tmp_path: Path) -> None:
    text = WAITING.replace(", %s", "")
    (f,) = [f for f in analyse(tmp_path, text).findings if f.rule == "waiting"]
    assert f.step == "審査"


def test_waiting_of_an_internal_procedure_is_the_whole_flow(tmp_path: Path) -> None:
    text = HEAD + "  step a @事務 10min wait 1d\n  step b @書庫 1min wait 5d\n}\n"
    (f,) = [f for f in analyse(tmp_path, text).findings if f.rule == "waiting"]
    assert f.step == "b"


def test_waiting_all_after_the_outcome_is_not_found(tmp_path: Path) -> None:
    """Every wait comes after the resident has the certificate: the lead time counts
    only up to the outcome, so nothing waits in it and nothing is found."""
    text = HEAD + ("  step a @住民 [in_person] 5min\n  step b @窓口 [issue] 1min\n"
                   "  step c @書庫 1min wait 5d\n}\n")
    a = analyse(tmp_path, text)
    assert a.metrics.waiting_share == 0
    assert [f for f in a.findings if f.rule == "waiting"] == []


WAIT_AFTER_A_BATCH = """process sub {
  lane 窓口 : counter
  lane 書庫 : storage
  parallel {
    path 「交付」 {
      step b @窓口 [issue] 1min
    }
    path 「保管」 {
      step c @書庫 1min wait 5d
    }
  }
}
"""


def test_waiting_that_names_no_step_says_no_empty_name(tmp_path: Path) -> None:
    """Waits dominate the lead time, yet no step before the outcome has one: the batch
    wait before ``use sub`` counts in the resident's lead (the outcome, 交付, is in
    sub) but hangs on sub's longest path, whose step (保管) comes after the outcome.
    The finding then names no step (message_plain) and its words hold no empty name."""
    text = WAIT_AFTER_A_BATCH + HEAD + "  step a @住民 [in_person] 5min\n  use sub batch month\n}\n"
    found = [f for f in analyse(tmp_path, text).findings if f.rule == "waiting"]
    assert len(found) == 1, found  # the input must reach the plain message, or this tests nothing
    (f,) = found
    assert f.variant == "message_plain"
    for lang in messages.LANGUAGES:
        assert "「" not in f.message(lang) and "'" not in f.message(lang)
        assert "%" in f.message(lang) and "{" not in f.message(lang)


# ── no empty placeholders ──

@pytest.mark.parametrize("writes,held,again", [
    ("writes 氏名 }\n  step b @住民 1min { writes 理由", False, False),  # nothing repeated
    ("writes 氏名 }\n  step b @住民 1min { writes 氏名", True, True),
    ("writes 理由 }\n  step b @住民 1min { writes 理由", False, True),
])
def test_once_only_says_only_what_it_found(tmp_path: Path, writes: str, held: bool,
                                          again: bool) -> None:
    text = HEAD + f"  step a @住民 1min {{ {writes} }}\n}}\n"
    hits = [f for f in analyse(tmp_path, text).findings if f.rule == "once_only"]
    last = [f for f in hits if f.step == "b"]
    assert bool(last) == (held or again)
    for f in last:
        for lang in messages.LANGUAGES:
            assert "（）" not in f.message(lang) and "()" not in f.message(lang)
        en = f.message("en")
        assert ("holds" in en) == held and ("before" in en) == again


def test_paper_storage_without_a_named_document(tmp_path: Path) -> None:
    text = HEAD + "  step s @書庫 [paper] 1min\n}\n"
    (f,) = [f for f in analyse(tmp_path, text).findings if f.rule == "paper_storage"]
    assert f.message("ja") == "「s」で記録を紙で保存しています"
    assert f.message("en") == "'s' keeps records on paper"


FORBIDDEN = ("（-）", "(-)", "{", "}", "None", "nan", "（）", "()")


def _every_analysis() -> list:
    from bprkit.analysis.records import analyze_process
    from bprkit.text.loader import check_files, find_files

    from .conftest import FIXTURES, PROCESSES

    out = []
    for path in find_files([str(PROCESSES), str(FIXTURES)]):
        report = check_files([path])
        if report.ok and report.files[0].bundle:
            bundle = report.files[0].bundle
            out += [analyze_process(p, bundle) for p in bundle.root.processes]
    return out


def test_no_finding_or_entry_has_an_empty_placeholder() -> None:
    analyses = _every_analysis()
    assert len(analyses) > 20
    seen = 0
    for a in analyses:
        for lang in ("ja", "en"):
            texts = []
            for f in a.findings:
                texts += [f.title(lang), f.message(lang), f.detail(lang)]
            for e in a.findings_by_step():
                texts += [*e.lines(lang), e.title(lang), e.heading(lang)]
                texts += [str(v) for k, v in e.to_dict(lang).items()
                          if k in ("title", "label", "step")]
                texts += [f["message"] for f in e.to_dict(lang)["findings"]]
            for text in texts:
                seen += 1
                assert not any(bad in text for bad in FORBIDDEN), (a.id, lang, text)
    assert seen > 1000


# ── the levers a finding offers come from the lever engine ──

def test_findings_offer_only_levers_that_work_on_the_step(tmp_path: Path) -> None:
    text = ("process p {\n  volume 100 / year\n  lane 窓口 : counter\n  lane 事務 : back_office\n"
            "  step 認証 @窓口 [seal, check] 2min {\n    lever none\n  }\n"
            "  step 審査 @事務 [check, judgement] 5min\n"
            "  step 入力 @事務 [transcribe, paper] 5min\n}\n")
    found = {(f.step, f.rule): f.levers for f in analyse(tmp_path, text).findings}
    assert found[("認証", "seal")] == ()          # the registered seal stays: lever none
    assert "rpa" not in found[("審査", "check")]  # judgement: no robot
    assert found[("入力", "transcribe")] == ("rpa", "ai_ocr")  # AI-OCR opens the way for RPA


def test_a_list_in_a_finding_is_said_in_the_readers_language(tmp_path: Path) -> None:
    """The documents a step stores on paper: 「申請書、図面」 in Japanese, "申請書, 図面" in
    English (the finding keeps the list; the catalog's separator joins it)."""
    documents = "process p {\n  document 申請書 : 紙\n  document 図面 : 紙"
    text = HEAD.replace("process p {", documents) \
        + "  step a @事務 1min { stores 申請書, 図面 for 5 years }\n}\n"
    (hit,) = [f for f in analyse(tmp_path, text).findings if f.rule == "paper_storage"]
    assert hit.args["documents"] == ("申請書", "図面")
    assert "申請書、図面" in hit.message("ja")
    assert "申請書, 図面" in hit.message("en")
