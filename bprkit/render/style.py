"""How things look, as data: colours, sizes, paper, and the legend's symbols.

Every tag keeps the same colour on every diagram. Only the steps that carry the
most hours at stake (the top fifth, ``STRONG_SHARE``) are drawn strong: a tinted
box with a thick border in their tag's colour and solid badges; the others get a
thin grey border and pale badges in the same hue, so a wall of red never happens.
"""

from __future__ import annotations

import math

from bprkit import vocabulary

FONT = "BIZ UDPGothic,Noto Sans CJK JP,IPAexGothic,sans-serif"

# One colour per flag tag (vocabulary.FLAG_TAGS, in its order), the same on every
# diagram; the first tag of a step in this order gives the step its colour. Digital tags
# (vocabulary.DIGITAL_TAGS) share DIGITAL_COLOUR.
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
DIGITAL_COLOUR = "#1e8449"
PLAIN_BORDER = "#7f8c8d"
MARKS = {"removed": "#c0392b", "changed": "#e67e22", "added": "#1e8449", "same": "#b3b6b7"}
HEAT = ("#fef9e7", "#fdebd0", "#fad7a0", "#f5b041", "#e67e22")  # light → dark
LANE_FILL = ("#f4f6f9", "#ffffff")
LANE_PEN = "#b0b7c3"
PHASE_FILL = "#eaf2f8"
PHASE_TINT = "#2e86c114"  # every other phase band, over the lanes (alpha 8 %)
EDGE = "#555555"
REWORK = "#c0392b"
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


def tint(colour: str, amount: float) -> str:
    """``colour`` mixed with white: 0 is white, 1 the colour itself."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 - (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


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
    """Five shades of a step's annual hours, relative to the largest step's."""
    if top <= 0:
        return HEAT[0]
    return HEAT[min(int(hours / top * len(HEAT)), len(HEAT) - 1)]
