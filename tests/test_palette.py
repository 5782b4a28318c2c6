"""Colours with one meaning each (issue 24): every tag, compare state, heat shade and the
rework line differ; the compare states stay apart for colour-blind readers and in
greyscale; the heat shades darken in even steps; the heat legend says what each shade
stands for.

Colour difference is CIEDE2000 on CIELAB (D65), written out below from the CIE's
formulas (Sharma, Wu and Dalal 2005); colour blindness is simulated with Machado,
Oliveira and Fernandes (2009) at full severity, on linear RGB.
"""

from __future__ import annotations

import itertools
import math

import pytest

import bprkit
from bprkit import vocabulary
from bprkit.model import STAFF_ROLES
from bprkit.render import scene, style
from bprkit.render.drawing import Options

from .conftest import PROCESSES

CVD = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}


def _linear(colour: str) -> tuple[float, float, float]:
    def one(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (one(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    return r, g, b


def lab(colour: str, cvd: str | None = None) -> tuple[float, float, float]:
    r, g, b = _linear(colour)
    if cvd is not None:
        m = CVD[cvd]
        r, g, b = (min(max(m[i][0] * r + m[i][1] * g + m[i][2] * b, 0.0), 1.0)
                   for i in range(3))
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(c1: str, c2: str, cvd: str | None = None) -> float:
    """CIEDE2000 between two colours (as a reader with ``cvd`` sees them)."""
    (l1, a1, b1), (l2, a2, b2) = lab(c1, cvd), lab(c2, cvd)
    cbar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(cbar ** 7 / (cbar ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p, h2p = (math.degrees(math.atan2(b1, a1p)) % 360, math.degrees(math.atan2(b2, a2p)) % 360)
    dl, dc = l2 - l1, c2p - c1p
    dh = 0.0 if c1p * c2p == 0 else h2p - h1p
    dh -= 360 if dh > 180 else -360 if dh < -180 else 0
    dhh = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    lbar, cbarp = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hbar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hbar = (h1p + h2p) / 2
    else:
        hbar = (h1p + h2p + (360 if h1p + h2p < 360 else -360)) / 2
    cos = [math.cos(math.radians(k * hbar + shift))
           for k, shift in ((1, -30), (2, 0), (3, 6), (4, -63))]
    t = 1 - 0.17 * cos[0] + 0.24 * cos[1] + 0.32 * cos[2] - 0.20 * cos[3]
    rc = 2 * math.sqrt(cbarp ** 7 / (cbarp ** 7 + 25 ** 7))
    sl = 1 + 0.015 * (lbar - 50) ** 2 / math.sqrt(20 + (lbar - 50) ** 2)
    sc, sh = 1 + 0.045 * cbarp, 1 + 0.015 * cbarp * t
    rt = -math.sin(math.radians(2 * 30 * math.exp(-(((hbar - 275) / 25) ** 2)))) * rc
    return math.sqrt((dl / sl) ** 2 + (dc / sc) ** 2 + (dhh / sh) ** 2
                     + rt * (dc / sc) * (dhh / sh))


def test_delta_e_matches_the_published_test_data() -> None:
    """Two pairs of Sharma, Wu and Dalal's table, through sRGB: grey steps and a hue
    pair; and the known values of pure colours."""
    assert delta_e("#000000", "#ffffff") == pytest.approx(100.0, abs=0.01)
    assert delta_e("#ff0000", "#00ff00") == pytest.approx(86.6, abs=0.2)
    assert delta_e("#808080", "#808080") == 0.0


def meanings() -> dict[str, str]:
    """Every colour that means something on a diagram, by what it means."""
    return {**{f"tag {t}": c for t, c in style.FLAG_COLOURS.items()},
            **{f"tag {t}": c for t, c in style.DIGITAL_COLOURS.items()},
            **{f"compare {k}": c for k, c in style.MARKS.items() if k != "merged"},
            "lever": style.LEVER,
            **{f"heat {n}": c for n, c in enumerate(style.HEAT)},
            "rework": style.REWORK}


def test_every_tag_has_a_colour_of_its_own() -> None:
    assert set(style.FLAG_COLOURS) == set(vocabulary.FLAG_TAGS)
    assert set(style.DIGITAL_COLOURS) == set(vocabulary.DIGITAL_TAGS)


def test_no_colour_means_two_things() -> None:
    colours = meanings()
    close = [(round(delta_e(a, b), 1), x, y) for (x, a), (y, b)
             in itertools.combinations(colours.items(), 2) if delta_e(a, b) < 8.0]
    assert close == []


@pytest.mark.parametrize("cvd", sorted(CVD))
def test_compare_states_stay_apart_for_colour_blind_readers(cvd: str) -> None:
    states = {k: c for k, c in style.MARKS.items() if k != "merged"}  # removed's own
    close = [(x, y, round(delta_e(a, b, cvd), 1)) for (x, a), (y, b)
             in itertools.combinations(states.items(), 2) if delta_e(a, b, cvd) < 12.0]
    assert close == []


def test_compare_states_and_heat_read_in_greyscale() -> None:
    """Greyscale print keeps lightness only: compare states 14 L* apart, heat shades
    darkening in steps of 8 L* or more, a step's text readable on the darkest (WCAG:
    4.5 for its title, 3 for its small grey lines)."""
    marks = sorted({lab(c)[0] for c in style.MARKS.values()})
    assert all(b - a >= 14 for a, b in itertools.pairwise(marks))
    heat = [lab(c)[0] for c in style.HEAT]
    assert all(a - b >= 8 for a, b in itertools.pairwise(heat))

    def luminance(colour: str) -> float:
        r, g, b = _linear(colour)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    darkest = luminance(style.HEAT[-1])
    assert (darkest + 0.05) / (luminance("#000000") + 0.05) >= 4.5  # a step's title
    assert (darkest + 0.05) / (luminance("#444444") + 0.05) >= 3.0  # its small lines


def test_the_heat_legend_says_whose_hours_and_how_many() -> None:
    path = PROCESSES / "kaigo_nintei.bpr"
    s = scene.diagram(bprkit.analyze(str(path)), bprkit.load(str(path)), Options(heat="staff"))
    heat = [item for item in s.legend if item.symbol == "heat"]
    assert [item.colour for item in heat] == list(style.HEAT)
    top = max(st.annual_hours or 0.0 for st in bprkit.analyze(str(path)).steps
              if st.kind in STAFF_ROLES)
    assert heat[0].text == f"職員の年間時間 0〜{top / 5:,.0f}"
    assert heat[-1].text == f"{top * 4 / 5:,.0f}〜{top:,.0f} 時間"
