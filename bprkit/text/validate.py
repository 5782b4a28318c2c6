"""Cross-reference and flow checks on a loaded file: collects every diagnostic,
mutates nothing.

``known_processes`` are the processes a ``use`` may call (the file's own and
those it imports); ``checked_together`` are the processes (by id) of every file
in the same check run, so a shared approval route is not asked for a volume when
its callers are checked with it, and a To-Be finds the As-Is it names (and its
``replaces`` lines are checked against it).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Collection, Iterator, Mapping
from functools import cache

from bprkit import units, vocabulary
from bprkit.errors import Diagnostic
from bprkit.model import Branch, FlowItem, Parallel, Process, SourceFile, Span, Step, Use
from bprkit.text import flow as flowgraph
from bprkit.text.source import SourceText
from bprkit.vocabulary import LABEL_CUES, LabelCue, suggest

MAX_PARALLEL_DEPTH = 16


class _Checker:
    def __init__(self, source: SourceText) -> None:
        self.source = source
        self.out: list[Diagnostic] = []
        self.tag_language: dict[str, bool] = {}
        """Process id → whether it writes its tags (else its roles) in Japanese."""

    def report(self, code: str, span: Span | None, **args: object) -> None:
        self.out.append(self.source.diagnostic(code, span, **args))

    def unknown(self, code: str, name: str, span: Span | None, known: Collection[str]) -> None:
        self.report(code, span, name=name, suggestion=suggest(name, known),
                    known=", ".join(sorted(known)[:12]) or "-")

    # ── the process ──
    def process(self, process: Process, known: Mapping[str, Process],
                checked_together: Collection[str], used: Collection[str]) -> None:
        steps = list(process.steps())
        if not steps:
            self.report("E036", process.span, name=process.id)
            return
        self.unique(process)
        depth, where = parallel_depth(process.flow)
        if depth > MAX_PARALLEL_DEPTH:
            self.report("E008", where, depth=depth, limit=MAX_PARALLEL_DEPTH)
            return
        lanes = {lane.id: lane for lane in process.lanes}
        names = {d.id for d in process.data}
        documents = {d.id for d in process.documents}
        for step in steps:
            self.step(step, lanes, names, documents)
            self.label(process, step)
        self.items(process, known)
        self.flow(process, known)
        self.lanes_used(process, steps)
        if process.volume is None and process.id not in used:
            self.report("W003", process.span, name=process.id)
        if process.state == "to_be":
            self.to_be(process, steps, known, checked_together)

    def items(self, process: Process, known: Mapping[str, Process]) -> None:
        """Branches, parallel blocks of one path, and uses of unknown processes."""
        for item in walk(process.flow):
            if isinstance(item, Branch):
                self.branch(item)
            elif isinstance(item, Parallel) and len(item.paths) < 2:
                self.report("W010", item.span)
            elif isinstance(item, Use) and item.process not in known:
                self.unknown("E026", item.process, item.span, known)

    def lanes_used(self, process: Process, steps: list[Step]) -> None:
        """W005: a lane no step runs in (or uses as its system)."""
        in_use = {s.lane for s in steps} | {s.system for s in steps if s.system}
        for lane in process.lanes:
            if lane.id not in in_use:
                self.report("W005", lane.span, name=lane.id)

    def to_be(self, process: Process, steps: list[Step], known: Mapping[str, Process],
              checked_together: Collection[str]) -> None:
        """A To-Be names its As-Is (``based_on``), which is loaded: imported or checked
        in the same run; then its ``replaces`` lines are checked against it."""
        if process.based_on is None:
            self.report("W007", process.span, name=process.id)
        elif process.based_on not in checked_together and process.based_on not in known:
            self.report("W008", process.positions.get("based_on", process.span),
                        name=process.based_on)
        else:  # the As-Is, imported or checked in the same run
            asis = known.get(process.based_on)
            if asis is None and isinstance(checked_together, Mapping):
                asis = checked_together.get(process.based_on)
            if asis is not None:
                self.replaces(steps, asis)

    def replaces(self, steps: list[Step], asis: Process) -> None:
        """``replaces`` names steps of the As-Is (when the As-Is is loaded)."""
        names = [s.id for s in asis.steps()]
        for step in steps:
            for i, name in enumerate(step.replaces):
                if name not in names:
                    self.report("W012", step.position(f"replaces:{i}"), name=name,
                                process=asis.id, known=", ".join(names[:12]) or "-")

    def unique(self, process: Process) -> None:
        def once(code: str, items: Iterator[tuple[str, Span | None]]) -> None:
            first: dict[str, Span | None] = {}
            for name, span in items:
                if name in first:
                    seen = first[name]
                    line = seen.line if seen else "?"
                    self.report(code, span, name=name, first=line)
                else:
                    first[name] = span
        once("E021", ((lane.id, lane.span) for lane in process.lanes))
        once("E022", ((s.id, s.span) for s in process.steps()))
        once("E023", itertools.chain(((d.id, d.span) for d in process.documents),
                                     ((d.id, d.span) for d in process.data)))

    def step(self, step: Step, lanes: Mapping, names: Collection[str],
             documents: Collection[str]) -> None:
        if step.lane not in lanes:
            self.unknown("E024", step.lane, step.position("lane"), lanes)
        if step.system is not None:
            lane = lanes.get(step.system)
            if lane is None:
                self.unknown("E029", step.system, step.position("system"),
                             [k for k, v in lanes.items() if v.role == "system"])
            elif lane.role != "system":
                self.report("W009", step.position("system"), name=step.system, role=lane.role)
        for key in ("reads", "writes"):
            for i, name in enumerate(getattr(step, key)):
                if name not in names:
                    self.unknown("E027", name, step.position(f"{key}:{i}"), names)
        for key in ("uses", "produces"):
            for i, name in enumerate(getattr(step, key)):
                if name not in documents:
                    self.unknown("E028", name, step.position(f"{key}:{i}"), documents)
        for retention in step.stores:
            for name in retention.documents:
                if name not in documents:
                    self.unknown("E028", name, retention.span, documents)
        if step.duration is None:
            self.report("W002", step.span, name=step.id)

    def queues(self, process: Process, graph: flowgraph.FlowGraph) -> None:
        """A queue has arrivals, a hands-on time (E081), and either counters or the
        wait observed (E078, E079), a wait a queue can have (E085); lines for the season
        need the volume's (E084). Warned: counters that cannot keep up (W015), a queue
        in a lane no counter serves (W016)."""
        for node, step in graph.steps.items():
            q = step.queue
            if q is None:
                continue
            counted = q.counters is not None or bool(q.counters_on)
            lane = next((ln for ln in process.lanes if ln.id == step.lane), None)
            if lane is not None and lane.role in ("resident", "system", "external"):
                self.report("W016", q.span, name=step.id, role=lane.role,
                            role_ja=vocabulary.japanese(vocabulary.ROLES, lane.role))
            if step.duration is None:
                self.report("E081", q.span, name=step.id)
            elif not counted and step.wait is None:
                self.report("E078", q.span, name=step.id)
            elif counted and step.wait is not None:
                self.report("E079", q.counters_span, name=step.id)
            elif q.peak and (process.volume is None or not process.volume.season_days):
                self.report("E084", next(x.span for x in (*q.arrivals_on, *q.counters_on)
                                         if x.peak), name=step.id)
            elif not counted and step.wait is not None:
                self.observed(step)
            else:
                self.overload(process, graph, node)

    def observed(self, step: Step) -> None:
        """E085: an observed wait a queue cannot have (none, or half a working day or
        more: a queue's mean wait is below that, docs/queues.md)."""
        from bprkit.text import queue

        if step.wait is None:
            return
        wait = step.wait.expected_minutes(units.DEFAULT_HOURS_PER_DAY)
        limit = queue.longest_wait(units.DEFAULT_HOURS_PER_DAY)
        if not 0 < wait < limit:
            self.report("E085", step.wait.span or step.span, name=step.id,
                        limit=f"{limit:g}", variant="" if wait > 0 else "none")

    def overload(self, process: Process, graph: flowgraph.FlowGraph, node: str) -> None:
        """W015: on the busiest day the counters cannot serve the arrivals (the wait is
        then taken as half a working day)."""
        from bprkit.text import queue

        solved = queue.solve(graph, node, units.DEFAULT_HOURS_PER_DAY, process.volume,
                             units.DEFAULT_WORKING_DAYS)
        q = graph.steps[node].queue
        if solved is None or q is None or not solved.overloaded:
            return
        b = solved.busiest
        when = solved.when(b)
        busiest = solved.periods[b]
        line = q.counters_line(busiest.day, busiest.peak)
        self.report("W015", line.span if line is not None else q.counters_span,
                    name=graph.steps[node].id, counters=f"{solved.counters[b]:g}",
                    when=" on " + ", ".join(when) if when else "",
                    when_ja="・".join(vocabulary.japanese(vocabulary.QUEUE_WHEN, w)
                                     for w in when) + "は" if when else "",
                    rate=f"{busiest.per_hour:.3g}", service=f"{solved.service.minutes:.3g}",
                    needed=queue.needed(solved), limit=f"{queue.longest_wait():g}")

    def branch(self, branch: Branch) -> None:
        elses = [c for c in branch.cases if c.is_else]
        total = sum(c.percent for c in branch.cases if c.percent is not None)
        if len(elses) > 1:
            self.report("E031", elses[1].span)
        if (not elses and abs(total - 100) > 1e-9) or (elses and total > 100 + 1e-9):
            self.report("E030", branch.span, total=f"{total:g}")
        elif elses and abs(total - 100) <= 1e-9:
            self.report("W006", elses[0].span)
        for case in branch.cases:
            if case.percent == 0:
                self.report("W011", case.span)

    def flow(self, process: Process, known: Collection[str] = ()) -> None:
        graph = flowgraph.build(process)
        to_use = False  # a jump to a used process: the steps it cut off are no news
        for problem in graph.problems:
            name = str(problem.args.get("name", ""))
            if problem.code == "E025" and name in known and self.used(process, name,
                                                                      problem.span):
                to_use = True
                continue
            if problem.code == "E025":
                self.unknown("E025", name, problem.span, [*graph.steps, "end"])
            else:
                self.report(problem.code, problem.span, **problem.args)
        self.queues(process, graph)
        reached = graph.reachable()
        leaving = graph.leading_to()
        trapped = []
        for step_id, step in graph.steps.items():
            if step_id not in reached:
                if not to_use:
                    self.report("W001", step.span, name=step_id)
            elif step_id not in leaving:
                trapped.append(step)
        if trapped and not graph.problems:
            names = " → ".join(s.id for s in trapped[:6]) + (" …" if len(trapped) > 6 else "")
            self.report("E033", trapped[0].span, steps=names)
        elif not graph.problems and len(graph.steps) == sum(1 for _ in process.steps()):
            self.loops(graph, reached)  # (a step defined twice is E022: one node, no chain)

    def loops(self, graph: flowgraph.FlowGraph, reached: Collection[str]) -> None:
        """E071: a loop that cases enter and that they leave only after more than
        MAX_LOOP_PASSES rounds on average, or never in the arithmetic the analysis
        does (a way out that rounds to 0 % beside shares that add up to 100 %). The
        same chain as the analysis (bprkit.analysis.graph): each block on its own, a parallel
        block one node. A loop no case enters (W001) is left alone: it gets no cases."""
        for entry, (_exit, members) in graph.blocks.items():
            edges = {n: ({graph.joins[n]: 1.0} if n in graph.forks else graph.edges.get(n, {}))
                     for n in members}
            loops = _cycles(members, edges)
            if not loops:
                continue
            before = _predecessors(members, edges)
            for loop in loops:
                if any(n in reached for n in loop):
                    self.loop(graph, loop, entry, edges, before, reached)

    def loop(self, graph: flowgraph.FlowGraph, loop: list[str], entry: str,
             edges: Mapping[str, Mapping[str, float]], before: Mapping[str, list[str]],
             reached: Collection[str]) -> None:
        """E071 for one loop that cases enter (at the block's entry, or from a reached
        node outside it), when its rounds are too many or cannot be computed."""
        inside = set(loop)
        entries = [v for v in loop if v == entry or any(
            u not in inside and u in reached for u in before.get(v, ()))]
        passes = loop_passes(loop, edges, entries)
        if passes is not None and passes <= MAX_LOOP_PASSES:
            return
        steps = [graph.steps[n] for n in loop if n in graph.steps]
        if not steps:
            return
        names = " → ".join(s.id for s in steps[:6]) + (" …" if len(steps) > 6 else "")
        self.report("E071", steps[0].span, steps=names, limit=f"{MAX_LOOP_PASSES:,}",
                    share=f"{100 / MAX_LOOP_PASSES:g}",
                    passes="-" if passes is None else f"{passes:,.0f}",
                    variant="endless" if passes is None else None)

    # ── labels and names a diagram can draw (E072, E073) ──
    def texts(self) -> None:
        """Every label (「…」 or "…", not an import's path) and name of the file: at
        most MAX_TEXT characters (E072), and no character reference (&#…;) to a
        character XML cannot hold (E073). Only lines that could hold one are read. A
        long name is reported once, where it first appears (its declaration, mostly)."""
        seen: set[str] = set()
        for number, line in enumerate(self.source.lines, 1):
            if len(line) <= MAX_TEXT and "&#" not in line:
                continue
            previous = ""
            for m in _PIECE.finditer(line):
                piece, kind = m.group(), m.lastgroup
                if kind == "label" and previous.lower() != "import":
                    self.label_text(number, m)
                elif kind == "word" and len(piece) > MAX_TEXT:
                    self.long_names(number, m, seen)
                if kind != "space":
                    previous = piece

    def label_text(self, number: int, m: re.Match[str]) -> None:
        """E072 for a label too long, E073 for each reference to a character XML
        cannot hold (line ``number``, the label matched by ``m``)."""
        piece, start = m.group(), m.start()
        text = _label_text(piece)
        if len(text) > MAX_TEXT:
            self.report("E072", Span(self.source.path, number, start + 1, number, m.end() + 1),
                        length=f"{len(text):,}", limit=MAX_TEXT)
        for ref in _CHAR_REF.finditer(piece):
            code = _code_point(ref)
            if code is None or not _xml_char(code):
                at = start + ref.start() + 1
                self.report("E073", Span(self.source.path, number, at, number,
                                         at + len(ref.group())),
                            ref=ref.group(),
                            char="> U+10FFFF" if code is None or code > 0x10FFFF
                            else f"U+{code:04X}")

    def long_names(self, number: int, m: re.Match[str], seen: set[str]) -> None:
        """E072 for each name too long in a word (@lane, a->b: the names in a word),
        once per name (``seen``)."""
        piece, start = m.group(), m.start()
        for part in _NAME.finditer(piece):
            name = part.group()
            if len(name) > MAX_TEXT and name not in seen and not _NUMBER.fullmatch(name):
                seen.add(name)
                at = start + part.start() + 1
                self.report("E072", Span(self.source.path, number, at, number, at + len(name)),
                            length=f"{len(name):,}", limit=MAX_TEXT, variant="name")

    def used(self, process: Process, name: str, span: Span | None) -> bool:
        """E057 when a branch case (or ->) names a process this one calls with use:
        where to branch instead (the step before the use line, or the one after)."""
        for items in blocks(process.flow):
            for i, item in enumerate(items):
                if isinstance(item, Use) and item.process == name:
                    prev, nxt = (items[i - 1] if i else None,
                                 items[i + 1] if i + 1 < len(items) else None)
                    before = prev if isinstance(prev, Step) else None
                    after = nxt if isinstance(nxt, Step) else None
                    jumper = next((st for st in process.steps() if st.target == name
                                   and st.position("target") == span), None)
                    # the step right before the use jumping to it: its flow already runs in
                    itself = before is not None and jumper is not None and jumper.id == before.id
                    self.report("E057", span, name=name,
                                line=item.span.line if item.span else "?",
                                before=before.id if before else "-",
                                after=after.id if after else "-",
                                variant="delete" if itself else "")
                    return True
        return False

    # ── what a label says and the tags do not (W014) ──
    def label(self, process: Process, step: Step) -> None:
        if not step.label:
            return
        tags, kind = set(step.tags), process.kind_of(step)
        missing = [(cue, word, at) for cue, word, at in label_cues(step.label)
                   if cue.tag not in tags and kind in cue.kinds and not tags & set(cue.moot)]
        if not missing or step.span is None:
            return
        japanese = self.japanese_tags(process, step)
        names = [vocabulary.japanese(vocabulary.TAGS, c.tag) if japanese else c.tag
                 for c, _, _ in missing]
        line, tag_list = self.with_tags(step, names)
        # the word in the label, which follows the step's name on its line
        text = self.source.line(step.span.line)
        _, word, at = missing[0]
        opened = re.compile(r"[ \t]*[「\"]").match(text, step.span.end_column - 1)
        start = opened.end() + at if opened else -1
        if text[start: start + len(word)] != word:  # an escape in a "…" label
            start = text.find(word, step.span.end_column - 1)
        span = Span(step.span.file, step.span.line, start + 1, step.span.line,
                    start + 1 + len(word)) if start >= 0 else step.span
        self.report(
            "W014", span, name=step.id, suggestion=tag_list, line=line,
            said=", ".join(f"'{w}'" for _, w, _ in missing),
            said_ja="".join(f"「{w}」" for _, w, _ in missing),
            tags=", ".join(f"{c.tag} ({vocabulary.japanese(vocabulary.TAGS, c.tag)})"
                           for c, _, _ in missing),
            tags_ja="・".join(vocabulary.japanese(vocabulary.TAGS, c.tag)
                             for c, _, _ in missing))

    def written(self, span: Span | None) -> str:
        if span is None:
            return ""
        return self.source.line(span.line)[span.column - 1: span.end_column - 1]

    def japanese_tags(self, process: Process, step: Step) -> bool:
        """Whether to name a tag in Japanese: as the step writes its tags, else as the
        process does, else as its lanes write their roles; Japanese when nothing says."""
        def votes(items: list[tuple[str, Span | None]]) -> int:
            n = 0
            for canonical, span in items:
                text = self.written(span)
                n += 1 if not text.isascii() else -1 if text.lower() == canonical else 0
            return n
        own = votes([(t, step.positions.get(f"tag:{i}")) for i, t in enumerate(step.tags)])
        if own:
            return own > 0
        if process.id not in self.tag_language:  # once per process, not once per step
            n = votes([(t, s.positions.get(f"tag:{i}")) for s in process.steps()
                       for i, t in enumerate(s.tags)]) or votes(
                [(lane.role, lane.role_span) for lane in process.lanes])
            self.tag_language[process.id] = n >= 0
        return self.tag_language[process.id]

    def with_tags(self, step: Step, names: list[str]) -> tuple[str, str]:
        """The step's header line with tags added (as the file writes it, comment
        aside), and its new tag list."""
        assert step.span is not None
        text = _code(self.source.line(step.span.line))
        if step.tags:
            spans = [step.positions.get(f"tag:{i}") for i in range(len(step.tags))]
            last = spans[-1]
            sep = ", "
            if len(spans) > 1 and spans[0] and spans[1]:
                sep = text[spans[0].end_column - 1: spans[1].column - 1] or sep
            at = last.end_column - 1 if last else len(text)
            text = text[:at] + "".join(sep + n for n in names) + text[at:]
            opened = text.rfind("[", 0, at) if "[" in text[:at] else text.rfind("［", 0, at)
            closed = re.search(r"[\]］]", text[at:])
            tag_list = text[opened: at + (closed.end() if closed else 0)] if opened >= 0 \
                else "[" + ", ".join(names) + "]"
        else:
            lane = step.position("lane")
            at = lane.end_column - 1 if lane else len(text)
            tag_list = "[" + ", ".join(names) + "]"
            empty = re.match(r"[ \t]*[\[［][ \t]*[\]］]", text[at:])
            rest = text[at + empty.end():] if empty else text[at:]
            text = text[:at] + " " + tag_list + rest
        return text.strip(), tag_list


MAX_LOOP_PASSES = 1_000_000
"""The most rounds a case may go round a loop on average (a way out of 0.0001 %):
past it the figures say nothing, and near it they cannot be computed."""

MAX_TEXT = 200
"""The longest label or name, in characters: a diagram draws it in one box, lane or
title line (Graphviz refuses a string of 16 KB; a lane's title is wrapped, not cut)."""

_PIECE = re.compile(r'(?P<label>"(?:[^"\\\n]|\\.)*"|「[^」\n]*」)|(?P<comment>#.*)'
                    r'|(?P<space>[\s;{}\[\],、]+)|(?P<word>[^\s;{}\[\],、"「#]+|["「])')
"""A line's labels, comments and words, as the lexer sees them."""
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
_NUMBER = re.compile(r"[0-9０-９,，.．%％]+")
_NAME = re.compile(r"(?:[^-@＠→－>＞]|-(?!>)|－(?!＞)|(?<!-)>|(?<!－)＞)+")
"""A word's parts between ``@``, ``->`` and ``→``."""


def _label_text(token: str) -> str:
    """A label's text, as the model holds it (escapes in "…" undone)."""
    if token.startswith("「"):
        return token[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)),
                  token[1:-1])


def _code_point(ref: re.Match[str]) -> int | None:
    digits = ref.group(1) or ref.group(2)
    if len(digits.lstrip("0")) > 12:  # past any code point (and int()'s digit limit)
        return None
    return int(digits, 16 if ref.group(1) else 10)


def _xml_char(code: int) -> bool:
    """Whether XML 1.0 can hold the character (its Char production)."""
    return (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF)


def _cycles(members: list[str], edges: Mapping[str, Mapping[str, float]]) -> list[list[str]]:
    """The strongly connected components of a block that hold a cycle (a self-loop or
    two nodes and more), each in the block's order; Tarjan's, without recursion."""
    inside = set(members)
    order = {n: i for i, n in enumerate(members)}
    nexts = {n: [v for v, p in edges.get(n, {}).items() if p > 0 and v in inside]
             for n in members}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in members:
        if root in index:
            continue
        work = [(root, iter(nexts[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, it = work[-1]
            child = next(it, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(nexts[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1 or node in nexts[node]:
                    found.append(sorted(component, key=order.__getitem__))
    return found


def _predecessors(members: list[str], edges: Mapping[str, Mapping[str, float]]
                  ) -> dict[str, list[str]]:
    """Each node's members with an edge into it (a share above 0)."""
    before: dict[str, list[str]] = {}
    for u in members:
        for v, p in edges[u].items():
            if p > 0:
                before.setdefault(v, []).append(u)
    return before


def loop_passes(loop: list[str], edges: Mapping[str, Mapping[str, float]],
                entries: list[str]) -> float | None:
    """The most times a case that enters the loop (through ``entries``, shared
    evenly) passes one of its nodes, on average: the largest entry of the loop's
    expected visits v = b + Pᵀv (the fundamental matrix of bprkit.analysis.graph, restricted to
    the loop). Sparse Gaussian elimination in the loop's order: the matrix I − Pᵀ of
    an absorbing chain keeps its pivots positive without pivoting. None when no
    number of rounds can be computed (a pivot that is not positive, a result that is
    not finite or is negative)."""
    rows, b = _loop_system(loop, edges, entries)
    if not _eliminate(rows, b):
        return None
    x = _back_substitute(rows, b)
    if not all(math.isfinite(v) and v >= -1e-9 for v in x):
        return None
    return max(x)


def _loop_system(loop: list[str], edges: Mapping[str, Mapping[str, float]],
                 entries: list[str]) -> tuple[list[dict[int, float]], list[float]]:
    """The sparse rows of I − Pᵀ (column → value) and the right-hand side b: one case
    entering, shared evenly by the entries (the loop's first node when none)."""
    index = {n: i for i, n in enumerate(loop)}
    rows: list[dict[int, float]] = [{i: 1.0} for i in range(len(loop))]
    b = [0.0] * len(loop)
    for e in entries or loop[:1]:
        b[index[e]] += 1.0 / max(len(entries), 1)
    for u in loop:
        for v, p in edges.get(u, {}).items():
            if p > 0 and v in index:
                row = rows[index[v]]
                row[index[u]] = row.get(index[u], 0.0) - p
    return rows, b


def _eliminate(rows: list[dict[int, float]], b: list[float]) -> bool:
    """Forward elimination in place, tracking the rows with an entry below each pivot
    (fill-in included). False at a pivot that is not positive."""
    below: list[set[int]] = [set() for _ in range(len(rows))]
    for i, row in enumerate(rows):
        for j in row:
            if j < i:
                below[j].add(i)
    for k in range(len(rows)):
        pivot = rows[k].get(k, 0.0)
        if not pivot > 0:
            return False
        for i in sorted(below[k]):
            factor = rows[i].pop(k, 0.0) / pivot
            if not factor:
                continue
            for j, a in rows[k].items():
                if j != k:
                    rows[i][j] = rows[i].get(j, 0.0) - factor * a
                    if j < i:
                        below[j].add(i)
            b[i] -= factor * b[k]
    return True


def _back_substitute(rows: list[dict[int, float]], b: list[float]) -> list[float]:
    x = [0.0] * len(rows)
    for k in range(len(rows) - 1, -1, -1):
        rest = sum(a * x[j] for j, a in rows[k].items() if j > k)
        x[k] = (b[k] - rest) / rows[k][k]
    return x


def _code(line: str) -> str:
    """A line without its comment (a # outside labels)."""
    bare = re.sub(r'"(?:[^"\\\n]|\\.)*"|「[^」\n]*」', lambda m: " " * len(m.group()), line)
    hash_at = bare.find("#")
    return (line[:hash_at] if hash_at >= 0 else line).rstrip()


@cache
def _unless(cue: LabelCue) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in cue.unless)) if cue.unless else None


def label_cues(label: str) -> list[tuple[LabelCue, str, int]]:
    """The cues a label holds: each with the word that says it and where (a word
    inside one of the cue's ``unless`` phrases says nothing)."""
    found = []
    for cue in LABEL_CUES:
        if not any(w in label for w in cue.words):
            continue
        unless = _unless(cue)
        bare = unless.sub(lambda m: "\0" * len(m.group()), label) if unless else label
        hits = [(bare.find(w), w) for w in cue.words if w in bare]
        if hits:
            at, word = min(hits)
            found.append((cue, word, at))
    return sorted(found, key=lambda f: f[2])


def blocks(items: tuple[FlowItem, ...]) -> Iterator[tuple[FlowItem, ...]]:
    """The process's own flow and every parallel path's items, each as one block."""
    stack = [items]
    while stack:
        block = stack.pop()
        yield block
        for item in block:
            if isinstance(item, Parallel):
                stack.extend(p.items for p in item.paths)


def walk(items: tuple[FlowItem, ...]) -> Iterator[FlowItem]:
    """Every flow item, depth first, parallel paths included."""
    stack = list(reversed(items))
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, Parallel):
            stack.extend(reversed([i for p in item.paths for i in p.items]))


def parallel_depth(items: tuple[FlowItem, ...]) -> tuple[int, Span | None]:
    """The deepest nesting of parallel blocks, and where it is reached."""
    deepest, where = 0, None
    stack: list[tuple[FlowItem, int]] = [(i, 0) for i in items]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Parallel):
            depth += 1
            if depth > deepest:
                deepest, where = depth, item.span
            stack.extend((i, depth) for p in item.paths for i in p.items)
    return deepest, where


def use_cycles(processes: Mapping[str, Process]) -> list[tuple[Process, Use, list[str]]]:
    """Each ``use`` that closes a cycle, with the chain of process ids."""
    calls = {pid: [i for i in walk(p.flow) if isinstance(i, Use)] for pid, p in processes.items()}
    found: list[tuple[Process, Use, list[str]]] = []
    state: dict[str, int] = {}
    for root in processes:
        if state.get(root):
            continue
        stack: list[tuple[str, Iterator[Use]]] = [(root, iter(calls[root]))]
        chain = [root]
        state[root] = 1  # 1: on the stack, 2: done
        while stack:
            pid, it = stack[-1]
            use = next(it, None)
            if use is None:
                state[pid] = 2
                stack.pop()
                chain.pop()
            elif use.process in processes:
                callee = use.process
                if state.get(callee) == 1:
                    loop = [*chain[chain.index(callee):], callee]
                    found.append((processes[pid], use, loop))
                elif not state.get(callee):
                    state[callee] = 1
                    chain.append(callee)
                    stack.append((callee, iter(calls[callee])))
    return found


def validate(
    file: SourceFile,
    source: SourceText,
    *,
    known: Mapping[str, Process],
    checked_together: Collection[str] = (),
    used: Collection[str] = (),
) -> list[Diagnostic]:
    """Every diagnostic of one file, given the processes it may ``use``."""
    checker = _Checker(source)
    if not file.processes:
        checker.report("E006", Span(source.path, 1, 1, 1, 1))
    checker.texts()
    for process in file.processes:
        checker.process(process, known, checked_together, used)
    own = {p.id for p in file.processes}
    cycles = use_cycles(known)
    for process, use, loop in cycles:
        if process.id in own:
            checker.report("E042", use.span, chain=" → ".join(loop))
    if not cycles:
        _, depths = expanded_sizes(known)
        for process in file.processes:
            deep = next((u for u in walk(process.flow) if isinstance(u, Use)
                         and depths.get(u.process, 0) >= MAX_USE_DEPTH), None)
            if deep is not None:
                checker.report("E051", deep.span, name=deep.process, process=process.id,
                               depth=depths[deep.process] + 1, limit=MAX_USE_DEPTH)
    return checker.out


MAX_USE_DEPTH = 100
"""The longest chain of processes using one another (p uses q uses r …)."""

MAX_EXPANDED_STEPS = 20_000
"""The most steps a diagram drawn with ``--expand`` may hold once every ``use`` is
inlined (a chain of processes each using the next twice doubles with every level).
The analysis has no such limit: past it, each used process is analysed once and
its figures multiply (bprkit.analysis.graph)."""


def expanded_sizes(processes: Mapping[str, Process]) -> tuple[dict[str, int], dict[str, int]]:
    """Step runs of each process once its ``use``s are inlined (each ``use`` line
    inlines its process once; ``x N`` repeats runs, it does not copy them), and the
    depth of its chain of uses (1 for a process that uses none). Iterative, callees
    first; no use cycles assumed."""
    calls = {pid: [i.process for i in walk(p.flow) if isinstance(i, Use)
                   and i.process in processes] for pid, p in processes.items()}
    size: dict[str, int] = {}
    depth: dict[str, int] = {}
    for root in processes:
        stack = [root]
        while stack:
            pid = stack[-1]
            if pid in size:
                stack.pop()
                continue
            todo = [c for c in calls[pid] if c not in size]
            if todo:
                stack.extend(todo)
                continue
            own = sum(1 for i in walk(processes[pid].flow) if isinstance(i, Step))
            size[pid] = min(own + sum(size[c] for c in calls[pid]), 10**12)
            depth[pid] = 1 + max((depth[c] for c in calls[pid]), default=0)
            stack.pop()
    return size, depth
