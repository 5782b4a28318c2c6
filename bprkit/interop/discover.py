"""A first procedure from an event log, when none is written yet (``bprkit discover``):
pm4py's inductive miner finds the flow, which comes in through bprkit's own BPMN
importer; each activity's lane is the resource (department) that records most of its
events, with a role guessed from the lane's words and said; and the figures are then
measured in the same log (logfit.fit), each with its source. A draft: the analyst names
the procedure's steps well, tags paper, seals and counters, and checks the guessed
roles. pm4py (AGPL v3) is the ``logs`` extra; nothing of it is needed elsewhere."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Any, cast

from bprkit.interop.eventlog import Log, LogError
from bprkit.model import Lane, Process, Role, map_flow


@dataclass
class Discovered:
    text: str
    """The draft ``.bpr`` text, figures measured."""
    roles: list[tuple[str, str]] = field(default_factory=list)
    """(lane, role) of each lane, the role guessed from the lane's words."""
    changed: list[tuple[str, str]] = field(default_factory=list)
    """(what, detail) where the flow found could only be written approximately (the
    BPMN import's ``unstructured``, ``linear``, ``no_join`` notes)."""
    conformance: float = 0.0
    """The share of the log's cases the draft allows."""


def _pm4py() -> Any:
    """pm4py, imported without the banner it prints to stdout."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import pm4py
    except ImportError as exc:
        raise LogError("pm4py", "log_needs_pm4py") from exc
    return pm4py


def discover(log: Log, name: str) -> Discovered:
    """The draft procedure ``name`` from ``log``."""
    import pandas as pd

    from bprkit.interop import bpmn_import, logfit
    from bprkit.text import writer
    from bprkit.text.loader import build_model
    from bprkit.text.source import decode

    pm4py = _pm4py()
    rows = [(e.case, e.activity, e.end) for events in log.cases.values() for e in events]
    if not rows:
        raise LogError(log.name, "log_empty")
    frame = pd.DataFrame(rows, columns=["case:concept:name", "concept:name",
                                        "time:timestamp"])
    with contextlib.redirect_stdout(io.StringIO()):
        model = pm4py.discover_bpmn_inductive(frame)
        with tempfile.TemporaryDirectory(prefix="bprkit-discover-") as folder:
            path = os.path.join(folder, "discovered.bpmn")
            pm4py.write_bpmn(model, path)
            with open(path, "rb") as fh:
                data = fh.read()
    imported = bpmn_import.read(f"{log.name} (discovered)", data)
    decoded, _ = decode("draft.bpr", imported.text.encode("utf-8"))
    source = build_model(decoded)[0] if decoded is not None else None
    if source is None or not source.processes:
        raise LogError(log.name, "log_unreadable", detail="no flow found")
    process = replace(_with_lanes(source.processes[0], log, name),
                      volume=logfit.measured_volume(log))
    text = writer.process(process, words=writer.JAPANESE) + "\n"
    decoded, _ = decode("draft.bpr", text.encode("utf-8"))  # its spans, for the fit
    written = build_model(decoded)[0] if decoded is not None else None
    if written is None or not written.processes:
        raise LogError(log.name, "log_unreadable", detail="the draft does not parse")
    fitted = logfit.fit(written.processes[0], text, log, path="draft.bpr",
                        words=writer.JAPANESE)
    text = fitted.text.replace("\n  volume ",  # measured before the fit: said here
                               f"\n  {logfit.source_note(log, len(log.cases))}\n  volume ", 1)
    roles: list[tuple[str, str]] = [(lane.label or lane.id, str(lane.role))
                                    for lane in process.lanes]
    changed = [(n.what, n.detail) for n in imported.notes
               if n.what in ("unstructured", "linear", "no_join", "lost_succession")]
    return Discovered(text, roles, changed, fitted.conformance.share)


def _with_lanes(process: Process, log: Log, name: str) -> Process:
    """The process named ``name``, each step in the lane of the resource that records
    most of its events (one lane 担当 where the log names none)."""
    from bprkit.interop.bpmn_import import _guess_role, label_text, name_of

    by_activity: dict[str, Counter[str]] = defaultdict(Counter)
    for events in log.cases.values():
        for e in events:
            by_activity[e.activity][e.resource or "担当"] += 1
    taken: set[str] = set()
    lanes: dict[str, Lane] = {}

    def lane_for(title: str) -> str:
        counts = by_activity.get(title)
        resource = counts.most_common(1)[0][0] if counts else "担当"
        if resource not in lanes:
            lid = name_of(resource, "lane", taken)
            taken.add(lid)
            lanes[resource] = Lane(lid, _role(_guess_role(resource)), label_text(resource))
        return lanes[resource].id

    flow = map_flow(process.flow, lambda s: replace(s, lane=lane_for(s.title)))
    pid = name_of(name, "draft", set())
    return replace(process, id=pid, label=label_text(name), lanes=tuple(lanes.values()),
                   flow=flow)


def _role(text: str) -> Role:
    return cast(Role, text)


