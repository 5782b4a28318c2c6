"""The one lever model: what each lever requires and provides, the order in which
levers meet a step, and what they do to it (docs/estimate.md, "Levers").

``estimate``, ``redesign`` and ``compare`` all go through this module.

A step is described by **facts** (`paper_input`, `person_present`, `rule_based` …),
each held by a share of the cases that reach the step: 1 or 0 in the As-Is. The
catalog (``[levers.*]`` in assumptions/default.toml) says, as data, which facts a
lever **requires** (all of), **requires_any** (at least one of), **excludes** (none
of), and which it **provides** and **removes** for the cases it serves. Levers meet
a step in the catalog's ``lever_order``; each acts on the step as the previous
ones left it:

    c  = min(share of each required fact, max share of the requires_any facts,
             1 − share of each excluded fact)             the cases the lever can serve
    s  = a · c · (1 − e)                                    the cases it does serve
    keep ×= 1 − s · (1 − f)                                 hands-on time kept
    provided fact:  p ← min(1, p + s);   removed fact:  p ← max(0, p − s)
    (a lever serving the same cases at every step, online: max(p, s) and min(p, 1 − s))

with adoption a, exception share e and time factor f of the lever. A factor above 1
(a full visual check of every field) makes the step slower: kept, and reported.
A step's ``lever …`` line pins levers (they apply with c = 1, in catalog order) and
``lever none`` forbids all. Every formula works on floats and on numpy arrays of
Monte Carlo samples alike.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NamedTuple

from bprkit.assumptions.catalog import Assumptions, Lever
from bprkit.model import STAFF_ROLES, Step, resident_present
from bprkit.vocabulary import TAG_ORDER

if TYPE_CHECKING:
    from bprkit.analysis.graph import StepRun

NUMBERS = ("minutes_factor", "wait_factor", "adoption", "exception_rate")

VERIFY: tuple[tuple[str, str | None], ...] = (
    ("verify_all", "verify_all_factor"), ("verify_sample", "verify_sample_factor"),
    ("verify_none", None))
"""A step's check of what a machine read (its tag, most thorough first) → the lever
parameter giving that check's time, a share of the step's time before the lever."""
VERIFY_DEFAULT = "verify_factor"
"""The check when the step does not say (the usual mix of a sample and every field)."""
VERIFY_KEYS = (VERIFY_DEFAULT, *(key for _, key in VERIFY if key))


def verify_key(facts: Mapping[str, Any]) -> str | None:
    """Which check time applies to a step with these facts (None: no check)."""
    for fact, key in VERIFY:
        if facts.get(fact, 0.0) > 0:
            return key
    return VERIFY_DEFAULT

# ── facts ──
PAPER_TAGS = frozenset({"paper", "handwritten", "postal", "fax"})


def facts_of(step: Step, kind: str | None, lane_role: str | None, *,
             held: Collection[str] = (), queue: bool = True) -> dict[str, float]:
    """The As-Is facts of a step (each 1.0 when it holds; absent otherwise)."""
    tags = set(step.tags)
    f: set[str] = set()
    if tags & PAPER_TAGS:
        f.add("paper_input")
    else:
        f.add("electronic_input")
    present = resident_present(step, lane_role)
    for name, holds in (
        ("handwritten", "handwritten" in tags),
        ("person_present", present),
        # the resident does the step, or meets staff for it: in person, or on the phone
        ("resident_facing", kind == "resident" or present or (
            "phone" in tags and lane_role == "counter")),
        ("staff", kind in STAFF_ROLES),
        ("counter", kind == "counter"),
        ("resident", kind == "resident"),
        ("external", kind == "external" or lane_role == "external"),
        ("approval", kind == "approval"),
        ("storage", kind == "storage"),
        ("keying", "transcribe" in tags),
        ("checking", "check" in tags),
        ("verify_all", "verify_all" in tags),
        ("verify_sample", "verify_sample" in tags),
        ("verify_none", "verify_none" in tags),
        ("judgement", "judgement" in tags),
        ("seal", "seal" in tags),
        ("cash", "cash" in tags),
        ("print", "print" in tags),
        ("postal", "postal" in tags),
        ("phone", "phone" in tags),
        ("issue", "issue" in tags),
        ("notice", "notice" in tags),
        ("survey", "survey" in tags),
        ("queue_wait", queue),
    ):
        if holds:
            f.add(name)
    if "judgement" not in tags and ("routine" in tags or tags & {"transcribe", "check"}):
        f.add("rule_based")
    external_paper = lane_role == "external" and (
        ({"postal", "fax"} & tags) or ("paper" in tags and set(step.reads) & set(held)))
    if "inquiry" in tags or (external_paper and step.reads and "in_person" not in tags):
        f.add("inquiry")
    if kind == "approval":
        f.add("approval_route")
    return {name: 1.0 for name in f}


# ── one lever on one step ──
def serves(lever: Lever, facts: Mapping[str, Any]) -> Any:
    """c: the share of the step's cases the lever can serve (0 when it cannot).

    Shares are read as nested, not independent: the cases an earlier lever took
    online are both the ones with electronic input and the ones no longer present,
    so c is the smallest of the required shares, the largest requires_any share and
    one minus each excluded share."""
    c: Any = 1.0
    for name in lever.requires:
        c = _min(c, facts.get(name, 0.0))
    if lever.requires_any:
        best: Any = 0.0
        for name in lever.requires_any:
            best = _max(best, facts.get(name, 0.0))
        c = _min(c, best)
    for name in lever.excludes:
        c = _min(c, 1 - facts.get(name, 0.0))
    return c


def give(lever: Lever, facts: dict[str, Any], s: Any) -> None:
    """What the lever does to the facts of the cases it serves (share s of the step's).

    Shares are read as nested: a lever that serves ``same_cases`` (online: the residents
    who apply online are the same at every step) meets again the cases an earlier
    step's lever made electronic, so a fact it provides becomes max(p, s) and one it
    removes min(p, 1 − s); any other lever serves cases still lacking what it provides
    (AI-OCR reads the paper that is left), so p + s and p − s, within 0..1."""
    for fact in lever.provides:
        p = facts.get(fact, 0.0)
        facts[fact] = _max(p, s) if lever.same_cases else _min(1.0, p + s)
    for fact in lever.removes:
        p = facts.get(fact, 0.0)
        facts[fact] = _min(p, 1 - s) if lever.same_cases else _max(0.0, p - s)


def _min(a: Any, b: Any) -> Any:
    if type(a) is float and type(b) is float:  # planning: plain numbers, the common case
        return b if b < a else a  # as min(a, b)
    import numpy as np

    return np.minimum(a, b) if hasattr(a, "shape") or hasattr(b, "shape") else min(a, b)


def _max(a: Any, b: Any) -> Any:
    if type(a) is float and type(b) is float:
        return b if b > a else a  # as max(a, b)
    import numpy as np

    return np.maximum(a, b) if hasattr(a, "shape") or hasattr(b, "shape") else max(a, b)


def why_not(lever: Lever, facts: Mapping[str, float]) -> tuple[str, str] | None:
    """Why a lever that targets this kind of work cannot serve the step: ("needs",
    the first required fact missing) or ("not_for", the excluded fact present);
    None when it can."""
    for name in lever.excludes:  # what rules the step out, before what it lacks
        if facts.get(name, 0.0) >= 1:
            return "not_for", name
    for name in lever.requires:
        if facts.get(name, 0.0) <= 0:
            return "needs", name
    return None


@dataclass(frozen=True)
class Applied:
    """One lever in a step's chain, with its expected effect."""

    lever: str
    served: float
    """s = a·c·(1 − e): the share of the step's cases the lever serves."""
    minutes_factor: float
    keep_before: float
    keep_after: float
    """The share of As-Is hands-on time kept before and after this lever."""
    pinned: bool = False
    added: float = 0.0
    """Set-up minutes per run this lever adds (batched steps only)."""

    @property
    def slower(self) -> bool:
        return self.minutes_factor > 1 + 1e-12 and self.served > 0


def slows(applied: Applied, minutes: float) -> bool:
    """Whether the lever makes a step of ``minutes`` (As-Is, per execution) slower: a
    time factor above 1, or a set-up per batch run (AI-OCR's scanning and form set-up)
    larger than the minutes it saves."""
    saved = minutes * (applied.keep_before - applied.keep_after)
    return applied.served > 0 and (applied.slower or saved < applied.added - 1e-9)


@dataclass(frozen=True)
class Refusal:
    """A lever aimed at this kind of work that the rules keep off the step."""

    lever: str
    kind: str
    """needs | not_for"""
    fact: str


@dataclass(frozen=True)
class Plan:
    """The levers a step takes, in order, and the step's facts before them."""

    facts: Mapping[str, float]
    chain: tuple[str, ...]
    pinned: frozenset[str]
    staff: bool
    queue: bool
    setup_share: float = 0.0
    """The part of one batch run's set-up each execution bears: 1 on a shared batch (an
    execution is a run), 1/N when N cases are gathered but worked one by one (``each``),
    0 without a batch (no set-up per job)."""

    def key(self) -> tuple:
        return (tuple(sorted(self.facts.items())), self.chain, self.pinned, self.staff,
                self.queue, self.setup_share)


def values(assumptions: Assumptions, name: str) -> dict[str, float]:
    """A lever's numbers at their expected values."""
    v = {k: assumptions.value(f"levers.{name}.{k}") for k in NUMBERS}
    staff_key = f"levers.{name}.staff_minutes_factor"
    v["staff_minutes_factor"] = (assumptions.value(staff_key) if staff_key in
                                 assumptions.params else v["minutes_factor"])
    setup_key = f"levers.{name}.setup_minutes"
    v["setup_minutes"] = (assumptions.value(setup_key) if setup_key in assumptions.params
                          else 0.0)
    for k in VERIFY_KEYS:
        if f"levers.{name}.{k}" in assumptions.params:
            v[k] = assumptions.value(f"levers.{name}.{k}")
    return v


def check_share(plan: Plan, v: Mapping[str, Any]) -> Any:
    """The check by eye a lever leaves on the served cases (a share of the step's time
    before the lever): its ``verify_*_factor`` for the step's verify tag, 0 for a lever
    without one (only a reading lever, AI-OCR, has them) or a step tagged 確認なし."""
    key = verify_key(plan.facts)
    return 0.0 if key is None else v.get(key, 0.0)


class Chain(NamedTuple):
    """A plan applied: hands-on time kept, wait kept, the facts after, per lever
    (name, served share, time kept after it), and the set-up minutes added per run."""

    keep: Any
    keep_wait: Any
    facts: dict[str, Any]
    steps: list[tuple[str, Any, Any]]
    setup: Any


def run_chain(plan: Plan, catalog: Mapping[str, Lever],
              numbers: Mapping[str, Mapping[str, Any]]) -> Chain:
    """Apply the plan's chain with the given numbers (floats or sample arrays). On a
    batched step a lever's ``setup_minutes`` (scanning, setting up a form) is added
    once per run for the share it serves."""
    facts: dict[str, Any] = dict(plan.facts)
    keep: Any = 1.0
    keep_wait: Any = 1.0
    setup: Any = 0.0
    checked: Any = 0.0
    """The share of As-Is time that is a check by eye of what a reading lever read:
    a later lever (RPA entering the read data) leaves it as it is."""
    steps = []
    for name in plan.chain:
        lever = catalog[name]
        v = numbers[name]
        c = 1.0 if name in plan.pinned else serves(lever, facts)
        s = v["adoption"] * c * (1 - v["exception_rate"])
        free = keep - checked
        if lever.removes_step:  # the served cases' whole step goes, its check too
            f: Any = 0.0
            fw: Any = 0.0
            checked = checked * (1 - s)
        else:
            f = v["staff_minutes_factor"] if plan.staff else v["minutes_factor"]
            fw = v["wait_factor"] if (plan.queue or not lever.queue_wait_only) else 1.0
            checked = checked + free * s * check_share(plan, v)
        keep = checked + free * (1 - s * (1 - f))
        keep_wait = keep_wait * (1 - s * (1 - fw))
        if plan.setup_share:
            setup = setup + s * v.get("setup_minutes", 0.0) * plan.setup_share
        give(lever, facts, s)
        steps.append((name, s, keep))
    return Chain(keep, keep_wait, facts, steps, setup)


def chain_key(plan: Plan, catalog: Mapping[str, Lever]) -> tuple:
    """What :func:`run_chain` reads of a plan, and nothing else: plans with the same key
    keep the same time, wait and presence for every sample of the numbers, so the Monte
    Carlo runs each key's chain once (a 10,000-step process has hundreds of plans that
    differ only in facts no lever of theirs reads)."""
    read = {"person_present"}
    for name in plan.chain:
        lever = catalog[name]
        read.update(lever.requires, lever.requires_any, lever.excludes, lever.provides,
                    lever.removes)
    return (tuple(sorted((k, v) for k, v in plan.facts.items() if k in read)), plan.chain,
            tuple(sorted(plan.pinned & set(plan.chain))), plan.staff, plan.queue,
            plan.setup_share, verify_key(plan.facts) if plan.chain else None)


def plan_step(step: Step, facts: Mapping[str, float], assumptions: Assumptions,
              order: Sequence[str], allowed: Collection[str] | None, *, staff: bool,
              queue: bool, applied: bool = False, setup_share: float = 0.0,
              walks: dict[tuple, tuple[tuple[str, ...], tuple[Refusal, ...]]] | None = None
              ) -> tuple[Plan, tuple[Refusal, ...]]:
    """Which levers the step takes, in order, walking the facts forward with each
    lever's expected served share (so AI-OCR's electronic input opens the way for
    RPA, and online leaves the counter to 書かない窓口 for the rest of the cases).

    ``applied``: the step belongs to a To-Be, where a ``lever`` line names the levers
    its time already rests on; no lever is applied again. ``walks``: the chains (and
    the refusals that matter) already walked by facts, for the same ``order``,
    ``allowed`` and assumptions: a walk depends on the facts alone, and a process
    of 10,000 steps has a few hundred sets of them."""
    names = [n for n in order if allowed is None or n in allowed]
    if applied and step.levers is not None:  # a To-Be's lever line: its time has them
        return Plan(dict(facts), (), frozenset(), staff, queue, setup_share), ()
    if step.levers is not None:  # lever …: pinned, or lever none
        pinned = [n for n in names if n in step.levers]
        return Plan(dict(facts), tuple(pinned), frozenset(pinned), staff, queue,
                    setup_share), ()
    key = tuple(sorted(facts.items())) if walks is not None else ()
    walked = walks.get(key) if walks is not None else None
    if walked is None:
        chain, refused = _walk(names, facts, assumptions)
        walked = tuple(chain), _unanswered(chain, refused, assumptions.levers)
        if walks is not None:
            walks[key] = walked
    return Plan(dict(facts), walked[0], frozenset(), staff, queue, setup_share), walked[1]


def _walk(names: Sequence[str], facts: Mapping[str, float], assumptions: Assumptions
          ) -> tuple[list[str], list[Refusal]]:
    """The levers that can serve the step, each meeting the facts the previous ones
    left; and the levers aimed at the step's work that the rules keep off it."""
    catalog = assumptions.levers
    chain: list[str] = []
    refused: list[Refusal] = []
    current: dict[str, float] = dict(facts)
    for name in names:
        lever = catalog[name]
        if lever.pinned_only:  # applied only where an analyst pins it
            continue
        c = serves(lever, current)
        if c > 1e-12:
            chain.append(name)
            v = values(assumptions, name)
            served = v["adoption"] * c * (1 - v["exception_rate"])
            give(lever, current, served)
        elif lever.targets and any(facts.get(t, 0.0) > 0 for t in lever.targets):
            reason = why_not(lever, current)
            if reason:
                refused.append(Refusal(name, *reason))
    return chain, refused


def _unanswered(chain: Sequence[str], refused: list[Refusal],
                catalog: Mapping[str, Lever]) -> tuple[Refusal, ...]:
    """A refusal matters only when no applied lever answers the same work (removes it,
    or is aimed at it too: RPA on electronic keying leaves AI-OCR nothing to say); a
    lever that takes the step's work away, 庁内データ連携, answers all of it."""
    answered = {fact for name in chain
                for fact in (*catalog[name].removes, *catalog[name].targets)}
    if any(catalog[name].removes_step for name in chain):
        refused = []
    return tuple(r for r in refused if not set(catalog[r.lever].targets) <= answered)


def expected(plan: Plan, catalog: Mapping[str, Lever], assumptions: Assumptions
             ) -> tuple[Chain, tuple[Applied, ...]]:
    """The plan at the expected values, and each lever's effect."""
    numbers = {name: values(assumptions, name) for name in plan.chain}
    chain = run_chain(plan, catalog, numbers)
    applied = []
    before = 1.0
    for name, s, after in chain.steps:
        f = numbers[name]["staff_minutes_factor" if plan.staff else "minutes_factor"]
        f += check_share(plan, numbers[name])  # the served cases' time: reading and check
        added = float(s) * numbers[name]["setup_minutes"] * plan.setup_share
        applied.append(Applied(name, float(s), float(f), before, float(after),
                               name in plan.pinned, added))
        before = float(after)
    return chain, tuple(applied)


MOST = 0.5
"""A lever that serves this share of a step's cases or more changes how the To-Be step is
written: the tags it removes go, and its label says what is now done (redesign)."""


def tags_after(step: Step, applied: Sequence[Applied], catalog: Mapping[str, Lever],
               facts: Mapping[str, float] | None = None) -> tuple[str, ...]:
    """The To-Be step's tags: a lever that serves most cases (s ≥ 0.5) drops the tags
    it removes; every applied lever adds its own. A step whose paper input was made
    electronic upstream for most cases (``facts``: its plan's facts, the flow
    included) drops ``paper`` too."""
    tags = list(step.tags)
    if facts is not None and "paper" in tags and facts.get("paper_input", 1.0) < 0.5:
        tags.remove("paper")
    for a in applied:
        lever = catalog[a.lever]
        if a.served >= MOST:
            tags = [t for t in tags if t not in lever.tags_removed]
        for tag in lever.tags_added:
            if tag not in tags:
                tags.append(tag)
    # in the canonical order, as fmt writes a list (a To-Be passes fmt --check)
    return tuple(sorted(tags, key=lambda t: TAG_ORDER.get(t, len(TAG_ORDER))))


def order(assumptions: Assumptions) -> tuple[str, ...]:
    """The catalog's lever order (levers missing from it come last, by name)."""
    listed = [n for n in assumptions.lever_order if n in assumptions.levers]
    return (*listed, *sorted(n for n in assumptions.levers if n not in listed))


def rests_on_assumption(assumptions: Assumptions, name: str, *, staff: bool = True) -> bool:
    """True when the time factor the lever applies (to staff steps, or to others)
    has no published source: its ``source`` starts with "assumption"."""
    key = f"levers.{name}.staff_minutes_factor"
    if not staff or key not in assumptions.params:
        key = f"levers.{name}.minutes_factor"
    return assumptions.params[key].source.strip().lower().startswith("assumption")


# ── plans of expanded runs ──
@dataclass(frozen=True)
class StepPlan:
    """A run's levers at the expected values: what estimate, redesign, findings and
    compare read."""

    plan: Plan
    refused: tuple[Refusal, ...]
    keep: float
    keep_wait: float
    applied: tuple[Applied, ...]
    spared: float
    """The share of the step's cases for which the resident no longer comes in person."""
    setup: float = 0.0
    """Set-up minutes added per run (batched steps)."""
    electronic: float = 0.0
    """The share of the step's cases with electronic input after its levers."""


def plan_runs(runs: Sequence[StepRun], assumptions: Assumptions,
              allowed: Sequence[str] | None) -> list[StepPlan]:
    """Each run's lever plan at the expected values (shared by estimate, redesign and
    findings), walking the runs in flow order so that facts flow with the documents
    and data (docs/estimate.md, "Facts flow with documents"): what a lever made
    electronic at one step is electronic, for that share of cases, at every later step
    that names it."""
    sequence = order(assumptions)
    allowed_set = set(allowed) if allowed is not None else None
    break_minutes = assumptions.value("resident.visit_break_minutes")
    around = context_facts(runs, break_minutes)
    flow = _Flow()
    memo: dict[tuple, StepPlan] = {}
    walks: dict[tuple, tuple[tuple[str, ...], tuple[Refusal, ...]]] = {}
    held_by: dict[int, set[str]] = {}  # by process (its runs hold it while this runs)
    out = []
    for r in runs:
        held = held_by.get(id(r.process))
        if held is None:
            held = held_by[id(r.process)] = {d.id for d in r.process.data if d.held}
        role = r.lane.role if r.lane else None
        queue = r.own_wait < break_minutes
        facts = facts_of(r.step, r.kind, role, held=held, queue=queue)
        facts.update(around.get(r.id, {}))
        inputs, outputs = flow.named(r)
        flowed = flow.arrive(facts, inputs)
        plan, refused = plan_step(
            r.step, facts, assumptions, sequence, allowed_set, staff=r.kind in STAFF_ROLES,
            queue=queue, applied=r.process.state == "to_be", setup_share=_setup_share(r),
            walks=walks)
        key = (plan.key(), refused)
        if key not in memo:
            memo[key] = _step_plan(plan, refused, facts, assumptions)
        done = memo[key]
        flow.leave(facts, outputs, flowed, done.electronic)
        out.append(done)
    return _kinds_proposed(runs, out)


def _setup_share(run: StepRun) -> float:
    """:attr:`Plan.setup_share` of a run: 1 on a shared batch, 1/N on a batch worked
    case by case, 0 without a batch."""
    if run.step.batch is None:
        return 0.0
    return 1.0 if run.step.batch.shared else 1 / run.batch_size


def _step_plan(plan: Plan, refused: tuple[Refusal, ...], facts: Mapping[str, float],
               assumptions: Assumptions) -> StepPlan:
    """A plan at the expected values: what it keeps, adds and spares."""
    chain, applied = expected(plan, assumptions.levers, assumptions)
    present = facts.get("person_present", 0.0)
    after = float(chain.facts.get("person_present", 0.0))
    spared = 1 - after / present if present else 0.0
    return StepPlan(plan, refused, float(chain.keep), float(chain.keep_wait), applied, spared,
                    float(chain.setup), float(chain.facts.get("electronic_input", 0.0)))


class _Flow:
    """Facts that flow with documents and data along the runs, in flow order."""

    def __init__(self) -> None:
        self.digital: dict[tuple[str, str, str], float] = {}
        """(process, "document" | "data", id) → the share of cases in which a lever made
        it electronic upstream."""
        self.paper_of: dict[str, set[str]] = {}
        """Process id → its paper documents."""

    def named(self, run: StepRun
              ) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
        """What the run takes in and hands on (:func:`_named`)."""
        pid = run.process.id
        if pid not in self.paper_of:
            self.paper_of[pid] = {d.id for d in run.process.documents if d.kind == "paper"}
        return _named(run, self.paper_of[pid])

    def arrive(self, facts: dict[str, float], inputs: Sequence[tuple[str, str, str]]
               ) -> float | None:
        """A step's paper input is electronic for the share of cases in which every
        paper document and data it takes in was made electronic upstream (an inquiry is
        answered from the answering department's own records). Returns that share
        (None: the step takes nothing in)."""
        digital = self.digital
        flowed = min((digital.get(k, 0.0) for k in inputs
                      if k[1] == "document" or k in digital), default=None)
        if flowed and facts.get("paper_input", 0.0) > 0 and not facts.get("inquiry"):
            facts["paper_input"] = 1 - flowed
            facts["electronic_input"] = flowed
        return flowed

    def leave(self, facts: Mapping[str, float], outputs: Sequence[tuple[str, str, str]],
              flowed: float | None, electronic: float) -> None:
        """A step's levers that made its paper input electronic for more cases than
        arrived so make what it hands on."""
        if facts.get("paper_input", 0.0) > 0 and electronic > (flowed or 0.0):
            for k in outputs:
                self.digital[k] = max(self.digital.get(k, 0.0), electronic)


def _named(run: StepRun, paper: Collection[str]
           ) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """The paper documents (``paper``: their ids) and the data a run takes in (``uses``,
    ``reads``) and those it hands on (``uses``, ``produces``, ``writes``): what facts
    flow along."""
    pid = run.process.id
    step = run.step
    inputs = [(pid, "document", d) for d in step.uses if d in paper] + \
        [(pid, "data", d) for d in step.reads]
    outputs = [(pid, "document", d) for d in (*step.uses, *step.produces) if d in paper] + \
        [(pid, "data", d) for d in step.writes]
    return inputs, outputs


def context_facts(runs: Sequence[StepRun], break_minutes: float) -> dict[str, dict[str, float]]:
    """Facts a step has from the steps around it in the flow (the next or previous runs
    of the same process, in flow order):

    - ``written_at_counter``: a counter step with the resident present that takes what
      the resident just wrote by hand at the counter (a handwritten, in-person resident
      step earlier in the same visit, or the writer of a document it uses);
    - ``outside_inquiry``: an inquiry answered by an outside body (the step is in an
      external lane, or the next step is);
    - ``approval_route``: an approval, or the drafting printed for the approval steps
      that follow it (起案)."""
    out: dict[str, dict[str, float]] = {}
    by_instance: dict[str, list[StepRun]] = {}
    for r in runs:
        by_instance.setdefault(r.id[: len(r.id) - len(r.step.id)], []).append(r)
    for members in by_instance.values():
        _instance_facts(members, break_minutes, out)
    return out


def _instance_facts(members: Sequence[StepRun], break_minutes: float,
                    out: dict[str, dict[str, float]]) -> None:
    """:func:`context_facts` of the runs of one process instance, in flow order."""
    writers: set[str] = set()
    visit_written = False
    for k, r in enumerate(members):
        role = r.lane.role if r.lane else None
        tags = set(r.step.tags)
        present = resident_present(r.step, role)
        if not present or r.own_wait >= break_minutes:
            visit_written = False  # a new visit, or the resident is not here
        facts: dict[str, float] = {}
        if present and r.kind == "counter" and (visit_written or writers & set(r.step.uses)):
            facts["written_at_counter"] = 1.0
        if present and role == "resident" and "handwritten" in tags:
            visit_written = True
            writers.update(r.step.produces)
        following = members[k + 1] if k + 1 < len(members) else None
        if "inquiry" in tags and _outside(r, role, following):
            facts["outside_inquiry"] = 1.0
        if "print" in tags and _drafts_approval(r, following):
            facts["approval_route"] = 1.0
        if facts:
            out[r.id] = facts


def _outside(run: StepRun, role: str | None, following: StepRun | None) -> bool:
    """The run is in an external lane or of an external body, or the next run is."""
    return role == "external" or run.kind == "external" or (
        following is not None and following.lane is not None
        and following.lane.role == "external")


def _drafts_approval(run: StepRun, following: StepRun | None) -> bool:
    """A staff step (not an approval) followed by an approval: the drafting (起案)."""
    return (run.kind in STAFF_ROLES and run.kind != "approval"
            and following is not None and following.kind == "approval")


def _kinds_proposed(runs: Sequence[StepRun], plans: list[StepPlan]) -> list[StepPlan]:
    """Keep a refusal only where the lever applies to some step of the same kind in the
    process: the "not applied" list answers "why not here too?", never lists a lever
    nobody proposed for this kind of work."""
    proposed = {(a.lever, r.kind) for r, p in zip(runs, plans, strict=True)
                for a in p.applied if a.served > 0}
    out = []
    for r, p in zip(runs, plans, strict=True):
        kept = tuple(x for x in p.refused if (x.lever, r.kind) in proposed)
        out.append(p if kept == p.refused else replace(p, refused=kept))
    return out


def tobe_times(run: StepRun, plan: StepPlan) -> tuple[float, float]:
    """The run's To-Be (minutes, wait): hands-on time × kept share, plus the levers'
    set-up on a batched step; the wait's own part × kept share, the batch's wait
    unchanged."""
    own_wait = run.own_wait
    return (run.minutes * plan.keep + plan.setup,
            run.batch_wait + own_wait * plan.keep_wait)


# ── queues: the wait follows the visit's time and the arrivals ──
@dataclass(frozen=True)
class QueueRun:
    """A run whose wait is a counter's queue (:mod:`bprkit.text.queue`): its column,
    the columns of the visit its counters serve, and the queue worked out."""

    column: int
    visit: tuple[int, ...]
    solved: Any
    wait: float
    """The As-Is's own wait (the queue's, without a batch's)."""

    def keep_share(self, minutes: Sequence[float], kept: Mapping[int, Any] | Sequence[Any]
                   ) -> Any:
        """The share of the visit's time kept when run ``v`` keeps ``kept[v]`` of its
        ``minutes[v]`` (numbers, or one array a run: per sample)."""
        total = sum(minutes[v] for v in self.visit)
        if total <= 0:
            return 1.0
        return sum(kept[v] * minutes[v] for v in self.visit) / total

    def kept(self, keep: Any, spared: Any) -> Any:
        """The share of the queue's wait left after the levers: the procedure's visit
        keeps ``keep`` of its time, and ``spared`` of its cases no longer come; the
        others at the counter are as before."""
        return self.solved.kept(keep, spared)


def queue_runs(runs: Sequence[StepRun], hours_per_day: float, working_days: float,
               cases_per_year: float | None = None) -> list[QueueRun]:
    """The runs that carry a queue, each with its visit's runs (by column), and the
    share of the counter's arrivals that are the procedure's own cases (from
    ``cases_per_year``, the top process's: all of them when it is None)."""
    from bprkit.text import flow, queue

    column = {r.id: j for j, r in enumerate(runs)}
    graphs: dict[int, Any] = {}
    out = []
    for j, r in enumerate(runs):
        if r.step.queue is None:
            continue
        fg = graphs.get(id(r.process))
        if fg is None:
            fg = graphs[id(r.process)] = flow.build(r.process)
        solved = queue.solve(fg, r.step.id, hours_per_day, r.process.volume, working_days)
        if solved is None:
            continue
        if cases_per_year:
            solved = solved.with_own(cases_per_year * r.executions * r.cases_per_run,
                                     hours_per_day)
        prefix = r.id[: len(r.id) - len(r.step.id)]
        visit = tuple(column[prefix + n] for n in solved.service.steps if prefix + n in column)
        out.append(QueueRun(j, visit, solved, r.own_wait))
    return out


def queue_times(runs: Sequence[StepRun], plans: Sequence[StepPlan],
                times: Mapping[str, tuple[float, float]], hours_per_day: float,
                working_days: float, cases_per_year: float | None
                ) -> dict[str, tuple[float, float]]:
    """``times`` (the To-Be's minutes and wait per run) with each queue's wait as the
    queue gives it once the levers shortened its visit and spared some of its cases."""
    out = dict(times)
    minutes = [r.minutes for r in runs]
    queues = queue_runs(runs, hours_per_day, working_days, cases_per_year)
    kept = [times[r.id][0] / r.minutes if r.minutes > 0 else 1.0 for r in runs] if queues else []
    for q in queues:
        run = runs[q.column]
        keep = q.keep_share(minutes, kept)
        wait = q.wait * float(q.kept(keep, plans[q.column].spared))
        out[run.id] = (times[run.id][0], run.batch_wait + wait)
    return out
