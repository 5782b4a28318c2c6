"""The analysis of a process: metrics, steps and findings (estimation.md §1–4).

``analyze`` in the facade returns an :class:`Analysis`; the CLI prints it as
text, JSON or CSV. pandas is imported only by ``to_frame``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bprkit import collector
from bprkit.analysis import graph as graph_module
from bprkit.analysis import metrics as metrics_module
from bprkit.analysis.graph import ExpandedGraph, StepRun
from bprkit.analysis.metrics import Metrics
from bprkit.assumptions.catalog import Assumptions
from bprkit.assumptions.catalog import default as default_assumptions
from bprkit.model import STAFF_ROLES, Bundle, Process, iter_uses
from bprkit.text import flow as flow_module

if TYPE_CHECKING:
    import pandas as pd

    from bprkit.analysis.findings import Finding, StepFindings


@dataclass(frozen=True)
class StepFigures:
    """One step's row: executions per case, minutes per execution, hours a year."""

    id: str
    label: str
    lane: str
    kind: str | None
    executions: float
    minutes: float
    wait: float
    annual_hours: float | None
    file: str | None
    line: int | None

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "label": self.label, "lane": self.lane, "kind": self.kind,
                "executions": _num(self.executions), "minutes": _num(self.minutes),
                "wait": _num(self.wait), "annual_hours": _num(self.annual_hours),
                "file": self.file, "line": self.line}


@dataclass(frozen=True)
class PhaseFigures:
    """One phase (受付, 審査 …): its steps' staff time, waits and share of the lead
    time. Steps of a used process belong to the phase of the ``use``; a parallel
    block counts its longest path, as the lead time does, so the phases' lead
    minutes add up to the process's."""

    id: str
    title: str
    steps: int
    staff_minutes_per_case: float
    annual_staff_hours: float | None
    wait_minutes: float
    lead_minutes: float

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "title": self.title, "steps": self.steps,
                "staff_minutes_per_case": _num(self.staff_minutes_per_case),
                "annual_staff_hours": _num(self.annual_staff_hours),
                "wait_minutes": _num(self.wait_minutes),
                "lead_minutes": _num(self.lead_minutes)}


@dataclass(frozen=True)
class QueueFigures:
    """A counter's queue (docs/queues.md): the mean wait of a case, and the busiest
    period's (the day its counters are loaded most) with its arrivals and counters."""

    step: str
    title: str
    wait: float
    counters: float
    inferred: bool
    """The counters were inferred from an observed wait."""
    per_hour: float
    """Arrivals an hour, over the year."""
    service_minutes: float
    """The visit the counters serve: its mean minutes."""
    busiest_day: str
    busiest_peak: bool
    busiest_per_hour: float
    busiest_counters: float
    busiest_wait: float
    busy: float
    """The share of the counters' time in use over the year."""
    busiest_busy: float
    own_per_hour: float | None = None
    """The procedure's own cases an hour at the counter where they are most of its
    arrivals, when they are more than the arrivals (a mistake: the arrivals count
    everyone at the counter); None otherwise."""
    own_of: float = 0.0
    """The arrivals an hour ``own_per_hour`` is set against."""

    def to_dict(self) -> dict[str, object]:
        return {"step": self.step, "title": self.title, "wait_minutes": _num(self.wait),
                "counters": _num(self.counters), "counters_inferred": self.inferred,
                "arrivals_per_hour": _num(self.per_hour),
                "visit_minutes": _num(self.service_minutes),
                "busiest": {"day": self.busiest_day or None, "peak": self.busiest_peak,
                            "arrivals_per_hour": _num(self.busiest_per_hour),
                            "counters": _num(self.busiest_counters),
                            "wait_minutes": _num(self.busiest_wait),
                            "utilisation": _num(self.busiest_busy)},
                "utilisation": _num(self.busy),
                "own_cases_per_hour": _num(self.own_per_hour),
                "own_against_arrivals_per_hour": _num(self.own_of) if self.own_per_hour
                else None}


@dataclass(frozen=True)
class Analysis:
    process: Process
    graph: ExpandedGraph
    metrics: Metrics
    steps: tuple[StepFigures, ...]
    findings: tuple[Finding, ...]
    bundle: Bundle | None = None
    """Where the processes the analysed one ``use``s come from."""
    phases: tuple[PhaseFigures, ...] = ()
    """Per phase, when the process declares phases (``phase`` lines)."""
    queues: tuple[QueueFigures, ...] = ()
    """Per counter queue of the process's runs (``arrivals`` lines)."""

    @property
    def id(self) -> str:
        return self.process.id

    def findings_by_step(self) -> tuple[StepFindings, ...]:
        """The findings as an analyst reads them: one entry per step with all its
        issues, one per process-wide finding, most annual hours at stake first."""
        from bprkit.analysis import findings as findings_module

        return tuple(findings_module.group(self.findings))

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        m = self.metrics
        volume = self.process.volume
        return {
            "id": self.process.id,
            "label": self.process.title,
            "metrics": {
                "staff_minutes_per_case": _num(m.staff_minutes_per_case),
                "staff_minutes_by_kind": {k: _num(v) for k, v in m.staff_minutes_by_kind.items()},
                "resident_minutes_per_case": _num(m.resident_minutes_per_case),
                "lead_time_hours": _num(m.lead_time_hours),
                "lead_time_days": _num(m.lead_time_days),
                "lead_ends_at": "end" if graph_module.outcome_order(self.graph) is None
                else "outcome",
                "waiting_share": _num(m.waiting_share),
                "back_office_after_hours": _num(m.back_office_after_hours),
                "external_minutes_per_case": _num(m.external_minutes_per_case),
                "annual_external_hours": _num(m.annual_external_hours),
                "cases_per_year": _num(m.cases_per_year),
                "annual_staff_hours": _num(m.annual_staff_hours),
                "fte": _num(m.fte),
                "season_days": _num(volume.season_days) if volume else None,
                "season_share": _num(volume.season_share)
                if volume and volume.season_days is not None else None,
                "peak_cases_per_day": _num(m.peak_cases_per_day),
                "peak_staff": _num(m.peak_staff),
                "annual_cost_yen": _num(m.annual_cost_yen),
                "annual_resident_hours": _num(m.annual_resident_hours),
                "handoffs": _num(m.handoffs),
                "approval_depth": m.approval_depth,
                "digital_completion_rate": _num(m.digital_completion_rate),
                "counts": {"paper": _num(m.counts.paper), "seal": _num(m.counts.seal),
                           "in_person": _num(m.counts.in_person)},
                "resident": {"items_handwritten": _num(m.resident.items_handwritten),
                             "waiting_minutes": _num(m.resident.waiting_minutes),
                             "counters": m.resident.counters,
                             "visits": _num(m.resident.visits)},
            },
            "phases": [ph.to_dict() for ph in self.phases],
            "queues": [q.to_dict() for q in self.queues],
            "steps": [s.to_dict() for s in self.steps],
            "findings": [
                {**f.to_dict(lang), "annual_hours": _num(f.annual_hours)} for f in self.findings
            ],
            "findings_by_step": [
                {"rank": i, **e.to_dict(lang), "annual_hours": _num(e.annual_hours)}
                for i, e in enumerate(self.findings_by_step(), 1)
            ],
        }

    def to_frame(self) -> pd.DataFrame:
        """The steps as a pandas DataFrame, one row a step (pandas is imported here)."""
        try:
            import pandas as pd
        except ImportError as exc:
            raise ImportError("to_frame() needs pandas: pip install 'bprkit[notebook]'") from exc

        rows = [s.to_dict() for s in self.steps]
        codes: dict[str, list[str]] = {}
        for f in self.findings:
            if f.step:
                codes.setdefault(f.step, []).append(f.rule)
        for row in rows:
            row["findings"] = ", ".join(codes.get(str(row["id"]), []))
        return pd.DataFrame(rows).set_index("id")


def _num(value: float | None) -> float | None:
    """A figure for output: rounded, and never NaN or infinite."""
    if value is None or not math.isfinite(value):
        return None
    return round(value, 4)


def _figures(run: StepRun, per_year: float | None) -> StepFigures:
    span = run.step.span
    return StepFigures(
        id=run.id, label=run.step.title, lane=run.step.lane, kind=run.kind,
        executions=run.executions, minutes=run.minutes, wait=run.wait,
        annual_hours=(run.executions * run.minutes * per_year / 60
                      if per_year is not None else None),
        file=span.file if span else None, line=span.line if span else None,
    )


def analyze_process(process: Process, bundle: Bundle | None = None, *,
                    assumptions: Assumptions | None = None,
                    with_findings: bool = True) -> Analysis:
    """Analyse one checked process (its ``use``d processes come from ``bundle``).
    ``with_findings=False`` skips the findings (a diagram does not draw them)."""
    a = assumptions or default_assumptions()
    with collector.paused():
        expanded = graph_module.expand(process, bundle, a)
        figures = metrics_module.compute(expanded, a)
        found: list[Finding] = []
        if with_findings:
            from bprkit.analysis import findings as findings_module

            found = findings_module.find(expanded, figures, a)
        steps = tuple(_figures(r, figures.cases_per_year) for r in expanded.runs)
        return Analysis(process, expanded, figures, steps, tuple(found), bundle,
                        _phases(process, expanded, figures.cases_per_year),
                        _queues(expanded, a, figures.cases_per_year))


def _queues(expanded: ExpandedGraph, assumptions: Assumptions, cases_per_year: float | None
            ) -> tuple[QueueFigures, ...]:
    """Each queue of the runs (the first run of a step met twice)."""
    from bprkit.analysis.levers import queue_runs

    out = []
    seen: set[tuple[int, str]] = set()
    hours = assumptions.hours_per_day
    for q in queue_runs(expanded.runs, hours, assumptions.value("time.working_days_per_year")):
        run = expanded.runs[q.column]
        if (id(run.process), run.step.id) in seen:
            continue
        seen.add((id(run.process), run.step.id))
        s = q.solved
        b = s.busiest
        period = s.periods[b]
        day = next((w for w in s.when(b) if w != "peak"), "")  # when the day matters
        own, of = None, 0.0
        if cases_per_year:  # the procedure's own cases an hour, where most of the arrivals
            mine = [(m, p.per_hour) for m, p in zip(
                s.own_per_hour(cases_per_year * run.executions * run.cases_per_run, hours),
                s.periods, strict=True) if p.cases > 0 and p.per_hour > 0]
            most = max(mine, key=lambda x: x[0] / x[1], default=None)
            if most is not None and most[0] > most[1] * 1.01:  # past rounding
                own, of = most
        out.append(QueueFigures(run.id, run.step.title, s.wait, s.base_counters, s.inferred,
                                s.per_hour, s.service.minutes, day, period.peak,
                                period.per_hour, s.counters[b], s.period_wait(b),
                                s.busy(), s.busy(b), own, of))
    return tuple(out)


def phase_of_runs(process: Process, expanded: ExpandedGraph) -> dict[str, str]:
    """Run id → phase id: a run takes the phase of the statement of the process's
    own flow it comes from: its own step's, or its ``use``'s (also when the phase
    starts with that ``use``, or with a parallel block that holds it)."""
    if not process.phases:
        return {}
    by_item = process.phase_of_items()
    own = {sid: ph.id for sid, ph in process.phase_of_steps().items()}  # own step id → phase
    prefixes: dict[str, str] = {}  # a used process's run-id prefix (課長決裁.) → phase id
    uses = {id(u): ph.id for item, ph in zip(process.flow, by_item, strict=True)
            if ph is not None for u in iter_uses((item,))}
    if uses:
        # each use of the top process is one node of the expanded graph (#use1 …);
        # its edge into the callee names the prefix of the callee's runs
        fg = flow_module.build(process)
        for node, use in fg.uses.items():
            phase = uses.get(id(use))
            if phase is None or node not in expanded.digraph:
                continue
            for nxt in expanded.digraph.successors(node):
                if nxt.endswith(flow_module.START):
                    prefixes.setdefault(nxt[:-len(flow_module.START)], phase)
    out: dict[str, str] = {}
    for run in expanded.runs:
        if run.id in own:
            out[run.id] = own[run.id]
            continue
        head = run.id.split(".", 1)[0] + "."
        if head in prefixes:
            out[run.id] = prefixes[head]
    return out


def _phases(process: Process, expanded: ExpandedGraph,
            per_year: float | None) -> tuple[PhaseFigures, ...]:
    if not process.phases:
        return ()
    of = phase_of_runs(process, expanded)
    sums: dict[str, list[float]] = {ph.id: [0, 0.0, 0.0, 0.0] for ph in process.phases}
    for run in expanded.runs:
        phase = of.get(run.id)
        if phase is None:
            continue
        s = sums[phase]
        weight = expanded.lead_weights.get(run.id, 0.0)
        s[0] += 1
        if run.kind in STAFF_ROLES:
            s[1] += run.executions * run.minutes
        s[2] += weight * run.wait + expanded.lead_fixed.get(run.order, 0.0)
        s[3] += weight * (run.minutes + run.wait) + expanded.lead_fixed.get(run.order, 0.0)
    return tuple(PhaseFigures(ph.id, ph.title, int(sums[ph.id][0]), sums[ph.id][1],
                              sums[ph.id][1] * per_year / 60 if per_year else None,
                              sums[ph.id][2], sums[ph.id][3])
                 for ph in process.phases)
