"""Monte Carlo machinery shared by ``estimate`` and ``compare`` (docs/estimate.md,
"Uncertainty"): a side's runs as arrays, inverse-CDF sampling of durations from
shared uniforms (common random numbers), lever parameters per sample, per-case totals
and P10/P50/P90 bands. Samples are drawn in chunks of at most ``CHUNK_CELLS``
samples × steps, so memory stays bounded for 10,000-step processes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bprkit.analysis import graph as graph_module
from bprkit.analysis import levers as lever_module
from bprkit.analysis import metrics as metrics_module
from bprkit.analysis.graph import StepRun
from bprkit.assumptions.catalog import Assumptions, Param
from bprkit.model import STAFF_ROLES, Duration

CHUNK_CELLS = 1_000_000
"""Samples × steps drawn at once (8 MB a matrix): bounds the Monte Carlo's memory."""


@dataclass(frozen=True)
class Range:
    """A figure's deterministic value and its P10/P50/P90 from the Monte Carlo."""

    expected: float
    p10: float
    p50: float
    p90: float
    mean: float


def queued_wait(run: StepRun) -> Duration | None:
    """The wait a run draws: as written, or the wait its queue's counters give (a figure
    of the model, not a range: :mod:`bprkit.text.queue`)."""
    q = run.step.queue
    if q is None or q.counters is None:
        return run.step.wait
    own = run.own_wait
    return Duration(own, own, "min")


def duration_arrays(durations: Sequence[Duration | None], hours_per_day: float
                     ) -> tuple[np.ndarray, ...]:
    """low, mode, high (minutes) and a triangular flag; no duration is 0."""
    low: list[float] = []
    mode: list[float] = []
    high: list[float] = []
    tri: list[bool] = []
    for d in durations:
        if d is None:
            low.append(0.0)
            mode.append(0.0)
            high.append(0.0)
            tri.append(False)
            continue
        k = d.minutes_per_unit(hours_per_day)
        low.append(d.low * k)
        high.append(d.high * k)
        mode.append((d.mode if d.mode is not None else (d.low + d.high) / 2) * k)
        tri.append(d.mode is not None)
    return (np.array(low, dtype=float), np.array(mode, dtype=float),
            np.array(high, dtype=float), np.array(tri, dtype=bool))


def inverse(u: np.ndarray, low: np.ndarray, mode: np.ndarray, high: np.ndarray,
            tri: np.ndarray) -> np.ndarray:
    """Uniform low..high, or triangular by the inverse CDF, from uniforms ``u`` (a row a
    sample, a column a run): :meth:`Shape.values`."""
    return Shape.of(low, mode, high, tri).values(u)


def sample(rng: np.random.Generator, p: Param, samples: int) -> np.ndarray:
    if not p.is_range:
        return np.full(samples, p.low)
    if p.low <= p.mode <= p.high and p.low < p.high:
        return rng.triangular(p.low, p.mode, p.high, samples)
    return rng.uniform(p.low, p.high, samples)


@dataclass
class Side:
    """The runs of one side as arrays (one column a run)."""

    runs: list[StepRun]
    minutes: tuple[np.ndarray, ...]
    waits: tuple[np.ndarray, ...]
    batch: np.ndarray
    execs: np.ndarray
    staff: np.ndarray
    resident: np.ndarray
    external: np.ndarray
    queue: np.ndarray
    """1 where the step's wait is a queue the resident stands in."""
    lead: np.ndarray
    """The run's lead weight up to the outcome (0 after it)."""
    fixed_lead: float
    visits: float

    @classmethod
    def of(cls, graph: graph_module.ExpandedGraph, metrics: metrics_module.Metrics,
           assumptions: Assumptions) -> Side:
        runs = graph.runs
        hpd = assumptions.hours_per_day
        break_minutes = assumptions.value("resident.visit_break_minutes")
        kinds = [r.kind for r in runs]
        return cls(
            runs,
            duration_arrays([r.step.duration for r in runs], hpd),
            duration_arrays([queued_wait(r) for r in runs], hpd),
            np.array([r.batch_wait for r in runs], dtype=float),
            np.array([r.executions for r in runs], dtype=float),
            np.array([k in STAFF_ROLES for k in kinds], dtype=float),
            np.array([k == "resident" for k in kinds], dtype=float),
            np.array([k == "external" for k in kinds], dtype=float),
            np.array([metrics_module.is_queue(r, break_minutes) for r in runs], dtype=float),
            np.array([graph.resident_lead_weights.get(r.id, 0.0) for r in runs]),
            graph.resident_fixed_minutes, metrics.resident.visits)

    def with_lead_of(self, graph: graph_module.ExpandedGraph) -> Side:
        """This side with the lead weights of another expansion of the same runs
        (the estimate's To-Be: levers may change which parallel path is longest)."""
        from dataclasses import replace

        return replace(self, lead=np.array([graph.resident_lead_weights.get(r.id, 0.0)
                                            for r in self.runs]),
                       fixed_lead=graph.resident_fixed_minutes)


@dataclass
class Totals:
    """Per-sample figures per case (minutes) of one side."""

    staff: np.ndarray
    resident: np.ndarray
    external: np.ndarray
    lead: np.ndarray
    wait: np.ndarray


def weights(side: Side, lead: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """What a run's minutes and its wait add to a case's totals, one column a total: the
    minutes to staff, resident, external time and the lead; the wait to the resident's
    queue and the lead. A side's totals are two matrix products (minutes @ first, waits @
    second), with no per-cell temporaries."""
    lead = side.lead if lead is None else lead
    on_minutes = np.stack([side.execs * side.staff, side.execs * side.resident,
                           side.execs * side.external, lead], axis=1)
    on_waits = np.stack([side.execs * side.queue, lead], axis=1)
    return on_minutes, on_waits


def finish(side: Side, on_minutes: np.ndarray, on_waits: np.ndarray, travel: np.ndarray,
           visits: np.ndarray | float, fixed_lead: float | None = None) -> Totals:
    """Totals from the two products of :func:`weights` (``waits`` include the batch)."""
    queue_wait = on_waits[:, 0]
    return Totals(on_minutes[:, 0], on_minutes[:, 1] + queue_wait + visits * travel,
                  on_minutes[:, 2],
                  on_minutes[:, 3] + on_waits[:, 1] +
                  (side.fixed_lead if fixed_lead is None else fixed_lead),
                  queue_wait)


def totals(side: Side, minutes: np.ndarray, waits: np.ndarray, travel: np.ndarray,
           visits: np.ndarray | float) -> Totals:
    on_minutes, on_waits = weights(side)
    return finish(side, minutes @ on_minutes, waits @ on_waits, travel, visits)


BLOCK_CELLS = 32_768
"""Cells the kernel works on at once inside a chunk (256 KB a buffer): its passes over
them stay in the processor's cache instead of streaming 8 MB matrices from memory."""


@dataclass(frozen=True)
class Shape:
    """A side's durations as the kernel draws them. Columns whose duration is fixed
    (no range, or no duration) need no draw; the drawn ones are ordered triangular
    first, uniform after (``drawn``: their columns), with the inverse CDF's constants
    computed once."""

    fixed: np.ndarray
    """The fixed columns' indices."""
    fixed_value: np.ndarray
    drawn: np.ndarray
    triangular: int
    """How many of ``drawn`` (the first) are triangular."""
    low: np.ndarray
    high: np.ndarray
    span: np.ndarray
    cut: np.ndarray
    left: np.ndarray
    """span × (mode − low): u × left under the root on the left of the mode."""
    right: np.ndarray
    """span × (high − mode): (1 − u) × right under the root on the right."""

    @classmethod
    def of(cls, low: np.ndarray, mode: np.ndarray, high: np.ndarray, tri: np.ndarray
           ) -> Shape:
        span = high - low
        varies = span > 0
        drawn = np.concatenate([np.flatnonzero(varies & tri), np.flatnonzero(varies & ~tri)])
        fixed = np.flatnonzero(~varies)
        lo, hi, sp, mo = low[drawn], high[drawn], span[drawn], mode[drawn]
        return cls(fixed, np.where(tri[fixed], high[fixed], low[fixed]), drawn,
                   int(np.count_nonzero(varies & tri)), lo, hi, sp, (mo - lo) / sp,
                   sp * (mo - lo), sp * (hi - mo))

    def values(self, u: np.ndarray) -> np.ndarray:
        """Every column's values at uniforms ``u`` (a row a sample): the fixed ones as
        they are, the drawn ones by :meth:`draw`."""
        out = np.empty(u.shape)
        out[:, self.fixed] = self.fixed_value
        drawn = u[:, self.drawn]
        out[:, self.drawn] = self.draw(drawn, drawn, np.empty(drawn.shape, dtype=bool),
                                       np.empty(drawn.shape))
        return out

    @property
    def all_drawn(self) -> bool:
        """Every column is drawn, in its own order: no gather needed."""
        return self.fixed.size == 0 and bool(np.all(self.drawn == np.arange(self.drawn.size)))

    def draw(self, u: np.ndarray, out: np.ndarray, mask: np.ndarray, scratch: np.ndarray,
             *, columns_first: bool = False) -> np.ndarray:
        """The drawn columns' values at uniforms ``u`` (already in ``drawn``'s order),
        into ``out`` (``u`` itself will do); ``mask`` and ``scratch`` are buffers of the
        same shape. ``columns_first``: ``u`` is transposed, a row a column."""
        t = self.triangular

        def c(values: np.ndarray) -> np.ndarray:  # a column's constant, either way round
            return values[:, None] if columns_first else values

        def part(a: np.ndarray, lo: int, hi: int | None) -> np.ndarray:
            return a[lo:hi] if columns_first else a[:, lo:hi]

        if t:
            ut, ot, mt, st = (part(a, 0, t) for a in (u, out, mask, scratch))
            np.less(ut, c(self.cut[:t]), out=mt)
            np.subtract(1.0, ut, out=st)
            np.multiply(st, c(self.right[:t]), out=st)
            np.multiply(ut, c(self.left[:t]), out=ot)
            np.copyto(st, ot, where=mt)
            np.sqrt(st, out=st)
            np.subtract(c(self.high[:t]), st, out=ot)
            np.add(c(self.low[:t]), st, out=ot, where=mt)
        if t < self.drawn.size:
            uu, ou = part(u, t, None), part(out, t, None)
            np.multiply(uu, c(self.span[t:]), out=ou)
            np.add(ou, c(self.low[t:]), out=ou)
        return out


def by_plan(values: np.ndarray, index: np.ndarray, plans: int) -> np.ndarray:
    """Rows of ``values`` (one a run) summed per plan: ``keep @ by_plan(w, index)`` is
    what runs that share a plan's kept share add up to, without a per-run gather."""
    out = np.zeros((plans, *values.shape[1:]))
    np.add.at(out, index, values)
    return out


class Kernel:
    """Both sides' totals per sample for ``estimate`` (the To-Be: the As-Is's runs, each
    run's time × the share its plan keeps + its plan's set-up, its own wait × the share
    of the wait kept), from the uniforms the As-Is draws.

    Per chunk of samples, the drawn columns are worked in blocks of ``BLOCK_CELLS``:
    the inverse CDF into one buffer, the As-Is's products from it, the kept shares
    gathered per plan and multiplied in place, the To-Be's products. Fixed columns
    need no cell at all: they add the same minutes to every sample of the As-Is and,
    per plan, the kept share × their sum to the To-Be."""

    def __init__(self, side: Side, tobe_lead: np.ndarray, index: np.ndarray,
                 plans: int) -> None:
        self.minutes = Shape.of(*side.minutes)
        self.waits = Shape.of(*side.waits)
        self.before = weights(side)
        self.after = weights(side, tobe_lead)
        self.index = index
        batch = side.batch
        self.batch = (batch @ self.before[1], batch @ self.after[1])

        def fixed(shape: Shape, w_before: np.ndarray, w_after: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
            values = shape.fixed_value[:, None]
            return (values * w_before[shape.fixed]).sum(axis=0), \
                by_plan(values * w_after[shape.fixed], index[shape.fixed], plans)

        self.fixed_minutes = fixed(self.minutes, self.before[0], self.after[0])
        self.fixed_waits = fixed(self.waits, self.before[1], self.after[1])
        self.setup = by_plan(self.after[0], index, plans)
        self.buffers: dict[tuple[int, int], list[np.ndarray]] = {}

    def run(self, u: np.ndarray, uw: np.ndarray, keep: np.ndarray, keep_wait: np.ndarray,
            setup: np.ndarray) -> tuple[np.ndarray, ...]:
        """(As-Is minutes products, As-Is waits products, To-Be minutes, To-Be waits) per
        sample: the four products of :func:`weights`, batch waits included."""
        m_before, m_after = self._side(self.minutes, u, keep, self.before[0], self.after[0],
                                       self.fixed_minutes)
        w_before, w_after = self._side(self.waits, uw, keep_wait, self.before[1],
                                       self.after[1], self.fixed_waits)
        m_after += setup @ self.setup
        w_before += self.batch[0]
        w_after += self.batch[1]
        return m_before, w_before, m_after, w_after

    def _buffers(self, rows: int, width: int) -> list[np.ndarray]:
        """Four blocks of rows × width, made once and reused by every chunk."""
        key = (rows, width)
        if key not in self.buffers:
            self.buffers[key] = [np.empty(key) for _ in range(4)]
        return self.buffers[key]

    def _side(self, shape: Shape, u: np.ndarray, keep: np.ndarray, w_before: np.ndarray,
              w_after: np.ndarray, fixed: tuple[np.ndarray, np.ndarray]
              ) -> tuple[np.ndarray, np.ndarray]:
        n = u.shape[0]
        before = np.broadcast_to(fixed[0], (n, fixed[0].size)).copy()
        after = keep @ fixed[1]
        width = shape.drawn.size
        if not width:
            return before, after
        gather = not shape.all_drawn
        cols = shape.drawn
        wb, wa, index = w_before[cols], w_after[cols], self.index[cols]
        kept_all = bool(np.all(keep == 1.0))
        rows = max(1, BLOCK_CELLS // width)
        if width < rows:  # a narrow process: a column's numbers in a row of their own
            return self._narrow(shape, u, keep, wb, wa, index, kept_all, rows, before, after)
        values, scratch, kept, gathered = self._buffers(rows, width)
        mask = np.empty((rows, width), dtype=bool)
        for r0 in range(0, n, rows):
            r1 = min(n, r0 + rows)
            k = r1 - r0
            block = u[r0:r1]
            if gather:
                block = np.take(block, cols, axis=1, out=gathered[:k])
            v = shape.draw(block, values[:k], mask[:k], scratch[:k])
            before[r0:r1] += v @ wb
            if kept_all:
                after[r0:r1] += v @ wa
                continue
            kk = np.take(keep[r0:r1], index, axis=1, out=kept[:k])
            np.multiply(kk, v, out=kk)
            after[r0:r1] += kk @ wa
        return before, after

    @staticmethod
    def _narrow(shape: Shape, u: np.ndarray, keep: np.ndarray, wb: np.ndarray,
                wa: np.ndarray, index: np.ndarray, kept_all: bool, rows: int,
                before: np.ndarray, after: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_side` for few columns and many samples: the block is transposed, so
        every pass runs along the samples (a row of a few columns would make numpy loop
        over rows of a handful of cells)."""
        keep_t = np.ascontiguousarray(keep.T)
        for r0 in range(0, u.shape[0], rows):
            r1 = min(u.shape[0], r0 + rows)
            v = np.take(u[r0:r1].T, shape.drawn, axis=0)
            shape.draw(v, v, np.empty(v.shape, dtype=bool), np.empty(v.shape),
                       columns_first=True)
            before[r0:r1] += (wb.T @ v).T
            if not kept_all:
                v *= np.take(keep_t[:, r0:r1], index, axis=0)
            after[r0:r1] += (wa.T @ v).T
        return before, after


class Collector:
    """Per-sample results of both sides, chunk by chunk."""

    def __init__(self) -> None:
        self.parts: dict[str, list[np.ndarray]] = {}

    def add(self, name: str, values: np.ndarray) -> None:
        self.parts.setdefault(name, []).append(values)

    def get(self, name: str) -> np.ndarray:
        return np.concatenate(self.parts[name])


def collect(out: Collector, before: Totals, after: Totals) -> None:
    out.add("staff_saved", before.staff - after.staff)
    out.add("resident_saved", before.resident - after.resident)
    out.add("lead_tobe", after.lead)
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, b, a in (("staff", before.staff, after.staff),
                           ("resident", before.resident, after.resident),
                           ("lead", before.lead, after.lead),
                           ("wait", before.wait, after.wait)):
            out.add(f"reduction_{name}", np.where(b > 0, 1 - a / np.where(b > 0, b, 1), 0.0))


def band(expected: float, values: np.ndarray) -> Range:
    finite = values[np.isfinite(values)]
    if not finite.size:
        return Range(expected, expected, expected, expected, expected)
    p10, p50, p90 = percentiles(finite, (10, 50, 90))
    return Range(expected, p10, p50, p90, float(finite.mean()))


def percentiles(values: np.ndarray, qs: Sequence[float]) -> list[float]:
    """``np.percentile``'s default (linear between the closest ranks), from one sort:
    numpy's own call costs 0.1 ms of set-up, seven times an estimate."""
    ranked = np.sort(values)
    last = ranked.size - 1
    out = []
    for q in qs:
        at = q / 100 * last
        lo = int(np.floor(at))
        hi = min(lo + 1, last)
        t = at - lo
        a, b = float(ranked[lo]), float(ranked[hi])
        out.append(a + (b - a) * t if t < 0.5 else b - (b - a) * (1 - t))
    return out


def chunks(samples: int, columns: int) -> list[int]:
    size = max(1, min(samples, CHUNK_CELLS // max(columns, 1)))
    return [min(size, samples - start) for start in range(0, samples, size)]


def at(u: np.ndarray, p: Param) -> np.ndarray:
    """A parameter's values at the uniforms ``u`` (triangular by the inverse CDF)."""
    if not p.is_range:
        return np.full(u.shape, p.low)
    tri = p.low <= p.mode <= p.high
    mode = p.mode if tri else (p.low + p.high) / 2
    return inverse(u[:, None], np.array([p.low]), np.array([mode]), np.array([p.high]),
                   np.array([tri]))[:, 0]


def lever_numbers(rng: np.random.Generator, names: Sequence[str], assumptions: Assumptions,
                   n: int) -> dict[str, dict[str, np.ndarray]]:
    """Each lever's numbers per sample. Its time factors for the resident and for staff
    share a cause (how much of the work the lever really takes: a complete online form
    shortens both the typing and the review), so they are drawn together: one uniform
    per sample gives both (docs/estimate.md, "Uncertainty")."""
    out = {}
    for name in names:
        u = rng.random(n)
        v = {k: (at(u, assumptions.lever_param(name, k)) if k == "minutes_factor"
                 else sample(rng, assumptions.lever_param(name, k), n))
             for k in lever_module.NUMBERS}
        key = f"levers.{name}.staff_minutes_factor"
        v["staff_minutes_factor"] = (at(u, assumptions.params[key])
                                     if key in assumptions.params else v["minutes_factor"])
        key = f"levers.{name}.setup_minutes"
        if key in assumptions.params:
            v["setup_minutes"] = sample(rng, assumptions.params[key], n)
        for k in lever_module.VERIFY_KEYS:
            if f"levers.{name}.{k}" in assumptions.params:
                v[k] = sample(rng, assumptions.params[f"levers.{name}.{k}"], n)
        out[name] = v
    return out
