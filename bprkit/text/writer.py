"""Model → canonical `.bpr` text: two-space indents, labels in 「」 (or "…" when
the text holds 」 or a line break), canonical English words, ranges low..mode..high.

``parse(write(file)) == file`` for every model the parser produces (spans aside):
the writer's round-trip tests check it on every file of the project.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bprkit import units
from bprkit.model import (
    END,
    Batch,
    Branch,
    Data,
    Duration,
    FlowItem,
    Parallel,
    Phase,
    Process,
    SourceFile,
    Step,
    Use,
    Volume,
)

_UNITS = units.WRITTEN
INDENT = "  "


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


def duration(d: Duration) -> str:
    values = [d.low] + ([d.mode] if d.mode is not None else []) + (
        [d.high] if d.mode is not None or d.high != d.low else [])
    return "..".join(number(v) for v in values) + _UNITS[d.unit]


def volume(v: Volume) -> str:
    """``8,000 / year within 15 days 60%``: a volume as the grammar reads it."""
    season = f" within {number(v.season_days)} days" if v.season_days is not None else ""
    if season and v.season_share != 1.0:
        season += f" {number(round(v.season_share * 100, 9))}%"
    return f"{number(v.count)} / {v.period}{season}"


def batch(b: Batch) -> str:
    text = f"batch {number(b.cases)}" if b.cases is not None else f"batch {b.period}"
    return text if b.shared else f"{text} each"


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


def _step(step: Step) -> list[str]:
    head = f"step {step.id}"
    if step.label is not None:
        head += f" {label(step.label)}"
    head += f" @{step.lane}"
    if step.tags:
        head += f" [{', '.join(step.tags)}]"
    if step.duration is not None:
        head += f" {duration(step.duration)}"
    if step.wait is not None:
        head += f" wait {duration(step.wait)}"
    if step.target is not None:
        head += f" -> {step.target}"
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
        body.append(batch(step.batch))
    body += [f"note {label(t)}" for t in step.notes]
    body += [f"pain {label(t)}" for t in step.pains]
    body += [f"basis {label(t)}" for t in step.basis]
    if not body:
        return [head]
    return [head + " {", *(INDENT + line for line in body), "}"]


def _phase(ph: Phase) -> str:
    return f"phase {ph.id}" + (f" {label(ph.label)}" if ph.label is not None else "")


def _flow(items: tuple[FlowItem, ...], comments: Mapping[str, str], pid: str = "",
          phases: Mapping[int, list[Phase]] | None = None) -> list[str]:
    """Flow lines; ``phases`` (index of a statement → phase lines) puts phase lines
    before the statements where they start."""
    out: list[str] = []
    for n, item in enumerate(items):
        out += [_phase(ph) for ph in (phases or {}).get(n, ())]
        if isinstance(item, Step):
            comment = comments.get(f"{pid}.{item.id}") or comments.get(item.id)
            if comment:
                out += [f"# {line}" for line in comment.splitlines()]
            out += _step(item)
        elif isinstance(item, Branch):
            head = "branch" + (f" {label(item.label)}" if item.label is not None else "")
            out.append(head + " {")
            for case in item.cases:
                target = END if case.target == END else case.target
                lead = "else" if case.percent is None else f"{number(case.percent)}%"
                out.append(f"{INDENT}{lead} -> {target}")
            out.append("}")
        elif isinstance(item, Parallel):
            out.append("parallel {")
            for path in item.paths:
                head = "path" + (f" {label(path.label)}" if path.label is not None else "")
                out.append(INDENT + head + " {")
                out += [INDENT * 2 + line for line in _flow(path.items, comments, pid)]
                out.append(INDENT + "}")
            out.append("}")
        elif isinstance(item, Use):
            times = f" x {number(item.times)}" if item.times != 1 else ""
            tail = f" {batch(item.batch)}" if item.batch is not None else ""
            out.append(f"use {item.process}{times}{tail}")
    return out


def process(p: Process, comments: Mapping[str, str] | None = None) -> str:
    """One process block. ``comments`` puts ``# …`` lines above steps, by step id
    (``process.step`` or the bare step id)."""
    head = f"process {p.id}" + (f" {label(p.label)}" if p.label is not None else "") + " {"
    header: list[str] = []
    if p.owner is not None:
        header.append(f"owner {label(p.owner)}")
    if p.volume is not None:
        header.append(f"volume {volume(p.volume)}")
    if p.state != "as_is":
        header.append(f"state {p.state}")
    if p.based_on is not None:
        header.append(f"based_on {p.based_on}")
    header += [f"note {label(t)}" for t in p.notes]
    declarations = [
        *(f"lane {lane.id}" + (f" {label(lane.label)}" if lane.label is not None else "")
          + f" : {lane.role}" for lane in p.lanes),
        *(f"document {d.id}" + (f" {label(d.label)}" if d.label is not None else "")
          + f" : {d.kind}" for d in p.documents),
        *_data_lines(p.data),
    ]
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
    flow = _flow(p.flow, comments or {}, p.id, starts)
    ends = [_phase(ph) for ph in empty]
    blocks = [b for b in (header, declarations, flow + ends) if b]
    body = []
    for n, block in enumerate(blocks):
        if n:
            body.append("")
        body += block
    return "\n".join([head, *(INDENT + line if line else "" for line in body), "}"]) + "\n"


def write(file: SourceFile, *, header: str = "",
          comments: Mapping[str, str] | None = None) -> str:
    """A whole file: an optional header comment, imports, then the processes."""
    parts = []
    if header:
        parts.append("".join(f"# {line}\n" for line in header.splitlines()))
    if file.imports:
        parts.append("".join(f'import "{i.path}"\n' for i in file.imports))
    parts += [process(p, comments) for p in file.processes]
    return "\n".join(parts)
