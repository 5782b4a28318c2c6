"""How things look, as data: colours, sizes, paper, and the legend's symbols.

Every tag keeps the same colour on every diagram. Only the steps that carry the
most hours at stake (the top fifth, ``STRONG_SHARE``) are drawn strong: a tinted
box with a thick border in their tag's colour and solid badges; the others get a
thin grey border and pale badges in the same hue, so a wall of red never happens.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from bprkit import vocabulary

FONT = "BIZ UDPGothic,Noto Sans CJK JP,IPAexGothic,sans-serif"

# One colour per tag, the same on every diagram, and no colour with two meanings: every
# tag, compare state, heat shade and the rework line differ (CIEDE2000 ≥ 8), the compare
# states stay apart for protanopes, deuteranopes and tritanopes and in greyscale, and
# the heat shades darken in even steps (tests/test_palette.py). A step takes the colour
# of its first flag tag in vocabulary.FLAG_TAGS order.
FLAG_COLOURS: dict[str, str] = {
    "seal": "#c0392b",
    "in_person": "#d35400",
    "paper": "#8c6d46",
    "handwritten": "#b7950b",
    "transcribe": "#7d3c98",
    "check": "#2e4053",
    "print": "#5d6d7e",
    "postal": "#1f618d",
    "fax": "#117a65",
    "phone": "#6e2c00",
    "cash": "#196f3d",
}
DIGITAL_COLOURS: dict[str, str] = {
    "online": "#039be5",
    "rpa": "#6b7a00",
    "ai_ocr": "#c2185b",
    "e_approval": "#0097a7",
    "e_storage": "#880e4f",
    "cashless": "#388e3c",
    "auto": "#1a237e",
}
PLAIN_BORDER = "#7f8c8d"
MARKS = {"removed": "#2d2d2d", "merged": "#2d2d2d", "changed": "#b86e00", "added": "#2ecc71",
         "same": "#d7dadc"}
"""Compare: removed (charcoal, struck through), changed (dark amber), added (green),
unchanged (grey): L* 18, 53, 73 and 87, apart in greyscale too. A step merged into
another is gone as removed is, struck through in the same charcoal; its badge (統合)
and the step it went into say the rest."""
LEVER = "#5d4037"
"""A To-Be step's badge for each lever it names (書かない窓口, AI-OCR …)."""
HEAT = ("#f8f5ff", "#ddd6f7", "#c5baef", "#ac9fe9", "#9284e2")
"""Annual hours, light → dark: one violet hue, L* 97 → 60 in even steps, black text
readable on the darkest (contrast 6.4)."""
LANE_FILL = ("#f4f6f9", "#ffffff")
LANE_PEN = "#b0b7c3"
PHASE_FILL = "#eaf2f8"
PHASE_TINT = "#2e86c114"  # every other phase band, over the lanes (alpha 8 %)
EDGE = "#555555"
REWORK = "#ff5252"  # not 押印's red: a rework line is not a seal
ATTACH = {"note": "#999999", "pain": "#999999", "system": "#148f77"}
STICKY = {"note": "#fff3b0", "pain": "#fadbd8", "system": "#e8f8f5"}
STRONG_SHARE = 0.2

# Sizes in points.
TITLE_PT, FACTS_PT, STEP_PT, SMALL_PT, LANE_PT = 18.0, 12.0, 14.0, 10.0, 13.0
WRAP_COLUMNS = {"step": 18, "sticky": 16, "branch": 10, "lane": 12, "use": 18, "edge": 14,
                "detail": 30}
TITLE_LINES = 4
"""A box's title takes at most this many lines: a longer one widens the box."""
WIDEST_TITLE = 40
"""The widest a title may grow to keep within TITLE_LINES (display columns)."""
MIN_PT, GOOD_PT = 6.0, 9.0  # below MIN a page is split; a split page aims for GOOD
PAPER_PT = {"a3": (1190.55, 841.89), "a4": (841.89, 595.28)}  # landscape sheets
MARGIN_PT = 22.68  # 8 mm: inside every office printer's printable area (4–5 mm)
SCREEN = "1920x1080"
"""``--fit screen``: a full-HD projector or display."""
SCREEN_GOOD_PX = 14.0
"""Step titles on a screen: 14 px or more is read from the back of a meeting room."""
PX_PT = 0.75
"""Points per CSS pixel (96 px to the inch)."""


class Sheet(NamedTuple):
    """What a drawing is fitted to: a sheet of paper, or one screen."""

    size: tuple[float, float]
    """Width and height in points (a screen's pixels × PX_PT)."""
    margin: float
    good: float
    """Step titles at this size (points) or more is the aim."""
    least: float
    """Below this (points) a sheet of paper is split (or folded over more sheets)."""
    dpi: int
    """A PNG's resolution: 200 for print, 96 for a screen (its exact pixels)."""
    screen: bool


def sheet(paper: str) -> Sheet:
    """A sheet named on the command line: ``a3``, ``a4``, ``screen`` or a screen's
    pixels ``WxH`` (ValueError for anything else)."""
    if paper in PAPER_PT:
        return Sheet(PAPER_PT[paper], MARGIN_PT, GOOD_PT, MIN_PT, 200, False)
    w, x, h = (SCREEN if paper == "screen" else paper).partition("x")
    if not (x and w.isdigit() and h.isdigit() and 320 <= int(w) <= 16384
            and 240 <= int(h) <= 16384):
        raise ValueError(paper)
    good = SCREEN_GOOD_PX * PX_PT
    return Sheet((int(w) * PX_PT, int(h) * PX_PT), 12 * PX_PT, good, good, 96, True)


def tint(colour: str, amount: float) -> str:
    """``colour`` mixed with white: 0 is white, 1 the colour itself."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 - (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


UNLISTED = "#546e7a"
"""A tag registered without a colour of its own (vocabulary.register_tag: a plugin
should add one to FLAG_COLOURS or DIGITAL_COLOURS; tests/test_catalog.py asks it to)."""


def tag_colour(tag: str) -> str:
    """A tag's colour on every diagram."""
    return FLAG_COLOURS.get(tag) or DIGITAL_COLOURS.get(tag) or UNLISTED


def step_colour(tags: tuple[str, ...]) -> str | None:
    """The colour a step takes from its tags (the first in vocabulary.FLAG_TAGS order)."""
    return next((FLAG_COLOURS[t] for t in vocabulary.FLAG_TAGS if t in tags), None)


def strong_steps(hours: dict[str, float]) -> set[str]:
    """The top fifth of steps by hours at stake (at least one when any has hours)."""
    ranked = sorted((h, k) for k, h in hours.items() if h > 0)
    if not ranked:
        return set()
    count = max(1, math.ceil(len(hours) * STRONG_SHARE))
    return {k for _, k in ranked[-count:]}


def heat(hours: float, top: float) -> str:
    """Five shades of a step's annual hours, relative to the largest step's: shade k
    holds hours from k / 5 to (k + 1) / 5 of ``top`` (heat_ranges)."""
    if top <= 0:
        return HEAT[0]
    return HEAT[min(int(hours / top * len(HEAT)), len(HEAT) - 1)]


def heat_ranges(top: float) -> list[tuple[float, float]]:
    """The hours each heat shade stands for, lightest first."""
    n = len(HEAT)
    return [(top * k / n, top * (k + 1) / n) for k in range(n)]
