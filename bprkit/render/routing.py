"""Routing: orthogonal edge paths through the gaps, and places for their labels.

Boxes sit in cells of a grid (layout.py); between the columns run vertical gaps
and above every row a horizontal channel, and no box lies in either. An edge
leaves its source on the side facing the flow and enters its target from the
side facing back, so every path is made of:

- **straight**: same row, no box between: one segment;
- **drop**: the next step straight below (or above) in another lane, same
  column, nothing between (layout.drops): one segment, bottom to top;
- **hop**: target in the next column (or an attached note, system or pain point
  in the same column): along the source's right gap, one vertical leg;
- **channel**: anything longer: up or down the source's right gap to the channel
  above the target's row, along it, and down the target's left gap;
- **back** (rework, and the loop of ``use × N``): out of the source's bottom into the
  channel below its row, along it, up or down the target's left gap on a track of
  its own, and in a little below the forward edges' tip, so it never shares a line
  or an arrowhead with the forward flow.

A box is only ever entered or left through a gap, so no segment crosses a box.
Legs that share a gap or channel get their own tracks (interval partitioning,
so parallel edges spread out), except legs into the same node or out of the
same node, which share one as a bus. A label stands where it reads as its own edge's
(within LABEL_REACH of it, nearer to it than to any other edge) and collides with no
box, label or edge (a spatial hash keeps this linear): beside the target's entry,
then beside the route's other segments, then wrapped narrower. Gaps keep no room for
labels at first; the gaps before the targets of labels that found no such place (for
a drop, the channel it crosses) are widened and the geometry done again
(``bprkit.render.drawing._lay``).
"""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from bprkit.render import layout, style, textfit
from bprkit.render.scene import Edge, Scene

ARROW = 7.0
HASH = 96.0

Rect = tuple[float, float, float, float]
"""(u0, v0, u1, v1)"""


@dataclass(eq=False)
class Leg:
    edge: int
    where: str
    """``gap`` (vertical, along a gap between columns) or ``channel``."""
    index: int
    lo: int
    hi: int
    """Extent in grid units: rows (2r+1 a row's middle, 2r its channel) for a gap
    leg, columns (2k a gap, 2k+1 a column) for a channel leg."""
    group: tuple[str, str]
    track: int = 0


@dataclass(eq=False)
class Plan:
    kind: list[str]
    legs: list[list[Leg]]
    gap_tracks: list[int]
    channel_tracks: list[int]
    gap_labels: list[float]
    apart: set[int] = field(default_factory=set)
    """Edges out of a branch into a node other edges enter too: their own track and
    tip (above the others'), so the share is not read as another edge's."""


@dataclass(eq=False)
class Routes:
    points: list[list[tuple[float, float]]]
    """Each edge's polyline in (u, v), from the source's side to the target's."""
    labels: dict[int, tuple[float, float, float, float, list[str]]] = field(default_factory=dict)
    """Edge index → label box (u0, v0, u1, v1) and its lines."""
    shares: dict[int, tuple[float, float, float, float, list[str]]] = field(
        default_factory=dict)
    """Edge index → the box of a branch exit's share (「30%」) where it stands apart from
    the edge's wait: beside the first stretch of the exit that is the edge's own."""
    crowded: set[int] = field(default_factory=set)
    """Edges whose label found no free place (it overlaps something)."""
    crowded_gaps: set[int] = field(default_factory=set)
    """The gaps those labels belong in (``label_gap``)."""
    crowded_channels: dict[int, float] = field(default_factory=dict)
    """Channel → the room across a drop's label needs there to stand beside its own
    segment (a straight line down into the next lane has no gap to widen)."""


NARROWEST_LABEL = 6
"""The last width tried: a range breaks after its 〜 (「5〜10〜」 over 「20分」), for a
wait beside a line in a narrow lane top to bottom."""
NARROW_LABEL = 8
"""Display columns an edge label is wrapped at when it finds no place by its own edge at
its usual width (「待ち」 over 「10〜20〜40分」)."""


def label_size(text: str, direction: str, wrap: int = style.WRAP_COLUMNS["edge"]
               ) -> tuple[float, float, list[str]]:
    """(along, across, lines) of an edge label."""
    lines = [line for part in text.split("\n") for line in textfit.wrap(part, wrap)]
    w, h = textfit.block(lines, style.SMALL_PT, 1.3)
    w, h = w + 6, h + 4
    return (w, h, lines) if direction == "LR" else (h, w, lines)


def _edges(scene: Scene) -> list[Edge]:
    return [e for block in scene.blocks for e in block.edges]


def plan(scene: Scene, g: layout.Grid) -> Plan:
    edges = _edges(scene)
    ins: dict[str, int] = defaultdict(int)
    outs: dict[str, int] = defaultdict(int)
    for e in edges:
        if e.kind != "attach":  # a note or a system beside a step is no way out of it
            ins[e.dst] += 1
            outs[e.src] += 1
    branch = {k for block in scene.blocks for k, node in block.nodes.items()
              if node.kind == "branch"}
    apart = {n for n, e in enumerate(edges)  # a branch's share must not be read as
             if e.src in branch and e.kind == "flow" and ins[e.dst] > 1}  # another's
    kinds = [_kind(e, g) for e in edges]
    legs = [_legs(kind, n, e, g, ins, outs, apart)
            for n, (kind, e) in enumerate(zip(kinds, edges, strict=True))]
    gap_labels = _gap_labels(scene, g, edges, kinds)
    gap_tracks = _tracks([leg for ls in legs for leg in ls if leg.where == "gap"],
                         g.columns + 1)
    channel_tracks = _tracks([leg for ls in legs for leg in ls if leg.where == "channel"],
                             g.rows + 1)
    return Plan(kinds, legs, gap_tracks, channel_tracks, gap_labels, apart)


def _kind(e: Edge, g: layout.Grid) -> str:
    """The shape of an edge's path: straight, drop, hop, channel or back (the module's
    docstring)."""
    a, b = g.column[e.src], g.column[e.dst]
    ra, rb = g.row[e.src], g.row[e.dst]
    clear = a == b and all(not g.cells.get((r, a))
                           for r in range(min(ra, rb) + 1, max(ra, rb)))
    if e.kind == "attach":  # straight to the note or system below/above, else beside
        return "drop" if clear else "hop"
    if e.kind in ("rework", "repeat"):  # out of the bottom, below the row, back
        return "back"
    if b == a and e.kind == "flow" and ra != rb and clear:
        return "drop"
    if b > a and ra == rb and all(not g.cells.get((ra, c)) for c in range(a + 1, b)):
        return "straight"
    return "hop" if b == a + 1 else "channel"


def _group(n: int, e: Edge, ins: dict[str, int], outs: dict[str, int],
           apart: set[int]) -> tuple[str, str]:
    """The group of a flow hop's leg: legs into one node (or out of one) share a track
    as a bus; an edge kept apart, or one among many both ways, has its own."""
    if n in apart or (ins[e.dst] != 1 and outs[e.src] != 1):
        return ("edge", str(n))
    return ("in", e.dst) if ins[e.dst] > 1 else ("out", e.src)


def _legs(kind: str, n: int, e: Edge, g: layout.Grid, ins: dict[str, int],
          outs: dict[str, int], apart: set[int]) -> list[Leg]:
    """The gap and channel legs of an edge's path (none for straight and drop)."""
    a, b = g.column[e.src], g.column[e.dst]
    ra, rb = g.row[e.src], g.row[e.dst]
    if kind in ("drop", "straight"):
        return []
    if kind == "back":
        ch = back_channel(g, ra)
        return [Leg(n, "channel", ch, *_span(2 * a + 1, 2 * b), ("edge", str(n))),
                Leg(n, "gap", b, *_span(2 * ch, 2 * rb + 1), ("back", e.dst))]
    if kind == "hop" and e.kind == "attach":
        return [Leg(n, "gap", a + 1, *_span(2 * ra + 1, 2 * rb + 1), ("attach", e.src))]
    if kind == "hop":
        return [Leg(n, "gap", b, *_span(2 * ra + 1, 2 * rb + 1),
                    _group(n, e, ins, outs, apart))]
    return [Leg(n, "gap", a + 1, *_span(2 * ra + 1, 2 * rb), ("out", e.src)),
            Leg(n, "channel", rb, *_span(2 * (a + 1), 2 * b), ("edge", str(n))),
            Leg(n, "gap", b, *_span(2 * rb, 2 * rb + 1),
                ("edge", str(n)) if n in apart else ("in", e.dst))]


def back_channel(g: layout.Grid, row: int) -> int:
    """The channel a rework from ``row`` runs back in: the one below the row, except
    under a band's last row when another band follows (that channel is the next band's
    first, across the gap between them): then the one above the row."""
    for first, count in g.block_rows[:-1]:
        if row == first + count - 1:
            return row
    return row + 1


def _gap_labels(scene: Scene, g: layout.Grid, edges: list[Edge],
                kinds: list[str]) -> list[float]:
    """Per gap: the room its widest label needs beyond the tracks. A label stands 3 pt
    before its target's side, level with the entering line; the half track after the
    last track is room it shares (it stays GAP_PAD + 3 pt clear of that track)."""
    gap_labels = [0.0] * (g.columns + 1)
    for n, e in enumerate(edges):
        if e.label:
            k = label_gap(kinds[n], g.column[e.src], g.column[e.dst])
            gap_labels[k] = max(gap_labels[k], label_size(e.label, scene.direction)[0] + 6
                                - layout.TRACK / 2)
    return gap_labels


def label_gap(kind: str, src_column: int, dst_column: int) -> int:
    """The gap a label is put in: before its target's column, or for a drop the
    gap right of the column."""
    return src_column + 1 if kind == "drop" else dst_column


def _span(x: int, y: int) -> tuple[int, int]:
    return (x, y) if x <= y else (y, x)


def _tracks(legs: list[Leg], places: int) -> list[int]:
    """Give each leg a track in its gap or channel: legs of one group share one;
    groups whose extents meet or overlap get different ones (fewest tracks)."""
    groups: dict[tuple[int, tuple[str, str]], list[Leg]] = defaultdict(list)
    for leg in legs:
        groups[(leg.index, leg.group)].append(leg)
    by_place: dict[int, list[tuple[int, int, list[Leg]]]] = defaultdict(list)
    for (index, _), members in groups.items():
        lo = min(m.lo for m in members)
        hi = max(m.hi for m in members)
        by_place[index].append((lo, hi, members))
    counts = [0] * places
    for index, spans in by_place.items():
        spans.sort(key=lambda s: (s[0], -s[1]))
        busy: list[tuple[int, int]] = []  # (hi, track)
        free: list[int] = []
        used = 0
        for lo, hi, members in spans:
            while busy and busy[0][0] < lo:
                heapq.heappush(free, heapq.heappop(busy)[1])
            if free:
                track = heapq.heappop(free)
            else:
                track, used = used, used + 1
            heapq.heappush(busy, (hi, track))
            for m in members:
                m.track = track
        counts[index] = used
    return counts


def route(scene: Scene, g: layout.Grid, p: Plan, geo: layout.Geometry,
          far: bool = True) -> Routes:
    edges = _edges(scene)
    boxes, centre = geo.boxes, geo.centre

    def gap_u(index: int, track: int) -> float:
        return geo.gap_u[index][0] + layout.GAP_PAD + (track + 0.5) * layout.TRACK

    def channel_v(index: int, track: int) -> float:
        return geo.channel_v[index][0] + layout.CHANNEL_FIRST + track * layout.TRACK

    def right(key: str) -> tuple[float, float]:
        u, v = centre[key]
        return u + boxes[key].along / 2, v

    def left(key: str) -> tuple[float, float]:
        u, v = centre[key]
        return u - boxes[key].along / 2, v

    points: list[list[tuple[float, float]]] = []
    for n, e in enumerate(edges):
        kind, legs = p.kind[n], p.legs[n]
        start = right(e.src)
        if kind == "straight":
            points.append([start, left(e.dst)])
        elif kind == "back":
            su, sv = centre[e.src]
            y = channel_v(legs[0].index, legs[0].track)
            x = gap_u(legs[1].index, legs[1].track)
            du, dv = left(e.dst)
            dv += _tip(boxes[e.dst].across)  # below the forward entries' tip
            # out of the bottom left of the middle, where a forward line may come in or go
            # out (a dashed line on a solid one read as one line)
            su -= min(BACK_OFFSET, boxes[e.src].along / 4)
            side = 1 if legs[0].index > g.row[e.src] else -1  # out of the bottom, or the top
            points.append(_clean([(su, sv + side * boxes[e.src].across / 2), (su, y), (x, y),
                                  (x, dv), (du, dv)]))
        elif kind == "drop":
            (u, va), (_, vb) = centre[e.src], centre[e.dst]
            sign = 1 if vb > va else -1
            points.append([(u, va + sign * boxes[e.src].across / 2),
                           (u, vb - sign * boxes[e.dst].across / 2)])
        elif kind == "hop":
            x = gap_u(legs[0].index, legs[0].track)
            end = right(e.dst) if e.kind == "attach" else left(e.dst)
            if n in p.apart:
                end = (end[0], end[1] - _tip(boxes[e.dst].across))
            points.append(_clean([start, (x, start[1]), (x, end[1]), end]))
        else:
            x1 = gap_u(legs[0].index, legs[0].track)
            y = channel_v(legs[1].index, legs[1].track)
            x2 = gap_u(legs[2].index, legs[2].track)
            end = left(e.dst)
            if n in p.apart:
                end = (end[0], end[1] - _tip(boxes[e.dst].across))
            points.append(_clean([start, (x1, start[1]), (x1, y), (x2, y), (x2, end[1]), end]))
    routes = Routes(points)
    _place_labels(scene, g, edges, routes, geo, far)
    # a drop's label gets room across, in its channel (crowded_channels), not in a gap
    routes.crowded_gaps = {label_gap(p.kind[n], g.column[edges[n].src], g.column[edges[n].dst])
                           for n in routes.crowded if p.kind[n] != "drop"}
    return routes


def _tip(across: float) -> float:
    """How far from the middle of a box's side an arrow of its own enters (a rework below,
    a branch's exit kept apart above): a track's distance where the box is tall enough,
    else as far as stays on the box's straight side."""
    return max(0.0, min(layout.TRACK, across / 2 - 4.0))


def _clean(pts: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop repeated points and points in the middle of a straight run."""
    out: list[tuple[float, float]] = []
    for pt in pts:
        if out and abs(out[-1][0] - pt[0]) < 0.01 and abs(out[-1][1] - pt[1]) < 0.01:
            continue
        if len(out) >= 2:
            (x0, y0), (x1, y1) = out[-2], out[-1]
            if (abs(x0 - x1) < 0.01 and abs(x1 - pt[0]) < 0.01) or \
                    (abs(y0 - y1) < 0.01 and abs(y1 - pt[1]) < 0.01):
                out[-1] = pt
                continue
        out.append(pt)
    return out


def _apart(a: Rect, b: Rect) -> float:
    """The gap between two rectangles (0 when they meet)."""
    du = max(b[0] - a[2], a[0] - b[2], 0.0)
    dv = max(b[1] - a[3], a[1] - b[3], 0.0)
    return (du * du + dv * dv) ** 0.5


def _to_route(r: Rect, pts: list[tuple[float, float]]) -> float:
    """How far a rectangle is from a route (its segments are axis-parallel)."""
    return min(_apart(r, (min(u0, u1), min(v0, v1), max(u0, u1), max(v0, v1)))
               for (u0, v0), (u1, v1) in itertools.pairwise(pts))


BACK_OFFSET = 12.0
"""A rework leaves its step this far left of the middle of its bottom (at most a quarter
of the box), clear of the forward line that drops in or out there."""

LABEL_REACH = 12.0
"""A label stands within this many points of its own edge, and nearer to it than to
any other edge: a share or a wait is read as the edge it is beside."""


class _Hash:
    """Rectangles in a uniform grid of cells: which stored ones a new one meets."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[tuple[float, float, float, float, object]]] = \
            defaultdict(list)
        self.borders: set[object] = set()
        """The owners of the lane and phase lines (a label may cross one if it must)."""

    def _keys(self, r: tuple[float, float, float, float]) -> list[tuple[int, int]]:
        u0, v0, u1, v1 = r
        return [(i, j) for i in range(int(u0 // HASH), int(u1 // HASH) + 1)
                for j in range(int(v0 // HASH), int(v1 // HASH) + 1)]

    def add(self, r: tuple[float, float, float, float], owner: object) -> None:
        for k in self._keys(r):
            self.cells[k].append((*r, owner))

    def nearest_edge(self, r: Rect, reach: float, edge: int) -> float:
        """How far ``r`` is from the nearest segment of an edge other than ``edge``
        (``reach`` or more when none is within ``reach``)."""
        u0, v0, u1, v1 = r
        best = reach
        for k in self._keys((u0 - reach, v0 - reach, u1 + reach, v1 + reach)):
            for a0, b0, a1, b1, owner in self.cells.get(k, ()):
                if isinstance(owner, tuple) and owner[0] == "seg" and owner[1] != edge:
                    best = min(best, _apart((u0, v0, u1, v1), (a0, b0, a1, b1)))
        return best

    def hits(self, r: tuple[float, float, float, float], ignore: Collection[object]) -> bool:
        u0, v0, u1, v1 = r
        for k in self._keys(r):
            for a0, b0, a1, b1, owner in self.cells.get(k, ()):
                if owner not in ignore and a0 < u1 and u0 < a1 and b0 < v1 and v0 < b1:
                    return True
        return False


def _place_labels(scene: Scene, g: layout.Grid, edges: list[Edge], routes: Routes,
                  geo: layout.Geometry, far: bool) -> None:
    """Place each label beside its target's entry (a drop's beside its segment), else
    beside its route's other segments, where it reads as its own edge's: within
    LABEL_REACH of it and nearer to it than to any other (wrapped narrower if that is
    what it takes). A label with no such place is crowded: the caller makes room, in
    its gap or, for a drop, in its channel; with ``far`` it takes the least bad place."""
    space = _obstacles(scene, geo, routes)
    for n, e in enumerate(edges):
        if not e.label:
            continue
        pts = routes.points[n]
        text = _share_apart(e, n, pts, scene.direction, space, routes)
        if not text:
            continue
        drop = len(pts) == 2 and pts[0][0] == pts[1][0]
        # a label may touch the segment it sits beside, not its own other segments
        beside = {("seg", n, k) for k in range(len(pts) - 1)} if drop else \
            {("seg", n, len(pts) - 2)}
        found = None
        for crossing in (False, True):  # off the lane and phase lines, else across one
            ignore = beside | space.borders if crossing else beside
            for wrap in (style.WRAP_COLUMNS["edge"], NARROW_LABEL, NARROWEST_LABEL):
                along, across, lines = label_size(text, scene.direction, wrap)
                inside = [c for c in _candidates(e, g, geo, pts, drop, along, across, far)
                          if c[0] >= 0 and c[1] >= 0 and c[2] <= geo.along
                          and c[3] <= geo.across]
                free = [c for c in inside if not space.hits(c, ignore)]
                found = next((c for c in free if _its_own(c, n, pts, space)), None)
                if found is not None:
                    break
                if crossing and wrap == style.WRAP_COLUMNS["edge"]:  # the usual shape,
                    first = (along, across, lines, inside, free)  # if nothing is found
            if found is not None:
                break
        if found is None:  # nothing free by its own edge: room is made, or the least bad
            along, across, lines, inside, free = first
            routes.crowded.add(n)
            if drop:  # the room is across: in the channel above the lower of the two rows
                k = max(g.row[e.src], g.row[e.dst])
                short = across + 4 - abs(pts[1][1] - pts[0][1])  # what the segment lacks
                if short > 0:
                    routes.crowded_channels[k] = max(routes.crowded_channels.get(k, 0.0),
                                                     short)
            found = min(free, key=lambda c: _astray(c, n, pts, space)) if free else \
                inside[0] if inside else _candidates(e, g, geo, pts, drop, along, across,
                                                     far)[0]
        space.add(found, ("label", n))
        routes.labels[n] = (*found, lines)


def _share_apart(e: Edge, n: int, pts: list[tuple[float, float]], direction: str,
                 space: _Hash, routes: Routes) -> str:
    """Place a branch exit's share (the label's first line, 「30%」) beside the first
    stretch of the route from the diamond that is the edge's own (exits leave along a
    shared line): near its start, within LABEL_REACH and nearer to it than to any other
    edge. Returns the rest of the label (the wait, or nothing), for its place by the
    step it leads to; the whole label when the share finds no such place (it then
    stays with the wait)."""
    first, _, rest = e.label.partition("\n")
    if e.p is None or e.kind != "flow" or first != f"{e.p * 100:g}%":
        return e.label
    along, across, lines = label_size(first, direction)
    for crossing in (False, True):  # off the lane and phase lines, else across one
        for k, (a, b) in enumerate(itertools.pairwise(pts)):
            places = [c for t in (0.1, 0.3, 0.5) for c in _beside(a, b, t, along, across)]
            if abs(b[1] - a[1]) < 0.01:  # along the flow: also its far end, past a track
                places += _near_entry(b, along, across)[:2]  # that crosses its start
            ignore = {("seg", n, k)} | (space.borders if crossing else set())
            for c in places:
                if not space.hits(c, ignore) and _its_own(c, n, pts, space):
                    space.add(c, ("label", n))
                    routes.shares[n] = (*c, lines)
                    return rest
    return e.label


def _candidates(e: Edge, g: layout.Grid, geo: layout.Geometry, pts: list[tuple[float, float]],
                drop: bool, along: float, across: float, far: bool) -> list[Rect]:
    """Where a label of that size may stand, best first."""
    near = _near_entry(pts[-1], along, across)
    middles = _beside_segments(pts, along, across)
    if drop:
        column = _beside_column(pts, along, across, geo.boxes[e.src], geo.boxes[e.dst],
                                geo.gap_u[g.column[e.src] + 1][1] - 3)
        out = middles + column + near
    else:
        out = near + middles[::-1]  # the entering segment first, then back along
    return out + _search(pts, along, across) if far else out


def _its_own(c: Rect, n: int, pts: list[tuple[float, float]], space: _Hash) -> bool:
    """Whether a label at ``c`` reads as edge ``n``'s: within LABEL_REACH of it and
    nearer to it than to any other edge."""
    own = _to_route(c, pts)
    return own <= LABEL_REACH and space.nearest_edge(c, own + 0.5, n) > own


def _astray(c: Rect, n: int, pts: list[tuple[float, float]], space: _Hash
            ) -> tuple[bool, float]:
    """How badly a label at ``c`` misleads: whether another edge is at least as near
    as its own, then how far its own is."""
    own = _to_route(c, pts)
    return space.nearest_edge(c, own + 0.5, n) <= own, own


def _obstacles(scene: Scene, geo: layout.Geometry, routes: Routes) -> _Hash:
    """What a label must not cover: the boxes, the lane titles and the routes."""
    space = _Hash()
    for key, (u, v) in geo.centre.items():
        b = geo.boxes[key]
        space.add((u - b.along / 2, v - b.across / 2, u + b.along / 2, v + b.across / 2), key)
    header = geo.gap_u[0][0] if geo.gap_u else 0.0
    for key, title, v0, _ in geo.lanes:  # the lane titles (LR: left of the lanes)
        lines = layout.lane_lines(title)
        w, h = textfit.block(lines, style.LANE_PT, 1.25)
        if scene.direction == "LR":
            space.add((0.0, v0, header, v0 + h + 16), ("lane", key))
        else:
            space.add((0.0, v0, h + 16, v0 + w + 16), ("lane", key))
    for n, pts in enumerate(routes.points):
        for k, ((u0, v0), (u1, v1)) in enumerate(itertools.pairwise(pts)):
            space.add((min(u0, u1) - 1, min(v0, v1) - 1, max(u0, u1) + 1, max(v0, v1) + 1),
                      ("seg", n, k))
    # the lines between lanes and between phases: a label across one reads struck out;
    # kept off them where there is a place, across one rather than made room for
    for key, _, v0, v1 in geo.lanes:
        for v in (v0, v1):
            space.add((header, v - 0.5, geo.along, v + 0.5), ("border", key, v))
            space.borders.add(("border", key, v))
    for title, u0, u1 in geo.phases:
        for u in (u0, u1):
            space.add((u - 0.5, 0.0, u + 0.5, geo.across), ("border", title, u))
            space.borders.add(("border", title, u))
    return space


def segments(pts: list[tuple[float, float]]) -> list[tuple[str, float, float, float]]:
    """A route's segments as (axis ``h`` or ``v``, position across it, from, to): what
    the geometry tests and ``bench_sheets`` measure crossings and close parallels on."""
    out = []
    for (u0, v0), (u1, v1) in itertools.pairwise(pts):
        if abs(u0 - u1) < 0.01:
            out.append(("v", u0, min(v0, v1), max(v0, v1)))
        else:
            out.append(("h", v0, min(u0, u1), max(u0, u1)))
    return out


def struck(rect: Rect, geo: layout.Geometry) -> bool:
    """Whether a label's box is struck through by a line between lanes or phases (the
    lines :func:`_obstacles` keeps labels off where it can)."""
    return any(rect[1] + 0.5 < v < rect[3] - 0.5 for lane in geo.lanes for v in lane[2:]) \
        or any(rect[0] + 0.5 < u < rect[2] - 0.5 for _, u0, u1 in geo.phases for u in (u0, u1))


def _near_entry(tip: tuple[float, float], along: float, across: float) -> list[Rect]:
    """Beside the target's entry: above then below, then one step further."""
    tip_u, tip_v = tip
    u1 = tip_u - 3
    near = []
    for k in (0, 1):
        near.append((u1 - along, tip_v - 2 - across - k * (across + 2), u1,
                     tip_v - 2 - k * (across + 2)))
        near.append((u1 - along, tip_v + 2 + k * (across + 2), u1,
                     tip_v + 2 + across + k * (across + 2)))
    return near


def _beside_segments(pts: list[tuple[float, float]], along: float,
                     across: float) -> list[Rect]:
    """Beside the route's segments, at a half, a quarter and three quarters."""
    return [c for a, b in itertools.pairwise(pts) for t in (0.5, 0.25, 0.75)
            for c in _beside(a, b, t, along, across)]


def _beside(a: tuple[float, float], b: tuple[float, float], t: float, along: float,
            across: float) -> list[Rect]:
    """Two places for a label beside segment a–b at ``t`` of its length: above then
    below a segment along the flow, right then left of one across it."""
    (a0, b0), (a1, b1) = a, b
    mu, mv = a0 + (a1 - a0) * t, b0 + (b1 - b0) * t
    if abs(a1 - a0) >= abs(b1 - b0):
        return [(mu - along / 2, mv - across - 2, mu + along / 2, mv - 2),
                (mu - along / 2, mv + 2, mu + along / 2, mv + across + 2)]
    return [(mu + 3, mv - across / 2, mu + 3 + along, mv + across / 2),
            (mu - 3 - along, mv - across / 2, mu - 3, mv + across / 2)]


def _beside_column(pts: list[tuple[float, float]], along: float, across: float,
                   src: layout.Box, dst: layout.Box, end: float) -> list[Rect]:
    """For a drop: beside the column, right then left, level with the segment's middle
    (``end``: the room kept at the end of the gap to the right)."""
    half = max(src.along, dst.along) / 2
    mu, mv = pts[0][0], (pts[0][1] + pts[1][1]) / 2
    return [(mu + half + 3, mv - across / 2, mu + half + 3 + along, mv + across / 2),
            (end - along, mv - across / 2, end, mv + across / 2),
            (mu - half - 3 - along, mv - across / 2, mu - half - 3, mv + across / 2)]


def _search(pts: list[tuple[float, float]], along: float, across: float) -> list[Rect]:
    """The last resort: a widening search around the entry, then the route's middle."""
    out = []
    middle = (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
    for cu, cv in (pts[-1], middle):
        for step in range(1, 13):
            d = step * 8.0
            for du, dv in ((0, -d), (0, d), (-d, 0), (d, 0), (-d, -d), (d, d), (-d, d), (d, -d)):
                u0, v0 = cu + du - along / 2, cv + dv - across / 2
                out.append((u0, v0, u0 + along, v0 + across))
    return out
