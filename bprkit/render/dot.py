"""Graphviz backend: the only module that imports graphviz and runs it.

Everything is already placed when a page gets here: nodes are pinned (``pos`` with
``!``, ``fixedsize``), every edge carries its route as ``pos`` and edge labels are
pinned text nodes, so ``neato -n2`` only draws; no Graphviz layout or spline
routing runs. Lanes and their titles are drawn as the graph's background.

Text goes into HTML-like labels only through ``html.escape`` and into plain
labels through ``_plain`` (``graphviz.escape`` and ``&`` as ``&amp;``, so a
character reference in a note is shown as typed, never decoded): nothing from a
``.bpr`` file reaches the output as markup. No quoted string reaches Graphviz's
16 KB limit: long node keys become digests (``_name``) and a long background is
written as quoted pieces joined with ``+``. Ids come from the model and iteration
is in source order, so the same input gives the same DOT (golden tests rely on it).
"""

from __future__ import annotations

import hashlib
import html
import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING

import graphviz
from graphviz import quoting

from bprkit.errors import RenderError
from bprkit.messages import catalog as messages
from bprkit.render import style, textfit
from bprkit.render.layout import (
    LEGEND_ROW,
    LEGEND_SYMBOL,
    PHASE_PT,
    Box,
    Geometry,
    detail_lines,
    lane_lines,
)
from bprkit.render.scene import Badge, LegendItem, Node

if TYPE_CHECKING:
    from bprkit.render.drawing import Page

__all__ = ["FORMATS", "RenderError", "graph", "run"]
FORMATS = ("svg", "png", "pdf", "dot")


LONGEST_NAME = 1_000
"""Node keys longer than this (characters) are written as a digest."""
PIECE_BYTES = 8_000
"""The background is written in pieces of at most this many bytes (Graphviz reads a
quoted string of at most 16,384)."""


def _plain(text: str) -> str:
    """A plain (non-HTML) label: backslashes and ``<…>`` literal (graphviz.escape),
    and ``&`` too, so Graphviz decodes no entity or character reference."""
    return graphviz.escape(text.replace("&", "&amp;"))


def _name(key: str) -> str:
    """A node's DOT name: its key, or a digest of a key too long for one quoted
    string (a step deep in ``--expand``'s uses)."""
    if len(key) <= LONGEST_NAME:
        return key
    return "k" + hashlib.sha1(key.encode("utf-8")).hexdigest()


def _background(g: graphviz.Digraph, ops: list[str]) -> None:
    """The lanes, phases and title block as the graph's ``_background``: one quoted
    string, or quoted pieces joined with ``+`` when it is long (many lanes)."""
    text = " ".join(ops)
    if len(text.encode("utf-8")) <= PIECE_BYTES:
        g.attr(_background=text)
        return
    pieces: list[list[str]] = [[]]
    size = 0
    for op in ops:
        n = len(op.encode("utf-8")) + 1
        if pieces[-1] and size + n > PIECE_BYTES:
            pieces.append([])
            size = 0
        pieces[-1].append(op)
        size += n
    texts = [" ".join(piece) + " " for piece in pieces[:-1]] + [" ".join(pieces[-1])]
    quoted = [quoting.quote(graphviz.nohtml(t)) for t in texts]
    g.body.append("\t_background=" + " + ".join(
        q if q.startswith('"') else f'"{q}"' for q in quoted) + "\n")


def _esc(lines: list[str]) -> str:
    return "<BR/>".join(html.escape(line) for line in lines) or " "


def _badge(b: Badge) -> str:
    if b.solid:
        return (f'<TD BGCOLOR="{b.colour}"><FONT COLOR="white" POINT-SIZE="10">'
                f"{html.escape(b.text)}</FONT></TD>")
    return (f'<TD BGCOLOR="{style.tint(b.colour, 0.15)}" BORDER="1" COLOR="{b.colour}">'
            f'<FONT COLOR="{b.colour}" POINT-SIZE="10">{html.escape(b.text)}</FONT></TD>')


def _step_label(node: Node, lines: list[str], badge_rows: list[int]) -> str:
    """A step's title (bold), its detail lines and its rows of badges; a ``use`` box's
    lines (plain) and its badges."""
    title = _esc(lines)
    if node.strike:
        title = f"<S>{title}</S>"
    if node.kind == "step":
        title = f"<B>{title}</B>"
    rows = [f'<TR><TD ALIGN="{"LEFT" if node.kind == "step" else "CENTER"}">{title}</TD></TR>']
    details = detail_lines(node) if node.kind == "step" else []
    if details:
        rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="10" '
                    f'COLOR="#444444">{_esc(details)}</FONT></TD></TR>')
    at = 0
    for count in badge_rows:
        cells = "".join(_badge(b) for b in node.badges[at:at + count])
        rows.append('<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" '
                    f'CELLPADDING="1"><TR>{cells}</TR></TABLE></TD></TR>')
        at += count
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            + "".join(rows) + "</TABLE>>")


def _node_attrs(node: Node, box: Box, w: float, h: float) -> dict[str, str]:
    lines = box.lines
    size = {"width": f"{w / 72:.3f}", "height": f"{h / 72:.3f}", "fixedsize": "true"}
    k = node.kind
    if k in ("step", "use"):
        label = (_step_label(node, lines, box.badge_rows) if k == "step" or box.badge_rows
                 else _plain("\n".join(lines)))
        attrs = {"shape": "box", "style": "rounded,filled" + (",dashed" if node.dashed else ""),
                 "fillcolor": node.fill, "color": node.border, "penwidth": f"{node.pen:g}",
                 "label": label, "margin": "0.04,0.02", "fontsize": f"{style.STEP_PT:g}"}
        if k == "use":
            attrs["peripheries"] = "2"
        return {**attrs, **size}
    if k == "start":
        return {"shape": "circle", "label": "", "style": "filled", "fillcolor": "white", **size}
    if k == "end":
        return {"shape": "doublecircle", "label": "", "style": "filled",
                "fillcolor": "#333333", **size}
    if k == "point":
        return {"shape": "point", "label": "", **size}
    if k in ("fork", "join"):
        return {"shape": "box", "label": "", "style": "filled", "fillcolor": "#333333",
                "color": "#333333", **size}
    if k == "branch":
        return {"shape": "diamond", "label": _plain("\n".join(lines)),
                "style": "filled", "fillcolor": "#fdfefe", "fontsize": "10", **size}
    if k == "continue":
        return {"shape": "cds", "label": _plain("\n".join(lines)), "style": "filled",
                "fillcolor": "#f2f3f4", "fontsize": f"{style.SMALL_PT:g}", **size}
    shape = {"note": "note", "pain": "note", "system": "cylinder"}[k]
    return {"shape": shape, "label": _plain("\n".join(lines)), "style": "filled",
            "fillcolor": node.fill, "fontsize": "10", **size}


def _spline(pts: list[tuple[float, float]], arrow: bool) -> str:
    """A polyline as Graphviz's B-spline ``pos``: straight pieces (each control
    point on its segment's ends); with an arrow, the line stops short of the tip."""
    body = list(pts)
    prefix = ""
    if arrow:
        (x0, y0), (x1, y1) = body[-2], body[-1]
        length = max(abs(x1 - x0) + abs(y1 - y0), 1e-9)
        cut = min(7.0, length * 0.8)
        body[-1] = (x1 - (x1 - x0) / length * cut, y1 - (y1 - y0) / length * cut)
        prefix = f"e,{x1:.1f},{y1:.1f} "
    seq = [body[0]]
    for a, b in itertools.pairwise(body):
        seq += [a, b, b]
    return prefix + " ".join(f"{x:.1f},{y:.1f}" for x, y in seq)


def _text(x: float, y: float, text: str, size: float, colour: str, bold: bool = False,
          align: int = -1) -> list[str]:
    font = style.FONT.split(",")[0]
    ops = [f"F {size:g} {len(font.encode())} -{font}", f"c {len(colour)} -{colour}"]
    if bold:
        ops.append("t 1")
    ops.append(f"T {x:.1f} {y:.1f} {align} {len(text) * size:.1f} {len(text.encode())} -{text}")
    if bold:
        ops.append("t 0")
    return ops


def _rect(x0: float, y0: float, x1: float, y1: float, fill: str, pen: str) -> list[str]:
    return [f"c {len(pen)} -{pen}", f"C {len(fill)} -{fill}",
            f"P 4 {x0:.1f} {y0:.1f} {x1:.1f} {y0:.1f} {x1:.1f} {y1:.1f} {x0:.1f} {y1:.1f}"]


def _symbol(item: LegendItem, x: float, y: float) -> list[str]:
    """The legend's symbol for one item, 18 × 10 pt with its top-left at (x, y)
    (y grows up in Graphviz, so the box spans y - 10 … y)."""
    c, k = item.colour, item.symbol
    box = (x, y - 10, x + 18, y)
    if k == "badge":
        return _rect(*box, c, c)
    if k in ("digital", "lever"):
        return _rect(*box, style.tint(c, 0.15), c)
    if k == "strong":
        return ["S 15 -setlinewidth(2)", *_rect(*box, style.tint(c, 0.12), c),
                "S 15 -setlinewidth(1)"]
    if k == "rework":
        return [f"c {len(style.REWORK)} -{style.REWORK}", "S 6 -dashed",
                f"L 2 {x:.1f} {y - 5:.1f} {x + 18:.1f} {y - 5:.1f}", "S 5 -solid"]
    if k == "parallel":
        return [*_rect(x + 3, y - 10, x + 6, y, "#333333", "#333333"),
                *_rect(x + 12, y - 10, x + 15, y, "#333333", "#333333")]
    if k == "use":
        return ["S 15 -setlinewidth(1)", *_rect(*box, "#eaf2f8", "#555555"),
                *_rect(x + 2, y - 8, x + 16, y - 2, "#eaf2f8", "#555555")]
    if k == "bounds":
        return ["c 7 -#000000", "C 7 -#000000", f"E {x + 5:.1f} {y - 5:.1f} 2.5 2.5",
                f"E {x + 13:.1f} {y - 5:.1f} 2.5 2.5"]
    if k == "system":  # a small cylinder: body, then the top's ellipse
        fill, pen = style.STICKY[k], style.ATTACH[k]
        return [*_rect(x + 2, y - 10, x + 16, y - 2, fill, pen),
                f"c {len(pen)} -{pen}", f"C {len(fill)} -{fill}",
                f"E {x + 9:.1f} {y - 2:.1f} 7 2", f"E {x + 9:.1f} {y - 10:.1f} 7 2"]
    if k in ("note", "pain"):
        return _rect(*box, style.STICKY[k], style.ATTACH[k])
    if k == "heat":  # one shade; its hours are the item's text
        return _rect(*box, item.colour, style.PLAIN_BORDER)
    fill = "#f8f9f9" if k == "mark_same" else "white"
    dash = ["S 6 -dashed"] if k in ("mark_removed", "mark_merged") else []
    return ["S 15 -setlinewidth(2)", *dash, *_rect(*box, fill, c), "S 5 -solid",
            "S 15 -setlinewidth(1)"]


def _phase_ops(geo: Geometry, at: Callable[[float, float], tuple[float, float]],
               flip: bool) -> list[str]:
    """Phase bands across every lane (every other one tinted), a dashed line
    where one ends, and the names in the strip before the lanes."""
    ops: list[str] = []
    for n, (title, u0, u1) in enumerate(geo.phases):
        (x0, y0), (x1, y1) = at(u0, 0), at(u1, geo.across)
        box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        if n % 2 == 0:
            ops += _rect(*box, style.PHASE_TINT, style.PHASE_TINT)
        (hx0, hy0), (hx1, hy1) = at(u0, 0), at(u1, geo.strip)
        ops += _rect(min(hx0, hx1), min(hy0, hy1), max(hx0, hx1), max(hy0, hy1),
                     style.PHASE_FILL, style.LANE_PEN)
        if n:
            (lx0, ly0), (lx1, ly1) = at(u0, 0), at(u0, geo.across)
            ops += [f"c {len(style.LANE_PEN)} -{style.LANE_PEN}", "S 6 -dashed",
                    f"L 2 {lx0:.1f} {ly0:.1f} {lx1:.1f} {ly1:.1f}", "S 5 -solid"]
        cx, cy = at((u0 + u1) / 2, geo.strip / 2)
        if flip:
            cx, cy = at((u0 + u1) / 2, geo.strip / 2)
        ops += _text(cx, cy - PHASE_PT * 0.35, title, PHASE_PT, "#1b2631", bold=True,
                     align=0)
    return ops


def _title_ops(page: Page, left: float, top: float) -> list[str]:
    """The title, the facts and the legend, drawn from (left, top) downwards."""
    tb, scene = page.title, page.scene
    ops: list[str] = []
    y = top - style.TITLE_PT
    for line in tb.title:
        ops += _text(left, y, line, style.TITLE_PT, "#1b2631", bold=True)
        y -= style.TITLE_PT * 1.25
    y -= 2
    for line in tb.facts:
        ops += _text(left, y, line, style.FACTS_PT, "#1b2631")
        y -= style.FACTS_PT * 1.25
    if not tb.legend:
        return ops
    y0 = top - tb.legend_top
    width = max(sum(w for _, w in row) for row in tb.legend) + \
        textfit.points(messages.text(scene.lang, "legend"), style.SMALL_PT) + 24
    height = len(tb.legend) * LEGEND_ROW + 8
    ops += _rect(left, y0 - height, left + width, y0, "white", "#aaaaaa")
    ops += _text(left + 6, y0 - 4 - style.SMALL_PT, messages.text(scene.lang, "legend"),
                 style.SMALL_PT, "#1b2631", bold=True)
    start = left + 12 + textfit.points(messages.text(scene.lang, "legend"), style.SMALL_PT)
    for r, row in enumerate(tb.legend):
        x = start
        yr = y0 - 4 - r * LEGEND_ROW
        for index, w in row:
            item = scene.legend[index]
            ops += _symbol(item, x, yr - 1)
            ops += _text(x + LEGEND_SYMBOL, yr - style.SMALL_PT + 0.5, item.text,
                         style.SMALL_PT, "#1b2631")
            x += w
    return ops


class SheetGraph(graphviz.Digraph):
    """A page's DOT, with the resolution its PNG takes (None: Graphviz's 96 dpi; the
    DOT itself cannot say it, since Graphviz's ``dpi`` also scales SVG and PDF)."""

    dpi: int | None = None


def graph(page: Page) -> graphviz.Digraph:
    """The DOT of one laid-out page (bprkit.render.Page)."""
    p = page
    scene, geo, routes, tb = p.scene, p.geometry, p.routes, p.title
    flip = scene.direction == "TB"
    H = p.height
    ox, oy = p.offset
    band = tb.height

    def at(u: float, v: float) -> tuple[float, float]:
        x, y = (v, u) if flip else (u, v)
        return ox + x, H - (oy + band + y)

    g = SheetGraph(name="bprkit", engine="neato")
    g.dpi = p.dpi
    g.attr(bgcolor="white", pad="0", margin="0", outputorder="nodesfirst",
           splines="true", fontname=style.FONT)
    if p.paper_in:
        g.attr(size=f"{p.paper_in[0]:.4f},{p.paper_in[1]:.4f}!")
    g.attr("node", fontname=style.FONT, fontsize="12")
    g.attr("edge", fontname=style.FONT, fontsize="10", color=style.EDGE, arrowsize="0.7")
    ops: list[str] = []
    for n, (_key, title, v0, v1) in enumerate(geo.lanes):
        x0, y0 = at(0, v0)
        x1, y1 = at(geo.along, v1)
        ops += _rect(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1),
                     style.LANE_FILL[n % 2], style.LANE_PEN)
        for k, line in enumerate(lane_lines(title)):
            tx, ty = at(10 + k * 16, v0 + 8) if flip else at(10, v0 + 18 + k * 16)
            if flip:
                ty -= style.LANE_PT
            ops += _text(tx, ty, line, style.LANE_PT, "#1b2631")
    ops += _phase_ops(geo, at, flip)
    ops += _title_ops(p, ox, H - oy)
    _background(g, ops)
    # on a screen the far corner stands a point's width (0.72 pt) inside it: Graphviz's
    # bounding box takes the point's size, and a 1920-pixel screen's PNG came out 1919
    # wide (paper keeps its corner: A3 at 200 dpi is 3307 × 2339 as it was)
    inset = 0.72 if p.sheet is not None and p.sheet.screen else 0.0
    W = p.width
    g.node("corner0", label="", shape="point", style="invis", width="0.01", pos="0,0!")
    g.node("corner1", label="", shape="point", style="invis", width="0.01",
           pos=f"{W - inset:.2f},{H - inset:.2f}!")
    for block in scene.blocks:
        for key, node in block.nodes.items():
            box = geo.boxes[key]
            u, v = geo.centre[key]
            x, y = at(u, v)
            w, h = (box.across, box.along) if flip else (box.along, box.across)
            g.node(_name(key), **_node_attrs(node, box, w, h), pos=f"{x:.1f},{y:.1f}!")
            if node.strike:  # a removed step is crossed out in every format
                ends = [at(u - box.along / 2 + 3, v - box.across / 2 + 3),
                        at(u + box.along / 2 - 3, v + box.across / 2 - 3)]
                for name, (px, py) in zip(("a", "b"), ends, strict=True):
                    g.node(f"{_name(key)}#strike{name}", label="", shape="point", style="invis",
                           width="0.01", pos=f"{px:.1f},{py:.1f}!")
                g.edge(f"{_name(key)}#strikea", f"{_name(key)}#strikeb", arrowhead="none",
                       penwidth="2",
                       color=style.MARKS["removed"], pos=_spline(ends, False))
    n = 0
    for block in scene.blocks:
        for e in block.edges:
            pts = [at(u, v) for u, v in routes.points[n]]
            arrow = e.kind != "attach"
            attrs = {"pos": _spline(pts, arrow)}
            if e.kind == "attach":
                attrs.update(arrowhead="none", style="dotted" if block.nodes[e.dst].kind ==
                             "system" else "dashed", color=style.ATTACH[block.nodes[e.dst].kind])
            elif e.kind == "rework":
                attrs.update(color=style.REWORK, style="dashed", penwidth="1.5")
            elif e.kind == "repeat":
                attrs.update(style="dotted")
            elif e.kind == "merge":  # compare: a merged As-Is step → the step it went into
                attrs.update(color=style.MARKS["merged"], style="dotted", arrowhead="empty",
                             penwidth="1.2")
            g.edge(_name(e.src), _name(e.dst), **attrs)
            for name, placed in (("label", routes.labels), ("share", routes.shares)):
                if n in placed:
                    u0, v0, u1, v1, lines = placed[n]
                    x, y = at((u0 + u1) / 2, (v0 + v1) / 2)
                    w, h = (v1 - v0, u1 - u0) if flip else (u1 - u0, v1 - v0)
                    colour = style.REWORK if e.kind == "rework" else "#333333"
                    g.node(f"{name}{n}", label=_plain("\n".join(lines)), shape="plaintext",
                           fontsize=f"{style.SMALL_PT:g}", fontcolor=colour,
                           width=f"{w / 72:.3f}", height=f"{h / 72:.3f}", fixedsize="true",
                           margin="0", pos=f"{x:.1f},{y:.1f}!")
            n += 1
    return g


def run(g: graphviz.Digraph, fmt: str) -> bytes:
    """The one place that runs Graphviz. A page fitted to a sheet is a PNG at the
    sheet's resolution (200 dpi for print; 96 for a screen, whose pixels it then has
    exactly)."""
    if fmt == "dot":
        return g.source.encode("utf-8")
    if fmt == "png" and isinstance(g, SheetGraph) and g.dpi is not None:
        g.attr(dpi=str(g.dpi))
    try:  # the whole source at once: Graphviz stopping early is an error, not a broken pipe
        # quiet: Graphviz's layout warnings ("size too small for label") are not the
        # user's to read; a failure still carries its stderr (below)
        return graphviz.pipe(g.engine, fmt, g.source.encode("utf-8"), neato_no_op=2,
                             quiet=True)
    except graphviz.ExecutableNotFound as exc:
        raise RenderError("Graphviz `dot` was not found: run `make setup` "
                          "(or apt-get install graphviz)") from exc
    except graphviz.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        raise RenderError("Graphviz failed: " + (detail[-1] if detail else str(exc))) from exc
    except OSError as exc:  # a pipe Graphviz closed, a process that could not start
        raise RenderError(f"Graphviz failed: {exc}") from exc
