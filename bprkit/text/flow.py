"""A process's flow as nodes and probability-weighted edges, in plain Python.

Steps run in the order written; ``-> X`` jumps; a ``branch`` splits the
outgoing flow of the item before it; a ``parallel`` block is a fork and a
join; ``use`` is one node. Validation uses this graph for reachability and
inescapable loops; the analysis (graph.py) builds its Markov chain from it.

Synthetic node ids start with ``#``, which no name can: ``#start``, ``#end``,
``#fork1``/``#join1`` for the first parallel block, ``#use1`` for the first use.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bprkit.model import END, Branch, Case, Parallel, Path, Process, Span, Step, Use

START, FINISH = "#start", "#end"


@dataclass(frozen=True, slots=True)
class Problem:
    """A flow mistake found while wiring; validate turns it into a diagnostic."""

    code: str
    span: Span | None
    args: dict[str, object]


@dataclass
class FlowGraph:
    nodes: list[str] = field(default_factory=list)
    edges: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    steps: dict[str, Step] = field(default_factory=dict)
    uses: dict[str, Use] = field(default_factory=dict)
    forks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """fork node → the entry node of each path."""
    joins: dict[str, str] = field(default_factory=dict)
    """fork node → its join node."""
    blocks: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    """A block (the process's own flow, or one path) by its entry node: its exit
    node and its own nodes (entry first; nested paths' nodes belong to them)."""
    branches: dict[str, Branch] = field(default_factory=dict)
    """A node → the branch that splits its outflow (diagrams draw it as a diamond)."""
    problems: list[Problem] = field(default_factory=list)

    def add_edge(self, src: str, dst: str, p: float) -> None:
        self.edges[src][dst] = self.edges[src].get(dst, 0.0) + p

    def successors(self, node: str) -> Iterable[str]:
        return (n for n, p in self.edges.get(node, {}).items() if p > 0)

    def reachable(self, origin: str = START) -> set[str]:
        return _search(origin, self.successors)

    def leading_to(self, target: str = FINISH) -> set[str]:
        backward: dict[str, list[str]] = defaultdict(list)
        for src, outs in self.edges.items():
            for dst, p in outs.items():
                if p > 0:
                    backward[dst].append(src)
        return _search(target, lambda n: backward.get(n, ()))


def _search(origin: str, nexts: Callable[[str], Iterable[str]]) -> set[str]:
    seen, todo = {origin}, [origin]
    while todo:
        for n in nexts(todo.pop()):
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen


class _Builder:
    def __init__(self, process: Process) -> None:
        self.g = FlowGraph()
        self.counter = 0
        self.all_steps = {s.id for s in process.steps()}

    def node(self, name: str) -> str:
        self.g.nodes.append(name)
        return name

    def synthetic(self, kind: str) -> str:
        self.counter += 1
        return self.node(f"#{kind}{self.counter}")

    def block(self, items: tuple, entry: str, exit_: str, scope: str) -> None:
        """Wire a sequence of flow items between ``entry`` and ``exit_``."""
        local = {i.id for i in items if isinstance(i, Step)}
        members = [entry]
        self.g.blocks[entry] = (exit_, members)
        pending: list[tuple[str, float]] = [(entry, 1.0)]
        jumped = False  # the previous step ended in -> X: a branch has nothing to split
        for item in items:
            if isinstance(item, Branch):
                if not pending:
                    reason, reason_ja = (("after a step with ->", "-> のあるステップの後") if jumped
                                         else ("after another branch", "別の分岐の後"))
                    self.g.problems.append(Problem("E032", item.span,
                                                   {"reason": reason, "reason_ja": reason_ja}))
                    continue
                for src, p in pending:
                    self.g.branches[src] = item
                    for case in item.cases:
                        dst = self.target(case.target, case.target_span, local, exit_, scope)
                        if dst:
                            self.g.add_edge(src, dst, p * case_share(item, case))
                pending = []
                continue
            head, tail = self.item(item, scope)
            members.extend((head,) if head == tail else (head, tail))
            for src, p in pending:
                self.g.add_edge(src, head, p)
            pending, jumped = [], False
            if isinstance(item, Step) and item.target is not None:
                dst = self.target(item.target, item.position("target"), local, exit_, scope)
                if dst:
                    self.g.add_edge(tail, dst, 1.0)
                jumped = True
            else:
                pending = [(tail, 1.0)]
        for src, p in pending:
            self.g.add_edge(src, exit_, p)

    def target(self, name: str, span: Span | None, local: set[str], exit_: str,
               scope: str) -> str | None:
        if name == END:
            if scope == "path":
                self.g.problems.append(Problem("E034", span, {"name": END, **_scope(scope)}))
                return None
            return exit_
        if name in local:
            return name
        if name in self.all_steps:
            self.g.problems.append(Problem("E034", span, {"name": name, **_scope(scope)}))
        else:
            self.g.problems.append(Problem("E025", span, {"name": name}))
        return None

    def item(self, item: Step | Parallel | Use, scope: str) -> tuple[str, str]:
        """Add one item; return its entry and exit node."""
        if isinstance(item, Step):
            if item.id not in self.g.steps:
                self.g.steps[item.id] = item
                self.node(item.id)
            return item.id, item.id
        if isinstance(item, Use):
            node = self.synthetic("use")
            self.g.uses[node] = item
            return node, node
        fork = self.synthetic("fork")
        join = self.synthetic("join")
        entries = []
        for path in item.paths:
            entries.append(self.path(path, join))
        self.g.forks[fork] = tuple(entries)
        self.g.joins[fork] = join
        for e in entries:
            self.g.add_edge(fork, e, 1.0)
        return fork, join

    def path(self, path: Path, join: str) -> str:
        entry = self.synthetic("path")
        self.block(path.items, entry, join, "path")
        return entry


def _scope(scope: str) -> dict[str, str]:
    return {"scope": scope, "scope_ja": {"path": "経路（path）", "process": "手続"}[scope]}


def case_share(branch: Branch, case: Case) -> float:
    """The probability of one case; else takes what the percentages leave."""
    if case.percent is not None:
        return case.percent / 100
    given = sum(c.percent for c in branch.cases if c.percent is not None)
    elses = sum(1 for c in branch.cases if c.percent is None)
    return max(0.0, 100 - given) / 100 / max(elses, 1)


def build(process: Process) -> FlowGraph:
    b = _Builder(process)
    b.node(START)
    b.block(process.flow, START, FINISH, "process")
    b.node(FINISH)
    return b.g
