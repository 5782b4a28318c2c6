"""The writer: canonical text, and parse(write(model)) == model on every file."""

from __future__ import annotations

from pathlib import Path

import pytest

import bprkit
from bprkit import writer

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
