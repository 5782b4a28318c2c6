"""BPMN 2.0 from other tools (and from our own export) into ``.bpr`` text.

The XML is read with expat directly: a DOCTYPE or an entity declaration is refused
before anything is expanded (no file is read, nothing is fetched), and every element
keeps its line for the report.

A process exported by bprkit carries its ``.bpr`` text and a fingerprint of the
structure it was written for; when the structure is unchanged the text is taken
as it is (an exact round trip). Otherwise the process is read from its structure:

- lanes → ``lane`` (role from ``bprkit:role``, else guessed from the name: 住民/申請者
  → 住民, 窓口 → 窓口, 決裁/課長/部長 → 決裁, システム → システム, 保存/書庫 → 保存,
  外部/業者 → 外部, else 内部事務);
- tasks of every kind and collapsed sub-processes → ``step`` (durations, waits and
  tags from ``bprkit:`` attributes when present);
- call activities → ``use`` of the called process, or a step when it is not in the
  file;
- a diverging exclusive, inclusive, event-based or complex gateway → ``branch``
  with each flow's share (``bprkit:probability``, else a percentage in the flow's
  name, else equal shares, written as assumptions);
- a diverging parallel gateway → ``parallel`` with one ``path`` per flow up to the
  gateway where they meet; converging gateways → merges (implicit in ``.bpr``);
- start and end events → the process's start and end; other events are passed
  through.

Anything else (message flows, data objects and stores, boundary and intermediate
events, text annotations, groups) is reported with its id and line, and left out.

The limits of bprkit.interop.limits hold: a file larger than MAX_BPMN_BYTES is refused before
it is parsed, one of more than MAX_BPMN_ELEMENTS elements as soon as expat reaches
the one too many, and a ``.bpr`` text that ``bprkit check`` would refuse for its size
(E007) before anything is written.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.parsers import expat

from bprkit.errors import CatalogError
from bprkit.interop.bpmn_export import BPMN, BPRKIT, fingerprint
from bprkit.interop.limits import (
    MAX_BPMN_BYTES,
    MAX_BPMN_ELEMENTS,
    check_input_size,
    check_output_size,
)

TASKS = {"task", "userTask", "manualTask", "serviceTask", "scriptTask", "sendTask",
         "receiveTask", "businessRuleTask", "subProcess", "adHocSubProcess", "transaction"}
SPLITS = {"exclusiveGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
EVENTS = {"intermediateThrowEvent", "intermediateCatchEvent"}
IGNORED = {"documentation", "extensionElements", "incoming", "outgoing", "laneSet",
           "sequenceFlow", "text", "conditionExpression", "flowNodeRef"}
NOT_MAPPED = {"dataObject", "dataObjectReference", "dataStoreReference", "textAnnotation",
              "association", "group", "boundaryEvent", "dataInputAssociation",
              "dataOutputAssociation", "property", "ioSpecification", "category",
              "multiInstanceLoopCharacteristics", "standardLoopCharacteristics"}
ROLE_WORDS = (("住民", "resident"), ("申請者", "resident"), ("届出人", "resident"),
              ("お客様", "resident"), ("顧客", "resident"), ("利用者", "resident"),
              ("市民", "resident"), ("applicant", "resident"), ("citizen", "resident"),
              ("customer", "resident"), ("窓口", "counter"), ("counter", "counter"),
              ("決裁", "approval"), ("課長", "approval"), ("部長", "approval"),
              ("manager", "approval"), ("approv", "approval"), ("システム", "system"),
              ("system", "system"), ("保存", "storage"), ("書庫", "storage"),
              ("archive", "storage"), ("外部", "external"), ("業者", "external"),
              ("external", "external"), ("vendor", "external"))
ROLE_WORD = {"resident": "住民", "counter": "窓口", "back_office": "内部事務",
             "approval": "決裁", "storage": "保存", "system": "システム", "external": "外部"}


class BpmnImportError(CatalogError):
    """A BPMN file that cannot be read: the message names the file, line and element."""

    exit_code = 1


@dataclass(frozen=True)
class Note:
    """Something of the BPMN file that the ``.bpr`` does not hold, and where."""

    line: int
    element: str
    what: str
    """not_mapped | assumed_share | passed_through | no_lane | called_missing |
    unstructured | edited | several_starts"""
    detail: str = ""


@dataclass
class Result:
    text: str
    notes: list[Note] = field(default_factory=list)
    processes: int = 0


def _parse(data: bytes, path: str) -> tuple[ET.Element, dict[int, int]]:
    """The tree, and each element's line (by ``id()``); DOCTYPE and entities refused."""
    check_input_size(path, len(data), MAX_BPMN_BYTES, BpmnImportError, "import_too_large")
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[ET.Element] = []
    lines: dict[int, int] = {}
    root: list[ET.Element] = []
    text: list[str] = []

    def refuse(*_: object) -> None:
        raise BpmnImportError(f"{path}:{parser.CurrentLineNumber}", "import_doctype")

    def tag(name: str) -> str:
        uri, _, local = name.rpartition(" ")
        return f"{{{uri}}}{local}" if uri else local

    def start(name: str, attrs: dict[str, str]) -> None:
        if len(lines) >= MAX_BPMN_ELEMENTS:
            raise BpmnImportError(f"{path}:{parser.CurrentLineNumber}", "import_elements",
                                  limit=f"{MAX_BPMN_ELEMENTS:,}")
        el = ET.Element(tag(name), {tag(k): v for k, v in attrs.items()})
        lines[id(el)] = parser.CurrentLineNumber
        if stack:
            stack[-1].append(el)
        else:
            root.append(el)
        stack.append(el)
        text.clear()

    def end(name: str) -> None:
        el = stack.pop()
        if text and len(el) == 0:
            el.text = "".join(text)
        text.clear()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = lambda *a: refuse()  # type: ignore[assignment]
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text.append
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise BpmnImportError(f"{path}:{exc.lineno}:{exc.offset + 1}", "import_malformed",
                              detail=expat.ErrorString(exc.code)) from None
    return root[0], lines


def _local(el: ET.Element) -> str:
    return el.tag.rpartition("}")[2]


def _ns(el: ET.Element) -> str:
    return el.tag[1:].partition("}")[0] if el.tag.startswith("{") else ""


def name_of(text: str, fallback: str, taken: set[str]) -> str:
    """A ``.bpr`` name from a BPMN name or id: letters, digits, _, ・, ー, 々 and inner
    hyphens; unique among ``taken``."""
    text = unicodedata.normalize("NFKC", text or "")
    cleaned = re.sub(r"[^\w・ー々-]+", "_", text).strip("_-")
    cleaned = re.sub(r"-{2,}", "-", cleaned)[:40].strip("_-")
    if not cleaned or cleaned[0].isdigit() or cleaned.lower() == "end":
        cleaned = re.sub(r"[^\w]+", "_", fallback).strip("_") or "x"
        if cleaned[0].isdigit():
            cleaned = "n" + cleaned
    out, k = cleaned, 2
    while out in taken:
        out, k = f"{cleaned}_{k}", k + 1
    taken.add(out)
    return out


def _label(text: str) -> str:
    """A label in 「」 (brackets inside become full-width parentheses)."""
    flat = " ".join((text or "").split())
    return "「" + flat.replace("「", "（").replace("」", "）") + "」"


@dataclass
class _Node:
    ident: str
    kind: str
    el: ET.Element
    line: int
    name: str = ""
    lane: str = ""
    outs: list[tuple[str, float | None, str]] = field(default_factory=list)
    """(target, share, flow name) of each outgoing flow."""
    ins: list[str] = field(default_factory=list)


class _Process:
    """One BPMN process read into ``.bpr`` lines."""

    def __init__(self, el: ET.Element, lines: dict[int, int], title: str, pid: str,
                 known: dict[str, str], notes: list[Note], taken: set[str],
                 linear: bool = False) -> None:
        self.el, self.lines, self.title, self.pid = el, lines, title, pid
        self.linear = linear
        """Every piece of work one after the other, no branch or parallel block: the
        fallback when the flow cannot be written as ``.bpr`` blocks."""
        self.known, self.notes = known, notes
        self.nodes: dict[str, _Node] = {}
        self.names: dict[str, str] = {}
        self.taken = set(taken)
        self.lane_ids: dict[str, str] = {}
        self.lane_lines: list[str] = []
        self.default_lane: str | None = None

    def line(self, el: ET.Element) -> int:
        return self.lines.get(id(el), 0)

    def read(self) -> list[str]:
        self._lanes()
        flows = []
        for el in self.el:
            kind = _local(el)
            ident = el.get("id", "")
            if _ns(el) != BPMN or kind in IGNORED - {"sequenceFlow"}:
                if kind == "sequenceFlow":
                    flows.append(el)
                continue
            if kind == "sequenceFlow":
                flows.append(el)
            elif kind in TASKS | SPLITS | EVENTS | {"callActivity", "parallelGateway",
                                                    "startEvent", "endEvent"}:
                node = _Node(ident, kind, el, self.line(el), el.get("name", "") or "")
                node.lane = self.lane_ids.get(ident, "")
                self.nodes[ident] = node
                if kind in EVENTS:
                    self.notes.append(Note(node.line, ident, "passed_through", kind))
                elif kind in ("subProcess", "adHocSubProcess", "transaction"):
                    self.notes.append(Note(node.line, ident, "subprocess", kind))
            else:
                self.notes.append(Note(self.line(el), ident or kind, "not_mapped", kind))
        for flow in flows:
            src, dst = flow.get("sourceRef", ""), flow.get("targetRef", "")
            if src not in self.nodes or dst not in self.nodes:
                self.notes.append(Note(self.line(flow), flow.get("id", ""), "not_mapped",
                                       "sequenceFlow"))
                continue
            share = flow.get(f"{{{BPRKIT}}}probability")
            p = float(share) if share else _percent(flow.get("name", ""))
            self.nodes[src].outs.append((dst, p, flow.get("name", "") or ""))
            self.nodes[dst].ins.append(src)
        return self._write()

    def _lanes(self) -> None:
        roles = {}
        for lane in self.el.iter(f"{{{BPMN}}}lane"):
            if lane.find(f"{{{BPMN}}}childLaneSet") is not None:
                continue  # a lane split into lanes: its children are the lanes
            title = lane.get("name", "") or f"{self.title} {len(self.lane_lines) + 1}"
            lid = lane.get(f"{{{BPRKIT}}}id") or name_of(title, lane.get("id", "L"),
                                                          self.taken)
            self.taken.add(lid)
            role = lane.get(f"{{{BPRKIT}}}role") or _guess_role(title)
            roles[lid] = role
            self.lane_lines.append(f"  lane {lid} {_label(title)} : {ROLE_WORD.get(role, role)}")
            for ref in lane.iter(f"{{{BPMN}}}flowNodeRef"):
                self.lane_ids[(ref.text or "").strip()] = lid

    def _lane_for(self, node: _Node) -> str:
        """The node's lane; work outside every lane goes to one lane 「担当」."""
        if node.lane:
            return node.lane
        if self.default_lane is None:
            self.default_lane = name_of("担当", "staff", self.taken)
            self.lane_lines.append(f"  lane {self.default_lane} {_label(self.title)} : 内部事務")
        if self.lane_ids:
            self.notes.append(Note(node.line, node.ident, "no_lane"))
        return self.default_lane

    # ── the flow ──
    def _real(self, ident: str, seen: set[str] | None = None) -> str | None:
        """Through merges and passed-through events to the node that does something
        (None: the end)."""
        seen = seen or set()
        while ident not in seen:
            seen.add(ident)
            n = self.nodes[ident]
            passing = n.kind in EVENTS
            merge = n.kind in SPLITS | {"parallelGateway"} and len(n.outs) <= 1 and \
                n.kind != "parallelGateway"
            if n.kind == "endEvent":
                return None
            if (passing or merge) and n.outs:
                ident = n.outs[0][0]
                continue
            if (passing or merge) and not n.outs:
                return None
            return ident
        return None

    def _write(self) -> list[str]:
        starts = [n for n in self.nodes.values() if n.kind == "startEvent"]
        if not starts:
            starts = [n for n in self.nodes.values() if not n.ins and n.kind != "endEvent"]
        if len(starts) > 1:
            self.notes.append(Note(starts[1].line, starts[1].ident, "several_starts"))
        for node in self.nodes.values():
            if node.kind in TASKS or node.kind == "callActivity":
                self.names[node.ident] = node.el.get(f"{{{BPRKIT}}}id") or name_of(
                    node.name, node.ident, self.taken)
        body: list[str] = []
        placed: set[str] = set()
        if self.linear:
            for ident in self._walk(starts):
                if ident in self.names:
                    body.append("  " + self._item(self.nodes[ident]))
            return self.lane_lines + body
        first = self._real(starts[0].outs[0][0]) if starts and starts[0].outs else None
        if starts and not starts[0].outs:
            first = None
        todo = [first] if first else []
        if not starts and self.nodes:
            todo = [next(iter(self.nodes))]
        while todo:
            ident = todo.pop(0)
            if ident is None or ident in placed:
                continue
            body += self._chain(ident, placed, todo, "  ", stop=None)
        for ident in self.nodes:  # unreachable work still shows
            if ident not in placed and ident in self.names:
                body += self._chain(ident, placed, [], "  ", stop=None)
        return self.lane_lines + body

    def _region(self, entry: str, join: str | None) -> set[str]:
        """The nodes of a parallel path: reachable from its entry before the join."""
        seen, todo = set(), [entry]
        while todo:
            n = todo.pop()
            if n in seen or n == join:
                continue
            seen.add(n)
            todo += [t for t, _, _ in self.nodes[n].outs]
        return seen

    def _chain(self, ident: str | None, placed: set[str], todo: list, indent: str,
               stop: str | None, region: set[str] | None = None) -> list[str]:
        """Lines from ``ident`` on, along the flow, until ``stop`` (a join), the end or
        a node already placed (then a jump)."""
        out: list[str] = []
        while ident is not None and ident != stop:
            if ident in placed:
                if stop is not None:  # a path may not jump out of its parallel block
                    self.notes.append(Note(self.nodes[ident].line, ident, "unstructured",
                                           "parallelGateway"))
                elif out and ident in self.names and not self._is_use(self.nodes[ident]):
                    out[-1] = self._jump(out[-1], self.names[ident])
                break
            node = self.nodes[ident]
            placed.add(ident)
            if node.kind == "parallelGateway" and len(node.outs) > 1:
                join = self._join(node)
                if join is None:  # paths that never meet: read one after the other
                    todo += [self._real(t) for t, _, _ in node.outs[1:]]
                    ident = self._real(node.outs[0][0])
                    continue
                out.append(f"{indent}parallel {{")
                for target, _, _ in node.outs:
                    out.append(f"{indent}  path {{")
                    inner = self._chain(self._real(target), placed, todo, indent + "    ",
                                        stop=join, region=self._region(target, join))
                    out += inner or [f"{indent}    step {name_of('', ident + '_空', self.taken)}"
                                     f" 「（なし）」 @{self._lane_for(node)}"]
                    out.append(f"{indent}  }}")
                out.append(f"{indent}}}")
                if join is None:
                    break
                placed.add(join)
                ident = self._after(join)
                continue
            if node.kind in SPLITS and len(node.outs) > 1:
                out += self._branch(node, indent, placed, todo, region=region)
                break
            if node.kind == "parallelGateway":  # a join met outside its block
                ident = self._after(ident)
                continue
            out.append(indent + self._item(node))
            nxt = self._after(ident)
            if len(node.outs) > 1:  # a task with several flows out: an implicit split
                out += self._branch(node, indent, placed, todo, implicit=True, region=region)
                break
            if nxt is not None and self.nodes[nxt].kind in SPLITS and \
                    len(self.nodes[nxt].outs) > 1 and nxt not in placed:
                placed.add(nxt)
                out += self._branch(self.nodes[nxt], indent, placed, todo, region=region)
                break
            if nxt is None:
                if stop is None and self._more_to_place(placed):
                    out[-1] = self._jump(out[-1], "end")
                break
            ident = nxt
        return out

    def _walk(self, starts: list[_Node]) -> list[str]:
        """Every node in breadth-first order from the starts (then the rest)."""
        order: list[str] = []
        seen: set[str] = set()
        todo = [n.ident for n in starts] + list(self.nodes)
        while todo:
            n = todo.pop(0)
            if n in seen:
                continue
            seen.add(n)
            order.append(n)
            todo[0:0] = [t for t, _, _ in self.nodes[n].outs]
        return order

    def _more_to_place(self, placed: set[str]) -> bool:
        return any(i not in placed for i in self.names)

    def _after(self, ident: str) -> str | None:
        node = self.nodes[ident]
        return self._real(node.outs[0][0]) if node.outs else None

    def _jump(self, line: str, target: str) -> str:
        """The step's line with its jump, which goes before a body (``{ batch … }``)."""
        if line.lstrip().startswith("step ") and " -> " not in line:
            if line.endswith(" }") and " { " in line:
                head, body = line.rsplit(" { ", 1)
                return f"{head} -> {target} {{ {body}"
            return f"{line} -> {target}"
        return line

    def _called(self, node: _Node) -> str | None:
        return node.el.get(f"{{{BPRKIT}}}use") or self.known.get(
            node.el.get("calledElement", ""))

    def _is_use(self, node: _Node) -> bool:
        """A call activity written as ``use``: its process is in the file and it is
        entered from one place only, not out of a split (a ``.bpr`` jump or branch can
        only name a step)."""
        if node.kind != "callActivity" or not self._called(node):
            return False
        before = self._preds(node.ident)
        return len(before) == 1 and len(self.nodes[before[0]].outs) == 1 and \
            self.nodes[before[0]].kind not in SPLITS

    def _preds(self, ident: str) -> list[str]:
        """The nodes a flow reaches ``ident`` from, through merges and events."""
        out: list[str] = []
        seen: set[str] = set()
        todo = list(self.nodes[ident].ins)
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            node = self.nodes[n]
            if node.kind in EVENTS or (node.kind in SPLITS and len(node.outs) <= 1):
                todo += node.ins
            else:
                out.append(n)
        return out

    def _item(self, node: _Node) -> str:
        name = self.names[node.ident]
        if node.kind == "callActivity":
            if self._is_use(node) or (self.linear and self._called(node)):
                times = node.el.get(f"{{{BPRKIT}}}times")
                batch = node.el.get(f"{{{BPRKIT}}}batch")
                return f"use {self._called(node)}" + (f" x {times}" if times else "") + (
                    f" batch {batch}" if batch else "")
            self.notes.append(Note(node.line, node.ident, "called_missing"
                                   if not self._called(node) else "called_as_step",
                                   node.el.get("calledElement", "")))
        lane = self._lane_for(node)
        parts = [f"step {name}", _label(node.name or node.ident), f"@{lane}"]
        tags = node.el.get(f"{{{BPRKIT}}}tags")
        if tags:
            parts.append("[" + ", ".join(tags.split(",")) + "]")
        duration = node.el.get(f"{{{BPRKIT}}}duration")
        if duration:
            parts.append(duration)
        wait = node.el.get(f"{{{BPRKIT}}}wait")
        if wait:
            parts.append(f"wait {wait}")
        body = []  # what bprkit wrote of the step's body: its batch and pinned levers
        batch = node.el.get(f"{{{BPRKIT}}}batch")
        if batch:
            body.append(f"batch {batch}")
        levers = node.el.get(f"{{{BPRKIT}}}levers")
        if levers:
            body.append("lever " + ", ".join(levers.split(",")))
        if body:
            parts.append("{ " + "; ".join(body) + " }")
        return " ".join(parts)

    def _branch(self, node: _Node, indent: str, placed: set[str], todo: list,
                implicit: bool = False, region: set[str] | None = None) -> list[str]:
        cases = []
        outs = self._flatten(node)
        for target, p, _name in outs:
            real = self._real(target)
            if real is not None and real not in self.names:
                # a gateway straight after a gateway: jump to its first piece of work
                real = self._first_work(real)
            if region is not None and (real is None or real not in region):
                # inside a parallel path a case can neither end nor leave the path
                self.notes.append(Note(node.line, node.ident, "unstructured",
                                       "parallelGateway"))
                continue
            cases.append((real, p, _name))
        if not cases:
            return []
        if len(cases) == 1:
            target = cases[0][0]
            if target is not None and target not in placed:
                todo.append(target)
            return []
        given = [p for _, p, _ in cases if p is not None]
        if any(p is None for _, p, _ in outs):
            given = []
        if len(given) != len(cases) or abs(sum(given) - 1) > 0.01:
            share = 1 / len(cases)
            cases = [(t, share, n) for t, _, n in cases]
            self.notes.append(Note(node.line, node.ident, "assumed_share",
                                   f"{len(cases)}"))
            comment = "  # assumption: equal shares (the BPMN file gives none)"
        else:
            comment = ""
        title = f" {_label(node.name)}" if node.name and not implicit else ""
        lines = [f"{indent}branch{title} {{{comment}"]
        for k, (target, p, flow_name) in enumerate(cases):
            name = "end" if target is None else self.names[target]
            head = "else" if k == len(cases) - 1 else f"{p * 100:.4g}%"
            said = " ".join(flow_name.split())
            lines.append(f"{indent}  {head} -> {name}" + (f"  # {said}" if said else ""))
            if target is not None and target not in placed:
                todo.append(target)
        lines.append(f"{indent}}}")
        return lines

    def _flatten(self, node: _Node, seen: frozenset[str] = frozenset()
                 ) -> list[tuple[str, float | None, str]]:
        """A split's ways, a split straight after it taken apart into its own ways
        (shares multiplied when both give them)."""
        out: list[tuple[str, float | None, str]] = []
        for target, p, name in node.outs:
            real = self._real(target)
            nested = self.nodes.get(real) if real else None
            if nested is not None and nested.kind in SPLITS and len(nested.outs) > 1 \
                    and real not in seen:
                for t, q, n in self._flatten(nested, seen | {node.ident}):
                    out.append((t, p * q if p is not None and q is not None else None,
                                n or name))
            else:
                out.append((target, p, name))
        return out

    def _first_work(self, ident: str) -> str | None:
        seen: set[str] = set()
        while ident not in seen:
            seen.add(ident)
            if ident in self.names:
                return ident
            node = self.nodes[ident]
            if not node.outs:
                return None
            self.notes.append(Note(node.line, node.ident, "unstructured", node.kind))
            ident = node.outs[0][0]
        return None

    def _join(self, fork: _Node) -> str | None:
        """The converging parallel gateway every path of ``fork`` reaches first."""
        reach: list[set[str]] = []
        for target, _, _ in fork.outs:
            seen, todo = set(), [target]
            while todo:
                n = todo.pop()
                if n in seen:
                    continue
                seen.add(n)
                todo += [t for t, _, _ in self.nodes[n].outs]
            reach.append(seen)
        common = set.intersection(*reach) if reach else set()
        joins = [n for n in common if self.nodes[n].kind == "parallelGateway"
                 and len(self.nodes[n].ins) > 1]
        if not joins:
            self.notes.append(Note(fork.line, fork.ident, "unstructured", "parallelGateway"))
            return None
        # the nearest: the one from which the others are reachable
        return min(joins, key=lambda j: sum(j in r for r in reach) * 0 + _distance(
            self.nodes, fork.ident, j))


def _distance(nodes: dict[str, _Node], src: str, dst: str) -> int:
    frontier, seen, k = [src], {src}, 0
    while frontier:
        if dst in frontier:
            return k
        frontier = [t for n in frontier for t, _, _ in nodes[n].outs if t not in seen]
        seen.update(frontier)
        k += 1
    return 10**9


def _percent(name: str) -> float | None:
    m = re.search(r"(\d+(?:\.\d+)?)\s*[%％]", unicodedata.normalize("NFKC", name or ""))
    return float(m.group(1)) / 100 if m else None


def _guess_role(title: str) -> str:
    low = unicodedata.normalize("NFKC", title).lower()
    return next((role for word, role in ROLE_WORDS if word in low), "back_office")


def _structure(el: ET.Element) -> str:
    """The fingerprint of a process as exported (bprkit.interop.bpmn_export.fingerprint)."""
    kinds = {}
    nodes, flows = [], []
    for child in el:
        kind = _local(child)
        ident = child.get("id", "")
        if kind in TASKS or kind == "callActivity":
            ref = child.get(f"{{{BPRKIT}}}id") or child.get(f"{{{BPRKIT}}}use") or ""
            kinds[ident] = ref
            nodes.append((kind, child.get("name", "") if kind in TASKS else "", ref))
        elif kind in ("startEvent", "endEvent", "exclusiveGateway", "parallelGateway",
                      "intermediateThrowEvent"):
            if child.get(f"{{{BPRKIT}}}merge") == "true":
                kinds[ident] = "#merge"
                continue
            ref = {"startEvent": "start", "endEvent": "end",
                   "exclusiveGateway": "branch", "intermediateThrowEvent": "point"}.get(kind)
            if kind == "parallelGateway":
                ref = "fork" if child.get("gatewayDirection") == "Diverging" else "join"
            kinds[ident] = ref or ""
            nodes.append((kind, "", ref or ""))
    outs: dict[str, list[str]] = {}
    pairs = []
    for child in el:
        if _local(child) == "sequenceFlow":
            src, dst = child.get("sourceRef", ""), child.get("targetRef", "")
            outs.setdefault(src, []).append(dst)
            pairs.append((src, dst))
    for src, dst in pairs:
        if kinds.get(src) == "#merge" or src not in kinds or dst not in kinds:
            continue
        if kinds[dst] == "#merge":
            flows += [(kinds[src], kinds.get(t, "")) for t in outs.get(dst, [])]
        else:
            flows.append((kinds[src], kinds[dst]))
    return fingerprint(nodes, flows)


def read(path: str, data: bytes) -> Result:
    """The ``.bpr`` text of a BPMN file, and what could not be mapped."""
    root, lines = _parse(data, path)
    if _local(root) != "definitions" or _ns(root) != BPMN:
        raise BpmnImportError(f"{path}:{lines.get(id(root), 1)}", "import_not_bpmn",
                              root=_local(root))
    processes = [el for el in root if _local(el) == "process" and _ns(el) == BPMN]
    if not processes:
        raise BpmnImportError(path, "import_no_process")
    notes: list[Note] = []
    titles = {}
    for part in root.iter(f"{{{BPMN}}}participant"):
        if part.get("processRef"):
            titles[part.get("processRef")] = part.get("name", "")
    for kind in ("messageFlow", "choreography", "conversation"):
        for el in root.iter(f"{{{BPMN}}}{kind}"):
            notes.append(Note(lines.get(id(el), 0), el.get("id", kind), "not_mapped", kind))
    taken: set[str] = set()
    known = {}
    for el in processes:
        title = _title(el, titles)
        pid = el.get(f"{{{BPRKIT}}}id") or name_of(title, el.get("id", "process"), taken)
        known[el.get("id", "")] = pid
    parts: list[list[str]] = []
    for el in processes:
        source = el.find(f"{{{BPMN}}}extensionElements/{{{BPRKIT}}}source")
        if source is not None and source.get("fingerprint") == _structure(el) and source.text:
            parts.append([source.text.strip("\n"), ""])
            continue
        if source is not None:
            notes.append(Note(lines.get(id(el), 0), el.get("id", ""), "edited"))
        parts.append(_process_text(el, lines, titles, known, notes, taken, False))
    text = _joined(path, parts)
    ids = list(known.values())
    name = ", ".join(ids[:3]) + (" …" if len(ids) > 3 else "")
    check_output_size(path, name, text, BpmnImportError)  # before checking it
    bad = _invalid(text, parts)
    for k in bad:  # a flow that does not fit .bpr blocks: its work in order, no branches
        el = processes[k]
        notes.append(Note(lines.get(id(el), 0), el.get("id", ""), "linear"))
        parts[k] = _process_text(el, lines, titles, known, notes, taken, True)
    text = _joined(path, parts)
    check_output_size(path, name, text, BpmnImportError)
    if bad and _invalid(text, parts):
        raise BpmnImportError(path, "import_unwritable")
    return Result(text, sorted(notes, key=lambda n: n.line), len(processes))


def _title(el: ET.Element, titles: dict[str, str]) -> str:
    """A process's name: its pool's (participant), else its own, else its id."""
    return titles.get(el.get("id", ""), "") or el.get("name") or el.get("id", "")


def _process_text(el: ET.Element, lines: dict[int, int], titles: dict[str, str],
                  known: dict[str, str], notes: list[Note], taken: set[str],
                  linear: bool) -> list[str]:
    title = _title(el, titles)
    pid = known[el.get("id", "")]
    body = _Process(el, lines, title, pid, known, notes, taken, linear).read()
    head = [f"process {pid} {_label(title)} {{"]
    if el.get(f"{{{BPRKIT}}}owner"):
        head.append(f"  owner {_label(el.get(f'{{{BPRKIT}}}owner', ''))}")
    if el.get(f"{{{BPRKIT}}}volume"):
        head.append(f"  volume {el.get(f'{{{BPRKIT}}}volume')}")
    if el.get(f"{{{BPRKIT}}}state") == "to_be":
        head.append("  state to_be")
    if not any(line.lstrip().startswith(("step", "use")) for line in body):
        lanes = [line.split()[1] for line in body if line.lstrip().startswith("lane ")]
        if not lanes:
            body.append("  lane 担当 「担当」 : 内部事務")
        body.append(f"  step 空 「（作業なし）」 @{lanes[0] if lanes else '担当'}")
        if not linear:
            notes.append(Note(lines.get(id(el), 0), el.get("id", ""), "no_work"))
    return head + body + ["}", ""]


def _joined(path: str, parts: list[list[str]]) -> str:
    out = [f"# imported from {path} by bprkit import"]
    for part in parts:
        out += part
    return "\n".join(out).rstrip() + "\n"


def _invalid(text: str, parts: list[list[str]]) -> list[int]:
    """The processes (by index) that the checker finds errors in."""
    import os
    import tempfile

    from bprkit.text.loader import check_files

    with tempfile.TemporaryDirectory(prefix="bprkit-import-") as folder:
        file = os.path.join(folder, "imported.bpr")
        with open(file, "w", encoding="utf-8") as fh:
            fh.write(text)
        report = check_files([file])
    errors = [d.span.line for d in report.diagnostics if d.is_error and d.span]
    if any(d.is_error and not d.span for d in report.diagnostics):
        return list(range(len(parts)))
    bad, start = [], 2  # line 1 is the comment
    for k, part in enumerate(parts):
        size = sum(p.count("\n") + 1 for p in part)
        if any(start <= line < start + size for line in errors):
            bad.append(k)
        start += size
    return bad


def describe(notes: Iterable[Note], path: str, lang: str) -> list[str]:
    """The report of what was not mapped, one line each: ``file:line: id: what``."""
    from bprkit.messages import catalog as messages

    return [f"{path}:{n.line}: {n.element}: "
            + messages.text(lang, f"import_{n.what}", detail=n.detail) for n in notes]
