"""A procedure fitted to the office's own event log: each step's time, the waits, the
branches' shares and the volume, measured, and written back into the ``.bpr`` with the
source of each figure; and how well the log conforms to the procedure.

- **Activities to steps**: an activity is a step by its id or its label, or by a
  mapping file (``[activities]`` table of TOML, ``"受付処理" = "受付"``). An activity that
  two steps would take is refused; activities no step takes are listed, and so are
  steps no event shows.
- **Time of a step**: the working minutes from an event's start to its completion
  (eventlog.Calendar). The range written is the triangular distribution, ``.bpr``'s own
  meaning of ``a..m..b``, whose 10th, 50th and 90th percentiles are the log's; the
  comment above gives those three. A constant time is one value.
- **Wait**: the working minutes from the last completion before an event's start, in
  the same case, to that start. The first event of a case has none (the log does not
  say when the case arrived): a step that is most cases' first keeps its wait.
- **Shares**: after each event of a branch's step, the first later event of one of
  the branch's ways (or the case's end); the ``else`` way keeps the rest.
- **Volume**: cases a year over the log's span (at least 28 days of it); a season when
  the busiest working days hold most cases (:func:`_season`).
- A figure is replaced only with at least ``min_cases`` cases behind it (30 unless
  said); fewer leave it as written, and the table says why.

Every changed statement gets a comment line above it, ``# source: log NAME, N cases,
FROM–TO`` (P10/P50/P90 for times), replacing one an earlier fit wrote; the rest of
the file, comments and layout, is left as it is: edits are made at the spans the
parser gives, then the file is checked again before anything is written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from bprkit import units
from bprkit.interop.eventlog import CALENDAR, Event, Log, LogError
from bprkit.model import END, Duration, Process, Span, Step, Unit, Volume
from bprkit.text import writer

if TYPE_CHECKING:
    from bprkit.text.flow import FlowGraph

Note = Callable[[int, str], str]
"""A figure's ``# source:`` comment from its cases and detail (:func:`source_note`)."""

MIN_CASES = 30
"""Fewest cases behind a figure that replaces one written by hand."""


@dataclass(frozen=True)
class Figure:
    """One figure of the file against the log: what, where, as written, as measured."""

    what: str
    """``time`` | ``wait`` | ``share`` | ``volume`` | ``season``"""
    where: str
    """A step id, 「branch → way」 or the process id."""
    old: str
    new: str
    cases: int
    """The cases behind it."""
    kept: bool = False
    """Left as written: fewer cases than the minimum behind it."""
    detail: str = ""
    """For a time or a wait: the measured P10 / P50 / P90 in minutes."""
    measured: float | None = None
    """A time's or a wait's measured median in minutes; a share in percent."""


@dataclass(frozen=True)
class Variant:
    activities: tuple[str, ...]
    cases: int
    where: int | None
    """The index of the first activity the procedure does not allow there."""


@dataclass
class Conformance:
    cases: int
    fitting: int
    variants: list[Variant] = field(default_factory=list)
    """The deviating variants, most cases first."""
    never_seen: list[str] = field(default_factory=list)
    """Steps of the procedure no event shows."""
    not_in_procedure: list[str] = field(default_factory=list)
    """Activities no step takes, with their event counts, most first."""

    @property
    def share(self) -> float:
        return self.fitting / self.cases if self.cases else 0.0


@dataclass(frozen=True)
class QueueCheck:
    """A queue's wait as the log measures it and as its counters give it (fit writes
    no wait beside counters: the analyst sees the two and checks the queue's lines)."""

    step: str
    measured: float
    model: float
    cases: int
    counters: float
    per_hour: float

    @property
    def agrees(self) -> bool:
        """Within a quarter of each other (or both under a minute)."""
        return abs(self.measured - self.model) <= max(0.25 * self.model, 1.0)


@dataclass
class Fit:
    process: str
    log: str
    cases: int
    events: int
    first: str
    last: str
    figures: list[Figure]
    conformance: Conformance
    text: str
    """The file with the measured figures."""
    unmapped: dict[str, int] = field(default_factory=dict)
    min_cases: int = MIN_CASES
    queues: list[QueueCheck] = field(default_factory=list)
    """Queues whose wait follows from counters: the log's mean wait beside the model's."""

    def written_to(self, source: str, target: str) -> str:
        """The text to write at ``target`` (imports made relative to its folder)."""
        return relocated(self.text, source, target)


def mapping(process: Process, log: Log, given: Mapping[str, str] | None, path: str
            ) -> tuple[dict[str, str], dict[str, int]]:
    """Activity → step id, and the activities no step takes (with event counts)."""
    import unicodedata

    def same(text: str) -> str:  # （郵送） and (郵送), ２ and 2: one activity
        return unicodedata.normalize("NFKC", text).strip()

    by_id = {same(s.id): s.id for s in process.steps()}
    by_label: dict[str, list[str]] = defaultdict(list)
    for s in process.steps():
        by_label[same(s.title)].append(s.id)
    mapped = {same(k): v for k, v in (given or {}).items()}
    out: dict[str, str] = {}
    unmapped: dict[str, int] = {}
    for activity, count in sorted(log.activities().items()):
        key = same(activity)
        if key in mapped:
            step = mapped[key]
            if step not in by_id.values():
                raise LogError(path, "log_map_unknown", activity=activity, step=step)
            out[activity] = step
        elif key in by_id:
            out[activity] = by_id[key]
        elif len(by_label.get(key, [])) > 1:
            raise LogError(path, "log_two_steps", activity=activity,
                           steps="、".join(by_label[key]))
        elif key in by_label:
            out[activity] = by_label[key][0]
        else:
            unmapped[activity] = count
    return out, unmapped


def _measured(values: Sequence[float], *qs: float) -> list[float]:
    """Percentiles of measured values (linear between order statistics), from one
    sort: the estimate's :func:`bprkit.estimate.sampling.percentiles`."""
    from bprkit.estimate.sampling import percentiles

    return percentiles(np.asarray(values, dtype=float), qs)


PLACES = 2001
"""Places of the mode across a range that :func:`triangular` tries (every 0.05 %)."""


def _percentiles(t: np.ndarray) -> np.ndarray:
    """The 10th, 50th and 90th percentiles (a row each) of the triangular distribution
    on [0, 1] with its mode at each of ``t``: the estimate's own inverse CDF
    (sampling.Shape)."""
    from bprkit.estimate import sampling

    n = len(t)
    shape = sampling.Shape.of(np.zeros(n), t, np.ones(n), np.ones(n, bool))
    return shape.values(np.repeat(np.array([[0.1], [0.5], [0.9]]), n, axis=1))


@cache
def _standard() -> tuple[np.ndarray, np.ndarray]:
    t = np.linspace(0.0, 1.0, PLACES)
    return t, _percentiles(t)


def triangular(q10: float, q50: float, q90: float) -> tuple[float, float, float]:
    """(low, mode, high) of the triangular distribution whose 10th, 50th and 90th
    percentiles are nearest these (least squares). For the mode's place t in [0, 1] of
    the range, each percentile is low + width × Q_t(u), linear in low and width: solved
    in closed form at every place of :data:`PLACES` at once, then twice more on a grid
    as fine around the best; the low end is kept at zero or more."""
    if q90 - q10 <= 1e-9:
        return q50, q50, q50
    y = np.array([q10, q50, q90])[:, None]
    t, xs = _standard()
    for _ in range(3):
        k, low, width = _best(xs, y)
        step = (t[-1] - t[0]) / (len(t) - 1)
        place = t[k]
        t = np.linspace(max(0.0, place - step), min(1.0, place + step), 201)
        xs = _percentiles(t)
    k, low, width = _best(xs, y)
    return low, low + width * float(t[k]), low + width


def _best(xs: np.ndarray, y: np.ndarray) -> tuple[int, float, float]:
    """The column of ``xs`` whose low + width × xs fits ``y`` best, its low and width."""
    mx, my = xs.mean(axis=0), y.mean()
    width = np.maximum(((xs - mx) * (y - my)).sum(axis=0) / ((xs - mx) ** 2).sum(axis=0), 0)
    low = my - width * mx
    negative = low < 0  # a time is never negative: low at zero, the width refitted
    width = np.where(negative, np.maximum((xs * y).sum(axis=0) / (xs * xs).sum(axis=0), 0),
                     width)
    low = np.where(negative, 0.0, low)
    k = int(np.argmin(((low + width * xs - y) ** 2).sum(axis=0)))
    return k, float(low[k]), float(width[k])


def _duration(q10: float, q50: float, q90: float, like: Duration | None,
              hours_per_day: float) -> Duration:
    """The triangular range of measured minutes with those percentiles, in the unit
    written before (or the one that reads best), rounded to what the unit shows."""
    a, m, b = triangular(q10, q50, q90)
    unit = like.unit if like is not None else _unit(q50, hours_per_day)
    scale = units.minutes(unit, hours_per_day)
    low, mode, high = (_round(v / scale) for v in (a, m, b))
    if high - low <= 0:
        return Duration(mode, mode, unit)
    mode = min(max(mode, low), high)
    return Duration(low, high, unit, mode)


def _unit(minutes: float, hours_per_day: float) -> Unit:
    if minutes >= hours_per_day * 60:
        return "day"
    return "min"


def _round(v: float) -> float:
    """Two significant figures below 10, whole numbers above."""
    if v >= 10:
        return float(round(v))
    if v >= 1:
        return round(v, 1)
    return round(v, 2)


def fit(process: Process, source: str, log: Log, *, given: Mapping[str, str] | None = None,
        min_cases: int = MIN_CASES, hours_per_day: float = units.DEFAULT_HOURS_PER_DAY,
        path: str = "", words: writer.Words | None = None, map_path: str = "") -> Fit:
    """The process's figures measured in the log, and the file text with them."""
    from bprkit.text import flow as flows

    to_step, unmapped = mapping(process, log, given, map_path or path or log.name)
    cases = {c: [(to_step[e.activity], e) for e in events if e.activity in to_step]
             for c, events in log.cases.items()}
    g = flows.build(process)
    steps = {s.id: s for s in process.steps()}
    first, last = log.span()
    times: dict[str, list[float]] = defaultdict(list)
    waits: dict[str, list[float]] = defaultdict(list)
    seen: dict[str, set[str]] = defaultdict(set)
    waited: dict[str, set[str]] = defaultdict(set)
    after = _leads_to(g)
    for case, events in cases.items():
        done: list[tuple[str, dt.datetime]] = []
        for at, e in events:
            seen[at].add(case)
            if e.start is not None:
                times[at].append(CALENDAR.between(e.start, e.end))
                # from the last completion of a step the flow comes from (in a parallel
                # block: the path's own step before, not another path's)
                before = [t for s, t in done if t <= e.start and s in after.get(at, ())]
                if before:
                    waits[at].append(CALENDAR.between(max(before), e.start))
                    waited[at].add(case)
            done.append((at, e.end))
    figures: list[Figure] = []
    edits: list[_Edit] = []
    if words is None:  # the file's own words for units and periods
        words = _words_in(source)

    def note(n: int, detail: str = "") -> str:
        return source_note(log, n, detail)

    for sid, step in steps.items():
        for what, measured, old, n in (
                ("time", times.get(sid, []), step.duration, len(seen.get(sid, ()))),
                ("wait", waits.get(sid, []), step.wait, len(waited.get(sid, ())))):
            if not measured:
                continue
            q10, q50, q90 = _measured(measured, 10, 50, 90)
            if old is None and q90 < 0.5:
                continue  # no wait written and none to speak of
            if what == "wait" and step.queue is not None and step.wait is None:
                continue  # the wait follows from the queue's counters (docs/queues.md)
            if what == "wait" and 2 * n < len(seen.get(sid, ())):
                continue  # mostly a case's first event: its arrival is not in the log
            new = _duration(q10, q50, q90, old, hours_per_day)
            said = _words_of(source, old.span) if old is not None and old.span else words
            scale = units.minutes(new.unit, hours_per_day)
            detail = "P10/P50/P90 " + " / ".join(
                f"{q / scale:.3g}" for q in (q10, q50, q90)) + \
                " " + writer.duration(Duration(1, 1, new.unit), said).lstrip("1")
            written_old = writer.duration(old, said) if old is not None else "-"
            written_new = writer.duration(new, said)
            kept = n < min_cases
            figures.append(Figure(what, sid, written_old, written_new, n, kept, detail,
                                  q50))
            if not kept and written_new != written_old:
                edits.append(_duration_edit(step, what, old, written_new,
                                            note(n, f"{what} " + detail)))
    checks = _queue_checks(process, g, steps, waits, min_cases, hours_per_day)
    figures += _shares(process, g, cases, min_cases, edits, note)
    figures += _volume(process, log, min_cases, edits, note, words, source)
    conformance = conform(process, g, log, to_step, unmapped, steps, seen)
    text = _apply(source, edits)
    return Fit(process.id, log.name, len(log.cases), log.events, f"{first:%Y-%m-%d}",
               f"{last:%Y-%m-%d}", figures, conformance, text, unmapped, min_cases, checks)


def _queue_checks(process: Process, g: Any, steps: Mapping[str, Step],
                  waits: Mapping[str, list[float]], min_cases: int, hours_per_day: float
                  ) -> list[QueueCheck]:
    """Each queue with counters the log shows enough waits for: measured and modelled."""
    from bprkit.text import queue

    out = []
    for sid, step in steps.items():
        measured = waits.get(sid, [])
        if step.queue is None or step.wait is not None or len(measured) < min_cases:
            continue
        solved = queue.solve(g, sid, hours_per_day, process.volume)  # the default year
        if solved is not None:
            out.append(QueueCheck(sid, float(np.mean(measured)), solved.wait, len(measured),
                                  solved.base_counters, solved.per_hour))
    return out


def _words_of(source: str, span: Span) -> writer.Words:
    """The words a figure was written in (「3..5分」 or ``3..5min``)."""
    line = source.split("\n")[span.line - 1]
    written = line[span.column - 1:span.end_column - 1]
    return _words_in(written)


def _words_in(text: str) -> writer.Words:
    """The words figures are written in: Japanese units (3..5分, / 年) or English."""
    return writer.JAPANESE if _JAPANESE_UNIT.search(text) else writer.ENGLISH


_JAPANESE_UNIT = re.compile(r"\d\s*(?:分|時間|日|秒|週)|/\s*[年月週日時]")


def _leads_to(g: FlowGraph) -> dict[str, set[str]]:
    """Each step → the steps the flow comes to it from, through forks, joins, branch
    points and uses (a join: the last step of every path)."""
    back: dict[str, set[str]] = defaultdict(set)
    for src, outs in g.edges.items():
        for dst, p in outs.items():
            if p > 0:
                back[dst].add(src)
    out: dict[str, set[str]] = {}
    for step in g.steps:
        found: set[str] = set()
        todo, seen = list(back.get(step, ())), set()
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            if n in g.steps:
                found.add(n)
            else:
                todo += back.get(n, ())
        out[step] = found
    return out


def source_note(log: Log, cases: int, detail: str = "") -> str:
    """The comment a measured figure carries: ``# source: log NAME, N cases, FROM–TO``
    and what was measured."""
    first, last = log.span()
    return (f"# source: log {log.name}, {cases} cases, {first:%Y-%m-%d}–{last:%Y-%m-%d}"
            + (f"; {detail}" if detail else ""))


@dataclass(frozen=True)
class _Edit:
    line: int
    """1-based line of the statement."""
    column: int
    end_column: int
    """The characters replaced (1-based, end exclusive); equal: an insertion."""
    text: str
    comment: str
    """The ``# source`` line put above the statement."""


def _duration_edit(step: Step, what: str, old: Duration | None, text: str,
                   comment: str) -> _Edit:
    if old is not None and old.span is not None:
        return _Edit(old.span.line, old.span.column, old.span.end_column, text, comment)
    # none written: after the duration (a wait), else after the tags, else the lane
    after = _end_of(step, "duration" if what == "wait" else "")
    word = f" wait {text}" if what == "wait" else f" {text}"
    return _Edit(after.line, after.end_column, after.end_column, word, comment)


def _end_of(step: Step, first: str) -> Span:
    if first == "duration" and step.duration is not None and step.duration.span is not None:
        return step.duration.span
    tags = [step.positions[k] for k in step.positions if k.startswith("tag:")]
    if tags:  # the tag list closes with 「]」 one character on
        last = max(tags, key=lambda s: (s.line, s.end_column))
        return Span(last.file, last.line, last.column, last.end_line, last.end_column + 1)
    lane = step.positions["lane"]
    return lane


def _shares(process: Process, g: FlowGraph, cases: Mapping[str, list[tuple[str, Event]]],
            min_cases: int, edits: list[_Edit], note: Note) -> list[Figure]:
    out: list[Figure] = []
    for src, branch in g.branches.items():
        if src not in g.steps:
            continue  # after a block or a use: its step is not one event
        targets = [c.target for c in branch.cases]
        counts: dict[str, int] = defaultdict(int)
        total = 0
        deciding: set[str] = set()
        for case_id, events in cases.items():
            for k, (step, e) in enumerate(events):
                if step != src:
                    continue
                way = next((s for s, later in events[k + 1:]
                            if s in targets and (later.start or later.end) >= e.end), None)
                if way is None and END in targets:
                    way = END
                if way is not None:
                    counts[way] += 1
                    total += 1
                    deciding.add(case_id)
        if total == 0:
            continue
        question = branch.label or src
        for case in branch.cases:
            if case.percent is None:
                continue
            share = 100 * counts.get(case.target, 0) / total
            new = f"{share:.1f}".rstrip("0").rstrip(".")
            kept = len(deciding) < min_cases
            out.append(Figure("share", f"{question} → {case.target}",
                              f"{case.percent:g}%", f"{new}%", len(deciding), kept,
                              f"{counts.get(case.target, 0)} of {total} decisions", share))
            if not kept and case.span is not None and new != f"{case.percent:g}":
                edits.append(_Edit(case.span.line, case.span.column, case.span.end_column,
                                   new, note(len(deciding),
                                             f"{counts.get(case.target, 0)} of {total} "
                                             f"decisions to {case.target}")))
    return out


def measured_volume(log: Log) -> Volume | None:
    """Cases a year in the log, with its season (None: under 28 days of arrivals)."""
    arrivals = [(events[0].start or events[0].end) for events in log.cases.values() if events]
    if len(arrivals) < 2:
        return None
    days = (max(arrivals) - min(arrivals)).total_seconds() / 86400
    if days < 28:
        return None
    season = _season(arrivals)
    per_year = (len(arrivals) - 1) * 365.25 / days  # n arrivals span n − 1 gaps
    if season is None and len(arrivals) >= 200:
        # the middle 99 %: a first step's wait moves both ends alike (the whole span
        # read hoikusho 1.9 % short)
        days_at = [t.timestamp() / 86400 for t in arrivals]
        first, last = _measured(days_at, 0.5, 99.5)
        per_year = 0.99 * len(arrivals) * 365.25 / (last - first)
    return Volume(float(round(per_year)), "year",
                  season_days=float(season[0]) if season else None,
                  season_share=season[1] / 100 if season else 1.0)


def _volume(process: Process, log: Log, min_cases: int, edits: list[_Edit],
            note: Note, words: writer.Words, source: str) -> list[Figure]:
    measured = measured_volume(log)
    if measured is None:
        return []
    where = process.positions.get("volume")
    if where is not None and process.volume is not None:  # the line's own words
        line = source.split("\n")[where.line - 1]
        words = _words_in(line)
    written = writer.volume(measured, words)
    old = writer.volume(process.volume, words) if process.volume is not None else "-"
    kept = len(log.cases) < min_cases
    out = [Figure("volume", process.id, old, written, len(log.cases), kept)]
    if not kept and where is not None and written != old:
        edits.append(_Edit(where.line, where.column, -1, f"volume {written}",
                           note(len(log.cases), "")))
    return out


def _season(arrivals: Iterable[dt.datetime]) -> tuple[int, int] | None:
    """(days, percent) when the busiest working days hold most cases: the fewest days
    holding 60 % of the arrivals, if they are under a quarter of the days with any."""
    per_day: dict[dt.date, int] = defaultdict(int)
    for t in arrivals:
        per_day[t.date()] += 1
    if not per_day:
        return None
    counts = sorted(per_day.values(), reverse=True)
    total, held, days = sum(counts), 0, 0
    for c in counts:
        held, days = held + c, days + 1
        if held >= 0.6 * total:
            break
    if days < len(counts) / 4:
        return days, 60
    return None


def _apply(text: str, edits: Sequence[_Edit]) -> str:
    """The text with each edit made, right to left on each line, and a comment line
    above each statement edited (replacing an earlier fit's)."""
    lines = text.split("\n")
    by_line: dict[int, list[_Edit]] = defaultdict(list)
    for e in edits:
        by_line[e.line].append(e)
    for number in sorted(by_line, reverse=True):
        k = number - 1
        line = lines[k]
        # right to left; two insertions at one place in the order they were made
        for _, e in sorted(enumerate(by_line[number]), key=lambda ke: (-ke[1].column,
                                                                        -ke[0])):
            end = e.end_column if e.end_column >= 0 else _code_end(line)
            line = line[:e.column - 1] + e.text + line[end - 1:]
        lines[k] = line
        indent = line[:len(line) - len(line.lstrip())]
        said = [e.comment for e in by_line[number]]
        head = said[0].split("; ", 1)[0]  # one line: the source once, then each figure
        comment = indent + "; ".join([head, *(c.split("; ", 1)[1] for c in said
                                              if "; " in c)])
        if k > 0 and lines[k - 1].strip().startswith("# source: log "):
            lines[k - 1] = comment
        else:
            lines.insert(k, comment)
    return "\n".join(lines)


def _code_end(line: str) -> int:
    """Where a line's statement ends (1-based, exclusive): before a ``#`` comment
    outside 「…」 and "…", trailing spaces dropped."""
    quoted = False
    for n, ch in enumerate(line):
        if ch in "「\"":
            quoted = True
        elif ch in "」\"" and quoted:
            quoted = False
        elif ch == "#" and not quoted:
            return len(line[:n].rstrip()) + 1
    return len(line.rstrip()) + 1


def conform(process: Process, g: FlowGraph, log: Log, to_step: Mapping[str, str],
            unmapped: Mapping[str, int], steps: Mapping[str, Step],
            seen: Mapping[str, set[str]]) -> Conformance:
    """Token replay of each case's steps on the procedure's flow (branches as choices,
    a parallel block's paths interleaved, a ``use`` passed through): the cases it
    allows, the variants it does not (most cases first, with where they go wrong), the
    steps no event shows and the activities no step takes."""
    variants: dict[tuple[str, ...], int] = defaultdict(int)
    for events in log.cases.values():
        variants[tuple(to_step[e.activity] for e in events if e.activity in to_step)] += 1
    replay = _Replay(g)
    fitting, bad = 0, []
    for trace, n in variants.items():
        where = replay.first_wrong(trace)
        if where is None:
            fitting += n
        else:
            bad.append(Variant(trace, n, where))
    bad.sort(key=lambda v: (-v.cases, v.activities))
    return Conformance(len(log.cases), fitting, bad,
                       [s for s in steps if s not in seen],
                       [a for a, _ in sorted(unmapped.items(), key=lambda kv: -kv[1])])


class _Replay:
    """The flow as a token game: a marking is the sorted tuple of the nodes holding a
    token; silent nodes (start, forks, joins, uses, branch points) fire on their own."""

    def __init__(self, g: FlowGraph) -> None:
        from bprkit.text.flow import FINISH, START
        self.g, self.start, self.finish = g, START, FINISH
        self.join_of = {join: fork for fork, join in g.joins.items()}
        self.paths = {join: len(g.forks[fork]) for fork, join in g.joins.items()}
        self.cache: dict[tuple[str, ...], frozenset[tuple[str, ...]]] = {}

    def _after(self, node: str) -> list[str]:
        return [n for n, p in self.g.edges.get(node, {}).items() if p > 0]

    def _settle(self, marking: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
        """Every marking reachable by silent moves whose tokens all wait at a step, the
        end, or a join still waiting for its other paths."""
        if marking in self.cache:
            return self.cache[marking]
        out: set[tuple[str, ...]] = set()
        todo, seen = [marking], {marking}
        while todo:
            m = todo.pop()
            moved = False
            for k, node in enumerate(m):
                if node in self.g.steps or node == self.finish:
                    continue
                rest = m[:k] + m[k + 1:]
                if node in self.paths:  # a join: fires when all its paths are in
                    if m.count(node) < self.paths[node]:
                        continue
                    rest = tuple(x for x in m if x != node)
                    nexts = [tuple(sorted((*rest, n))) for n in self._after(node)]
                elif node in self.g.forks:
                    nexts = [tuple(sorted(rest + tuple(self.g.forks[node])))]
                else:
                    nexts = [tuple(sorted((*rest, n))) for n in self._after(node)]
                moved = True
                for n in nexts:
                    if n not in seen and len(seen) < 10_000:
                        seen.add(n)
                        todo.append(n)
                break  # one silent node at a time is enough: the others wait
            if not moved:
                out.add(m)
        result = frozenset(out)
        self.cache[marking] = result
        return result

    def first_wrong(self, trace: Sequence[str]) -> int | None:
        """The index of the first step the flow does not allow there (the length: the
        case stops before the end), or None when the flow allows the whole trace."""
        states = set(self._settle((self.start,)))
        for k, step in enumerate(trace):
            after: set[tuple[str, ...]] = set()
            for m in states:
                if step in m:
                    i = m.index(step)
                    rest = m[:i] + m[i + 1:]
                    for n in self._after(step):
                        after |= self._settle(tuple(sorted((*rest, n))))
            if not after:
                return k
            states = after
        if any(all(x == self.finish for x in m) for m in states):
            return None
        return len(trace)


def relocated(text: str, source: str, target: str) -> str:
    """The text written to ``target`` rather than beside ``source``: each ``import``
    path made relative to the new folder, so the file checks where it is written."""
    import os

    from bprkit.text import source as sources
    from bprkit.text.loader import build_model

    decoded, _ = sources.decode(target, text.encode("utf-8"))
    model = build_model(decoded)[0] if decoded is not None else None
    if model is None or not model.imports:
        return text
    lines = text.split("\n")
    here, there = os.path.dirname(os.path.abspath(source)), \
        os.path.dirname(os.path.abspath(target))
    for imp in model.imports:
        if imp.span is None or os.path.isabs(imp.path):
            continue
        moved = os.path.relpath(os.path.join(here, imp.path), there).replace(os.sep, "/")
        k = imp.span.line - 1
        lines[k] = lines[k].replace(f'"{imp.path}"', f'"{moved}"', 1)
    return "\n".join(lines)
