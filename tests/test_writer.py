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
