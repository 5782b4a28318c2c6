"""Display columns of text in a terminal or a fixed-width table: the one home of "a
Japanese (full-width) character takes two columns" (issue 22), used by the CLI's
tables, the backtest table, diagnostics' carets, fmt's comment alignment and the
renderer's word wrapping."""

from __future__ import annotations

import unicodedata


def char_columns(ch: str) -> int:
    """2 for a full-width or wide character, 1 otherwise."""
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def columns(text: str) -> int:
    """The display columns ``text`` takes."""
    return sum(char_columns(c) for c in text)


def pad(text: str, width: int) -> str:
    """Left-aligned in ``width`` columns."""
    return text + " " * max(0, width - columns(text))


def rpad(text: str, width: int) -> str:
    """Right-aligned in ``width`` columns."""
    return " " * max(0, width - columns(text)) + text
