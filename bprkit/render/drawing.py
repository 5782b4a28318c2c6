"""The render pipeline, in stages (docs/diagrams.md draws them):

scene (what to draw) → layout (sizes, grid) → routing (tracks, then paths and
label places) → layout geometry in between → pages (paper size, scale, split) →
a backend from :mod:`bprkit.render.backends` (Graphviz for svg, png, pdf and dot).

A backend is a module with ``FORMATS``, ``graph(page)`` and ``run(graph, fmt)``;
a new one joins through :mod:`bprkit.render.backends` (its registry), nothing else changes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bprkit import collector
from bprkit.errors import RenderError, UsageError
from bprkit.messages import catalog as messages
from bprkit.render import backends, layout, routing, style
from bprkit.render.scene import Block, Edge, Node, Options, Scene

if TYPE_CHECKING:
    from bprkit.analysis.records import Analysis
    from bprkit.model import Bundle

PAD = 12.0  # around a drawing without paper


class FormatError(UsageError, ValueError):
    """An output format bprkit cannot write, or an extension that contradicts it."""


def format_for(output: str | None, explicit: str | None, paper: str | None) -> str:
    """The format from ``--format``, else from the output's extension, else svg
    (pdf with paper). An unknown extension, or one that contradicts --format, is
    refused."""
    ext = os.path.splitext(output)[1].lstrip(".").lower() if output else ""
    if ext and ext not in backends.BACKENDS:
        raise FormatError(ext)
    if explicit and ext and ext != explicit:
        raise FormatError(ext)
    return explicit or ext or ("pdf" if paper else "svg")


@dataclass(eq=False)
class Page:
    scene: Scene
    grid: layout.Grid
    geometry: layout.Geometry
    routes: routing.Routes
    title: layout.TitleBlock
    width: float
    height: float
    offset: tuple[float, float]
    scale: float
    """Points on paper per point of drawing (1 without paper)."""
    paper_in: tuple[float, float] | None = None


@dataclass(eq=False)
class Drawing:
    pages: list[Page] = field(default_factory=list)

    @property
    def label_pt(self) -> float:
        """The smallest step-label size on any page, in points on paper."""
        return min(style.STEP_PT * p.scale for p in self.pages)

    def render(self, fmt: str) -> list[bytes]:
        """Every page in a format; an SVG page is parsed as XML before it is given
        out (RenderError otherwise, so nothing that is not XML is written)."""
        backend = backends.backend(fmt)
        data = [backend.run(backend.graph(p), fmt) for p in self.pages]
        if fmt == "svg":
            for blob in data:
                well_formed(blob)
        return data

    def svg(self) -> str:
        return self.render("svg")[0].decode("utf-8")

    @property
    def source(self) -> str:
        """The DOT of the first page."""
        return self.render("dot")[0].decode("utf-8")

    def _repr_svg_(self) -> str:
        return self.svg()

    def save(self, path: str, fmt: str | None = None) -> list[str]:
        return write(self, fmt or format_for(path, None, None), path)


def svgs(drawings: Sequence[Drawing]) -> list[str]:
    """The first page of each drawing as SVG, as :meth:`Drawing.svg` gives it, with one
    Graphviz run for all of them (a report's As-Is and To-Be: one process started, not
    two). Graphviz lays out the graphs of one input one after the other and writes one
    SVG document each; it prefixes the id of every graph but the first with the page it
    was on (``page0,1_graph0``), which is taken off again, so each document is the one a
    run of its own writes. Another svg backend, or a combined run that fails or does not
    give one document a drawing, falls back to one run a drawing (so an error names the
    drawing it is about)."""
    if len(drawings) < 2 or backends.BACKENDS["svg"] != backends._BUILTIN["svg"]:
        return [d.svg() for d in drawings]
    import re

    import graphviz

    backend = backends.backend("svg")
    graphs: list[Any] = [backend.graph(d.pages[0]) for d in drawings]  # graphviz.Digraph
    engines = {g.engine for g in graphs}
    try:
        if len(engines) != 1:
            raise RenderError("drawings for different Graphviz engines")
        joined = graphviz.Source("".join(g.source for g in graphs), engine=engines.pop())
        data = backend.run(joined, "svg")
        head = b"<?xml "
        parts = [head + part for part in data.split(head)[1:]] if data.startswith(head) else []
        if len(parts) != len(graphs):
            raise RenderError("Graphviz gave a different number of SVG documents")
        parts = [parts[0], *(re.sub(rb'<g id="page\d+,\d+_(graph\d+)" class="graph"',
                                    rb'<g id="\1" class="graph"', p, count=1)
                             for p in parts[1:])]
        for blob in parts:
            well_formed(blob)
    except RenderError:
        return [d.svg() for d in drawings]
    return [blob.decode("utf-8") for blob in parts]


def well_formed(svg: bytes) -> None:
    """RenderError unless the bytes parse as XML (an SVG that a browser, a report or
    an XML tool could not open is never kept)."""
    from xml.etree import ElementTree

    try:
        ElementTree.fromstring(svg)
    except ElementTree.ParseError as exc:
        raise RenderError(f"the SVG drawn is not well-formed XML ({exc}); nothing was "
                          "written: please report the .bpr file") from exc


def _lay(scene: Scene, wrap: int,
         tallest: int) -> tuple[layout.Grid, layout.Geometry, routing.Routes]:
    boxes = layout.sizes(scene, wrap, tallest)
    g = layout.grid(scene)
    p = routing.plan(scene, g)
    room = [0.0] * len(p.gap_labels)
    for attempt in range(3):  # no room for labels; room where crowded; room everywhere
        geo = layout.geometry(scene, g, boxes, p.gap_tracks, room, p.channel_tracks)
        routes = routing.route(scene, g, p, geo, far=attempt == 2)
        if not routes.crowded:
            break
        grown = [p.gap_labels[k] if k in routes.crowded_gaps else r
                 for k, r in enumerate(room)]
        room = grown if grown != room else p.gap_labels
    return g, geo, routes


def _page(scene: Scene, paper: str | None) -> Page:
    """Lay a scene out on one page. With paper, step titles are wrapped narrower
    (18 down to 10 columns: taller, thinner boxes; 20 to 24 for a tall drawing) until
    labels print at
    style.GOOD_PT, or the narrowest gives the largest labels."""
    best = _one(scene, paper, style.WRAP_COLUMNS["step"], 6)
    if not paper or style.STEP_PT * best.scale * 1.6 < style.GOOD_PT:
        return best  # no paper, or hopeless: narrower text will not save it
    for wrap, tallest in FITS:
        if style.STEP_PT * best.scale >= style.GOOD_PT:
            break
        page = _one(scene, paper, wrap, tallest)
        if page.scale > best.scale:
            best = page
    return best


FITS = [*((w, t) for w in range(17, 9, -1) for t in (5, 6)), (20, 6), (22, 6), (24, 6)]
"""Step-title wraps tried on paper (display columns, most lines before widening)."""


def _one(scene: Scene, paper: str | None, wrap: int, tallest: int) -> Page:
    g, geo, routes = _lay(scene, wrap, tallest)
    flip = scene.direction == "TB"
    dw, dh = (geo.across, geo.along) if flip else (geo.along, geo.across)
    tb = layout.title_block(scene, dw)
    w, h = max(dw, tb.width), tb.height + dh
    if not paper:
        return Page(scene, g, geo, routes, tb, w + 2 * PAD, h + 2 * PAD, (PAD, PAD), 1.0)
    pw, ph = style.PAPER_PT[paper]
    m = style.MARGIN_PT
    scale = min((pw - 2 * m) / w, (ph - 2 * m) / h)
    cw, ch = pw / scale, ph / scale
    return Page(scene, g, geo, routes, tb, cw, ch, ((cw - w) / 2, (ch - h) / 2), scale,
                (pw / 72, ph / 72))


def pages(scene: Scene, paper: str | None) -> Drawing:
    """One page, or with paper and labels that would print below style.MIN_PT,
    pages split at column boundaries aiming for style.GOOD_PT."""
    whole = _page(scene, paper)
    if not paper or style.STEP_PT * whole.scale >= style.MIN_PT:
        return Drawing([whole])
    geo = whole.geometry
    flip = scene.direction == "TB"
    pw, ph = style.PAPER_PT[paper]
    target = style.GOOD_PT / style.STEP_PT
    room_along = ((ph if flip else pw) - 2 * style.MARGIN_PT) / target - geo.gap_u[0][1]
    groups: list[list[int]] = [[]]
    used = 0.0
    for c, (u0, u1) in enumerate(geo.col_u):
        width = u1 - u0 + (geo.gap_u[c + 1][1] - geo.gap_u[c + 1][0])
        if groups[-1] and used + width > room_along:
            groups.append([])
            used = 0.0
        groups[-1].append(c)
        used += width
    if len(groups) == 1:
        return Drawing([whole])
    return Drawing([_page(_part(scene, whole.grid, cols, n, len(groups)), paper)
                    for n, cols in enumerate(groups, 1)])


def _part(scene: Scene, g: layout.Grid, cols: list[int], number: int, count: int) -> Scene:
    """The part of a scene in some columns; edges that leave it end at a
    「続く → p.N」 marker, edges that come in start at a 「← p.N」 one."""
    lo, hi = cols[0], cols[-1]
    page_of: dict[str, int] = {}
    blocks = []
    t = messages.text
    for block in scene.blocks:
        part = Block(lanes=block.lanes)
        for key, node in block.nodes.items():
            if lo <= g.column[key] <= hi:
                part.nodes[key] = node
        markers: dict[tuple[str, str, int], str] = {}
        for e in block.edges:
            s_in, d_in = e.src in part.nodes, e.dst in part.nodes
            if s_in and d_in:
                part.edges.append(e)
            elif s_in or d_in:
                other = e.dst if s_in else e.src
                where = page_of.setdefault(other, 0) or _page_number(g.column[other], lo, hi,
                                                                     number)
                side = "out" if s_in else "in"
                lane = part.nodes[e.src if s_in else e.dst].lane
                marker = markers.get((side, lane, where))
                if marker is None:
                    marker = f"cont_{side}_{number}_{len(markers)}_{lane}"
                    text = t(scene.lang, "diagram_continues" if side == "out"
                             else "diagram_continued", page=where)
                    part.nodes[marker] = Node(marker, "continue", lane, title=text)
                    markers[(side, lane, where)] = marker
                part.edges.append(Edge(e.src, marker, e.label, "flow") if s_in
                                  else Edge(marker, e.dst, "", "flow"))
        blocks.append(part)
    facts = [*scene.facts, t(scene.lang, "diagram_page", page=number, pages=count)]
    return Scene(scene.lang, scene.direction, scene.title, facts, blocks, scene.legend)


def _page_number(column: int, lo: int, hi: int, number: int) -> int:
    return number + 1 if column > hi else number - 1


def write(drawing: Drawing, fmt: str, out: str) -> list[str]:
    """Render every page, then write them atomically: one file, or a PDF of all
    pages, or ``stem-1.svg``, ``stem-2.svg`` … for other formats. Nothing is
    written when Graphviz fails."""
    from bprkit.output import OutputError, write_output

    data = drawing.render(fmt)
    if len(data) == 1:
        write_output(out, data[0])
        return [out]
    if fmt == "pdf":
        write_output(out, _merge_pdf(data))
        return [out]
    if out == "-":
        raise OutputError("output_pages_stdout", out, str(len(data)))
    stem, ext = os.path.splitext(out)
    paths = [f"{stem}-{n}{ext}" for n in range(1, len(data) + 1)]
    for path, blob in zip(paths, data, strict=True):
        write_output(path, blob)
    return paths


def _merge_pdf(parts: list[bytes]) -> bytes:
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for blob in parts:
        for page in PdfReader(io.BytesIO(blob)).pages:
            writer.add_page(page)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def diagram(analysis: Analysis, bundle: Bundle | None = None,
            options: Options | None = None) -> Drawing:
    """The swimlane diagram of one analysed process (the stages build many small,
    long-lived objects: the cyclic collector waits, bprkit.collector)."""
    from bprkit.render import scene

    options = options or Options()
    with collector.paused():
        return pages(scene.diagram(analysis, bundle, options), options.paper)


def comparison(asis: Analysis, tobe: Analysis, bundle: Bundle | None,
               tobe_bundle: Bundle | None, options: Options) -> Drawing:
    """As-Is above To-Be, matched steps in the same column."""
    from bprkit.render import scene

    with collector.paused():
        return pages(scene.comparison(asis, tobe, bundle, tobe_bundle, options),
                     options.paper)


__all__ = ["Drawing", "FormatError", "Options", "Page", "comparison", "diagram",
           "format_for", "pages", "svgs", "write"]
