"""The writer: canonical text, and parse(write(model)) == model on every file."""

from __future__ import annotations

from pathlib import Path

import pytest

import bprkit
from bprkit.text import writer

from .conftest import CORPUS, FIXTURES, PROCESSES

FILES = sorted([*PROCESSES.rglob("*.bpr"), *CORPUS.rglob("*.bpr"),
                FIXTURES / "render" / "small.bpr"])


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_round_trip(path: Path) -> None:
    model = bprkit.parse(path.read_text(encoding="utf-8"), path=str(path))
    text = writer.write(model)
    again = bprkit.parse(text, path="written.bpr")
    assert again.processes == model.processes
    assert [i.path for i in again.imports] == [i.path for i in model.imports]
    assert writer.write(again) == text  # canonical: writing twice changes nothing


def test_canonical_form() -> None:
    model = bprkit.parse("process p 「手続」{\n lane 窓口 : 窓口\n data 氏名 : 保有\n"
                         " step a 「受付」 @窓口 [紙、押印] ３〜５分 wait １日 -> end\n}\n")
    assert writer.write(model) == (
        "process p 「手続」 {\n"
        "  lane 窓口 : counter\n"
        "  data 氏名 : held\n"
        "\n"
        "  step a 「受付」 @窓口 [paper, seal] 3..5min wait 1d -> end\n"
        "}\n")


def test_labels_that_need_quotes_and_comments() -> None:
    model = bprkit.parse('process p "a」b\\nc" {\n  lane l : counter\n  step s @l 1min\n}\n')
    text = writer.write(model, header="見直し後", comments={"s": "RPA で置き換え"})
    assert text.startswith("# 見直し後\n")
    assert 'process p "a」b\\nc" {' in text and "  # RPA で置き換え\n  step s" in text
    assert bprkit.parse(text).processes == model.processes


def test_a_season_share_is_written_back() -> None:
    """within N days P%: written after the days, as a percentage; 100 % (every case)
    and no share write the same line; a share like 33.3 % reads back the same float."""
    for text, line in (("集中 15 日 60%", "within 15 days 60%"),
                       ("within 20 days 33.3％", "within 20 days 33.3%"),
                       ("集中 15 日 100%", "within 15 days\n"),
                       ("集中 15 日", "within 15 days\n")):
        model = bprkit.parse(f"process p {{\n  volume 8,000 / 年 {text}\n  lane a : 窓口\n"
                             "  step s @a 1分\n}\n")
        written = writer.write(model)
        assert f"volume 8000 / year {line}" in written
        again = bprkit.parse(written)
        assert again.processes == model.processes
        assert again.processes[0].volume.season_share == model.processes[0].volume.season_share


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_japanese_words_and_the_compact_layout_read_back(path: Path) -> None:
    """What an importer asks of the writer (the vocabulary's Japanese words, no blank
    lines, a step's body on its line) says the same model."""
    model = bprkit.parse(path.read_text(encoding="utf-8"), path=str(path))
    text = writer.write(model, words=writer.JAPANESE, compact=True)
    again = bprkit.parse(text, path="written.bpr")
    assert again.processes == model.processes
    assert writer.write(again, words=writer.JAPANESE, compact=True) == text
    assert "\n\n  " not in text  # no blank line inside a process


def test_words_and_compact_layout() -> None:
    model = bprkit.parse("process p 「手続」 {\n  volume 1,200 / year\n  lane a : counter\n"
                         "  step s 「受付」 @a [paper, seal] 3..5min wait 1d {\n"
                         "    lever none\n    batch month each\n  }\n}\n")
    assert writer.write(model, words=writer.JAPANESE, compact=True, header="取込") == (
        "# 取込\n"
        "process p 「手続」 {\n"
        "  volume 1200 / 年\n"
        "  lane a : 窓口\n"
        "  step s 「受付」 @a [紙, 押印] 3..5分 wait 1日 { lever none; batch 月 each }\n"
        "}\n")
    roles_only = writer.write(model, words=writer.Words(roles="ja"))
    assert "lane a : 窓口" in roles_only and "[paper, seal] 3..5min" in roles_only
    assert writer.batch_words(model.processes[0].flow[0].batch) == "month each"


def test_remarks_go_after_their_own_statement() -> None:
    from bprkit.model import END, Branch, Case, Lane, Process, SourceFile, Step

    first, second = Case("b", 50.0), Case("b", 50.0)  # equal, yet each its own remark
    branch = Branch((first, Case(END)), label="分岐")
    again = Branch((second, Case(END)))
    step = Step("b", "l", "作業")
    remarks = writer.Remarks()
    remarks.add(branch, "assumption:\n equal shares")
    remarks.add(first, "はい")
    remarks.add(step, "1.1 × 5分 in the survey")
    remarks.add(again, "   ")  # nothing to say: no remark
    process = Process("p", lanes=(Lane("l", "back_office"),),
                      flow=(Step("a", "l"), branch, step, again))
    text = writer.write(SourceFile("x", (), (process,)), remarks=remarks, compact=True)
    assert text.splitlines()[2:] == [
        "  step a @l",
        "  branch 「分岐」 {  # assumption: equal shares",
        "    50% -> b  # はい",
        "    else -> end",
        "  }",
        "  step b 「作業」 @l  # 1.1 × 5分 in the survey",
        "  branch {",
        "    50% -> b",
        "    else -> end",
        "  }",
        "}"]
    assert bprkit.parse(text).processes == (process,)
    assert len(remarks) == 3


def test_join_puts_written_processes_in_one_file() -> None:
    parts = ["process a {\n}\n", "process b {\n}\n"]
    assert writer.join(parts, header="from x") == \
        "# from x\n\nprocess a {\n}\n\nprocess b {\n}\n"
    assert writer.join(parts, header="from x", compact=True) == \
        "# from x\nprocess a {\n}\n\nprocess b {\n}\n"
    assert writer.join(parts) == "process a {\n}\n\nprocess b {\n}\n"
