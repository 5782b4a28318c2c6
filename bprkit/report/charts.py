"""The report's charts as SVG, built with ElementTree (every text escaped by it).

Made to be read in black-and-white print: black outlines, two greys and a hatch,
values written beside the marks, no meaning carried by colour alone.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from bprkit.render.textfit import points

SVG_NS = "http://www.w3.org/2000/svg"
FONT_PT = 12.0
INK, DARK, LIGHT, PAPER = "#000000", "#595959", "#d0d0d0", "#ffffff"


def _svg(width: float, height: float, title: str) -> ET.Element:
    root = ET.Element("svg", {"xmlns": SVG_NS, "viewBox": f"0 0 {width:.0f} {height:.0f}",
                              "width": f"{width:.0f}", "height": f"{height:.0f}",
                              "role": "img", "class": "chart"})
    ET.SubElement(root, "title").text = title
    return root


def _text(parent: ET.Element, x: float, y: float, text: str, *, anchor: str = "start",
          size: float = FONT_PT, bold: bool = False, halo: bool = False) -> None:
    attrs = {"x": f"{x:.1f}", "y": f"{y:.1f}", "font-size": f"{size:g}",
             "text-anchor": anchor, "fill": INK}
    if halo:  # a white outline keeps the text readable over lines and hatching
        attrs.update({"stroke": PAPER, "stroke-width": "3", "paint-order": "stroke"})
    if bold:
        attrs["font-weight"] = "bold"
    ET.SubElement(parent, "text", attrs).text = text


def _rect(parent: ET.Element, x: float, y: float, w: float, h: float, fill: str,
          stroke: str = INK) -> None:
    ET.SubElement(parent, "rect", {"x": f"{x:.1f}", "y": f"{y:.1f}", "width": f"{max(w, 0):.1f}",
                                   "height": f"{h:.1f}", "fill": fill, "stroke": stroke,
                                   "stroke-width": "0.8"})


def _line(parent: ET.Element, x0: float, y0: float, x1: float, y1: float,
          width: float = 1.0, dash: str | None = None) -> None:
    attrs = {"x1": f"{x0:.1f}", "y1": f"{y0:.1f}", "x2": f"{x1:.1f}", "y2": f"{y1:.1f}",
             "stroke": INK, "stroke-width": f"{width:g}"}
    if dash:
        attrs["stroke-dasharray"] = dash
    ET.SubElement(parent, "line", attrs)


def _hatch(root: ET.Element, pattern_id: str) -> str:
    defs = ET.SubElement(root, "defs")
    pat = ET.SubElement(defs, "pattern", {"id": pattern_id, "width": "6", "height": "6",
                                          "patternUnits": "userSpaceOnUse",
                                          "patternTransform": "rotate(45)"})
    ET.SubElement(pat, "rect", {"width": "6", "height": "6", "fill": PAPER})
    ET.SubElement(pat, "line", {"x1": "0", "y1": "0", "x2": "0", "y2": "6", "stroke": INK,
                                "stroke-width": "2"})
    return f"url(#{pattern_id})"


def _clip(text: str, width: float, size: float = FONT_PT) -> str:
    """The text cut with … to fit ``width`` points."""
    if points(text, size) <= width:
        return text
    while text and points(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def nice_max(value: float) -> float:
    """A round axis end at or above ``value`` (1, 2, 2.5, 5 × 10^n)."""
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * exp >= value:
            return step * exp
    return 10 * exp


def _round_step(step: float) -> bool:
    """Whether a grid step is 1, 2 or 5 × 10^n (6,250 is not)."""
    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(abs(mantissa - m) < 1e-9 for m in (1, 2, 5, 10))


def _tostring(root: ET.Element) -> str:
    return ET.tostring(root, encoding="unicode")


def band(p10: float, p50: float, p90: float, top: float, *, title: str,
         width: float = 150, height: float = 16) -> str:
    """A small bar to P50 with a whisker from P10 to P90 (one ranking row)."""
    root = _svg(width, height, title)
    scale = (width - 4) / (top or 1.0)
    mid = height / 2
    _rect(root, 1, 3, p50 * scale, height - 6, DARK)
    _line(root, 1 + p10 * scale, mid, 1 + p90 * scale, mid, 1.2)
    for x in (p10, p90):
        _line(root, 1 + x * scale, 2, 1 + x * scale, height - 2, 1.2)
    return _tostring(root)


def bars(rows: Sequence[tuple[str, float, str]], *, title: str, width: float = 720) -> str:
    """Horizontal bars: (label, value, the value as text) a row, longest first."""
    label_w = min(width * 0.4, max((points(r[0], FONT_PT) for r in rows), default=0) + 12)
    value_w = max((points(r[2], FONT_PT) for r in rows), default=0) + 10
    row_h = 24
    height = row_h * len(rows) + 8
    root = _svg(width, height, title)
    top = max((r[1] for r in rows), default=0) or 1.0
    room = width - label_w - value_w - 4
    for i, (label, value, shown) in enumerate(rows):
        y = 4 + i * row_h
        _text(root, label_w - 8, y + 16, _clip(label, label_w - 8), anchor="end")
        w = room * value / top
        _rect(root, label_w, y + 4, w, row_h - 8, DARK)
        _text(root, label_w + w + 6, y + 16, shown)
    _line(root, label_w, 2, label_w, height - 2)
    return _tostring(root)


def roadmap(years: Sequence[tuple[int, float, float, int]], *, title: str,
            saved_label: str, cumulative_label: str, count_label: str, unit: str,
            width: float = 760) -> str:
    """Per fiscal year: a hatched bar of the hours a year the year's redesigns add, and
    a line of the cumulative hours a year (year, saved, cumulative, procedures). Under
    each year: the hours it adds and ``count_label`` with the procedures redesigned."""
    left, right, top_pad, bottom = 70.0, 20.0, 40.0, 54.0
    plot_h = 240.0
    height = top_pad + plot_h + bottom
    root = _svg(width, height, title)
    hatch = _hatch(root, "roadmap-hatch")
    top = nice_max(1.08 * max((y[2] for y in years), default=0))  # room for the values
    n = max(len(years), 1)
    slot = (width - left - right) / n
    base = top_pad + plot_h

    def y_of(v: float) -> float:
        return base - plot_h * v / top

    steps = next((n for n in (5, 4, 2) if _round_step(top / n)), 4)
    for k in range(steps + 1):  # the axis and its grid, at round values
        v = top * k / steps
        _line(root, left, y_of(v), width - right, y_of(v), 0.4, "2 3")
        _text(root, left - 6, y_of(v) + 4, f"{v:,.0f}", anchor="end", size=10)
    _text(root, left - 6, top_pad - 14, unit, anchor="end", size=10)
    _line(root, left, top_pad, left, base)
    _line(root, left, base, width - right, base)
    points_line = []
    for i, (year, saved, cumulative, count) in enumerate(years):
        cx = left + slot * (i + 0.5)
        bw = min(60.0, slot * 0.5)
        _rect(root, cx - bw / 2, y_of(saved), bw, base - y_of(saved), hatch)
        _text(root, cx, base + 16, str(year), anchor="middle", size=11, bold=True)
        _text(root, cx, base + 30, f"+{saved:,.0f}", anchor="middle", size=10)
        _text(root, cx, base + 43, count_label.format(count=count), anchor="middle", size=10)
        points_line.append((cx, y_of(cumulative), cumulative))
    if points_line:
        ET.SubElement(root, "polyline", {
            "points": " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points_line),
            "fill": "none", "stroke": INK, "stroke-width": "2"})
        for x, y, v in points_line:
            _rect(root, x - 4, y - 4, 8, 8, INK)
            _text(root, x, y - 9, f"{v:,.0f}", anchor="middle", size=10, bold=True, halo=True)
    # the legend, top left
    _rect(root, left + 4, 8, 16, 12, hatch)
    _text(root, left + 26, 18, saved_label, size=11)
    lx = left + 36 + points(saved_label, 11)
    _line(root, lx, 14, lx + 20, 14, 2)
    _rect(root, lx + 6, 10, 8, 8, INK)
    _text(root, lx + 26, 18, cumulative_label, size=11)
    return _tostring(root)


def tornado(base: float, rows: Sequence[tuple[str, float, float]], *, title: str,
            low_label: str, high_label: str, ident: str, width: float = 720) -> str:
    """How the hours saved move when one parameter goes to its low or high end
    (parameter, at low, at high), around the expected saving ``base``. ``ident``
    prefixes the chart's ids (one page holds many)."""
    label_w = min(300.0, max((points(r[0], 11) for r in rows), default=0) + 10)
    row_h = 22
    top_pad = 26
    height = top_pad + row_h * len(rows) + 10
    root = _svg(width, height, title)
    hatch = _hatch(root, f"{ident}hatch")
    lo = min([base] + [min(r[1], r[2]) for r in rows])
    hi = max([base] + [max(r[1], r[2]) for r in rows])
    span = (hi - lo) or 1.0
    x0, x1 = label_w + 50, width - 60
    scale = (x1 - x0) / span

    def x_of(v: float) -> float:
        return x0 + (v - lo) * scale

    _rect(root, 4, 6, 14, 12, LIGHT)
    _text(root, 22, 16, low_label, size=10)
    lx = 34 + points(low_label, 10)
    _rect(root, lx, 6, 14, 12, hatch)
    _text(root, lx + 18, 16, high_label, size=10)
    for i, (name, at_low, at_high) in enumerate(rows):
        y = top_pad + i * row_h
        _text(root, label_w, y + 15, _clip(name, label_w - 4, 11), anchor="end", size=11)
        for v, fill in ((at_low, LIGHT), (at_high, hatch)):
            a, b = sorted((x_of(base), x_of(v)))
            _rect(root, a, y + 3, b - a, row_h - 6, fill)
        left_v, right_v = sorted((at_low, at_high))
        _text(root, x_of(left_v) - 4, y + 15, f"{left_v:,.0f}", anchor="end", size=10)
        _text(root, x_of(right_v) + 4, y + 15, f"{right_v:,.0f}", size=10)
    _line(root, x_of(base), top_pad - 2, x_of(base), height - 6, 1.5)
    return _tostring(root)
