"""Event logs: what a core system (住民記録, 税務, 福祉) records of each case, read from a
CSV or an XES file, and simulated from a ``.bpr`` for tests and training.

A log is a list of events: a case id, an activity, when it started (optional) and when
it completed, and who did it (optional). Time between two timestamps is counted on the
office's working calendar (:class:`Calendar`: weekdays, 8:30 to 17:15, the 7.75-hour day
of the assumptions), so a wait of 「3日」 is three working days, as in ``.bpr``. Public
holidays are working days to it (said in docs/logs.md).

CSV columns are found by their header, in Japanese or English (:data:`COLUMNS`);
timestamps may be ISO (``2026-04-01 09:30``), with slashes (``2026/4/1 9:30``) or in
和暦 (``令和8年4月1日 9時30分``, ``R8.4.1 9:30``), full-width digits included. XES is
read through pm4py (the ``logs`` extra). Bad input is refused with the column or the
row named, before anything is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from bprkit import units
from bprkit.errors import CatalogError
from bprkit.model import Duration, Process, Step

if TYPE_CHECKING:
    from bprkit.text.flow import FlowGraph


class LogError(CatalogError):
    """A log that cannot be read: the message names the file and the column or row."""

    exit_code = 1


@dataclass(frozen=True, slots=True)
class Event:
    case: str
    activity: str
    end: dt.datetime
    start: dt.datetime | None = None
    resource: str = ""


@dataclass
class Log:
    """Events grouped by case, each case in time order."""

    name: str
    cases: dict[str, list[Event]] = field(default_factory=dict)

    @property
    def events(self) -> int:
        return sum(len(v) for v in self.cases.values())

    def activities(self) -> dict[str, int]:
        """Each activity and the number of its events."""
        out: dict[str, int] = defaultdict(int)
        for events in self.cases.values():
            for e in events:
                out[e.activity] += 1
        return dict(out)

    def span(self) -> tuple[dt.datetime, dt.datetime]:
        """The first and the last timestamp."""
        firsts = [(e[0].start or e[0].end) for e in self.cases.values() if e]
        lasts = [e[-1].end for e in self.cases.values() if e]
        return min(firsts), max(lasts)


COLUMNS: dict[str, tuple[str, ...]] = {
    "case": ("case", "case id", "caseid", "case_id", "case:concept:name", "ケースid", "案件",
             "案件番号", "案件id", "受付番号", "申請番号", "事案番号", "整理番号"),
    "activity": ("activity", "activity name", "concept:name", "event", "作業", "作業名",
                 "処理", "処理名", "処理内容", "工程", "業務内容", "事務"),
    "start": ("start", "start time", "start_timestamp", "started", "開始", "開始日時",
              "開始時刻", "着手", "着手日時"),
    "end": ("complete", "completed", "end", "end time", "timestamp", "time:timestamp",
            "complete_timestamp", "終了", "終了日時", "終了時刻", "完了", "完了日時",
            "処理日時"),
    "resource": ("resource", "org:resource", "department", "org:group", "担当", "担当者",
                 "担当課", "担当係", "部署", "所属", "課", "係"),
    "date": ("date", "day", "日付", "実施日", "作業日", "処理日"),
}
"""Header words of each column (compared after NFKC and lower case, spaces removed)."""


def _key(header: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", header)).lower()


def find_columns(headers: Sequence[str], path: str) -> dict[str, int]:
    """The index of each column by its header; the case, activity and end columns must
    be there (LogError naming the one missing and the headers found)."""
    keys = [_key(h) for h in headers]
    found: dict[str, int] = {}
    for what, words in COLUMNS.items():
        wanted = {_key(w) for w in words}
        for n, k in enumerate(keys):
            if k in wanted and n not in found.values():
                found[what] = n
                break
    for what in ("case", "activity", "end"):
        if what not in found:
            raise LogError(path, "log_no_column", column=what,
                           words="、".join(COLUMNS[what]),
                           headers="、".join(h for h in headers if h) or "-")
    return found


ERAS = {"令和": 2018, "r": 2018, "平成": 1988, "h": 1988, "昭和": 1925, "s": 1925}
"""An era's year 1 minus one: 令和1年 is 2019."""
_WAREKI = re.compile(r"(令和|平成|昭和|[rhs])\s*(\d+|元)\s*[年./-]\s*(\d+)\s*[月./-]\s*(\d+)\s*日?"
                     r"(?:\s*(\d+)\s*[時:](?:\s*(\d+)\s*分?)?(?::(\d+))?)?", re.I)
_SLASHED = re.compile(r"(\d{4})\s*[年/.]\s*(\d+)\s*[月/.]\s*(\d+)\s*日?"
                      r"(?:[\sT]*(\d+)\s*[時:](?:\s*(\d+)\s*分?)?(?::(\d+(?:\.\d+)?))?)?")


def parse_time(text: str) -> dt.datetime | None:
    """A timestamp as offices write it (None: not one). A timezone is dropped: the
    office's own clock is what its working day is measured on."""
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        return None
    try:
        t = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
        return t.replace(tzinfo=None)
    except ValueError:
        pass
    m = _WAREKI.fullmatch(s)
    if m:
        era, year, month, day, hh, mm, ss = m.groups()
        y = ERAS[era.lower()] + (1 if year == "元" else int(year))
        return _made(y, month, day, hh, mm, ss)
    m = _SLASHED.fullmatch(s)
    if m:
        year_text, month, day, hh, mm, ss = m.groups()
        return _made(int(year_text), month, day, hh, mm, ss)
    return None


def _made(y: int, month: str, day: str, hh: str | None, mm: str | None,
          ss: str | None) -> dt.datetime | None:
    try:
        return dt.datetime(y, int(month), int(day), int(hh or 0), int(mm or 0),
                           int(float(ss or 0)))
    except ValueError:
        return None


def read_csv(path: str, data: bytes) -> Log:
    """A CSV log (UTF-8, UTF-8 with BOM or Shift_JIS). Refused with the row and column
    named: a timestamp that is not one, a start after its completion."""
    rows = csv.reader(io.StringIO(_decode(data, path)))
    return _read_rows(path, rows, lambda n: f"{path}:{n}")


def read_xlsx(path: str) -> Log:
    """A タイムスタディ workbook (staff record each case's steps with their start and end)
    read as a log: the first sheet whose header has the log's columns; a 日付 column
    with times of day (9:30) in the start and end columns is read as their date. Rows
    are named by sheet and cell address in messages."""
    try:
        import openpyxl  # noqa: F401
    except ImportError as exc:
        raise LogError(path, "log_needs_openpyxl") from exc
    from bprkit.interop.xlsx_import import load_workbook

    with open(path, "rb") as fh:  # the survey importer's guards: size, zip, rows, cells
        wb = load_workbook(path, fh.read())
    for ws in wb.worksheets:
        rows = iter(ws.iter_rows(values_only=True))
        for skipped, first in enumerate(rows):  # the header: within the first 10 rows
            headers = ["" if v is None else str(v) for v in first]
            try:
                find_columns(headers, path)
            except LogError:
                if skipped >= 9:
                    break
                continue
            title = ws.title

            def where(n: int, t: str = title, k: int = skipped) -> str:
                return f"{path}:{t}!{n + k}"

            return _read_rows(path, _chain([headers], rows), where)
    raise LogError(path, "log_no_column", column="case", words="、".join(COLUMNS["case"][:6]),
                   headers="-")


def _chain(first: list[list[str]], rest: Iterator[tuple[object, ...]]
           ) -> Iterator[Sequence[object]]:
    yield from first
    yield from rest


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFKC", str(value)).strip()


def _when(value: object, day: object) -> dt.datetime | None:
    """A cell's timestamp: a datetime, a time of day on the row's date, or text."""
    if isinstance(value, dt.datetime):
        return value
    date: dt.date | None = None
    if isinstance(day, dt.datetime):
        date = day.date()
    elif isinstance(day, dt.date):
        date = day
    elif (read := parse_time(_text(day))) is not None:
        date = read.date()
    if isinstance(value, dt.time):
        return dt.datetime.combine(date, value) if date else None
    text = _text(value)
    if not text:
        return None
    if date is not None and re.fullmatch(r"\d{1,2}[:時]\d{2}(?::\d{2})?分?", text):
        hh, mm = re.findall(r"\d+", text)[:2]
        return dt.datetime.combine(date, dt.time(int(hh), int(mm)))
    return parse_time(text)


def _read_rows(path: str, rows: Iterator[Sequence[object]],
               where: Callable[[int], str]) -> Log:
    """Events from rows of cells (the first row the header); ``where``: a row's place
    in messages."""
    headers = [_text(h) for h in next(rows, None) or []]
    if not headers:
        raise LogError(path, "log_empty")
    col = find_columns(headers, path)
    events: dict[str, list[Event]] = defaultdict(list)
    for n, row in enumerate(rows, start=2):
        if not any(_text(c) for c in row):
            continue

        def cell(what: str, row: Sequence[object] = row) -> object:
            k = col.get(what)
            return row[k] if k is not None and k < len(row) else None

        day = cell("date")
        end = _when(cell("end"), day)
        if end is None:
            raise LogError(where(n), "log_bad_time", column=headers[col["end"]],
                           value=_text(cell("end")) or "-")
        start = None
        if "start" in col and _text(cell("start")):
            start = _when(cell("start"), day)
            if start is None:
                raise LogError(where(n), "log_bad_time", column=headers[col["start"]],
                               value=_text(cell("start")))
            if start > end:
                raise LogError(where(n), "log_backwards", start=_text(cell("start")),
                               end=_text(cell("end")))
        case, activity = _text(cell("case")), _text(cell("activity"))
        if not case or not activity:
            raise LogError(where(n), "log_blank",
                           column=headers[col["case" if not case else "activity"]])
        events[case].append(Event(case, activity, end, start, _text(cell("resource"))))
    if not events:
        raise LogError(path, "log_empty")
    return _grouped(path, events)


def _decode(data: bytes, path: str) -> str:
    """UTF-8 (with or without BOM) or Shift_JIS, as a ``.bpr`` file is read."""
    from bprkit.text.source import text_of

    text, _ = text_of(data)
    if text is None:
        raise LogError(path, "log_encoding")
    return text


def _grouped(path: str, events: dict[str, list[Event]]) -> Log:
    for case in events.values():
        case.sort(key=lambda e: (e.start or e.end, e.end))
    return Log(path.rsplit("/", 1)[-1], dict(events))


def read_xes(path: str) -> Log:
    """An XES log through pm4py (``pip install 'bprkit[logs]'``)."""
    try:
        import pm4py
    except ImportError as exc:
        raise LogError(path, "log_needs_pm4py") from exc
    import warnings

    try:
        with warnings.catch_warnings():  # pm4py's advice on faster readers: not ours
            warnings.simplefilter("ignore")
            frame = pm4py.read_xes(path)
    except Exception as exc:  # pm4py's own errors: said with the file
        raise LogError(path, "log_unreadable", detail=str(exc)[:200]) from exc
    events: dict[str, list[Event]] = defaultdict(list)
    starts = "start_timestamp" in frame.columns
    resources = "org:resource" in frame.columns
    for values in frame.to_dict("records"):
        end = values.get("time:timestamp")
        if end is None or (isinstance(end, float) and math.isnan(end)):
            raise LogError(path, "log_no_column", column="end", words="time:timestamp",
                           headers="、".join(map(str, frame.columns)))
        start = values.get("start_timestamp") if starts else None
        events[str(values["case:concept:name"])].append(Event(
            str(values["case:concept:name"]), str(values["concept:name"]),
            _naive(end), _naive(start) if start is not None else None,
            str(values.get("org:resource", "")) if resources else ""))
    return _grouped(path, events)


def _naive(t: object) -> dt.datetime:
    value = t.to_pydatetime() if hasattr(t, "to_pydatetime") else t
    assert isinstance(value, dt.datetime)
    return value.replace(tzinfo=None)


def read(path: str) -> Log:
    """A log by its extension: ``.csv``, ``.xes`` or a タイムスタディ ``.xlsx``."""
    import os

    if not os.path.isfile(path):
        raise LogError(path, "log_missing")
    from bprkit.interop.limits import MAX_LOG_BYTES, check_input_size

    if not path.lower().endswith((".xlsx", ".xlsm")):  # a workbook has its own limits
        check_input_size(path, os.path.getsize(path), MAX_LOG_BYTES, LogError, "log_too_big")
    if path.lower().endswith(".xes"):
        return read_xes(path)
    if path.lower().endswith((".xlsx", ".xlsm")):
        return read_xlsx(path)
    with open(path, "rb") as fh:
        return read_csv(path, fh.read())


@dataclass(frozen=True)
class Calendar:
    """The working calendar time is measured on: weekdays, ``opens`` to ``closes`` with
    the lunch hour off, so a working day is ``units.DEFAULT_HOURS_PER_DAY`` (8:30–17:15
    less 12:00–13:00: 7.75 hours, a test holds them equal). A moment is a working day
    and the working minutes of it gone by (:meth:`_place`)."""

    opens: dt.time = dt.time(8, 30)
    closes: dt.time = dt.time(17, 15)
    lunch: dt.time = dt.time(12, 0)
    lunch_ends: dt.time = dt.time(13, 0)

    @staticmethod
    def _minute(t: dt.time) -> float:
        return t.hour * 60 + t.minute + t.second / 60 + t.microsecond / 60e6

    @property
    def morning(self) -> float:
        return self._minute(self.lunch) - self._minute(self.opens)

    @property
    def day_minutes(self) -> float:
        return (self._minute(self.closes) - self._minute(self.opens)
                - (self._minute(self.lunch_ends) - self._minute(self.lunch)))

    def _place(self, t: dt.datetime) -> tuple[dt.date, float]:
        """The working day of ``t`` (a weekend: the Monday after, at its start) and the
        working minutes of it before ``t`` (0 before opening, the morning's over lunch,
        the whole day after closing)."""
        if t.weekday() >= 5:
            return t.date() + dt.timedelta(days=7 - t.weekday()), 0.0
        m = self._minute(t.time())
        if m <= self._minute(self.lunch):
            return t.date(), min(max(m - self._minute(self.opens), 0.0), self.morning)
        after = max(m - self._minute(self.lunch_ends), 0.0)
        return t.date(), min(self.morning + after, self.day_minutes)

    def _at(self, day: dt.date, minutes: float) -> dt.datetime:
        """The moment ``minutes`` working minutes into a working day."""
        start = self.opens if minutes <= self.morning else self.lunch_ends
        gone = minutes if minutes <= self.morning else minutes - self.morning
        return dt.datetime.combine(day, start) + dt.timedelta(minutes=gone)

    def advance(self, t: dt.datetime, minutes: float) -> dt.datetime:
        """``t`` plus that many working minutes."""
        day, gone = self._place(t)
        days, rest = divmod(gone + minutes, self.day_minutes)
        if days == 0:  # the same working day: no calendar to count
            return self._at(day, rest)
        if rest == 0:  # at a day's close
            return dt.datetime.combine(self._offset(day, int(days) - 1), self.closes)
        return self._at(self._offset(day, int(days)), rest)

    @staticmethod
    def _offset(day: dt.date, days: int) -> dt.date:
        return np.busday_offset(day, days, roll="forward").astype(dt.date)

    def between(self, a: dt.datetime, b: dt.datetime) -> float:
        """Working minutes from ``a`` to ``b`` (0 when ``b`` is not after ``a``)."""
        if b <= a:
            return 0.0
        (da, ma), (db, mb) = self._place(a), self._place(b)
        if da == db:  # most of a log's steps: no calendar to count
            return max(mb - ma, 0.0)
        return max(float(np.busday_count(da, db)) * self.day_minutes + mb - ma, 0.0)


CALENDAR = Calendar()


def draw(d: Duration | None, u: float, hours_per_day: float) -> float:
    """Minutes of a duration at the quantile ``u`` (uniform, or triangular with a
    mode): the estimate's own inverse CDF (sampling.Shape)."""
    from bprkit.estimate import sampling

    shape = sampling.Shape.of(*sampling.duration_arrays([d], hours_per_day))
    return float(shape.values(np.array([[u]]))[0, 0])


class _Draws:
    """Minutes of each step's wait and time, drawn by the estimate's own inverse CDF
    (sampling.Shape) a block of rows at a time: a step run again takes the next row."""

    BLOCK = 1024

    def __init__(self, steps: Sequence[Step], rng: np.random.Generator,
                 hours_per_day: float, queues: Mapping[str, _QueueWait] | None = None
                 ) -> None:
        from bprkit.estimate import sampling

        self.column = {s.id: k for k, s in enumerate(steps)}
        self.queues = queues or {}
        durations = [*(None if s.id in self.queues else s.wait for s in steps),
                     *(s.duration for s in steps)]
        self.shape = sampling.Shape.of(*sampling.duration_arrays(durations, hours_per_day))
        self.rng, self.width = rng, len(durations)
        self.rows = np.empty((0, self.width))
        self.next = [0] * self.width

    def _take(self, k: int) -> float:
        if self.next[k] >= len(self.rows):  # every column starts a fresh block
            self.rows = self.shape.values(self.rng.random((self.BLOCK, self.width)))
            self.next = [0] * self.width
        value = self.rows[self.next[k], k]
        self.next[k] += 1
        return float(value)

    def wait(self, step: str, t: dt.datetime) -> float:
        queue = self.queues.get(step)
        if queue is not None:
            return queue.draw(t, self.rng)
        return self._take(self.column[step])

    def time(self, step: str) -> float:
        return self._take(len(self.column) + self.column[step])


class _QueueWait:
    """A queue's wait for a case that reaches it at ``t``: the period of its weekday and
    of the season (the first working days of the fiscal year, as the arrivals are
    drawn); a case waits with Erlang C's probability, then an exponential time whose
    mean keeps the period's mean wait (as in an M/M/c queue)."""

    def __init__(self, solved: Any, season_end: dt.date | None) -> None:
        from bprkit.text import queue

        self.season_end = season_end
        self.by: dict[tuple[str, bool], tuple[float, float]] = {}
        for k, p in enumerate(solved.periods):
            a, c = p.per_hour / 60 * solved.service.minutes, solved.counters[k]
            mean = solved.period_wait(k)
            waits = float(queue.erlang_c(c, a)) if 0 < a < c else float(a >= c > 0)
            self.by[(p.day, p.peak)] = (waits, mean / waits if waits > 0 else 0.0)

    def draw(self, t: dt.datetime, rng: np.random.Generator) -> float:
        from bprkit.vocabulary import WEEKDAYS

        peak = self.season_end is not None and t.date() < self.season_end
        day = WEEKDAYS[t.weekday()] if t.weekday() < len(WEEKDAYS) else WEEKDAYS[0]
        waits, mean = self.by.get((day, peak)) or self.by.get(("", False)) or \
            next(iter(self.by.values()))
        return float(rng.exponential(mean)) if rng.random() < waits else 0.0



def simulate(process: Process, cases: int, seed: int = 1, *,
             year: int = 2025, hours_per_day: float = units.DEFAULT_HOURS_PER_DAY,
             calendar: Calendar = CALENDAR) -> Iterator[Event]:
    """A log of ``cases`` cases through the process's flow: each case arrives at a
    random working moment of the fiscal year (April to March; a season's share within
    its first working days), waits and works as the file says (uniform or triangular
    draws), takes each branch's way by its share, runs a parallel block's paths from the
    same moment and joins when the last ends. A ``use`` is passed through (the called
    procedure keeps its own log). Deterministic for a seed."""
    from bprkit.text import flow as flows
    from bprkit.text import queue

    g = flows.build(process)
    rng = np.random.default_rng(seed)
    first = dt.datetime(year, 4, 1, 8, 30)
    working_days = int(np.busday_count(first.date(), dt.date(year + 1, 4, 1)))
    season = process.volume.season_days if process.volume else None
    season_end = (np.busday_offset(first.date(), int(season), roll="forward").astype(dt.date)
                  if season else None)
    queues = {}
    for sid, step in g.steps.items():
        if step.queue is not None and step.wait is None:
            solved = queue.solve(g, sid, hours_per_day, process.volume,
                                 units.DEFAULT_WORKING_DAYS)  # as fit and the estimate
            if solved is not None:
                queues[sid] = _QueueWait(solved, season_end)
    draws = _Draws(list(g.steps.values()), rng, hours_per_day, queues)
    share = process.volume.season_share if process.volume else 1.0
    for n in range(cases):
        days = season if season and rng.random() < share else working_days
        offset = rng.random() * min(days, working_days) * calendar.day_minutes
        arrival = calendar.advance(first, offset)
        out: list[Event] = []
        _walk(g, flows.START, flows.FINISH, arrival, f"C{n + 1:06d}", out, rng, draws,
              calendar)
        out.sort(key=lambda e: (e.start or e.end, e.end))
        yield from out


def _walk(g: FlowGraph, node: str, stop: str, t: dt.datetime, case: str, out: list[Event],
          rng: np.random.Generator, draws: _Draws, calendar: Calendar) -> dt.datetime:
    """One token from ``node`` to ``stop``; its events appended; the time it gets there."""
    from bprkit.text.flow import FINISH

    while node not in (stop, FINISH):
        if node in g.forks:
            join = g.joins[node]
            ends = [_walk(g, entry, join, t, case, out, rng, draws, calendar)
                    for entry in g.forks[node]]
            t, node = max(ends), join
        elif node in g.steps:
            step = g.steps[node]
            start = calendar.advance(t, draws.wait(node, t))
            end = calendar.advance(start, draws.time(node))
            out.append(Event(case, step.title, end, start, step.lane))
            t = end
        outs = [(n, p) for n, p in g.edges.get(node, {}).items() if p > 0]
        if not outs:
            break
        node = outs[-1][0]  # a way by its share (the last, should rounding leave a crumb)
        pick = rng.random() * sum(p for _, p in outs) if len(outs) > 1 else 0.0
        for way, p in outs:
            pick -= p
            if pick <= 0:
                node = way
                break
    return t


HEADERS_JA = ("案件番号", "処理", "開始日時", "完了日時", "担当")
"""The columns :func:`write_csv` writes, as a core system's export names them."""


def write_csv(events: Iterable[Event]) -> str:
    """A CSV with Japanese column names and ISO timestamps to the minute's second."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADERS_JA)
    for e in events:
        w.writerow([e.case, e.activity,
                    e.start.isoformat(sep=" ", timespec="seconds") if e.start else "",
                    e.end.isoformat(sep=" ", timespec="seconds"), e.resource])
    return buf.getvalue()
