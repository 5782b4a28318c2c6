"""Units of time and periods: the one home of their spellings, their names in each
language, how the writer writes them and how many minutes each holds (issue 22: there
were five unit tables, four period tables and three duration formatters).

The vocabulary (bprkit/vocabulary.py) builds its look-up tables from ``SPELLINGS`` and
``PERIOD_SPELLINGS``; the model converts with :func:`minutes`; the writer writes
``WRITTEN``; the renderer and the reports name a unit with :func:`name` and write a
duration with :func:`duration_text`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

UNITS: tuple[str, ...] = ("sec", "min", "hour", "day", "week")
"""The canonical units of a duration, shortest first."""

SPELLINGS: Mapping[str, tuple[str, ...]] = {
    "sec": ("s", "秒"),
    "min": ("分",),
    "hour": ("h", "hr", "時間"),
    "day": ("d", "days", "日"),
    "week": ("w", "週"),
}
"""What a file may write for each unit besides its canonical name."""

WRITTEN: Mapping[str, str] = {"sec": "s", "min": "min", "hour": "h", "day": "d", "week": "w"}
"""How the writer (and fmt) write a unit: short, and the English display name too."""

NAMES: Mapping[str, Mapping[str, str]] = {
    "ja": {"sec": "秒", "min": "分", "hour": "時間", "day": "日", "week": "週"},
    "en": WRITTEN,
}
"""A unit as a reader of each language names it in a drawing or a table."""

PERIODS: tuple[str, ...] = ("year", "month", "week", "day")
PERIOD_SPELLINGS: Mapping[str, tuple[str, ...]] = {
    "year": ("年",), "month": ("月",), "week": ("週",), "day": ("日",)}

RATE_PERIOD_SPELLINGS: Mapping[str, tuple[str, ...]] = {
    "hour": ("h", "hr", "時", "時間"), "day": ("日",)}
"""The periods a queue's arrivals are counted in (``arrivals 26 / hour``)."""

DAYS_PER_WEEK = 5
"""A week is 5 working days (docs/language.md)."""
DEFAULT_HOURS_PER_DAY = 7.75
"""The working day where no assumptions are at hand (the parser's message that
rewrites a range in one unit); the figures use ``time.hours_per_day`` of the
assumptions, which tests/test_catalog.py keeps equal to this."""
DEFAULT_WORKING_DAYS = 243.0
"""``time.working_days_per_year`` of the default assumptions: what ``bprkit check`` reads
a queue with (it reads no assumptions file); tests/test_catalog.py keeps them equal."""


def minutes(unit: str, hours_per_day: float = DEFAULT_HOURS_PER_DAY,
            days_per_week: float = DAYS_PER_WEEK) -> float:
    """Minutes in one ``unit`` (a day is a working day of ``hours_per_day``)."""
    return {"sec": 1 / 60, "min": 1.0, "hour": 60.0, "day": hours_per_day * 60,
            "week": hours_per_day * 60 * days_per_week}[unit]


def per_year(period: str, working_days: float) -> float:
    """How many periods a year holds, in working time: a week is 5 working days, a
    month a twelfth of the working year, a day one working day."""
    return {"year": 1.0, "month": 12.0, "week": working_days / DAYS_PER_WEEK,
            "day": working_days}[period]


def name(unit: str, lang: str) -> str:
    """A unit in the reader's language: 分, min."""
    return NAMES[lang][unit]


def figure(v: float) -> str:
    """A number as an analyst writes it (5, 2.5, 0.25), else to two significant
    figures: a redesign's computed 1.788 or 5.99 分 is drawn as 1.8 or 6 分."""
    if abs(v * 10 - round(v * 10)) < 1e-9 or (abs(v) < 1 and abs(v * 100 - round(v * 100))
                                              < 1e-9):
        return f"{v:g}"
    return f"{float(f'{v:.2g}'):g}"


def duration_text(values: Sequence[float], unit: str, lang: str) -> str:
    """A duration as a reader sees it: 5分, 3〜5分, 10〜15〜25分; 3-5 min in English."""
    nums = ("〜" if lang == "ja" else "-").join(figure(v) for v in values)
    return f"{nums}{name(unit, lang)}" if lang == "ja" else f"{nums} {name(unit, lang)}"
