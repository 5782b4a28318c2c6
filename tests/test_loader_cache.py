"""A process keeps the models of small files it built (bprkit.text.loader._built): the
same path and text give the same model, an edited file is built again, a large file is
not kept."""

from __future__ import annotations

from pathlib import Path

import pytest

import bprkit
from bprkit.text import loader

TEXT = """process p 「手続」 {
  lane a 「窓口」 : 窓口
  step s1 「受付」 @a 5min
}
"""


def test_the_same_text_is_built_once_and_an_edit_is_built_again(tmp_path: Path) -> None:
    path = tmp_path / "a.bpr"
    path.write_text(TEXT, encoding="utf-8")
    first = bprkit.check(str(path)).files[0].bundle
    again = bprkit.check(str(path)).files[0].bundle
    assert first is not None and again is not None
    assert again.root is first.root  # built once
    path.write_text(TEXT.replace("受付", "審査"), encoding="utf-8")
    edited = bprkit.check(str(path)).files[0].bundle
    assert edited is not None and edited.root is not first.root
    assert next(edited.root.processes[0].steps()).title == "審査"


def test_a_large_file_is_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "big.bpr"
    steps = "".join(f"  step s{i} 「手順{i}」 @a 5min\n" for i in range(3000))
    path.write_text(TEXT.replace("  step s1 「受付」 @a 5min\n", steps), encoding="utf-8")
    assert len(path.read_text(encoding="utf-8")) > loader.BUILT_SIZE
    first = bprkit.check(str(path)).files[0].bundle
    again = bprkit.check(str(path)).files[0].bundle
    assert first is not None and again is not None and again.root is not first.root


def test_the_cache_stays_bounded(tmp_path: Path) -> None:
    for i in range(loader.BUILT_KEPT + 5):
        path = tmp_path / f"f{i}.bpr"
        path.write_text(TEXT, encoding="utf-8")
        bprkit.check(str(path))
    assert len(loader._BUILT) <= loader.BUILT_KEPT


def test_a_file_named_another_way_keeps_its_own_places(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The places in a model name the file as the command line did."""
    path = tmp_path / "a.bpr"
    path.write_text(TEXT, encoding="utf-8")
    absolute = bprkit.check(str(path)).files[0].bundle
    monkeypatch.chdir(tmp_path)
    relative = bprkit.check("a.bpr").files[0].bundle
    assert absolute is not None and relative is not None
    span = next(relative.root.processes[0].steps()).span
    assert span is not None and span.file == "a.bpr"
