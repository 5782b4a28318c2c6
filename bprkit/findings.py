"""Findings: one small rule each, registered in a table with its code, severity,
the principle it breaks and the levers that answer it (estimation.md §4).

Texts are in bprkit/messages (``[finding.<rule>]``); thresholds in
bprkit/assumptions/default.toml (``[thresholds.*]``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bprkit import messages
from bprkit.assumptions import Assumptions
from bprkit.graph import ExpandedGraph, StepRun
from bprkit.metrics import Metrics, approval_runs, meets_resident
from bprkit.model import Span

DIGITAL_FIRST = "digital_first"
ONCE_ONLY = "once_only"
ONE_STOP = "one_stop"
PAPER_SEAL_VISIT = "paper_seal_visit"
PRINCIPLES = (DIGITAL_FIRST, ONCE_ONLY, ONE_STOP, PAPER_SEAL_VISIT)


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str  # high | medium | low
    principle: str
    levers: tuple[str, ...]
    check: Callable[[Context], Iterator[Hit]]


@dataclass(frozen=True)
class Hit:
    """What a rule found: the steps involved (the first is the one shown)."""

    runs: tuple[StepRun, ...]
    args: dict[str, object] = field(default_factory=dict)
    annual_hours: float | None = None


@dataclass(frozen=True)
class Finding:
    code: str
    rule: str
    severity: str
    principle: str
    levers: tuple[str, ...]
    step: str | None
    span: Span | None
    basis: tuple[str, ...]
    annual_hours: float | None
    args: dict[str, object]

    def message(self, lang: str = "en") -> str:
        return messages.finding(lang, self.rule, self.args)

    def title(self, lang: str = "en") -> str:
        return messages.finding(lang, self.rule, self.args, part="title")

    def principle_text(self, lang: str = "en") -> str:
        return messages.text(lang, f"principle_{self.principle}")

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        return {
            "code": self.code, "rule": self.rule, "severity": self.severity,
            "principle": self.principle_text(lang), "step": self.step,
            "file": self.span.file if self.span else None,
            "line": self.span.line if self.span else None,
            "levers": list(self.levers), "annual_hours": self.annual_hours,
            "basis": list(self.basis), "title": self.title(lang), "message": self.message(lang),
        }


@dataclass
class Context:
    graph: ExpandedGraph
    metrics: Metrics
    assumptions: Assumptions

    @property
    def runs(self) -> list[StepRun]:
        return [r for r in self.graph.runs if r.executions > 0]

    def hours(self, runs: tuple[StepRun, ...] | list[StepRun], *, extra: float = 1.0
              ) -> float | None:
        """Annual staff and resident hours the runs take (executions × time × volume)."""
        per_year = self.metrics.cases_per_year
        if per_year is None:
            return None
        return sum(r.executions * r.minutes for r in runs) * extra * per_year / 60

    def threshold(self, name: str) -> float:
        return self.assumptions.value(f"thresholds.{name}")


RULES: list[Rule] = []


def rule(code: str, name: str, severity: str, principle: str,
         levers: tuple[str, ...]) -> Callable[[Callable[[Context], Iterator[Hit]]], Callable]:
    def register(check: Callable[[Context], Iterator[Hit]]) -> Callable:
        RULES.append(Rule(code, name, severity, principle, levers, check))
        return check
    return register


def _tagged(tag: str) -> Callable[[Context], Iterator[Hit]]:
    def check(ctx: Context) -> Iterator[Hit]:
        for r in ctx.runs:
            if tag in r.step.tags:
                yield Hit((r,), annual_hours=ctx.hours((r,)))
    return check


_TAG_RULES = [
    ("F101", "paper", "medium", DIGITAL_FIRST, ("ai_ocr", "online", "e_storage")),
    ("F102", "seal", "high", PAPER_SEAL_VISIT, ("e_approval", "online")),
    ("F103", "in_person", "high", PAPER_SEAL_VISIT, ("online", "no_writing_counter")),
    ("F104", "handwritten", "medium", DIGITAL_FIRST, ("no_writing_counter", "online")),
    ("F105", "transcribe", "medium", DIGITAL_FIRST, ("rpa", "ai_ocr")),
    ("F106", "check", "low", DIGITAL_FIRST, ("rpa", "data_linkage")),
    ("F107", "print", "low", DIGITAL_FIRST, ("e_approval", "e_storage")),
    ("F108", "postal", "medium", DIGITAL_FIRST, ("online", "data_linkage")),
    ("F109", "fax", "medium", DIGITAL_FIRST, ("online", "data_linkage")),
    ("F110", "phone", "low", DIGITAL_FIRST, ("online",)),
    ("F111", "cash", "medium", DIGITAL_FIRST, ("cashless",)),
]
for _code, _tag, _severity, _principle, _levers in _TAG_RULES:
    rule(_code, _tag, _severity, _principle, _levers)(_tagged(_tag))


@rule("F201", "once_only", "high", ONCE_ONLY, ("no_writing_counter", "data_linkage"))
def once_only(ctx: Context) -> Iterator[Hit]:
    """A resident writes data the municipality holds, or writes an item twice."""
    written: Counter[str] = Counter()
    for r in sorted(ctx.runs, key=lambda r: r.order):
        if r.lane is None or r.lane.role != "resident" or not r.step.writes:
            continue
        held = {d.id for d in r.process.data if d.held}
        held_items = [w for w in r.step.writes if w in held]
        again = [w for w in r.step.writes if written[w]]
        written.update(r.step.writes)
        if held_items or again:
            yield Hit((r,), {"held": "、".join(held_items) or "-",
                             "again": "、".join(again) or "-"}, ctx.hours((r,)))


@rule("F202", "one_stop", "high", ONE_STOP, ("online", "no_writing_counter"))
def one_stop(ctx: Context) -> Iterator[Hit]:
    """A resident meets more than one counter lane, or comes more than once."""
    burden = ctx.metrics.resident
    if burden.counters > 1 or burden.visits > 1 + 1e-9:
        meeting = [r for r in ctx.runs if meets_resident(r)]
        yield Hit(tuple(meeting[:1] or ctx.runs[:1]),
                  {"counters": burden.counters, "visits": f"{burden.visits:.2f}"},
                  ctx.hours(meeting))


@rule("F203", "approval_chain", "medium", PAPER_SEAL_VISIT, ("e_approval",))
def approval_chain(ctx: Context) -> Iterator[Hit]:
    limit = ctx.threshold("approval_chain")
    for chain in approval_runs(ctx.graph):
        if len(chain) >= limit:
            yield Hit(tuple(chain), {"hops": len(chain),
                                     "chain": " → ".join(r.id for r in chain)},
                      ctx.hours(chain))


@rule("F204", "handoffs", "low", ONE_STOP, ("rpa", "data_linkage"))
def handoff_heavy(ctx: Context) -> Iterator[Hit]:
    if ctx.metrics.handoffs > ctx.threshold("handoffs"):
        yield Hit(tuple(ctx.runs[:1]), {"handoffs": f"{ctx.metrics.handoffs:.1f}",
                                        "limit": f"{ctx.threshold('handoffs'):g}"})


@rule("F205", "rework", "medium", DIGITAL_FIRST, ("online", "no_writing_counter"))
def rework(ctx: Context) -> Iterator[Hit]:
    """A branch case that goes back to an earlier step with 10 % or more."""
    g = ctx.graph.digraph
    runs = {r.id: r for r in ctx.runs}
    limit = ctx.threshold("rework")
    for r in ctx.runs:
        for _, dst, data in g.out_edges(r.id, data=True):
            target = runs.get(dst)
            if not target or target.order > r.order or target.executions <= 0:
                continue
            # the share of the target's runs that are repeats: p for a simple loop
            share = data["flow"] / target.executions
            if share >= limit - 1e-9:
                loop = [x for x in ctx.runs if target.order <= x.order <= r.order]
                yield Hit((r, target), {"share": f"{share * 100:.0f}", "target": dst},
                          ctx.hours(loop, extra=share))


@rule("F206", "paper_storage", "low", DIGITAL_FIRST, ("e_storage",))
def paper_storage(ctx: Context) -> Iterator[Hit]:
    for r in ctx.runs:
        paper_docs = {d.id for d in r.process.documents if d.kind == "paper"}
        stored = [d for s in r.step.stores for d in s.documents if d in paper_docs]
        if stored or (r.kind == "storage" and "paper" in r.step.tags):
            yield Hit((r,), {"documents": "、".join(stored) or "-"}, ctx.hours((r,)))


@rule("F207", "paper_inquiry", "medium", ONCE_ONLY, ("data_linkage",))
def paper_inquiry(ctx: Context) -> Iterator[Hit]:
    """Another department or body answers an inquiry on paper: an external step
    on paper that reads data the municipality holds, or answers by post or fax."""
    for r in ctx.runs:
        if r.lane is None or r.lane.role != "external" or not r.step.reads:
            continue
        held = {d.id for d in r.process.data if d.held}
        tags = set(r.step.tags)
        if ("paper" in tags and held & set(r.step.reads)) or {"postal", "fax"} & tags:
            yield Hit((r,), {"data": "、".join(r.step.reads)}, ctx.hours((r,)))


@rule("F208", "waiting", "medium", ONE_STOP, ("online", "e_approval"))
def waiting(ctx: Context) -> Iterator[Hit]:
    share = ctx.metrics.waiting_share
    if share > ctx.threshold("waiting_share") and ctx.runs:
        longest = max(ctx.runs, key=lambda r: r.executions * r.wait)
        yield Hit((longest,), {"share": f"{share * 100:.0f}",
                               "days": f"{ctx.metrics.lead_time_days:.1f}"})


def find(graph: ExpandedGraph, metrics: Metrics, assumptions: Assumptions) -> list[Finding]:
    """Every finding, sorted by annual hours at stake (most first), then by place."""
    ctx = Context(graph, metrics, assumptions)
    out = []
    for r in RULES:
        for hit in r.check(ctx):
            first = hit.runs[0] if hit.runs else None
            args = {"step": first.id if first else "-",
                    "label": first.step.title if first else "-", **hit.args}
            out.append(Finding(r.code, r.name, r.severity, r.principle, r.levers,
                               first.id if first else None,
                               first.step.span if first else None,
                               first.step.basis if first else (),
                               hit.annual_hours, args))
    out.sort(key=lambda f: (-(f.annual_hours or 0.0), f.span.line if f.span else 0, f.code))
    return out
