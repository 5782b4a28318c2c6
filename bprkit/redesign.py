"""As-Is model → To-Be model (pure): the chosen lever applied to each step, with
the reason of every change (estimation.md §6).

A step keeps its id, lane and label. Its times are scaled to the To-Be's expected
share, m · (1 − a·(1 − e)·(1 − f)), ranges kept as ranges. When most cases take
the digital path (a·(1 − e) ≥ 0.5) the lever's tags replace the ones it removes;
otherwise the digital tag is added beside them. A step the lever removes stays
in the flow as an automatic 0-minute step, so branches and jumps stay valid.
Steps of processes called with ``use`` belong to those processes and are left
as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from bprkit.analysis import analyze_process
from bprkit.assumptions import Assumptions, Lever
from bprkit.estimate import choose_levers, keep_share
from bprkit.findings import Finding
from bprkit.model import Bundle, Duration, FlowItem, Parallel, Process, Step

_NUMBERS = ("minutes_factor", "wait_factor", "adoption", "exception_rate")


@dataclass(frozen=True)
class Redesign:
    process: Process
    """The To-Be process."""
    comments: Mapping[str, str]
    """Step id → why it changed (lever and findings), for the writer."""
    levers: Mapping[str, str]
    """Step id → lever name."""


def _scale(d: Duration | None, k: float) -> Duration | None:
    if d is None or k >= 1 - 1e-12:
        return d

    def r(v: float) -> float:
        return round(v * k, 2)

    return Duration(r(d.low), r(d.high), d.unit, None if d.mode is None else r(d.mode))


def _text(d: Duration | None) -> str:
    if d is None:
        return "-"
    values = [d.low] + ([d.mode] if d.mode is not None else []) + (
        [d.high] if d.high != d.low else [])
    return "..".join(f"{v:g}" for v in values) + d.unit


def _apply(step: Step, lever: Lever, assumptions: Assumptions, findings: list[Finding],
           lang: str) -> tuple[Step, str]:
    v = {k: assumptions.value(f"levers.{lever.name}.{k}") for k in _NUMBERS}
    share = v["adoption"] * (1 - v["exception_rate"])
    f = 0.0 if lever.removes_step else v["minutes_factor"]
    fw = 0.0 if lever.removes_step else v["wait_factor"]
    duration = _scale(step.duration, keep_share(v["adoption"], v["exception_rate"], f))
    wait = _scale(step.wait, keep_share(v["adoption"], v["exception_rate"], fw))
    tags = list(step.tags)
    if share >= 0.5:
        tags = [t for t in tags if t not in lever.tags_removed]
    for tag in lever.tags_added:
        if tag not in tags:
            tags.append(tag)
    changed = replace(step, tags=tuple(tags), duration=duration, wait=wait)
    reasons = "、".join(sorted({f"{f.code} {f.title(lang)}" for f in findings})) or "-"
    if lang == "ja":
        comment = (f"見直し: {lever.title('ja')}（指摘: {reasons}）。"
                   f"作業 {_text(step.duration)} → {_text(duration)}、"
                   f"デジタル経路の利用 {share:.0%}")
    else:
        comment = (f"redesign: {lever.title('en')} (findings: {reasons}); "
                   f"hands-on {_text(step.duration)} → {_text(duration)}, "
                   f"{share:.0%} of cases on the digital path")
    return changed, comment


def _map_flow(items: tuple[FlowItem, ...], changed: Mapping[str, Step]) -> tuple:
    out = []
    for item in items:
        if isinstance(item, Step):
            out.append(changed.get(item.id, item))
        elif isinstance(item, Parallel):
            out.append(replace(item, paths=tuple(
                replace(p, items=_map_flow(p.items, changed)) for p in item.paths)))
        else:
            out.append(item)
    return tuple(out)


def redesign(process: Process, bundle: Bundle | None, assumptions: Assumptions, *,
             levers: Sequence[str] | None = None, lang: str = "ja") -> Redesign:
    analysis = analyze_process(process, bundle, assumptions=assumptions)
    own = {s.id for s in process.steps()}
    runs = [r for r in analysis.graph.runs if r.id in own]  # not the steps of used processes
    chosen = choose_levers(runs, assumptions, levers)
    by_step: dict[str, list[Finding]] = {}
    for f in analysis.findings:
        if f.step:
            by_step.setdefault(f.step, []).append(f)
    changed: dict[str, Step] = {}
    comments: dict[str, str] = {}
    for run in runs:
        lever = chosen.get(run.id)
        if lever is None:
            continue
        wanted = [f for f in by_step.get(run.id, []) if lever.name in f.levers]
        changed[run.id], comments[run.id] = _apply(run.step, lever, assumptions, wanted, lang)
    suffix = "（見直し後）" if lang == "ja" else " (To-Be)"
    tobe = replace(
        process, id=f"{process.id}_tobe", label=process.title + suffix, state="to_be",
        based_on=process.id, flow=_map_flow(process.flow, changed))
    return Redesign(tobe, comments, {k: v.name for k, v in chosen.items()})

