"""As-Is vs To-Be: levers applied to steps, with uncertainty (estimation.md §5–8).

For a step with lever L (adoption a, exception share e, time factor f), a case
takes the digital path with probability a; of those, a share e falls back to
the As-Is time. So the To-Be's expected time is  m · (1 − a·(1 − e)·(1 − f)),
never negative and never above m. Executions per case do not change.

The Monte Carlo samples every range (step durations, uniform or triangular; each
lever's factors, shares and costs; the hourly cost) with an explicit numpy
Generator, all samples at once: arrays of samples × steps, no Python loop over
samples. Sensitivity sets one parameter to its low and then its high end, the
others at their expected values, and reports the swing of annual hours saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from bprkit import graph as graph_module
from bprkit import metrics as metrics_module
from bprkit.analysis import Analysis, analyze_process
from bprkit.assumptions import Assumptions, Lever, Param
from bprkit.graph import StepRun
from bprkit.model import STAFF_ROLES, Bundle, Duration, Process

DEFAULT_SAMPLES = 10_000
DEFAULT_SEED = 20261122
_LEVER_NUMBERS = ("minutes_factor", "wait_factor", "adoption", "exception_rate")


@dataclass(frozen=True)
class StepEstimate:
    id: str
    label: str
    lane: str
    kind: str | None
    lever: str | None
    executions: float
    asis_minutes: float
    tobe_minutes: float
    asis_wait: float
    tobe_wait: float
    annual_hours_saved: float | None


@dataclass(frozen=True)
class Range:
    """A figure's deterministic value and its P10/P50/P90 from the Monte Carlo."""

    expected: float
    p10: float
    p50: float
    p90: float
    mean: float


@dataclass(frozen=True)
class Estimate:
    asis: Process
    tobe: Process | None
    levers: tuple[str, ...]
    seed: int
    samples: int
    assumptions_source: str
    steps: tuple[StepEstimate, ...]
    asis_metrics: metrics_module.Metrics
    tobe_metrics: metrics_module.Metrics
    staff_hours_saved: Range | None
    """Annual staff hours saved; None when the process has no volume."""
    yen_saved: float | None
    fte_saved: float | None
    resident_hours_saved: float | None
    costs: dict[str, float] = field(default_factory=dict)
    payback_years: float | None = None
    sensitivity: tuple[tuple[str, float, float], ...] = ()

    def hours_by_lever(self) -> dict[str, float]:
        """Annual staff hours saved per lever (steps without a lever left out)."""
        out: dict[str, float] = {}
        for s in self.steps:
            if s.lever and s.annual_hours_saved is not None and s.kind in STAFF_ROLES:
                out[s.lever] = out.get(s.lever, 0.0) + s.annual_hours_saved
        return out

    def to_dict(self) -> dict[str, object]:
        a, b = self.asis_metrics, self.tobe_metrics
        saved = self.staff_hours_saved

        def r(x: float | None, digits: int = 4) -> float | None:
            return None if x is None or not np.isfinite(x) else round(float(x), digits)

        return {
            "asis": self.asis.id,
            "tobe": self.tobe.id if self.tobe else None,
            "levers": list(self.levers),
            "seed": self.seed,
            "samples": self.samples,
            "assumptions": self.assumptions_source,
            "totals": {
                "annual_staff_hours": {
                    "asis": r(a.annual_staff_hours), "tobe": r(b.annual_staff_hours),
                    "saved": r(saved.expected) if saved else None,
                    "saved_p10": r(saved.p10) if saved else None,
                    "saved_p50": r(saved.p50) if saved else None,
                    "saved_p90": r(saved.p90) if saved else None,
                },
                "fte_saved": r(self.fte_saved),
                "yen_saved": r(self.yen_saved, 0),
                "resident_hours_saved": r(self.resident_hours_saved),
                "lead_time_days": {"asis": r(a.lead_time_days), "tobe": r(b.lead_time_days)},
                "counts": {
                    side: {"paper": r(m.counts.paper), "seal": r(m.counts.seal),
                           "in_person": r(m.counts.in_person)}
                    for side, m in (("asis", a), ("tobe", b))},
                "digital_completion_rate": {"asis": r(a.digital_completion_rate),
                                            "tobe": r(b.digital_completion_rate)},
                "costs": {k: r(v, 0) for k, v in self.costs.items()},
                "payback_years": r(self.payback_years, 2),
            },
            "steps": [{"id": s.id, "label": s.label, "lever": s.lever,
                       "executions": r(s.executions), "asis_minutes": r(s.asis_minutes),
                       "tobe_minutes": r(s.tobe_minutes),
                       "annual_hours_saved": r(s.annual_hours_saved)} for s in self.steps],
            "sensitivity": [{"parameter": p, "low": r(lo), "high": r(hi)}
                            for p, lo, hi in self.sensitivity],
        }


def keep_share(a: float, e: float, f: float) -> float:
    """The share of As-Is time a step keeps: 1 − a·(1 − e)·(1 − f)."""
    return 1 - a * (1 - e) * (1 - f)


def choose_levers(runs: Iterable[StepRun], assumptions: Assumptions,
                  allowed: Sequence[str] | None) -> dict[str, Lever]:
    """For each step, the allowed lever that saves the most expected time."""
    chosen: dict[str, Lever] = {}
    names = list(allowed) if allowed is not None else list(assumptions.levers)
    for run in runs:
        best, best_keep = None, 1.0
        for name in names:
            lever = assumptions.levers[name]
            if not lever.applies(run.step.tags, run.kind):
                continue
            p = {k: assumptions.value(f"levers.{name}.{k}") for k in _LEVER_NUMBERS}
            keep = keep_share(p["adoption"], p["exception_rate"],
                              0.0 if lever.removes_step else p["minutes_factor"])
            if keep < best_keep - 1e-12:
                best, best_keep = lever, keep
        if best is not None:
            chosen[run.id] = best
    return chosen


def _tobe_times(run: StepRun, lever: Lever | None, assumptions: Assumptions
                ) -> tuple[float, float]:
    if lever is None:
        return run.minutes, run.wait
    v = {k: assumptions.value(f"levers.{lever.name}.{k}") for k in _LEVER_NUMBERS}
    f = 0.0 if lever.removes_step else v["minutes_factor"]
    fw = 0.0 if lever.removes_step else v["wait_factor"]
    return (run.minutes * keep_share(v["adoption"], v["exception_rate"], f),
            run.wait * keep_share(v["adoption"], v["exception_rate"], fw))


def _durations(runs: Sequence[StepRun], hours_per_day: float) -> tuple[np.ndarray, ...]:
    """low, mode, high (minutes) and a triangular flag per run; a step with no
    duration is 0."""
    low, mode, high, tri = [], [], [], []
    for r in runs:
        d: Duration | None = r.step.duration
        if d is None:
            low.append(0.0), mode.append(0.0), high.append(0.0), tri.append(False)
            continue
        k = d.minutes_per_unit(hours_per_day)
        low.append(d.low * k), high.append(d.high * k)
        mode.append((d.mode if d.mode is not None else (d.low + d.high) / 2) * k)
        tri.append(d.mode is not None)
    return (np.array(low), np.array(mode), np.array(high), np.array(tri, dtype=bool))


def _sample_durations(rng: np.random.Generator, samples: int, low: np.ndarray,
                      mode: np.ndarray, high: np.ndarray, tri: np.ndarray) -> np.ndarray:
    """samples × steps: uniform low..high, or triangular by the inverse CDF."""
    u = rng.random((samples, low.size))
    span = high - low
    uniform = low + u * span
    with np.errstate(divide="ignore", invalid="ignore"):
        cut = np.where(span > 0, (mode - low) / np.where(span > 0, span, 1), 0.0)
        left = low + np.sqrt(u * span * (mode - low))
        right = high - np.sqrt((1 - u) * span * (high - mode))
    triangular = np.where(u < cut, left, right)
    return np.where(tri, triangular, uniform)


def _sample(rng: np.random.Generator, p: Param, samples: int) -> np.ndarray:
    if not p.is_range:
        return np.full(samples, p.low)
    if p.low < p.mode < p.high or p.mode in (p.low, p.high):
        return rng.triangular(p.low, p.mode, p.high, samples)
    return rng.uniform(p.low, p.high, samples)


def _lever_costs(levers: Iterable[Lever], assumptions: Assumptions,
                 cases: float | None) -> dict[str, float]:
    names = sorted({lever.name for lever in levers})
    one_off = sum(assumptions.value(f"levers.{n}.one_off_yen") for n in names)
    annual = sum(assumptions.value(f"levers.{n}.annual_yen") for n in names)
    per_case = sum(assumptions.value(f"levers.{n}.per_case_yen") for n in names)
    return {"one_off_yen": one_off,
            "annual_yen": annual + per_case * (cases or 0.0)}


def estimate(process: Process, bundle: Bundle | None, assumptions: Assumptions, *,
             levers: Sequence[str] | None = None, samples: int = DEFAULT_SAMPLES,
             seed: int = DEFAULT_SEED) -> Estimate:
    """Apply the levers to the As-Is in memory and estimate the To-Be."""
    asis = analyze_process(process, bundle, assumptions=assumptions)
    runs = asis.graph.runs
    chosen = choose_levers(runs, assumptions, levers)
    times = {r.id: _tobe_times(r, chosen.get(r.id), assumptions) for r in runs}
    tobe_graph = graph_module.expand(process, bundle, assumptions, times=times)
    tobe_metrics = metrics_module.compute(tobe_graph, assumptions)
    tobe_metrics = _retagged(tobe_metrics, asis, chosen, assumptions)
    cases = asis.metrics.cases_per_year
    steps = tuple(
        StepEstimate(r.id, r.step.title, r.step.lane, r.kind,
                     chosen[r.id].name if r.id in chosen else None, r.executions,
                     r.minutes, times[r.id][0], r.wait, times[r.id][1],
                     (r.executions * (r.minutes - times[r.id][0]) * cases / 60
                      if cases is not None else None))
        for r in runs)
    staff = np.array([r.kind in STAFF_ROLES for r in runs], dtype=float)
    execs = np.array([r.executions for r in runs])
    saved_range, sensitivity = None, ()
    if cases is not None:
        saved_range = _monte_carlo(runs, chosen, assumptions, staff, execs, cases, samples,
                                   seed)
        sensitivity = _sensitivity(runs, chosen, assumptions, staff, execs, cases)
    tobe_metrics = _fewer_visits(tobe_metrics, asis, chosen, assumptions)
    costs = _lever_costs(chosen.values(), assumptions, cases)
    return _finish(process, None, tuple(levers or assumptions.levers), seed, samples,
                   assumptions, steps, asis, tobe_metrics, saved_range, costs, sensitivity)


def _fewer_visits(m: metrics_module.Metrics, asis: Analysis, chosen: Mapping[str, Lever],
                  assumptions: Assumptions) -> metrics_module.Metrics:
    """A lever that removes ``in_person`` from the step a visit begins at (online
    application) spares that visit, with its travel, for the cases it serves."""
    from dataclasses import replace

    spared = 0.0
    for run_id, visits in metrics_module.visit_starts(asis.graph, assumptions).items():
        lever = chosen.get(run_id)
        if lever is not None and "in_person" in lever.tags_removed:
            a = assumptions.value(f"levers.{lever.name}.adoption")
            e = assumptions.value(f"levers.{lever.name}.exception_rate")
            spared += visits * a * (1 - e)
    if not spared:
        return m
    travel = assumptions.value("resident.travel_minutes")
    minutes = m.resident_minutes_per_case - spared * travel
    per_year = m.cases_per_year
    return replace(
        m, resident_minutes_per_case=minutes,
        annual_resident_hours=per_year * minutes / 60 if per_year is not None else None,
        resident=replace(m.resident, visits=m.resident.visits - spared))


def _lever_arrays(runs: Sequence[StepRun], chosen: Mapping[str, Lever],
                  values: Mapping[str, Mapping[str, np.ndarray | float]], samples: int
                  ) -> np.ndarray:
    """samples × steps: the share of time each step keeps."""
    keep = np.ones((samples, len(runs)))
    for j, r in enumerate(runs):
        lever = chosen.get(r.id)
        if lever is None:
            continue
        v = values[lever.name]
        f = 0.0 if lever.removes_step else v["minutes_factor"]
        keep[:, j] = keep_share(v["adoption"], v["exception_rate"], f)
    return keep


def _monte_carlo(runs: Sequence[StepRun], chosen: Mapping[str, Lever],
                 assumptions: Assumptions, staff: np.ndarray, execs: np.ndarray,
                 cases: float, samples: int, seed: int) -> Range:
    rng = np.random.default_rng(seed)
    minutes = _sample_durations(rng, samples, *_durations(runs, assumptions.hours_per_day))
    values = {name: {k: _sample(rng, assumptions.lever_param(name, k), samples)
                     for k in _LEVER_NUMBERS}
              for name in sorted({lever.name for lever in chosen.values()})}
    keep = _lever_arrays(runs, chosen, values, samples)
    saved = (minutes * (1 - keep)) @ (execs * staff) * cases / 60
    expected = _saved_expected(runs, chosen, assumptions, staff, execs, cases)
    p10, p50, p90 = np.percentile(saved, [10, 50, 90])
    return Range(expected, float(p10), float(p50), float(p90), float(saved.mean()))


def _saved_expected(runs: Sequence[StepRun], chosen: Mapping[str, Lever],
                    assumptions: Assumptions, staff: np.ndarray, execs: np.ndarray,
                    cases: float, override: tuple[str, str, float] | None = None) -> float:
    values: dict[str, dict[str, float]] = {}
    for name in {lever.name for lever in chosen.values()}:
        values[name] = {k: assumptions.value(f"levers.{name}.{k}") for k in _LEVER_NUMBERS}
    if override is not None:
        name, key, value = override
        values[name][key] = value
    keep = _lever_arrays(runs, chosen, values, 1)[0]
    minutes = np.array([r.minutes for r in runs])
    return float((minutes * (1 - keep)) @ (execs * staff) * cases / 60)


def _sensitivity(runs: Sequence[StepRun], chosen: Mapping[str, Lever],
                 assumptions: Assumptions, staff: np.ndarray, execs: np.ndarray,
                 cases: float) -> tuple[tuple[str, float, float], ...]:
    rows = []
    for name in sorted({lever.name for lever in chosen.values()}):
        for key in ("minutes_factor", "adoption", "exception_rate"):  # waits save no hours
            p = assumptions.lever_param(name, key)
            if not p.is_range:
                continue
            low = _saved_expected(runs, chosen, assumptions, staff, execs, cases,
                                  (name, key, p.low))
            high = _saved_expected(runs, chosen, assumptions, staff, execs, cases,
                                   (name, key, p.high))
            rows.append((f"levers.{name}.{key}", low, high))
    rows.sort(key=lambda row: -abs(row[2] - row[1]))
    return tuple(rows)


def _retagged(m: metrics_module.Metrics, asis: Analysis, chosen: Mapping[str, Lever],
              assumptions: Assumptions) -> metrics_module.Metrics:
    """Counts and digital completion after the levers: a step's tags change on the
    digital path, weighted by the share of cases that take it."""
    from dataclasses import replace

    touches = {"paper": 0.0, "seal": 0.0, "in_person": 0.0}
    digital = total = 0.0
    for r in asis.graph.runs:
        lever = chosen.get(r.id)
        before = set(r.step.tags)
        share = 0.0
        after = before
        if lever is not None:
            a = assumptions.value(f"levers.{lever.name}.adoption")
            e = assumptions.value(f"levers.{lever.name}.exception_rate")
            share = a * (1 - e)
            after = (before - set(lever.tags_removed)) | set(lever.tags_added)
        for tag in touches:
            touches[tag] += r.executions * ((1 - share) * (tag in before) + share * (tag in after))
        total += r.executions
        digital += r.executions * ((1 - share) * (not metrics_module.NOT_DIGITAL & before)
                                   + share * (not metrics_module.NOT_DIGITAL & after))
    return replace(m, counts=metrics_module.Counts(**touches),
                   digital_completion_rate=digital / total if total else 0.0)


def _finish(asis_process: Process, tobe_process: Process | None, levers: tuple[str, ...],
            seed: int, samples: int, assumptions: Assumptions,
            steps: tuple[StepEstimate, ...], asis: Analysis,
            tobe_metrics: metrics_module.Metrics, saved: Range | None,
            costs: dict[str, float], sensitivity: tuple) -> Estimate:
    a = asis.metrics
    hourly = assumptions.value("cost.hourly_yen")
    fte_hours = assumptions.value("time.annual_hours_per_fte")
    yen = fte = resident = payback = None
    if saved is not None:
        yen = saved.expected * hourly
        fte = saved.expected / fte_hours
    if a.annual_resident_hours is not None and tobe_metrics.annual_resident_hours is not None:
        resident = a.annual_resident_hours - tobe_metrics.annual_resident_hours
    if yen is not None:
        net = yen - costs.get("annual_yen", 0.0)
        if costs.get("one_off_yen", 0.0) == 0 and net > 0:
            payback = 0.0
        elif net > 0:
            payback = costs["one_off_yen"] / net
    return Estimate(asis_process, tobe_process, levers, seed, samples, assumptions.source,
                    steps, a, tobe_metrics, saved, yen, fte, resident, costs, payback,
                    sensitivity)


def compare(asis_process: Process, asis_bundle: Bundle | None, tobe_process: Process,
            tobe_bundle: Bundle | None, assumptions: Assumptions, *,
            samples: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED) -> Estimate:
    """A hand-written As-Is and To-Be pair: steps matched by id; the Monte Carlo
    samples the durations of both."""
    asis = analyze_process(asis_process, asis_bundle, assumptions=assumptions)
    tobe = analyze_process(tobe_process, tobe_bundle, assumptions=assumptions)
    cases = asis.metrics.cases_per_year
    after = {r.id: r for r in tobe.graph.runs}
    steps = []
    for r in asis.graph.runs:
        twin = after.get(r.id)
        tobe_minutes = twin.minutes if twin else 0.0
        tobe_execs = twin.executions if twin else 0.0
        steps.append(StepEstimate(
            r.id, r.step.title, r.step.lane, r.kind, None, r.executions, r.minutes,
            tobe_minutes, r.wait, twin.wait if twin else 0.0,
            ((r.executions * r.minutes - tobe_execs * tobe_minutes) * cases / 60
             if cases is not None else None)))
    before_ids = {r.id for r in asis.graph.runs}
    for r in tobe.graph.runs:
        if r.id not in before_ids:
            steps.append(StepEstimate(
                r.id, r.step.title, r.step.lane, r.kind, None, 0.0, 0.0, r.minutes, 0.0,
                r.wait, -r.executions * r.minutes * cases / 60 if cases is not None else None))
    saved = None
    if cases is not None and tobe.metrics.annual_staff_hours is not None:
        rng = np.random.default_rng(seed)
        totals = []
        for runs in (asis.graph.runs, tobe.graph.runs):
            staff = np.array([r.kind in STAFF_ROLES for r in runs], dtype=float)
            execs = np.array([r.executions for r in runs])
            minutes = _sample_durations(rng, samples,
                                        *_durations(runs, assumptions.hours_per_day))
            totals.append(minutes @ (execs * staff) * cases / 60)
        diff = totals[0] - totals[1]
        expected = (asis.metrics.annual_staff_hours or 0) - tobe.metrics.annual_staff_hours
        p10, p50, p90 = np.percentile(diff, [10, 50, 90])
        saved = Range(expected, float(p10), float(p50), float(p90), float(diff.mean()))
    return _finish(asis_process, tobe_process, (), seed, samples, assumptions, tuple(steps),
                   asis, tobe.metrics, saved, {}, ())
