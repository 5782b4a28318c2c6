"""Golden tests per stage of the render pipeline, on the small fixture: what the
scene holds, where the layout puts it, how routing draws each edge. Set
BPRKIT_UPDATE_GOLDEN=1 to rewrite the golden file after an intended change."""

from __future__ import annotations

import json
import os

import bprkit
from bprkit.render import drawing as render
from bprkit.render import layout, routing
from bprkit.render import scene as scenes

from .conftest import FIXTURES

RENDER = FIXTURES / "render"


def _stages() -> dict:
    path = RENDER / "small.bpr"
    analysis = bprkit.analyze(str(path), process="小さな手続")
    s = scenes.diagram(analysis, bprkit.load(str(path)), render.Options())
    g = layout.grid(s)
    p = routing.plan(s, g)
    block = s.blocks[0]
    return {
        "scene": {
            "lanes": [lane.title for lane in block.lanes],
            "nodes": [[n.key, n.kind, n.lane, n.title, n.time,
                       [b.text for b in n.badges], n.pen > 2] for n in block.nodes.values()],
            "edges": [[e.src, e.dst, e.label, e.kind] for e in block.edges],
            "legend": [[i.symbol, i.text] for i in s.legend],
        },
        "layout": {key: [g.column[key], g.row[key]] for key in block.nodes},
        "routing": [[e.src, e.dst, kind] for e, kind in zip(block.edges, p.kind, strict=True)],
        "tracks": {"gaps": p.gap_tracks, "channels": p.channel_tracks},
    }


def test_stages_golden() -> None:
    got = _stages()
    golden = RENDER / "small.stages.json"
    if os.environ.get("BPRKIT_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n",
                          encoding="utf-8")
    assert got == json.loads(golden.read_text(encoding="utf-8"))


def test_stages_are_deterministic() -> None:
    assert _stages() == _stages()


def test_scene_uses_the_flow_wiring() -> None:
    """Every flow edge of flow.py appears in the scene (through diamonds and path
    entries): the scene does not re-derive the flow."""
    from bprkit.text import flow

    path = RENDER / "small.bpr"
    process = next(p for p in bprkit.load(str(path)).root.processes if p.id == "小さな手続")
    fg = flow.build(process)
    stages = _stages()["scene"]
    keys = {n[0] for n in stages["nodes"]}
    for src, outs in fg.edges.items():
        if src in fg.steps:
            assert f"s_{src}" in keys
            for dst in outs:
                if dst in fg.steps:
                    assert any(e[0] in (f"s_{src}", f"s_{src}#b") and e[1] == f"s_{dst}"
                               for e in stages["edges"]), (src, dst)
