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


def inverse(u: np.ndarray, low: np.ndarray | np.floating, mode: np.ndarray | np.floating,
            high: np.ndarray | np.floating, tri: np.ndarray | np.bool_) -> np.ndarray:
    """Uniform low..high, or triangular by the inverse CDF, from uniforms u."""
    span = high - low
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        uniform = low + u * span
        cut = np.where(span > 0, (mode - low) / np.where(span > 0, span, 1), 0.0)
        left = low + np.sqrt(u * span * (mode - low))
        right = high - np.sqrt((1 - u) * span * (high - mode))
    return np.where(tri, np.where(u < cut, left, right), uniform)


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
            duration_arrays([r.step.wait for r in runs], hpd),
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


def totals(side: Side, minutes: np.ndarray, waits: np.ndarray, travel: np.ndarray,
            visits: np.ndarray | float) -> Totals:
    on_case = minutes * side.execs
    queue_wait = (waits * side.execs) @ side.queue
    return Totals(
        on_case @ side.staff,
        on_case @ side.resident + queue_wait + visits * travel,
        on_case @ side.external,
        (minutes + waits) @ side.lead + side.fixed_lead,
        queue_wait)


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
    p10, p50, p90 = np.percentile(finite, [10, 50, 90])
    return Range(expected, float(p10), float(p50), float(p90), float(finite.mean()))


def chunks(samples: int, columns: int) -> list[int]:
    size = max(1, min(samples, CHUNK_CELLS // max(columns, 1)))
    return [min(size, samples - start) for start in range(0, samples, size)]


def at(u: np.ndarray, p: Param) -> np.ndarray:
    """A parameter's values at the uniforms ``u`` (triangular by the inverse CDF)."""
    if not p.is_range:
        return np.full(u.shape, p.low)
    tri = p.low <= p.mode <= p.high
    mode = p.mode if tri else (p.low + p.high) / 2
    return inverse(u, np.float64(p.low), np.float64(mode), np.float64(p.high), np.bool_(tri))


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
