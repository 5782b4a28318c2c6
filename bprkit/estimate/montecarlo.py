"""As-Is vs To-Be with uncertainty (estimation.md §5–8; docs/estimate.md).

``estimate`` applies the levers (bprkit.analysis.levers: which levers a step takes, in which
order, and what each does) to the As-Is in memory; ``compare`` takes a hand-written
or redesigned To-Be, its steps matched to the As-Is by bprkit.estimate.diff. Both report
staff, resident and external hours apart (they are never added together), the
lead time the resident lives, and P10/P50/P90 from one vectorised Monte Carlo.

**Common random numbers.** Every As-Is step draws one uniform number per sample
for its hands-on time and one for its wait; a To-Be step matched to an As-Is step
reuses that step's numbers, and lever parameters are drawn once per sample and
shared by every step. So the difference between the two sides carries no sampling
noise: a file compared with itself gives a band of exactly 0. The sampling machinery
(chunks, inverse CDFs, per-case totals) is bprkit.estimate.sampling; samples are drawn in
chunks, so memory stays bounded for 10,000-step processes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from bprkit import vocabulary
from bprkit.analysis import graph as graph_module
from bprkit.analysis import levers as lever_module
from bprkit.analysis import metrics as metrics_module
from bprkit.analysis.graph import StepRun
from bprkit.analysis.levers import StepPlan, plan_runs, tobe_times
from bprkit.analysis.records import Analysis, analyze_process
from bprkit.assumptions.catalog import Assumptions
from bprkit.estimate import diff as diff_module
from bprkit.estimate import sampling
from bprkit.estimate.sampling import Range
from bprkit.model import STAFF_ROLES, Bundle, Process

DEFAULT_SAMPLES = 10_000
DEFAULT_SEED = 20261122
MEASURES = ("staff", "resident", "lead", "wait")


@dataclass(frozen=True)
class StepEstimate:
    """One step's row. Hours are annual and kept apart: staff (counter, back office,
    approval, storage), resident (the step's own time, its queue and the travel of a
    visit spared at it) and external."""

    id: str
    label: str
    lane: str
    kind: str | None
    levers: tuple[str, ...]
    """The levers applied, in the order they meet the step."""
    executions: float
    asis_minutes: float
    tobe_minutes: float
    asis_wait: float
    tobe_wait: float
    staff_hours_saved: float | None
    resident_hours_saved: float | None
    external_hours_saved: float | None
    pinned: bool = False
    """The levers come from the step's own ``lever …`` line."""
    refused: tuple[lever_module.Refusal, ...] = ()
    slower: tuple[str, ...] = ()
    """Levers that make the step slower (a time factor above 1, or a set-up per batch
    run larger than what the lever saves)."""
    by_lever: tuple[tuple[str, float], ...] = ()
    """Hours saved by each lever, in the step's own column."""
    status: str = ""
    """compare: same, changed, removed or added."""
    matched: tuple[str, ...] = ()
    """compare: the To-Be steps standing for this As-Is step (or, for an added step,
    nothing)."""

    @property
    def lever(self) -> str | None:
        return " + ".join(self.levers) if self.levers else None


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
    resident_hours_saved: Range | None
    external_hours_saved: float | None
    lead_time_days: Range | None = None
    """The To-Be's lead time the resident lives, in working days."""
    reductions: dict[str, Range] = field(default_factory=dict)
    """Measure (staff, resident, lead, wait) → the share of it the To-Be removes,
    1 − To-Be/As-Is per sample (the backtest compares these with publications)."""
    costs: dict[str, float] | None = field(default_factory=dict)
    """None when no cost is known (compare)."""
    payback_years: float | None = None
    sensitivity: tuple[tuple[str, float, float], ...] = ()
    assumption_share: float | None = None
    """The share of staff hours saved that rests on lever figures marked assumption."""
    warnings: tuple[tuple[str, str], ...] = ()
    """(step, lever) pairs where the lever makes the step slower."""
    lead_ends: str = "outcome"
    """``outcome``: the lead time ends where the resident has the outcome; ``end``: a
    process the resident never appears in runs to the end of its flow."""

    @property
    def payback_status(self) -> str:
        """``years`` (payback_years holds them), ``never`` (the yearly costs eat the
        saving) or ``unknown`` (no cost known, or no volume)."""
        if self.payback_years is not None:
            return "years"
        if self.costs is not None and self.yen_saved is not None:
            return "never"
        return "unknown"

    def hours_by_lever(self) -> dict[str, float]:
        """Annual staff hours saved per lever."""
        out: dict[str, float] = {}
        for s in self.steps:
            if s.kind in STAFF_ROLES:
                for name, hours in s.by_lever:
                    out[name] = out.get(name, 0.0) + hours
        return out

    def to_dict(self) -> dict[str, object]:
        a, b = self.asis_metrics, self.tobe_metrics

        def r(x: float | None, digits: int = 4) -> float | None:
            return None if x is None or not np.isfinite(x) else round(float(x), digits)

        def band(x: Range | None) -> dict[str, float | None]:
            if x is None:
                return {"expected": None, "p10": None, "p50": None, "p90": None}
            return {"expected": r(x.expected), "p10": r(x.p10), "p50": r(x.p50),
                    "p90": r(x.p90)}

        saved = self.staff_hours_saved
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
                "annual_resident_hours": {
                    "asis": r(a.annual_resident_hours), "tobe": r(b.annual_resident_hours),
                    **{f"saved_{k}" if k != "expected" else "saved": v
                       for k, v in band(self.resident_hours_saved).items()},
                },
                "annual_external_hours": {
                    "asis": r(a.annual_external_hours), "tobe": r(b.annual_external_hours),
                    "saved": r(self.external_hours_saved),
                },
                "fte_saved": r(self.fte_saved),
                "yen_saved": r(self.yen_saved, 0),
                "resident_hours_saved": r(self.resident_hours_saved.expected)
                if self.resident_hours_saved else None,
                "lead_time_days": {"asis": r(a.lead_time_days), "tobe": r(b.lead_time_days),
                                   "ends_at": self.lead_ends,
                                   **{f"tobe_{k}": v for k, v in
                                      band(self.lead_time_days).items() if k != "expected"}},
                "visits": {"asis": r(a.resident.visits), "tobe": r(b.resident.visits)},
                "counts": {
                    side: {"paper": r(m.counts.paper), "seal": r(m.counts.seal),
                           "in_person": r(m.counts.in_person)}
                    for side, m in (("asis", a), ("tobe", b))},
                "digital_completion_rate": {"asis": r(a.digital_completion_rate),
                                            "tobe": r(b.digital_completion_rate)},
                "costs": ({k: r(v, 0) for k, v in self.costs.items()}
                          if self.costs is not None else None),
                "payback_years": r(self.payback_years, 2),
                "payback": self.payback_status,
                "assumption_share": r(self.assumption_share),
                "reductions": {k: band(v) for k, v in self.reductions.items()},
            },
            "steps": [{"id": s.id, "label": s.label, "kind": s.kind, "lever": s.lever,
                       "levers": list(s.levers), "pinned": s.pinned,
                       "status": s.status or None, "matched": list(s.matched),
                       "executions": r(s.executions), "asis_minutes": r(s.asis_minutes),
                       "tobe_minutes": r(s.tobe_minutes), "asis_wait": r(s.asis_wait),
                       "tobe_wait": r(s.tobe_wait),
                       "staff_hours_saved": r(s.staff_hours_saved),
                       "resident_hours_saved": r(s.resident_hours_saved),
                       "external_hours_saved": r(s.external_hours_saved),
                       "slower": list(s.slower),
                       "refused": [{"lever": x.lever, "reason": x.kind, "fact": x.fact}
                                   for x in s.refused]}
                      for s in self.steps],
            "warnings": [{"step": step, "lever": lever, "reason": "slower"}
                         for step, lever in self.warnings],
            "sensitivity": [{"parameter": p, "low": r(lo), "high": r(hi)}
                            for p, lo, hi in self.sensitivity],
        }


# ── the estimate ──
def estimate(process: Process, bundle: Bundle | None, assumptions: Assumptions, *,
             levers: Sequence[str] | None = None, samples: int = DEFAULT_SAMPLES,
             seed: int = DEFAULT_SEED, analysis: Analysis | None = None,
             sensitivity: bool = True) -> Estimate:
    """Apply the levers to the As-Is in memory and estimate the To-Be. ``analysis``: the
    As-Is already analysed with the same assumptions (a report's section has it), so it
    is not analysed again. ``sensitivity``: False leaves :attr:`Estimate.sensitivity`
    empty (the portfolio's ranking does not read it)."""
    asis = analysis if analysis is not None else analyze_process(
        process, bundle, assumptions=assumptions, with_findings=False)
    runs = asis.graph.runs
    plans = asis.graph.lever_plans(assumptions, levers)  # the findings' own, if they ran
    times = lever_module.queue_times(
        runs, plans, {r.id: tobe_times(r, p) for r, p in zip(runs, plans, strict=True)},
        assumptions.hours_per_day, assumptions.value("time.working_days_per_year"),
        asis.metrics.cases_per_year)
    tobe_graph = graph_module.retimed(asis.graph, bundle, assumptions, times)
    tobe_metrics = metrics_module.compute(tobe_graph, assumptions)
    cases = asis.metrics.cases_per_year
    starts = metrics_module.visit_starts(asis.graph, assumptions)
    groups = metrics_module.visit_groups(asis.graph, assumptions)
    rows = _step_rows(asis, plans, times, starts, groups, assumptions)
    tobe_metrics = _tobe_figures(tobe_metrics, asis, plans, assumptions.levers,
                                 visits_spared=rows.visits_spared,
                                 resident_saved=rows.resident_minutes, waiting=rows.queue_after)
    steps = rows.steps
    asis_side = sampling.Side.of(asis.graph, asis.metrics, assumptions)
    collected = _monte_carlo_levers(asis_side, asis_side.with_lead_of(tobe_graph), plans,
                                    starts, groups, assumptions.levers, assumptions,
                                    samples, seed, cases)
    lead = sampling.band(tobe_metrics.lead_time_days,
                         collected.get("lead_tobe") / (assumptions.hours_per_day * 60))
    reductions = _reductions(collected, asis.metrics, tobe_metrics)
    saved, resident_saved = _saved_bands(steps, collected, cases)
    swings = (_sensitivity(runs, plans, assumptions, cases)
              if cases is not None and sensitivity else ())
    used = sorted({a.lever for p in plans for a in p.applied if a.served > 0})
    costs = _lever_costs(used, assumptions, cases, _served(runs, plans))
    external = (sum(s.external_hours_saved or 0.0 for s in steps)
                if cases is not None else None)
    share = _assumption_share(steps, assumptions)
    warnings = tuple((s.id, lever) for s in steps for lever in s.slower)
    names = tuple(lever_module.order(assumptions) if levers is None else levers)
    return _finish(process, None, names, seed, samples, assumptions, steps, asis,
                   tobe_metrics, saved, resident_saved, external, lead, reductions, costs,
                   swings, share, warnings)


@dataclass(frozen=True)
class _StepRows:
    """The estimate's rows, and the per-case sums of them the To-Be's figures take."""

    steps: tuple[StepEstimate, ...]
    visits_spared: float
    resident_minutes: float
    """Resident minutes saved per case: the rows and the total agree."""
    queue_after: float
    """Minutes per case the resident still waits in the As-Is queues."""


def _step_rows(asis: Analysis, plans: Sequence[StepPlan],
               times: Mapping[str, tuple[float, float]], starts: Mapping[str, float],
               groups: Mapping[str, list[str]], assumptions: Assumptions) -> _StepRows:
    """One row per As-Is run: its To-Be time and wait, and the hours saved in the
    column of its kind; the resident's column adds the queue shortened and the
    travel of the visits spared."""
    runs = asis.graph.runs
    cases = asis.metrics.cases_per_year
    travel = assumptions.value("resident.travel_minutes")
    break_minutes = assumptions.value("resident.visit_break_minutes")
    spared_share = _spared_share(runs, plans, groups)
    per_year = (lambda minutes: minutes * cases / 60) if cases is not None else None
    rows = []
    visits_spared = resident_minutes = queue_after = 0.0
    for r, p in zip(runs, plans, strict=True):
        tm, tw = times[r.id]
        own = r.executions * (r.minutes - tm)
        spared = starts.get(r.id, 0.0) * spared_share.get(r.id, 0.0)
        queue = metrics_module.is_queue(r, break_minutes)
        resident = (own if r.kind == "resident" else 0.0) + \
            (r.executions * (r.wait - tw) if queue else 0.0) + spared * travel
        visits_spared += spared
        resident_minutes += resident
        queue_after += r.executions * tw if queue else 0.0
        rows.append(_step_row(r, p, tm, tw, own, resident, per_year))
    return _StepRows(tuple(rows), visits_spared, resident_minutes, queue_after)


def _spared_share(runs: Sequence[StepRun], plans: Sequence[StepPlan],
                  groups: Mapping[str, list[str]]) -> dict[str, float]:
    """Per visit (by the run it starts at): the share of cases the levers spare it. A
    visit is spared for a case only when none of its in-person steps needs it."""
    plan_of = {r.id: p for r, p in zip(runs, plans, strict=True)}
    return {start: min(plan_of[k].spared for k in members)
            for start, members in groups.items()}


def _step_row(r: StepRun, p: StepPlan, tobe_minutes: float, tobe_wait: float, own: float,
              resident: float, per_year: Callable[[float], float] | None) -> StepEstimate:
    """A run's row: ``own`` is the minutes per case its own time shrinks, ``resident``
    the resident minutes per case it saves."""
    by_lever = tuple(
        (a.lever, per_year(r.executions * (r.minutes * (a.keep_before - a.keep_after)
                                           - a.added)))
        for a in p.applied) if per_year else ()
    return StepEstimate(
        r.id, r.step.title, r.step.lane, r.kind, tuple(a.lever for a in p.applied),
        r.executions, r.minutes, tobe_minutes, r.wait, tobe_wait,
        per_year(own if r.kind in STAFF_ROLES else 0.0) if per_year else None,
        per_year(resident) if per_year else None,
        per_year(own if r.kind == "external" else 0.0) if per_year else None,
        pinned=bool(p.plan.pinned), refused=p.refused,
        slower=tuple(a.lever for a in p.applied if lever_module.slows(a, r.minutes)),
        by_lever=by_lever)


def _saved_bands(steps: Sequence[StepEstimate], collected: sampling.Collector,
                 cases: float | None) -> tuple[Range | None, Range | None]:
    """Annual staff and resident hours saved: the rows' sums, banded by the samples
    (None, None without a volume)."""
    if cases is None:
        return None, None
    saved = sampling.band(sum(s.staff_hours_saved or 0.0 for s in steps),
                          collected.get("staff_saved") * cases / 60)
    resident = sampling.band(sum(s.resident_hours_saved or 0.0 for s in steps),
                             collected.get("resident_saved") * cases / 60)
    return saved, resident


def _served(runs: Sequence[StepRun], plans: Sequence[StepPlan]) -> dict[str, float]:
    """Runs per case each lever serves: what a per-case fee is paid for."""
    served: dict[str, float] = {}
    for r, p in zip(runs, plans, strict=True):
        for a in p.applied:
            served[a.lever] = served.get(a.lever, 0.0) + r.executions * a.served
    return served


def _reductions(collected: sampling.Collector, before: metrics_module.Metrics,
                after: metrics_module.Metrics) -> dict[str, Range]:
    def share(b: float, a: float) -> float:
        return 1 - a / b if b > 0 else 0.0

    expected = {
        "staff": share(before.staff_minutes_per_case, after.staff_minutes_per_case),
        "resident": share(before.resident_minutes_per_case, after.resident_minutes_per_case),
        "lead": share(before.lead_time_hours, after.lead_time_hours),
        "wait": share(before.resident.waiting_minutes, after.resident.waiting_minutes),
    }
    return {m: sampling.band(expected[m], collected.get(f"reduction_{m}")) for m in MEASURES}


def _tobe_figures(m: metrics_module.Metrics, asis: Analysis, plans: Sequence[StepPlan],
                  catalog: Mapping, *, visits_spared: float, resident_saved: float,
                  waiting: float) -> metrics_module.Metrics:
    """The To-Be's figures where the levers change more than times: resident minutes
    (the sum of the per-step savings, so the table adds up to the total), visits
    spared, waiting in the As-Is queues, and counts and digital completion weighed by
    the share of cases each lever serves."""
    a = asis.metrics
    per_year = a.cases_per_year
    touches = {"paper": 0.0, "seal": 0.0, "in_person": 0.0}
    digital = total = 0.0
    for r, p in zip(asis.graph.runs, plans, strict=True):
        before = set(r.step.tags)
        shares = {tag: 1.0 for tag in before}
        for applied in p.applied:
            for tag in catalog[applied.lever].tags_removed:
                if tag in shares:
                    shares[tag] *= 1 - applied.served
        for tag in touches:
            touches[tag] += r.executions * shares.get(tag, 0.0)
        total += r.executions
        still = max((shares[t] for t in before & vocabulary.NOT_DIGITAL), default=0.0)
        digital += r.executions * (1 - still)
    minutes = a.resident_minutes_per_case - resident_saved
    return replace(
        m, resident_minutes_per_case=minutes,
        annual_resident_hours=per_year * minutes / 60 if per_year is not None else None,
        resident=replace(m.resident, visits=a.resident.visits - visits_spared,
                         waiting_minutes=waiting),
        counts=metrics_module.Counts(**touches),
        digital_completion_rate=digital / total if total else 0.0)


def _monte_carlo_levers(side: sampling.Side, tobe_side: sampling.Side,
                        plans: Sequence[StepPlan], starts: Mapping[str, float],
                        groups: Mapping[str, list[str]], catalog: Mapping,
                        assumptions: Assumptions, samples: int,
                        seed: int, cases_per_year: float | None = None) -> sampling.Collector:
    """Both sides per sample: the As-Is, and the To-Be as the levers leave each run
    (``tobe_side``: the same runs, the To-Be's lead weights; ``cases_per_year``: the
    procedure's, its share of a counter's arrivals)."""
    rng = np.random.default_rng(seed)
    queues = lever_module.queue_runs(side.runs, assumptions.hours_per_day,
                                     assumptions.value("time.working_days_per_year"),
                                     cases_per_year)
    chosen, index = _unique_plans(plans, catalog, own={q.column for q in queues})
    names = sorted({n for p in chosen for n in p.plan.chain})
    column = {r.id: j for j, r in enumerate(side.runs)}
    visits = _visit_plans(groups, starts, column, index)
    present = np.array([p.plan.facts.get("person_present", 0.0) for p in chosen])
    kernel = sampling.Kernel(side, tobe_side.lead, index, len(chosen))
    out = sampling.Collector()
    for n in sampling.chunks(samples, len(side.runs)):
        u = rng.random((n, len(side.runs)))
        uw = rng.random((n, len(side.runs)))
        numbers = sampling.lever_numbers(rng, names, assumptions, n)
        travel = sampling.sample(rng, assumptions["resident.travel_minutes"], n)
        keep, keep_wait, setup, spared = _chain_factors(chosen, present, catalog, numbers, n)
        _queue_factors(queues, side.runs, index, keep, keep_wait, spared)
        visits_spared = np.zeros(n)
        for count, members in visits:
            visits_spared += count * spared[:, members].min(axis=1)
        m_before, w_before, m_after, w_after = kernel.run(u, uw, keep, keep_wait, setup)
        before = sampling.finish(side, m_before, w_before, travel, side.visits)
        after = sampling.finish(tobe_side, m_after, w_after, travel,
                                side.visits - visits_spared)
        sampling.collect(out, before, after)
    return out


def _visit_plans(groups: Mapping[str, list[str]], starts: Mapping[str, float],
                 column: Mapping[str, int], index: np.ndarray) -> list[tuple[float, np.ndarray]]:
    """Per visit: its starts per case and the plans of its in-person steps (a visit is
    spared for a sample only as far as every one of them spares it). Visits whose steps
    have the same plans are one entry, their starts added."""
    merged: dict[tuple[int, ...], float] = {}
    for start, members in groups.items():
        key = tuple(sorted({int(index[column[k]]) for k in members}))
        merged[key] = merged.get(key, 0.0) + starts[start]
    return [(count, np.array(key, dtype=int)) for key, count in merged.items()]


def _queue_factors(queues: Sequence[lever_module.QueueRun], runs: Sequence[StepRun],
                   index: np.ndarray, keep: np.ndarray, keep_wait: np.ndarray,
                   spared: np.ndarray) -> None:
    """Per sample, the share of each queue's wait kept: the wait its queue gives once the
    sample's levers shortened the visit and spared some of its cases, over the As-Is's
    (each queue run has a column of its own, :func:`_unique_plans`)."""
    if not queues:
        return
    minutes = [r.minutes for r in runs]
    for q in queues:
        k = index[q.column]
        share = q.keep_share(minutes, {v: keep[:, index[v]] for v in q.visit})
        keep_wait[:, k] = q.kept(share, spared[:, k])


def _unique_plans(plans: Sequence[StepPlan], catalog: Mapping, own: Collection[int] = ()
                  ) -> tuple[list[StepPlan], np.ndarray]:
    """The distinct chains (by what the chain reads of the plan, first of each), and per
    run its chain's index among them: runs with the same chain share one column of lever
    factors. The runs in ``own`` (queues) get a column of their own: their wait's share
    is their queue's."""
    unique: dict[tuple, int] = {}
    index = np.zeros(len(plans), dtype=int)
    chosen: list[StepPlan] = []
    for j, p in enumerate(plans):
        key = lever_module.chain_key(p.plan, catalog)
        if j in own:
            key = (key, "queue", j)
        if key not in unique:
            unique[key] = len(chosen)
            chosen.append(p)
        index[j] = unique[key]
    return chosen, index


def _chain_factors(chosen: Sequence[StepPlan], present: np.ndarray, catalog: Mapping,
                   numbers: Mapping[str, Mapping[str, np.ndarray]], n: int
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per sample and distinct plan: the share of the time and of the wait the levers
    keep, the set-up they add, and the share of in-person presence they spare."""
    keep = np.ones((n, len(chosen)))
    keep_wait = np.ones((n, len(chosen)))
    setup = np.zeros((n, len(chosen)))
    spared = np.zeros((n, len(chosen)))
    for k, p in enumerate(chosen):
        if not p.plan.chain:
            continue
        kp, kw, facts, _, added = lever_module.run_chain(p.plan, catalog, numbers)
        keep[:, k], keep_wait[:, k], setup[:, k] = kp, kw, added
        if present[k]:
            spared[:, k] = 1 - np.asarray(facts.get("person_present", 0.0)) / present[k]
    return keep, keep_wait, setup, spared


@dataclass(frozen=True)
class _StaffLoad:
    """The staff runs that take levers, summed per distinct chain: the sensitivity
    recomputes each chain's kept share at a parameter's low and high, not every run."""

    plans: tuple[StepPlan, ...]
    minutes: tuple[float, ...]
    """Per chain: Σ executions × As-Is minutes of its runs, per case."""
    executions: tuple[float, ...]

    @classmethod
    def of(cls, runs: Sequence[StepRun], plans: Sequence[StepPlan], catalog: Mapping
           ) -> _StaffLoad:
        sums: dict[tuple, list] = {}
        for r, p in zip(runs, plans, strict=True):
            if r.kind not in STAFF_ROLES or not p.plan.chain:
                continue
            entry = sums.setdefault(lever_module.chain_key(p.plan, catalog), [p, 0.0, 0.0])
            entry[1] += r.executions * r.minutes
            entry[2] += r.executions
        return cls(tuple(e[0] for e in sums.values()), tuple(e[1] for e in sums.values()),
                   tuple(e[2] for e in sums.values()))


def _numbers(load: _StaffLoad, assumptions: Assumptions,
             override: tuple[str, str, float] | None = None) -> dict[str, dict[str, float]]:
    """The levers' numbers at their expected values, one parameter overridden."""
    numbers = {name: lever_module.values(assumptions, name)
               for name in {n for p in load.plans for n in p.plan.chain}}
    if override is not None:
        name, key, value = override
        if name in numbers:
            numbers[name][key] = value
            if key == "minutes_factor" and f"levers.{name}.staff_minutes_factor" \
                    not in assumptions.params:
                numbers[name]["staff_minutes_factor"] = value
    return numbers


def _saved_per_chain(load: _StaffLoad, catalog: Mapping, numbers: Mapping,
                     chains: Sequence[int]) -> list[float]:
    """Staff minutes saved per case by each of the given chains."""
    out = []
    for k in chains:
        chain = lever_module.run_chain(load.plans[k].plan, catalog, numbers)
        out.append(load.minutes[k] * (1 - float(chain.keep))
                   - load.executions[k] * float(chain.setup))
    return out


def _sensitivity(runs: Sequence[StepRun], plans: Sequence[StepPlan],
                 assumptions: Assumptions, cases: float
                 ) -> tuple[tuple[str, float, float], ...]:
    """Annual staff hours saved with each lever parameter at its low and its high end,
    the others at their expected values. A parameter moves only the chains its lever
    is in: those are rerun, the others keep their expected saving."""
    catalog = assumptions.levers
    load = _StaffLoad.of(runs, plans, catalog)
    everything = range(len(load.plans))
    base = _saved_per_chain(load, catalog, _numbers(load, assumptions), everything)
    rows = []
    for name in sorted({n for p in plans for n in p.plan.chain}):
        checks = sorted({k for p in plans if name in p.plan.chain
                         for k in (lever_module.verify_key(p.plan.facts),) if k})
        moved = [k for k in everything if name in load.plans[k].plan.chain]
        rest = sum(base[k] for k in everything if name not in load.plans[k].plan.chain)
        for key in ("minutes_factor", "staff_minutes_factor", "adoption", "exception_rate",
                    "setup_minutes", *checks):
            full = f"levers.{name}.{key}"
            if full not in assumptions.params or not assumptions.params[full].is_range:
                continue
            p = assumptions.params[full]
            low, high = (
                (rest + sum(_saved_per_chain(load, catalog, _numbers(
                    load, assumptions, (name, key, value)), moved))) * cases / 60
                for value in (p.low, p.high))
            rows.append((full, low, high))
    # widest swing first; equal swings (two levers of one chain: AI-OCR's and RPA's time
    # factors move the same steps) stay in the order made above, by lever name, whatever
    # the last bits of the sums (before issue 23 those bits ordered them)
    rows.sort(key=lambda row: -round(abs(row[2] - row[1]), 6))
    return tuple(rows)


def _assumption_share(steps: Sequence[StepEstimate], assumptions: Assumptions) -> float | None:
    total = resting = 0.0
    for s in steps:
        if s.kind not in STAFF_ROLES:
            continue
        for name, hours in s.by_lever:
            total += hours
            if lever_module.rests_on_assumption(assumptions, name):
                resting += hours
    return resting / total if total > 0 else None


def _lever_costs(names: Sequence[str], assumptions: Assumptions, cases: float | None,
                 served: Mapping[str, float] | None = None) -> dict[str, float]:
    """One-off and yearly costs of the levers used. A per-case fee (a page read by
    AI-OCR, a kiosk certificate) is paid for the runs the lever serves, not for the
    cases an earlier lever already took off it (``served``: runs served per case)."""
    one_off = sum(assumptions.value(f"levers.{n}.one_off_yen") for n in names)
    annual = sum(assumptions.value(f"levers.{n}.annual_yen") for n in names)
    per_case = sum(assumptions.value(f"levers.{n}.per_case_yen")
                   * (served.get(n, 0.0) if served is not None else 1.0) for n in names)
    return {"one_off_yen": one_off, "annual_yen": annual + per_case * (cases or 0.0)}


def _finish(asis_process: Process, tobe_process: Process | None, levers: tuple[str, ...],
            seed: int, samples: int, assumptions: Assumptions,
            steps: tuple[StepEstimate, ...], asis: Analysis,
            tobe_metrics: metrics_module.Metrics, saved: Range | None,
            resident: Range | None, external: float | None, lead: Range | None,
            reductions: dict[str, Range], costs: dict[str, float] | None,
            sensitivity: tuple, share: float | None,
            warnings: tuple[tuple[str, str], ...]) -> Estimate:
    hourly = assumptions.value("cost.hourly_yen")
    fte_hours = assumptions.value("time.annual_hours_per_fte")
    yen = fte = payback = None
    if saved is not None:
        yen = saved.expected * hourly
        fte = saved.expected / fte_hours
    if yen is not None and costs is not None:
        net = yen - costs.get("annual_yen", 0.0)
        if net > 0:
            payback = costs.get("one_off_yen", 0.0) / net
    ends = "end" if graph_module.outcome_order(asis.graph) is None else "outcome"
    return Estimate(asis_process, tobe_process, levers, seed, samples, assumptions.source,
                    steps, asis.metrics, tobe_metrics, saved, yen, fte, resident, external,
                    lead, reductions, costs, payback, sensitivity, share, warnings, ends)


# ── compare ──
def compare(asis_process: Process, asis_bundle: Bundle | None, tobe_process: Process,
            tobe_bundle: Bundle | None, assumptions: Assumptions, *,
            samples: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED) -> Estimate:
    """An As-Is and a To-Be (hand-written or redesigned): steps matched by
    bprkit.estimate.diff (``replaces``, then ids, then labels); the Monte Carlo draws each
    As-Is step's numbers once and a matched To-Be step reuses them."""
    asis = analyze_process(asis_process, asis_bundle, assumptions=assumptions,
                           with_findings=False)
    tobe = analyze_process(tobe_process, tobe_bundle, assumptions=assumptions,
                           with_findings=False)
    cases = asis.metrics.cases_per_year
    match = diff_module.match(asis.graph.runs, tobe.graph.runs)
    steps = _compare_rows(asis, tobe, match, cases, assumptions)
    before = sampling.Side.of(asis.graph, asis.metrics, assumptions)
    after = sampling.Side.of(tobe.graph, tobe.metrics, assumptions)
    asis_index = {r.id: j for j, r in enumerate(asis.graph.runs)}
    draw = np.array([asis_index.get((match.asis_of.get(r.id) or ("",))[0], -1)
                     for r in tobe.graph.runs], dtype=int)
    rests = _resting_levers(asis, tobe, draw, assumptions)
    collected = _monte_carlo_pair(before, after, draw, rests, assumptions, samples, seed)
    lead = sampling.band(tobe.metrics.lead_time_days,
                 collected.get("lead_tobe") / (assumptions.hours_per_day * 60))
    reductions = _reductions(collected, asis.metrics, tobe.metrics)
    saved, resident = _saved_bands(steps, collected, cases)
    external = (sum(s.external_hours_saved or 0.0 for s in steps)
                if cases is not None else None)
    return _finish(asis_process, tobe_process, (), seed, samples, assumptions, steps, asis,
                   tobe.metrics, saved, resident, external, lead, reductions, None, (), None,
                   ())


def _compare_rows(asis: Analysis, tobe: Analysis, match: diff_module.Match,
                  cases: float | None, assumptions: Assumptions) -> tuple[StepEstimate, ...]:
    """One row per As-Is step (its To-Be counterparts' time set against it), then one
    per added To-Be step; each row's hours in its own column."""
    after = {r.id: r for r in tobe.graph.runs}
    per_year = (lambda minutes: minutes * cases / 60) if cases is not None else None
    travel = assumptions.value("resident.travel_minutes")
    break_minutes = assumptions.value("resident.visit_break_minutes")
    starts = {**metrics_module.visit_starts(asis.graph, assumptions),
              **{f"to-be:{k}": v for k, v in
                 metrics_module.visit_starts(tobe.graph, assumptions).items()}}

    def queue_and_travel(run: StepRun, side: str) -> float:
        """A run's resident minutes beyond its own time: its queue, and the travel
        of the visits that begin at it (as metrics count them)."""
        queue = (run.executions * run.wait if metrics_module.is_queue(run, break_minutes)
                 else 0.0)
        return queue + starts.get(side + run.id, 0.0) * travel

    def columns(sides: Sequence[tuple[StepRun, float, str]]) -> tuple[float | None, ...]:
        """(staff, resident, external) hours: each run in the column of its own kind,
        plus its queue and visits in the resident column; As-Is +1, To-Be −1."""
        if per_year is None:
            return None, None, None
        out = [0.0, 0.0, 0.0]
        for run, sign, side in sides:
            load = sign * per_year(run.executions * run.minutes)
            if run.kind in STAFF_ROLES:
                out[0] += load
            elif run.kind == "resident":
                out[1] += load
            elif run.kind == "external":
                out[2] += load
            out[1] += sign * per_year(queue_and_travel(run, side))
        return tuple(out)

    rows = []
    for r in asis.graph.runs:
        twins = [after[t] for t in match.tobe_of.get(r.id, ())
                 if (match.asis_of.get(t) or ("",))[0] == r.id]
        tobe_load = sum(t.executions * t.minutes for t in twins)
        tobe_minutes = tobe_load / r.executions if r.executions else 0.0
        tobe_wait = max((t.wait for t in twins), default=0.0)
        staff, resident, external = columns([(r, 1.0, ""),
                                             *((t, -1.0, "to-be:") for t in twins)])
        rows.append(StepEstimate(
            r.id, r.step.title, r.step.lane, r.kind, (), r.executions, r.minutes,
            tobe_minutes, r.wait, tobe_wait, staff, resident, external,
            status=match.status[r.id], matched=tuple(match.tobe_of.get(r.id, ()))))
    for t in tobe.graph.runs:
        if match.asis_of.get(t.id):
            continue
        staff, resident, external = columns([(t, -1.0, "to-be:")])
        rows.append(StepEstimate(
            t.id, t.step.title, t.step.lane, t.kind, (), 0.0, 0.0, t.minutes, 0.0, t.wait,
            staff, resident, external, status="added"))
    return tuple(rows)


@dataclass
class _Resting:
    """To-Be steps whose ``lever`` line names the levers their time rests on: the
    As-Is plan of each (by index), so compare draws those levers' factors too."""

    plans: list[StepPlan]
    index: np.ndarray
    """Per To-Be run: the plan's index, or -1."""
    names: list[str]
    """The levers the estimate of the As-Is would draw, in its order: the same draws
    give the same samples, so estimate and compare agree to rounding."""


def _resting_levers(asis: Analysis, tobe: Analysis, draw: np.ndarray,
                    assumptions: Assumptions) -> _Resting:
    """A To-Be step with a ``lever`` line, matched to an As-Is step of an As-Is
    process, takes that step's plan when the levers are the same, else the levers of
    its line pinned on the As-Is step's facts."""
    asis_runs = asis.graph.runs
    plans: list[StepPlan] = []
    index = np.full(len(tobe.graph.runs), -1, dtype=int)
    wanted = [k for k, r in enumerate(tobe.graph.runs)
              if r.step.levers and draw[k] >= 0 and r.process.state == "to_be"
              and asis_runs[draw[k]].process.state != "to_be"]
    if not wanted:
        return _Resting(plans, index, [])
    own = plan_runs(asis_runs, assumptions, None)
    names = sorted({n for p in own for n in p.plan.chain})
    for k in wanted:
        tobe_run, j = tobe.graph.runs[k], int(draw[k])
        plan = own[j]
        if set(plan.plan.chain) != set(tobe_run.step.levers or ()):  # the order is the catalog's
            pinned = replace(asis_runs[j].step, levers=tobe_run.step.levers)
            plan = plan_runs([replace(asis_runs[j], step=pinned)], assumptions, None)[0]
        index[k] = len(plans)
        plans.append(plan)
    return _Resting(plans, index, sorted({*names, *(n for p in plans for n in p.plan.chain)}))


def _monte_carlo_pair(before: sampling.Side, after: sampling.Side, draw: np.ndarray,
                      rests: _Resting, assumptions: Assumptions, samples: int,
                      seed: int) -> sampling.Collector:
    rng = np.random.default_rng(seed)
    own = np.flatnonzero(draw < 0)
    shared = np.flatnonzero(draw >= 0)
    resting = np.flatnonzero(rests.index >= 0)
    catalog = assumptions.levers
    out = sampling.Collector()
    extra = np.random.default_rng([seed, 1])  # To-Be steps of their own: a stream apart
    # the estimate's chunk sizes and draw order, as long as the To-Be is no larger
    for n in sampling.chunks(samples, max(len(before.runs), len(after.runs))):
        u = rng.random((n, len(before.runs)))
        uw = rng.random((n, len(before.runs)))
        numbers = sampling.lever_numbers(rng, rests.names, assumptions, n) if resting.size else {}
        travel = sampling.sample(rng, assumptions["resident.travel_minutes"], n)
        v = np.empty((n, len(after.runs)))
        vw = np.empty((n, len(after.runs)))
        v[:, shared], vw[:, shared] = u[:, draw[shared]], uw[:, draw[shared]]
        v[:, own] = extra.random((n, own.size))
        vw[:, own] = extra.random((n, own.size))
        minutes_a = sampling.inverse(u, *before.minutes)
        waits_a = sampling.inverse(uw, *before.waits) + before.batch
        minutes_b = sampling.inverse(v, *after.minutes)
        waits_b = sampling.inverse(vw, *after.waits) + after.batch
        if resting.size:  # the levers' factors, drawn as the estimate draws them
            for k in resting:
                p = rests.plans[rests.index[k]]
                kp, kw, _, _, added = lever_module.run_chain(p.plan, catalog, numbers)
                if p.keep > 0:
                    minutes_b[:, k] = (minutes_b[:, k] - p.setup) * np.asarray(kp) / p.keep \
                        + added
                if p.keep_wait > 0 and after.runs[k].step.queue is None:  # a queue's
                    # wait is its own (docs/queues.md), not a lever's factor's
                    own_wait = waits_b[:, k] - after.batch[k]
                    waits_b[:, k] = after.batch[k] + own_wait * np.asarray(kw) / p.keep_wait
        sampling.collect(out, sampling.totals(before, minutes_a, waits_a, travel, before.visits),
                 sampling.totals(after, minutes_b, waits_b, travel, after.visits))
    return out


