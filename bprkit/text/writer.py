"""Model → canonical `.bpr` text: two-space indents, labels in 「」 (or "…" when
the text holds 」 or a line break), canonical English words, ranges low..mode..high.

``parse(write(file)) == file`` for every model the parser produces (spans aside):
the writer's round-trip tests check it on every file of the project.

The writer is the one home of ``.bpr`` syntax: bprkit's own files (redesign, fmt's
check) and the importers (BPMN, the Excel survey) all write through it. An importer
may ask for what a person would write by hand: the Japanese words of the vocabulary
(:class:`Words`), a comment after a statement (:class:`Remarks`), and the compact
layout (no blank lines, a step's body on its own line).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from bprkit import units
from bprkit import vocabulary as vocab
from bprkit.model import (
    END,
    Batch,
    Branch,
    Case,
    Data,
    Duration,
    FlowItem,
    Parallel,
    Phase,
    Process,
    Queue,
    QueueLine,
    SourceFile,
    Step,
    Use,
    Volume,
)

_UNITS = units.WRITTEN
INDENT = "  "


@dataclass(frozen=True)
class Words:
    """The words written for each part of the vocabulary (bprkit/vocabulary.py):
    ``en``, the canonical names (``counter``, ``paper``, ``min``, ``year``), or ``ja``,
    their Japanese aliases (窓口, 紙, 分, 年). Every other keyword stays English."""

    roles: Literal["en", "ja"] = "en"
    tags: Literal["en", "ja"] = "en"
    units: Literal["en", "ja"] = "en"
    periods: Literal["en", "ja"] = "en"

    def role(self, role: str) -> str:
        return vocab.japanese(vocab.ROLES, role) if self.roles == "ja" else role

    def tag(self, tag: str) -> str:
        return vocab.japanese(vocab.TAGS, tag) if self.tags == "ja" else tag

    def unit(self, unit: str) -> str:
        return vocab.japanese(vocab.UNITS, unit) if self.units == "ja" else _UNITS[unit]

    def period(self, period: str) -> str:
        return vocab.japanese(vocab.PERIODS, period) if self.periods == "ja" else period

    def when(self, name: str) -> str:
        """A day of the week or ``peak`` of a queue's line (月曜, 繁忙期)."""
        return vocab.japanese(vocab.QUEUE_WHEN, name) if self.periods == "ja" else name

    def rate_period(self, period: str) -> str:
        """``hour`` | ``day`` of a queue's arrivals (時 | 日)."""
        return vocab.japanese(vocab.RATE_PERIODS, period) if self.periods == "ja" else period


ENGLISH = Words()
JAPANESE = Words("ja", "ja", "ja", "ja")


class Remarks:
    """Comments written after statements (``step …  # 1.1 × 5分 in the survey``): what
    an importer read a figure from or assumed. Each belongs to one statement object
    (a Step, a Branch or one of its Cases), by identity: two equal cases may carry
    different remarks. A remark is written on one line."""

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[Step | Branch | Case, str]] = {}

    def add(self, item: Step | Branch | Case, text: str) -> None:
        """Remark on ``item`` (the object itself is kept, so its id stays its own)."""
        text = " ".join(text.split())
        if text:
            self._by_id[id(item)] = (item, text)

    def after(self, line: str, item: Step | Branch | Case) -> str:
        """``line`` with the item's remark after it, if it has one."""
        held = self._by_id.get(id(item))
        return f"{line}  # {held[1]}" if held is not None and held[0] is item else line

    def __len__(self) -> int:
        return len(self._by_id)


@dataclass(frozen=True)
class _Style:
    """How a file is written: its words, remarks and layout (see :func:`write`)."""

    words: Words = ENGLISH
    remarks: Remarks | None = None
    compact: bool = False

    def after(self, line: str, item: Step | Branch | Case) -> str:
        return self.remarks.after(line, item) if self.remarks is not None else line


def label(text: str) -> str:
    """「text」, or a quoted string with escapes when 「」 cannot hold it."""
    if "」" not in text and "\n" not in text and "\r" not in text:
        return f"「{text}」"
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def number(value: float) -> str:
    """A number as the grammar reads it: plain decimal, never ``1e-05`` or ``inf``;
    the shortest digits that read back to the same float."""
    value = float(value)
    if value.is_integer():
        n = int(value)
        return f"{n:,}" if abs(n) >= 10_000 else str(n)
    text = repr(value)
    if "e" in text or "E" in text:  # 1e-05, 1.5e-07: write the digits out
        from decimal import Decimal

        text = format(Decimal(text), "f")
    return text


def duration(d: Duration, words: Words = ENGLISH) -> str:
    values = [d.low] + ([d.mode] if d.mode is not None else []) + (
        [d.high] if d.mode is not None or d.high != d.low else [])
    return "..".join(number(v) for v in values) + words.unit(d.unit)


def volume(v: Volume, words: Words = ENGLISH) -> str:
    """``8,000 / year within 15 days 60%``: a volume as the grammar reads it."""
    season = f" within {number(v.season_days)} days" if v.season_days is not None else ""
    if season and v.season_share != 1.0:
        season += f" {number(round(v.season_share * 100, 9))}%"
    return f"{number(v.count)} / {words.period(v.period)}{season}"


def batch(b: Batch, words: Words = ENGLISH) -> str:
    """``batch 20``, ``batch month each``: a batch as the grammar reads it."""
    return f"batch {batch_words(b, words)}"


def batch_words(b: Batch, words: Words = ENGLISH) -> str:
    """The words after ``batch``: ``20``, ``month each``."""
    size = number(b.cases) if b.cases is not None else (
        words.period(b.period) if b.period is not None else str(b.period))
    return size if b.shared else f"{size} each"


def queue(q: Queue, words: Words = ENGLISH) -> list[str]:
    """``arrivals 26 / hour``, ``arrivals 40 / hour mon``, ``counters 4``, ``counters 6
    peak``: a queue as the grammar reads it."""
    def when(line: QueueLine) -> str:
        names = [*line.days, *(("peak",) if line.peak else ())]
        return " " + ", ".join(words.when(n) for n in names) if names else ""

    lines = [f"arrivals {number(q.rate)} / {words.rate_period(q.period)}"]
    lines += [f"arrivals {number(x.value)} / {words.rate_period(x.period)}{when(x)}"
              for x in q.arrivals_on]
    if q.counters is not None:
        lines.append(f"counters {number(q.counters)}")
    lines += [f"counters {number(x.value)}{when(x)}" for x in q.counters_on]
    return lines


def _data_lines(data: tuple[Data, ...]) -> Iterator[str]:
    """Consecutive items with the same mark share a line (order is kept)."""
    run: list[Data] = []
    for item in (*data, None):
        if run and (item is None or item.held != run[0].held):
            names = ", ".join(d.id for d in run)
            yield f"data {names}" + (" : held" if run[0].held else "")
            run = []
        if item is not None:
            run.append(item)


def _step(step: Step, style: _Style) -> list[str]:
    words = style.words
    head = f"step {step.id}"
    if step.label is not None:
        head += f" {label(step.label)}"
    head += f" @{step.lane}"
    if step.tags:
        head += f" [{', '.join(words.tag(t) for t in step.tags)}]"
    if step.duration is not None:
        head += f" {duration(step.duration, words)}"
    if step.wait is not None:
        head += f" wait {duration(step.wait, words)}"
    if step.target is not None:
        head += f" -> {step.target}"
    body = step_body(step, words)
    if not body:
        return [style.after(head, step)]
    if style.compact:  # step a … { batch 20; lever none }
        return [style.after(f"{head} {{ {'; '.join(body)} }}", step)]
    return [style.after(head + " {", step), *(INDENT + line for line in body), "}"]


def step_body(step: Step, words: Words) -> list[str]:
    """The statements of a step's block (``reads …``, ``batch …``, ``note …``), one a
    line, as this writer writes them."""
    body = [f"{key} {', '.join(getattr(step, key))}"
            for key in ("reads", "writes", "uses", "produces") if getattr(step, key)]
    body += [f"stores {', '.join(r.documents)} for {number(r.years)} years"
             for r in step.stores]
    if step.system is not None:
        body.append(f"system {step.system}")
    if step.levers is not None:
        body.append(f"lever {', '.join(step.levers) or 'none'}")
    if step.replaces:
        body.append(f"replaces {', '.join(step.replaces)}")
    if step.batch is not None:
        body.append(batch(step.batch, words))
    if step.queue is not None:
        body += queue(step.queue, words)
    body += [f"note {label(t)}" for t in step.notes]
    body += [f"pain {label(t)}" for t in step.pains]
    body += [f"basis {label(t)}" for t in step.basis]
    return body


def _phase(ph: Phase) -> str:
    return f"phase {ph.id}" + (f" {label(ph.label)}" if ph.label is not None else "")


def _flow(items: tuple[FlowItem, ...], comments: Mapping[str, str], pid: str = "",
          phases: Mapping[int, list[Phase]] | None = None,
          style: _Style = _Style()) -> list[str]:
    """Flow lines; ``phases`` (index of a statement → phase lines) puts phase lines
    before the statements where they start."""
    out: list[str] = []
    for n, item in enumerate(items):
        out += [_phase(ph) for ph in (phases or {}).get(n, ())]
        if isinstance(item, Step):
            comment = comments.get(f"{pid}.{item.id}") or comments.get(item.id)
            if comment:
                out += [f"# {line}" for line in comment.splitlines()]
            out += _step(item, style)
        elif isinstance(item, Branch):
            out += _branch(item, style)
        elif isinstance(item, Parallel):
            out.append("parallel {")
            for path in item.paths:
                head = "path" + (f" {label(path.label)}" if path.label is not None else "")
                out.append(INDENT + head + " {")
                out += [INDENT * 2 + line
                        for line in _flow(path.items, comments, pid, style=style)]
                out.append(INDENT + "}")
            out.append("}")
        elif isinstance(item, Use):
            times = f" x {number(item.times)}" if item.times != 1 else ""
            tail = f" {batch(item.batch, style.words)}" if item.batch is not None else ""
            out.append(f"use {item.process}{times}{tail}")
    return out


def _branch(item: Branch, style: _Style) -> list[str]:
    head = "branch" + (f" {label(item.label)}" if item.label is not None else "")
    out = [style.after(head + " {", item)]
    for case in item.cases:
        target = END if case.target == END else case.target
        lead = "else" if case.percent is None else f"{number(case.percent)}%"
        out.append(INDENT + style.after(f"{lead} -> {target}", case))
    out.append("}")
    return out


def _header(p: Process, words: Words) -> list[str]:
    header: list[str] = []
    if p.owner is not None:
        header.append(f"owner {label(p.owner)}")
    if p.volume is not None:
        header.append(f"volume {volume(p.volume, words)}")
    if p.state != "as_is":
        header.append(f"state {p.state}")
    if p.based_on is not None:
        header.append(f"based_on {p.based_on}")
    header += [f"note {label(t)}" for t in p.notes]
    return header


def _declarations(p: Process, words: Words) -> list[str]:
    return [
        *(f"lane {lane.id}" + (f" {label(lane.label)}" if lane.label is not None else "")
          + f" : {words.role(lane.role)}" for lane in p.lanes),
        *records(p),
    ]


def records(p: Process) -> list[str]:
    """A process's ``document`` and ``data`` declarations, one a line."""
    return [*(f"document {d.id}" + (f" {label(d.label)}" if d.label is not None else "")
              + f" : {d.kind}" for d in p.documents),
            *_data_lines(p.data)]


def process(p: Process, comments: Mapping[str, str] | None = None, *,
            words: Words = ENGLISH, remarks: Remarks | None = None,
            compact: bool = False) -> str:
    """One process block. ``comments`` puts ``# …`` lines above steps, by step id
    (``process.step`` or the bare step id); ``words``, ``remarks`` and ``compact``
    as for :func:`write`."""
    style = _Style(words, remarks, compact)
    head = f"process {p.id}" + (f" {label(p.label)}" if p.label is not None else "") + " {"
    # each phase line goes before the statement it starts at (a step, a use, a
    # parallel block); a phase that holds nothing (W013) goes just before the next
    # phase's line, or at the end
    starts: dict[int, list[Phase]] = {}
    empty: list[Phase] = []
    for ph in p.phases:
        if ph.start is None:
            empty.append(ph)
        else:
            starts[ph.start] = [*empty, ph]
            empty = []
    flow = _flow(p.flow, comments or {}, p.id, starts, style)
    ends = [_phase(ph) for ph in empty]
    blocks = [b for b in (_header(p, words), _declarations(p, words), flow + ends) if b]
    body = []
    for n, block in enumerate(blocks):
        if n and not compact:
            body.append("")
        body += block
    return "\n".join([head, *(INDENT + line if line else "" for line in body), "}"]) + "\n"


def write(file: SourceFile, *, header: str = "",
          comments: Mapping[str, str] | None = None, words: Words = ENGLISH,
          remarks: Remarks | None = None, compact: bool = False) -> str:
    """A whole file: an optional header comment, imports, then the processes.

    ``words``: the vocabulary's words (:data:`ENGLISH`, the canonical ones, or
    :data:`JAPANESE`); ``remarks``: comments after statements; ``compact``: no blank
    line after the header or inside a process, and each step's body on the step's
    line (``{ batch 20; lever none }``), as an import writes a file."""
    parts = []
    if file.imports:
        parts.append("".join(f'import "{i.path}"\n' for i in file.imports))
    parts += [process(p, comments, words=words, remarks=remarks, compact=compact)
              for p in file.processes]
    return join(parts, header=header, compact=compact)


def join(blocks: Iterable[str], *, header: str = "", compact: bool = False) -> str:
    """Written blocks (processes, each ending in a line end) as one file: a blank line
    between them, after a header comment (``# …`` lines; straight above the first
    block when ``compact``)."""
    text = "\n".join(blocks)
    if not header:
        return text
    comment = "".join(f"# {line}\n" for line in header.splitlines())
    return comment + text if compact or not text else comment + "\n" + text
