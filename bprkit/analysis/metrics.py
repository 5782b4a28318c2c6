"""Figures of one process from its expanded graph (estimation.md §2–3).

Every figure is per case unless its name says per year; per-year figures are
None when the process has no volume.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from bprkit import vocabulary
from bprkit.analysis.graph import (
    ExpandedGraph,
    StepRun,
    meets_resident,
    post_dominators,
    step_successors,
)
from bprkit.assumptions.catalog import Assumptions
from bprkit.model import KIND_TAGS, Volume


@dataclass(frozen=True)
class Counts:
    paper: float
    seal: float
    in_person: float


@dataclass(frozen=True)
class ResidentBurden:
    """書かない・待たない・回らない."""

    items_handwritten: float
    waiting_minutes: float
    counters: int
    visits: float


@dataclass(frozen=True)
class Metrics:
    staff_minutes_per_case: float
    staff_minutes_by_kind: dict[str, float]
    resident_minutes_per_case: float
    lead_time_hours: float
    """The lead time the resident lives: from the start until the resident has the
    outcome (see :func:`outcome_order`)."""
    lead_time_days: float
    waiting_share: float
    """The waiting part of that lead time."""
    cases_per_year: float | None
    annual_staff_hours: float | None
    fte: float | None
    annual_cost_yen: float | None
    annual_resident_hours: float | None
    handoffs: float
    approval_depth: int
    external_minutes_per_case: float
    """Time of external bodies (another office, a doctor): never added to staff or
    resident time."""
    annual_external_hours: float | None
    peak_cases_per_day: float | None
    """Cases a working day in the season (``volume … within N days``), else None."""
    peak_staff: float | None
    """Staff needed on a season's day (hands-on minutes of its cases over a working
    day), beside the yearly FTE; None without a season."""
    back_office_after_hours: float
    """Elapsed hours after the outcome (filing, storage): the office's, not the
    resident's."""
    digital_completion_rate: float
    counts: Counts
    resident: ResidentBurden

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _present(graph: ExpandedGraph, break_minutes: float) -> set[str]:
    """Nodes during which the resident is at the town hall: in-person steps, and
    the steps that follow them with no long wait (the resident waits at the
    counter while staff check and print). The greatest fixpoint of
    present(v) = meets_resident(v) or (wait(v) < break and every predecessor present)."""
    g = graph.digraph
    runs = {r.id: r for r in graph.runs}
    anchors = {r.id for r in graph.runs if meets_resident(r)}

    def forced_out(node: str) -> bool:
        run = runs.get(node)
        has_pred = any(d["flow"] > 0 for _, _, d in g.in_edges(node, data=True))
        return node == graph.start or not has_pred or (
            run is not None and run.wait >= break_minutes)

    absent = [n for n in g.nodes if n not in anchors and forced_out(n)]
    out = set(absent)
    while absent:  # absence flows forward until an in-person step stops it
        node = absent.pop()
        for _, nxt, d in g.out_edges(node, data=True):
            if d["flow"] > 0 and nxt not in anchors and nxt not in out:
                out.add(nxt)
                absent.append(nxt)
    return set(g.nodes) - out


def visit_starts(graph: ExpandedGraph, assumptions: Assumptions) -> dict[str, float]:
    """Expected visits per case that begin at each in-person step: the flow into it
    from a moment the resident is away, or all of it when the step itself waits a
    break or more (the resident went home and came back)."""
    break_minutes = assumptions.value("resident.visit_break_minutes")
    return dict(graph.remembered(("visit_starts", break_minutes),
                                 lambda: _visit_starts(graph, break_minutes)))


def _visit_starts(graph: ExpandedGraph, break_minutes: float) -> dict[str, float]:
    present = _present(graph, break_minutes)
    g = graph.digraph
    starts = {}
    for r in graph.runs:
        if meets_resident(r):
            flow = sum(d["flow"] for u, _, d in g.in_edges(r.id, data=True)
                       if u not in present or r.wait >= break_minutes)
            if flow:
                starts[r.id] = flow
    return starts


def compute(graph: ExpandedGraph, assumptions: Assumptions) -> Metrics:
    runs = graph.runs
    hours_per_day = assumptions.hours_per_day
    by_kind = _staff_by_kind(runs)
    staff = sum(by_kind.values())
    resident, burden = _resident(graph, assumptions)
    external = sum(r.executions * r.minutes for r in runs if r.kind == "external")
    volume = graph.process.volume
    per_year = _cases_per_year(volume, assumptions)

    def yearly(minutes: float) -> float | None:
        return per_year * minutes / 60 if per_year is not None else None

    annual = yearly(staff)
    peak_cases = volume.peak_per_day() if volume is not None and volume.count > 0 else None
    lead, lead_wait = resident_lead(graph)
    after = max(graph.lead_minutes - lead, 0.0)
    return Metrics(
        staff_minutes_per_case=staff,
        staff_minutes_by_kind=by_kind,
        resident_minutes_per_case=resident,
        lead_time_hours=lead / 60,
        lead_time_days=lead / (hours_per_day * 60),
        waiting_share=lead_wait / lead if lead > 0 else 0.0,
        cases_per_year=per_year,
        annual_staff_hours=annual,
        fte=(annual / assumptions.value("time.annual_hours_per_fte")
             if annual is not None else None),
        annual_cost_yen=annual * assumptions.value("cost.hourly_yen") if annual is not None
        else None,
        annual_resident_hours=yearly(resident),
        handoffs=handoffs(graph),
        approval_depth=approval_depth(graph),
        external_minutes_per_case=external,
        annual_external_hours=yearly(external),
        back_office_after_hours=after / 60,
        digital_completion_rate=_digital_rate(runs),
        counts=_counts(runs),
        resident=burden,
        peak_cases_per_day=peak_cases,
        peak_staff=(peak_cases * staff / 60 / hours_per_day
                    if peak_cases is not None else None),
    )


def _staff_by_kind(runs: Sequence[StepRun]) -> dict[str, float]:
    """Staff minutes per case by kind (counter, back_office, approval, storage)."""
    by_kind = {k: 0.0 for k in KIND_TAGS}
    for r in runs:
        if r.kind in by_kind:
            by_kind[r.kind] += r.executions * r.minutes
    return by_kind


def _resident(graph: ExpandedGraph, assumptions: Assumptions) -> tuple[float, ResidentBurden]:
    """The resident's minutes per case (own steps, travel to each visit, queueing at
    the counter) and burden (書かない・待たない・回らない)."""
    runs = graph.runs
    break_minutes = assumptions.value("resident.visit_break_minutes")
    visits = sum(visit_starts(graph, assumptions).values())
    # queueing at the counter; a wait of a break or more is time at home, not waiting
    in_person_wait = sum(r.executions * r.wait for r in runs if is_queue(r, break_minutes))
    resident_hands_on = sum(r.executions * r.minutes for r in runs if r.kind == "resident")
    travel = assumptions.value("resident.travel_minutes")
    resident = resident_hands_on + visits * travel + in_person_wait
    handwritten = sum(r.executions * len(r.step.writes) for r in runs
                      if r.kind == "resident" and "handwritten" in r.step.tags)
    counters = {r.lane_key for r in runs
                if meets_resident(r) and r.lane is not None and r.lane.role == "counter"
                and r.executions > 0}
    return resident, ResidentBurden(handwritten, in_person_wait, len(counters), visits)


def _cases_per_year(volume: Volume | None, assumptions: Assumptions) -> float | None:
    if volume is not None and volume.count > 0:
        return volume.per_year(working_days=assumptions.value("time.working_days_per_year"))
    return None


def _digital_rate(runs: Sequence[StepRun]) -> float:
    """The share of step executions with no paper, seal or visit."""
    total_exec = sum(r.executions for r in runs)
    digital = sum(r.executions for r in runs if not vocabulary.NOT_DIGITAL & set(r.step.tags))
    return digital / total_exec if total_exec > 0 else 0.0


def _counts(runs: Sequence[StepRun]) -> Counts:
    def touches(tag: str) -> float:
        return sum(r.executions for r in runs if tag in r.step.tags)

    return Counts(touches("paper"), touches("seal"), touches("in_person"))


def handoffs(graph: ExpandedGraph) -> float:
    """Expected lane changes per case between consecutive steps."""
    runs = {r.id: r for r in graph.runs}
    total = 0.0
    for src, targets in step_successors(graph).items():
        if src not in runs:
            continue
        for dst, f in targets.items():
            if dst in runs and runs[dst].lane_key != runs[src].lane_key:
                total += f
    return total


def approval_runs(graph: ExpandedGraph) -> list[list[StepRun]]:
    """Chains of consecutive approval steps along the flow (forward edges only,
    so a rework loop back to the drafter does not lengthen a chain)."""
    runs = {r.id: r for r in graph.runs}
    nexts = step_successors(graph)
    # the longest chain from each approval run, latest runs first (chains only go
    # forward in the order): a length and the next run, no recursion
    length: dict[str, int] = {}
    following: dict[str, str | None] = {}
    for run in sorted((r for r in graph.runs if r.kind == "approval"),
                      key=lambda r: r.order, reverse=True):
        best, after = 0, None
        for dst, f in nexts.get(run.id, {}).items():
            if f > 0 and dst in runs and runs[dst].kind == "approval" \
                    and runs[dst].order > run.order and length.get(dst, 0) > best:
                best, after = length[dst], dst
        length[run.id], following[run.id] = best + 1, after

    def chain(start: str) -> list[StepRun]:
        out = []
        node: str | None = start
        while node is not None:
            out.append(runs[node])
            node = following[node]
        return out

    starts = [r for r in graph.runs if r.kind == "approval" and r.executions > 0]
    chains = [chain(r.id) for r in sorted(starts, key=lambda r: r.order)]
    inner = {r.id for c in chains for r in c[1:]}
    return [c for c in chains if c[0].id not in inner]


def approval_depth(graph: ExpandedGraph) -> int:
    return max((len(c) for c in approval_runs(graph)), default=0)



def resident_lead(graph: ExpandedGraph) -> tuple[float, float]:
    """(lead, waiting) minutes per case until the resident has the outcome."""
    return graph.resident_lead_minutes, graph.resident_wait_minutes


def is_queue(run: StepRun, break_minutes: float) -> bool:
    """The step's own wait (its batch's aside) is a queue the resident stands in at
    the counter: a step with a queue, or an in-person step whose wait is shorter than
    the visit break."""
    if run.step.queue is not None:  # a counter's queue, however long (docs/queues.md)
        return True
    return meets_resident(run) and run.own_wait < break_minutes


def visit_groups(graph: ExpandedGraph, assumptions: Assumptions) -> dict[str, list[str]]:
    """Each visit start with the in-person steps every case of that visit passes:
    steps where the resident meets staff, reached from the start before another
    visit starts, that lie on every path from the start to the end (post-dominators:
    a rework branch taken by a few does not count). A visit is spared only where the
    resident need come for none of them."""
    key = ("visit_groups", assumptions.value("resident.visit_break_minutes"))
    made = graph.remembered(key, lambda: _visit_groups(graph, assumptions))
    return {start: list(members) for start, members in made.items()}


def _visit_groups(graph: ExpandedGraph, assumptions: Assumptions) -> dict[str, list[str]]:
    starts = visit_starts(graph, assumptions)
    runs = {r.id: r for r in graph.runs}
    nexts = step_successors(graph)
    groups: dict[str, list[str]] = {}
    for start in starts:
        always = post_dominators(graph, start)
        members, seen, todo = [start], {start}, [start]
        while todo:
            node = todo.pop()
            for dst, flow in nexts.get(node, {}).items():
                if flow <= 0 or dst in seen or dst not in runs or dst in starts:
                    continue
                seen.add(dst)
                todo.append(dst)
                if meets_resident(runs[dst]) and dst in always:
                    members.append(dst)
        groups[start] = members
    return groups
