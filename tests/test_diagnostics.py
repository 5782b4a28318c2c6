"""Every diagnostic code: a bad-input fixture asserting code, line and column."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bprkit import messages
from bprkit.loader import check_files

from .conftest import FIXTURES, check_text, codes

DIAG = FIXTURES / "diagnostics"
_EXPECT = re.compile(r"# expect: ([EW]\d{3}) (\d+):(\d+)")


def _fixtures() -> list[Path]:
    return sorted(DIAG.glob("*.bpr"))


@pytest.mark.parametrize("path", _fixtures(), ids=lambda p: p.stem)
def test_fixture_reports_its_code_at_its_place(path: Path) -> None:
    code, line, column = _EXPECT.match(path.read_text(encoding="utf-8")).groups()
    report = check_files([str(path)])
    found = [(d.code, d.span.line, d.span.column) for d in report.diagnostics]
    assert (code, int(line), int(column)) in found, found
    if code.startswith("E"):
        assert not report.ok
    diag = next(d for d in report.diagnostics if d.code == code)
    for lang in messages.LANGUAGES:
        text = diag.render(lang)
        assert f"[{code}]" in text and "^" in text  # source line with a caret
        assert diag.hint(lang)
        assert not re.search(r"\{\w+\}", diag.message(lang) + diag.hint(lang))  # all filled


# Codes that need bytes or several files rather than one text fixture.
FILE_LEVEL = {"E004", "E005", "E007", "E041", "W004"}


def test_every_code_has_a_test() -> None:
    assumption_files = (FIXTURES / "assumptions").glob("E*.toml")  # tests/test_assumptions.py
    covered = {p.stem.split("_")[0] for p in [*_fixtures(), *assumption_files]} | FILE_LEVEL
    assert set(messages.codes()) == covered


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.bpr"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert codes(check_files([str(path)])) == ["E004"]


def test_utf16_file(tmp_path: Path, ok_process: str) -> None:
    path = tmp_path / "u16.bpr"
    path.write_bytes(ok_process.encode("utf-16"))
    report = check_files([str(path)])
    assert codes(report) == ["E004"]
    assert "UTF-16" in report.diagnostics[0].message("en")


def test_unreadable_path(tmp_path: Path) -> None:
    report = check_files([str(tmp_path)])  # a folder given where a file is read
    assert codes(report) == ["E005"]


def test_large_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.bpr"
    path.write_text("# " + "x" * (5 * 1024 * 1024) + "\n", encoding="utf-8")
    report = check_files([str(path)])
    assert codes(report) == ["E007"]
    assert "5.0 MB" in report.diagnostics[0].message("en")


def test_shift_jis_is_read_with_a_warning(tmp_path: Path, ok_process: str) -> None:
    path = tmp_path / "sjis.bpr"
    path.write_bytes(ok_process.encode("cp932"))
    report = check_files([str(path)])
    assert report.ok
    assert codes(report) == ["W004"]
    assert "iconv -f CP932" in report.diagnostics[0].hint("en")
    assert report.files[0].bundle.root.processes[0].steps().__next__().label == "受付"


def test_import_cycle_names_the_chain() -> None:
    report = check_files([str(FIXTURES / "imports" / "cycle_a.bpr")])
    assert codes(report) == ["E041"]
    message = report.diagnostics[0].message("en")
    assert "cycle_a.bpr → " in message and "cycle_b.bpr → " in message
    assert report.diagnostics[0].span.line == 1


def test_missing_import_names_the_folder(tmp_path: Path) -> None:
    report = check_text(tmp_path, 'import "common/nai.bpr"\nprocess p {\n  lane 窓口 : 窓口\n'
                                  "  step a @窓口 1分\n}\n")
    d = next(d for d in report.diagnostics if d.code == "E040")
    assert "common/nai.bpr" in d.message("en") and str(tmp_path) in d.hint("en")


def test_empty_file(tmp_path: Path) -> None:
    assert codes(check_text(tmp_path, "")) == ["E006"]


def test_syntax_errors_are_all_reported(tmp_path: Path) -> None:
    text = ("process p {\n  lane 窓口 : 窓口\n  step a @窓口 5\n  step b @窓口 [紙 3分\n"
            "  stepp c @窓口 1分\n}\n")
    report = check_text(tmp_path, text)
    assert [(d.code, d.span.line) for d in report.diagnostics] == [
        ("E009", 3), ("E045", 4), ("E019", 5)]


def test_did_you_mean_for_names_tags_and_roles(tmp_path: Path) -> None:
    text = ("process p {\n  volume 10 / 年\n  lane 窓口 : countr\n  step a @窓ロ [sael] 1分\n}\n")
    report = check_text(tmp_path, text)
    hints = {d.code: d.hint("ja") for d in report.diagnostics}
    assert "「counter」の誤り" in hints["E013"]
    assert "「seal」の誤り" in hints["E012"]
    assert "「窓口」の誤り" in hints["E024"]


def test_deep_nesting_100_is_an_error_not_a_crash(tmp_path: Path) -> None:
    body = "step a @窓口 1分"
    for _ in range(100):
        body = f"parallel {{ path {{ {body} }} path {{ step x{_} @窓口 1分 }} }}"
    report = check_text(tmp_path, f"process p {{\n  lane 窓口 : 窓口\n  {body}\n}}\n")
    assert "E008" in codes(report)


@pytest.mark.parametrize("percents,ok", [((90,), False), ((120,), False), ((100,), True)])
def test_branch_totals(tmp_path: Path, percents: tuple[int, ...], ok: bool) -> None:
    (p,) = percents
    text = (f"process p {{\n  volume 1 / 年\n  lane 窓口 : 窓口\n  step a @窓口 1分\n"
            f"  branch {{\n    {p}% -> b\n  }}\n  step b @窓口 1分\n}}\n")
    report = check_text(tmp_path, text)
    assert report.ok is ok
    assert ("E030" in codes(report)) is not ok


def test_loop_no_case_can_leave_names_its_steps(tmp_path: Path) -> None:
    text = ("process p {\n  volume 1 / 年\n  lane 窓口 : 窓口\n  step a @窓口 1分\n"
            "  step b @窓口 1分 -> a\n}\n")
    report = check_text(tmp_path, text)
    d = next(d for d in report.diagnostics if d.code == "E033")
    assert "a → b" in d.message("en")


@pytest.mark.parametrize("name,english", [
    ("E011_bad_range", "low"), ("E032_branch_after_jump", "after"),
    ("E034_jump_out_of_path", "outside this path"), ("E001_unexpected_token", "the end of")])
def test_japanese_messages_carry_no_english_reason(name: str, english: str) -> None:
    report = check_files([str(DIAG / f"{name}.bpr")])
    code = name.split("_")[0]
    diag = next(d for d in report.diagnostics if d.code == code)
    assert english in diag.message("en")
    assert english not in diag.message("ja")
