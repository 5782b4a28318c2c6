"""Scene: what a diagram shows, in the chosen language, before any geometry.

The flow comes from ``bprkit.text.flow`` (the one wiring of edges): its nodes become
the scene's steps, fork/join bars, shared-process boxes, start and end; a node
whose outflow a ``branch`` splits gets a diamond; a path's entry node is passed
through. Notes, pain points and the system a step works in become small nodes
attached to their step (drawn in the same column). An edge that goes back to a
node drawn earlier is rework. Nothing here knows about points or Graphviz.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from bprkit import units, vocabulary
from bprkit.analysis.records import Analysis
from bprkit.messages import catalog as messages
from bprkit.model import WHOSE, Batch, Bundle, Duration, Process, Step, Use, iter_steps, iter_uses
from bprkit.render import style
from bprkit.text import flow


class Options(NamedTuple):
    lang: str = "ja"
    direction: str = "LR"
    heat: bool | str = False
    """Colour steps by annual hours: "staff" (True), "resident" or "external"."""
    expand: bool = False
    paper: str | None = None


class Badge(NamedTuple):
    text: str
    colour: str
    solid: bool
    """Solid fill with white text (a strong step's flags); else pale fill, coloured text."""


@dataclass(eq=False)
class Node:
    key: str
    kind: str
    """step, start, end, branch, fork, join, use, point, note, pain, system."""
    lane: str
    title: str = ""
    time: str = ""
    badges: list[Badge] = field(default_factory=list)
    fill: str = "white"
    border: str = style.PLAIN_BORDER
    pen: float = 1.0
    dashed: bool = False
    strike: bool = False
    detail: str = ""
    """A second small line (compare: minutes before → after)."""
    anchor: str | None = None
    """For attached nodes (note, pain, system): the step they belong to."""
    phase: str | None = None
    """The phase (``phase`` line) the node stands in, if the process has phases."""
    ref: str = ""
    """What the node stands for in the model: the step's qualified id, or the used
    process's id (export formats read it)."""


class Edge(NamedTuple):
    src: str
    dst: str
    label: str = ""
    kind: str = "flow"
    """flow, rework (back to an earlier node), attach (note/system), repeat (use × N),
    merge (compare: a merged As-Is step to the To-Be step it went into)."""
    p: float | None = None
    """Out of a branch: the share of cases that take the edge."""


class Lane(NamedTuple):
    key: str
    title: str
    role: str


@dataclass(eq=False)
class Block:
    """One process drawn as lanes (compare draws two blocks)."""

    lanes: list[Lane] = field(default_factory=list)
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    match: dict[str, str] = field(default_factory=dict)
    """Compare: a To-Be node → the As-Is node it should line up with."""


class LegendItem(NamedTuple):
    symbol: str
    """badge, digital, strong, plain, rework, parallel, use, note, pain, system,
    heat, mark_removed, mark_changed, mark_added, mark_same."""
    text: str
    colour: str = ""


@dataclass(eq=False)
class Scene:
    lang: str
    direction: str
    title: str
    facts: list[str]
    blocks: list[Block]
    legend: list[LegendItem]
    phases: list[tuple[str, str]] = field(default_factory=list)
    """(id, title) of the phases drawn as bands across the lanes, in order."""


def duration_text(d: Duration | None, lang: str) -> str:
    """A duration as written: 5分, 3〜5分, 10〜15〜25分 (3-5 min in English)."""
    if d is None:
        return ""
    values = [d.low] + ([d.mode] if d.mode is not None else []) + (
        [d.high] if d.high != d.low else [])
    return units.duration_text(values, d.unit, lang)


_figure = units.figure


def lever_title(lever: str, lang: str) -> str:
    """A lever's name as the catalog gives it (書かない窓口, AI-OCR …)."""
    from bprkit.assumptions import catalog

    return catalog.default().lever_title(lever, lang)


def tag_name(tag: str, lang: str) -> str:
    return messages.text(lang, f"tag_{tag}")


class _Builder:
    def __init__(self, analysis: Analysis, bundle: Bundle | None, options: Options,
                 prefix: str, marks: dict[str, str], before: dict[str, str],
                 top: float | None = None) -> None:
        self.analysis, self.bundle, self.options = analysis, bundle, options
        self.prefix, self.marks, self.before = prefix, marks, before
        self.after: dict[str, str] = {}
        """Compare, As-Is side: a step → its minutes before → after, or the To-Be steps
        it was folded into."""
        self.waits: dict[str, str] = {}
        """A step's node → its wait, written on every edge into it."""
        self.wait_texts: dict[str, set[str]] = {}
        self.block = Block()
        self.used: set[str] = set()
        # whose hours the strong colour and the heat count: staff unless asked
        self.whose = options.heat if isinstance(options.heat, str) else "staff"
        self.hours = {s.id: s.annual_hours or 0.0 for s in analysis.steps
                      if WHOSE.get(s.kind or "") == self.whose}
        # the hours the darkest heat shade stands for (a To-Be shaded as its As-Is)
        self.top = max(self.hours.values(), default=0.0) if top is None else top
        drawn = {k: h for k, h in self.hours.items() if options.expand or "." not in k}
        self.strong = style.strong_steps(drawn)
        self.lane_keys: set[str] = set()
        self.counter = 0
        self.copies: dict[str, int] = {}
        # the phase of each statement of the top process's flow, found from its
        # steps (by id) and its uses (by identity): a phase may start with a use
        self.phase_of_step: dict[str, str] = {}
        self.phase_of_use: dict[int, str] = {}
        process = analysis.process
        for item, ph in zip(process.flow, process.phase_of_items(), strict=True):
            if ph is not None:
                self.phase_of_step.update((st.id, ph.id) for st in iter_steps((item,)))
                self.phase_of_use.update((id(u), ph.id) for u in iter_uses((item,)))
        self.compare = bool(marks)
        self.phase: str | None = None

    @property
    def lang(self) -> str:
        return self.options.lang

    def add_lanes(self, process: Process, qualifier: str, after: str | None = None) -> None:
        """The process's lanes, below the others; or, for a process ``--expand``
        draws inline, right after the caller's lane ``after`` that hands over to it
        (and before the lanes of anything expanded from there earlier)."""
        lanes = self.block.lanes
        at = next((n + 1 for n, lane in enumerate(lanes) if lane.key == after), len(lanes))
        for lane in process.lanes:
            key = f"{self.prefix}{qualifier}{lane.id}"
            if key in self.lane_keys:
                continue
            self.lane_keys.add(key)
            role = messages.text(self.lang, f"role_{lane.role}")
            title = (f"{qualifier.rstrip('.')}: " if qualifier else "") + lane.title
            lanes.insert(at, Lane(key, f"{title}（{role}）" if self.lang == "ja"
                                  else f"{title} ({role})", lane.role))
            at += 1

    def add(self, node: Node) -> str:
        if node.lane not in self.lane_keys:
            node.lane = self.block.lanes[0].key if self.block.lanes else ""
        if node.phase is None:
            anchor = self.block.nodes.get(node.anchor) if node.anchor else None
            node.phase = anchor.phase if anchor else self.phase
        self.block.nodes[node.key] = node
        return node.key

    def synthetic(self, kind: str, lane: str) -> str:
        self.counter += 1
        return self.add(Node(f"{self.prefix}{kind}{self.counter}", kind, lane))

    # ── steps ──
    def step(self, step: Step, process: Process, qualifier: str) -> str:
        run_id = f"{qualifier}{step.id}"
        if not qualifier and step.id in self.phase_of_step:
            self.phase = self.phase_of_step[step.id]
        colour = style.step_colour(step.tags)
        strong = run_id in self.strong and not self.options.heat and not self.compare
        node = Node(f"{self.prefix}s_{run_id}", "step", f"{self.prefix}{qualifier}{step.lane}",
                    title=step.title, time=duration_text(step.duration, self.lang),
                    ref=run_id)
        if step.batch is not None:  # shared: the time is the batch's; each: every case's
            node.time = self.batch_text(step.batch, node.time)
        for tag in step.tags:
            if tag in style.FLAG_COLOURS:
                self.used.add("flag:" + tag)
                node.badges.append(Badge(tag_name(tag, self.lang), style.tag_colour(tag),
                                         strong))
            elif tag in vocabulary.DIGITAL_TAGS:
                self.used.add("digital:" + tag)
                node.badges.append(Badge(tag_name(tag, self.lang), style.tag_colour(tag),
                                         False))
        if strong:
            self.used.add("strong")
            node.border, node.pen = colour or style.EDGE, 2.5
            node.fill = style.tint(colour or style.EDGE, 0.12)
        elif self.hours.get(run_id):
            self.used.add("plain")
        if self.options.heat and self.hours.get(run_id):  # only whose hours were asked
            node.fill = style.heat(self.hours[run_id], self.top)
            self.used.add("heat")
        mark = self.marks.get(run_id)
        if mark:
            self.mark(node, mark, step)
        key = self.add(node)
        for kind, texts in (("note", step.notes), ("pain", step.pains)):
            for text in texts:
                self.counter += 1
                self.used.add(kind)
                self.add(Node(f"{self.prefix}{kind}{self.counter}", kind, node.lane,
                              title=text, fill=style.STICKY[kind], anchor=key))
                self.block.edges.append(Edge(key, f"{self.prefix}{kind}{self.counter}",
                                             kind="attach"))
        system = process.lane(step.system) if step.system else None
        if system is not None:
            self.counter += 1
            self.used.add("system")
            marker = self.add(Node(f"{self.prefix}sys{self.counter}", "system",
                                   f"{self.prefix}{qualifier}{system.id}", title=system.title,
                                   fill=style.STICKY["system"], anchor=key))
            self.block.edges.append(Edge(key, marker, kind="attach"))
        return key

    def mark(self, node: Node, mark: str, step: Step | None,
             levers: Sequence[str] = ()) -> None:
        """A compare mark on a step's box, or on a ``use`` box (``step`` None: the
        levers of the called To-Be's steps get badges)."""
        self.used.add("mark_" + mark)
        colour = style.MARKS[mark]
        if mark == "same":
            node.border, node.pen, node.fill = colour, 1.0, "#f8f9f9"
            node.badges = [Badge(b.text, style.MARKS["same"], False) for b in node.badges]
            return
        node.badges.insert(0, Badge(messages.text(self.lang, "mark_" + mark), colour, True))
        node.border, node.pen = colour, 3.0
        node.dashed = node.strike = mark in ("removed", "merged")
        if step is None:
            self.badge_levers(node, levers)
            return
        before = self.before.get(step.id)
        if mark == "changed" and before:
            node.detail = before if before.startswith(("置き換え", "replaces")) \
                else f"{before} → {node.time}"
        elif step.id in self.after:  # As-Is: where the step went
            node.detail = self.after[step.id]
        if self.before or mark == "added":  # the To-Be: a badge for each lever it names
            self.badge_levers(node, step.levers or ())

    def badge_levers(self, node: Node, levers: Iterable[str]) -> None:
        shown = {b.text for b in node.badges}
        for lever in levers:
            title = lever_title(lever, self.lang)
            if title not in shown:  # RPA the lever beside RPA the tag: once
                node.badges.append(Badge(title, style.LEVER, False))
                shown.add(title)
                self.used.add("lever")

    # ── flow ──
    def process(self, process: Process, qualifier: str) -> tuple[str, str]:
        """The nodes and edges of one process's flow; its entry and exit nodes."""
        g = flow.build(process)
        first = f"{self.prefix}{qualifier}{process.lanes[0].id}" if process.lanes else ""
        steps = list(process.steps())
        last = f"{self.prefix}{qualifier}{steps[-1].lane}" if steps else first
        node_of: dict[str, tuple[str, str]] = {}  # flow node → (entry, exit) in the scene
        lane_of: dict[str, str] = {}
        preds: dict[str, list[str]] = {}
        for src, outs in g.edges.items():
            for dst in outs:
                preds.setdefault(dst, []).append(src)
        fork_of = {join: fork for fork, join in g.joins.items()}
        for name in g.nodes:
            lane = next((lane_of[p] for p in preds.get(name, ()) if p in lane_of), first)
            if name in fork_of:  # a join stands in its fork's lane
                lane = lane_of.get(fork_of[name], lane)
            if qualifier and name in (flow.START, flow.FINISH):
                self.used.add("bounds")
            node_of[name] = self.flow_node(g, name, process, qualifier, lane,
                                           first if name == flow.START else last)
            exit_ = node_of[name][1]
            lane_of[name] = self.block.nodes[exit_].lane if exit_ else lane
        self.wire(g, node_of, lane_of)
        return node_of[flow.START][0], node_of[flow.FINISH][1]

    def flow_node(self, g: flow.FlowGraph, name: str, process: Process, qualifier: str,
                  lane: str, bound_lane: str) -> tuple[str, str]:
        """The scene's (entry, exit) nodes of a flow node: the start or end (in
        ``bound_lane``; a point inside a used process), a step, a use, a fork or join
        (in ``lane``), or ("", "") for a path's entry (passed through unless a branch
        splits it)."""
        if name in (flow.START, flow.FINISH):
            kind = "point" if qualifier else "start" if name == flow.START else "end"
            key = self.synthetic(kind, bound_lane)
        elif name in g.steps:
            key = self.step(g.steps[name], process, qualifier)
        elif name in g.uses:
            return self.use(g.uses[name], process, qualifier, lane)
        elif name.startswith("#fork") or name.startswith("#join"):
            key = self.synthetic(name[1:5], lane)
            self.used.add("parallel")
        else:
            return "", ""
        return key, key

    def wire(self, g: flow.FlowGraph, node_of: dict[str, tuple[str, str]],
             lane_of: dict[str, str]) -> None:
        def entries(name: str) -> list[str]:
            """Scene entry nodes of a flow node (a passed-through path: its successors)."""
            if node_of[name][0]:
                return [node_of[name][0]]
            return [e for nxt in g.successors(name) for e in entries(nxt)]

        for src in g.nodes:
            outs = {d: p for d, p in g.edges.get(src, {}).items() if p > 0}
            tail = node_of[src][1]
            if src in g.branches:
                branch = g.branches[src]
                source = self.block.nodes.get(tail) if tail else None
                diamond = self.add(Node(f"{tail or src}#b", "branch",
                                        lane_of.get(src, ""), title=branch.label or "",
                                        phase=source.phase if source else None))
                if tail:
                    self.connect(tail, diamond, "")
                else:  # a branch first in a path: the fork feeds the diamond
                    node_of[src] = (diamond, diamond)
                for dst, p in outs.items():
                    for target in entries(dst):
                        self.connect(diamond, target, f"{p * 100:g}%", p)
                continue
            if not tail:
                continue
            for dst in outs:
                for target in entries(dst):
                    self.connect(tail, target, "")

    def connect(self, src: str, dst: str, label: str, p: float | None = None) -> None:
        parts = [label] if label else []
        wait = self.waits.get(dst)
        if wait:
            text = messages.text(self.lang, "diagram_wait", time=wait)
            self.wait_texts.setdefault(dst, set()).add(text)
            parts.append(text)
        self.block.edges.append(Edge(src, dst, "\n".join(parts), p=p))

    def batch_text(self, b: Batch, time: str) -> str:
        """A time with its batch: 「10分（月 1 回）」, or 「…（1 日 1 回まとめて、1 件ずつ）」."""
        every = (messages.text(self.lang, "diagram_batch_cases", cases=f"{b.cases:g}")
                 if b.cases is not None else
                 messages.text(self.lang, "diagram_batch_" + str(b.period)))
        return messages.text(self.lang, "diagram_batch" if b.shared else "diagram_batch_each",
                             time=time, batch=every)

    def use(self, use: Use, caller: Process, qualifier: str, lane: str) -> tuple[str, str]:
        if not qualifier and id(use) in self.phase_of_use:  # a phase may start here
            self.phase = self.phase_of_use[id(use)]
        callee = self.bundle.process(use.process) if self.bundle else None
        times = self.times_text(use.times)
        if self.options.expand and callee is not None:
            k = self.copies[callee.id] = self.copies.get(callee.id, 0) + 1
            inner = f"{qualifier}{callee.id}." if k == 1 else f"{qualifier}{callee.id}[{k}]."
            self.add_lanes(callee, inner, after=lane)
            self.note_waits(callee, inner)
            entry, exit_ = self.process(callee, inner)
            if times:
                self.block.edges.append(Edge(exit_, entry, times, "repeat"))
            return entry, exit_
        self.used.add("use")
        self.counter += 1
        if callee is not None:
            lane = self.use_lane(callee, caller, qualifier, lane)
        title = callee.title if callee else use.process
        # a redesigned callee is named as the process it redesigns (課長決裁, not 課長決裁_tobe)
        shown = callee.based_on if callee is not None and callee.state == "to_be" and \
            callee.based_on else use.process
        # a batched use says so: the wait before it is often the longest of the flow
        title_line = f"▶ {shown} {times}".rstrip()
        if use.batch is not None:
            title_line = self.batch_text(use.batch, title_line)
        node = Node(f"{self.prefix}u{self.counter}", "use", lane, title=title_line,
                    detail=title, fill="#eaf2f8", ref=use.process)
        mark = self.marks.get(USE_MARK + use.process)
        if mark:  # compare: the called process as a whole, its levers on the To-Be side
            levers = [lever for step in (callee.steps() if callee is not None else ())
                      for lever in step.levers or ()] if self.before else []
            self.mark(node, mark, None, levers)
        key = self.add(node)
        return key, key

    def times_text(self, times: float) -> str:
        """How often a ``use`` runs, as participants read it: 「×2」 for a repeat, 「2% の
        案件」 for a share of cases (``use 専決 x 0.017``), nothing for once."""
        if times == 1:
            return ""
        if times < 1:
            return messages.text(self.lang, "diagram_use_share", share=f"{times * 100:.2g}")
        return f"×{times:g}"

    def use_lane(self, callee: Process, caller: Process, qualifier: str, lane: str) -> str:
        """The lane a ``use`` box stands in: the caller's lane of the called process's
        first step (the same lane, else the lane it came from if of the same role,
        else the caller's first lane of that role); without one, a lane of its own
        for that step's lane."""
        first = next(callee.steps(), None)
        if first is None:
            return lane
        theirs = next((ln for ln in callee.lanes if ln.id == first.lane), None)
        if theirs is None:
            return lane
        ours = {f"{self.prefix}{qualifier}{ln.id}": ln for ln in caller.lanes}
        same = f"{self.prefix}{qualifier}{theirs.id}"
        if same in ours and ours[same].role == theirs.role:
            return same
        if lane in ours and ours[lane].role == theirs.role:
            return lane
        for key, ln in ours.items():
            if ln.role == theirs.role:
                return key
        key = f"{self.prefix}{qualifier}{callee.id}.{theirs.id}"
        if key not in self.lane_keys:
            self.lane_keys.add(key)
            role = messages.text(self.lang, f"role_{theirs.role}")
            self.block.lanes.append(Lane(key, f"{theirs.title}（{role}）" if self.lang == "ja"
                                         else f"{theirs.title} ({role})", theirs.role))
        return key

    def note_waits(self, process: Process, qualifier: str) -> None:
        """The wait written on the edge into each step: as written, or its queue's (the
        wait the counters give, with the counters and arrivals it follows from)."""
        for step in process.steps():
            key = f"{self.prefix}s_{qualifier}{step.id}"
            run = self.analysis.graph.run(f"{qualifier}{step.id}")
            if step.queue is not None and run is not None:
                wait = run.own_wait
                wait = round(wait, 1) if wait < 10 else round(wait)  # 0.0023分 reads as 0分
                self.waits[key] = messages.text(
                    self.lang, ("diagram_queue" if step.queue.counters is not None
                                else "diagram_queue_observed")
                    + ("_varies" if step.queue.varies else ""),
                    time=units.duration_text([wait], "min", self.lang),
                    counters=_figure(step.queue.counters or 0),
                    rate=_figure(step.queue.rate),
                    period=messages.text(self.lang, f"queue_per_{step.queue.period}"))
            elif step.wait is not None:
                self.waits[key] = duration_text(step.wait, self.lang)


def _block(analysis: Analysis, bundle: Bundle | None, options: Options, prefix: str,
           marks: dict[str, str], before: dict[str, str] | None = None,
           top: float | None = None, after: dict[str, str] | None = None) -> _Builder:
    b = _Builder(analysis, bundle, options, prefix, marks, before or {}, top)
    b.after = after or {}
    b.add_lanes(analysis.process, "")
    b.note_waits(analysis.process, "")
    b.process(analysis.process, "")
    _mark_rework(b)
    return b


def _mark_rework(b: _Builder) -> None:
    """An edge back to a step written before its source (in the order of the file)
    is rework, drawn red and dashed, and carries no wait (the wait is on the edge
    that enters the step the first time). A branch's diamond stands where its
    source step is."""
    block = b.block
    order: dict[str, float] = {key: n for n, key in enumerate(block.nodes)}
    # each node's edges out, found once (a scan of every edge per diamond was quadratic)
    outs: dict[str, list[str]] = {}
    for e in block.edges:
        outs.setdefault(e.src, []).append(e.dst)
    for key, node in block.nodes.items():
        if node.kind == "branch":
            source = key[:-2]
            targets = [order[dst] for dst in outs.get(key, ()) if dst in order]
            order[key] = order[source] + 0.5 if source in order else min(targets, default=0) - 0.5
    edges = []
    for e in block.edges:
        dst = block.nodes[e.dst]
        if e.kind == "flow" and dst.kind in ("step", "use") and order[e.dst] <= order[e.src]:
            b.used.add("rework")
            label = "\n".join(line for line in e.label.split("\n") if line not in
                              b.wait_texts.get(e.dst, ()))
            edges.append(Edge(e.src, e.dst, label, "rework", e.p))
        else:
            edges.append(e)
    block.edges = _one_wait_each(edges, b.wait_texts)


def _one_wait_each(edges: list[Edge], wait_texts: dict[str, set[str]]) -> list[Edge]:
    """A step's wait written once: on the first flow edge into it, not again on the
    other edges of a merge (two identical 「待ち 1週」 side by side)."""
    said: set[str] = set()
    out = []
    for e in edges:
        waits = wait_texts.get(e.dst, ())
        if e.kind == "flow" and waits:
            if e.dst in said:
                e = e._replace(label="\n".join(line for line in e.label.split("\n")
                                               if line not in waits))
            said.add(e.dst)
        out.append(e)
    return out


def _facts(analysis: Analysis, lang: str) -> list[str]:
    p, m = analysis.process, analysis.metrics
    t = messages.text
    facts = []
    if p.owner:
        facts.append(t(lang, "diagram_owner", owner=p.owner))
    if m.cases_per_year is not None:
        facts.append(t(lang, "diagram_volume", cases=f"{m.cases_per_year:,.0f}"))
        if p.volume is not None and p.volume.season_days is not None:
            facts.append(t(lang, "diagram_season", days=f"{p.volume.season_days:g}",
                           share=f"{p.volume.season_share * 100:g}%"))
        facts.append(t(lang, "diagram_hours", hours=f"{m.annual_staff_hours:,.0f}"))
    facts.append(_lead(analysis, lang))
    if m.resident.visits > 0:
        facts.append(t(lang, "diagram_visits", visits=f"{m.resident.visits:.1f}"))
    return facts


def _lead(analysis: Analysis, lang: str) -> str:
    return messages.text(lang, "diagram_lead", value=_lead_value(analysis, lang))


def _lead_value(analysis: Analysis, lang: str) -> str:
    m = analysis.metrics
    if m.lead_time_days >= 1:
        return messages.text(lang, "diagram_days", days=f"{m.lead_time_days:.1f}")
    return messages.text(lang, "diagram_hours_value", hours=f"{m.lead_time_hours:.1f}")


def _legend(used: set[str], lang: str, strong_count: int, whose: str = "staff",
            top: float = 0.0) -> list[LegendItem]:
    t = messages.text
    who = t(lang, f"whose_{whose}")
    items: list[LegendItem] = []
    for tag in vocabulary.FLAG_TAGS:
        if "flag:" + tag in used:
            items.append(LegendItem("badge", tag_name(tag, lang), style.tag_colour(tag)))
    for tag in vocabulary.DIGITAL_TAGS:
        if "digital:" + tag in used:
            items.append(LegendItem("digital", tag_name(tag, lang), style.tag_colour(tag)))
    if "strong" in used:
        items.append(LegendItem("strong", t(lang, "legend_strong", count=strong_count,
                                            whose=who),
                                style.EDGE))
    for key in ("rework", "parallel", "use", "bounds", "note", "pain", "system", "heat",
                "mark_removed", "mark_merged", "mark_changed", "mark_added", "mark_same",
                "lever"):
        if key == "heat" and key in used:
            items += _heat_legend(lang, who, top)
        elif key in used:
            colour = style.LEVER if key == "lever" else style.MARKS.get(key[5:], style.REWORK)
            items.append(LegendItem(key, t(lang, "legend_" + key, whose=who), colour))
    return items


def _heat_legend(lang: str, who: str, top: float) -> list[LegendItem]:
    """A swatch per heat shade with the hours it stands for, whose hours first:
    「職員の年間時間 0〜40」「40〜80」…「160〜200 時間」."""
    ranges = style.heat_ranges(top)
    items = []
    for k, ((lo, hi), colour) in enumerate(zip(ranges, style.HEAT, strict=True)):
        span = messages.text(lang, "legend_heat_span", lo=f"{lo:,.0f}", hi=f"{hi:,.0f}")
        if k == 0:
            span = messages.text(lang, "legend_heat", whose=who, span=span)
        elif k == len(ranges) - 1:
            span = messages.text(lang, "legend_heat_last", span=span)
        items.append(LegendItem("heat", span, colour))
    return items


def diagram(analysis: Analysis, bundle: Bundle | None, options: Options) -> Scene:
    """The scene of one analysed process."""
    b = _block(analysis, bundle, options, "", {})
    return Scene(options.lang, options.direction, analysis.process.title,
                 _facts(analysis, options.lang), [b.block],
                 _legend(b.used, options.lang, len(b.strong), b.whose, b.top),
                 [(ph.id, ph.title) for ph in analysis.process.phases
                  if ph.start is not None])


def compare_marks(asis: Analysis, tobe: Analysis
                  ) -> tuple[dict[str, str], dict[str, str], dict[str, tuple[str, ...]]]:
    """Marks for the As-Is (removed, merged, changed, same) and the To-Be (changed,
    added, same) as bprkit.estimate.diff matches steps (replaces, then ids, then
    labels), and the As-Is steps each To-Be step stands for (the first one it lines up
    with). An As-Is step is merged when every To-Be step that stands for it stands
    first for another (転出届's 書き直し, folded into 確認, which replaces 照合 first)."""
    from bprkit.estimate import diff

    match = diff.match(asis.graph.runs, tobe.graph.runs)
    a_marks = {rid: status for rid, status in match.status.items() if "." not in rid}
    for rid, status in a_marks.items():
        twins = match.tobe_of.get(rid, ())
        # folded into steps that each stand for others first: the step is gone as such
        if status == "changed" and twins and all(
                len(match.asis_of[t]) > 1 and match.asis_of[t][0] != rid for t in twins):
            a_marks[rid] = "merged"
    b_marks: dict[str, str] = {}
    inner: dict[str, str] = {}  # the runs of called processes (``課長決裁.起案``)
    pairs: dict[str, tuple[str, ...]] = {}
    for run in tobe.graph.runs:
        found = match.asis_of.get(run.id, ())
        same = len(found) == 1 and match.status.get(found[0]) == "same"
        (inner if "." in run.id else b_marks)[run.id] = (
            "added" if not found else "same" if same else "changed")
        if found and "." not in run.id:
            pairs[run.id] = tuple(found)
    _use_marks(a_marks, {rid: status for rid, status in match.status.items() if "." in rid},
               "removed")
    _use_marks(b_marks, inner, "added")
    return a_marks, b_marks, pairs


USE_MARK = "use:"
"""The key of a called process's compare mark among the marks of steps (``use:課長決裁``)."""


def _use_marks(marks: dict[str, str], inner: Mapping[str, str], whole: str) -> None:
    """A ``use`` box's mark from the steps it calls (run ids ``process.step``, a second
    copy ``process[2].step``): ``same`` when all are, ``whole`` (removed or added) when
    all are that, else ``changed``."""
    by_process: dict[str, set[str]] = {}
    for rid, status in inner.items():
        by_process.setdefault(rid.split(".", 1)[0].split("[", 1)[0], set()).add(status)
    for process, found in by_process.items():
        marks[USE_MARK + process] = (found.pop() if len(found) == 1 and found <= {"same", whole}
                                     else "changed")


def comparison(asis: Analysis, tobe: Analysis, bundle: Bundle | None,
               tobe_bundle: Bundle | None, options: Options) -> Scene:
    """As-Is above To-Be: unchanged steps grey, changed ones with their minutes
    before → after, removed ones struck through, added ones outlined."""
    a_marks, b_marks, pairs = compare_marks(asis, tobe)
    minutes = {s.id: duration_text(s.duration, options.lang) for s in asis.process.steps()}
    titles = {s.id: s.title for s in asis.process.steps()}
    before = {}
    for tid, ids in pairs.items():
        if len(ids) > 1:  # several As-Is steps: name them, their minutes do not add up
            joined = messages.join(options.lang, (titles.get(i, i) for i in ids))
            before[tid] = messages.text(options.lang, "diagram_replaces", steps=joined)
        else:
            before[tid] = minutes.get(ids[0], "")
    # the As-Is side says where each changed or merged step went: its minutes → the
    # minutes of the step that stands for it first, or the step it was folded into
    after_minutes = {s.id: duration_text(s.duration, options.lang) for s in tobe.process.steps()}
    after_titles = {s.id: s.title for s in tobe.process.steps()}
    stands_for: dict[str, list[str]] = {}
    for tid, ids in pairs.items():
        for a in ids:
            stands_for.setdefault(a, []).append(tid)
    after = {}
    for aid, tids in stands_for.items():
        if a_marks.get(aid) == "merged":
            joined = messages.join(options.lang, (after_titles.get(t, t) for t in tids))
            after[aid] = messages.text(options.lang, "diagram_merged_into", steps=joined)
        elif a_marks.get(aid) == "changed":
            main = next((t for t in tids if pairs[t][0] == aid), tids[0])
            after[aid] = f"{minutes.get(aid, '')} → {after_minutes.get(main, '')}"
    first = _block(asis, bundle, options, "a_", a_marks, after=after)
    second = _block(tobe, tobe_bundle, options, "b_", b_marks, before, first.top)
    second.block.match = {f"b_s_{t}": f"a_s_{ids[0]}" for t, ids in pairs.items()}
    # a merged As-Is step: a line to the step it went into
    second.block.edges += [Edge(f"a_s_{aid}", f"b_s_{t}", kind="merge")
                           for aid, tids in stands_for.items()
                           if a_marks.get(aid) == "merged" for t in tids
                           if f"a_s_{aid}" in first.block.nodes
                           and f"b_s_{t}" in second.block.nodes]
    lang = options.lang
    for b, word in ((first, "as_is"), (second, "to_be")):
        b.block.lanes = [Lane(lane.key, f"{messages.text(lang, 'diagram_' + word)} | "
                              f"{lane.title}", lane.role) for lane in b.block.lanes]
    t = messages.text
    ma, mb = asis.metrics, tobe.metrics
    facts = []
    if ma.cases_per_year is not None and mb.cases_per_year is not None:
        facts.append(t(lang, "diagram_hours_change", before=f"{ma.annual_staff_hours:,.0f}",
                       after=f"{mb.annual_staff_hours:,.0f}"))
    facts.append(t(lang, "diagram_lead_change", before=_lead_value(asis, lang),
                   after=_lead_value(tobe, lang)))
    facts.append(t(lang, "diagram_visits_change", before=f"{ma.resident.visits:.1f}",
                   after=f"{mb.resident.visits:.1f}"))
    title = t(lang, "diagram_compare_title", title=asis.process.title)
    used = first.used | second.used
    return Scene(lang, options.direction, title, facts, [first.block, second.block],
                 _legend(used, lang, len(first.strong) + len(second.strong), first.whose,
                         first.top))
