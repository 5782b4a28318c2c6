"""Mermaid flowcharts (``.mmd``) for wikis and GitHub: one subgraph per lane.

A backend of the render registry: the same scene as the other formats (what to
draw), written as Mermaid text instead of laid out. Steps are boxes with their time,
branches diamonds with each case's share on its edge, parallel blocks hexagons,
``use`` a subroutine box, notes and pains flags tied to their step with a dotted line.
Labels are escaped with Mermaid's entity codes, so no input text becomes syntax.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bprkit.render.scene import Node

if TYPE_CHECKING:
    from bprkit.render.drawing import Page

FORMATS = ("mmd",)
SHAPES = {"step": ('["', '"]'), "use": ('[["', '"]]'), "branch": ('{"', '"}'),
          "fork": ('{{"', '"}}'), "join": ('{{"', '"}}'), "start": ('(("', '"))'),
          "end": ('((("', '")))'), "point": ('(("', '"))'), "note": ('>"', '"]'),
          "pain": ('>"', '"]'), "system": ('[("', '")]')}


def escape(text: str) -> str:
    """Text for inside a quoted Mermaid label: entity codes for the characters
    Mermaid reads as syntax, <br/> for line breaks."""
    out = text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;") \
        .replace(">", "#gt;").replace("`", "#96;")
    return "<br/>".join(line for line in out.split("\n"))


def _label(node: Node) -> str:
    if node.kind in ("start", "end", "point"):
        return " "
    if node.kind in ("fork", "join"):
        return "+"
    parts = [node.title or " "]
    if node.kind == "step" and node.time:
        parts.append(node.time)
    if node.detail and node.kind == "step":
        parts.append(node.detail)
    return "\n".join(parts)


def graph(page: Page) -> str:
    """The Mermaid text of one page's scene (its layout is Mermaid's own)."""
    scene = page.scene
    direction = "TB" if scene.direction == "TB" else "LR"
    lines = [f"%% {escape(scene.title)}", f"flowchart {direction}"]
    ids: dict[str, str] = {}
    for block in scene.blocks:
        for key in block.nodes:
            ids[key] = f"n{len(ids) + 1}"
    lane_no = 0
    for block in scene.blocks:
        for lane in block.lanes:
            lane_no += 1
            members = [k for k, n in block.nodes.items() if n.lane == lane.key]
            if not members:
                continue
            lines.append(f'  subgraph L{lane_no}["{escape(lane.title)}"]')
            lines.append(f"    direction {direction}")
            for key in members:
                node = block.nodes[key]
                left, right = SHAPES.get(node.kind, ('["', '"]'))
                lines.append(f"    {ids[key]}{left}{escape(_label(node))}{right}")
            lines.append("  end")
        rest = [k for k, n in block.nodes.items() if n.lane not in {x.key for x in block.lanes}]
        for key in rest:
            node = block.nodes[key]
            left, right = SHAPES.get(node.kind, ('["', '"]'))
            lines.append(f"  {ids[key]}{left}{escape(_label(node))}{right}")
        for e in block.edges:
            src, dst = ids[e.src], ids[e.dst]
            text = escape(e.label) if e.label else ""
            if e.kind == "attach":
                lines.append(f"  {src} -.- {dst}")
            elif e.kind in ("rework", "repeat", "merge"):
                lines.append(f'  {src} -.->|"{text}"| {dst}' if text else f"  {src} -.-> {dst}")
            else:
                lines.append(f'  {src} -->|"{text}"| {dst}' if text else f"  {src} --> {dst}")
    return "\n".join(lines) + "\n"


def run(g: str, fmt: str) -> bytes:
    return g.encode("utf-8")
