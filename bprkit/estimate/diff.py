"""As-Is ↔ To-Be step matching, for ``compare`` and ``render --compare``.

A To-Be step stands for As-Is steps, tried in this order:

1. its ``replaces`` line (置き換え) names them;
2. the same id, once the To-Be's processes are read as the As-Is ones they are
   ``based_on`` (``部長決裁_tobe.起案`` is ``部長決裁.起案``);
3. the same label, when exactly one As-Is step carries it.

An As-Is step that no To-Be step stands for is *removed*; a To-Be step that stands
for none is *added*; a matched As-Is step is *same* when its time, wait, lane and
tags are unchanged, else *changed*.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bprkit.analysis.graph import StepRun

_SEGMENT = re.compile(r"^(?P<name>[^\[\]]+)(?P<nth>\[\d+\])?$")


@dataclass
class Match:
    tobe_of: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """As-Is run id → the To-Be run ids that stand for it."""
    asis_of: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """To-Be run id → the As-Is run ids it stands for (the first is its main one)."""
    status: dict[str, str] = field(default_factory=dict)
    """As-Is run id → same | changed | removed."""


def origin_id(run: StepRun, origins: dict[str, str]) -> str:
    """The run's qualified id with each To-Be process read as its As-Is."""
    parts = run.id.split(".")
    out = []
    for part in parts[:-1]:
        m = _SEGMENT.match(part)
        if m is None:
            out.append(part)
            continue
        out.append(origins.get(m.group("name"), m.group("name")) + (m.group("nth") or ""))
    return ".".join([*out, parts[-1]])


def _origins(runs: Iterable[StepRun]) -> dict[str, str]:
    out = {}
    for r in runs:
        if r.process.state == "to_be" and r.process.based_on:
            out[r.process.id] = r.process.based_on
    return out


def match(asis: Sequence[StepRun], tobe: Sequence[StepRun]) -> Match:
    origins = _origins(tobe)
    by_id = {r.id: r for r in asis}
    labels: dict[str, list[str]] = {}
    for r in asis:
        labels.setdefault(r.step.title, []).append(r.id)
    result = Match()
    claimed: dict[str, list[str]] = {}
    for t in tobe:
        prefix = origin_id(t, origins).rsplit(".", 1)[0] + "." if "." in t.id else ""
        found: list[str] = []
        if t.step.replaces:
            found = [prefix + name for name in t.step.replaces if prefix + name in by_id]
        if not found:
            same = origin_id(t, origins)
            if same in by_id:
                found = [same]
        if not found:
            candidates = labels.get(t.step.title, [])
            if len(candidates) == 1:
                found = candidates
        result.asis_of[t.id] = tuple(found)
        for a in found:
            claimed.setdefault(a, []).append(t.id)
    after = {t.id: t for t in tobe}
    for r in asis:
        twins = claimed.get(r.id, [])
        result.tobe_of[r.id] = tuple(twins)
        if not twins:
            result.status[r.id] = "removed"
        elif len(twins) == 1 and _same(r, after[twins[0]]) and \
                result.asis_of[twins[0]] == (r.id,):
            result.status[r.id] = "same"
        else:
            result.status[r.id] = "changed"
    return result


def _same(a: StepRun, b: StepRun) -> bool:
    return (abs(a.minutes - b.minutes) < 1e-9 and abs(a.wait - b.wait) < 1e-9
            and a.step.tags == b.step.tags and a.step.lane == b.step.lane
            and abs(a.executions - b.executions) < 1e-9)
