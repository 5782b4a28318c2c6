"""Layout: node sizes, the grid of lanes × columns, and the sizes of the gaps.

Coordinates here are abstract: ``u`` runs along the flow (left → right for LR,
top → bottom for TB) and ``v`` across it (the lanes). Only the backend turns them
into page coordinates, so routing is written once for both directions.

1. Sizes: every node's box from its fitted text (textfit) at style's sizes.
2. Grid: a node's column is the longest forward path to it (rework, repeat and
   attach edges do not count; a To-Be step in a comparison is pushed right to its
   As-Is match so matched steps line up); attached nodes take their step's column.
   Inside a lane, nodes of the same column stack in rows.
3. Geometry (after routing has said how many tracks each gap needs): columns are
   as wide as their widest node, gaps as wide as their tracks and the labels that
   enter the next column, rows as tall as their tallest node, and each lane at
   least as tall as its title. A system lane holding only cylinders is thin.
Everything is linear in nodes and edges, apart from sorting.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field

from bprkit.render import style, textfit
from bprkit.render.scene import Node, Scene

PAD = 8.0           # inside a step box
ROW_PAD = 5.0      # around a row, across the flow
TRACK = 12.0
"""Distance between parallel lines (tracks in a gap or channel, two arrowheads into one
side of a box): closer, a dashed rework between two solid lines blurs into them (issue
24). Lines into or out of one node share a track as a bus instead. 7 pt before; 12 pt
costs risai_shomei's A3 sheet 9.0 → 8.8 pt and a 20-step strip on A3 10.0 → 9.7 pt."""
LANE_CLEAR = 8.0
"""A lane's first track runs at least this far under the lane's border (a line along a
border reads as the border); at TRACK 12 the channel's own padding gives it."""
CHANNEL_FIRST = PAD / 4 + TRACK / 2
"""A channel's first track from the channel's top."""
assert CHANNEL_FIRST >= LANE_CLEAR  # so a lane's first channel needs no room of its own
CHANNEL_LAST = 3.0
"""A channel's last track from the channel's bottom: with the row's ROW_PAD, 8 pt above
the boxes below, as far as the first keeps from a lane's border."""
GAP_MIN = 12.0      # a gap with no tracks and no labels
GAP_PAD = 5.0       # between a gap's edge and half a track before its first or last track
LABEL_PT = style.SMALL_PT
BLOCK_GAP = 24.0


@dataclass(eq=False)
class Box:
    along: float
    across: float
    lines: list[str] = field(default_factory=list)
    """The node's title, wrapped."""
    badge_rows: list[int] = field(default_factory=list)
    """How many badges each row of badges holds."""


@dataclass(eq=False)
class Grid:
    column: dict[str, int]
    row: dict[str, int]
    """Global row index (rows of all lanes of all blocks, top to bottom)."""
    columns: int
    rows: int
    lane_rows: list[tuple[str, int, int]]
    """(lane key, first row, row count) in drawing order."""
    block_rows: list[tuple[int, int]]
    """(first row, row count) of each block."""
    cells: dict[tuple[int, int], list[str]]
    """(row, column) → nodes, in stacking order (one each, by construction)."""


@dataclass(eq=False)
class Geometry:
    boxes: dict[str, Box]
    centre: dict[str, tuple[float, float]]
    col_u: list[tuple[float, float]]
    """Each column's extent along the flow."""
    gap_u: list[tuple[float, float]]
    """Gap k lies before column k (gap ``columns`` after the last)."""
    row_v: list[tuple[float, float]]
    channel_v: list[tuple[float, float]]
    """Channel r lies above row r (channel ``rows`` below the last)."""
    lanes: list[tuple[str, str, float, float]]
    """(key, title, v0, v1)."""
    along: float
    across: float
    phases: list[tuple[str, float, float]] = field(default_factory=list)
    """(title, u0, u1) of each phase band; the band's names sit in a strip across
    v 0 … ``strip`` above (LR) or left of (TB) the lanes."""
    strip: float = 0.0


def _box(node: Node, direction: str, wrap: int, tallest: int) -> Box:
    k = node.kind
    if k in ("start", "end"):
        w = h = 20.0
        lines: list[str] = []
    elif k == "point":
        w = h = 6.0
        lines = []
    elif k in ("fork", "join"):
        along, across = 7.0, 40.0
        return Box(along, across)
    elif k == "branch":
        lines = textfit.wrap(node.title, style.WRAP_COLUMNS["branch"]) if node.title else []
        tw, th = textfit.block(lines, style.SMALL_PT)
        w, h = max(36.0, tw * 1.4 + 14), max(30.0, th * 1.5 + 12)
    elif k == "continue":  # where the flow goes on: an arrow-shaped tag
        lines = textfit.wrap(node.title, style.WRAP_COLUMNS["sticky"])
        tw, th = textfit.block(lines, style.SMALL_PT)
        w, h = tw + 2 * PAD + 12, th + 2 * PAD
    elif k in ("note", "pain", "system"):
        lines = textfit.wrap(node.title, style.WRAP_COLUMNS["sticky"])
        tw, th = textfit.block(lines, style.SMALL_PT)
        w, h = tw + 2 * PAD + (10 if k == "note" else 0), th + 2 * PAD
    elif k == "use":  # a compare marks it with badges (変更, the called To-Be's levers)
        lines = _title(node.title, style.WRAP_COLUMNS["step"], style.TITLE_LINES) + (
            textfit.wrap(node.detail, style.WRAP_COLUMNS["use"]) if node.detail else [])
        tw, th = textfit.block(lines, style.STEP_PT)
        rows, tw = _badge_rows(node, tw)
        th += len(rows) * (style.SMALL_PT + 6)
        w, h = max(tw + 2 * PAD + 8, 70.0), th + 2 * PAD + 8
        return Box(w, h, lines, rows) if direction == "LR" else Box(h, w, lines, rows)
    else:  # step
        lines = _title(node.title, wrap, tallest)
        tw, th = textfit.block(lines, style.STEP_PT)
        for line in detail_lines(node):
            tw = max(tw, textfit.points(line, style.SMALL_PT))
            th += style.SMALL_PT * 1.3
        rows, tw = _badge_rows(node, tw)
        th += len(rows) * (style.SMALL_PT + 6)
        w, h = max(tw + 2 * PAD, 70.0), th + 2 * PAD
        box = Box(w, h, lines, rows) if direction == "LR" else Box(h, w, lines, rows)
        return box
    return Box(w, h, lines) if direction == "LR" else Box(h, w, lines)


def _badge_rows(node: Node, tw: float) -> tuple[list[int], float]:
    """How many of a box's badges go in each row (rows as wide as its text, 60 pt at
    least), and the box's text width with them."""
    rows: list[int] = []
    used = 0.0
    room = max(tw, 60.0)
    for b in node.badges:
        bw = textfit.points(b.text, style.SMALL_PT) + 10
        if rows and used + bw <= room:
            rows[-1] += 1
            used += bw
        else:
            rows.append(1)
            used = bw
            tw = max(tw, bw)
    return rows, tw


def lane_lines(title: str) -> list[str]:
    """A lane's title as its header shows it. A particle may start a line here: a
    header is mostly names (「調査班C（建築士会からの派遣）」), and the headers' column is
    as wide as its widest line in every band of the drawing, so keeping 「からの」 with
    its noun would widen the whole drawing for one header (risai_shomei on A3 fell
    below 9 pt)."""
    return textfit.wrap(title, style.WRAP_COLUMNS["lane"], particles=False)


def _title(text: str, wrap: int, tallest: int) -> list[str]:
    """A title wrapped at ``wrap`` columns, or wider when that takes more than
    ``tallest`` lines: a long title gets a wider box rather than a tower."""
    lines = textfit.wrap(text, wrap)
    while len(lines) > tallest and wrap < style.WIDEST_TITLE:
        wrap += 2
        lines = textfit.wrap(text, wrap)
    return lines


def detail_lines(node: Node) -> list[str]:
    """The small lines under a step's title: its time (and how often a batch runs),
    or in a comparison the minutes before → after or the steps it replaces, wrapped."""
    text = node.detail or node.time
    return [line for part in text.split("\n") if part
            for line in textfit.wrap(part, style.WRAP_COLUMNS["detail"])]


def sizes(scene: Scene, wrap: int = style.WRAP_COLUMNS["step"],
          tallest: int = style.TITLE_LINES) -> dict[str, Box]:
    """Every node's box; step titles wrap at ``wrap`` display columns, or wider
    when that would take more than ``tallest`` lines."""
    return {key: _box(node, scene.direction, wrap, tallest)
            for block in scene.blocks for key, node in block.nodes.items()}


def drops(nodes: dict[str, Node], edges: list) -> set[tuple[str, str]]:
    """Flow links drawn straight down (or up) into another lane, in the same
    column: the only way out of one step or shared process and the only way into
    the next. A chain that zigzags between lanes then takes a column per lane
    change less, which is what lets a 20-step procedure print on A3. Never across
    a phase boundary: a phase's band starts at its first step's column."""
    outs: dict[str, list[str]] = defaultdict(list)
    ins: dict[str, int] = defaultdict(int)
    for e in edges:
        if e.kind == "flow":
            outs[e.src].append(e.dst)
            ins[e.dst] += 1
    return {(a, b[0]) for a, b in outs.items()
            if len(b) == 1 and ins[b[0]] == 1 and a in nodes and b[0] in nodes
            and nodes[a].kind in ("step", "use") and nodes[b[0]].kind in ("step", "use")
            and nodes[a].lane != nodes[b[0]].lane and nodes[a].phase == nodes[b[0]].phase}


def _columns(block_nodes: dict[str, Node], edges: list, minimum: dict[str, int],
             down: set[tuple[str, str]]) -> dict[str, int]:
    """Longest forward path (Kahn's order; a cycle left unmarked is broken at its
    earliest node; a drop adds no column), then attached nodes in their step's
    column."""
    order = {k: i for i, k in enumerate(block_nodes)}
    succ: dict[str, list[tuple[str, int]]] = defaultdict(list)
    indeg = dict.fromkeys(block_nodes, 0)
    for e in edges:
        if e.kind == "flow" and e.src in indeg and e.dst in indeg:
            succ[e.src].append((e.dst, 0 if (e.src, e.dst) in down else 1))
            indeg[e.dst] += 1
    column = {k: minimum.get(k, 0) for k in block_nodes}
    ready = deque(k for k in block_nodes if indeg[k] == 0)
    done: set[str] = set()
    pending = sorted(block_nodes, key=order.__getitem__)
    at = 0
    while len(done) < len(block_nodes):
        if not ready:
            while pending[at] in done:
                at += 1
            ready.append(pending[at])
        node = ready.popleft()
        if node in done:
            continue
        done.add(node)
        for nxt, step in succ[node]:
            column[nxt] = max(column[nxt], column[node] + step)
            indeg[nxt] -= 1
            if indeg[nxt] == 0:
                ready.append(nxt)
    for k, n in block_nodes.items():
        if n.anchor is not None and n.anchor in column:
            column[k] = column[n.anchor]
    return column


def grid(scene: Scene) -> Grid:
    """Columns and rows; a drop whose column turns out to hold a box between its
    two ends is given up and the columns computed again (at most three rounds;
    routing draws any drop still blocked around the boxes)."""
    down = set().union(*(drops(b.nodes, b.edges) for b in scene.blocks))
    for _ in range(3):
        g = _grid(scene, down)
        blocked = {(a, b) for a, b in down
                   if any(g.cells.get((r, g.column[a]))
                          for r in range(min(g.row[a], g.row[b]) + 1,
                                         max(g.row[a], g.row[b])))}
        if not blocked:
            break
        down -= blocked
    return g


def _grid(scene: Scene, down: set[tuple[str, str]]) -> Grid:
    return _rows(scene, _settled_columns(scene, down))


def _settled_columns(scene: Scene, down: set[tuple[str, str]]) -> dict[str, int]:
    """Each node's column: matched steps (compare) at the later of their two columns;
    a phase starts right of every node of the phases before it. Computed again until
    nothing moves (at most phases + 4 rounds)."""
    pairs = [(t, a) for block in scene.blocks for t, a in block.match.items()]
    order = {pid: n for n, (pid, _) in enumerate(scene.phases)}
    phase_of = {key: order[node.phase] for block in scene.blocks
                for key, node in block.nodes.items()
                if node.phase in order and node.kind in PHASED}
    minimum: dict[str, int] = {}
    for _ in range(len(scene.phases) + 4):
        column: dict[str, int] = {}
        for block in scene.blocks:
            column.update(_columns(block.nodes, block.edges, minimum, down))
        moved = _align_matched(pairs, column, minimum)
        if phase_of and _phase_starts(phase_of, len(scene.phases), column, minimum):
            moved = True
        if not moved:
            break
    return column


def _align_matched(pairs: list[tuple[str, str]], column: dict[str, int],
                   minimum: dict[str, int]) -> bool:
    """Raise the minimum column of each matched pair in different columns to the later
    one; whether any was."""
    moved = False
    for t, a in pairs:
        if t in column and a in column and column[t] != column[a]:
            minimum[t] = minimum[a] = max(column[t], column[a])
            moved = True
    return moved


def _phase_starts(phase_of: dict[str, int], phases: int, column: dict[str, int],
                  minimum: dict[str, int]) -> bool:
    """Raise the minimum column of each node left of the end of an earlier phase to
    just right of it; whether any was."""
    moved = False
    end = [-1] * phases
    for key, k in phase_of.items():
        end[k] = max(end[k], column[key])
    reach = -1
    for k in range(len(end)):
        start = reach + 1
        reach = max(reach, end[k])
        for key, kk in phase_of.items():
            if kk == k and column[key] < start:
                minimum[key] = max(minimum.get(key, 0), start)
                moved = True
    return moved


def _rows(scene: Scene, column: dict[str, int]) -> Grid:
    """The grid: each lane of each block as many rows as the most nodes it holds in
    one column, blocks and lanes top to bottom in drawing order."""
    row: dict[str, int] = {}
    lane_rows: list[tuple[str, int, int]] = []
    block_rows: list[tuple[int, int]] = []
    cells: dict[tuple[int, int], list[str]] = {}
    next_row = 0
    for block in scene.blocks:
        first_block_row = next_row
        by_lane: dict[str, list[str]] = defaultdict(list)
        for key, node in block.nodes.items():
            by_lane[node.lane].append(key)
        for lane in block.lanes:
            depth: dict[int, int] = defaultdict(int)
            for key in by_lane.get(lane.key, ()):
                c = column[key]
                row[key] = next_row + depth[c]
                cells.setdefault((row[key], c), []).append(key)
                depth[c] += 1
            count = max(depth.values(), default=1)
            lane_rows.append((lane.key, next_row, count))
            next_row += count
        block_rows.append((first_block_row, next_row - first_block_row))
    columns = max(column.values(), default=0) + 1
    return Grid(column, row, columns, next_row, lane_rows, block_rows, cells)


def geometry(scene: Scene, g: Grid, boxes: dict[str, Box], gap_tracks: list[int],
             gap_labels: list[float], channel_tracks: list[int],
             channel_labels: list[float] | None = None) -> Geometry:
    """Place columns, gaps, rows and channels, given the tracks routing needs, the
    widest label that enters each column and the room a drop's label needs in the
    channel it crosses."""
    col_along = [0.0] * g.columns
    row_across = [0.0] * g.rows
    for key, c in g.column.items():
        col_along[c] = max(col_along[c], boxes[key].along)
        r = g.row[key]
        row_across[r] = max(row_across[r], boxes[key].across)
    lane_titles = {lane.key: lane.title for b in scene.blocks for lane in b.lanes}
    title_size = {k: textfit.block(lane_lines(t), style.LANE_PT)
                  for k, t in lane_titles.items()}
    flip = scene.direction == "TB"
    u = max((h if flip else w for w, h in title_size.values()), default=0.0) + 20
    gap_u, col_u, along = _along(g, u, col_along, gap_tracks, gap_labels)
    title_across = {k: (w if flip else h) + 16 for k, (w, h) in title_size.items()}
    strip = _strip(scene)
    row_v, channel_v, spans, across = _across(g, strip, row_across, channel_tracks,
                                              title_across,
                                              channel_labels or [0.0] * (g.rows + 1))
    lanes = [(key, lane_titles[key], top, bottom) for key, top, bottom in spans]
    centre = {}
    for key, c in g.column.items():
        u0, u1 = col_u[c]
        v0, v1 = row_v[g.row[key]]
        centre[key] = ((u0 + u1) / 2, (v0 + v1) / 2)
    return Geometry(boxes, centre, col_u, gap_u, row_v, channel_v, lanes, along, across,
                    _bands(scene, g, gap_u), strip)


def _along(g: Grid, u: float, col_along: list[float], gap_tracks: list[int],
           gap_labels: list[float]
           ) -> tuple[list[tuple[float, float]], list[tuple[float, float]], float]:
    """Gaps and columns along the flow from ``u`` (after the lane titles): each gap
    wide enough for its tracks and its widest label. Returns them and the end."""
    gap_u: list[tuple[float, float]] = []
    col_u: list[tuple[float, float]] = []
    for k in range(g.columns + 1):
        width = max(GAP_MIN, 2 * GAP_PAD + gap_tracks[k] * TRACK + gap_labels[k])
        gap_u.append((u, u + width))
        u += width
        if k < g.columns:
            col_u.append((u, u + col_along[k]))
            u += col_along[k]
    return gap_u, col_u, u


def _channel(tracks: int, last: float = CHANNEL_LAST) -> float:
    """A channel's height across for its tracks (labels aside), ``last`` after the last
    track (under the last row, the lane's border: LANE_CLEAR)."""
    return CHANNEL_FIRST + (tracks - 1) * TRACK + last if tracks else PAD / 2


def _across(g: Grid, strip: float, row_across: list[float], channel_tracks: list[int],
            title_across: dict[str, float], channel_labels: list[float]
            ) -> tuple[list[tuple[float, float]], list[tuple[float, float]],
                       list[tuple[str, float, float]], float]:
    """Channels and rows across the flow, below the phases' strip: a channel above
    each row, a lane at least as tall as its title, a gap between blocks, the last
    channel in the last lane. Returns rows, channels, (lane key, top, bottom) and
    the end."""
    row_v: list[tuple[float, float]] = [(0.0, 0.0)] * g.rows
    channel_v: list[tuple[float, float]] = [(0.0, 0.0)] * (g.rows + 1)
    lanes: list[tuple[str, float, float]] = []
    v = strip
    block_of_row = {}
    for n, (first, count) in enumerate(g.block_rows):
        for r in range(first, first + count):
            block_of_row[r] = n
    previous_block = 0
    for key, first, count in g.lane_rows:
        if first in block_of_row and block_of_row[first] != previous_block:
            v += BLOCK_GAP
            previous_block = block_of_row[first]
        start = v
        for r in range(first, first + count):
            ch = _channel(channel_tracks[r]) + channel_labels[r]
            channel_v[r] = (v, v + ch)  # its first track LANE_CLEAR under the border
            v += ch
            height = max(row_across[r], 6.0) + 2 * ROW_PAD
            if r == first + count - 1 and v + height - start < title_across[key]:
                height = title_across[key] - (v - start)
            row_v[r] = (v, v + height)
            v += height
        lanes.append((key, start, v))
    channel_v[g.rows] = (v, v + _channel(channel_tracks[g.rows], LANE_CLEAR))
    v = channel_v[g.rows][1]
    if lanes:  # the last channel belongs to the last lane
        last_key, top, _ = lanes[-1]
        lanes[-1] = (last_key, top, v)
    return row_v, channel_v, lanes, v


PHASE_PT = 12.0
PHASED = ("step", "use", "note", "pain", "system")
"""Nodes whose place decides where a phase starts and ends (forks, joins and
diamonds stand between phases)."""


def _strip(scene: Scene) -> float:
    """The room for the phases' names: one line above the lanes (LR), or a column
    as wide as the longest name left of them (TB)."""
    if not scene.phases:
        return 0.0
    if scene.direction == "LR":
        return PHASE_PT * 1.25 + 10
    return max(textfit.points(t, PHASE_PT) for _, t in scene.phases) + 16


def _bands(scene: Scene, g: Grid, gap_u: list[tuple[float, float]]
           ) -> list[tuple[str, float, float]]:
    """Each phase from the gap before its first column to the gap before the next
    phase's: bands never overlap, whatever rework does to the columns."""
    if not scene.phases:
        return []
    first: dict[str, int] = {}
    for block in scene.blocks:
        for key, node in block.nodes.items():
            if node.phase is not None and node.kind in PHASED:
                first[node.phase] = min(first.get(node.phase, g.columns), g.column[key])
    starts = [(first[pid], title) for pid, title in scene.phases if pid in first]
    starts.sort(key=lambda s: s[0])
    bands = []
    for n, (col, title) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else g.columns
        if end > col:
            bands.append((title, gap_u[col][0], gap_u[end][0] if end < g.columns
                          else gap_u[g.columns][1]))
    return bands


@dataclass(eq=False)
class TitleBlock:
    """The title, the facts line(s) and the legend, above the lanes."""

    title: list[str]
    facts: list[str]
    legend: list[list[tuple[int, float]]]
    """Rows of (legend item index, width in points)."""
    width: float
    height: float
    legend_top: float


LEGEND_ROW = 20.0
LEGEND_SYMBOL = 26.0


def title_block(scene: Scene, width: float) -> TitleBlock:
    """Fit the title block to ``width`` points (the drawing's width, at least 480)."""
    width = max(width, 480.0)
    columns = max(20, int(width / style.FACTS_PT * 2) - 4)
    title = textfit.wrap(scene.title, max(20, int(width / style.TITLE_PT * 2) - 4))
    facts = textfit.wrap("　".join(scene.facts), columns)
    head = textfit.block(title, style.TITLE_PT)
    body = textfit.block(facts, style.FACTS_PT)
    rows: list[list[tuple[int, float]]] = [[]]
    used = textfit.points(scene_legend_heading(scene), style.SMALL_PT) + 16
    for n, item in enumerate(scene.legend):
        w = LEGEND_SYMBOL + textfit.points(item.text, style.SMALL_PT) + 14
        if rows[-1] and used + w > width:
            rows.append([])
            used = 0.0
        rows[-1].append((n, w))
        used += w
    legend_h = (len(rows) * LEGEND_ROW + 8) if scene.legend else 0.0
    legend_top = head[1] + body[1] + 8
    return TitleBlock(title, facts, rows if scene.legend else [],
                      max(head[0], body[0], min(width, used)), legend_top + legend_h + 12,
                      legend_top)


def scene_legend_heading(scene: Scene) -> str:
    from bprkit.messages import catalog as messages

    return messages.text(scene.lang, "legend")
