"""Findings: one small rule each, registered in a table with its code, severity,
the principle it breaks and the levers that answer it (estimation.md §4).

Texts are in bprkit/messages (``[finding.<rule>]``); thresholds in
bprkit/assumptions/default.toml (``[thresholds.*]``).

A rule's scope is ``step`` (it flags one step: a tag, a form, a record) or
``process`` (it flags the flow: visits, hand-offs, waits, approval chains, rework
loops). :func:`group` folds the findings into what an analyst reads: one
:class:`StepFindings` entry per step with all its issues, one per process-wide
finding, ranked by annual hours at stake.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from bprkit.analysis import levers as lever_module
from bprkit.analysis.graph import ExpandedGraph, StepRun, meets_resident, outcome_order
from bprkit.analysis.levers import StepPlan
from bprkit.analysis.metrics import Metrics, approval_runs
from bprkit.assumptions.catalog import Assumptions
from bprkit.assumptions.catalog import default as default_assumptions
from bprkit.messages import catalog as messages
from bprkit.model import WHOSE, Span, iter_uses

DIGITAL_FIRST = "digital_first"
ONCE_ONLY = "once_only"
ONE_STOP = "one_stop"
PAPER_SEAL_VISIT = "paper_seal_visit"
PRINCIPLES = (DIGITAL_FIRST, ONCE_ONLY, ONE_STOP, PAPER_SEAL_VISIT)

STEP, PROCESS = "step", "process"
"""Scopes: a finding on one step, or on the flow of the whole process."""

def lever_order() -> tuple[str, ...]:
    """The order of levers in a grouped entry: the catalog's ``lever_order``."""
    return default_assumptions().lever_order

SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}

SUMMARY_SIZE = 10
"""How many entries of the findings list ``bprkit analyze`` prints without ``--all``."""


@dataclass(frozen=True)
class Hours:
    """Annual hours at stake, by whose they are: never added together, ranked by staff."""

    staff: float = 0.0
    resident: float = 0.0
    external: float = 0.0

    def rank(self) -> tuple[float, float, float]:
        return (self.staff, self.resident, self.external)

    def __add__(self, other: Hours) -> Hours:
        """Column by column: staff to staff, resident to resident."""
        return Hours(self.staff + other.staff, self.resident + other.resident,
                     self.external + other.external)

    def larger(self, other: Hours) -> Hours:
        """The larger of each column (a step's entry weighs the step once)."""
        return Hours(max(self.staff, other.staff), max(self.resident, other.resident),
                     max(self.external, other.external))

    def text(self, lang: str) -> str:
        """「職員 年 42 時間（住民 472 時間）」: staff first, the others beside when any."""
        head = messages.text(lang, "hours_staff", hours=_hours(self.staff))
        rest = [messages.text(lang, f"hours_{k}", hours=_hours(v))
                for k, v in (("resident", self.resident), ("external", self.external))
                if v >= 0.5]
        beside = messages.text(lang, "hours_beside", hours=messages.join(lang, rest))
        return head + (beside if rest else "")

    def to_dict(self) -> dict[str, float]:
        return {"staff": round(self.staff, 4), "resident": round(self.resident, 4),
                "external": round(self.external, 4)}


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str  # high | medium | low
    principle: str
    levers: tuple[str, ...]
    check: Callable[[Context], Iterator[Hit]]
    scope: str = STEP


@dataclass(frozen=True)
class Hit:
    """What a rule found: the steps involved (the first is the one shown)."""

    runs: tuple[StepRun, ...]
    args: dict[str, object] = field(default_factory=dict)
    hours: Hours | None = None
    levers: tuple[str, ...] | None = None
    """The levers that answer this hit, when they differ from the rule's."""
    variant: str = "message"
    """The message text to use (a rule words a hit differently by what it found)."""
    span: Span | None = None
    """Where the finding points, when not at its first step (a ``use … batch`` line)."""


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
    args: dict[str, object]
    scope: str = STEP
    variant: str = "message"
    hours: Hours | None = None
    """Annual hours at stake by whose: staff, resident, external; None without volume."""

    @property
    def annual_hours(self) -> float | None:
        """Annual staff hours at stake: what findings are ranked by."""
        return self.hours.staff if self.hours is not None else None

    def message(self, lang: str = "en") -> str:
        return messages.finding(lang, self.rule, self.args, part=self.variant)

    def detail(self, lang: str = "en") -> str:
        """The message without the step's name, for a line under the step's heading
        (a process-wide finding has no shorter form: its message)."""
        if self.scope != STEP:
            return self.message(lang)
        return messages.finding(lang, self.rule, self.args,
                                part=self.variant.replace("message", "detail", 1))

    def title(self, lang: str = "en") -> str:
        return messages.finding(lang, self.rule, self.args, part="title")

    def principle_text(self, lang: str = "en") -> str:
        return messages.text(lang, f"principle_{self.principle}")

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        return {
            "code": self.code, "rule": self.rule, "severity": self.severity,
            "scope": self.scope, "principle": self.principle_text(lang), "step": self.step,
            "file": self.span.file if self.span else None,
            "line": self.span.line if self.span else None,
            "levers": list(self.levers), "annual_hours": self.annual_hours,
            "hours": self.hours.to_dict() if self.hours else None,
            "basis": list(self.basis), "title": self.title(lang), "message": self.message(lang),
        }


@dataclass
class Context:
    graph: ExpandedGraph
    metrics: Metrics
    assumptions: Assumptions
    _loops: dict[str, set[str]] | None = field(default=None, repr=False)

    @cached_property
    def runs(self) -> list[StepRun]:
        """The runs cases pass (made once: every rule walks them)."""
        return [r for r in self.graph.runs if r.executions > 0]

    def hours(self, runs: tuple[StepRun, ...] | list[StepRun], *, extra: float = 1.0
              ) -> Hours | None:
        """Annual hours the runs take (executions × time × volume), each run in the
        column of its kind: staff, resident or external (system steps: no one's)."""
        per_year = self.metrics.cases_per_year
        if per_year is None:
            return None
        out = {"staff": 0.0, "resident": 0.0, "external": 0.0}
        for r in runs:
            column = WHOSE.get(r.kind or "")
            if column:
                out[column] += r.executions * r.minutes * extra * per_year / 60
        return Hours(**out)

    @cached_property
    def by_id(self) -> dict[str, StepRun]:
        """The runs cases pass, by id."""
        return {r.id: r for r in self.runs}

    def loop_of(self, node: str) -> set[str]:
        """The strongly connected part of the expanded graph holding ``node`` (its
        rework loop), the components found once for every rule that asks."""
        if self._loops is None:
            import networkx as nx

            self._loops = {}
            for component in nx.strongly_connected_components(self.graph.digraph):
                if len(component) > 1:
                    for n in component:
                        self._loops[n] = component
        return self._loops.get(node, {node})

    def threshold(self, name: str) -> float:
        return self.assumptions.value(f"thresholds.{name}")


RULES: list[Rule] = []


def rule(code: str, name: str, severity: str, principle: str, levers: tuple[str, ...],
         scope: str = STEP) -> Callable[[Callable[[Context], Iterator[Hit]]], Callable]:
    def register(check: Callable[[Context], Iterator[Hit]]) -> Callable:
        RULES.append(Rule(code, name, severity, principle, levers, check, scope))
        return check
    return register


def _tagged(tag: str) -> Callable[[Context], Iterator[Hit]]:
    def check(ctx: Context) -> Iterator[Hit]:
        for r in ctx.runs:
            if tag in r.step.tags:
                yield Hit((r,), hours=ctx.hours((r,)))
    return check


ISSUE = "issue"
OUTCOME = frozenset({"issue", "notice"})
SEAL_ON_APPROVAL = ("e_approval",)
SEAL_ELSEWHERE = ("seal_abolition", "online")


def _seal(ctx: Context) -> Iterator[Hit]:
    """A seal. On an approval step e-approval answers it; a cashier's receipt stamp
    (領収印), a counter's or a resident's seal is answered by abolishing it (押印廃止)
    or by applying online, never by e-approval."""
    for r in ctx.runs:
        if "seal" in r.step.tags:
            levers = SEAL_ON_APPROVAL if r.kind == "approval" else SEAL_ELSEWHERE
            yield Hit((r,), hours=ctx.hours((r,)), levers=levers)


def _print(ctx: Context) -> Iterator[Hit]:
    """Printing, except the outcome given to the resident: a step tagged ``issue``
    (交付) or ``notice`` (通知) prints the certificate or the letter itself, and so does a
    step whose ``produces`` document such a step uses or produces."""
    handed = {(r.process.id, d) for r in ctx.runs if OUTCOME & set(r.step.tags)
              for d in (*r.step.uses, *r.step.produces)}
    for r in ctx.runs:
        if "print" not in r.step.tags or OUTCOME & set(r.step.tags):
            continue
        if any((r.process.id, d) in handed for d in r.step.produces):
            continue
        yield Hit((r,), hours=ctx.hours((r,)))


_TAG_CHECKS = {"seal": _seal, "print": _print}
_TAG_RULES = [
    ("F101", "paper", "medium", DIGITAL_FIRST,
     ("online", "no_writing_counter", "tablet_survey", "ai_ocr", "e_approval", "e_storage")),
    ("F102", "seal", "high", PAPER_SEAL_VISIT, ("e_approval", "seal_abolition", "online")),
    ("F103", "in_person", "high", PAPER_SEAL_VISIT,
     ("online", "no_writing_counter", "convenience_store")),
    ("F104", "handwritten", "medium", DIGITAL_FIRST, ("no_writing_counter", "online")),
    ("F105", "transcribe", "medium", DIGITAL_FIRST, ("rpa", "ai_ocr")),
    ("F106", "check", "low", DIGITAL_FIRST, ("rpa", "data_linkage")),
    ("F107", "print", "low", DIGITAL_FIRST, ("e_approval", "e_storage", "e_notice")),
    ("F108", "postal", "medium", DIGITAL_FIRST,
     ("online", "data_linkage", "external_linkage", "e_notice")),
    ("F109", "fax", "medium", DIGITAL_FIRST, ("online", "data_linkage", "external_linkage")),
    ("F110", "phone", "low", DIGITAL_FIRST, ("online",)),
    ("F111", "cash", "medium", DIGITAL_FIRST, ("cashless",)),
]
for _code, _tag, _severity, _principle, _levers in _TAG_RULES:
    rule(_code, _tag, _severity, _principle, _levers)(_TAG_CHECKS.get(_tag) or _tagged(_tag))


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
            variant = ("message" if held_items and again
                       else "message_held" if held_items else "message_again")
            yield Hit((r,), {"held": tuple(held_items), "again": tuple(again)},
                      ctx.hours((r,)), variant=variant)


@rule("F202", "one_stop", "high", ONE_STOP, ("online", "no_writing_counter"), PROCESS)
def one_stop(ctx: Context) -> Iterator[Hit]:
    """A resident meets more than one counter lane, or comes more than once."""
    burden = ctx.metrics.resident
    if burden.counters > 1 or burden.visits > 1 + 1e-9:
        meeting = [r for r in ctx.runs if meets_resident(r)]
        yield Hit(tuple(meeting[:1] or ctx.runs[:1]),
                  {"counters": burden.counters, "visits": f"{burden.visits:.2f}"},
                  ctx.hours(meeting))


@rule("F203", "approval_chain", "medium", PAPER_SEAL_VISIT, ("e_approval",), PROCESS)
def approval_chain(ctx: Context) -> Iterator[Hit]:
    limit = ctx.threshold("approval_chain")
    for chain in approval_runs(ctx.graph):
        if len(chain) >= limit:
            yield Hit(tuple(chain), {"hops": len(chain),
                                     "chain": " → ".join(r.id for r in chain)},
                      ctx.hours(chain))


@rule("F204", "handoffs", "low", ONE_STOP, ("rpa", "data_linkage"), PROCESS)
def handoff_heavy(ctx: Context) -> Iterator[Hit]:
    if ctx.metrics.handoffs > ctx.threshold("handoffs"):
        yield Hit(tuple(ctx.runs[:1]), {"handoffs": f"{ctx.metrics.handoffs:.1f}",
                                        "limit": f"{ctx.threshold('handoffs'):g}"})


@rule("F205", "rework", "medium", DIGITAL_FIRST, ("online", "no_writing_counter"), PROCESS)
def rework(ctx: Context) -> Iterator[Hit]:
    """A branch case that goes back to an earlier step with 10 % or more of the cases.

    The share is of cases, not of runs: the flow back over the passes of cases through
    the target (a batched target runs once for many cases). The hours are the time
    the rework causes: the re-runs of the steps a case passes again (the share of
    their hours) and all of the steps only reworked cases take (the correction), each
    in the column of whose it is."""
    g = ctx.graph.digraph
    runs = ctx.by_id
    limit = ctx.threshold("rework")
    for r in ctx.runs:
        for _, dst, data in g.out_edges(r.id, data=True):
            target = runs.get(dst)
            if not target or target.order > r.order or target.visits <= 0:
                continue
            share = data["flow"] / target.visits
            if share >= limit - 1e-9:
                again, only = _rework_runs(ctx, target)
                reruns, corrections = ctx.hours(again, extra=share), ctx.hours(only)
                hours = (reruns + corrections if reruns is not None
                         and corrections is not None else None)
                yield Hit((r, target), {"share": f"{share * 100:.0f}", "target": dst},
                          hours)


def _rework_runs(ctx: Context, target: StepRun) -> tuple[list[StepRun], list[StepRun]]:
    """The runs of the loop through ``target``: those a case passes again (they can
    leave the loop without passing the target) and those only reworked cases take."""
    import networkx as nx

    g = ctx.graph.digraph
    loop = ctx.loop_of(target.id)
    inner = g.subgraph(loop - {target.id})
    leaving = {n for n in inner if any(v not in loop for v in g.successors(n))}
    free = set(leaving)
    for n in leaving:
        free |= nx.ancestors(inner, n)
    runs = sorted((ctx.by_id[n] for n in loop if n in ctx.by_id), key=lambda x: x.order)
    again = [x for x in runs if x.id == target.id or x.id in free]
    only = [x for x in runs if x.id != target.id and x.id not in free]
    return again, only


@rule("F206", "paper_storage", "low", DIGITAL_FIRST, ("e_storage",))
def paper_storage(ctx: Context) -> Iterator[Hit]:
    for r in ctx.runs:
        paper_docs = {d.id for d in r.process.documents if d.kind == "paper"}
        stored = [d for s in r.step.stores for d in s.documents if d in paper_docs]
        if stored or (r.kind == "storage" and "paper" in r.step.tags):
            yield Hit((r,), {"documents": tuple(stored)}, ctx.hours((r,)),
                      variant="message" if stored else "message_plain")


PAPER_WAYS = frozenset({"paper", "postal", "fax", "print"})
"""How an inquiry goes on paper: a paper form, post, fax or a printout."""


@rule("F207", "paper_inquiry", "medium", ONCE_ONLY, ("data_linkage", "external_linkage"))
def paper_inquiry(ctx: Context) -> Iterator[Hit]:
    """An inquiry asked or answered on paper: a step tagged ``inquiry`` (照会) on paper,
    by post or fax, or an external step on paper that reads data the municipality
    holds, or answers by post or fax."""
    for r in ctx.runs:
        # what an inquiry is has one home, the lever rules' facts (levers.facts_of)
        held = {d.id for d in r.process.data if d.held}
        facts = lever_module.facts_of(r.step, r.kind, r.lane.role if r.lane else None,
                                      held=held)
        if facts.get("inquiry") and PAPER_WAYS & set(r.step.tags):
            yield Hit((r,), {"data": tuple(r.step.reads)}, ctx.hours((r,)),
                      variant="message" if r.step.reads else "message_plain")


@rule("F208", "waiting", "medium", ONE_STOP, ("online", "e_approval"), PROCESS)
def waiting(ctx: Context) -> Iterator[Hit]:
    """Waits make up most of the lead time. The wait it names is the longest one the
    resident lives: before the outcome (the last ``issue`` or ``notice`` step, else
    the last step the resident takes part in), not filing after the resident left;
    each wait as often as it enters the lead time, a batch's wait included (a step's
    ``batch``, or the wait before a ``use … batch``)."""
    share = ctx.metrics.waiting_share
    if share > ctx.threshold("waiting_share") and ctx.runs:
        outcome = outcome_order(ctx.graph)
        weights = ctx.graph.resident_lead_weights or ctx.graph.lead_weights
        waits: list[tuple[float, StepRun, bool]] = []
        for r in ctx.runs:
            if outcome is not None and r.order > outcome:
                continue
            if weights.get(r.id, 0.0) * r.wait > 0:
                waits.append((weights[r.id] * r.wait, r, False))
            fixed = ctx.graph.lead_fixed.get(r.order, 0.0)
            if fixed > 0:
                waits.append((fixed, r, True))
        args: dict[str, object] = {"share": f"{share * 100:.0f}",
                                   "days": f"{ctx.metrics.lead_time_days:.1f}"}
        if waits:
            minutes, run, before_use = max(waits, key=lambda w: w[0])
            days = minutes / (ctx.assumptions.hours_per_day * 60)
            found: dict[str, object] = {**args, "wait_days": f"{days:.1f}"}
            span = None
            if before_use:  # point at the use line, named by the process it calls
                use = next((u for u in iter_uses(ctx.graph.process.flow)
                            if u.process == run.process.id and u.batch is not None), None)
                span = use.span if use is not None else None
                found["label"] = run.process.title
            batch = before_use or run.batch_wait >= run.wait / 2
            yield Hit((run,), found, variant="message_batch" if batch else "message",
                      span=span)
        else:
            yield Hit(tuple(ctx.runs[:1]), args, variant="message_plain")


def _fitting_levers(graph: ExpandedGraph, assumptions: Assumptions,
                    plans: Sequence[StepPlan] | None = None) -> dict[str, set[str]]:
    """Per step run, the levers the lever engine would apply there (bprkit.analysis.levers):
    a finding offers only those, so it never suggests e-approval for a receipt stamp,
    RPA for judgement or a lever the step's ``lever`` line forbids. ``plans``: the runs'
    plans with every lever allowed, when the caller has them (else the graph's, made
    once per graph)."""
    out = {}
    if plans is None:
        plans = graph.lever_plans(assumptions, None)
    for run, plan in zip(graph.runs, plans, strict=True):
        out[run.id] = set(plan.plan.chain)
        if run.step.levers is not None and run.process.state == "to_be":
            out[run.id] = set(run.step.levers)
    return out


def find(graph: ExpandedGraph, metrics: Metrics, assumptions: Assumptions, *,
         plans: Sequence[StepPlan] | None = None) -> list[Finding]:
    """Every finding, ranked by annual staff hours at stake (most first), then resident
    and external hours, then by place. ``plans``: the runs' lever plans with every
    lever allowed (``graph.lever_plans(assumptions)``), when the caller has them."""
    ctx = Context(graph, metrics, assumptions)
    fits = _fitting_levers(graph, assumptions, plans)
    anywhere = {lever for levers in fits.values() for lever in levers}
    out = [_finding(r, hit, fits, anywhere) for r in RULES for hit in r.check(ctx)]
    out.sort(key=lambda f: (*(-x for x in (f.hours or Hours()).rank()),
                            f.span.line if f.span else 0, f.code))
    return out


def _finding(r: Rule, hit: Hit, fits: Mapping[str, set[str]],
             anywhere: Collection[str]) -> Finding:
    """A rule's hit as a finding about its first run (if any), with the levers that
    work there: on the step for a step's rule, else on some step of the process."""
    first = hit.runs[0] if hit.runs else None
    args = {"step": first.id if first else "",
            "label": first.step.title if first else "", **hit.args}
    levers = hit.levers or r.levers
    if r.scope == STEP and first is not None:  # only levers that work here
        levers = tuple(lever for lever in levers if lever in fits[first.id])
    else:  # only levers some step of the process can take
        levers = tuple(lever for lever in levers if lever in anywhere)
    return Finding(r.code, r.name, r.severity, r.principle, levers,
                   first.id if first else None,
                   hit.span or (first.step.span if first else None),
                   first.step.basis if first else (), args, r.scope, hit.variant, hit.hours)


# ── the grouped view: what an analyst reads ──

def _lever_key(name: str) -> tuple[int, str]:
    order = lever_order()
    return (order.index(name) if name in order else len(order), name)


def _hours(value: float) -> str:
    return f"{value:,.0f}"


@dataclass(frozen=True)
class StepFindings:
    """One entry of the findings list: a step with every issue found on it, or one
    process-wide finding (``scope == "process"``). ``hours`` are the hours at stake of
    the step (not a sum over its findings, which all weigh the same step)."""

    scope: str
    step: str | None
    label: str | None
    span: Span | None
    findings: tuple[Finding, ...]
    levers: tuple[str, ...]
    """The union of the findings' levers, in the catalog's lever order."""
    basis: tuple[str, ...] = ()
    hours: Hours | None = None
    """Annual hours at stake by whose (staff, resident, external)."""

    @property
    def annual_hours(self) -> float | None:
        """Annual staff hours at stake: what entries are ranked by."""
        return self.hours.staff if self.hours is not None else None

    @property
    def severity(self) -> str:
        return min((f.severity for f in self.findings), key=lambda s: SEVERITY_RANK.get(s, 9))

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.findings)

    @property
    def place(self) -> str | None:
        return f"{self.span.file}:{self.span.line}" if self.span else None

    def title(self, lang: str = "en") -> str:
        """The findings' titles, joined: 「紙、押印、対面」."""
        return _part(lang, "join").join(f.title(lang) for f in self.findings)

    def heading(self, lang: str = "en") -> str:
        """What the entry is about: the step and its label, or the whole process."""
        if self.scope == PROCESS:
            return _part(lang, "process")
        if self.label and self.label != self.step:
            return f"{self.step} 「{self.label}」"
        return str(self.step)

    def lines(self, lang: str = "en") -> list[str]:
        """The entry as text: a heading with place and hours, one line per finding,
        and the levers (and the step's basis) last."""
        head = [self.heading(lang)]
        if self.place:
            head.append(self.place)
        if self.hours is not None:
            head.append(self.hours.text(lang))
        out = ["  ".join(head)]
        out += [f"  {f.code} {f.title(lang)}: {f.detail(lang)}" for f in self.findings]
        tail = _part(lang, "levers", levers=messages.separator(lang).join(
            lever_title(name, lang) for name in self.levers) or "-")
        if self.basis:
            tail += "  " + _part(lang, "basis", basis="; ".join(self.basis))
        out.append(f"  {tail}")
        return out

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        return {
            "scope": self.scope, "step": self.step, "label": self.label,
            "file": self.span.file if self.span else None,
            "line": self.span.line if self.span else None,
            "annual_hours": self.annual_hours,
            "hours": self.hours.to_dict() if self.hours else None, "severity": self.severity,
            "codes": list(self.codes), "levers": list(self.levers), "basis": list(self.basis),
            "title": self.title(lang),
            "findings": [{"code": f.code, "rule": f.rule, "severity": f.severity,
                          "principle": f.principle_text(lang), "levers": list(f.levers),
                          "title": f.title(lang), "message": f.message(lang)}
                         for f in self.findings],
        }


def _part(lang: str, part: str, **args: object) -> str:
    """A text of the findings list (``[finding.list]`` in the catalogs)."""
    return messages.finding(lang, "list", args, part=part)


def lever_title(name: str, lang: str) -> str:
    """A lever's name as the reader's language has it (the catalog's title)."""
    return default_assumptions().lever_title(name, lang)


def _entry(scope: str, found: list[Finding]) -> StepFindings:
    found = sorted(found, key=lambda f: (SEVERITY_RANK.get(f.severity, 9), f.code))
    first = found[0]
    hours = None
    for h in (f.hours for f in found if f.hours is not None):
        hours = h if hours is None else hours.larger(h)
    levers = sorted({lever for f in found for lever in f.levers}, key=_lever_key)
    label = first.args.get("label")
    return StepFindings(scope, first.step, str(label) if label else None, first.span,
                        tuple(found), tuple(levers), first.basis if scope == STEP else (),
                        hours)


def group(findings: Iterable[Finding]) -> list[StepFindings]:
    """One entry per step with all its step findings, one per process-wide finding;
    ranked by annual staff hours at stake (most first), then resident and external
    hours, severity and place."""
    by_step: dict[str | None, list[Finding]] = {}
    entries = []
    for f in findings:
        if f.scope == STEP and f.step is not None:
            by_step.setdefault(f.step, []).append(f)
        else:
            entries.append(_entry(PROCESS, [f]))
    entries += [_entry(STEP, found) for found in by_step.values()]
    entries.sort(key=lambda e: (*(-x for x in (e.hours or Hours()).rank()),
                                SEVERITY_RANK.get(e.severity, 9),
                                e.scope != STEP, e.span.line if e.span else 0, e.codes))
    return entries
