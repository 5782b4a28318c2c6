"""Swimlane diagrams through Graphviz: the only module that imports graphviz.

Layout: ``rankdir=LR`` (or TB) with one cluster per lane. Every lane holds an
invisible head and tail node; the heads share one rank and the tails another
(``newrank``), chained by invisible flat edges, so the lanes keep their declared
order and all span the full width. Steps sit in their lanes in flow order.

Text goes into HTML-like labels only through ``html.escape`` and into plain
labels through ``graphviz.escape``: nothing from a ``.bpr`` file reaches the
output as markup. Ids come from the model, iteration is in source order, so the
same input gives the same DOT (golden tests rely on it).
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass, field

import graphviz

from bprkit import messages
from bprkit.analysis import Analysis
from bprkit.flow import case_share
from bprkit.model import END, Branch, Bundle, Duration, Parallel, Process, Step, Use
from bprkit.output import write_atomic

FONT = "BIZ UDPGothic,Noto Sans CJK JP,IPAexGothic,sans-serif"

# One colour per flag, the same on every diagram (fill, text).
FLAG_COLOURS: dict[str, tuple[str, str]] = {
    "paper": ("#8c6d46", "white"),
    "seal": ("#c0392b", "white"),
    "in_person": ("#d35400", "white"),
    "handwritten": ("#b7950b", "white"),
    "transcribe": ("#7d3c98", "white"),
    "check": ("#2e4053", "white"),
    "print": ("#5d6d7e", "white"),
    "postal": ("#1f618d", "white"),
    "fax": ("#117a65", "white"),
    "phone": ("#6e2c00", "white"),
    "cash": ("#196f3d", "white"),
}
DIGITAL_TAGS = ("online", "rpa", "ai_ocr", "e_approval", "e_storage", "cashless", "auto")
DIGITAL_COLOUR = "#1e8449"
FINDING_BORDER = {"high": "#c0392b", "medium": "#e67e22"}
HEAT = ("#fef9e7", "#fdebd0", "#fad7a0", "#f5b041", "#e67e22")  # light → dark
MARKS = {"removed": "#c0392b", "changed": "#e67e22", "added": "#1e8449"}
LANE_FILL = ("#f4f6f9", "#ffffff")
UNITS = {"ja": {"sec": "秒", "min": "分", "hour": "時間", "day": "日", "week": "週"},
         "en": {"sec": "s", "min": "min", "hour": "h", "day": "d", "week": "w"}}
PAD_INCHES = 0.3
PAPER_INCHES = {"a3": "16.54,11.69", "a4": "11.69,8.27"}  # landscape sheets


class RenderError(Exception):
    """Rendering failed: the message says what to do (e.g. install Graphviz)."""


@dataclass(frozen=True)
class RenderOptions:
    lang: str = "ja"
    direction: str = "LR"
    heat: bool = False
    expand: bool = False
    paper: str | None = None


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_BREAK_AFTER = set("、。・）」』】,.) /")
_BREAK_BEFORE = set("（「『【(")
_NO_LINE_START = set("、。）」』】,.)ー")  # 禁則: these never begin a line


def wrap(text: str, width: int = 20) -> list[str]:
    """Lines of at most ``width`` display columns; Japanese has no spaces, so a
    line breaks after 、・）」 or before （「 when one is near, else anywhere."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for ch in para:
            if _width(line + ch) > width and line and ch not in _NO_LINE_START:
                cut = max((i + 1 for i, c in enumerate(line) if c in _BREAK_AFTER),
                          default=0)
                cut = max(cut, max((i for i, c in enumerate(line) if c in _BREAK_BEFORE),
                                   default=0))
                if cut < len(line) // 2:
                    cut = len(line)
                lines.append(line[:cut].rstrip())
                line = line[cut:].lstrip()
            line += ch
        lines.append(line)
    return lines


def _html_lines(text: str, width: int = 20) -> str:
    return "<BR/>".join(html.escape(line) for line in wrap(text, width))


def duration_text(d: Duration | None, lang: str) -> str:
    """A duration as written: 5分, 3〜5分, 10〜15〜25分 (3-5 min in English)."""
    if d is None:
        return ""
    values = [d.low] + ([d.mode] if d.mode is not None else []) + (
        [d.high] if d.high != d.low else [])
    nums = ("〜" if lang == "ja" else "-").join(f"{v:g}" for v in values)
    return f"{nums}{UNITS[lang][d.unit]}" if lang == "ja" else f"{nums} {UNITS[lang][d.unit]}"


def tag_name(tag: str, lang: str) -> str:
    return messages.text(lang, f"tag_{tag}")


@dataclass
class _Lane:
    key: str
    title: str
    role: str
    nodes: list[str] = field(default_factory=list)


@dataclass
class _Builder:
    analysis: Analysis
    bundle: Bundle | None
    options: RenderOptions
    prefix: str = ""
    marks: dict[str, str] = field(default_factory=dict)
    lanes: dict[str, _Lane] = field(default_factory=dict)
    nodes: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    edges: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    same_rank: list[tuple[str, ...]] = field(default_factory=list)
    flags_used: set[str] = field(default_factory=set)
    digital_used: set[str] = field(default_factory=set)
    extras_used: set[str] = field(default_factory=set)
    uses_seen: dict[str, int] = field(default_factory=dict)
    severity: dict[str, str] = field(default_factory=dict)
    """The worst severity of the findings on each step (high or medium)."""
    counter: int = 0

    def __post_init__(self) -> None:
        self.hours = {s.id: s.annual_hours or 0.0 for s in self.analysis.steps}
        self.top_hours = max(self.hours.values(), default=0.0)
        rank = {"high": 2, "medium": 1}
        for f in self.analysis.findings:
            if f.step and rank.get(f.severity, 0) > rank.get(self.severity.get(f.step, ""), 0):
                self.severity[f.step] = f.severity

    @property
    def lang(self) -> str:
        return self.options.lang

    def node_id(self, kind: str) -> str:
        self.counter += 1
        return f"{self.prefix}{kind}{self.counter}"

    def add_lanes(self, process: Process, qualifier: str) -> None:
        for lane in process.lanes:
            key = f"{qualifier}{lane.id}"
            if key not in self.lanes:
                role = messages.text(self.lang, f"role_{lane.role}")
                title = (f"{qualifier.rstrip('.')}: " if qualifier else "") + lane.title
                self.lanes[key] = _Lane(key, f"{title}（{role}）" if self.lang == "ja"
                                        else f"{title} ({role})", lane.role)

    def place(self, lane_key: str, node: str, attrs: dict[str, str]) -> None:
        lane = self.lanes.get(lane_key) or next(iter(self.lanes.values()))
        lane.nodes.append(node)
        self.nodes.append((node, attrs))

    # ── steps ──
    def step_label(self, step: Step, run_id: str) -> str:
        rows = [f'<TR><TD ALIGN="LEFT" COLSPAN="{{span}}"><B>{_html_lines(step.title)}</B>'
                "</TD></TR>"]
        time = duration_text(step.duration, self.lang)
        if time:
            rows.append(f'<TR><TD ALIGN="LEFT" COLSPAN="{{span}}"><FONT POINT-SIZE="10" '
                        f'COLOR="#444444">{html.escape(time)}</FONT></TD></TR>')
        badges = []
        for tag in step.tags:
            if tag in FLAG_COLOURS:
                fill, ink = FLAG_COLOURS[tag]
                self.flags_used.add(tag)
                badges.append(f'<TD BGCOLOR="{fill}"><FONT COLOR="{ink}" POINT-SIZE="10">'
                              f"{html.escape(tag_name(tag, self.lang))}</FONT></TD>")
            elif tag in DIGITAL_TAGS:
                self.digital_used.add(tag)
                badges.append(f'<TD BORDER="1" COLOR="{DIGITAL_COLOUR}"><FONT '
                              f'COLOR="{DIGITAL_COLOUR}" POINT-SIZE="10">'
                              f"{html.escape(tag_name(tag, self.lang))}</FONT></TD>")
        mark = self.marks.get(run_id)
        if mark:
            self.extras_used.add(f"mark_{mark}")
            badges.append(f'<TD BGCOLOR="{MARKS[mark]}"><FONT COLOR="white" POINT-SIZE="10">'
                          f"{html.escape(messages.text(self.lang, 'mark_' + mark))}"
                          "</FONT></TD>")
        span = max(len(badges), 1)
        if badges:
            rows.append("<TR>" + "".join(badges) + "</TR>")
        table = ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">'
                 + "".join(rows) + "</TABLE>")
        return "<" + table.replace("{span}", str(span)) + ">"

    def step(self, step: Step, process: Process, qualifier: str) -> str:
        run_id = f"{qualifier}{step.id}"
        node = f"{self.prefix}s_{run_id}"
        attrs = {"label": self.step_label(step, run_id), "shape": "box",
                 "style": "rounded,filled", "fillcolor": "white", "margin": "0.08,0.04"}
        severity = self.severity.get(run_id)
        if severity:
            attrs.update(color=FINDING_BORDER[severity], penwidth="2.5")
            self.extras_used.add(f"finding_{severity}")
        if self.options.heat:
            attrs["fillcolor"] = self.heat_colour(run_id)
            self.extras_used.add("heat")
        mark = self.marks.get(run_id)
        if mark:
            attrs.update(color=MARKS[mark], penwidth="3")
            if mark == "removed":
                attrs["style"] = "rounded,filled,dashed"
        self.place(f"{qualifier}{step.lane}", node, attrs)
        for kind, texts in (("note", step.notes), ("pain", step.pains)):
            for text in texts:
                sticky = self.node_id(kind)
                self.extras_used.add(kind)
                self.place(f"{qualifier}{step.lane}", sticky, {
                    "label": graphviz.escape("\n".join(wrap(text, 18))), "shape": "note",
                    "style": "filled", "fillcolor": "#fff3b0" if kind == "note" else "#fadbd8",
                    "fontsize": "10"})
                self.edges.append((node, sticky, {"style": "dashed", "arrowhead": "none",
                                                  "color": "#999999"}))
                self.same_rank.append((node, sticky))
        system = process.lane(step.system) if step.system else None
        if system is not None:  # the system the step works in, shown in its own lane
            marker = self.node_id("sys")
            self.extras_used.add("system")
            self.place(f"{qualifier}{system.id}", marker, {
                "label": graphviz.escape("\n".join(wrap(system.title, 18))),
                "shape": "cylinder", "style": "filled", "fillcolor": "#e8f8f5",
                "fontsize": "10", "height": "0.45"})
            self.edges.append((node, marker, {"style": "dotted", "arrowhead": "none",
                                              "color": "#148f77"}))
            self.same_rank.append((node, marker))
        return node

    # ── flow ──
    def flow(self, process: Process, items: tuple, qualifier: str, entry: str, exit_: str,
             lane_hint: str) -> None:
        """Nodes and edges of a sequence of flow items between entry and exit."""
        order = {i.id: n for n, i in enumerate(items) if isinstance(i, Step)}
        entry_lane = lane_hint
        heads: dict[int, str] = {}
        tails: dict[int, str] = {}
        lanes: dict[int, str] = {}
        for n, item in enumerate(items):
            if isinstance(item, Step):
                heads[n] = tails[n] = self.step(item, process, qualifier)
                lanes[n] = f"{qualifier}{item.lane}"
            elif isinstance(item, Use):
                heads[n], tails[n], lanes[n] = self.use(item, qualifier, lane_hint)
            elif isinstance(item, Parallel):
                heads[n], tails[n], lanes[n] = self.parallel(process, item, qualifier,
                                                             lane_hint)
            if n in lanes:
                lane_hint = lanes[n]
        step_nodes = {i.id: heads[n] for n, i in enumerate(items) if isinstance(i, Step)}
        pending: list[tuple[str, str]] = [(entry, "")]
        position = -1
        for n, item in enumerate(items):
            if isinstance(item, Branch):
                diamond = self.node_id("b")
                lane = lanes.get(n - 1, entry_lane)
                self.place(lane, diamond, {
                    "label": graphviz.escape("\n".join(wrap(item.label or "", 12))),
                    "shape": "diamond", "style": "filled", "fillcolor": "#fdfefe",
                    "fontsize": "10", "height": "0.5", "width": "0.5", "margin": "0.02"})
                for src, label in pending:
                    self.edge(src, diamond, label, None)
                for case in item.cases:
                    share = case_share(item, case)
                    text = f"{share * 100:g}%"
                    back = case.target != END and order.get(case.target, 10**9) <= position
                    target = exit_ if case.target == END else step_nodes.get(case.target)
                    if target:
                        self.edge(diamond, target, text,
                                  self.target_wait(items, case.target), rework=back)
                pending = []
                continue
            position = n if isinstance(item, Step) else position
            for src, label in pending:
                self.edge(src, heads[n], label, self.item_wait(item))
            if isinstance(item, Step) and item.target is not None:
                back = item.target != END and order.get(item.target, 10**9) <= n
                target = exit_ if item.target == END else step_nodes.get(item.target)
                if target:
                    self.edge(tails[n], target, "", self.target_wait(items, item.target),
                              rework=back)
                pending = []
            else:
                pending = [(tails[n], "")]
        for src, label in pending:
            self.edge(src, exit_, label, None)

    @staticmethod
    def item_wait(item: object) -> Duration | None:
        return item.wait if isinstance(item, Step) else None

    @staticmethod
    def target_wait(items: tuple, target: str) -> Duration | None:
        return next((i.wait for i in items if isinstance(i, Step) and i.id == target), None)

    def edge(self, src: str, dst: str, label: str, wait: Duration | None, *,
             rework: bool = False) -> None:
        parts = [label] if label else []
        if wait is not None:
            parts.append(messages.text(self.lang, "diagram_wait",
                                       time=duration_text(wait, self.lang)))
        attrs = {"label": graphviz.escape("\n".join(parts))} if parts else {}
        if rework:
            attrs.update(color="#c0392b", fontcolor="#c0392b", style="dashed",
                         constraint="false", penwidth="1.5")
            self.extras_used.add("rework")
        self.edges.append((src, dst, attrs))

    def use(self, use: Use, qualifier: str, lane_hint: str) -> tuple[str, str, str]:
        callee = self.bundle.process(use.process) if self.bundle else None
        times = f" ×{use.times:g}" if use.times != 1 else ""
        if self.options.expand and callee is not None:
            self.uses_seen[callee.id] = self.uses_seen.get(callee.id, 0) + 1
            k = self.uses_seen[callee.id]
            inner = f"{qualifier}{callee.id}." if k == 1 else f"{qualifier}{callee.id}[{k}]."
            self.add_lanes(callee, inner)
            start, end = self.node_id("in"), self.node_id("out")
            first_lane = f"{inner}{callee.lanes[0].id}" if callee.lanes else lane_hint
            for node in (start, end):
                self.place(first_lane, node, {"shape": "point", "width": "0.08",
                                              "label": ""})
            self.flow(callee, callee.flow, inner, start, end, first_lane)
            if use.times != 1:
                self.edges.append((end, start, {"label": graphviz.escape(times.strip()),
                                                "style": "dotted", "constraint": "false"}))
            return start, end, lane_hint
        node = self.node_id("u")
        title = callee.title if callee else use.process
        self.extras_used.add("use")
        self.place(lane_hint, node, {
            "label": graphviz.escape("\n".join(["▶ " + use.process + times,
                                                *wrap(title, 18)])),
            "shape": "box", "style": "rounded,filled", "peripheries": "2",
            "fillcolor": "#eaf2f8"})
        return node, node, lane_hint

    def parallel(self, process: Process, block: Parallel, qualifier: str,
                 lane_hint: str) -> tuple[str, str, str]:
        fork, join = self.node_id("fork"), self.node_id("join")
        bar = {"shape": "box", "style": "filled", "fillcolor": "#333333", "label": "",
               "width": "0.06", "height": "0.5", "fixedsize": "true"}
        self.place(lane_hint, fork, bar)
        self.place(lane_hint, join, dict(bar))
        for path in block.paths:
            self.flow(process, path.items, qualifier, fork, join, lane_hint)
        self.extras_used.add("parallel")
        return fork, join, lane_hint

    # ── figures ──
    def heat_colour(self, run_id: str) -> str:
        """Five shades of the step's annual hours, relative to the largest step's."""
        hours = self.hours.get(run_id, 0.0)
        if self.top_hours <= 0:
            return HEAT[0]
        return HEAT[min(int(hours / self.top_hours * len(HEAT)), len(HEAT) - 1)]


def _title(analysis: Analysis, lang: str, heading: str = "") -> str:
    p, m = analysis.process, analysis.metrics
    t = messages.text
    rows = [f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="18"><B>{html.escape(heading + p.title)}'
            "</B></FONT></TD></TR>"]
    facts = []
    if p.owner:
        facts.append(t(lang, "diagram_owner", owner=p.owner))
    if m.cases_per_year is not None:
        facts.append(t(lang, "diagram_volume", cases=f"{m.cases_per_year:,.0f}"))
        facts.append(t(lang, "diagram_hours", hours=f"{m.annual_staff_hours:,.0f}"))
    if m.lead_time_days >= 1:
        facts.append(t(lang, "diagram_lead", days=f"{m.lead_time_days:.1f}"))
    else:  # a same-day procedure: hours say more than "0.0 days"
        facts.append(t(lang, "diagram_lead_hours", hours=f"{m.lead_time_hours:.1f}"))
    facts.append(t(lang, "diagram_visits", visits=f"{m.resident.visits:.1f}"))
    rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="12">{html.escape("　".join(facts))}'
                "</FONT></TD></TR>")
    return '<TABLE BORDER="0" CELLPADDING="2">' + "".join(rows) + "</TABLE>"


def _legend(builders: list[_Builder], lang: str) -> str:
    t = messages.text
    flags = sorted(set().union(*(b.flags_used for b in builders)), key=list(FLAG_COLOURS).index)
    digital = sorted(set().union(*(b.digital_used for b in builders)), key=DIGITAL_TAGS.index)
    extras = set().union(*(b.extras_used for b in builders))
    cells = []
    for tag in flags:
        fill, ink = FLAG_COLOURS[tag]
        cells.append(f'<TD BGCOLOR="{fill}"><FONT COLOR="{ink}">'
                     f"{html.escape(tag_name(tag, lang))}</FONT></TD>")
    for tag in digital:
        cells.append(f'<TD BORDER="1" COLOR="{DIGITAL_COLOUR}"><FONT COLOR="{DIGITAL_COLOUR}">'
                     f"{html.escape(tag_name(tag, lang))}</FONT></TD>")
    rows = []
    if cells:
        rows.append("<TR>" + "".join(cells) + "</TR>")
    keyed = [
        ("finding_high", f'<FONT COLOR="{FINDING_BORDER["high"]}">▭</FONT>'),
        ("finding_medium", f'<FONT COLOR="{FINDING_BORDER["medium"]}">▭</FONT>'),
        ("rework", '<FONT COLOR="#c0392b">- - →</FONT>'),
        ("parallel", "▮ … ▮"),
        ("use", "▶"),
        ("note", '<FONT COLOR="#b7950b">▤</FONT>'),
        ("system", '<FONT COLOR="#148f77">⛁</FONT>'),
        ("pain", '<FONT COLOR="#c0392b">▤</FONT>'),
        ("mark_removed", f'<FONT COLOR="{MARKS["removed"]}">▭</FONT>'),
        ("mark_changed", f'<FONT COLOR="{MARKS["changed"]}">▭</FONT>'),
        ("mark_added", f'<FONT COLOR="{MARKS["added"]}">▭</FONT>'),
    ]
    for key, symbol in keyed:
        if key in extras:
            rows.append(f'<TR><TD COLSPAN="{max(len(cells), 1)}" ALIGN="LEFT">{symbol} '
                        f"{html.escape(t(lang, 'legend_' + key))}</TD></TR>")
    if "heat" in extras:
        scale = "".join(f'<TD BGCOLOR="{c}">　</TD>' for c in HEAT)
        rows.append(f'<TR><TD ALIGN="LEFT" COLSPAN="{max(len(cells), 1)}">'
                    f"{html.escape(t(lang, 'legend_heat'))}</TD></TR>")
        rows.append(f"<TR>{scale}</TR>")
    head = f'<TR><TD ALIGN="LEFT" COLSPAN="{max(len(cells), 1)}"><B>' \
           f"{html.escape(t(lang, 'legend'))}</B></TD></TR>"
    return ('<TABLE BORDER="1" COLOR="#aaaaaa" CELLBORDER="0" CELLSPACING="3" '
            'CELLPADDING="3">' + head + "".join(rows) + "</TABLE>")


COL_W, ROW_H, HEADER_W, GAP = 220.0, 120.0, 150.0, 40.0


def _columns(b: _Builder) -> dict[str, int]:
    """Each node's column: the longest forward path to it (rework edges and
    sticky-note edges do not count); a note stands in its step's column."""
    notes = {n for group in b.same_rank for n in group[1:]}
    order = {n: i for i, (n, _) in enumerate(b.nodes)}
    succ: dict[str, list[str]] = {n: [] for n, _ in b.nodes}
    indeg = dict.fromkeys(succ, 0)
    for src, dst, attrs in b.edges:
        if attrs.get("constraint") == "false" or src in notes or dst in notes \
                or src not in succ or dst not in succ:
            continue
        succ[src].append(dst)
        indeg[dst] += 1
    column = dict.fromkeys(succ, 0)
    ready = sorted((n for n, d in indeg.items() if d == 0), key=order.__getitem__)
    done: set[str] = set()
    while len(done) < len(succ):
        if not ready:  # a cycle without a rework mark: break it at the earliest node
            ready = [min((n for n in succ if n not in done), key=order.__getitem__)]
        node = ready.pop(0)
        if node in done:
            continue
        done.add(node)
        for nxt in succ[node]:
            column[nxt] = max(column[nxt], column[node] + 1)
            indeg[nxt] -= 1
            if indeg[nxt] == 0:
                ready.append(nxt)
    for group in b.same_rank:
        for note in group[1:]:
            column[note] = column[group[0]]
    return column


def _xdot(ops: list[str]) -> str:
    return " ".join(ops)


def _text_op(x: float, y: float, text: str, size: int, colour: str) -> list[str]:
    data = text.encode("utf-8")
    font = FONT.split(",")[0].encode("utf-8")
    return [f"F {size} {len(font)} -{font.decode()}", f"c {len(colour)} -{colour}",
            f"T {x:.1f} {y:.1f} -1 {len(text) * size:.1f} {len(data)} -{text}"]


def _rect_op(x0: float, y0: float, x1: float, y1: float, fill: str, pen: str) -> list[str]:
    return [f"c {len(pen)} -{pen}", f"C {len(fill)} -{fill}",
            f"P 4 {x0:.1f} {y0:.1f} {x1:.1f} {y0:.1f} {x1:.1f} {y1:.1f} {x0:.1f} {y1:.1f}"]


def _emit(graph: graphviz.Digraph, builders: list[_Builder], options: RenderOptions,
          title: str) -> None:
    """Pin every node to its lane and column, draw the lanes behind them, and put
    the title block with the legend on top."""
    graph.attr(label="<" + '<TABLE BORDER="0" CELLSPACING="6"><TR><TD VALIGN="TOP">'
               + title + '</TD><TD VALIGN="TOP">' + _legend(builders, options.lang)
               + "</TD></TR></TABLE>>")
    flip = options.direction == "TB"
    # along the flow: one step per column; across it: one slot per stacked node
    step, slot = (ROW_H + 20, COL_W) if flip else (COL_W, ROW_H)
    header = HEADER_W / 2 if flip else HEADER_W
    placed: list[tuple[str, dict[str, str], float, float]] = []  # (node, attrs, flow, across)
    bands: list[tuple[float, float, str]] = []  # lane bands across the flow
    across = 0.0
    length = 0.0
    for index, b in enumerate(builders):
        if index:
            across += GAP
        column = _columns(b)
        attrs_of = dict(b.nodes)
        for lane in b.lanes.values():
            slots: dict[int, int] = {}
            for node in lane.nodes:
                col = column.get(node, 0)
                placed.append((node, attrs_of[node], header + col * step + step / 2,
                               across + slots.get(col, 0) * slot + slot / 2))
                slots[col] = slots.get(col, 0) + 1
                length = max(length, header + (col + 1) * step)
            size = slot * max(slots.values(), default=1)
            bands.append((across, across + size, lane.title))
            across += size
    total = across

    def point(flow: float, lane: float) -> tuple[float, float]:
        """Layout to Graphviz coordinates (y up): LR puts lanes in rows from the top,
        TB in columns from the left, the flow running right or down."""
        return (lane, length - flow) if flip else (flow, total - lane)

    ops: list[str] = []
    for n, (a0, a1, name) in enumerate(bands):
        x0, y0 = point(0, a0)
        x1, y1 = point(length, a1)
        ops += _rect_op(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1),
                        LANE_FILL[n % 2], "#b0b7c3")
        for k, line in enumerate(wrap(name, 20 if not flip else 24)):
            tx, ty = point(20 + k * 17, a0 + 8) if flip else point(8, a0 + 20 + k * 17)
            ops += _text_op(tx, ty, line, 13, "#1b2631")
    graph.attr(_background=_xdot(ops))
    for name, corner in (("corner0", (0.0, 0.0)), ("corner1", (length, total))):
        x, y = point(*corner)
        graph.node(name, label="", shape="point", style="invis", width="0.01",
                   pos=f"{x:.1f},{y:.1f}!")
    for node, attrs, flow, lane in placed:
        px, py = point(flow, lane)
        graph.node(node, **attrs, pos=f"{px:.1f},{py:.1f}!")
    for b in builders:
        for src, dst, attrs in b.edges:
            graph.edge(src, dst, **attrs)


def _graph(options: RenderOptions) -> graphviz.Digraph:
    g = graphviz.Digraph(name="bprkit", engine="neato")
    g.attr(splines="true", overlap="true", fontname=FONT, labelloc="t", labeljust="l",
           bgcolor="white", pad=str(PAD_INCHES), outputorder="edgesfirst")
    if options.paper:
        g.attr(size=PAPER_INCHES[options.paper] + "!", margin="0")  # the sheet, edge to edge
    g.attr("node", fontname=FONT, fontsize="12")
    g.attr("edge", fontname=FONT, fontsize="10", color="#555555", arrowsize="0.7")
    return g


def _builder(analysis: Analysis, bundle: Bundle | None, options: RenderOptions,
             prefix: str = "", marks: dict[str, str] | None = None) -> _Builder:
    b = _Builder(analysis, bundle, options, prefix, marks or {})
    process = analysis.process
    b.add_lanes(process, "")
    first = f"{process.lanes[0].id}" if process.lanes else ""
    start, end = b.node_id("start"), b.node_id("end")
    b.place(first, start, {"shape": "circle", "label": "", "width": "0.25",
                           "style": "filled", "fillcolor": "#ffffff"})
    b.flow(process, process.flow, "", start, end, first)
    last = _last_lane(process) or first
    b.place(last, end, {"shape": "doublecircle", "label": "", "width": "0.2",
                        "style": "filled", "fillcolor": "#333333"})
    return b


def _last_lane(process: Process) -> str | None:
    steps = list(process.steps())
    return steps[-1].lane if steps else None


def diagram(analysis: Analysis, bundle: Bundle | None = None,
            options: RenderOptions | None = None) -> graphviz.Digraph:
    """The swimlane diagram of one analysed process."""
    options = options or RenderOptions()
    builder = _builder(analysis, bundle, options)
    graph = _graph(options)
    _emit(graph, [builder], options, _title(analysis, options.lang))
    return graph


def compare_marks(asis: Analysis, tobe: Analysis) -> tuple[dict[str, str], dict[str, str]]:
    """Steps removed or changed in the As-Is, and changed or added in the To-Be, as
    bprkit.diff matches them (replaces, then ids, then labels)."""
    from bprkit import diff

    match = diff.match(asis.graph.runs, tobe.graph.runs)
    a_marks = {rid: status for rid, status in match.status.items()
               if status != "same" and "." not in rid}
    b_marks = {}
    for run in tobe.graph.runs:
        if "." in run.id:
            continue
        found = match.asis_of.get(run.id, ())
        if not found:
            b_marks[run.id] = "added"
        elif any(match.status.get(a) != "same" for a in found) or len(found) > 1:
            b_marks[run.id] = "changed"
    return a_marks, b_marks


def comparison(asis: Analysis, tobe: Analysis, bundle: Bundle | None,
               tobe_bundle: Bundle | None, options: RenderOptions) -> graphviz.Digraph:
    """As-Is above To-Be, with removed, changed and added steps marked."""
    a_marks, b_marks = compare_marks(asis, tobe)
    first = _builder(asis, bundle, options, "a_", a_marks)
    second = _builder(tobe, tobe_bundle, options, "b_", b_marks)
    for b, word in ((first, "as_is"), (second, "to_be")):
        for lane in b.lanes.values():
            lane.title = f"{messages.text(options.lang, 'diagram_' + word)} | {lane.title}"
    t = messages.text
    heading = f"{t(options.lang, 'diagram_as_is')} → {t(options.lang, 'diagram_to_be')}: "
    graph = _graph(options)
    _emit(graph, [first, second], options, _title(tobe, options.lang, heading))
    return graph


def _run(graph: graphviz.Digraph, fmt: str) -> bytes:
    """The one place that runs Graphviz."""
    if fmt == "dot":
        return graph.source.encode("utf-8")
    try:
        return graph.pipe(format=fmt, neato_no_op=2)
    except graphviz.ExecutableNotFound as exc:
        raise RenderError("Graphviz `dot` was not found: run `make setup` "
                          "(or apt-get install graphviz)") from exc
    except graphviz.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        raise RenderError("Graphviz failed: " + (detail[-1] if detail else str(exc))) from exc


def svg(graph: graphviz.Digraph) -> str:
    return _run(graph, "svg").decode("utf-8")


class Diagram:
    """A rendered-on-demand diagram: Jupyter shows it as SVG; ``save`` writes a file."""

    def __init__(self, graph: graphviz.Digraph) -> None:
        self.graph = graph

    def _repr_svg_(self) -> str:
        return svg(self.graph)

    def save(self, path: str, fmt: str | None = None) -> str:
        write(self.graph, fmt or path.rsplit(".", 1)[-1], path)
        return path

    @property
    def source(self) -> str:
        return self.graph.source


def write(graph: graphviz.Digraph, fmt: str, out: str) -> None:
    """Render and write atomically (nothing is written when Graphviz fails)."""
    write_atomic(out, _run(graph, fmt))
