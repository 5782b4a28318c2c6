"""As-Is model → To-Be model (pure), through the one lever model (bprkit.analysis.levers via
bprkit.analysis.levers.plan_runs), with the reason of every change (estimation.md §6).

Each process of the file, and every process they call with ``use`` (from imported
files too), gets a To-Be copy ``<id>_tobe`` (``_tobe2`` … when that id is taken);
the copies call each other, so the To-Be uses the redesigned approval route, not
the old one. A step keeps its id, lane and label; a changed step gets a ``lever``
line naming the levers its time now rests on (in a To-Be that line means "already
applied": estimate applies nothing more there, and compare draws those levers'
factors, so their uncertainty is carried). Its hands-on time is scaled by
the share its levers keep (ranges stay ranges), its own wait by the wait share; a
lever that serves most cases (s ≥ 0.5) drops the tags it removes, and every lever
adds its own. A step a lever removes stays as a shorter step so branches and jumps
stay valid. ``estimate`` and ``redesign`` + ``compare`` therefore agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from bprkit.analysis import levers as lever_module
from bprkit.analysis.findings import Finding
from bprkit.analysis.graph import StepRun
from bprkit.analysis.records import Analysis, analyze_process
from bprkit.assumptions.catalog import Assumptions
from bprkit.messages import catalog as messages
from bprkit.model import (
    Bundle,
    Duration,
    FlowItem,
    Process,
    QueueLine,
    SourceFile,
    Step,
    Use,
    map_flow,
)
from bprkit.text import validate

SUFFIX = "_tobe"


@dataclass(frozen=True)
class Redesign:
    process: Process
    """The To-Be of the process asked for."""
    processes: tuple[Process, ...]
    """Every To-Be process to write: the one asked for first, then the processes it
    uses, redesigned."""
    comments: Mapping[str, str]
    """Step id (qualified by process: ``process.step``) → why it changed."""
    levers: Mapping[str, tuple[str, ...]]
    """Qualified step id → levers applied."""

    def bundle(self, asis: Bundle | None) -> Bundle:
        """The To-Be processes as a file in memory that imports the As-Is bundle, so
        the redesigned processes the To-Be uses can be found (to analyse or draw it)."""
        root = SourceFile("<to-be>", (), self.processes)
        return Bundle(root, (root, *(asis.files if asis else ())))


def _digits(v: float) -> float:
    """Six significant digits: a time written in hours or days (0.05時間 × 0.12) keeps
    its precision, where rounding to decimals of its unit lost it (0.006h for 0.00616h)."""
    return float(f"{v:.6g}")


def _scale(d: Duration | None, k: float) -> Duration | None:
    if d is None or abs(k - 1) < 1e-12:
        return d

    def r(v: float) -> float:
        return _digits(v * k)

    return Duration(r(d.low), r(d.high), d.unit, None if d.mode is None else r(d.mode))


def _shift(d: Duration | None, minutes: float, hours_per_day: float) -> Duration | None:
    """The duration plus a set-up time (written in the duration's own unit)."""
    if minutes <= 0:
        return d
    if d is None:
        return Duration(_digits(minutes), _digits(minutes), "min")
    k = minutes / d.minutes_per_unit(hours_per_day)

    def r(v: float) -> float:
        return _digits(v + k)

    return Duration(r(d.low), r(d.high), d.unit, None if d.mode is None else r(d.mode))


def _text(d: Duration | None) -> str:
    if d is None:
        return "-"
    values = [d.low] + ([d.mode] if d.mode is not None else []) + (
        [d.high] if d.high != d.low else [])
    return "..".join(f"{v:g}" for v in values) + d.unit


def _comment(step: Step, changed: Step, applied: Sequence[lever_module.Applied],
             assumptions: Assumptions, findings: Sequence[Finding], lang: str,
             minutes: float = 0.0) -> str:
    catalog = assumptions.levers
    names = messages.chain(lang, (catalog[a.lever].title(lang) for a in applied))
    served = messages.join(lang, (f"{catalog[a.lever].title(lang)} {a.served:.0%}"
                                  for a in applied))
    reasons = messages.join(lang, sorted({f"{f.code} {f.title(lang)}" for f in findings}))
    slower = [catalog[a.lever].title(lang) for a in applied
              if lever_module.slows(a, minutes)]
    if lang == "ja":
        text = (f"見直し: {names}" + (f"（指摘: {reasons}）" if reasons else "")
                + f"。作業 {_text(step.duration)} → {_text(changed.duration)}、"
                f"利用する件数の割合 {served}")
        if slower:
            text += f"。注意: {messages.join(lang, slower)} でこの工程は遅くなる"
    else:
        text = (f"redesign: {names}" + (f" (findings: {reasons})" if reasons else "")
                + f"; hands-on {_text(step.duration)} → {_text(changed.duration)}; "
                f"share of cases served: {served}")
        if slower:
            text += f"; note: {messages.join(lang, slower)} makes this step slower"
    return text


def _map_flow(items: tuple[FlowItem, ...], changed: Mapping[str, Step],
              renamed: Mapping[str, str]) -> tuple:
    """The flow with changed steps put in and ``use`` pointed at the To-Be copies. A
    step's ``replaces`` is dropped: the copy's steps match their source by id."""
    def step(item: Step) -> Step:
        s = changed.get(item.id, item)
        return replace(s, replaces=()) if s.replaces else s

    return map_flow(items, step, lambda u: replace(u, process=renamed.get(u.process,
                                                                           u.process)))


def _called(process: Process, known: Mapping[str, Process]) -> list[Process]:
    """The process and every process it calls, directly or not, each once."""
    seen: dict[str, Process] = {}
    stack = [process]
    while stack:
        p = stack.pop()
        if p.id in seen:
            continue
        seen[p.id] = p
        for item in validate.walk(p.flow):
            if isinstance(item, Use) and item.process in known:
                stack.append(known[item.process])
    return list(seen.values())


def tobe_ids(ids: Sequence[str], taken: set[str]) -> dict[str, str]:
    """``X`` → ``X_tobe``, or ``X_tobe2`` … when the id is taken."""
    out = {}
    for pid in ids:
        candidate, n = pid + SUFFIX, 1
        while candidate in taken:
            n += 1
            candidate = f"{pid}{SUFFIX}{n}"
        taken.add(candidate)
        out[pid] = candidate
    return out


def redesign_all(processes: Sequence[Process], bundle: Bundle | None,
                 assumptions: Assumptions, *, levers: Sequence[str] | None = None,
                 lang: str = "ja", analyses: Sequence[Analysis] | None = None,
                 plans: Sequence[Sequence[lever_module.StepPlan]] | None = None) -> Redesign:
    """Redesign several processes (the processes of a file) and what they use, as
    one set of To-Be processes. ``analyses``: the processes already analysed, one each,
    with their findings and the same assumptions (a report's section has them), so they
    are not analysed again; ``plans``: the lever plans of their runs
    (:func:`bprkit.analysis.levers.plan_runs` with the same levers), likewise."""
    known = {p.id: p for p in bundle.processes} if bundle else {p.id: p for p in processes}
    order: list[Process] = []
    for p in processes:
        for q in _called(p, known):
            if q.id not in {o.id for o in order}:
                order.append(q)
    renamed = tobe_ids([p.id for p in order], set(known))
    plan_of, findings_of = _plans(processes, bundle, assumptions, levers, analyses, plans)
    notes = _Notes({}, {})
    suffix = "（見直し後）" if lang == "ja" else " (To-Be)"
    out = []
    for p in order:
        changed = _changed_steps(p, renamed[p.id], plan_of, findings_of, assumptions, lang,
                                 notes)
        out.append(replace(p, id=renamed[p.id], label=p.title + suffix, state="to_be",
                           based_on=p.id, flow=_map_flow(p.flow, changed, renamed)))
    # order starts with the one asked for
    return Redesign(out[0], tuple(out), notes.comments, notes.chosen)


@dataclass(frozen=True)
class _Notes:
    """By To-Be step (``process.step``): the comment written above it and its levers."""

    comments: dict[str, str]
    chosen: dict[str, tuple[str, ...]]


def _changed_steps(p: Process, tobe_id: str,
                   plan_of: Mapping[tuple[str, str], tuple[StepRun, lever_module.StepPlan]],
                   findings_of: Mapping[tuple[str, str], list[Finding]],
                   assumptions: Assumptions, lang: str, notes: _Notes) -> dict[str, Step]:
    """The steps of a process its levers change, by id; a comment and the levers of
    each step they apply to go into ``notes``."""
    changed: dict[str, Step] = {}
    for step in p.steps():
        entry = plan_of.get((p.id, step.id))
        if entry is None:
            continue
        run, plan = entry
        new = _tobe_step(step, plan, assumptions)
        if step.queue is not None:
            new = _tobe_queue(p, step, new or step, plan, run, plan_of, assumptions)
        if new is None or new == step:
            continue
        changed[step.id] = new
        if plan.applied:
            key = f"{tobe_id}.{step.id}"
            wanted = [f for f in findings_of.get((p.id, step.id), [])
                      if set(f.levers) & {a.lever for a in plan.applied}]
            notes.comments[key] = _comment(step, new, plan.applied, assumptions, wanted, lang,
                                           run.minutes)
            if new.label != step.label:  # the As-Is label and pains stay in the comment
                notes.comments[key] += messages.text(lang, "redesign_was", label=step.title)
            if step.pains and not new.pains:
                notes.comments[key] += messages.text(
                    lang, "redesign_pains",
                    pains=messages.join(lang, (f"「{p}」" for p in step.pains)))
            notes.chosen[key] = tuple(a.lever for a in plan.applied)
    return changed


def _plans(processes: Sequence[Process], bundle: Bundle | None, assumptions: Assumptions,
           levers: Sequence[str] | None, analyses: Sequence[Analysis] | None = None,
           plans: Sequence[Sequence[lever_module.StepPlan]] | None = None
           ) -> tuple[dict[tuple[str, str], tuple[StepRun, lever_module.StepPlan]],
                      dict[tuple[str, str], list[Finding]]]:
    """Per (process, step), as first met in the processes' expansions: its run and lever
    plan, and the findings about it (from ``analyses`` and ``plans`` when given)."""
    plan_of: dict[tuple[str, str], tuple[StepRun, lever_module.StepPlan]] = {}
    findings_of: dict[tuple[str, str], list[Finding]] = {}
    for n, p in enumerate(processes):
        analysis = (analyses[n] if analyses is not None
                    else analyze_process(p, bundle, assumptions=assumptions))
        runs = analysis.graph.runs
        planned = (plans[n] if plans is not None
                   else analysis.graph.lever_plans(assumptions, levers))
        for r, plan in zip(runs, planned, strict=True):
            plan_of.setdefault((r.process.id, r.step.id), (r, plan))
        for f in analysis.findings:
            if f.step:
                run = analysis.graph.run(f.step)
                if run is not None:
                    findings_of.setdefault((run.process.id, run.step.id), []).append(f)
    return plan_of, findings_of


def _tobe_step(step: Step, plan: lever_module.StepPlan, assumptions: Assumptions
               ) -> Step | None:
    """The step as its levers leave it (tags, time, wait, its ``lever`` line); a step
    with none keeps all but ``paper`` when its paper was made electronic upstream. None
    when nothing changes."""
    if not plan.applied:
        tags = lever_module.tags_after(step, (), assumptions.levers, plan.plan.facts)
        return replace(step, tags=tags) if tags != step.tags else None
    label = _label(step, plan, assumptions)
    return replace(step, tags=lever_module.tags_after(step, plan.applied, assumptions.levers,
                                                      plan.plan.facts),
                   duration=_shift(_scale(step.duration, plan.keep), plan.setup,
                                   assumptions.hours_per_day),
                   wait=_scale(step.wait, plan.keep_wait),
                   levers=tuple(a.lever for a in plan.applied),
                   label=step.label if label is None else label,
                   # an As-Is pain a lever answers for most cases goes to the comment
                   pains=step.pains if all(a.served < lever_module.MOST
                                           for a in plan.applied) else ())


def _tobe_queue(process: Process, step: Step, new: Step, plan: lever_module.StepPlan,
                run: StepRun,
                plan_of: Mapping[tuple[str, str], tuple[StepRun, lever_module.StepPlan]],
                assumptions: Assumptions) -> Step:
    """A queue step of the To-Be. When the procedure's cases are all the counter's
    arrivals, the wait follows from the queue: counters (those an observed wait implied)
    and the arrivals the levers leave. When others share the counter (their visit stays
    as long; the language has one visit a queue), the To-Be keeps the wait the estimate
    gives as its observed wait, with the arrivals the levers leave: its counters are
    then inferred from it, and a later lever moves it as the queue does."""
    from bprkit.text import flow, queue

    working_days = assumptions.value("time.working_days_per_year")
    hours = assumptions.hours_per_day
    solved = queue.solve(flow.build(process), step.id, hours, process.volume, working_days)
    q = step.queue
    if solved is None or q is None:
        return new
    before = after = 0.0
    for n in solved.service.steps:
        entry = plan_of.get((process.id, n))
        if entry is not None:
            before += entry[0].minutes
            after += entry[0].minutes * entry[1].keep + entry[1].setup
    keep = after / before if before > 0 and after > 0 else 1.0
    cases = (process.volume.per_year(working_days=working_days)
             if process.volume is not None else None)
    solved = solved.with_own(cases * run.executions * run.cases_per_run if cases else None,
                             hours)
    own = solved.own or (1.0,) * len(solved.periods)

    def left(value: float, line: QueueLine | None) -> float:
        shares = [o for o, p in zip(own, solved.periods, strict=True)
                  if line is None or line.applies(p.day, p.peak)] or [1.0]
        return float(f"{value * (1 - sum(shares) / len(shares) * plan.spared):.6g}")

    arriving = replace(q, rate=left(q.rate, None),
                       arrivals_on=tuple(replace(x, value=left(x.value, x))
                                         for x in q.arrivals_on))
    wait = run.own_wait * float(solved.kept(keep, plan.spared))
    shared = min(own) < 1 - 1e-9
    if shared and 0.05 <= wait < queue.longest_wait(hours) * 0.999:
        written = float(f"{wait:.4g}")
        return replace(new, wait=Duration(written, written, "min"),
                       queue=replace(arriving, counters=None, counters_on=()))
    return replace(new, wait=None, queue=replace(
        arriving, counters=q.counters if q.counters is not None
        else _counters(solved.counters[0])))


def _counters(inferred: float) -> float:
    """Inferred counters as the To-Be writes them: six significant digits, so that the
    To-Be's queue waits what the As-Is's observed wait implies (near capacity the wait
    turns on the third decimal of the counters)."""
    return float(f"{inferred:.6g}")


def _label(step: Step, plan: lever_module.StepPlan, assumptions: Assumptions) -> str | None:
    """What the step now does, when a lever that serves most of its cases changes it
    (the catalog's ``does``; the last such lever of the chain, which leaves the work
    as it ends): 「申請書を手書きで記入」 becomes 「職員が作った申請書を確認して署名」.
    None when no lever changes what is done."""
    if plan.plan.staff:  # a staff step does more than the part a lever changes
        return None
    lang = messages.default_language({}, (step.title,))  # the file's language, not the reader's
    for a in reversed(plan.applied):
        text = assumptions.levers[a.lever].label(lang)
        if a.served >= lever_module.MOST and text:
            documents = (*step.produces, *step.uses)
            what = documents[0] if documents else messages.text(lang, "redesign_what")
            return text.replace("{what}", what)  # a template from a file: no format()
    return None


def redesign(process: Process, bundle: Bundle | None, assumptions: Assumptions, *,
             levers: Sequence[str] | None = None, lang: str = "ja",
             analysis: Analysis | None = None,
             plans: Sequence[lever_module.StepPlan] | None = None) -> Redesign:
    """The To-Be of one process (and of the processes it uses). ``analysis`` (with its
    findings) and ``plans``: as :func:`redesign_all` takes them, for this process."""
    return redesign_all([process], bundle, assumptions, levers=levers, lang=lang,
                        analyses=None if analysis is None else [analysis],
                        plans=None if plans is None else [plans])
