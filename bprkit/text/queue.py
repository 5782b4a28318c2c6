"""A counter's queue as a queue: the wait that follows from arrivals, counters and the
time a case takes at the counter (docs/queues.md).

A step with ``arrivals`` is where a queue forms. The counters serve the whole visit:
the step and the steps after it in the same lane while the flow goes straight on (no
branch, no wait of their own, no queue of their own). The visit's mean time ``S`` and
the squared coefficient of variation ``cs2`` of its time (each step's range is the
spread of one case's time: a triangle, or a uniform) give the mean wait by the
Allen–Cunneen approximation of the M/G/c queue:

    Wq = C(c, a) · S / (c − a) · (1 + cs2) / 2,   a = λ·S (the load in erlangs)

where C is Erlang's C formula, extended to a fractional number of counters through
Erlang B's integral form ``1/B(c, a) = ∫₀^∞ e^(−u) (1 + u/a)^c du`` (Gauss–Laguerre;
exact for whole counters). A fractional count is what an observed wait implies: the
step gives ``wait`` instead of ``counters``, and :func:`counters_for` finds the
counters for which the formula gives that wait. A queue the counters cannot keep up
with (a ≥ c) grows all day: its wait is taken as half the working day, the mean wait of
a queue that forms from opening time and is never worked off, and the validator
warns when a file's expected figures say so (W015).

A lever that shortens the visit lowers the load, and the wait falls as a queue's does,
far more than in proportion near capacity; a lever that spares residents the visit
(online application) lowers the arrivals: :meth:`Solved.wait_after`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

from bprkit import units
from bprkit import vocabulary as vocab
from bprkit.model import Queue, Step, Volume
from bprkit.text import flow

if TYPE_CHECKING:  # numpy loads with the first number worked out: `bprkit check` of a
    import numpy as np  # queue needs only the periods, the visit and their loads

_NODES = 64
"""Gauss–Laguerre nodes: exact for up to 127 whole counters."""


@cache
def _laguerre() -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    nodes, weights = np.polynomial.laguerre.laggauss(_NODES)
    return nodes, np.log(weights)


def erlang_c(counters: float, load: np.ndarray | float) -> np.ndarray:
    """The probability that a case waits (Erlang C) with ``counters`` servers and an
    offered ``load`` in erlangs (each load below the counters)."""
    import numpy as np

    a = np.asarray(load, dtype=float)
    nodes, log_w = _laguerre()
    terms = log_w + counters * np.log1p(nodes / a[..., None])
    top = terms.max(axis=-1, keepdims=True)
    log_inverse_b = (top + np.log(np.exp(terms - top).sum(axis=-1, keepdims=True)))[..., 0]
    b = np.exp(-log_inverse_b)
    return counters * b / (counters - a * (1 - b))


def longest_wait(hours_per_day: float = units.DEFAULT_HOURS_PER_DAY) -> float:
    """The longest mean wait of a queue: half the working day, a queue that forms from
    opening time and is never worked off."""
    return hours_per_day * 60 / 2


def wait_minutes(per_hour: np.ndarray | float, counters: float,
                 service: np.ndarray | float, cs2: float, day_minutes: float) -> np.ndarray:
    """Mean minutes a case waits before a counter (Allen–Cunneen M/G/c): ``per_hour``
    arrivals, ``counters`` open, a mean visit of ``service`` minutes whose squared
    coefficient of variation is ``cs2``. An overloaded queue waits half the day."""
    import numpy as np

    rate, s = np.broadcast_arrays(np.asarray(per_hour, dtype=float) / 60,
                                  np.asarray(service, dtype=float))
    load = rate * s
    longest = longest_wait(day_minutes / 60)
    out = np.full(load.shape, longest)
    ok = (load < counters) & (s > 0)
    if ok.any():
        a, sv = load[ok], s[ok]
        safe = np.maximum(a, 1e-12)
        w = erlang_c(counters, safe) * sv / (counters - a) * (1 + cs2) / 2
        out[ok] = np.minimum(w, longest)
    out[s <= 0] = 0.0
    return out


def counters_for(per_hour: float, wait: float, service: float, cs2: float,
                 day_minutes: float) -> float:
    """The counters (fractional) for which the queue's mean wait is ``wait`` minutes:
    what an observed wait implies."""
    return _infer((1.0,), (per_hour,), wait, service, cs2, day_minutes)


def _average(cases: Sequence[float], rates: Sequence[float], counters: Sequence[float],
             service: float, cs2: float, day_minutes: float,
             keep: np.ndarray | float = 1.0, spared: np.ndarray | float = 0.0,
             own: Sequence[float] | None = None) -> np.ndarray:
    """The mean wait of a case over periods, each with its arrivals an hour and counters:
    each period's wait weighted by the share of the procedure's cases that arrive in it.
    ``keep`` and ``spared`` (numbers, or one a sample) touch only the procedure's own
    share of each period's arrivals (``own``; all when None): the others at the counter
    keep their visit and keep coming."""
    import numpy as np

    k = np.asarray(keep, dtype=float)
    left = 1 - np.asarray(spared, dtype=float)
    total = sum(cases)
    out = np.zeros(np.broadcast_shapes(k.shape, left.shape))
    if total <= 0:
        return out
    for j, (w, r, c) in enumerate(zip(cases, rates, counters, strict=True)):
        if w <= 0:
            continue
        mine = r * (1.0 if own is None else own[j])
        others = r - mine
        arriving = others + mine * left
        # the mean visit of those who arrive: the others' as before, the procedure's kept
        visit = service * (others + mine * left * k) / np.maximum(arriving, 1e-12)
        out = out + w / total * wait_minutes(arriving, c, visit, cs2, day_minutes)
    return out


def _infer(cases: Sequence[float], rates: Sequence[float], wait: float, service: float,
           cs2: float, day_minutes: float) -> float:
    """The one number of counters, open every day, that gives the mean wait ``wait``:
    bisection, the wait falling as counters open. The counters may be fewer than the
    busiest day needs (that day's queue then grows all day); below 1, a counter
    part-time. A wait of half the day or more cannot be had (E085)."""
    loads = [r / 60 * service for r, w in zip(rates, cases, strict=True) if w > 0]
    if wait <= 0 or not loads or max(loads) <= 0:
        return max(max(loads, default=0.0) * 4, 1.0)

    def mean(c: float) -> float:
        return float(_average(cases, rates, [c] * len(rates), service, cs2, day_minutes))

    low, high = min(x for x in loads if x > 0) * (1 + 1e-12), max(max(loads), 1.0) + 1.0
    while mean(high) > wait and high < 1e6:
        low, high = high, high * 2
    for _ in range(100):
        mid = (low + high) / 2
        if mean(mid) > wait:
            low = mid
        else:
            high = mid
    return (low + high) / 2


# ── the visit a queue's counters serve ──
def visit(fg: flow.FlowGraph, node: str) -> tuple[str, ...]:
    """The queue step ``node`` and the steps after it that the same counter serves: in
    the same lane, reached straight on (one way out, to a step), with no wait, queue or
    batch of their own (a batch's work is not done while the resident waits)."""
    first = fg.steps[node]
    out = [node]
    current = node
    while True:
        ways = {n: p for n, p in fg.edges.get(current, {}).items() if p > 0}
        if len(ways) != 1:
            break
        (nxt,) = ways
        step = fg.steps.get(nxt)
        if (step is None or nxt in out or step.lane != first.lane or step.wait is not None
                or step.queue is not None or step.batch is not None):
            break
        out.append(nxt)
        current = nxt
    return tuple(out)


@dataclass(frozen=True)
class Service:
    """The time a queue's counters take per case: the visit's mean minutes and the
    squared coefficient of variation of its time."""

    steps: tuple[str, ...]
    minutes: float
    cs2: float


def service(fg: flow.FlowGraph, node: str, hours_per_day: float) -> Service:
    steps = visit(fg, node)
    mean = var = 0.0
    for n in steps:  # one case's time: each step's range is its spread (model.Duration)
        d = fg.steps[n].duration
        if d is not None:
            k = d.minutes_per_unit(hours_per_day)
            mean, var = mean + d.expected * k, var + d.variance * k * k
    return Service(steps, mean, var / mean ** 2 if mean > 0 else 0.0)


@dataclass(frozen=True)
class Period:
    """Days of a year a queue's figures hold: a weekday, in the season or not, with the
    share of the procedure's cases that arrive on them."""

    day: str
    peak: bool
    days: float
    per_hour: float
    counters: float | None
    cases: float = 1.0


def periods(q: Queue, hours_per_day: float, volume: Volume | None = None,
            working_days: float = units.DEFAULT_WORKING_DAYS) -> tuple[Period, ...]:
    """The queue's periods: one, or each working day of the week (in and out of the
    volume's filing season) when its lines differ by day. The procedure's cases arrive
    in the season in the volume's share, and within the season (or out of it) as the
    counter's arrivals do."""
    if not q.varies:
        return (Period("", False, working_days, q.per_hour(hours_per_day), q.counters),)
    season = min(season_days(volume, working_days) or 0.0, working_days)
    share = volume.season_share if volume is not None and season else 0.0
    out = []
    for peak in ((False, True) if season else (False,)):
        days = (season if peak else working_days - season) / len(vocab.WEEKDAYS)
        if days <= 0:
            continue
        part = [Period(day, peak, days, q.per_hour(hours_per_day, day, peak),
                       q.counters_on_day(day, peak)) for day in vocab.WEEKDAYS]
        arriving = sum(p.per_hour for p in part)
        whole = (share if peak else 1 - share) if season else 1.0
        out += [replace(p, cases=whole * p.per_hour / arriving if arriving > 0 else 0.0)
                for p in part]
    return tuple(out)


@dataclass(frozen=True)
class Solved:
    """A queue worked out: its periods with their counters (given, or inferred from the
    observed wait), the visit's service and the mean wait of a case in minutes.
    ``own``: the share of each period's arrivals that are the procedure's own cases
    (:func:`with_own`; all of them until the procedure's volume is set against them)."""

    queue: Queue
    periods: tuple[Period, ...]
    counters: tuple[float, ...]
    inferred: bool
    service: Service
    observed: float | None
    """The wait written (counters inferred from it), or None: the counters give it."""
    day_minutes: float
    own: tuple[float, ...] | None = None

    @property
    def wait(self) -> float:
        """The mean wait of a case: the observed one, or the queue's over its periods."""
        return self.observed if self.observed is not None else float(self.wait_after(1.0))

    @property
    def per_hour(self) -> float:
        """The arrivals an hour, over the year."""
        return sum(p.days * p.per_hour for p in self.periods) / sum(p.days for p in self.periods)

    @property
    def base_counters(self) -> float:
        """The counters of the plain line (or those inferred, the same every day)."""
        return self.queue.counters if self.queue.counters is not None else self.counters[0]

    def busy(self, index: int | None = None) -> float:
        """The share of the counters' time in use: in one period, or over the year (the
        periods' shares weighted by their days)."""
        def share(j: int) -> float:
            p = self.periods[j]
            return p.per_hour / 60 * self.service.minutes / max(self.counters[j], 1e-12)

        if index is not None:
            return share(index)
        days = sum(p.days for p in self.periods)
        return sum(p.days * share(j) for j, p in enumerate(self.periods)) / days

    @property
    def busiest(self) -> int:
        """The period whose counters are loaded most (of those the cases come in)."""
        loads = [self.busy(j) if p.cases > 0 else -1.0 for j, p in enumerate(self.periods)]
        return loads.index(max(loads))

    @property
    def load(self) -> float:
        """The busiest period's load, in erlangs."""
        return self.periods[self.busiest].per_hour / 60 * self.service.minutes

    @property
    def overloaded(self) -> bool:
        return self.load >= self.counters[self.busiest]

    def when(self, index: int) -> tuple[str, ...]:
        """What names a period: its weekday when the figures differ by day within its
        part of the year, and ``peak`` in the season (``()`` for a queue that never
        varies)."""
        p = self.periods[index]
        same = {(x.per_hour, c) for x, c in zip(self.periods, self.counters, strict=True)
                if x.peak == p.peak}
        return (*((p.day,) if p.day and len(same) > 1 else ()), *(("peak",) if p.peak else ()))

    def period_wait(self, index: int) -> float:
        """The mean wait of a case on the days of one period."""
        p = self.periods[index]
        return float(wait_minutes(p.per_hour, self.counters[index], self.service.minutes,
                                  self.service.cs2, self.day_minutes))

    def wait_after(self, keep: np.ndarray | float, spared: np.ndarray | float = 0.0
                   ) -> np.ndarray:
        """The mean wait when levers keep the share ``keep`` of the procedure's visit and
        spare the share ``spared`` of its cases the visit (they no longer arrive); the
        others at the counter are as before."""
        return _average([p.cases for p in self.periods], [p.per_hour for p in self.periods],
                        self.counters, self.service.minutes, self.service.cs2,
                        self.day_minutes, keep, spared, self.own)

    def kept(self, keep: np.ndarray | float, spared: np.ndarray | float = 0.0) -> np.ndarray:
        """The share of the As-Is wait the queue keeps after the levers: the model's own
        wait after over its own wait before, so an observed wait the formula cannot quite
        reach (a day other than the default) moves only as the queue does."""
        import numpy as np

        before = float(self.wait_after(1.0))
        if before <= 0:
            return np.ones(np.broadcast_shapes(np.shape(keep), np.shape(spared)))
        return self.wait_after(keep, spared) / before

    def own_per_hour(self, cases_per_year: float, hours_per_day: float) -> tuple[float, ...]:
        """The procedure's own cases an hour at the counter in each period: its cases a
        year (that reach the step) by the share that arrive in the period, over the
        period's working hours."""
        return tuple(cases_per_year * p.cases / (p.days * hours_per_day) if p.days > 0 else 0.0
                     for p in self.periods)

    def with_own(self, cases_per_year: float | None, hours_per_day: float) -> Solved:
        """This queue with the procedure's own share of each period's arrivals (all of
        them when its volume is unknown, or when it brings more than arrive)."""
        if not cases_per_year:
            return self
        mine = self.own_per_hour(cases_per_year, hours_per_day)
        return replace(self, own=tuple(min(m / p.per_hour, 1.0) if p.per_hour > 0 else 1.0
                                       for m, p in zip(mine, self.periods, strict=True)))


def solve(fg: flow.FlowGraph, node: str, hours_per_day: float,
          volume: Volume | None = None,
          working_days: float = units.DEFAULT_WORKING_DAYS) -> Solved | None:
    """The queue of step ``node``, or None when the step has none. ``volume``: the
    process's, whose filing season the queue's ``peak`` lines hold in."""
    step: Step = fg.steps[node]
    q = step.queue
    if q is None:
        return None
    day = hours_per_day * 60
    spans = periods(q, hours_per_day, volume, working_days)
    serv = service(fg, node, hours_per_day)
    cases, rates = [p.cases for p in spans], [p.per_hour for p in spans]
    given = [p.counters for p in spans]
    if all(c is not None for c in given):
        counters = tuple(float(c) for c in given if c is not None)
        return Solved(q, spans, counters, False, serv, None, day)
    observed = step.wait.expected_minutes(hours_per_day) if step.wait is not None else 0.0
    c = _infer(cases, rates, observed, serv.minutes, serv.cs2, day)
    return Solved(q, spans, (c,) * len(spans), True, serv, observed, day)


def season_days(volume: Volume | None, working_days: float) -> float | None:
    """The working days a year of a volume's filing season (``within N days``)."""
    return volume.season_days_per_year(working_days=working_days) if volume else None


def needed(solved: Solved) -> int:
    """The fewest whole counters that keep up with the busiest period's arrivals."""
    return math.floor(solved.load) + 1
