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
    sheet: style.Sheet | None = None
    """What the page is fitted to (None: the drawing's own size)."""

    @property
    def blank(self) -> float:
        """The share of the sheet (or screen) outside the drawing."""
        ox, oy = self.offset
        return 1 - (self.width - 2 * ox) * (self.height - 2 * oy) / (self.width * self.height)

    @property
    def paper_in(self) -> tuple[float, float] | None:
        """The sheet's size in inches."""
        return None if self.sheet is None else (self.sheet.size[0] / 72,
                                                 self.sheet.size[1] / 72)

    @property
    def dpi(self) -> int | None:
        """A PNG's resolution on its sheet (None without one: Graphviz's 96)."""
        return None if self.sheet is None else self.sheet.dpi


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
    across = [0.0] * len(p.channel_tracks)  # room in channels, for drops' labels
    for attempt in range(3):  # no room for labels; room where crowded; room everywhere
        geo = layout.geometry(scene, g, boxes, p.gap_tracks, room, p.channel_tracks, across)
        routes = routing.route(scene, g, p, geo, far=attempt == 2)
        if not routes.crowded:
            break
        grown = [p.gap_labels[k] if k in routes.crowded_gaps else r
                 for k, r in enumerate(room)]
        wider = [max(a, routes.crowded_channels.get(k, 0.0)) for k, a in enumerate(across)]
        if grown == room and wider == across:  # nothing to grow where crowded: everywhere
            grown = p.gap_labels
        room, across = grown, wider
    return g, geo, routes


def _page(scene: Scene, paper: style.Sheet | None) -> Page:
    """Lay a scene out on one page. On a sheet, step titles are wrapped narrower
    (18 down to 10 columns: taller, thinner boxes; 20 to 24 for a tall drawing) until
    they print at the sheet's good size, or the narrowest gives the largest."""
    best = _one(scene, paper, style.WRAP_COLUMNS["step"], style.TITLE_LINES)
    if not paper or _pt(best) * 1.6 < paper.good:
        return best  # no paper, or hopeless: narrower text will not save it
    for wrap, tallest in FITS:
        if _pt(best) >= paper.good:
            break
        page = _one(scene, paper, wrap, tallest)
        if page.scale > best.scale:
            best = page
    return best


FITS = [*((w, t) for w in range(17, 9, -1) for t in (3, style.TITLE_LINES)),
        *((w, style.TITLE_LINES) for w in (20, 22, 24)),
        *((w, t) for w in range(17, 9, -1) for t in (5, 6))]
"""Step-title wraps tried on a sheet (display columns, most lines before widening), in
order until titles print at its good size. A title takes a fifth or sixth line only
when four cannot reach it (risai_shomei on A3: eight lanes make it as tall as it is
long, so folding it into bands does not help)."""


def _one(scene: Scene, paper: style.Sheet | None, wrap: int, tallest: int) -> Page:
    g, geo, routes = _lay(scene, wrap, tallest)
    flip = scene.direction == "TB"
    dw, dh = (geo.across, geo.along) if flip else (geo.along, geo.across)
    tb = layout.title_block(scene, dw)
    w, h = max(dw, tb.width), tb.height + dh
    if not paper:
        return Page(scene, g, geo, routes, tb, w + 2 * PAD, h + 2 * PAD, (PAD, PAD), 1.0)
    pw, ph = paper.size
    m = paper.margin
    scale = min((pw - 2 * m) / w, (ph - 2 * m) / h)
    cw, ch = pw / scale, ph / scale
    return Page(scene, g, geo, routes, tb, cw, ch, ((cw - w) / 2, (ch - h) / 2), scale,
                paper)


def pages(scene: Scene, paper: str | style.Sheet | None) -> Drawing:
    """One page; or, on a sheet (``a3``, ``a4``, a screen's ``WxH``), when step titles
    would print below its good size (9 pt on paper, 14 px on a screen):

    - a flow that can fold (LR, one process, no phases) is folded into bands, all
      lanes repeated in each and a marker where the flow turns, stacked on as few
      sheets as keep titles at the sheet's least size or more (6 pt on paper, 14 px on
      a screen), at the largest size that needs no more sheets (9 pt when one sheet
      can have it); a screen that cannot hold the flow at 14 px goes on over more
      screens, as slides do;
    - any other drawing keeps one sheet while its titles print at the least size or
      more, else is split at columns into pages that aim for the good size.
    """
    if isinstance(paper, str):
        paper = style.sheet(paper)
    whole = _page(scene, paper)
    strip = scene.direction == "LR" and len(scene.blocks) == 1 and not scene.phases
    if paper is not None and _pt(whole) >= paper.good and not paper.screen and strip and \
            whole.blank > 0.4:  # a long strip on half a sheet: two bands print larger
        folded = _folded(scene, whole, paper, _pt(whole) * FILL_GAIN)  # each page at that
        if folded is not None and len(folded.pages) == 1:
            return folded
    if paper is None or _pt(whole) >= paper.good:
        return Drawing([whole])
    if strip:
        options = [Drawing([whole])] if _pt(whole) >= paper.least else []
        for target in sorted({paper.good, *(() if paper.screen else FOLD_PT)}, reverse=True):
            folded = _folded(scene, whole, paper, target)
            if folded is not None:
                options.append(folded)
        if options:
            return min(options, key=lambda d: (len(d.pages), -d.label_pt))
    bands = _bands(whole, paper, paper.good)
    if _pt(whole) >= paper.least or len(bands) == 1:
        return Drawing([whole])
    split = None
    for narrower in NARROWER:  # a part laid out alone can come out longer than its share
        bands = _bands(whole, paper, paper.good, narrower)
        alone = [[n] for n in range(len(bands))]
        tried = Drawing([_page(_part(scene, whole.grid, cols, bands, alone, n), paper)
                         for n, cols in enumerate(bands)])
        split = split or tried
        if tried.label_pt >= paper.good:
            return tried
    assert split is not None
    return split


FILL_GAIN = 1.1
"""How much larger folding must print a strip that already prints at the good size on
one sheet but leaves it more than 40 % blank, for the fold to be taken."""


FOLD_PT = (style.GOOD_PT, 8.0, 7.0, style.MIN_PT)
"""The sizes step titles are folded for on paper, largest first."""


def _pt(page: Page) -> float:
    """The size a page's step titles print at, in points on paper."""
    return style.STEP_PT * page.scale


def _bands(whole: Page, paper: style.Sheet, pt: float,
           narrower: float = 1.0) -> list[list[int]]:
    """The columns of each band (or page) so that one band, across the sheet, prints
    its step titles at ``pt``: as few bands as that allows, of even lengths; each
    ``narrower`` than the sheet by that factor (a band shares its columns' widths with
    the bands it is stacked with, and gains a column for its markers)."""
    geo = whole.geometry
    flip = whole.scene.direction == "TB"
    pw, ph = paper.size
    room = (((ph if flip else pw) - 2 * paper.margin) / (pt / style.STEP_PT) * narrower
            - geo.gap_u[0][1] - (whole.title.height if flip else 0.0))  # TB: title above
    widths = [u1 - u0 + (geo.gap_u[c + 1][1] - geo.gap_u[c + 1][0])
              for c, (u0, u1) in enumerate(geo.col_u)]

    def greedy(limit: float) -> list[list[int]]:
        groups: list[list[int]] = [[]]
        used = 0.0
        for c, width in enumerate(widths):
            if groups[-1] and used + width > limit:
                groups.append([])
                used = 0.0
            groups[-1].append(c)
            used += width
        return groups

    fewest = greedy(room)
    share = sum(widths) / len(fewest)  # the shortest limit that keeps as few bands
    for limit in (share * (1 + k / 20) for k in range(1, 20)):
        if limit >= room:
            break
        even = greedy(limit)
        if len(even) == len(fewest):
            return even
    return fewest


NARROWER = (1.0, 0.95, 0.9, 0.8, 0.7, 0.6)
"""The band lengths tried, as shares of the sheet's width, until every sheet prints at
the size aimed for: bands stacked on a sheet share their columns' widths, so a sheet
is wider than its longest band."""


def _folded(scene: Scene, whole: Page, paper: style.Sheet, pt: float) -> Drawing | None:
    """The flow folded into bands stacked on sheets so that step titles print at
    ``pt``: as many bands to a sheet as its height allows, the bands as long as keeps
    every sheet at ``pt``, the last sheet taking the rest. None when the flow does not
    fold at that size (one band) or no arrangement reaches it."""
    ph = paper.size[1]
    bands = _bands(whole, paper, pt)
    if len(bands) == 1:
        return None
    alone = [[b] for b in range(len(bands))]
    one = _sheet(scene, whole.grid, bands, alone, 0, paper)  # a band alone: its height
    room = (ph - 2 * paper.margin) / (pt / style.STEP_PT) - one.title.height
    fits = int((room + layout.BLOCK_GAP) // (one.geometry.across + layout.BLOCK_GAP))
    for per_sheet in range(max(1, fits), 0, -1):
        for narrower in NARROWER:
            bands = _bands(whole, paper, pt, narrower)
            sheets = [list(range(k, min(k + per_sheet, len(bands))))
                      for k in range(0, len(bands), per_sheet)]
            out = [_sheet(scene, whole.grid, bands, sheets, 0, paper)]
            if _pt(out[0]) < pt:
                continue
            out += [_sheet(scene, whole.grid, bands, sheets, n, paper)
                    for n in range(1, len(sheets))]
            if all(_pt(p) >= pt for p in out):
                return Drawing(out)
    return None


def _sheet(scene: Scene, g: layout.Grid, bands: list[list[int]], sheets: list[list[int]],
           n: int, paper: style.Sheet) -> Page:
    cols = [c for b in sheets[n] for c in bands[b]]
    return _one(_part(scene, g, cols, bands, sheets, n), paper, style.WRAP_COLUMNS["step"],
                style.TITLE_LINES)


def _part(scene: Scene, g: layout.Grid, cols: list[int], bands: list[list[int]],
          sheets: list[list[int]], sheet: int) -> Scene:
    """The bands of one sheet (or the columns of one page), a block each. An edge that
    leaves a band ends at a marker saying where the flow goes on (「続く → 2 段目」,
    or a page), one that comes in starts at a marker saying where from and carries the
    edge's wait and share; a rework edge to an earlier band stays dashed and says which
    step it returns to."""
    band_of = {c: n for n, band in enumerate(bands) for c in band}
    sheet_of = {b: n for n, bs in enumerate(sheets) for b in bs}
    t = messages.text
    lang = scene.lang
    folded = len(sheets) < len(bands) or len(sheets[0]) > 1
    blocks = []
    for b in sorted({band_of[c] for c in cols}):
        for block in scene.blocks:
            part = Block(lanes=block.lanes)
            for key, node in block.nodes.items():
                if band_of[g.column[key]] == b:
                    part.nodes[key] = node
            markers: dict[tuple[str, str, int], str] = {}
            for e in block.edges:
                s_in, d_in = e.src in part.nodes, e.dst in part.nodes
                if s_in and d_in:
                    part.edges.append(e)
                    continue
                if not (s_in or d_in) or e.kind == "merge":
                    continue  # a merged step's line is drawn when both ends are on the page
                other = e.dst if s_in else e.src
                side = "out" if s_in else "in"
                if e.kind == "rework" and side == "in":
                    continue  # said where it leaves from: 「戻る → 1 段目 受付」
                there = band_of[g.column[other]]
                if e.kind == "rework" and folded and sheet_of[there] == sheet:
                    text = t(lang, "diagram_returns", step=block.nodes[other].title,
                             band=there + 1)
                elif e.kind == "rework":
                    text = t(lang, "diagram_returns_page", step=block.nodes[other].title,
                             page=(sheet_of[there] if folded else there) + 1)
                elif not folded:
                    text = t(lang, "diagram_continues" if s_in else "diagram_continued",
                             page=there + 1)
                elif sheet_of[there] == sheet:
                    text = t(lang, "diagram_band_continues" if s_in
                             else "diagram_band_continued", band=there + 1)
                else:
                    text = t(lang, "diagram_continues" if s_in else "diagram_continued",
                             page=sheet_of[there] + 1)
                lane = part.nodes[e.src if s_in else e.dst].lane
                marker = markers.get((side, lane, there)) if e.kind != "rework" else None
                if marker is None:
                    marker = f"cont_{side}_{b}_{len(markers)}_{lane}"
                    part.nodes[marker] = Node(marker, "continue", lane, title=text)
                    markers[(side, lane, there if e.kind != "rework" else -1 - len(markers))
                            ] = marker
                # a wait or share is read beside the step it leads to: on the band or page
                # where the edge comes in (edges out share their marker, and a label there
                # stood as near to the others as to its own)
                keep = e.kind == "rework"
                part.edges.append(Edge(e.src, marker, e.label if keep else "", e.kind, e.p)
                                  if s_in else Edge(marker, e.dst, e.label, "flow", e.p))
            blocks.append(part)
    facts = list(scene.facts)
    if len(sheets) > 1:
        facts.append(t(lang, "diagram_page", page=sheet + 1, pages=len(sheets)))
    return Scene(scene.lang, scene.direction, scene.title, facts, blocks, scene.legend,
                 scene.phases)


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
        drawn = pages(scene.diagram(analysis, bundle, options), options.paper)
        if options.paper is None or options.direction != "LR" \
                or not style.sheet(options.paper).screen \
                or (len(drawn.pages) == 1 and drawn.label_pt >= style.sheet(options.paper).good):
            return drawn
        # a screen that one folded strip cannot fill at its size: top to bottom may
        # need fewer screens, or print larger
        down = pages(scene.diagram(analysis, bundle, options._replace(direction="TB")),
                     options.paper)
        good = style.sheet(options.paper).good
        return min((drawn, down), key=lambda d: (d.label_pt < good, len(d.pages), -d.label_pt))


def comparison(asis: Analysis, tobe: Analysis, bundle: Bundle | None,
               tobe_bundle: Bundle | None, options: Options) -> Drawing:
    """As-Is above To-Be, matched steps in the same column."""
    from bprkit.render import scene

    with collector.paused():
        return pages(scene.comparison(asis, tobe, bundle, tobe_bundle, options),
                     options.paper)


__all__ = ["Drawing", "FormatError", "Options", "Page", "comparison", "diagram",
           "format_for", "pages", "svgs", "write"]
