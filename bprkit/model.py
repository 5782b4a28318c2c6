"""The process model: frozen dataclasses, no I/O, no lark, no numpy.

Every object that comes from a file carries a :class:`Span`. Spans are left
out of equality and hashing, so two models that say the same thing compare
equal wherever they were written (the writer's round trip relies on it).
Names of roles, tags, units and periods are stored in their canonical English
form (``紙`` is stored as ``paper``); :mod:`bprkit.vocabulary` maps the aliases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal, TypeAlias

from bprkit import units

END = "end"
"""The target name that ends a case."""

Role: TypeAlias = Literal[
    "resident", "counter", "back_office", "approval", "storage", "system", "external"
]
Unit: TypeAlias = Literal["sec", "min", "hour", "day", "week"]
Period: TypeAlias = Literal["year", "month", "week", "day"]
State: TypeAlias = Literal["as_is", "to_be"]
DocumentKind: TypeAlias = Literal["paper", "electronic"]

STAFF_ROLES: frozenset[str] = frozenset({"counter", "back_office", "approval", "storage"})
KIND_TAGS: tuple[str, ...] = ("counter", "back_office", "approval", "storage")
WHOSE: Mapping[str, str] = MappingProxyType({
    **{k: "staff" for k in STAFF_ROLES}, "resident": "resident", "external": "external"})
"""A step's kind → whose hours it takes: staff, resident or external (system steps:
no one's). The three are never added, ranked or coloured together."""

def resident_present(step: Step, lane_role: str | None) -> bool:
    """An in-person step in a resident or counter lane: the resident is there. (An
    in-person committee meeting or a home visit by staff is not a visit.)"""
    return "in_person" in step.tags and lane_role in ("resident", "counter")


_NO_POSITIONS: Mapping[str, Span] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Span:
    """Where something stands in a file: 1-based line and column (in characters)."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int


def _span() -> Span | None:
    return field(default=None, compare=False, hash=False, repr=False)


def _positions() -> Mapping[str, Span]:
    return field(default_factory=lambda: _NO_POSITIONS, compare=False, hash=False, repr=False)


@dataclass(frozen=True, slots=True)
class Duration:
    """A time as written: a value, or a range low..high (uniform) or low..mode..high
    (triangular), in one unit. Conversion to minutes needs the working day length."""

    low: float
    high: float
    unit: Unit
    mode: float | None = None
    span: Span | None = _span()

    @property
    def is_range(self) -> bool:
        return self.low != self.high

    @property
    def expected(self) -> float:
        """Expected value in the written unit: uniform (a+b)/2, triangular (a+m+b)/3."""
        if self.mode is not None:
            return (self.low + self.mode + self.high) / 3
        return (self.low + self.high) / 2

    def minutes_per_unit(self, hours_per_day: float,
                         days_per_week: float = units.DAYS_PER_WEEK) -> float:
        return units.minutes(self.unit, hours_per_day, days_per_week)

    def expected_minutes(self, hours_per_day: float = units.DEFAULT_HOURS_PER_DAY) -> float:
        return self.expected * self.minutes_per_unit(hours_per_day)

    @property
    def variance(self) -> float:
        """Variance in the written unit, of the same shape as :attr:`expected`: uniform
        (b−a)²/12, triangular (a²+m²+b²−am−ab−mb)/18."""
        a, b = self.low, self.high
        if self.mode is not None:
            m = self.mode
            return (a * a + m * m + b * b - a * m - a * b - m * b) / 18
        return (b - a) ** 2 / 12


@dataclass(frozen=True, slots=True)
class Retention:
    """``stores <documents> for <years> years``."""

    documents: tuple[str, ...]
    years: float
    span: Span | None = _span()




def runs_per_year(period: Period, working_days: float) -> float:
    """How many periods a year holds (bprkit/units.py: per_year)."""
    return units.per_year(period, working_days)


@dataclass(frozen=True, slots=True)
class Batch:
    """Cases handled together: ``batch 20`` (once for every 20 cases) or ``batch
    month`` (once a month, for the cases of that month). ``shared`` (the default,
    ``一括``): the work is done once for the batch (one 決裁 for a month's list);
    ``each`` (``個別``): the cases only wait for the batch, the work stays per case
    (the morning mail is opened together, each form still read)."""

    cases: float | None = None
    period: Period | None = None
    span: Span | None = _span()
    shared: bool = True

    def cases_per_run(self, cases_per_year: float | None, *, working_days: float = 243,
                      runs: float | None = None) -> float:
        """How many cases share one run (at least 1); 1 when the work stays per case.
        ``runs``: the runs a year that carry cases, when a season leaves some empty."""
        if not self.shared:
            return 1.0
        if self.cases is not None:
            return max(self.cases, 1.0)
        if cases_per_year is None or self.period is None:
            return 1.0
        if runs is None:
            runs = runs_per_year(self.period, working_days)
        return max(cases_per_year / runs, 1.0)


@dataclass(frozen=True, slots=True)
class QueueLine:
    """A queue's figure for some days only: ``到着 40 件 / 時 月曜`` or ``窓口数 6 繁忙期``.
    ``days``: weekdays (mon … fri; none: every day); ``peak``: only in the filing season."""

    value: float
    days: tuple[str, ...] = ()
    peak: bool = False
    period: str = "hour"
    """Of an arrivals line: ``hour`` or ``day``."""
    span: Span | None = _span()

    def applies(self, day: str, peak: bool) -> bool:
        return (not self.days or day in self.days) and (not self.peak or peak)

    @property
    def rank(self) -> int:
        """How specific the line is: season and days 3, season 2, days 1."""
        return 2 * self.peak + bool(self.days)


@dataclass(frozen=True, slots=True)
class Queue:
    """A counter's queue (``arrivals 26 / hour``, ``counters 4``): cases arrive at
    ``rate`` a ``period`` (``hour``, or ``day``: a day's arrivals spread over its working
    hours) and ``counters`` counters serve them. Without counters the step's ``wait`` is
    the observed queue, and the counters it implies are inferred from it
    (:mod:`bprkit.text.queue`). ``arrivals_on`` and ``counters_on``: lines for some days
    of the week or the filing season; on a day several fit, the most specific applies."""

    rate: float
    period: str = "hour"
    counters: float | None = None
    arrivals_on: tuple[QueueLine, ...] = ()
    counters_on: tuple[QueueLine, ...] = ()
    span: Span | None = _span()
    counters_span: Span | None = _span()

    def per_hour(self, hours_per_day: float, day: str = "", peak: bool = False) -> float:
        line = _chosen(self.arrivals_on, day, peak)
        rate, period = (line.value, line.period) if line else (self.rate, self.period)
        return rate if period == "hour" else rate / hours_per_day

    def counters_on_day(self, day: str = "", peak: bool = False) -> float | None:
        line = self.counters_line(day, peak)
        return line.value if line else self.counters

    def counters_line(self, day: str = "", peak: bool = False) -> QueueLine | None:
        """The counters line that holds on a day (None: the plain line)."""
        return _chosen(self.counters_on, day, peak)

    @property
    def varies(self) -> bool:
        return bool(self.arrivals_on or self.counters_on)

    @property
    def peak(self) -> bool:
        """Some line applies only in the filing season."""
        return any(x.peak for x in (*self.arrivals_on, *self.counters_on))


def _chosen(lines: tuple[QueueLine, ...], day: str, peak: bool) -> QueueLine | None:
    """The most specific line for a day (the later of two as specific)."""
    best: QueueLine | None = None
    for line in lines:
        if line.applies(day, peak) and (best is None or line.rank >= best.rank):
            best = line
    return best


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    lane: str
    label: str | None = None
    tags: tuple[str, ...] = ()
    duration: Duration | None = None
    wait: Duration | None = None
    target: str | None = None
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    produces: tuple[str, ...] = ()
    stores: tuple[Retention, ...] = ()
    system: str | None = None
    notes: tuple[str, ...] = ()
    pains: tuple[str, ...] = ()
    basis: tuple[str, ...] = ()
    levers: tuple[str, ...] | None = None
    """``lever a, b``: the levers pinned to this step; ``lever none``: (); None: any
    lever whose rules fit."""
    replaces: tuple[str, ...] = ()
    """``replaces x, y``: the As-Is steps a To-Be step takes the place of."""
    batch: Batch | None = None
    queue: Queue | None = None
    span: Span | None = _span()
    positions: Mapping[str, Span] = _positions()
    """Spans of parts of the step: ``lane``, ``target``, ``system``, ``tag:N``,
    ``reads:N``, ``writes:N``, ``uses:N``, ``produces:N`` (N counts from 0)."""

    @property
    def title(self) -> str:
        return self.label or self.id

    def position(self, key: str) -> Span | None:
        return self.positions.get(key, self.span)


@dataclass(frozen=True, slots=True)
class Case:
    """One arm of a branch: ``95% -> X``, or ``else -> X`` (percent None)."""

    target: str
    percent: float | None = None
    span: Span | None = _span()
    target_span: Span | None = _span()

    @property
    def is_else(self) -> bool:
        return self.percent is None


@dataclass(frozen=True, slots=True)
class Branch:
    cases: tuple[Case, ...]
    label: str | None = None
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Path:
    items: tuple[FlowItem, ...]
    label: str | None = None
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Parallel:
    paths: tuple[Path, ...]
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Use:
    process: str
    times: float = 1
    batch: Batch | None = None
    span: Span | None = _span()


FlowItem: TypeAlias = Step | Branch | Parallel | Use


@dataclass(frozen=True, slots=True)
class Lane:
    id: str
    role: Role
    label: str | None = None
    span: Span | None = _span()
    role_span: Span | None = _span()

    @property
    def title(self) -> str:
        return self.label or self.id


@dataclass(frozen=True, slots=True)
class Phase:
    """A named stretch of a process (受付, 審査, 決裁, 保存): the statements of the
    process's own flow from ``start`` up to the next phase's start, with the steps
    of the processes they ``use``."""

    id: str
    label: str | None = None
    first: str | None = None
    """The first step of the phase's own flow (in source order); None when it holds
    none (no step follows the phase line, or only ``use`` lines)."""
    span: Span | None = _span()
    start: int | None = None
    """Where the phase starts: the index in ``Process.flow`` of its first statement
    that holds work (a step, a ``use``, or a parallel block with either); None when
    nothing follows the phase line before the next one (W013)."""

    @property
    def title(self) -> str:
        return self.label or self.id


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    kind: DocumentKind
    label: str | None = None
    span: Span | None = _span()

    @property
    def title(self) -> str:
        return self.label or self.id


@dataclass(frozen=True, slots=True)
class Data:
    id: str
    held: bool = False
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Volume:
    """Cases per period (``1,800 / year``); ``season_days``: they arrive within that
    many working days of the period (``within 20 days``, a filing season);
    ``season_share``: the part of them that does (``within 15 days 60%``: 0.6)."""

    count: float
    period: Period
    span: Span | None = _span()
    season_days: float | None = None
    season_share: float = 1.0
    """The share (0–1] of each period's cases that arrive within ``season_days``;
    1.0 (all of them) unless the file gives a percentage."""

    def peak_per_day(self) -> float | None:
        """Cases a working day in the season (count × share ÷ season days), or None
        without a season."""
        if self.season_days is None or self.season_days <= 0:
            return None
        return self.count * self.season_share / self.season_days

    def per_year(self, *, working_days: float = 243) -> float:
        """Cases a year (a week is 5 working days: ``runs_per_year``)."""
        return self.count * runs_per_year(self.period, working_days)

    def season_days_per_year(self, *, working_days: float = 243) -> float | None:
        """The working days a year of the filing season (``within N days`` of each
        period), or None without a season."""
        if not self.season_days:
            return None
        return self.season_days * runs_per_year(self.period, working_days)


@dataclass(frozen=True, slots=True)
class Process:
    id: str
    label: str | None = None
    owner: str | None = None
    volume: Volume | None = None
    state: State = "as_is"
    based_on: str | None = None
    notes: tuple[str, ...] = ()
    lanes: tuple[Lane, ...] = ()
    documents: tuple[Document, ...] = ()
    data: tuple[Data, ...] = ()
    flow: tuple[FlowItem, ...] = ()
    span: Span | None = _span()
    positions: Mapping[str, Span] = _positions()
    """Spans of header lines: ``owner``, ``volume``, ``state``, ``based_on``."""
    phases: tuple[Phase, ...] = ()
    """In source order; each holds the steps from its first up to the next one's."""

    @property
    def title(self) -> str:
        return self.label or self.id

    def lane(self, lane_id: str) -> Lane | None:
        return next((lane for lane in self.lanes if lane.id == lane_id), None)

    def steps(self) -> Iterator[Step]:
        """Every step, in source order, parallel paths included."""
        yield from iter_steps(self.flow)

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps() if s.id == step_id), None)

    def phase_of_items(self) -> list[Phase | None]:
        """The phase of each statement of ``flow`` (None before the first phase)."""
        starts = {ph.start: ph for ph in self.phases if ph.start is not None}
        out: list[Phase | None] = []
        current: Phase | None = None
        for n in range(len(self.flow)):
            current = starts.get(n, current)
            out.append(current)
        return out

    def phase_of_steps(self) -> dict[str, Phase]:
        """Step id → its phase (steps before the first phase line have none)."""
        out: dict[str, Phase] = {}
        for item, phase in zip(self.flow, self.phase_of_items(), strict=True):
            if phase is not None:
                out.update((step.id, phase) for step in iter_steps((item,)))
        return out

    def kind_of(self, step: Step) -> str | None:
        """The step's kind: a kind tag if it has one, else its lane's role."""
        for tag in step.tags:
            if tag in KIND_TAGS:
                return tag
        lane = self.lane(step.lane)
        return lane.role if lane else None


@dataclass(frozen=True, slots=True)
class Import:
    path: str
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One parsed `.bpr` file."""

    path: str
    imports: tuple[Import, ...] = ()
    processes: tuple[Process, ...] = ()


@dataclass(frozen=True, slots=True)
class Bundle:
    """A file together with every file it imports, directly or not.

    ``processes`` holds every process those files define, in load order (the
    file's own first), so ``use`` can name any of them.
    """

    root: SourceFile
    files: tuple[SourceFile, ...]

    @property
    def processes(self) -> tuple[Process, ...]:
        return tuple(p for f in self.files for p in f.processes)

    def process(self, process_id: str) -> Process | None:
        return next((p for p in self.processes if p.id == process_id), None)

    def own(self, process_id: str | None = None) -> Process | None:
        """The file's own process named ``process_id``, or its first without one; None
        when the file has no such process: the one home of "which process" (every command
        with ``--process``, the library's verbs)."""
        own = self.root.processes
        if process_id is None:
            return own[0] if own else None
        return next((p for p in own if p.id == process_id), None)

    def tobe_of(self, asis: Process) -> Process:
        """The process of this file that redesigns ``asis`` (its ``based_on``), else the
        file's first: the one home of "which To-Be" (compare, render --compare, the
        library's diagram and compare)."""
        own = self.root.processes
        return next((p for p in own if p.based_on == asis.id), own[0])


def iter_uses(items: tuple[FlowItem, ...]) -> Iterator[Use]:
    """The ``use`` lines of a flow in source order, descending into parallel paths."""
    for item in items:
        if isinstance(item, Use):
            yield item
        elif isinstance(item, Parallel):
            for path in item.paths:
                yield from iter_uses(path.items)


def map_flow(items: tuple[FlowItem, ...], step: Callable[[Step], Step] = lambda s: s,
             use: Callable[[Use], Use] = lambda u: u) -> tuple[FlowItem, ...]:
    """The flow with ``step`` applied to every step and ``use`` to every use, parallel
    paths included (branches and everything else as they are)."""
    out: list[FlowItem] = []
    for item in items:
        if isinstance(item, Step):
            out.append(step(item))
        elif isinstance(item, Use):
            out.append(use(item))
        elif isinstance(item, Parallel):
            out.append(replace(item, paths=tuple(
                replace(p, items=map_flow(p.items, step, use)) for p in item.paths)))
        else:
            out.append(item)
    return tuple(out)


def iter_steps(items: tuple[FlowItem, ...]) -> Iterator[Step]:
    """Steps of a flow in source order, descending into parallel paths."""
    stack: list[Iterator[FlowItem]] = [iter(items)]
    while stack:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
        elif isinstance(item, Step):
            yield item
        elif isinstance(item, Parallel):
            stack.append(iter([i for p in item.paths for i in p.items]))
