"""Japanese output is Japanese: analyze, estimate and portfolio under --lang ja name
no English key (CSV headers, lever keys, kinds, statuses, payback words, assumption
keys), and --lang en keeps the English keys scripts read."""

from __future__ import annotations

import csv
import io
import re

import pytest

from bprkit.assumptions import catalog as assumptions
from bprkit.messages import catalog as messages

from .clirunner import run_cli
from .conftest import PROCESSES

LEVER_KEYS = sorted(assumptions.default().levers)
KINDS = ("resident", "counter", "back_office", "approval", "storage", "system", "external")
ANALYZE = ["process", "step", "label", "lane", "kind", "executions", "minutes", "wait_minutes",
           "staff_hours", "resident_hours", "external_hours", "findings", "file", "line",
           "finding_rank", "levers"]
ESTIMATE = ["step", "label", "kind", "levers", "status", "executions", "asis_minutes",
            "tobe_minutes", "asis_wait", "tobe_wait", "staff_hours_saved",
            "resident_hours_saved", "external_hours_saved"]
PORTFOLIO = ["rank", "file", "process", "title", "owner", "cases_per_year", "staff_hours", "yen",
             "saved_p10", "saved_p50", "saved_p90", "resident_hours_saved", "visits_saved",
             "paper_removed", "seal_removed", "in_person_removed", "payback", "payback_years",
             "levers", "peak_staff", "season_days", "season_share"]


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _keys_in(text: str, keys: list[str] | tuple[str, ...]) -> set[str]:
    """The keys that appear as words of their own (not inside a path or a longer key)."""
    return {k for k in keys if re.search(rf"(?<![\w./-]){re.escape(k)}(?![\w.-])", text)}


def _cells(rows: list[list[str]], skip: tuple[int, ...] = ()) -> str:
    return "\n".join(c for row in rows for n, c in enumerate(row) if n not in skip)


@pytest.mark.parametrize("command,columns", [
    (("analyze", str(PROCESSES)), ANALYZE),
    (("estimate", str(PROCESSES / "tenshutsu.bpr"), "--samples", "300"), ESTIMATE),
    (("compare", str(PROCESSES / "tenshutsu.bpr"), str(PROCESSES / "tenshutsu_tobe.bpr"),
      "--samples", "300"), ESTIMATE),
    (("portfolio", str(PROCESSES), "--samples", "200", "--quiet"), PORTFOLIO),
])
def test_csv_headers_and_words_follow_the_language(command: tuple[str, ...],
                                                    columns: list[str]) -> None:
    en = _rows(run_cli(*command, "--format", "csv", "--lang", "en").stdout)
    ja = _rows(run_cli(*command, "--format", "csv", "--lang", "ja").stdout)
    assert en[0] == columns  # English: the keys scripts read, unchanged
    assert ja[0] == [messages.column("ja", k) for k in columns]
    assert not set(ja[0]) & set(columns)  # no English header under ja
    assert all(re.search(r"[ぁ-んァ-ヶ一-龯]", h) for h in ja[0])
    assert len(en) == len(ja) and all(len(r) == len(columns) for r in ja[1:])
    # cells: file paths, ids and labels are the user's; the words bprkit writes are
    # Japanese under ja (levers as their titles, kinds, statuses, payback)
    ours = tuple(n for n, c in enumerate(columns) if c in ("file",))
    words = _cells(ja[1:], ours)
    assert _keys_in(words, LEVER_KEYS) == set(), _keys_in(words, LEVER_KEYS)
    assert _keys_in(words, KINDS) == set()
    assert _keys_in(words, ("same", "changed", "removed", "added", "years", "never",
                            "unknown", "in_person", "once_only", "handwritten")) == set()
    # and the English ones stay under en
    if "levers" in columns and command[0] != "compare":  # compare names no levers
        assert _keys_in(_cells(en[1:]), LEVER_KEYS)
    if "kind" in columns:
        k = columns.index("kind")
        assert {r[k] for r in en[1:]} - {""} <= set(KINDS)
        assert {r[k] for r in ja[1:]} - {""} <= {messages.text("ja", f"role_{x}") for x in KINDS}


def test_estimate_csv_values_by_hand() -> None:
    """tenshutsu's 入力 step: AI-OCR and RPA in the catalog's order, as 'AI-OCR＋RPA' under
    ja and 'ai_ocr+rpa' under en; the kind back_office is 内部事務."""
    args = ("estimate", str(PROCESSES / "tenshutsu.bpr"), "--samples", "300", "--format", "csv")
    en = {r[0]: r for r in _rows(run_cli(*args, "--lang", "en").stdout)[1:]}
    ja = {r[0]: r for r in _rows(run_cli(*args, "--lang", "ja").stdout)[1:]}
    titles = {k: lever.title("ja") for k, lever in assumptions.default().levers.items()}
    keys = en["入力"][3].split("+")
    assert keys and ja["入力"][3] == "＋".join(titles[k] for k in keys)
    assert (en["入力"][2], ja["入力"][2]) == ("back_office", "内部事務")
    compare = ("compare", str(PROCESSES / "tenshutsu.bpr"), str(PROCESSES / "tenshutsu_tobe.bpr"),
               "--samples", "300", "--format", "csv")
    statuses = {r[4] for r in _rows(run_cli(*compare, "--lang", "ja").stdout)[1:]}
    assert statuses and statuses <= {messages.text("ja", f"status_{s}") for s in
                                     ("same", "changed", "removed", "added")} | {""}


def test_estimate_and_analyze_text_in_japanese_name_no_keys() -> None:
    r = run_cli("estimate", str(PROCESSES / "tenshutsu.bpr"), "--samples", "300", "--lang", "ja")
    assert _keys_in(r.stdout, LEVER_KEYS) == set()
    assert "levers." not in r.stdout and "default" not in r.stdout  # assumptions by name
    assert "前提: 既定" in r.stdout and "時間の係数" in r.stdout
    r = run_cli("estimate", str(PROCESSES / "tenshutsu.bpr"), "--samples", "300", "--lang", "en")
    assert "levers." in r.stdout and "assumptions: default" in r.stdout
    # analyze: the figures above the findings list (the list's own lines are findings.py's)
    out = run_cli("analyze", str(PROCESSES), "--lang", "ja").stdout
    head = "\n".join(line for block in out.split("\n\n") for line in
                     block.split("  指摘")[0].splitlines()[1:])
    assert _keys_in(head, LEVER_KEYS + list(KINDS)) == set()


def test_portfolio_csv_says_the_season_and_payback_in_japanese() -> None:
    """shikenmin_zei: 80 % of 8,000 cases in 20 days (320 a day)."""
    args = ("portfolio", str(PROCESSES), "--samples", "200", "--quiet", "--format", "csv")
    for lang in ("ja", "en"):
        rows = _rows(run_cli(*args, "--lang", lang).stdout)
        row = next(dict(zip(PORTFOLIO, r, strict=True)) for r in rows[1:] if r[2] == "市県民税申告")
        assert (row["season_days"], row["season_share"]) == ("20", "0.8")
        assert float(row["peak_staff"]) == pytest.approx(26.84, abs=0.01)
        assert row["payback"] == messages.column(lang, "value_years")
    assert messages.column("ja", "value_years") == "回収あり"
