"""BPMN 2.0 with diagram interchange (DI), written with ElementTree.

One pool and process per bprkit process: the file's own processes, then the
processes they ``use`` (each once), called through ``callActivity``. The semantic
part comes from the diagram's scene (the one wiring of the flow, render/scene.py):
steps become user, manual or service tasks by their lane's role, branches exclusive
gateways with each case's share on its flow, ``parallel`` blocks parallel gateways;
a node that several flows enter gets an explicit merging gateway. The DI is the
diagram's own layout (lanes, columns and routed edges), so the BPMN looks like
the bprkit diagram.

Ids are ASCII and deterministic (``Process_1``, ``Task_1_3``, ``Flow_1_7``); the
bprkit id, lane and role, durations, waits, tags and shares go into attributes of
our own namespace, and names and documentation keep the Japanese labels. Each
process also carries its own ``.bpr`` text (``bprkit:source``), with a fingerprint
of the structure it was written for, so that an unedited file imports back to the
same model (bprkit/interop/bpmn_import.py); an edited one is read from its structure.
docs/interop.md has the mapping tables.

Each process is built in steps, each its own function, into a ``_Pool`` that holds the
``process`` element, the ids given so far and the DI shapes and edges: the pool and its
participant (``_pool``), each scene node as a task, call activity, gateway or event
(``_flow_node``) or a text annotation (``_annotation``), the merging gateways
(``_merges``), the sequence flows and associations (``_sequence_flows``), the lane set
(``_lane_set``) and the embedded text (``_source``); ``_di`` then writes the diagram.
"""

from __future__ import annotations

import hashlib
import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bprkit.messages import catalog as messages
from bprkit.model import Bundle, Process, SourceFile, Step, iter_uses
from bprkit.text import writer

if TYPE_CHECKING:  # the renderer is imported only when exporting
    from bprkit.render.drawing import Page
    from bprkit.render.layout import Geometry
    from bprkit.render.routing import Routes
    from bprkit.render.scene import Block, Node

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
BPRKIT = "https://bprkit.dev/schema/bpmn/1"
NAMESPACES = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "bprkit": BPRKIT}

TASK_BY_ROLE = {"system": "serviceTask", "resident": "manualTask", "external": "manualTask"}
"""Every other role (counter, back_office, approval, storage) does user tasks."""
POOL_HEADER = 30.0
POOL_GAP = 40.0
MERGE = 30.0
"""A merging gateway's size, drawn beside the node it merges into where there is room."""
GATEWAY_SIZE = {"branch": 40.0, "fork": 30.0, "join": 30.0}
ANNOTATIONS = ("note", "pain", "system")
"""Scene nodes that are text beside the flow: BPMN text annotations."""


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def fingerprint(nodes: Iterable[tuple[str, str, str]],
                flows: Iterable[tuple[str, str]]) -> str:
    """A hash of a process's structure as BPMN holds it: (kind, name, bprkit id) of
    each flow node and (source, target) bprkit ids of each flow; the importer
    compares it to tell an unedited export from an edited one."""
    text = "\n".join(sorted("|".join(n) for n in nodes)) + "\n--\n" + \
        "\n".join(sorted("|".join(f) for f in flows))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class _Shape:
    element: str
    x: float
    y: float
    w: float
    h: float
    horizontal: bool | None = None


@dataclass
class _Edge:
    element: str
    points: list[tuple[float, float]]
    label: tuple[float, float, float, float] | None = None
    """Where the edge's name is drawn (x, y, w, h): where bprkit draws it."""


def processes_of(bundle: Bundle) -> list[Process]:
    """The file's own processes, then those they use (directly or not), each once."""
    out: list[Process] = []
    seen: set[str] = set()
    todo = list(bundle.root.processes)
    while todo:
        p = todo.pop(0)
        if p.id in seen:
            continue
        seen.add(p.id)
        out.append(p)
        for use in iter_uses(p.flow):
            callee = bundle.process(use.process)
            if callee is not None and callee.id not in seen:
                todo.append(callee)
    return out


def export(bundle: Bundle, *, lang: str = "ja") -> bytes:
    """The BPMN document of a checked bundle."""
    from bprkit.analysis.records import analyze_process
    from bprkit.render import drawing as render

    for prefix, uri in NAMESPACES.items():
        ET.register_namespace(prefix, uri)
    chosen = processes_of(bundle)
    ids = {p.id: f"Process_{n}" for n, p in enumerate(chosen, 1)}
    root = ET.Element(_q(BPMN, "definitions"), {
        "id": "Definitions_1", "targetNamespace": "https://bprkit.dev/bpmn/" + _ascii(
            os.path.basename(bundle.root.path)), "exporter": "bprkit",
        "exporterVersion": _version(),
        # the file's name, not its path: a path says where on whose disk it was written
        _q(BPRKIT, "file"): os.path.basename(bundle.root.path)})
    collaboration = ET.SubElement(root, _q(BPMN, "collaboration"), {"id": "Collaboration_1"})
    diagram = ET.Element(_q(BPMNDI, "BPMNDiagram"), {"id": "Diagram_1"})
    plane = ET.SubElement(diagram, _q(BPMNDI, "BPMNPlane"),
                          {"id": "Plane_1", "bpmnElement": "Collaboration_1"})
    top = 0.0
    for n, process in enumerate(chosen, 1):
        analysis = analyze_process(process, bundle, with_findings=False)
        page = render.diagram(analysis, bundle, render.Options(lang=lang)).pages[0]
        shapes, edges, height = _process(root, collaboration, process, page, n, ids, lang)
        _di(plane, *_moved_down(shapes, edges, top))
        top += height + POOL_GAP
    root.append(diagram)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _moved_down(shapes: list[_Shape], edges: list[_Edge], top: float
                ) -> tuple[list[_Shape], list[_Edge]]:
    """A pool's shapes and edges placed ``top`` below the diagram's top (each pool
    below the one before)."""
    for shape in shapes:
        shape.y += top
    for edge in edges:
        edge.points[:] = [(x, y + top) for x, y in edge.points]
        if edge.label:
            x, y, w, h = edge.label
            edge.label = (x, y + top, w, h)
    return shapes, edges


def _version() -> str:
    from bprkit._version import __version__

    return __version__


def _ascii(text: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in text)


@dataclass
class _Pool:
    """One process on its way into BPMN: its ``process`` element, and the shapes and
    edges of its diagram (DI), in the pool's own coordinates."""

    process: Process
    proc: ET.Element
    n: int
    """The process's number in the file: every id of the pool carries it."""
    geo: Geometry
    ids: dict[str, str]
    """bprkit process id → BPMN process id, of every process in the file."""
    lang: str
    shapes: list[_Shape] = field(default_factory=list)
    edges: list[_Edge] = field(default_factory=list)
    element: dict[str, str] = field(default_factory=dict)
    """Scene node key → BPMN id."""
    lane_of_node: dict[str, list[str]] = field(default_factory=dict)
    """Scene lane key → the BPMN ids of the flow nodes in it."""
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("Task", "Gateway", "Event", "TextAnnotation", "Flow"), 0))
    steps: dict[str, Step] = field(init=False)
    phase_of: dict[str, str] = field(init=False)
    """Step id → the id of its phase."""
    order: dict[str, int] = field(init=False)
    """Step id → its place among the file's steps (the flow's order: what the
    resident's lead time is cut at follows it)."""

    def __post_init__(self) -> None:
        self.steps = {s.id: s for s in self.process.steps()}
        self.phase_of = {k: ph.id for k, ph in self.process.phase_of_steps().items()}
        self.order = {s.id: n for n, s in enumerate(self.process.steps())}

    @property
    def top(self) -> float:
        """Where the lanes start (below a phase strip)."""
        return min((v0 for _, _, v0, _ in self.geo.lanes), default=0.0)

    @property
    def width(self) -> float:
        return POOL_HEADER + self.geo.along

    @property
    def height(self) -> float:
        return self.geo.across - self.top

    def new_id(self, family: str) -> str:
        """The next id of a family: ``Task_1_3``, ``Flow_1_7``."""
        self.counts[family] += 1
        return f"{family}_{self.n}_{self.counts[family]}"

    def box(self, key: str) -> tuple[float, float, float, float]:
        """A scene node's box (x, y, w, h) in the pool."""
        b, (u, v) = self.geo.boxes[key], self.geo.centre[key]
        return POOL_HEADER + u - b.along / 2, v - self.top - b.across / 2, b.along, b.across

    def at(self, u: float, v: float) -> tuple[float, float]:
        return POOL_HEADER + u, v - self.top

    def shape_of(self, eid: str) -> _Shape:
        return next(s for s in self.shapes if s.element == eid)


def _process(root: ET.Element, collaboration: ET.Element, process: Process, page: Page,
             n: int, ids: dict[str, str], lang: str
             ) -> tuple[list[_Shape], list[_Edge], float]:
    """One process as a pool: its elements under ``root`` and ``collaboration``; its
    shapes, edges and height for the diagram."""
    block = page.scene.blocks[0]
    proc = _pool(root, collaboration, process, n, ids)
    pool = _Pool(process, proc, n, page.geometry, ids, lang)
    for key, node in block.nodes.items():
        if node.kind in ANNOTATIONS:
            _annotation(pool, key, node)
        else:
            _flow_node(pool, key, node)
    merge_of = _merges(pool, block)
    structure = _sequence_flows(pool, block, page.routes, merge_of)
    pool.proc.insert(0, _lane_set(pool))
    pool.shapes.insert(0, _Shape(f"Participant_{n}", 0.0, 0.0, pool.width, pool.height, True))
    pool.proc.insert(0, _source(process, block, structure))
    _order(pool.proc)
    return pool.shapes, pool.edges, pool.height


def _pool(root: ET.Element, collaboration: ET.Element, process: Process, n: int,
          ids: dict[str, str]) -> ET.Element:
    """The ``process`` element, and its pool: the collaboration's participant."""
    pid = ids[process.id]
    proc = ET.SubElement(root, _q(BPMN, "process"), {
        "id": pid, "name": process.title, "isExecutable": "false",
        _q(BPRKIT, "id"): process.id, _q(BPRKIT, "state"): process.state})
    if process.owner:
        proc.set(_q(BPRKIT, "owner"), process.owner)
    if process.volume is not None:
        proc.set(_q(BPRKIT, "volume"), writer.volume(process.volume))  # the season too
    if writer.records(process):  # its documents and data, which steps' bodies name
        proc.set(_q(BPRKIT, "records"), "; ".join(writer.records(process)))
    if process.phases:  # its phases in order; each step says its own (bprkit:phase)
        proc.set(_q(BPRKIT, "phases"), json.dumps([[ph.id, ph.label] for ph in process.phases],
                                                  ensure_ascii=False))
    ET.SubElement(collaboration, _q(BPMN, "participant"), {
        "id": f"Participant_{n}", "name": process.title, "processRef": pid})
    return proc


def _annotation(pool: _Pool, key: str, node: Node) -> None:
    eid = pool.new_id("TextAnnotation")
    ann = ET.SubElement(pool.proc, _q(BPMN, "textAnnotation"), {"id": eid})
    prefix = messages.text(pool.lang, f"interop_{node.kind}")
    ET.SubElement(ann, _q(BPMN, "text")).text = f"{prefix}: {node.title}"
    pool.element[key] = eid
    pool.shapes.append(_Shape(eid, *pool.box(key)))


def _flow_node(pool: _Pool, key: str, node: Node) -> None:
    """A task, call activity, gateway or event, in its lane, with its shape."""
    tag, family = _kind(node, pool.process)
    eid = pool.new_id(family)
    el = ET.SubElement(pool.proc, _q(BPMN, tag), {"id": eid})
    pool.element[key] = eid
    _node_attrs(pool, el, node)
    if node.kind in ("fork", "branch"):
        el.set("gatewayDirection", "Diverging")
    elif node.kind == "join":
        el.set("gatewayDirection", "Converging")
    pool.lane_of_node.setdefault(node.lane, []).append(eid)
    x, y, w, h = pool.box(key)
    if node.kind in GATEWAY_SIZE:  # square diamonds (bprkit draws bars, flat diamonds)
        side = GATEWAY_SIZE[node.kind]
        cx, cy = x + w / 2, y + h / 2
        x, y, w, h = cx - side / 2, cy - side / 2, side, side
    pool.shapes.append(_Shape(eid, x, y, w, h))


def _node_attrs(pool: _Pool, el: ET.Element, node: Node) -> None:
    """A flow node's name and bprkit attributes."""
    if node.kind == "step":
        step = pool.steps[node.ref]
        el.set("name", step.title)
        _step_attrs(el, step, pool.lang)
        if step.id in pool.phase_of:
            el.set(_q(BPRKIT, "phase"), pool.phase_of[step.id])
        el.set(_q(BPRKIT, "order"), str(pool.order[step.id]))
    elif node.kind == "use":
        _use_attrs(pool, el, node)
    elif node.kind == "branch":  # a decision needs a name (bpmnlint label-required)
        el.set("name", node.title or messages.text(pool.lang, "interop_branch"))
    elif node.kind in ("start", "end"):
        el.set("name", messages.text(pool.lang, f"interop_{node.kind}"))


def _use_attrs(pool: _Pool, el: ET.Element, node: Node) -> None:
    el.set("name", node.detail or node.ref)
    el.set(_q(BPRKIT, "use"), node.ref)
    if node.ref in pool.ids:
        el.set("calledElement", pool.ids[node.ref])
    use = next((u for u in iter_uses(pool.process.flow) if u.process == node.ref), None)
    if use is not None and use.times != 1:
        el.set(_q(BPRKIT, "times"), f"{use.times:g}")
    if use is not None and use.batch is not None:
        el.set(_q(BPRKIT, "batch"), writer.batch_words(use.batch))


def _merges(pool: _Pool, block: Block) -> dict[str, str]:
    """An explicit merging gateway before each node that several flows enter (a join
    merges by itself): node key → the gateway's id."""
    incoming: dict[str, int] = {}
    for e in block.edges:
        if e.kind in ("flow", "rework"):
            incoming[e.dst] = incoming.get(e.dst, 0) + 1
    merge_of: dict[str, str] = {}
    boxes = [pool.box(k) for k in pool.geo.boxes]
    for key, into in incoming.items():
        node = block.nodes[key]
        if into > 1 and node.kind != "join":
            gid = pool.new_id("Gateway")
            gw = ET.SubElement(pool.proc, _q(BPMN, "exclusiveGateway"),
                               {"id": gid, "gatewayDirection": "Converging"})
            gw.set(_q(BPRKIT, "merge"), "true")
            merge_of[key] = gid
            pool.lane_of_node.setdefault(node.lane, []).append(gid)
            pool.shapes.append(_merge_shape(gid, pool.box(key), pool.shapes, boxes))
    return merge_of


def _sequence_flows(pool: _Pool, block: Block, routes: Routes, merge_of: dict[str, str]
                    ) -> list[tuple[str, str]]:
    """The flows and associations along the diagram's routes, a flow into a merged
    node going to its gateway; the (source, target) bprkit refs of each flow."""
    structure = []
    for k, e in enumerate(block.edges):
        if e.kind == "repeat":
            continue
        pts = [pool.at(u, v) for u, v in routes.points[k]]
        if e.kind == "attach":
            aid = f"Association_{pool.n}_{k + 1}"
            ET.SubElement(pool.proc, _q(BPMN, "association"), {
                "id": aid, "sourceRef": pool.element[e.src],
                "targetRef": pool.element[e.dst]})
            pool.edges.append(_Edge(aid, pts))
            continue
        src, dst = pool.element[e.src], pool.element[e.dst]
        if block.nodes[e.src].kind in GATEWAY_SIZE:  # from the square diamond's edge
            pts = _on_diamond(pts, pool.shape_of(src), start=True)
        if e.dst in merge_of:
            dst = merge_of[e.dst]
            pts = _into(pts, pool.shape_of(dst))
        elif block.nodes[e.dst].kind in GATEWAY_SIZE:
            pts = _on_diamond(pts, pool.shape_of(dst), start=False)
        _add_flow(pool, src, dst, pts, e.p, _label_box(pool, routes, k))
        structure.append((_ref(block.nodes[e.src]), _ref(block.nodes[e.dst])))
    for key, gid in merge_of.items():
        _add_flow(pool, gid, pool.element[key], _out_of(pool.shape_of(gid), pool.box(key)))
    return structure


def _label_box(pool: _Pool, routes: Routes, k: int
               ) -> tuple[float, float, float, float] | None:
    """Where the diagram draws edge ``k``'s label (x, y, w, h), if it has one."""
    if k not in routes.labels:
        return None
    u0, v0, u1, v1, _ = routes.labels[k]
    (x0, y0), (x1, y1) = pool.at(u0, v0), pool.at(u1, v1)
    return x0, y0, x1 - x0, y1 - y0


def _add_flow(pool: _Pool, src: str, dst: str, points: list[tuple[float, float]],
              p: float | None = None,
              label: tuple[float, float, float, float] | None = None) -> None:
    """A sequence flow (its share, if any, as its name and in ``bprkit:probability``),
    named in its ends' ``outgoing`` and ``incoming``, and its edge."""
    fid = pool.new_id("Flow")
    attrs = {"id": fid, "sourceRef": src, "targetRef": dst}
    name = f"{p * 100:g}%" if p is not None else ""
    if name:
        attrs["name"] = name
    seq = ET.SubElement(pool.proc, _q(BPMN, "sequenceFlow"), attrs)
    if p is not None:
        seq.set(_q(BPRKIT, "probability"), f"{p:.6g}")
    for ref, attr in ((src, "outgoing"), (dst, "incoming")):
        owner = _by_id(pool.proc, ref)
        if owner is not None:
            _add_ref(owner, attr, fid)
    pool.edges.append(_Edge(fid, points, label if name else None))


def _lane_set(pool: _Pool) -> ET.Element:
    """The lanes, each with its flow nodes, and their shapes."""
    lane_set = ET.Element(_q(BPMN, "laneSet"), {"id": f"LaneSet_{pool.n}"})
    lanes = {lane.id: lane for lane in pool.process.lanes}
    for k, (key, title, v0, v1) in enumerate(pool.geo.lanes, 1):
        lid = f"Lane_{pool.n}_{k}"
        model_lane = lanes.get(key)
        # the lane's own label: its role is in bprkit:role (BPMN writes lane names upright)
        name = model_lane.title if model_lane is not None else title
        lane = ET.SubElement(lane_set, _q(BPMN, "lane"), {"id": lid, "name": name})
        if model_lane is not None:
            lane.set(_q(BPRKIT, "id"), model_lane.id)
            lane.set(_q(BPRKIT, "role"), model_lane.role)
        for ref in pool.lane_of_node.get(key, []):
            ET.SubElement(lane, _q(BPMN, "flowNodeRef")).text = ref
        pool.shapes.append(_Shape(lid, POOL_HEADER, v0 - pool.top, pool.width - POOL_HEADER,
                                  v1 - v0, True))
    return lane_set


def _source(process: Process, block: Block, structure: list[tuple[str, str]]
            ) -> ET.Element:
    """The process's own text, for an exact round trip while the structure is
    unchanged: ``bprkit:source`` with the structure's fingerprint."""
    nodes = [(_kind(node, process)[0], node.title if node.kind == "step" else "",
              _ref(node)) for node in block.nodes.values() if node.kind not in ANNOTATIONS]
    ext = ET.Element(_q(BPMN, "extensionElements"))
    source = ET.SubElement(ext, _q(BPRKIT, "source"),
                           {"fingerprint": fingerprint(nodes, structure)})
    source.text = writer.write(SourceFile("<bpmn>", (), (process,)))
    return ext


def _ref(node: Node) -> str:
    return node.ref or node.kind


def _kind(node: Node, process: Process) -> tuple[str, str]:
    """(BPMN tag, id family) of a scene node."""
    if node.kind == "step":
        step = process.step(node.ref)
        lane = process.lane(step.lane) if step else None
        return TASK_BY_ROLE.get(lane.role if lane else "", "userTask"), "Task"
    return {"start": ("startEvent", "Event"), "end": ("endEvent", "Event"),
            "use": ("callActivity", "Task"), "branch": ("exclusiveGateway", "Gateway"),
            "fork": ("parallelGateway", "Gateway"), "join": ("parallelGateway", "Gateway"),
            "point": ("intermediateThrowEvent", "Event")}[node.kind]


def _step_attrs(el: ET.Element, s: Step, lang: str) -> None:
    from bprkit.render.scene import duration_text

    el.set(_q(BPRKIT, "id"), s.id)
    el.set(_q(BPRKIT, "lane"), s.lane)
    parts = []
    if s.duration is not None:
        el.set(_q(BPRKIT, "duration"), writer.duration(s.duration))
        parts.append(messages.text(lang, "interop_duration",
                                   time=duration_text(s.duration, lang)))
    if s.wait is not None:
        el.set(_q(BPRKIT, "wait"), writer.duration(s.wait))
        parts.append(messages.text(lang, "diagram_wait", time=duration_text(s.wait, lang)))
    if s.batch is not None:
        el.set(_q(BPRKIT, "batch"), writer.batch_words(s.batch))
    if s.levers is not None:  # pinned levers, or none: the analyst's call travels too
        el.set(_q(BPRKIT, "levers"), ",".join(s.levers) or "none")
    body = writer.step_body(s, writer.ENGLISH)
    if body:  # documents, data, notes, pains, basis …: read back after an edit elsewhere
        el.set(_q(BPRKIT, "body"), "; ".join(body))
    if s.tags:
        el.set(_q(BPRKIT, "tags"), ",".join(s.tags))
        parts.append(messages.separator(lang).join(_tag(t, lang) for t in s.tags))
    parts += list(s.notes)
    if parts:
        ET.SubElement(el, _q(BPMN, "documentation")).text = " / ".join(parts)


def _tag(tag: str, lang: str) -> str:
    """A tag as the reader's language names it (紙, 定型 …)."""
    key = f"tag_{tag}"
    return messages.text(lang, key) if key in messages.catalog(lang)["text"] else tag


def _by_id(parent: ET.Element, ident: str) -> ET.Element | None:
    return next((c for c in parent if c.get("id") == ident), None)


def _add_ref(owner: ET.Element, attr: str, fid: str) -> None:
    ET.SubElement(owner, _q(BPMN, attr)).text = fid


ARTIFACTS = ("textAnnotation", "association", "group")


def _order(proc: ET.Element) -> None:
    """The schema's order: in a process, extension elements, the lane set, the flow
    elements, then the artifacts; in each flow element, documentation first, then
    incoming and outgoing, then anything of its own."""
    def local(el: ET.Element) -> str:
        return el.tag.split("}")[-1]

    rank = {"documentation": 0, "extensionElements": 1, "laneSet": 2}
    children = sorted(proc, key=lambda c: rank.get(local(c), 4 if local(c) in ARTIFACTS
                                                   else 3))
    for c in list(proc):
        proc.remove(c)
    inner = {"documentation": 0, "extensionElements": 1, "incoming": 2, "outgoing": 3}
    for child in children:
        ordered = sorted(child, key=lambda c: inner.get(local(c), 4))
        for c in list(child):
            child.remove(c)
        child.extend(ordered)
        proc.append(child)


def _merge_shape(gid: str, target: tuple[float, float, float, float],
                 shapes: Sequence[_Shape], boxes: Sequence[tuple[float, float, float, float]]
                 ) -> _Shape:
    """A merging gateway beside its target: left of it where that is free, else above,
    below, or (no room anywhere) overlapping the target's left edge."""
    x, y, w, h = target
    cy, cx = y + h / 2, x + w / 2
    candidates = [(x - MERGE - 12, cy - MERGE / 2), (cx - MERGE / 2, y - MERGE - 10),
                  (cx - MERGE / 2, y + h + 10), (x - MERGE - 4, cy - MERGE / 2)]
    # farther out, then beside the target's corners: a merge never covers a task
    candidates += [(x - MERGE - d, cy - MERGE / 2) for d in (24, 40, 60)]
    candidates += [(px, py) for d in (4, 12, 24, 40) for px in (x - MERGE - d, x - MERGE / 2,
                                                                cx - MERGE / 2)
                   for py in (y - MERGE - d, y + h + d)]
    taken = [(s.x, s.y, s.w, s.h) for s in shapes if s.horizontal is None] + list(boxes)

    def free(px: float, py: float) -> bool:
        return px >= 0 and py >= 0 and all(
            px + MERGE + 2 <= bx or bx + bw + 2 <= px or py + MERGE + 2 <= by or
            by + bh + 2 <= py for bx, by, bw, bh in taken)

    px, py = next((c for c in candidates if free(*c)), (x - MERGE / 2, cy - MERGE / 2))
    return _Shape(gid, px, py, MERGE, MERGE)


def _on_diamond(points: list[tuple[float, float]], gw: _Shape, start: bool
                ) -> list[tuple[float, float]]:
    """A route's end moved onto the edge of the square diamond BPMN draws for a gateway
    (the route was made for bprkit's flat diamond or bar, so it stopped short of the
    diamond or ran into it): along its last leg, to where that leg meets the diamond."""
    if len(points) < 2:
        return points
    pts = list(points)
    k, j = (0, 1) if start else (-1, -2)
    (x, y), (qx, qy) = pts[k], pts[j]
    cx, cy, half = gw.x + gw.w / 2, gw.y + gw.h / 2, gw.w / 2
    if abs(y - qy) < 0.5 and abs(y - cy) < half:  # a level leg: to the left or right point
        pts[k] = (cx + (half - abs(y - cy)) * (1 if qx > cx else -1), y)
    elif abs(x - qx) < 0.5 and abs(x - cx) < half:  # an upright leg: top or bottom
        pts[k] = (x, cy + (half - abs(x - cx)) * (1 if qy > cy else -1))
    return pts


def _into(points: list[tuple[float, float]], gw: _Shape) -> list[tuple[float, float]]:
    """A route that ended at the merged node, ending at right angles on the gateway
    instead: its last leg goes to the gateway's nearest corner."""
    cx, cy = gw.x + gw.w / 2, gw.y + gw.h / 2
    px, py = points[-2] if len(points) > 1 else points[0]
    if abs(py - cy) <= gw.h / 2:  # level with it: straight in from the side
        side = gw.x if px <= cx else gw.x + gw.w
        return [*points[:-1], (side, py if abs(py - cy) < 1 else cy)] if abs(py - cy) < 1 \
            else [*points[:-1], (px, cy), (side, cy)]
    corner = (cx, gw.y) if py < cy else (cx, gw.y + gw.h)
    return [*points[:-1], (cx, py), corner]


def _out_of(gw: _Shape, target: tuple[float, float, float, float]
            ) -> list[tuple[float, float]]:
    """From a merging gateway into its node, at right angles."""
    x, y, w, h = target
    cx, cy = gw.x + gw.w / 2, gw.y + gw.h / 2
    if gw.x + gw.w <= x:  # left of the node
        return [(gw.x + gw.w, cy), (x, cy)] if y <= cy <= y + h else \
            [(gw.x + gw.w, cy), (x + w / 2, cy), (x + w / 2, y if cy < y else y + h)]
    if cy < y:  # above
        return [(cx, gw.y + gw.h), (cx, y)]
    if cy > y + h:  # below
        return [(cx, gw.y), (cx, y + h)]
    return [(gw.x + gw.w, cy), (x, cy)]


def _di(plane: ET.Element, shapes: Sequence[_Shape], edges: Sequence[_Edge]) -> None:
    for s in shapes:
        attrs = {"id": f"{s.element}_di", "bpmnElement": s.element}
        if s.horizontal is not None:
            attrs["isHorizontal"] = "true"
        shape = ET.SubElement(plane, _q(BPMNDI, "BPMNShape"), attrs)
        ET.SubElement(shape, _q(DC, "Bounds"), _bounds(s.x, s.y, s.w, s.h))
    for e in edges:
        edge = ET.SubElement(plane, _q(BPMNDI, "BPMNEdge"),
                             {"id": f"{e.element}_di", "bpmnElement": e.element})
        for x, y in e.points:
            ET.SubElement(edge, _q(DI, "waypoint"), {"x": f"{x:.1f}", "y": f"{y:.1f}"})
        if e.label:
            label = ET.SubElement(edge, _q(BPMNDI, "BPMNLabel"))
            ET.SubElement(label, _q(DC, "Bounds"), _bounds(*e.label))


def _bounds(x: float, y: float, w: float, h: float) -> dict[str, str]:
    return {"x": f"{x:.1f}", "y": f"{y:.1f}", "width": f"{w:.1f}", "height": f"{h:.1f}"}
