"""Process → expanded flow graph with Markov executions and lead time.

The only module that imports networkx. A process's flow (bprkit.text.flow) is split
into blocks: the process's own sequence, and each path of a parallel block.
Jumps never cross a block's edge (E034), so each block is an absorbing Markov
chain of its own, from its entry to its exit. Its expected visits per entry
are the entry's row of the fundamental matrix N = (I − Q)⁻¹ (estimation.md §1),
solved one strongly connected component at a time in topological order, so a
5,000-step process needs no 5,000 × 5,000 matrix. A parallel block is one node
of its block: each path is entered as often as the block is, and the block's
time is that of its longest path. A ``use`` is one node too: the called
process runs ``x N`` times for each visit, its steps inlined with qualified
ids (``課長決裁.係長審査``; ``課長決裁[2].係長審査`` for its second use).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar, cast

import networkx as nx
import numpy as np

from bprkit.assumptions.catalog import Assumptions
from bprkit.errors import AnalysisError
from bprkit.messages import catalog as messages
from bprkit.model import (
    Batch,
    Bundle,
    Duration,
    Lane,
    Process,
    Step,
    resident_present,
    runs_per_year,
)
from bprkit.text import flow

if TYPE_CHECKING:
    from bprkit.analysis.levers import StepPlan


@dataclass(frozen=True)
class StepRun:
    """A step as it runs in the expanded process."""

    id: str
    """Qualified id: the step's id, prefixed by the ``use`` that inlines it."""
    step: Step
    process: Process
    """The process that defines the step."""
    lane: Lane | None
    kind: str | None
    executions: float
    """Expected executions per case of the top process."""
    minutes: float
    """Expected hands-on minutes of one execution."""
    wait: float
    """Expected wait before one execution, in minutes."""
    order: int
    """Position in the expanded flow, in source order."""
    batch_wait: float = 0.0
    """The part of ``wait`` spent waiting for the step's batch (``batch``)."""
    cases_per_run: float = 1.0
    """How many cases share one run of the step (its batch); executions × this is how
    often cases pass through the step."""
    batch_size: float = 1.0
    """How many cases a run of its batch gathers, shared or not (a lever's set-up per
    job is spread over them)."""

    @property
    def own_wait(self) -> float:
        """The step's own wait (as written, or its queue's), its batch's aside."""
        return self.wait - self.batch_wait

    @property
    def visits(self) -> float:
        """Expected passes of a case through the step, whatever its batch."""
        return self.executions * self.cases_per_run

    @property
    def lane_key(self) -> str:
        """The lane, qualified by the process that declares it."""
        return f"{self.process.id}:{self.step.lane}"


T = TypeVar("T")

@dataclass
class ExpandedGraph:
    """The expanded flow: step runs, and a DiGraph whose edges carry ``p`` (the
    branch probability) and ``flow`` (expected traversals per case)."""

    process: Process
    runs: list[StepRun] = field(default_factory=list)
    digraph: nx.DiGraph = field(default_factory=nx.DiGraph)
    lead_minutes: float = 0.0
    """Expected elapsed minutes from start to end (hands-on + waits)."""
    wait_minutes: float = 0.0
    """The part of the lead time that is waiting."""
    resident_lead_minutes: float = 0.0
    """The lead time the resident lives: from the start until the resident has the
    outcome (:func:`outcome_order`); the whole lead time when there is none."""
    resident_wait_minutes: float = 0.0
    """The waiting part of the resident's lead time."""
    resident_lead_weights: dict[str, float] = field(default_factory=dict)
    """Run id → how often its time (hands-on + wait) enters the resident's lead time
    per case: its visits, 0 on a parallel path shorter than another of its block, 0
    after the outcome."""
    resident_fixed_minutes: float = 0.0
    """Batch waits of ``use … batch`` on the resident's lead time."""
    lead_weights: dict[str, float] = field(default_factory=dict)
    """Run id → how often its time enters the whole lead time per case (as
    ``resident_lead_weights``, without the cut at the outcome)."""
    combined: bool = False
    """Whether used processes were analysed once each (a large expansion): their
    runs then carry the cases of every use, under the first use's id."""
    lead_fixed: dict[int, float] = field(default_factory=dict)
    """Batch waits of ``use … batch`` on the whole lead time, by the order of the
    run that follows them."""
    successors: dict[str, dict[str, float]] | None = field(default=None, init=False,
                                                           repr=False, compare=False)
    """:func:`step_successors`, once asked (the graph is not changed after
    :func:`expand`; the metrics ask three times). Not copied by ``replace``."""

    _index: dict[str, StepRun] = field(default_factory=dict, init=False, repr=False,
                                       compare=False)
    _indexed: int = field(default=0, init=False, repr=False, compare=False)
    memo: dict[tuple, tuple[int, Any]] = field(default_factory=dict, init=False, repr=False,
                                               compare=False)
    """Figures derived from the finished graph, kept by :func:`remembered`."""
    walk: _Expander | None = field(default=None, init=False, repr=False, compare=False)
    """The walk that made the graph: its blocks' plans and steps' facts, so
    :func:`retimed` walks the flow again for the lead figures alone."""

    def remembered(self, key: tuple, make: Callable[[], T]) -> T:
        """``make()``, computed once per graph and ``key`` (made again if runs were
        added since: a graph being expanded is not finished)."""
        kept = self.memo.get(key)
        if kept is None or kept[0] != len(self.runs):
            kept = self.memo[key] = (len(self.runs), make())
        return cast(T, kept[1])

    def lever_plans(self, assumptions: Assumptions,
                    allowed: Sequence[str] | None = None) -> list[StepPlan]:
        """:func:`bprkit.analysis.levers.plan_runs` of the runs, planned once per graph,
        assumptions and allowed levers (the findings and the estimate of one command ask
        for the same plans). A new list each call; the plans themselves are frozen."""
        from bprkit.analysis import levers

        # keyed by the assumptions' identity; the entry holds them, so the id stays theirs
        key = ("lever_plans", tuple(allowed) if allowed is not None else None, id(assumptions))
        _, plans = self.remembered(key, lambda: (assumptions, levers.plan_runs(
            self.runs, assumptions, allowed)))
        return list(plans)

    def run(self, qualified_id: str) -> StepRun | None:
        """The run of a qualified step id (the first, when a combined expansion repeats
        one), from an index built once the runs are all there (a scan per call made
        redesign quadratic in the findings)."""
        if self._indexed != len(self.runs):
            self._index = {}
            for r in self.runs:
                self._index.setdefault(r.id, r)
            self._indexed = len(self.runs)
        return self._index.get(qualified_id)

    @property
    def start(self) -> str:
        return flow.START

    @property
    def end(self) -> str:
        return flow.FINISH


OUTCOME_TAGS = frozenset({"issue", "notice"})


def meets_resident(run: StepRun) -> bool:
    """The resident is there for the run (model.resident_present)."""
    return resident_present(run.step, run.lane.role if run.lane else None)


def takes_part(run: StepRun) -> bool:
    """The resident takes part in the step: a resident lane, or in person at a counter."""
    return (run.lane is not None and run.lane.role == "resident") or meets_resident(run)


def outcome_order(graph: ExpandedGraph) -> int | None:
    """Where the resident has the outcome: the last step (in flow order) tagged
    ``issue`` (交付) or ``notice`` (通知), else the last step the resident takes part
    in. None when the resident never appears (an internal procedure): its lead time
    is the whole flow. Steps after it (filing, storage) are back-office time."""
    runs = [r for r in graph.runs if r.executions > 0]
    marked = [r.order for r in runs if OUTCOME_TAGS & set(r.step.tags)]
    if marked:
        return max(marked)
    present = [r.order for r in runs if takes_part(r)]
    return max(present) if present else None


def post_dominators(graph: ExpandedGraph, node: str) -> set[str]:
    """The nodes every path from ``node`` to the end passes through."""
    reverse = graph.digraph.reverse(copy=False)
    if graph.end not in reverse or node not in reverse:
        return set()
    idom = nx.immediate_dominators(reverse, graph.end)
    out: set[str] = set()
    while node in idom and idom[node] != node:
        node = idom[node]
        out.add(node)
    return out


Weight = tuple[int | None, float, float]
"""A lead-time weight: (run index, visits, 0) for a run, or (None, visits, minutes)
for the wait of a batched ``use``. A list of them is read in order: a batch wait
counts before the next run's entry (``lead_fixed``)."""


def _fold(weights: Sequence[Weight]) -> list[Weight]:
    """The same lead weights with one entry per run, in the order runs first appear,
    each run's batch waits folded into one ``(None, 1, minutes)`` right before it and
    the waits after the last run into one at the end: what a reader of the list sums
    (weights per run, waits per following run, all waits) is kept, its length is at
    most twice the runs. A combined expansion folds each used process's weights once,
    so a process that uses another twice does not double the list (a chain of
    processes each using the next twice would grow it as 2^depth)."""
    runs: dict[int, float] = {}
    fixed: dict[int, float] = {}
    pending = 0.0
    for index, weight, minutes in weights:
        if index is None:
            pending += weight * minutes
            continue
        runs[index] = runs.get(index, 0.0) + weight
        if pending:
            fixed[index] = fixed.get(index, 0.0) + pending
            pending = 0.0
    out: list[Weight] = []
    for index, weight in runs.items():
        if index in fixed:
            out.append((None, 1.0, fixed[index]))
        out.append((index, weight, 0.0))
    if pending:
        out.append((None, 1.0, pending))
    return out


class LoopError(AnalysisError, ValueError):
    """A block whose chain cannot be absorbed, or a use cycle (validation reports
    them first: E033, E071, E042). Said as a sentence naming the steps, never as
    the bare list of their ids."""

    def __init__(self, steps: str) -> None:
        self.steps = steps
        super().__init__(messages.text("en", "loop_error", steps=steps))

    def text(self, lang: str = "en") -> str:
        return messages.text(lang, "loop_error", steps=self.steps)


def visits(nodes: list[str], transitions: Mapping[str, Mapping[str, float]],
           entry: str) -> dict[str, float]:
    """Expected visits of each transient node per entry into the block.

    visits(v) = [v = entry] + Σ_u visits(u)·p(u, v): solved per strongly
    connected component in topological order, a small dense system each. A block
    without a loop (most) is one pass in topological order, without networkx.
    """
    acyclic = _visits_acyclic(nodes, transitions, entry)
    if acyclic is not None:
        return acyclic
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    inside = set(nodes)
    for u in nodes:
        for v, p in transitions.get(u, {}).items():
            if v in inside and p > 0:
                g.add_edge(u, v, p=p)
    inflow: dict[str, float] = defaultdict(float)
    inflow[entry] = 1.0
    result: dict[str, float] = {}
    condensed = nx.condensation(g)
    position = {n: i for i, n in enumerate(nodes)}
    for component in nx.topological_sort(condensed):
        # in the block's order, never a set's: the sums below then run in one order, and
        # the figures do not move in their last digits with PYTHONHASHSEED
        members = sorted(condensed.nodes[component]["members"], key=position.__getitem__)
        if len(members) == 1 and not g.has_edge(members[0], members[0]):
            solved = {members[0]: inflow[members[0]]}
        elif not any(inflow[n] for n in members):  # a loop no flow reaches (W001): no cases
            solved = {n: 0.0 for n in members}
        else:
            solved = _solve_loop(g, members, inflow)
        for u, x_u in solved.items():
            result[u] = x_u
            for v, data in g[u].items():
                if v not in solved:
                    inflow[v] += x_u * data["p"]
    return result


def _visits_acyclic(nodes: list[str], transitions: Mapping[str, Mapping[str, float]],
                    entry: str) -> dict[str, float] | None:
    """:func:`visits` of a block without a loop, or None when it has one: Kahn's
    topological order, ties in the block's order, so the sums run in one order."""
    inside = set(nodes)
    edges = {u: [(v, p) for v, p in transitions.get(u, {}).items() if v in inside and p > 0]
             for u in nodes}
    waiting = dict.fromkeys(nodes, 0)
    for out in edges.values():
        for v, _ in out:
            waiting[v] += 1
    position = {n: i for i, n in enumerate(nodes)}
    ready = [(i, n) for i, n in enumerate(nodes) if not waiting[n]]  # a heap by position
    inflow: dict[str, float] = defaultdict(float)
    inflow[entry] = 1.0
    result: dict[str, float] = {}
    while ready:
        _, u = heapq.heappop(ready)
        x_u = result[u] = inflow[u]
        for v, p in edges[u]:
            inflow[v] += x_u * p
            waiting[v] -= 1
            if not waiting[v]:
                heapq.heappush(ready, (position[v], v))
    return result if len(result) == len(nodes) else None


def _solve_loop(g: nx.DiGraph, members: list[str], inflow: Mapping[str, float]
                ) -> dict[str, float]:
    """The visits of a strongly connected component: x = (I − Q)⁻¹ b, with Q the
    transitions among its members and b the flow into each from outside. Raises
    LoopError when the chain cannot be absorbed."""
    index = {n: i for i, n in enumerate(members)}
    q = np.zeros((len(members), len(members)))
    for u in members:
        for v, data in g[u].items():
            if v in index:
                q[index[v], index[u]] += data["p"]
    b = np.array([inflow[n] for n in members])
    try:
        x = np.linalg.solve(np.eye(len(members)) - q, b)
    except np.linalg.LinAlgError as exc:
        raise LoopError(", ".join(sorted(members))) from exc
    if not np.all(np.isfinite(x)) or np.any(x < -1e-9):
        raise LoopError(", ".join(sorted(members)))
    return {n: max(float(x[index[n]]), 0.0) for n in members}


@dataclass
class _Instance:
    """The first use of a process in a combined expansion: its number (the owner of
    the runs and edges it added), where its runs are, how many cases it brought, and
    its lead time and lead weights per case."""

    number: int
    prefix: str
    entries: float
    lead: float
    wait: float
    weights: list[Weight]


COMBINE_ABOVE = 2_000
"""Expansions larger than this (in step runs) analyse each used process once."""

_Plan = tuple[str, list[str], dict[str, Mapping[str, float]], dict[str, float],
              dict[str, list[str]]]
"""A block of a process as :meth:`_Expander.plan` gives it."""


class _Expander:
    def __init__(self, bundle: Bundle | None, assumptions: Assumptions,
                 times: Mapping[str, tuple[float, float]] | None = None,
                 cutoff: int | None = None, combine: bool = False,
                 lead_only: bool = False) -> None:
        self.times = times or {}
        self.cutoff = cutoff
        """Runs (by flow order) after this one add nothing to the lead time: the
        resident's lead time ends at the outcome."""
        self.lead_only = lead_only
        """Walk the flow for the lead time, lead waits and lead weights only: no runs,
        nodes or edges are added (the resident's lead time, once the runs are known)."""
        self.count = 0
        """The runs walked so far: the order of the next one."""
        self.known = {p.id: p for p in bundle.processes} if bundle else {}
        self.hours_per_day = assumptions.hours_per_day
        self.uses_seen: dict[str, int] = defaultdict(int)
        self.graphs: dict[str, flow.FlowGraph] = {}
        self.plans: dict[tuple[str, str], _Plan] = {}
        self.facts: dict[tuple[str, str], tuple[Lane | None, str | None, float, float,
                                                float, float, float]] = {}
        self.working_days = assumptions.value("time.working_days_per_year")
        self.cases_per_year: float | None = None
        self.season: tuple[float, float, float] | None = None
        """(working days, share of cases, volume periods a year) of the top process's
        filing season (``volume … within N days``), or None."""
        self.combine = combine
        """Analyse each used process once: later uses add their cases to the first
        use's runs (their figures multiply) instead of being inlined again."""
        self.first: dict[str, _Instance] = {}
        self.owner = 0
        """The instance adding runs and edges (combined): 0 is the top process, then
        one per used process, its first use."""
        self.parents: list[int] = [-1]
        """Each instance's parent: the instance its first use is in."""
        self.repeats: list[list[tuple[int, float]]] = [[]]
        """Each instance's later uses: (the instance the use is in, cases it brings
        per case of the first use)."""
        self.finished: list[int] = []
        """Instances in the order their expansion ended: every instance a later use
        is in ends after the instance it uses."""
        self.run_owner: list[int] = []
        self.flows: dict[tuple[str, str], dict[int, float]] = {}
        """Each edge's flow by the instance that gave it (combined)."""

    def edge(self, g: nx.DiGraph, u: str, v: str, *, p: float, flow: float) -> None:
        """Add an edge of the expanded graph, or add flow to one already there. In a
        combined expansion the flow is kept by the instance that gives it, for
        :meth:`settle` to multiply by that instance's copies."""
        if not self.combine:
            if g.has_edge(u, v):
                g[u][v]["flow"] += flow
            else:
                g.add_edge(u, v, p=p, flow=flow)
            return
        shares = self.flows.get((u, v))
        if shares is None:
            g.add_edge(u, v, p=p, flow=flow)
            self.flows[(u, v)] = {self.owner: flow}
        else:
            shares[self.owner] = shares.get(self.owner, 0.0) + flow

    def settle(self, out: ExpandedGraph) -> None:
        """Count the later uses (combined). An instance's runs and edges were given the
        cases of its first use; its process runs as often again for every later use,
        each as often as the instance that use is in runs, and within its parent as
        often as the parent does: copies(i) = copies(parent) + Σ factor × copies(user).
        Callers end after what they use, so one pass in reverse order of ending
        settles all: linear in instances and uses, however the uses nest."""
        copies = [0.0] * len(self.parents)
        for i in (0, *reversed(self.finished)):
            total = copies[self.parents[i]] if i else 1.0
            for user, factor in self.repeats[i]:
                total += factor * copies[user]
            copies[i] = total
        out.runs[:] = [r if copies[o] == 1.0 else replace(r, executions=r.executions * copies[o])
                       for r, o in zip(out.runs, self.run_owner, strict=True)]
        g = out.digraph
        for (u, v), shares in self.flows.items():
            if len(shares) > 1 or any(copies[o] != 1.0 for o in shares):
                g[u][v]["flow"] = sum(amount * copies[o] for o, amount in shares.items())

    def batch(self, batch: Batch | None) -> tuple[float, float]:
        """(cases sharing one run, minutes a case waits for the batch): for N cases,
        (N − 1)/2 arrivals; for a period, half of it, but no more than half the season
        for the cases that arrive in one (a yearly batch after a 15-day filing season
        waits the season, not half a year); docs/estimate.md, "Batches". A batch whose
        work stays per case (``each``) shares nothing: its cases only wait."""
        if batch is None:
            return 1.0, 0.0
        day = self.hours_per_day * 60
        year = self.working_days * day
        season = self.season
        if batch.cases is not None:
            shared = batch.cases_per_run(self.cases_per_year, working_days=self.working_days)
            per_case = year / self.cases_per_year if self.cases_per_year else 0.0
            if season is not None and self.cases_per_year:  # denser in the season
                days, share, periods = season
                inside = days * day * periods  # working minutes a year in the season
                gap_in = inside / (self.cases_per_year * share) if share > 0 else 0.0
                gap_out = (max(year - inside, 0.0) / (self.cases_per_year * (1 - share))
                           if share < 1 else 0.0)
                per_case = share * gap_in + (1 - share) * gap_out
            return shared, (max(batch.cases, 1.0) - 1) / 2 * per_case
        period = batch.period or "month"
        runs = runs_per_year(period, self.working_days)
        length = year / runs
        wait = length / 2
        carrying = None
        if season is not None:
            days, share, periods = season
            wait = share * min(length, days * day) / 2 + (1 - share) * length / 2
            if share >= 1:  # only the runs in the season carry cases
                carrying = min(runs, max(1.0, days * day / length) * periods)
        shared = batch.cases_per_run(self.cases_per_year, working_days=self.working_days,
                                     runs=carrying)
        return shared, wait

    def gathered(self, batch: Batch) -> float:
        """Cases one run of a batch gathers even when their work is not shared (each)."""
        return self.batch(replace(batch, shared=True))[0]

    def flowgraph(self, process: Process) -> flow.FlowGraph:
        if process.id not in self.graphs:
            self.graphs[process.id] = flow.build(process)
        return self.graphs[process.id]

    def minutes(self, duration: Duration | None) -> float:
        return duration.expected_minutes(self.hours_per_day) if duration else 0.0

    def wait(self, process: Process, fg: flow.FlowGraph, node: str) -> float:
        """A step's own wait: as written, or its queue's (:mod:`bprkit.text.queue`)."""
        step = fg.steps[node]
        if step.queue is None:
            return self.minutes(step.wait)
        from bprkit.text import queue

        solved = queue.solve(fg, node, self.hours_per_day, process.volume, self.working_days)
        return solved.wait if solved is not None else 0.0

    def expand(self, out: ExpandedGraph, process: Process, prefix: str, entries: float,
               stack: tuple[str, ...]) -> tuple[float, float, list[Weight]]:
        """Add the process's runs and edges; return (lead, wait) minutes per entry and
        the lead weights of what was added."""
        if process.id in stack:
            raise LoopError(" → ".join((*stack, process.id)))
        fg = self.flowgraph(process)
        return self.block(out, process, fg, flow.START, prefix, entries, (*stack, process.id))

    def plan(self, process: Process, fg: flow.FlowGraph, entry: str) -> _Plan:
        """A block's exit, members, transitions, expected visits per entry and the
        members right before each node: they depend on the process alone, so they
        are computed once however often (and under whatever prefix) it is inlined."""
        key = (process.id, entry)
        if key not in self.plans:
            exit_, members = fg.blocks[entry]
            transitions: dict[str, Mapping[str, float]] = {
                n: ({fg.joins[n]: 1.0} if n in fg.forks else fg.edges.get(n, {}))
                for n in members}
            before: dict[str, list[str]] = defaultdict(list)
            for u in members:
                for dst in transitions[u]:
                    before[dst].append(u)
            self.plans[key] = (exit_, members, transitions, visits(members, transitions, entry),
                               before)
        return self.plans[key]

    def step_facts(self, process: Process, fg: flow.FlowGraph, node: str,
                   before: Mapping[str, Sequence[str]]
                   ) -> tuple[Lane | None, str | None, float, float, float, float, float]:
        """A step's lane, kind, cases per run, batch wait, minutes, wait (its batch's
        included) and cases its batch gathers: the same wherever it is inlined."""
        key = (process.id, node)
        if key not in self.facts:
            step = fg.steps[node]
            shared, batch_wait = self.batch(step.batch)
            if _gathered(step.batch, before.get(node, ()), fg):
                batch_wait = 0.0  # the batch arrives together: no second wait
            self.facts[key] = (
                process.lane(step.lane), process.kind_of(step), shared, batch_wait,
                self.minutes(step.duration), self.wait(process, fg, node) + batch_wait,
                shared if step.batch is None or step.batch.shared
                else self.gathered(step.batch))
        return self.facts[key]

    def block(self, out: ExpandedGraph, process: Process, fg: flow.FlowGraph, entry: str,
              prefix: str, entries: float, stack: tuple[str, ...]
              ) -> tuple[float, float, list[Weight]]:
        """Add a block's runs and edges (its parallel blocks and uses within); return
        (lead, wait) minutes per entry and the lead weights of what was added."""
        exit_, members, transitions, seen, before = self.plan(process, fg, entry)
        b = _Block(out, process, fg, prefix, entries, stack, transitions, before)
        if self.lead_only:
            for node in members:
                v = seen.get(node, 0.0)
                if node in fg.steps:
                    self.step_lead(b, node, v)
                elif node in fg.forks:
                    self.fork(b, node, v)
                elif node in fg.uses:
                    self.use(b, node, v)
            return b.lead, b.waited, b.weights
        g = out.digraph
        for node in members:
            v = seen.get(node, 0.0)
            name = prefix + node
            g.add_node(name, role=_role(node, fg))
            if node in fg.steps:
                self.step_run(b, node, v)
            elif node in fg.forks:
                self.fork(b, node, v)
                continue
            elif node in fg.uses:
                self.use(b, node, v)
                continue
            for dst, p in transitions[node].items():
                self.edge(g, name, prefix + dst, p=p, flow=entries * v * p)
        g.add_node(prefix + exit_, role=_role(exit_, fg))
        return b.lead, b.waited, b.weights

    def counted(self, out: ExpandedGraph) -> bool:
        """Whether what is added next counts in the lead time (not after the cutoff)."""
        return self.cutoff is None or self.count <= self.cutoff

    def step_run(self, b: _Block, node: str, v: float) -> None:
        """A step: its run, visited ``v`` times per entry of its block."""
        out, name = b.out, b.prefix + node
        lane, kind, shared, batch_wait, minutes, wait, size = self.step_facts(
            b.process, b.fg, node, b.before)
        if name in self.times:  # the estimate's To-Be: its wait holds the batch's
            minutes, wait = self.times[name]
        run = StepRun(name, b.fg.steps[node], b.process, lane, kind, v * b.entries / shared,
                      minutes, wait, self.count, batch_wait, shared, size)
        counted = self.counted(out)
        out.runs.append(run)
        self.count += 1
        if self.combine:
            self.run_owner.append(self.owner)
        if counted:
            b.weights.append((run.order, v, 0.0))
            b.lead += v * (run.minutes + run.wait)
            b.waited += v * run.wait

    def step_lead(self, b: _Block, node: str, v: float) -> None:
        """A step walked for the lead time only (:attr:`lead_only`): what
        :meth:`step_run` adds to the block's lead, without the run."""
        order = self.count
        counted = self.counted(b.out)
        self.count += 1
        if not counted:
            return
        name = b.prefix + node
        if name in self.times:
            minutes, wait = self.times[name]
        else:
            minutes, wait = self.step_facts(b.process, b.fg, node, b.before)[4:6]
        b.weights.append((order, v, 0.0))
        b.lead += v * (minutes + wait)
        b.waited += v * wait

    def fork(self, b: _Block, node: str, v: float) -> None:
        """A parallel block: every path entered as often as the block; its time is its
        longest path's."""
        paths = [self.block(b.out, b.process, b.fg, e, b.prefix, b.entries * v, b.stack)
                 for e in b.fg.forks[node]]
        if not self.lead_only:
            for e in b.fg.forks[node]:
                self.edge(b.out.digraph, b.prefix + node, b.prefix + e, p=1.0,
                          flow=b.entries * v)
        longest = max(paths, default=(0.0, 0.0, []), key=lambda p: p[0])
        b.lead += v * longest[0]
        b.waited += v * longest[1]
        b.weights += [(i, v * w, x) for i, w, x in longest[2]]

    def use(self, b: _Block, node: str, v: float) -> None:
        """A ``use``: the called process runs ``times`` for each visit, after its batch's
        wait; inlined, or (combined) its cases brought to its first use's runs."""
        use = b.fg.uses[node]
        callee = self.known.get(use.process)
        if callee is None:
            raise LoopError(f"unknown process {use.process}")
        times = use.times
        shared, batch_wait = self.batch(use.batch)
        if _gathered(use.batch, b.before.get(node, ()), b.fg):
            batch_wait = 0.0
        if batch_wait and self.counted(b.out):
            b.weights.append((None, v, batch_wait))  # before the callee's first step
            b.lead += v * batch_wait
            b.waited += v * batch_wait
        arriving = b.entries * v * times / shared
        first = self.first.get(callee.id) if self.combine else None
        if first is not None and (first.entries > 0 or not arriving):
            inner_prefix, callee_lead, callee_wait, inner_weights = self.reuse(
                b.out, first, arriving)
        else:
            inner_prefix, callee_lead, callee_wait, inner_weights = self.inline(
                b, callee, arriving)
        b.lead += v * times * callee_lead
        b.waited += v * times * callee_wait
        b.weights += [(i, v * times * w, x) for i, w, x in inner_weights]
        if not self.lead_only:
            self.use_edges(b, node, inner_prefix, v, times)

    def reuse(self, out: ExpandedGraph, first: _Instance, arriving: float
              ) -> tuple[str, float, float, list[Weight]]:
        """A later use of a process analysed once: it brings its cases to the first
        use's runs (settle counts them); a use no case reaches brings none, but its
        lead per entry is the same. Returns the first use's prefix, lead, wait and
        weights."""
        if arriving:
            self.repeats[first.number].append((self.owner, arriving / first.entries))
        if not self.counted(out):  # after the resident's outcome
            return first.prefix, 0.0, 0.0, []
        return first.prefix, first.lead, first.wait, first.weights

    def inline(self, b: _Block, callee: Process, arriving: float
               ) -> tuple[str, float, float, list[Weight]]:
        """Expand the called process under a prefix of its own (``課長決裁.``, then
        ``課長決裁[2].``); combined, as a new instance. Returns the prefix, lead, wait
        and weights."""
        self.uses_seen[callee.id] += 1
        k = self.uses_seen[callee.id]
        inner = f"{callee.id}." if k == 1 else f"{callee.id}[{k}]."
        inner_prefix = b.prefix + inner
        owner = self.owner
        if self.combine:
            self.owner = len(self.parents)
            self.parents.append(owner)
            self.repeats.append([])
        lead, wait, weights = self.expand(b.out, callee, inner_prefix, arriving, b.stack)
        if self.combine:
            weights = _fold(weights)  # once per used process
            self.first[callee.id] = _Instance(self.owner, inner_prefix, arriving, lead, wait,
                                              weights)
            self.finished.append(self.owner)
            self.owner = owner
        return inner_prefix, lead, wait, weights

    def use_edges(self, b: _Block, node: str, inner_prefix: str, v: float,
                  times: float) -> None:
        """Into the called process, round it again ``times − 1``, and on from its end."""
        g, entries = b.out.digraph, b.entries
        self.edge(g, b.prefix + node, inner_prefix + flow.START, p=1.0, flow=entries * v)
        if times > 1:
            self.edge(g, inner_prefix + flow.FINISH, inner_prefix + flow.START,
                      p=1.0, flow=entries * v * (times - 1))
        for dst, p in b.transitions[node].items():
            self.edge(g, inner_prefix + flow.FINISH, b.prefix + dst, p=p,
                      flow=entries * v * p)


@dataclass
class _Block:
    """A block being expanded: where its runs and edges go, and what it has added to
    the lead time per entry so far (minutes, the waiting part, the lead weights)."""

    out: ExpandedGraph
    process: Process
    fg: flow.FlowGraph
    prefix: str
    entries: float
    stack: tuple[str, ...]
    transitions: dict[str, Mapping[str, float]]
    before: dict[str, list[str]]
    lead: float = 0.0
    waited: float = 0.0
    weights: list[Weight] = field(default_factory=list)


def _gathered(batch: Batch | None, preceding: Sequence[str], fg: flow.FlowGraph) -> bool:
    """Whether the cases reach this batch already gathered in the same batch: every step
    right before it runs in a batch of the same size or period (the month's list goes
    from the drafter to the section chief to the director together, waiting once)."""
    if batch is None or not preceding:
        return False
    for node in preceding:
        step = fg.steps.get(node)
        other = step.batch if step is not None else None
        if other is None or (other.cases, other.period) != (batch.cases, batch.period):
            return False
    return True


def _season(process: Process, working_days: float) -> tuple[float, float, float] | None:
    """The filing season of a process's volume: (working days, share of the cases that
    arrive in it, volume periods a year)."""
    volume = process.volume
    if volume is None or not volume.season_days:
        return None
    return volume.season_days, volume.season_share, runs_per_year(volume.period, working_days)


def _role(node: str, fg: flow.FlowGraph) -> str:
    if node in fg.steps:
        return "step"
    if node == flow.START:
        return "start"
    if node == flow.FINISH:
        return "end"
    return node.lstrip("#").rstrip("0123456789")


def expand(process: Process, bundle: Bundle | None, assumptions: Assumptions, *,
           times: Mapping[str, tuple[float, float]] | None = None) -> ExpandedGraph:
    """The expanded graph of one process. ``times`` replaces the (minutes, wait) of
    step runs by qualified id (the estimate's To-Be). Raises LoopError for a chain
    that cannot be absorbed or a use cycle (validation reports both first)."""
    out = ExpandedGraph(process)
    from bprkit.text.validate import expanded_sizes

    known = {p.id: p for p in bundle.processes} if bundle else {}
    combine = expanded_sizes({**known, process.id: process})[0][process.id] > COMBINE_ABOVE
    out.combined = combine
    expander = _Expander(bundle, assumptions, times, combine=combine)
    if process.volume is not None and process.volume.count > 0:
        expander.cases_per_year = process.volume.per_year(working_days=expander.working_days)
        expander.season = _season(process, expander.working_days)
    out.lead_minutes, out.wait_minutes, weights = expander.expand(out, process, "", 1.0, ())
    if combine:
        expander.settle(out)
    out.walk = expander
    _lead_figures(out, weights, expander, bundle, assumptions, times)
    return out


def retimed(graph: ExpandedGraph, bundle: Bundle | None, assumptions: Assumptions,
            times: Mapping[str, tuple[float, float]]) -> ExpandedGraph:
    """:func:`expand` of the graph's process with ``times`` (the estimate's To-Be),
    from the graph already expanded: the runs, nodes and edges are the same, so only
    the runs' times are replaced and the lead figures walked again (a lead-only walk
    reusing the first walk's plans and facts). A combined expansion is expanded again.
    tests/test_analysis.py checks it equals ``expand(..., times=times)``."""
    first = graph.walk
    if first is None or graph.combined:
        return expand(graph.process, bundle, assumptions, times=times)
    runs = []
    for r in graph.runs:
        if r.id in times:
            minutes, wait = times[r.id]
            r = replace(r, minutes=minutes, wait=wait)
        runs.append(r)
    out = ExpandedGraph(graph.process, runs, graph.digraph, combined=graph.combined)
    walk = _Expander(bundle, assumptions, times, lead_only=True)
    walk.cases_per_year, walk.season = first.cases_per_year, first.season
    walk.graphs, walk.plans, walk.facts = first.graphs, first.plans, first.facts
    out.lead_minutes, out.wait_minutes, weights = walk.expand(out, graph.process, "", 1.0, ())
    out.walk = first
    _lead_figures(out, weights, first, bundle, assumptions, times)
    return out


def _lead_figures(out: ExpandedGraph, weights: list[tuple[int | None, float, float]],
                  first: _Expander, bundle: Bundle | None, assumptions: Assumptions,
                  times: Mapping[str, tuple[float, float]] | None) -> None:
    """The lead weights of the whole flow (``weights``: the walk's), and the resident's
    lead figures: the same walk again, cut at the outcome."""
    process = out.process
    combine = out.combined
    pending = 0.0
    for index, weight, minutes in weights:
        if index is None:
            pending += weight * minutes
            continue
        run_id = out.runs[index].id
        out.lead_weights[run_id] = out.lead_weights.get(run_id, 0.0) + weight
        if pending:
            out.lead_fixed[index] = out.lead_fixed.get(index, 0.0) + pending
            pending = 0.0
    stop = outcome_order(out)
    if stop is not None and stop < len(out.runs) - 1:  # the resident's lead ends earlier
        # the same walk again, cut at the outcome, for the lead time alone: the blocks'
        # plans and the steps' facts are the first walk's, and no run, node or edge is
        # made again (a second whole expansion doubled the expansion's time)
        again = _Expander(bundle, assumptions, times, cutoff=stop, combine=combine,
                          lead_only=True)
        again.cases_per_year = first.cases_per_year
        again.season = first.season
        again.graphs, again.plans, again.facts = first.graphs, first.plans, first.facts
        lead, waited, weights = again.expand(out, process, "", 1.0, ())
    else:
        lead, waited = out.lead_minutes, out.wait_minutes
    out.resident_lead_minutes, out.resident_wait_minutes = lead, waited
    for index, weight, minutes in weights:
        if index is None:
            out.resident_fixed_minutes += weight * minutes
        else:
            run_id = out.runs[index].id
            out.resident_lead_weights[run_id] = out.resident_lead_weights.get(run_id, 0.0) \
                + weight


def step_successors(graph: ExpandedGraph) -> dict[str, dict[str, float]]:
    """For each node, the step runs (or the end) that follow it, through any
    synthetic nodes, with the expected traversals per case. A fork passes its
    flow to every path; other synthetic nodes share theirs by their out-flows.
    Computed once per graph: read it, do not change it."""
    if graph.successors is not None:
        return graph.successors
    g = graph.digraph
    steps = {r.id for r in graph.runs}
    memo: dict[str, dict[str, float]] = {}
    out: dict[str, dict[str, float]] = {}
    for node in (*steps, graph.start):
        targets: dict[str, float] = defaultdict(float)
        for _, dst, d in g.out_edges(node, data=True):
            if dst in steps or not g.out_degree(dst):
                targets[dst] += d["flow"]
            else:
                for final, w in _onward(g, steps, memo, dst).items():
                    targets[final] += d["flow"] * w
        out[node] = dict(targets)
    graph.successors = out
    return out


def _onward(g: nx.DiGraph, steps: set[str], memo: dict[str, dict[str, float]],
            top: str) -> dict[str, float]:
    """Per unit of flow through a synthetic node: where it lands (``memo`` keeps what
    is known). Depth first with an explicit stack (a chain of hundreds of empty
    parallel blocks must not hit Python's recursion limit); a synthetic node already
    on the path is not entered again."""
    if top in memo:
        return memo[top]
    # a frame: the node, the (target, share) pairs left, its result so far, and
    # the share of the parent's flow that goes through it
    frames: list[tuple[str, list[tuple[str, float]], dict[str, float], float]] = []
    on_path: set[str] = set()

    def enter(node: str, share: float) -> None:
        outs = list(g.out_edges(node, data=True))
        total = sum(d["flow"] for _, _, d in outs)
        is_fork = g.nodes[node].get("role") == "fork"
        todo = [(dst, 1.0 if is_fork else (d["flow"] / total if total else 0.0))
                for _, dst, d in outs]
        frames.append((node, todo[::-1], defaultdict(float), share))
        on_path.add(node)

    enter(top, 1.0)
    while frames:
        node, todo, result, share_in_parent = frames[-1]
        descended = False
        while todo:
            dst, share = todo.pop()
            if dst in steps or not g.out_degree(dst):
                result[dst] += share
            elif dst in on_path:
                continue
            elif dst in memo:
                for final, w in memo[dst].items():
                    result[final] += share * w
            else:
                enter(dst, share)
                descended = True
                break
        if descended:
            continue
        memo[node] = dict(result)
        frames.pop()
        on_path.discard(node)
        if frames:
            parent = frames[-1][2]
            for final, w in memo[node].items():
                parent[final] += share_in_parent * w
    return memo[top]
