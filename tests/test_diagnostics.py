"""Every diagnostic code: a bad-input fixture asserting code, line and column."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bprkit import vocabulary
from bprkit.messages import catalog as messages
from bprkit.text.loader import check_files

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


# ── labels that say what tags miss (W014) ──
def _one_step(tmp_path: Path, step: str, role: str = "内部事務") -> list:
    text = (f"process p 「手続」 {{\n  volume 100 / 年\n  lane 係 : {role}\n"
            f"  {step}\n}}\n")
    return [d for d in check_text(tmp_path, text).diagnostics if d.code == "W014"]


@pytest.mark.parametrize("step,role,line", [
    ("step a 「証明書を交付」 @係 [紙, 対面] 2分", "窓口",
     "step a 「証明書を交付」 @係 [紙, 対面, 交付] 2分"),
    ("step a 「結果を通知」 @係 [印刷, 郵送] 2分", "内部事務",
     "step a 「結果を通知」 @係 [印刷, 郵送, 通知] 2分"),
    ("step a 「税務課へ所得を照会」 @係 [paper, print] 5min", "内部事務",
     "step a 「税務課へ所得を照会」 @係 [paper, print, inquiry] 5min"),
    ("step a 「支給要件を審査」 @係 10分 -> end", "内部事務",
     "step a 「支給要件を審査」 @係 [判断] 10分 -> end"),
    ("step a 「補正が要るか判断」 @係 ［紙、突合］ 5分", "内部事務",
     "step a 「補正が要るか判断」 @係 ［紙、突合、判断］ 5分"),
    ("step a 「家屋の現地調査」 @係 [紙] 30分 # 写真も撮る", "外部",
     "step a 「家屋の現地調査」 @係 [紙, 現地調査] 30分"),
    ("step a 「申請内容をシステムへ入力」 @係 [紙, 定型] 5分", "内部事務",
     "step a 「申請内容をシステムへ入力」 @係 [紙, 定型, 転記] 5分"),
    ("step a 「申請書を台帳へ転記」 @係 [paper] 5min", "内部事務",
     "step a 「申請書を台帳へ転記」 @係 [paper, transcribe] 5min"),
])
def test_label_word_without_its_tag_warns_with_the_line_to_write(
        tmp_path: Path, step: str, role: str, line: str) -> None:
    found = _one_step(tmp_path, step, role)
    assert [d.code for d in found] == ["W014"]
    d = found[0]
    word = d.arguments["said"].strip("'")
    assert (d.span.line, d.span.column) == (4, step.index(word) + 3)  # the word in the label
    for lang in messages.LANGUAGES:
        assert line in d.hint(lang)
        assert d.arguments["suggestion"] in d.hint(lang)  # the did-you-mean: the tag list
    assert "'" in d.message("en") and "「" in d.message("ja")


@pytest.mark.parametrize("step,role", [
    ("step a 「証明書を交付」 @係 [紙, 対面, 交付] 2分", "窓口"),        # the tag is there
    ("step a 「交付申請書を記入」 @係 [紙, 手書き] 3分", "住民"),         # an application
    ("step a 「証明書の交付請求を受け付ける」 @係 [紙] 3分", "窓口"),
    ("step a 「交付簿に記入」 @係 [紙] 1分", "内部事務"),
    ("step a 「再交付の受付」 @係 [紙, 対面] 2分", "窓口"),             # a request received
    ("step a 「通知書を受け取る」 @係 [紙] 1分", "住民"),                # the resident's side
    ("step a 「県からの通知を受理」 @係 [紙] 1分", "内部事務"),
    ("step a 「税額を算定し納税通知書を作成」 @係 [定型] 5分", "内部事務"),  # not sent yet
    ("step a 「通知の文案を決裁」 @係 [紙, 押印] 5分", "決裁"),
    ("step a 「照会先を確かめる」 @係 [紙] 2分", "内部事務"),
    ("step a 「所得照会が要るか確認」 @係 [紙, 定型] 2分", "内部事務"),
    ("step a 「不備を電話で照会し修正」 @係 [電話] 10分", "内部事務"),   # the applicant
    ("step a 「照会回答を綴って保管」 @係 [紙] 1分", "保存"),
    ("step a 「係長が審査・押印」 @係 [紙, 押印] 5分", "決裁"),          # an approval
    ("step a 「添付書類の形式審査」 @係 [紙, 突合] 3分", "内部事務"),     # routine
    ("step a 「要件を審査」 @係 [紙, 定型] 3分", "内部事務"),            # marked routine
    ("step a 「システムが審査し郵送を手配」 @係 [自動] 0分", "システム"),
    ("step a 「審査会の資料を作る」 @係 [紙, 印刷] 20分", "内部事務"),
    ("step a 「現地調査の日程を調整」 @係 [電話] 5分", "内部事務"),
    ("step a 「現地調査に立ち会う」 @係 [対面] 30分", "住民"),
    ("step a 「入力内容を届書と読み合わせ」 @係 [紙, 突合, 定型] 3分", "内部事務"),
    ("step a 「申請フォームに入力」 @係 [オンライン] 5分", "住民"),
    ("step a 「AI-OCR で読み取り入力」 @係 [紙, AI-OCR] 1分", "内部事務"),
    ("step a 「台帳へ転記」 @係 [紙, RPA] 1分", "内部事務"),
])
def test_label_word_that_says_nothing_here_is_silent(tmp_path: Path, step: str,
                                                     role: str) -> None:
    assert _one_step(tmp_path, step, role) == []


def test_label_cue_names_the_tag_in_the_files_language(tmp_path: Path) -> None:
    text = ("process p {\n  volume 1 / year\n  lane 係 : back_office\n"
            "  step a 「入力」 @係 [paper] 5min\n  step b 「審査」 @係 5min\n}\n")
    found = [d for d in check_text(tmp_path, text).diagnostics if d.code == "W014"]
    assert [d.arguments["suggestion"] for d in found] == ["[paper, transcribe]",
                                                          "[judgement]"]
    both = _one_step(tmp_path, "step a 「申請を審査しシステムへ入力」 @係 [紙] 10分")
    assert len(both) == 1 and both[0].arguments["suggestion"] == "[紙, 判断, 転記]"
    assert "「審査」「入力」" in both[0].message("ja") and "判断・転記" in both[0].message("ja")


# ── unknown tags: every tag listed, kana readings suggested ──
def test_unknown_tag_lists_every_tag(tmp_path: Path) -> None:
    d = next(d for d in check_text(tmp_path, "process p {\n  lane l : 窓口\n"
                                   "  step a @l [xyz] 1分\n}\n").diagnostics if d.code == "E012")
    for canonical in set(vocabulary.TAGS.values()):
        assert f"{canonical} {vocabulary.japanese(vocabulary.TAGS, canonical)}" in d.hint("en")
        assert vocabulary.japanese(vocabulary.TAGS, canonical) in d.hint("ja")
    for word in ("判断", "定型", "交付", "通知", "照会", "現地調査"):
        assert word in d.hint("ja") and word in d.hint("en")


@pytest.mark.parametrize("typed,meant", [
    ("てがき", "手書き"), ("かみ", "紙"), ("おういん", "押印"), ("たいめん", "対面"),
    ("テガキ", "手書き"), ("げんちちょうさ", "現地調査"), ("ファックス", "FAX"),
    ("おんらいん", "オンライン"), ("てがぎ", "手書き")])
def test_unconverted_kana_tag_suggests_the_word(tmp_path: Path, typed: str,
                                                meant: str) -> None:
    report = check_text(tmp_path, f"process p {{\n  lane l : 窓口\n  step a @l [{typed}] 1分\n}}\n")
    d = next(d for d in report.diagnostics if d.code == "E012")
    assert d.arguments["suggestion"] == meant
    assert f"「{meant}」の誤り" in d.hint("ja") and f"did you mean '{meant}'" in d.hint("en")


def test_unconverted_kana_role_suggests_the_word(tmp_path: Path) -> None:
    report = check_text(tmp_path, "process p {\n  lane l : まどぐち\n  step a @l 1分\n}\n")
    assert next(d for d in report.diagnostics if d.code == "E013").arguments[
        "suggestion"] == "窓口"


def test_every_japanese_tag_and_role_has_a_reading() -> None:
    read = set(vocabulary.READINGS.values())
    for table in (vocabulary.TAGS, vocabulary.ROLES):
        for canonical in set(table.values()):
            assert vocabulary.japanese(table, canonical) in read, canonical
    assert all(r == vocabulary.hiragana(r) for r in vocabulary.READINGS)  # hiragana only


# ── messages for IME input ──
def _only(tmp_path: Path, text: str, code: str):
    report = check_text(tmp_path, text)
    assert not report.ok
    found = [d for d in report.diagnostics if d.code == code]
    assert found, [d.render() for d in report.diagnostics]
    for lang in messages.LANGUAGES:
        assert "Traceback" not in found[0].render(lang)
    return found[0]


def test_jump_after_a_step_body(tmp_path: Path) -> None:
    text = ("process p {\n  volume 1 / 年\n  lane 窓口 : 窓口\n"
            "  step 受付 「受付」 @窓口 [紙] 3分 {  # 受付\n    note 「メモ」\n  } → 一覧\n"
            "  step 一覧 @窓口 1分\n}\n")
    d = _only(tmp_path, text, "E055")
    assert (d.span.line, d.span.column) == (6, 5)
    fixed = "step 受付 「受付」 @窓口 [紙] 3分 → 一覧 {"
    assert fixed in d.hint("en") and fixed in d.hint("ja")
    assert "'→ 一覧'" in d.message("en") and "「→ 一覧」" in d.message("ja")
    assert "before the {" in d.hint("en") and "{ の前" in d.hint("ja")


def test_jump_after_a_step_body_with_an_ascii_arrow(tmp_path: Path) -> None:
    text = ("process p {\n  volume 1 / 年\n  lane 窓口 : 窓口\n  step 受付 @窓口 3分 {\n"
            "    note 「メモ」\n  }-> end\n}\n")
    d = _only(tmp_path, text, "E055")
    assert (d.span.line, d.span.column) == (6, 4)
    assert "step 受付 @窓口 3分 -> end {" in d.hint("en")


@pytest.mark.parametrize("typed,fix,column", [
    ("１日〜３日", "１〜３日", 22), ("3分..5分", "3..5分", 22), ("1日~3", "1~3日", 22),
    ("30分〜1時間", "30〜60分", 22), ("２分～３分～５分", "２～３～５分", 22)])
def test_range_with_the_unit_on_both_ends(tmp_path: Path, typed: str, fix: str,
                                          column: int) -> None:
    text = (f"process p {{\n  volume 1 / 年\n  lane 窓口 : 窓口\n"
            f"  step a @窓口 3分 wait {typed}\n}}\n")
    d = _only(tmp_path, text, "E056")
    assert (d.span.line, d.span.column) == (4, column)
    for lang in messages.LANGUAGES:
        assert fix in d.hint(lang) and typed in d.message(lang)
        if "~" not in typed:  # never a ~ the user did not type
            assert "~" not in d.message(lang) + d.hint(lang)


def test_branch_to_a_used_process(tmp_path: Path) -> None:
    d = _only(tmp_path, (DIAG / "E057_branch_to_used_process.bpr").read_text(encoding="utf-8"),
              "E057")
    assert (d.span.line, d.span.column) == (11, 12)
    assert "line 15" in d.message("en") and "15 行目" in d.message("ja")
    for lang in messages.LANGUAGES:
        assert "起案" in d.hint(lang) and "通知" in d.hint(lang)  # the step before, after
    assert "step" in d.message("en") and "ステップ" in d.message("ja")


def test_a_jump_to_the_use_right_after_it_is_to_be_deleted(tmp_path: Path) -> None:
    """The step just before the use line jumps to the used process: the fix is to delete
    the jump (not to go to itself), and the steps it cut off raise no W001 on top."""
    text = ("process 課長決裁 {\n  lane 課長 : 決裁\n  step 決裁 @課長 [紙] 3分\n}\n"
            "process p {\n  volume 100 / 年\n  lane 係 : 内部事務\n"
            "  step 審査 @係 [紙] 3分 -> 課長決裁\n  use 課長決裁\n  step 通知 @係 [紙] 3分\n}\n")
    found = check_text(tmp_path, text)
    assert codes(found) == ["E057"]
    d = found.diagnostics[0]
    assert d.hint("en").startswith("delete '-> 課長決裁': after 審査")
    assert d.hint("ja").startswith("-> 課長決裁 を消してください: 審査 の次は")
    assert "通知" in d.hint("en") and "通知" in d.hint("ja")


@pytest.mark.parametrize("line,code", [
    ("step a @窓口 [紙] 1分 { note 「x」 } → b", "E055"),
    ("step a @窓口 [紙] 1分 wait １日〜３日 {\n    note 「x」\n  }", "E056"),
    ("step a @窓口 [紙] 1日~2日~3日 -> b", "E056")])
def test_ime_mistakes_are_one_error_each(tmp_path: Path, line: str, code: str) -> None:
    text = f"process p {{\n  volume 1 / 年\n  lane 窓口 : 窓口\n  {line}\n  step b @窓口 1分\n}}\n"
    assert codes(check_text(tmp_path, text)) == [code]
