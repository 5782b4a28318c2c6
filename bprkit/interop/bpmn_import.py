"""BPMN 2.0 from other tools (and from our own export) into ``.bpr`` text.

The XML is read with expat directly: a DOCTYPE or an entity declaration is refused
before anything is expanded (no file is read, nothing is fetched), and every element
keeps its line for the report.

A process exported by bprkit carries its ``.bpr`` text and a fingerprint of the
structure it was written for; when the structure is unchanged the text is taken
as it is (an exact round trip). Otherwise the process is read from its structure:

- lanes → ``lane`` (role from ``bprkit:role``, else guessed from the name's words and
  said: a resident by a whole word, a department never a resident; see ``_guess_role``);
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
events, text annotations, groups) is reported with its id and line, and left out,
and so is a ``bprkit:`` attribute whose value cannot be read.

A process read from its structure is built as model objects (bprkit.model: Process,
Lane, Step, Branch, Parallel, Use) and written by bprkit.text.writer, the one home of
``.bpr`` syntax: roles in Japanese, every other word as bprkit's export wrote it, in
the compact layout, with remarks (``# …``) after a branch whose shares were assumed
and after each case whose flow has a name.

The limits of bprkit.interop.limits hold: a file larger than MAX_BPMN_BYTES is refused before
it is parsed, one of more than MAX_BPMN_ELEMENTS elements as soon as expat reaches
the one too many, and a ``.bpr`` text that ``bprkit check`` would refuse for its size
(E007) before anything is written.
"""

from __future__ import annotations

import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TypeVar, cast
from xml.parsers import expat

from bprkit import vocabulary as vocab
from bprkit.errors import CatalogError
from bprkit.interop.bpmn_export import BPMN, BPRKIT, fingerprint
from bprkit.interop.limits import (
    MAX_BPMN_BYTES,
    MAX_BPMN_ELEMENTS,
    check_input_size,
    check_output_size,
)
from bprkit.model import (
    END,
    Batch,
    Branch,
    Case,
    Duration,
    FlowItem,
    Lane,
    Parallel,
    Path,
    Period,
    Phase,
    Process,
    Role,
    SourceFile,
    Step,
    Unit,
    Use,
    Volume,
    iter_steps,
    iter_uses,
)
from bprkit.text import writer

if TYPE_CHECKING:
    from bprkit.text.flow import FlowGraph

_T = TypeVar("_T")

TASKS = {"task", "userTask", "manualTask", "serviceTask", "scriptTask", "sendTask",
         "receiveTask", "businessRuleTask", "subProcess", "adHocSubProcess", "transaction"}
SPLITS = {"exclusiveGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
EVENTS = {"intermediateThrowEvent", "intermediateCatchEvent"}
SUBPROCESSES = {"subProcess", "adHocSubProcess", "transaction"}
BODY = ("reads", "writes", "uses", "produces", "stores", "system", "replaces", "notes",
        "pains", "basis")
"""A step's block statements that travel in ``bprkit:body`` (batch and levers travel
in attributes of their own)."""
IGNORED = {"documentation", "extensionElements", "incoming", "outgoing", "laneSet",
           "sequenceFlow", "text", "conditionExpression", "flowNodeRef"}
NOT_MAPPED = {"dataObject", "dataObjectReference", "dataStoreReference", "textAnnotation",
              "association", "group", "dataInputAssociation",
              "dataOutputAssociation", "property", "ioSpecification", "category",
              "multiInstanceLoopCharacteristics", "standardLoopCharacteristics"}
STARTS_QUESTION = "開始の経路"
"""The question of the branch that several start events become (a .bpr label)."""
ROLE_WORDS = (("住民", "resident"), ("申請者", "resident"), ("届出人", "resident"),
              ("お客様", "resident"), ("顧客", "resident"), ("利用者", "resident"),
              ("市民", "resident"), ("applicant", "resident"), ("citizen", "resident"),
              ("customer", "resident"), ("窓口", "counter"), ("counter", "counter"),
              ("決裁", "approval"), ("課長", "approval"), ("部長", "approval"),
              ("manager", "approval"), ("approv", "approval"), ("システム", "system"),
              ("system", "system"), ("保存", "storage"), ("書庫", "storage"),
              ("archive", "storage"), ("外部", "external"), ("業者", "external"),
              ("external", "external"), ("vendor", "external"))
WORDS = writer.Words(roles="ja")
"""How an import writes: lanes with their roles in Japanese (``: 窓口``); tags, times
and volumes in the words bprkit's export gives them."""


class BpmnImportError(CatalogError):
    """A BPMN file that cannot be read: the message names the file, line and element."""

    exit_code = 1


@dataclass(frozen=True)
class Note:
    """Something of the BPMN file that the ``.bpr`` does not hold, and where."""

    line: int
    element: str
    what: str
    """The message key after ``import_`` (messages/*.toml): not_mapped | assumed_share |
    passed_through | no_lane | called_missing | called_as_step | subprocess |
    subprocess_used | unstructured | linear | edited | no_work | several_starts |
    several_starts_first | role_guessed | implicit_parallel | no_join | black_box |
    boundary_exit | event_subprocess | phase_lost | lost_work | lost_succession |
    lost_lane"""
    detail: str = ""


@dataclass
class Result:
    text: str
    notes: list[Note] = field(default_factory=list)
    processes: int = 0


NS_SEPARATOR = "\x01"
"""Between a namespace and a name in expat's names: a character no XML document can hold
(a space is legal in a namespace URI, and expat refuses a URI holding its separator)."""


def _parse(data: bytes, path: str) -> tuple[ET.Element, dict[int, int]]:
    """The tree, and each element's line (by ``id()``); DOCTYPE and entities refused."""
    check_input_size(path, len(data), MAX_BPMN_BYTES, BpmnImportError, "import_too_large")
    parser = expat.ParserCreate(namespace_separator=NS_SEPARATOR)
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[ET.Element] = []
    lines: dict[int, int] = {}
    root: list[ET.Element] = []
    text: list[str] = []

    def refuse(*_: object) -> None:
        raise BpmnImportError(f"{path}:{parser.CurrentLineNumber}", "import_doctype")

    def refuse_entity(*_: object) -> int:
        refuse()
        return 0

    def tag(name: str) -> str:
        uri, _, local = name.rpartition(NS_SEPARATOR)
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
    parser.ExternalEntityRefHandler = refuse_entity
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


def label_text(text: str) -> str:
    """A label's text on one line, brackets 「」 made full-width parentheses, so that
    the writer puts it in 「」."""
    flat = " ".join((text or "").split())
    return flat.replace("「", "（").replace("」", "）")


# ── the values bprkit's export writes in bprkit: attributes (bprkit.text.writer's
# forms, Japanese words too); None when a value cannot be read ──

_NUM = r"[0-9][0-9,]*(?:\.[0-9]+)?"
_DURATION = re.compile(rf"({_NUM})(?:\s*(?:\.\.|~|〜)\s*({_NUM}))?"
                       rf"(?:\s*(?:\.\.|~|〜)\s*({_NUM}))?\s*([^\W\d_]+)")
_VOLUME = re.compile(rf"({_NUM})\s*件?\s*/\s*(\w+)(?:\s+(?:within|集中)\s+({_NUM})\s*"
                     rf"(?:days?|営業日|日)?(?:\s+({_NUM})\s*%)?)?")
_BATCH = re.compile(rf"(?:({_NUM})\s*件?|(\w+))(?:\s+(\w+))?")


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def read_duration(text: str) -> Duration | None:
    """``5..8..20min``, ``0.5d``, ``3〜5分``."""
    m = _DURATION.fullmatch(_normal(text))
    unit = vocab.lookup(vocab.UNITS, m.group(4)) if m else None
    if m is None or unit is None:
        return None
    values = [_number(v) for v in m.groups()[:3] if v]
    mode = values[1] if len(values) == 3 else None
    return Duration(values[0], values[-1], cast(Unit, unit), mode)


def read_volume(text: str) -> Volume | None:
    """``2,400 / year within 15 days 60%``."""
    m = _VOLUME.fullmatch(_normal(text))
    period = vocab.lookup(vocab.PERIODS, m.group(2)) if m else None
    if m is None or period is None:
        return None
    count, _, days, share = m.groups()
    return Volume(_number(count), cast(Period, period),
                  season_days=_number(days) if days else None,
                  season_share=_number(share) / 100 if share else 1.0)


def read_batch(text: str) -> Batch | None:
    """The words after ``batch``: ``20``, ``month``, ``day each``."""
    m = _BATCH.fullmatch(_normal(text))
    if m is None:
        return None
    cases, word, kind = m.groups()
    shared = vocab.lookup(vocab.BATCH_KINDS, kind) if kind else "shared"
    if shared is None:
        return None
    if cases:
        return Batch(cases=_number(cases), shared=shared == "shared")
    period = vocab.lookup(vocab.PERIODS, word)
    return Batch(period=cast(Period, period), shared=shared == "shared") if period else None


_ISO = re.compile(r"P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
                  r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?)?")


def _iso_duration(text: str) -> Duration | None:
    """A timer's ISO 8601 duration (P14D, PT2H, P2W) in the largest unit it names
    (None for anything else: a date, a cycle, an expression)."""
    m = _ISO.fullmatch(text.strip())
    if m is None or not any(m.groups()):
        return None
    weeks, days, hours, minutes = (float(g) if g else 0.0 for g in m.groups())
    if weeks or days:
        value, unit = weeks * 7 + days + (hours + minutes / 60) / 24, "day"
    elif hours:
        value, unit = hours + minutes / 60, "hour"
    else:
        value, unit = minutes, "min"
    return Duration(float(f"{value:.6g}"), float(f"{value:.6g}"), cast(Unit, unit))


def _fragment(records: str = "", body: str = "") -> Process | None:
    """Statements bprkit's export wrote in a ``bprkit:`` attribute (a process's
    ``records``, a step's ``body``), parsed as bprkit parses a file (None when they do
    not parse: then they are left out, and said)."""
    from bprkit.text.loader import parse_fragment

    return parse_fragment(_STATEMENTS.split(records) if records else [], body)


_STATEMENTS = re.compile(r";\s*(?![^「]*」)")
"""Between two statements of a ``bprkit:`` attribute (not a 「;」 in a label)."""


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


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

    def attr(self, name: str) -> str:
        """A ``bprkit:`` attribute ('' when missing)."""
        return self.el.get(f"{{{BPRKIT}}}{name}", "")


class _Process:
    """One BPMN process read into the model: its lanes and its flow (steps, branches,
    parallel blocks and uses), with remarks for the writer."""

    def __init__(self, el: ET.Element, lines: dict[int, int], title: str, pid: str,
                 known: dict[str, str], notes: list[Note], taken: set[str],
                 linear: bool = False) -> None:
        self.el, self.lines, self.title, self.pid = el, lines, title, pid
        self.linear = linear
        """Every piece of work one after the other, no branch or parallel block: the
        fallback when the flow cannot be written as ``.bpr`` blocks."""
        self.preds: dict[str, set[str]] | None = None
        """Each node → the nodes whose flows lead to it (through merges), once asked."""
        self.depth: dict[str, int] | None = None
        """Each node's distance from the start, once asked."""
        self.orders: list[tuple[int, str]] | None = None
        """(bprkit:order, id) of the steps not yet written, the smallest last."""
        self.known, self.notes = known, notes
        self.nodes: dict[str, _Node] = {}
        self.names: dict[str, str] = {}
        self.taken = set(taken)
        self.lane_ids: dict[str, str] = {}
        self.lanes: list[Lane] = []
        self.default_lane: str | None = None
        self.remarks = writer.Remarks()
        """The comments after branches and cases (the shares assumed, each flow's name)."""
        self.timers: dict[str, Duration] = {}
        """Boundary timers by id: the wait of the work after them."""
        self.chosen: set[str] = set()
        """Nodes with a flow out that says it is a choice: a condition, a share or a
        ``bprkit:probability`` (a task's several flows out are otherwise all taken)."""

    def line(self, el: ET.Element) -> int:
        return self.lines.get(id(el), 0)

    def read(self) -> list[FlowItem]:
        """The flow; the lanes are in ``self.lanes`` after it."""
        self._lanes()
        flows = []
        for el in self.el:
            if _local(el) == "sequenceFlow":
                flows.append(el)
            elif _ns(el) == BPMN and _local(el) not in IGNORED:
                self._element(el)
        for flow in flows:
            self._flow(flow)
        self._boundaries()
        return self._write()

    def _boundaries(self) -> None:
        """A boundary event with flows out (a deadline, an escalation: 督促) is another
        way out of the task it sits on: the task's flows become a choice, the event's
        way one case (its share assumed), and a timer's duration the wait of the first
        piece of work on that way."""
        for node in list(self.nodes.values()):
            if node.kind != "boundaryEvent":
                continue
            task = self.nodes.get(node.el.get("attachedToRef", ""))
            if task is None or not node.outs:
                self.notes.append(Note(node.line, node.ident, "not_mapped", node.kind))
                continue
            task.outs.append((node.ident, None, node.name))
            node.ins.append(task.ident)
            self.chosen.add(task.ident)
            timer = node.el.find(f"{{{BPMN}}}timerEventDefinition/{{{BPMN}}}timeDuration")
            wait = _iso_duration((timer.text or "") if timer is not None else "")
            if wait is not None:
                self.timers[node.ident] = wait
            self.notes.append(Note(node.line, node.ident, "boundary_exit",
                                   node.name or node.ident))

    def _element(self, el: ET.Element) -> None:
        kind, ident = _local(el), el.get("id", "")
        if kind not in TASKS | SPLITS | EVENTS | {"callActivity", "parallelGateway",
                                                  "startEvent", "endEvent", "boundaryEvent"}:
            self.notes.append(Note(self.line(el), ident or kind, "not_mapped", kind))
            return
        if kind in SUBPROCESSES and ident in self.known and \
                el.get("triggeredByEvent") == "true":  # a procedure of its own, not used
            self.notes.append(Note(self.line(el), ident, "event_subprocess",
                                   label_text(_handler_title(el))))
            return
        node = _Node(ident, kind, el, self.line(el), el.get("name", "") or "")
        node.lane = self.lane_ids.get(ident, "")
        self.nodes[ident] = node
        if kind in EVENTS:
            self.notes.append(Note(node.line, ident, "passed_through", kind))
        elif kind in SUBPROCESSES and ident in self.known:
            node.kind = "callActivity"  # its inside is a process of its own: `use` it
            self.notes.append(Note(node.line, ident, "subprocess_used", node.name or ident))
        elif kind in SUBPROCESSES:
            self.notes.append(Note(node.line, ident, "subprocess", kind))

    def _flow(self, flow: ET.Element) -> None:
        src, dst = flow.get("sourceRef", ""), flow.get("targetRef", "")
        if src not in self.nodes or dst not in self.nodes:
            self.notes.append(Note(self.line(flow), flow.get("id", ""), "not_mapped",
                                   "sequenceFlow"))
            return
        p = _float(flow.get(f"{{{BPRKIT}}}probability"))
        p = p if p is not None else _percent(flow.get("name", ""))
        if p is not None or flow.find(f"{{{BPMN}}}conditionExpression") is not None:
            self.chosen.add(src)
        self.nodes[src].outs.append((dst, p, flow.get("name", "") or ""))
        self.nodes[dst].ins.append(src)

    def _lanes(self) -> None:
        for lane in self.el.iter(f"{{{BPMN}}}lane"):
            children = lane.find(f"{{{BPMN}}}childLaneSet")
            if children is not None and children.find(f"{{{BPMN}}}lane") is not None:
                continue  # a lane split into lanes: its children are the lanes
            # (Bizagi writes an empty childLaneSet in every lane: that lane is a leaf)
            title = lane.get("name", "") or f"{self.title} {len(self.lanes) + 1}"
            lid = lane.get(f"{{{BPRKIT}}}id") or name_of(title, lane.get("id", "L"),
                                                          self.taken)
            self.taken.add(lid)
            role = vocab.lookup(vocab.ROLES, lane.get(f"{{{BPRKIT}}}role", ""))
            if role is None and lane.get(f"{{{BPRKIT}}}role"):
                self.notes.append(Note(self.line(lane), lane.get("id", lid), "not_mapped",
                                       "bprkit:role"))
            if role is None:  # guessed from the name: said, with how to change it
                role = _guess_role(title)
                self.notes.append(Note(self.line(lane), lane.get("id", lid), "role_guessed",
                                       f"{role}\t{title}"))
            self.lanes.append(Lane(lid, cast(Role, role), label_text(title)))
            for ref in lane.iter(f"{{{BPMN}}}flowNodeRef"):
                self.lane_ids[(ref.text or "").strip()] = lid

    def _lane_for(self, node: _Node) -> str:
        """The node's lane; work outside every lane goes to one lane 「担当」."""
        if node.lane:
            return node.lane
        if self.default_lane is None:
            self.default_lane = name_of("担当", "staff", self.taken)
            self.lanes.append(Lane(self.default_lane, "back_office", label_text(self.title)))
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
            # an event with several flows out is a split (BPMN: all of them are taken)
            passing = n.kind in (*EVENTS, "boundaryEvent") and len(n.outs) <= 1
            merge = n.kind in SPLITS and len(n.outs) <= 1
            if n.kind in EVENTS and len(n.outs) > 1:
                return ident
            if n.kind == "endEvent":
                return None
            if (passing or merge) and n.outs:
                ident = n.outs[0][0]
                continue
            if (passing or merge) and not n.outs:
                return None
            return ident
        return None

    def _write(self) -> list[FlowItem]:
        starts = [n for n in self.nodes.values() if n.kind == "startEvent"]
        if not starts:
            starts = [n for n in self.nodes.values() if not n.ins and n.kind != "endEvent"]
        entries = [n for n in starts if n.outs]
        if len(starts) > 1 and (self.linear or len(entries) < 2):
            self.notes.append(Note(starts[1].line, starts[1].ident, "several_starts_first",
                                   f"{len(starts)}"))
        for node in self.nodes.values():
            if node.kind in TASKS or node.kind == "callActivity":
                self.names[node.ident] = node.attr("id") or name_of(
                    node.name, node.ident, self.taken)
        if self.linear:
            return [self._item(self.nodes[ident]) for ident in self._walk(starts)
                    if ident in self.names]
        body: list[FlowItem] = []
        placed: set[str] = set()
        first = self._real(starts[0].outs[0][0]) if starts and starts[0].outs else None
        if starts and len(starts[0].outs) > 1:  # a start whose flows are all taken
            first = starts[0].ident
        todo: list[str | None] = [first] if first else []
        if not starts and self.nodes:
            todo = [next(iter(self.nodes))]
        if len(entries) > 1:  # 窓口, 郵送, 電子: several ways in, as a branch at the start
            body += self._starts(entries, placed, todo)
        while todo:
            ident = todo.pop(0)
            if ident is None or ident in placed:
                continue
            body += self._chain(ident, placed, todo, stop=None)
        for ident in self.nodes:  # unreachable work still shows
            if ident not in placed and ident in self.names:
                body += self._chain(ident, placed, [], stop=None)
        return body

    def _starts(self, entries: list[_Node], placed: set[str], todo: list[str | None]
                ) -> list[FlowItem]:
        """Several start events: a branch at the start whose cases are the first pieces
        of work after each (equal shares, marked as assumed, unless the flows give
        them), each named by its start event in a comment."""
        split = _Node("starts", "exclusiveGateway", entries[0].el, entries[0].line,
                      STARTS_QUESTION)
        split.outs = [(n.outs[0][0], _percent(n.name), n.name) for n in entries]
        self.notes.append(Note(entries[1].line, entries[1].ident, "several_starts",
                               f"{len(entries)}"))
        todo.clear()
        return self._branch(split, placed, todo)

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

    def _chain(self, ident: str | None, placed: set[str], todo: list[str | None],
               stop: str | None, region: set[str] | None = None) -> list[FlowItem]:
        """The flow from ``ident`` on until ``stop`` (a join), the end or a node already
        placed (then a jump)."""
        out: list[FlowItem] = []
        while ident is not None and ident != stop:
            if ident in placed:
                self._placed(ident, out, stop, region)
                break
            if stop is None and out and isinstance(out[-1], Step) and \
                    out[-1].target is None and ident in self.names and \
                    self._waits(ident, placed):
                # work other flows lead to first: written after them, as the file's
                # author writes it (the order of statements is the flow's order)
                _jump(out, self.names[ident])
                todo.append(ident)
                break
            node = self.nodes[ident]
            placed.add(ident)
            if node.kind in (*EVENTS, "startEvent") and len(node.outs) > 1:
                if node.ident in self.chosen:  # conditions on an event's flows: a choice
                    out += self._branch(node, placed, todo, implicit=True, region=region)
                    break
                ident = self._implicit_parallel(node, out, placed, todo)
                continue
            if node.kind == "parallelGateway" and len(node.outs) > 1 and self._apart(node):
                # a split without a join: each path to its own end, the case ends with all
                self.notes.append(Note(node.line, node.ident, "no_join"))
                out.append(self._parallel(node, None, placed, todo))
                break
            if node.kind == "parallelGateway" and len(node.outs) > 1:
                join = self._join(node)
                if join is None:  # paths that never meet: read one after the other
                    todo += [self._real(t) for t, _, _ in node.outs[1:]]
                    ident = self._real(node.outs[0][0])
                    continue
                out.append(self._parallel(node, join, placed, todo))
                placed.add(join)
                ident = self._after(join)
                continue
            if node.kind in SPLITS and len(node.outs) > 1:
                out += self._branch(node, placed, todo, region=region)
                break
            if node.kind == "parallelGateway":  # a join met outside its block
                ident = self._after(ident)
                continue
            out.append(self._item(node))
            ident, done = self._next(node, out, placed, todo, stop, region)
            if done:
                break
        return out

    def _waits(self, ident: str, placed: set[str]) -> bool:
        """Whether work that leads to ``ident`` (not from behind it, as a rework does) is
        still to be written: then ``ident`` is written after it. In a file bprkit
        exported (``bprkit:order``), any step that came before it there; else work whose
        flows lead to it from no further from the start than it is."""
        order = self._order(ident)
        if order is not None:  # bprkit's export: any step before it in the file it came from
            if self.orders is None:
                self.orders = sorted((o, i) for i in self.nodes
                                     if (o := self._order(i)) is not None)
                self.orders.reverse()  # the smallest last, popped once placed
            while self.orders and self.orders[-1][1] in placed:
                self.orders.pop()
            return bool(self.orders) and self.orders[-1][0] < order
        depth = self._depths()
        far = depth.get(ident, 0)
        return any(depth.get(p, 0) <= far  # not a rework: that comes from deeper in
                   for p in self._predecessors().get(ident, set()) - placed)

    def _depths(self) -> dict[str, int]:
        """Each node's distance from the start (flows, breadth first; a node no flow
        enters starts too)."""
        if self.depth is None:
            entered = {t for n in self.nodes.values() for t, _, _ in n.outs}
            level = [i for i, n in self.nodes.items()
                     if n.kind == "startEvent" or i not in entered]
            self.depth = dict.fromkeys(level, 0)
            while level:
                following = []
                for i in level:
                    for t, _, _ in self.nodes[i].outs:
                        if t in self.nodes and t not in self.depth:
                            self.depth[t] = self.depth[i] + 1
                            following.append(t)
                level = following
        return self.depth

    def _predecessors(self) -> dict[str, set[str]]:
        """Each node → the nodes whose flows lead to it (through merges and events
        passed through)."""
        if self.preds is None:
            self.preds = defaultdict(set)
            for p in self.nodes.values():
                if self._real(p.ident) == p.ident:  # not a merge or an event passed
                    for t, _, _ in p.outs:
                        if (r := self._real(t)) is not None:
                            self.preds[r].add(p.ident)
        return self.preds

    def _order(self, ident: str) -> int | None:
        """A step's place in the file bprkit exported (``bprkit:order``), if it says."""
        said = self.nodes[ident].attr("order")
        return int(said) if said.isdigit() else None

    def _placed(self, ident: str, out: list[FlowItem], stop: str | None,
                region: set[str] | None = None) -> None:
        """A chain that reaches a node already placed: a jump to it, from the step
        before (a path may jump within itself, not out of its parallel block)."""
        if stop is not None and (region is None or ident not in region):
            self.notes.append(Note(self.nodes[ident].line, ident, "unstructured",
                                   "parallelGateway"))
        elif out and ident in self.names and not self._is_use(self.nodes[ident]):
            _jump(out, self.names[ident])

    def _next(self, node: _Node, out: list[FlowItem], placed: set[str],
              todo: list[str | None], stop: str | None, region: set[str] | None
              ) -> tuple[str | None, bool]:
        """After a piece of work: the next node, and whether the chain ends here (a
        branch, the end)."""
        nxt = self._after(node.ident)
        if len(node.outs) > 1 and node.ident not in self.chosen:
            # several flows out of a task, none a choice: every one is taken (BPMN's
            # uncontrolled flow), a parallel block up to where the paths meet
            return self._implicit_parallel(node, out, placed, todo), False
        if len(node.outs) > 1:  # a task's flows out with conditions or shares: a choice
            out += self._branch(node, placed, todo, implicit=True, region=region)
            return None, True
        if nxt is not None and self.nodes[nxt].kind in SPLITS and \
                len(self.nodes[nxt].outs) > 1 and nxt not in placed:
            placed.add(nxt)
            out += self._branch(self.nodes[nxt], placed, todo, region=region)
            return None, True
        if nxt is None:
            if stop is None and self._more_to_place(placed):
                _jump(out, END)
            return None, True
        return nxt, False

    def _implicit_parallel(self, node: _Node, out: list[FlowItem], placed: set[str],
                           todo: list[str | None]) -> str | None:
        """A task's flows out, all taken: a parallel block up to the first node every
        path reaches that several flows enter (a parallel gateway, or a task: BPMN's
        implicit merge), then on from there. Paths that never meet are read one after
        the other, and the import says so."""
        fork = _Node(node.ident, "parallelGateway", node.el, node.line)
        fork.outs = list(node.outs)
        self.notes.append(Note(node.line, node.ident, "implicit_parallel",
                               f"{len(fork.outs)}"))
        if self._apart(fork):  # each path runs to its own end: the case ends with all
            self.notes.append(Note(node.line, node.ident, "no_join"))
            out.append(self._parallel(fork, None, placed, todo))
            return None
        join = self._join(fork, implicit=True)
        if join is None:
            todo += [self._real(t) for t, _, _ in fork.outs[1:]]
            return self._real(fork.outs[0][0])
        out.append(self._parallel(fork, join, placed, todo))
        if self.nodes[join].kind == "parallelGateway":
            placed.add(join)
            return self._after(join)
        return join  # a task several flows enter: the work after the block

    def _apart(self, fork: _Node) -> bool:
        """Whether the paths out of ``fork`` share no node but end events (a split
        without a join), each path a plain sequence of work up to its end."""
        reach = [self._reach(target) for target, _, _ in fork.outs]
        for n in set().union(*reach):
            node = self.nodes[n]
            if (node.kind in SPLITS and len(node.outs) > 1) or len(node.ins) > 1 or \
                    node.kind == "parallelGateway":
                return False  # a branch, a merge or a block on the way: not plain
        works = [w for r in reach if (w := {n for n in r if self.nodes[n].kind != "endEvent"})]
        return len(works) > 1 and not set.intersection(*works)  # a path straight to an end
        # is no path of the block: the case ends there when the others have

    def _reach(self, start: str) -> set[str]:
        """Every node a flow from ``start`` reaches, ``start`` included."""
        seen, todo = set(), [start]
        while todo:
            n = todo.pop()
            if n not in seen:
                seen.add(n)
                todo += [t for t, _, _ in self.nodes[n].outs]
        return seen

    def _parallel(self, fork: _Node, join: str | None, placed: set[str],
                  todo: list[str | None]) -> Parallel:
        """A parallel block: one path per flow out of ``fork``, up to ``join`` (None:
        each path to its own end, the case ending when all have)."""
        paths = []
        stop = join if join is not None else ""
        for target, _, _ in fork.outs:
            region = self._region(target, join)
            local: list[str | None] = []  # a branch's ways inside the path stay in it
            inner = self._chain(self._real(target), placed, local, stop=stop, region=region)
            while local:
                ident = local.pop(0)
                if ident is None or ident in placed:
                    continue
                if ident not in region:
                    todo.append(ident)
                    continue
                inner += self._chain(ident, placed, local, stop=stop, region=region)
            if not inner and join is None:  # straight to an end: nothing to wait for
                continue
            if not inner:  # a path with nothing on it holds one empty step
                name = name_of("", fork.ident + "_空", self.taken)
                inner = [Step(name, self._lane_for(fork), "（なし）")]
            paths.append(Path(tuple(inner)))
        return Parallel(tuple(paths))

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

    def _called(self, node: _Node) -> str | None:
        return node.attr("use") or self.known.get(node.el.get("calledElement", "")) or (
            self.known.get(node.ident) if _local(node.el) in SUBPROCESSES else None)

    def _is_use(self, node: _Node) -> bool:
        """A call activity written as ``use``: its process is in the file and it is
        entered from one place only, not out of a split (a ``.bpr`` jump or branch can
        only name a step)."""
        if node.kind != "callActivity" or not self._called(node):
            return False
        before = self._preds(node.ident)
        if len(before) != 1 or self.nodes[before[0]].kind in SPLITS:
            return False
        pred = self.nodes[before[0]]
        # the first thing on a parallel path may be a use: only a branch names steps
        forks = pred.kind == "parallelGateway" or pred.ident not in self.chosen
        return len(pred.outs) == 1 or forks

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

    def _item(self, node: _Node) -> Step | Use:
        """A task as a step, a call activity as a ``use`` (or a step, when it cannot
        be one)."""
        called = self._called(node)
        if node.kind == "callActivity":
            if called and (self._is_use(node) or self.linear):
                times = self.value(node.el, "times", _float)
                return Use(called, times if times is not None else 1,
                           self.value(node.el, "batch", read_batch))
            self.notes.append(Note(node.line, node.ident, "called_as_step" if called
                                   else "called_missing", node.el.get("calledElement", "")))
        levers = node.attr("levers")
        timer = next((self.timers[i] for i in node.ins if i in self.timers), None)
        body = self._body(node)
        step = Step(
            self.names[node.ident], self._lane_for(node), label_text(node.name or node.ident),
            tags=tuple(vocab.lookup(vocab.TAGS, t) or t for t in _names(node.attr("tags"))),
            duration=self.value(node.el, "duration", read_duration),
            wait=self.value(node.el, "wait", read_duration) or timer,
            batch=self.value(node.el, "batch", read_batch),
            levers=(() if levers == "none" else _names(levers)) if levers else None)
        if body is not None:  # reads, produces, notes, pains, basis … as exported
            step = replace(step, **{k: getattr(body, k) for k in BODY})
        # another tool's description of the task, as a comment after the step (bprkit's
        # own documentation only repeats its attributes)
        written = " ".join(" ".join(d.itertext()) for d in
                           node.el.findall(f"{{{BPMN}}}documentation"))
        if written.strip() and not node.attr("duration") and not node.attr("tags"):
            self.remarks.add(step, written)
        return step

    def _body(self, node: _Node) -> Step | None:
        """The step's block as bprkit's export wrote it (``bprkit:body``)."""
        text = node.attr("body")
        if not text:
            return None
        parsed = _fragment(body=text)
        steps = list(parsed.steps()) if parsed is not None else []
        if not steps:
            self.notes.append(Note(node.line, node.ident, "not_mapped", "bprkit:body"))
            return None
        return steps[0]

    def value(self, el: ET.Element, attr: str, reader: Callable[[str], _T | None]
              ) -> _T | None:
        """An element's ``bprkit:`` attribute read as the model holds it; one that
        cannot be read is left out, and said."""
        text = el.get(f"{{{BPRKIT}}}{attr}", "")
        value = reader(text) if text else None
        if text and value is None:
            self.notes.append(Note(self.line(el), el.get("id", ""), "not_mapped",
                                   f"bprkit:{attr}"))
        return value

    def _branch(self, node: _Node, placed: set[str], todo: list[str | None],
                implicit: bool = False, region: set[str] | None = None) -> list[FlowItem]:
        """A split as a branch, its cases to the first piece of work on each way (a
        split with one way left: nothing, its way is read next)."""
        outs = self._flatten(node)
        cases = self._cases(node, outs, region)
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
        assumed = len(given) != len(cases) or abs(sum(given) - 1) > 0.01
        if assumed:
            cases = [(t, 1 / len(cases), n) for t, _, n in cases]
            self.notes.append(Note(node.line, node.ident, "assumed_share", f"{len(cases)}"))
        named = node.name and not implicit and node.name not in _unnamed_branch()
        branch = Branch(tuple(self._case(k == len(cases) - 1, target, p or 0, flow_name)
                              for k, (target, p, flow_name) in enumerate(cases)),
                        label_text(node.name) if named else None)
        if assumed:
            self.remarks.add(branch, "assumption: equal shares (the BPMN file gives none)")
        todo += [target for target, _, _ in cases if target is not None and target not in placed]
        return [branch]

    def _cases(self, node: _Node, outs: list[tuple[str, float | None, str]],
               region: set[str] | None) -> list[tuple[str | None, float | None, str]]:
        """Each way of a split: the first piece of work on it (None: the end)."""
        cases: list[tuple[str | None, float | None, str]] = []
        for target, p, name in outs:
            real = self._real(target)
            if real is not None and real not in self.names:
                # a gateway straight after a gateway: jump to its first piece of work
                real = self._first_work(real)
            if region is not None and (real is None or real not in region):
                # inside a parallel path a case can neither end nor leave the path
                self.notes.append(Note(node.line, node.ident, "unstructured",
                                       "parallelGateway"))
                continue
            cases.append((real, p, name))
        return cases

    def _case(self, last: bool, target: str | None, p: float, flow_name: str) -> Case:
        """One case: its share to four significant digits (the last case: ``else``);
        the flow's name, if any, as its remark."""
        case = Case(END if target is None else self.names[target],
                    None if last else float(f"{p * 100:.4g}"))
        self.remarks.add(case, flow_name)
        return case

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

    def _join(self, fork: _Node, implicit: bool = False) -> str | None:
        """The converging parallel gateway every path of ``fork`` reaches first (with
        ``implicit``, any node but the end that several flows enter)."""
        reach = [self._reach(target) for target, _, _ in fork.outs]
        common = set.intersection(*reach) if reach else set()
        joins = [n for n in common if len(self.nodes[n].ins) > 1 and (
            self.nodes[n].kind == "parallelGateway"
            or (implicit and self.nodes[n].kind not in ("endEvent", *SPLITS)))]
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


NOT_APPROVAL = ("account manager", "case manager", "project manager")
"""Staff titles with "manager" in them that approve nothing."""
ORG_UNIT = re.compile(r"(課|係|室|班|局|部|所|センター|担当|グループ|チーム)$")
"""The end of a department's name (市民課, 資格係, 情報システム課): its people are staff."""
STAFF_WORDS = re.compile(r"\b(officer|clerk|department|dept|team|staff|agent|employee|office|"
                         r"desk|unit|division|section|admin\w*|manager)\b")
"""English words that make a lane staff, whatever else it names ("Private Customer
Account Manager" is a bank's employee, not its customer)."""
_JOINS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u30a0-\u30ffー]")


def _whole(word: str, text: str) -> bool:
    """``word`` in ``text`` as a word of its own: in English from a word boundary; in
    Japanese not run on into a longer compound by a kanji or katakana after it (市民 in
    「市民（申請者）」, not in 市民課 or 市民税課)."""
    if word.isascii():
        return re.search(rf"\b{re.escape(word)}", text) is not None
    for m in re.finditer(re.escape(word), text):
        rest = text[m.end():]
        if not rest or not _JOINS.match(rest[0]):
            return True
    return False


def _unnamed_branch() -> set[str]:
    """The names export gives a branch without a question (「分岐」, "Decision"): read
    back as no label."""
    from bprkit.messages import catalog as messages

    return {messages.text(lang, "interop_branch") for lang in ("ja", "en")}


def _guess_role(title: str) -> str:
    """A lane's role from its name's words (ROLE_WORDS; a resident only by a whole word);
    a department or an English staff title (課, 係, officer …) is staff: back office
    unless it names a counter, an approval or storage."""
    low = unicodedata.normalize("NFKC", title).lower().strip()
    head = re.sub(r"[(（].*$", "", low).strip()  # 「市民課（窓口）」: 市民課
    staff = ORG_UNIT.search(head) is not None or STAFF_WORDS.search(low) is not None
    for word, role in ROLE_WORDS:
        if role == "approval" and any(t in low for t in NOT_APPROVAL):
            continue
        # a person by a whole word (市民, not 市民税); a place or a thing by any part
        # of the name (システム処理, 文書庫), in English from the start of a word
        found = _whole(word, low) if role == "resident" or word.isascii() else word in low
        if found and not (staff and role in ("resident", "system", "external")):
            return role
    return "back_office"


def _structure(el: ET.Element) -> str:
    """The fingerprint of a process as exported (bprkit.interop.bpmn_export.fingerprint)."""
    kinds: dict[str, str] = {}
    nodes: list[tuple[str, str, str]] = []
    flows: list[tuple[str, str]] = []
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
                   "exclusiveGateway": "branch", "intermediateThrowEvent": "point"}.get(kind, "")
            if kind == "parallelGateway":
                ref = "fork" if child.get("gatewayDirection") == "Diverging" else "join"
            kinds[ident] = ref
            nodes.append((kind, "", ref))
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


def _jump(out: list[FlowItem], target: str) -> None:
    """The last step of ``out`` goes on to ``target`` (a ``use`` or a block cannot)."""
    last = out[-1] if out else None
    if isinstance(last, Step) and last.target is None:
        out[-1] = replace(last, target=target)


def read(path: str, data: bytes) -> Result:
    """The ``.bpr`` text of a BPMN file, and what could not be mapped."""
    root, lines = _parse(data, path)
    if _local(root) != "definitions" or _ns(root) != BPMN:
        raise BpmnImportError(f"{path}:{lines.get(id(root), 1)}", "import_not_bpmn",
                              root=_local(root))
    processes = [el for el in root if _local(el) == "process" and _ns(el) == BPMN]
    if not processes:
        raise BpmnImportError(path, "import_no_process")
    doc = _Document(path, lines, _titles(root))
    boxes = _black_boxes(root, processes, doc)
    if len(boxes) < len(processes):  # work somewhere: the empty pools are outside parties
        processes = [el for el in processes if el.get("id", "") not in boxes]
    for kind in ("messageFlow", "choreography", "conversation"):
        for el in root.iter(f"{{{BPMN}}}{kind}"):
            doc.notes.append(Note(lines.get(id(el), 0), el.get("id", kind), "not_mapped",
                                  kind))
    # an expanded sub-process with work inside: a process of its own, called by `use`
    subs = [el for parent in processes for el in _subprocesses(parent)]
    for el in processes + subs:
        title = doc.title(el)
        doc.known[el.get("id", "")] = el.get(f"{{{BPRKIT}}}id") or name_of(
            title, el.get("id", "process"), doc.taken)
    doc.subprocesses = {el.get("id", "") for el in subs}
    processes = processes + subs
    parts, said = [], []  # said: each process's notes, to drop if it is read again
    for el in processes:
        before = len(doc.notes)
        parts.append(doc.text(el))
        said.append(doc.notes[before:])
    text = doc.joined(parts)
    bad, model = _checked(text, parts)
    graphs = None if bad else _graphs(doc, processes, model)
    if graphs is not None:  # read as blocks, but work the file reaches would get no case
        bad = [k for k, read in enumerate(graphs)
               if read is not None and _stranded(read[0], read[1])]
    for k in bad:  # a flow that does not fit .bpr blocks: its work in order, no branches
        el = processes[k]
        doc.notes[:] = [n for n in doc.notes if not any(n is m for m in said[k])]
        doc.notes.append(Note(lines.get(id(el), 0), el.get("id", ""), "linear"))
        parts[k] = doc.process_text(el, linear=True)
    if bad:
        text = doc.joined(parts)
        again, model = _checked(text, parts)
        if again:
            raise BpmnImportError(path, "import_unwritable")
        graphs = _graphs(doc, processes, model)  # the text read again
        for read in graphs:  # still stranded in order: the file is refused
            stranded = _stranded(read[0], read[1]) if read is not None else []
            if stranded:
                raise BpmnImportError(f"{path}:{stranded[0][0]}", "import_unreachable",
                                      detail=", ".join(f"{name} ({ident})"
                                                       for _, ident, name in stranded))
    assert graphs is not None  # read once, or again after the reading in order
    _account(doc, graphs)
    once = {(n.line, n.element, n.what, n.detail): n for n in doc.notes}  # said once each
    return Result(text, sorted(once.values(), key=lambda n: n.line), len(processes))


def _account(doc: _Document, graphs: list[tuple[_Process, FlowGraph, Process] | None]
             ) -> None:
    """What did not arrive, by the BPMN file's own ids: each piece of work that has no
    step or use in the ``.bpr``, and each succession (a piece of work, then the next
    one through gateways and events, or the end) that the ``.bpr``'s flow does not
    have. An independent reading of the sequence flows, against the flow ``check``
    builds from the text written (``graphs``, :func:`_graphs`). Work the file reaches and
    the ``.bpr`` does not is an error, not a loss to list (W001 would hide it): :func:`read`
    refuses it before."""
    from bprkit.text import flow as flows

    for read in graphs:
        if read is None:
            continue
        reader, graph, process = read
        key = {step: f"step:{step}" for step in graph.steps}
        key |= {node: f"use:{use.process}" for node, use in graph.uses.items()}
        known = set(key.values())
        # nothing flows into START: with it keyed, the others' successions are the same
        written = _successions(graph.edges, {flows.START: "START"} | key, flows.FINISH)
        first = written.pop("START")

        _account_lanes(doc, reader, process)
        source = {i: {t for t, _, _ in n.outs} for i, n in reader.nodes.items()}
        ends = {i for i, n in reader.nodes.items() if n.kind == "endEvent" or not n.outs}
        keys = {i: _work_key(reader, i, known) for i in reader.names}
        mark = _work_or_end(set(keys), ends, source)
        for ident, node in reader.nodes.items():  # the work each start event leads to
            if node.kind != "startEvent":
                continue
            for after in _next_work(ident, source, mark):
                wanted = "END" if after == "END" else keys.get(after)
                if wanted is not None and wanted not in first:
                    name = "END" if after == "END" else reader.nodes[after].name or after
                    doc.notes.append(Note(node.line, ident, "lost_succession",
                                          f"{node.name or ident} → {name}"))
        for ident, k in keys.items():
            node = reader.nodes[ident]
            if k is None:
                doc.notes.append(Note(node.line, ident, "lost_work", node.name or ident))
                continue
            for after in _next_work(ident, source, mark):
                wanted = "END" if after == "END" else keys.get(after)
                if wanted is not None and wanted not in written.get(k, set()):
                    name = "END" if after == "END" else reader.nodes[after].name or after
                    doc.notes.append(Note(node.line, ident, "lost_succession",
                                          f"{node.name or ident} → {name}"))


def _account_lanes(doc: _Document, reader: _Process, process: Process) -> None:
    """Each piece of work in the lane the file puts it in: its innermost named lane
    (a lane's own ``flowNodeRef``, read here again), against its step's lane label."""
    lane_of: dict[str, str] = {}
    for lane in reader.el.iter(f"{{{BPMN}}}lane"):
        if lane.find(f"{{{BPMN}}}childLaneSet/{{{BPMN}}}lane") is None and lane.get("name"):
            for ref in lane.findall(f"{{{BPMN}}}flowNodeRef"):
                lane_of[(ref.text or "").strip()] = label_text(lane.get("name", ""))
    steps = {s.id: s for s in process.steps()}
    for ident, name in reader.names.items():
        step, want = steps.get(name), lane_of.get(ident)
        held = process.lane(step.lane) if step is not None else None
        if want is not None and held is not None and held.label != want:
            node = reader.nodes[ident]
            doc.notes.append(Note(node.line, ident, "lost_lane",
                                  f"{node.name or ident} → {want}"))


def _stranded(reader: _Process, graph: FlowGraph) -> list[tuple[int, str, str]]:
    """(line, id, name) of each piece of work that no case reaches in the ``.bpr`` but the
    BPMN file reaches: from its start events, the activities no flow enters (BPMN starts
    them with the process) and the boundary events of what is reached. A compensation
    handler or an event sub-process is reached by no flow in the file either: its step
    staying unreached is not a loss."""
    reached = graph.reachable()
    dead = {step for step in graph.steps if step not in reached}
    if not dead:
        return []
    entered = {t for n in reader.nodes.values() for t, _, _ in n.outs}
    attached: dict[str, list[str]] = defaultdict(list)
    for ident, node in reader.nodes.items():
        if node.kind == "boundaryEvent":
            attached[node.el.get("attachedToRef", "")].append(ident)

    def origin(ident: str, node: _Node) -> bool:
        inert = (node.el.get("isForCompensation") == "true"
                 or node.el.get("triggeredByEvent") == "true" or node.kind == "boundaryEvent")
        return not inert and (node.kind == "startEvent" or ident not in entered)

    seen: set[str] = set()
    todo = [i for i, n in reader.nodes.items() if origin(i, n)]
    while todo:
        ident = todo.pop()
        if ident in seen or ident not in reader.nodes:
            continue
        seen.add(ident)
        todo += [t for t, _, _ in reader.nodes[ident].outs] + attached.get(ident, [])
    return sorted((reader.nodes[i].line, i, reader.nodes[i].name or i)
                  for i, step in reader.names.items() if step in dead and i in seen)


def _graphs(doc: _Document, processes: list[ET.Element], model: SourceFile | None
            ) -> list[tuple[_Process, FlowGraph, Process] | None]:
    """Each BPMN process's reader, the flow graph ``check`` builds from its ``.bpr``
    text (``model``, as :func:`_checked` read it), and that process (None where either
    is missing)."""
    from bprkit.text import flow as flows

    out: list[tuple[_Process, FlowGraph, Process] | None] = []
    for el in processes:
        reader = doc.readers.get(el.get("id", ""))
        process = None if model is None else next(
            (p for p in model.processes if p.id == doc.known.get(el.get("id", ""))), None)
        out.append(None if reader is None or process is None
                   else (reader, flows.build(process), process))
    return out


def _work_key(reader: _Process, ident: str, known: set[str]) -> str | None:
    """A piece of BPMN work as the .bpr holds it: ``step:ID`` or ``use:PROCESS`` (None:
    it did not arrive)."""
    if f"step:{reader.names.get(ident)}" in known:
        return f"step:{reader.names[ident]}"
    called = reader._called(reader.nodes[ident])
    return f"use:{called}" if called and f"use:{called}" in known else None


def _work_or_end(work: set[str], ends: set[str], outs: Mapping[str, set[str]]
                 ) -> Callable[[str], str | None]:
    """A BPMN node's mark for :func:`_next_work`: itself if it is work, ``END`` if the
    flow ends there, else None (passed through)."""
    return lambda n: n if n in work else ("END" if n in ends and not outs.get(n) else None)


def _next_work(start: str, outs: Mapping[str, Iterable[str]],
               mark: Callable[[str], str | None]) -> set[str]:
    """What a flow reaches next from ``start``: the ``mark`` of the first nodes that
    have one (a piece of work, or ``END``), passing through every node that has none."""
    found: set[str] = set()
    seen: set[str] = set()
    todo = list(outs.get(start, ()))
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        marked = mark(n)
        if marked is not None:
            found.add(marked)
        else:
            todo += outs.get(n, ())
    return found


def _successions(edges: dict[str, dict[str, float]], key: dict[str, str], finish: str
                 ) -> dict[str, set[str]]:
    """For each step or use of a ``.bpr`` flow graph, the steps and uses (or ``END``)
    it reaches next through the graph's synthetic nodes (forks, joins, the start)."""
    out: dict[str, set[str]] = {}
    for node, k in key.items():
        out.setdefault(k, set()).update(_next_work(
            node, edges, lambda n: key.get(n) or ("END" if n == finish else None)))
    return out


FLOW_NODES = TASKS | SPLITS | EVENTS | {"callActivity", "parallelGateway", "startEvent",
                                       "endEvent"}


def _handler_title(el: ET.Element) -> str:
    """An element's name; for a nameless event sub-process, the name of the event that
    starts it (「Cancelation requested」); else its id."""
    if el.get("name"):
        return el.get("name", "")
    start = next((c for c in el if _local(c) == "startEvent" and c.get("name")), None)
    if el.get("triggeredByEvent") == "true" and start is not None:
        return start.get("name", "")
    return el.get("id", "")


def _subprocesses(parent: ET.Element) -> list[ET.Element]:
    """The expanded sub-processes in ``parent`` (and in them) that become processes of
    their own: each with work inside, in a parent that has a step of its own besides
    (a .bpr process needs one; a parent that is only the sub-process keeps it a step).
    An event sub-process with work inside is one too, which the parent does not use: no
    flow enters it (an event starts it while a case runs)."""
    def work(c: ET.Element) -> bool:  # a task of its own (a .bpr process needs a step)
        return any(_local(g) in TASKS - SUBPROCESSES for g in c)

    subs = [c for c in parent if _local(c) in SUBPROCESSES and work(c)]
    inner = [c for c in subs if c.get("triggeredByEvent") != "true"]
    steps = [c for c in parent if _local(c) in TASKS - SUBPROCESSES
             or (_local(c) in SUBPROCESSES and c not in subs)]
    out = subs if steps else []
    for c in (subs if steps else inner):
        out += _subprocesses(c)
    return out


def _black_boxes(root: ET.Element, processes: list[ET.Element], doc: _Document
                 ) -> set[str]:
    """The ids of the processes with no work inside (a black-box pool, or an empty
    process a tool left), and, for each pool without a process or with an empty one,
    an outside party's lane in every process it exchanges messages with
    (``doc.outside``). Said once each."""
    empty = {el.get("id", "") for el in processes
             if not any(_local(child) in FLOW_NODES for child in el)}
    owner: dict[str, str] = {}  # a participant or flow node id → its process id
    for el in processes:
        for node in el.iter():
            if node.get("id"):
                owner[node.get("id", "")] = el.get("id", "")
    boxes: dict[str, str] = {}  # participant id → its name
    working = {part.get("name", "") for part in root.iter(f"{{{BPMN}}}participant")
               if part.get("processRef") and part.get("processRef") not in empty}
    for part in root.iter(f"{{{BPMN}}}participant"):
        ref = part.get("processRef")
        if ref and ref not in empty:
            owner[part.get("id", "")] = ref
        elif not ref and part.get("name", "") in working:
            continue  # another view of a pool that has its work (Visual Paradigm)
        else:
            boxes[part.get("id", "")] = part.get("name", "") or part.get("id", "")
            doc.notes.append(Note(doc.lines.get(id(part), 0), part.get("id", ""),
                                  "black_box", boxes[part.get("id", "")]))
    for el in processes:  # an empty process no pool shows
        pid = el.get("id", "")
        if pid in empty and pid not in {p.get("processRef") for p in
                                        root.iter(f"{{{BPMN}}}participant")}:
            doc.notes.append(Note(doc.lines.get(id(el), 0), pid, "black_box",
                                  el.get("name", "") or pid))
    for flow in root.iter(f"{{{BPMN}}}messageFlow"):
        ends = (flow.get("sourceRef", ""), flow.get("targetRef", ""))
        for box, other in (ends, ends[::-1]):
            if box in boxes and owner.get(other):
                doc.outside.setdefault(owner[other], [])
                if boxes[box] not in doc.outside[owner[other]]:
                    doc.outside[owner[other]].append(boxes[box])
    return empty


def _titles(root: ET.Element) -> dict[str, str]:
    """Each process's pool name (its participant's), by the process's id."""
    return {ref: part.get("name", "") for part in root.iter(f"{{{BPMN}}}participant")
            if (ref := part.get("processRef"))}


@dataclass
class _Document:
    """A BPMN file on its way to ``.bpr``: what its processes share."""

    path: str
    lines: dict[int, int]
    titles: dict[str, str]
    known: dict[str, str] = field(default_factory=dict)
    """BPMN process id → ``.bpr`` process id."""
    notes: list[Note] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)
    readers: dict[str, _Process] = field(default_factory=dict)
    """BPMN process id → the reader that wrote it (its nodes and the names it gave)."""
    subprocesses: set[str] = field(default_factory=set)
    """The ids of the expanded sub-processes written as processes of their own."""
    outside: dict[str, list[str]] = field(default_factory=dict)
    """BPMN process id → the black-box pools it exchanges messages with: external lanes."""

    def title(self, el: ET.Element) -> str:
        """A process's name: its pool's (participant), else its own, else (an event
        sub-process) its start event's, else its id."""
        return self.titles.get(el.get("id", ""), "") or _handler_title(el)

    def text(self, el: ET.Element) -> str:
        """A process's ``.bpr`` text: the one bprkit embedded, while the structure is
        the one it was written for; else read from the structure."""
        source = el.find(f"{{{BPMN}}}extensionElements/{{{BPRKIT}}}source")
        if source is not None and source.get("fingerprint") == _structure(el) and \
                source.text:
            return source.text.strip("\n") + "\n"
        if source is not None:
            self.notes.append(Note(self.lines.get(id(el), 0), el.get("id", ""), "edited"))
        return self.process_text(el, linear=False)

    def process_text(self, el: ET.Element, linear: bool) -> str:
        """A process read from its structure, through the writer."""
        title = self.title(el)
        reader = _Process(el, self.lines, title, self.known[el.get("id", "")], self.known,
                          self.notes, self.taken, linear)
        self.readers[el.get("id", "")] = reader
        flow = reader.read()
        lanes = reader.lanes
        for party in self.outside.get(el.get("id", ""), []):  # a black-box pool
            lane = name_of(party, "outside", reader.taken)
            reader.taken.add(lane)
            lanes.append(Lane(lane, "external", label_text(party)))
        if not any(iter_steps(tuple(flow))) and not any(iter_uses(tuple(flow))):
            if not lanes:
                lanes.append(Lane("担当", "back_office", "担当"))
            flow.append(Step("空", lanes[0].id, "（作業なし）"))
            if not linear:
                self.notes.append(Note(self.lines.get(id(el), 0), el.get("id", ""),
                                       "no_work"))
        owner, volume = el.get(f"{{{BPRKIT}}}owner"), el.get(f"{{{BPRKIT}}}volume")
        records = _fragment(records=el.get(f"{{{BPRKIT}}}records", ""))
        if el.get(f"{{{BPRKIT}}}records") and records is None:
            self.notes.append(Note(self.lines.get(id(el), 0), el.get("id", ""),
                                   "not_mapped", "bprkit:records"))
        phases = self.phases(el, reader, flow)
        process = Process(
            reader.pid, label_text(title), owner=label_text(owner) if owner else None,
            volume=reader.value(el, "volume", read_volume) if volume else None,
            state="to_be" if el.get(f"{{{BPRKIT}}}state") == "to_be" else "as_is",
            lanes=tuple(lanes), flow=tuple(flow),
            documents=records.documents if records else (),
            data=records.data if records else (), phases=phases)
        return writer.process(process, words=WORDS, remarks=reader.remarks, compact=True)

    def phases(self, el: ET.Element, reader: _Process, flow: list[FlowItem]
               ) -> tuple[Phase, ...]:
        """The phases bprkit wrote (``bprkit:phases``, each step's ``bprkit:phase``), each
        starting at the first statement of the flow read whose first step is in it. A
        phase none of whose steps came back, or a list that cannot be read, is said."""
        said = el.get(f"{{{BPRKIT}}}phases", "")
        if not said:
            return ()
        line = self.lines.get(id(el), 0)
        try:
            declared = [(str(pid), str(lab) if lab else None) for pid, lab in json.loads(said)]
        except (ValueError, TypeError):
            self.notes.append(Note(line, el.get("id", ""), "not_mapped", "bprkit:phases"))
            return ()
        of_step = {reader.names[i]: node.attr("phase") for i, node in reader.nodes.items()
                   if i in reader.names and node.attr("phase")}
        starts: dict[str, tuple[int, str]] = {}
        for n, item in enumerate(flow):
            first = next((s for s in iter_steps((item,)) if s.id in of_step), None)
            if first is not None:
                starts.setdefault(of_step[first.id], (n, first.id))
        out = []
        for pid, lab in declared:
            if pid in starts:
                out.append(Phase(pid, label_text(lab) if lab else None,
                                 first=starts[pid][1], start=starts[pid][0]))
            else:
                self.notes.append(Note(line, el.get("id", ""), "phase_lost", pid))
        return tuple(sorted(out, key=lambda ph: ph.start or 0))

    def joined(self, parts: list[str]) -> str:
        """The file: a comment naming the BPMN file, then each process. Refused when
        ``check`` would refuse its size."""
        text = writer.join(parts, header=f"imported from {self.path} by bprkit import",
                           compact=True)
        ids = list(self.known.values())
        name = ", ".join(ids[:3]) + (" …" if len(ids) > 3 else "")
        check_output_size(self.path, name, text, BpmnImportError)  # before checking it
        return text


def _checked(text: str, parts: list[str]) -> tuple[list[int], SourceFile | None]:
    """The processes (by index, ``parts`` being their texts within ``text``) that the
    checker finds errors in, and the model it read (the flow graphs are built from it:
    the text is parsed once)."""
    import os
    import tempfile

    from bprkit.text.loader import check_files

    with tempfile.TemporaryDirectory(prefix="bprkit-import-") as folder:
        file = os.path.join(folder, "imported.bpr")
        with open(file, "w", encoding="utf-8") as fh:
            fh.write(text)
        report = check_files([file])
    bundle = report.files[0].bundle if report.files else None
    model = bundle.root if bundle is not None else None
    errors = [d.span.line for d in report.diagnostics if d.is_error and d.span]
    if any(d.is_error and not d.span for d in report.diagnostics):
        return list(range(len(parts))), model
    bad, at = [], 0
    for k, part in enumerate(parts):
        at = text.index(part, at)
        first = text.count("\n", 0, at) + 1
        if any(first <= line < first + part.count("\n") for line in errors):
            bad.append(k)
        at += len(part)
    return bad, model


def describe(notes: Iterable[Note], path: str, lang: str) -> list[str]:
    """The report of what was not mapped, one line each: ``file:line: id: what``."""
    from bprkit.messages import catalog as messages

    def said(n: Note) -> str:
        if n.what == "role_guessed":  # the role in the reader's words
            role, _, title = n.detail.partition("\t")
            return messages.text(lang, "import_role_guessed", title=title,
                                 role=messages.text(lang, "role_" + role))
        return messages.text(lang, f"import_{n.what}", detail=n.detail)

    return [f"{path}:{n.line}: {n.element}: {said(n)}" for n in notes]
