"""Regression tests for odd, hostile and huge inputs (issue 11): nothing hangs,
nothing crashes after a clean check, nothing is lost."""

from __future__ import annotations

import time
from pathlib import Path

from bprkit.loader import check_files


def _timed_check(path: Path) -> tuple[float, list[str]]:
    start = time.perf_counter()
    report = check_files([str(path)])
    return time.perf_counter() - start, [d.code for d in report.diagnostics]


def test_a_long_run_of_blanks_is_lexed_in_linear_time(tmp_path: Path) -> None:
    """`' ' * 64000 + '$'` took 84 s: the lexer's leading blanks backtracked."""
    small, big = tmp_path / "small.bpr", tmp_path / "big.bpr"
    small.write_text(" " * 4000 + "$", encoding="utf-8")
    big.write_text(" " * 64000 + "$", encoding="utf-8")
    t_small, codes = _timed_check(small)
    t_big, codes_big = _timed_check(big)
    assert codes == codes_big == ["E003"]
    assert t_big < 1.0 and t_big < 16 * t_small + 0.2  # linear: 16× the input
