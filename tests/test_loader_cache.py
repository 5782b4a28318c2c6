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


def test_threads_share_the_cache_safely(monkeypatch: pytest.MonkeyPatch) -> None:
    """``bprkit serve`` checks from a pool of threads while the cache fills and trims
    itself: no KeyError, no "dictionary changed size during iteration". The models are
    stubbed, so the threads do nothing but meet in the cache."""
    import sys
    import threading

    from bprkit.text.source import SourceText

    monkeypatch.setattr(loader, "build_model", lambda text: (None, []))
    texts = [SourceText(f"f{i % 7}.bpr", f"text {i}", f"text {i}")
             for i in range(loader.BUILT_KEPT * 4)]
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for _ in range(150):
                for k in range(len(texts)):
                    loader._built(texts[(k * 5 + offset) % len(texts)])
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors[:3]
    assert len(loader._BUILT) <= loader.BUILT_KEPT


def test_a_file_in_use_stays_while_others_come_and_go(tmp_path: Path) -> None:
    """The least recently used model goes first: a file every check imports
    (common/kessai.bpr for a portfolio worker) stays however many others pass."""
    common = tmp_path / "common.bpr"
    common.write_text(TEXT, encoding="utf-8")
    first = bprkit.check(str(common)).files[0].bundle
    for i in range(loader.BUILT_KEPT * 2):
        other = tmp_path / f"o{i}.bpr"
        other.write_text(TEXT.replace("受付", f"受付{i}"), encoding="utf-8")
        bprkit.check(str(other))
        again = bprkit.check(str(common)).files[0].bundle
        assert first is not None and again is not None and again.root is first.root


def test_the_cache_is_only_touched_under_its_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every read and change of the cache happens with its lock held (the stress test
    above finds a missing lock only sometimes; this finds it every time)."""
    from collections import OrderedDict

    from bprkit.text.source import SourceText

    class Guarded(OrderedDict):
        def _held(self) -> None:
            assert loader._BUILT_LOCK.locked(), "the model cache touched without its lock"

        def get(self, *args, **kwargs):
            self._held()
            return super().get(*args, **kwargs)

        def __setitem__(self, *args, **kwargs):
            self._held()
            return super().__setitem__(*args, **kwargs)

        def move_to_end(self, *args, **kwargs):
            self._held()
            return super().move_to_end(*args, **kwargs)

        def popitem(self, *args, **kwargs):
            self._held()
            return super().popitem(*args, **kwargs)

    monkeypatch.setattr(loader, "_BUILT", Guarded())
    monkeypatch.setattr(loader, "build_model", lambda text: (None, []))
    for i in range(loader.BUILT_KEPT + 3):
        for _ in range(2):
            loader._built(SourceText(f"g{i}.bpr", f"text {i}", f"text {i}"))
    assert len(loader._BUILT) == loader.BUILT_KEPT
