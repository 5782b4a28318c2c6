"""Every finding rule: a positive and a negative fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from bprkit import messages
from bprkit.findings import PRINCIPLES, RULES

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
    assert [(f.step, f.args["again"]) for f in hits] == [("b", "理由")]


def test_hours_at_stake_and_basis(tmp_path: Path) -> None:
    text = HEAD + ('  step s @事務 [seal] 6min { basis 「要綱第3条」 }\n}\n')
    f = next(f for f in analyse(tmp_path, text).findings if f.rule == "seal")
    assert f.annual_hours == pytest.approx(1000 * 6 / 60)
    assert f.basis == ("要綱第3条",)
    assert f.to_dict("ja")["principle"] == "書面・押印・対面の見直し"
