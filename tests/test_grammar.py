"""Every grammar construct, and input as Japanese editors produce it."""

from __future__ import annotations

import pytest

import bprkit
from bprkit.model import END, Branch, Parallel, Use

FULL = """\
# comment line
import "common/kessai.bpr"   # trailing comment
process 手続_1 「手続の\u30e9ベル」 {
  owner 「市民課」
  volume 24,000 / year
  state to_be
  based_on 旧手続
  note "a \\"quoted\\" note\\nsecond line"
  lane 住民 「申請者」 : 住民
  lane 窓口 : counter
  lane 係長 : 決裁
  lane 書庫 : 保存
  lane 住基 : システム
  lane 県 : external
  lane 事務 : 内部事務
  document 申請書 「申請書」 : 紙
  document 電子票 : electronic
  data 氏名, 住所 : held
  data 理由
  step 記入 「記入」 @住民 [紙 手書き, 対面] 3..5min wait 10..20..30分 {
    writes 氏名, 住所, 理由
    produces 申請書
  }
  step 受付 @窓口 [paper, AI-OCR, approval] 90s -> 確認 {
    reads 氏名
    uses 申請書
    system 住基
    note 「付箋」
    pain 「待ちが長い」
    basis 「条例第3条」
  }
  step 確認 @係長 1.5h; step 保管 @書庫 2d { stores 申請書 for 5 years }
  branch 「判定」 {
    12.5% -> 記入
    else -> 並行前
  }
  step 並行前 @事務 1w
  parallel {
    path 「照会」 { step 照会 @事務 1..2..4時間; step 回答 @県 2日 }
    path {
      parallel {
        path { step 入れ子a @事務 1分 }
        path { step 入れ子b @事務 30秒 }
      }
    }
  }
  use 課長決裁 x 2
  use 課長決裁
  step 終了 @事務 1 日 -> end
}
"""


@pytest.fixture(scope="module")
def process() -> bprkit.Process:
    return bprkit.parse(FULL).processes[0]


def test_file_level(process: bprkit.Process) -> None:
    f = bprkit.parse(FULL)
    assert [i.path for i in f.imports] == ["common/kessai.bpr"]
    assert process.id == "手続_1" and process.label == "手続のラベル"


def test_header(process: bprkit.Process) -> None:
    assert process.owner == "市民課"
    assert (process.volume.count, process.volume.period) == (24000, "year")
    assert process.state == "to_be" and process.based_on == "旧手続"
    assert process.notes == ('a "quoted" note\nsecond line',)


def test_lanes_roles_and_aliases(process: bprkit.Process) -> None:
    assert [(lane.id, lane.role) for lane in process.lanes] == [
        ("住民", "resident"), ("窓口", "counter"), ("係長", "approval"), ("書庫", "storage"),
        ("住基", "system"), ("県", "external"), ("事務", "back_office")]
    assert process.lanes[0].label == "申請者" and process.lanes[1].label is None


def test_documents_and_data(process: bprkit.Process) -> None:
    assert [(d.id, d.kind) for d in process.documents] == [("申請書", "paper"),
                                                         ("電子票", "electronic")]
    assert [(d.id, d.held) for d in process.data] == [("氏名", True), ("住所", True),
                                                     ("理由", False)]


def test_step_tags_durations_wait_body(process: bprkit.Process) -> None:
    s = process.step("記入")
    assert s.tags == ("paper", "handwritten", "in_person")
    assert (s.duration.low, s.duration.high, s.duration.mode, s.duration.unit) == (3, 5, None,
                                                                                   "min")
    assert (s.wait.low, s.wait.mode, s.wait.high, s.wait.unit) == (10, 20, 30, "min")
    assert s.writes == ("氏名", "住所", "理由") and s.produces == ("申請書",)
    r = process.step("受付")
    assert r.tags == ("paper", "ai_ocr", "approval")
    assert process.kind_of(r) == "approval"  # a kind tag overrides the lane's role
    assert r.target == "確認" and r.system == "住基"
    assert (r.reads, r.uses, r.notes, r.pains, r.basis) == (
        ("氏名",), ("申請書",), ("付箋",), ("待ちが長い",), ("条例第3条",))


@pytest.mark.parametrize("step,value,unit,minutes", [
    ("受付", 90, "sec", 1.5), ("確認", 1.5, "hour", 90), ("保管", 2, "day", 930),
    ("並行前", 1, "week", 2325), ("回答", 2, "day", 930), ("入れ子b", 30, "sec", 0.5),
    ("終了", 1, "day", 465)])
def test_units(process: bprkit.Process, step: str, value: float, unit: str,
               minutes: float) -> None:
    d = process.step(step).duration
    assert (d.low, d.unit) == (value, unit)
    assert d.expected_minutes(7.75) == pytest.approx(minutes)


def test_triangular_expected_value(process: bprkit.Process) -> None:
    d = process.step("照会").duration
    assert d.expected == pytest.approx((1 + 2 + 4) / 3)


def test_semicolons_and_retention(process: bprkit.Process) -> None:
    s = process.step("保管")
    assert s.stores[0].documents == ("申請書",) and s.stores[0].years == 5


def test_branch_parallel_use(process: bprkit.Process) -> None:
    branch = next(i for i in process.flow if isinstance(i, Branch))
    assert branch.label == "判定"
    assert [(c.percent, c.target) for c in branch.cases] == [(12.5, "記入"), (None, "並行前")]
    par = next(i for i in process.flow if isinstance(i, Parallel))
    assert [p.label for p in par.paths] == ["照会", None]
    inner = par.paths[1].items[0]
    assert isinstance(inner, Parallel) and len(inner.paths) == 2
    uses = [i for i in process.flow if isinstance(i, Use)]
    assert [(u.process, u.times) for u in uses] == [("課長決裁", 2), ("課長決裁", 1)]
    assert process.step("終了").target == END


def test_steps_in_source_order(process: bprkit.Process) -> None:
    assert [s.id for s in process.steps()] == [
        "記入", "受付", "確認", "保管", "並行前", "照会", "回答", "入れ子a", "入れ子b", "終了"]


IME = ("\ufeffprocess 手続 「全角の入力」 {\r\n"
       "\u3000volume ２４，０００ ／ 年\r\n"
       "  lane 窓口 「窓口」 ： 窓口\r\n"
       "\u3000\u3000step 受付 「受付（３分）」 ＠窓口 ［紙、押印］ ３〜５分 wait １日 －＞ 確認\r\n"
       "  step 確認 @窓口 ２～３分\r\n"
       "  branch { ９５％ → end\r\n else -> 受付 }\r\n"
       "}\r\n")


def test_input_as_a_japanese_ime_types_it() -> None:
    p = bprkit.parse(IME).processes[0]
    assert p.volume.count == 24000 and p.volume.period == "year"
    s = p.step("受付")
    assert s.label == "受付（３分）"  # labels keep their full-width text
    assert s.tags == ("paper", "seal")
    assert (s.duration.low, s.duration.high, s.duration.unit) == (3, 5, "min")
    assert s.wait.low == 1 and s.target == "確認"
    assert (p.step("確認").duration.low, p.step("確認").duration.high) == (2, 3)
    assert p.flow[2].cases[0].percent == 95


def test_positions_are_those_of_the_file() -> None:
    p = bprkit.parse(IME).processes[0]
    s = p.step("受付")
    assert (s.span.line, s.span.column) == (4, 8)  # after two ideographic spaces and "step "
    assert (s.position("lane").line, s.position("lane").column) == (4, 21)


def test_equality_ignores_positions() -> None:
    a = bprkit.parse("process p {\n  lane l : 窓口\n  step s @l 1分\n}\n")
    b = bprkit.parse("\n\nprocess   p {\n lane l : counter\n\n   step s @l 1min\n}")
    assert a.processes == b.processes


def test_parse_raises_source_error_with_diagnostics() -> None:
    with pytest.raises(bprkit.SourceError) as info:
        bprkit.parse("process p {\n  lane l : 窓口\n  step s @l 5\n}\n")
    assert [d.code for d in info.value.diagnostics] == ["E009"]
    assert "3:" in str(info.value)


def test_keywords_need_a_word_boundary() -> None:
    with pytest.raises(bprkit.SourceError) as info:
        bprkit.parse("process p {\n  lane l : 窓口\n  stepx s @l 1分\n}\n")
    assert [d.code for d in info.value.diagnostics] == ["E019"]


@pytest.mark.parametrize("line", ["3分 待ち 1..2日", "3分待ち 1..2日", "３分　待ち　１〜２日",
                                  "3min wait 1..2d"])
def test_machi_is_wait(line: str) -> None:
    text = f"process p {{\n  lane l : 窓口\n  step s @l {line}\n}}\n"
    s = bprkit.parse(text).processes[0].step("s")
    assert (s.duration.low, s.duration.unit) == (3, "min")
    assert (s.wait.low, s.wait.high, s.wait.unit) == (1, 2, "day")


def test_machi_after_a_number_without_unit_is_a_missing_unit() -> None:
    with pytest.raises(bprkit.SourceError) as info:
        bprkit.parse("process p {\n  lane l : 窓口\n  step s @l 3 待ち 1日\n}\n")
    assert [d.code for d in info.value.diagnostics] == ["E009"]


def test_a_step_named_machi_is_still_a_step() -> None:
    p = bprkit.parse("process p {\n  lane l : 窓口\n  step 待ち @l 3分 待ち 1日\n}\n").processes[0]
    assert p.step("待ち").wait.low == 1


def test_fmt_keeps_machi() -> None:
    from bprkit.text.fmt import format_checked

    text = "process p {\n  lane l : 窓口\n  step s @l [紙]   3分  待ち 1日\n}\n"
    assert "3分 待ち 1日" in format_checked(text, "t.bpr")
