"""Benchmark: how long procedures use paper and screens (issue 24). Not a speed figure:
the sheets a drawing takes on A3, how much of each sheet is blank, the size step titles
print at; and the size of step titles, in pixels, on one 1920 × 1080 screen.

For generated procedures of 20, 25, 60 and 300 steps (four lanes, a step a lane in turn,
a 10 % rework branch every ten steps) and for every file of ``processes/``, prints the
sheets, the blank share of each sheet but the last (the part of the printable area
outside the drawing), and the smallest step title in points on paper. Goals: 20 steps on
one sheet at 9 pt or more, 60 on at most two, no sheet but the last more than a quarter
blank. On the screen (``render --fit screen``) each file's titles are compared with the
drawing at its own size scaled to the screen (what a viewer showing the plain SVG does);
goal: 14 px or more for procedures up to 40 steps.
Run: `.venv/bin/python benchmarks/bench_sheets.py`.
"""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
from pathlib import Path

import bprkit
from bprkit.render import drawing, routing, style

ROOT = Path(__file__).resolve().parent.parent
SIZES = (20, 25, 60, 300)
LANES = (("住民", "住民"), ("窓口", "窓口"), ("審査", "内部事務"), ("係長", "決裁"))


def generate(steps: int) -> str:
    body = [f"  lane {name} 「{name}」 : {role}" for name, role in LANES]
    for n in range(steps):
        body.append(f"  step s{n} 「申請の内容 {n} を確認して台帳に入力する」 "
                    f"@{LANES[n % 4][0]} [紙] 3分 wait 1日")
        if n % 10 == 5 and n + 1 < steps:
            body.append(f"  branch 「不備 {n}」 {{\n    10% -> s{n - 3}\n"
                        f"    else -> s{n + 1}\n  }}")
    return "process 生成 「生成した手続」 {\n  volume 1,000 / 年\n" + "\n".join(body) + "\n}\n"


def measure(path: str, process: str | None = None) -> tuple[int, list[float], float]:
    d = drawing.diagram(bprkit.analyze(path, process=process), bprkit.load(path),
                        drawing.Options(paper="a3"))
    return len(d.pages), [p.blank for p in d.pages], d.label_pt


def screen(path: str, process: str | None = None) -> tuple[float, float, str]:
    """(px of the plain drawing scaled to 1920 × 1080, px fitted, how it was fitted)."""
    analysis, bundle = bprkit.analyze(path, process=process), bprkit.load(path)
    page = drawing.diagram(analysis, bundle, drawing.Options()).pages[0]
    w, h = style.sheet("screen").size
    plain = style.STEP_PT * min(w / page.width, h / page.height) / style.PX_PT
    fitted = drawing.diagram(analysis, bundle, drawing.Options(paper="screen"))
    scene = fitted.pages[0].scene
    screens = len(fitted.pages)
    how = (f"{scene.direction}, {len(scene.blocks)} band{'s' if len(scene.blocks) > 1 else ''}"
           f" a screen, {screens} screen{'s' if screens > 1 else ''}")
    return plain, fitted.label_pt / style.PX_PT, how


def row(name: str, sheets: int, blanks: list[float], pt: float) -> str:
    shown = " ".join(f"{b:.0%}" for b in blanks[:8]) + (" …" if len(blanks) > 8 else "")
    worst = max(blanks[:-1], default=0.0)
    return (f"{name:<24} {sheets:>6}  {pt:>5.1f} pt  blank {shown}"
            f"  (worst but the last {worst:.0%})")


def geometry() -> None:
    """Over processes/ and the test corpus in LR, TB and A3: lines crossing one another,
    pairs of parallel segments closer than a track (12 pt), and labels or shares
    struck through by a lane or phase line."""
    from bprkit.render import layout

    files = sorted((ROOT / "processes").glob("*.bpr")) + \
        sorted((ROOT / "tests" / "fixtures" / "corpus").glob("*.bpr"))
    crossings = close = struck = labels = 0
    for options in ({}, {"direction": "TB"}, {"paper": "a3"}):
        for path in files:
            bundle = bprkit.load(str(path))
            for process in bundle.root.processes:
                analysis = bprkit.analyze(bundle, process=process.id, with_findings=False)
                d = drawing.diagram(analysis, bundle, drawing.Options(**options))
                for page in d.pages:
                    segs = [(n, s) for n, pts in enumerate(page.routes.points)
                            for s in routing.segments(pts)]
                    for (n, a), (m, b) in itertools.combinations(segs, 2):
                        if n == m:
                            continue
                        if a[0] == b[0]:
                            over = min(a[3], b[3]) - max(a[2], b[2])
                            close += over > 1 and 0.01 < abs(a[1] - b[1]) < layout.TRACK - 0.01
                            continue
                        h, v = (a, b) if a[0] == "h" else (b, a)
                        crossings += (v[2] + 0.5 < h[1] < v[3] - 0.5
                                      and h[2] + 0.5 < v[1] < h[3] - 0.5)
                    for r in [*page.routes.labels.values(), *page.routes.shares.values()]:
                        labels += 1
                        struck += routing.struck(r, page.geometry)
    print(f"geometry over processes/ and the corpus in LR, TB and A3: {crossings} line "
          f"crossings, {close} pairs of parallel segments closer than {layout.TRACK:g} pt, "
          f"{struck} of {labels} labels struck through by a lane or phase line")


def main() -> None:
    print(f"A3 landscape, {style.MARGIN_PT / 72 * 25.4:.0f} mm margins; step titles "
          f"{style.STEP_PT:g} pt before the sheet's scale")
    print(f"{'procedure':<24} {'sheets':>6}  {'title':>8}")
    worst: dict[int, tuple[int, float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for steps in SIZES:
            path = os.path.join(tmp, f"gen{steps}.bpr")
            Path(path).write_text(generate(steps), encoding="utf-8")
            sheets, blanks, pt = measure(path)
            worst[steps] = (sheets, max(blanks[:-1], default=0.0), pt)
            print(row(f"generated, {steps} steps", sheets, blanks, pt))
    for path in sorted((ROOT / "processes").glob("*.bpr")):
        for p in bprkit.load(str(path)).root.processes:
            print(row(f"{path.stem}", *measure(str(path), p.id)))
    print()
    print("1920 × 1080 screens: step titles in px (the plain drawing scaled to one screen → "
          "--fit screen, which goes on over more screens rather than print under "
          f"{style.SCREEN_GOOD_PX:g} px)")
    small = 0
    total = 0
    with tempfile.TemporaryDirectory() as tmp:
        named: list[tuple[str, str, str | None]] = []
        for steps in (20, 40):
            path = os.path.join(tmp, f"gen{steps}.bpr")
            Path(path).write_text(generate(steps), encoding="utf-8")
            named.append((f"generated, {steps} steps", path, None))
        named += [(p.stem, str(p), q.id) for p in sorted((ROOT / "processes").glob("*.bpr"))
                  for q in bprkit.load(str(p)).root.processes]
        for name, path, process in named:
            plain, fitted, how = screen(path, process)
            total += 1
            small += fitted < style.SCREEN_GOOD_PX
            print(f"{name:<24} {plain:5.1f} px → {fitted:5.1f} px  ({how})")
    print(f"goal: titles ≥ {style.SCREEN_GOOD_PX:g} px on the screen: "
          f"{'met' if not small else 'NOT met'} ({total - small} of {total} drawings)")
    ok20 = worst[20][0] == 1 and worst[20][2] >= style.GOOD_PT
    ok60 = worst[60][0] <= 2
    blank_ok = all(b <= 0.25 for _, b, _ in worst.values())
    print(f"goal: 20 steps on one sheet at ≥ {style.GOOD_PT:g} pt: {'met' if ok20 else 'NOT met'}")
    print(f"goal: 60 steps on at most 2 sheets: {'met' if ok60 else 'NOT met'}")
    print(f"goal: no sheet but the last more than a quarter blank: "
          f"{'met' if blank_ok else 'NOT met'}")
    geometry()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
