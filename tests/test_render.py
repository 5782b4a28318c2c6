"""Diagrams with the real Graphviz: golden DOT, safe labels, every file, the CLI."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import bprkit
from bprkit.model import STAFF_ROLES
from bprkit.render import drawing as render
from bprkit.render import scene as scenes

from .clirunner import run_cli
from .conftest import CORPUS, FIXTURES, PROCESSES, needs_dot

RENDER = FIXTURES / "render"
SVG = "{http://www.w3.org/2000/svg}"
A3 = (1190.55, 841.89)


def _diagram(path: Path, process: str | None = None, **options: object) -> render.Drawing:
    analysis = bprkit.analyze(str(path), process=process)
    return render.diagram(analysis, bprkit.load(str(path)), render.Options(**options))


def _texts(svg: str) -> str:
    return "".join(t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text"))


def test_golden_dot_is_deterministic() -> None:
    source = _diagram(RENDER / "small.bpr", "小さな手続").source
    assert source == _diagram(RENDER / "small.bpr", "小さな手続").source
    golden = RENDER / "small.dot"
    if os.environ.get("BPRKIT_UPDATE_GOLDEN"):
        golden.write_text(source, encoding="utf-8")
    assert source == golden.read_text(encoding="utf-8")


def test_graphviz_only_draws() -> None:
    """Every node is pinned and every edge carries its route: neato -n2 routes nothing."""
    source = _diagram(PROCESSES / "kaigo_nintei.bpr").source
    edges = re.findall(r"^\s*\S+ -> \S+ \[(.*?)\]$", source, re.M | re.S)
    assert edges and all('pos="' in e for e in edges)
    nodes = re.findall(r"^\s*\"?[^\s\"]+\"? \[(.*?)\]$", source, re.M | re.S)
    assert all("!" in n for n in nodes if "pos=" in n)


def test_diagram_holds_every_element() -> None:
    source = _diagram(RENDER / "small.bpr", "小さな手続").source
    for expected in ("申請者", "（住民）", "窓口（窓口）", "shape=diamond", "10%", "90%",
                     "待ち", "10分", "3〜5分", "▶ sub ×2", "shape=note", "shape=cylinder",
                     "shape=doublecircle", "style=dashed", "#8c6d46",
                     "毎回同じ", "RPA の候補", "凡例", "年 1,200 件"):
        assert expected in source, expected
    assert source.count('fillcolor="#333333"') >= 3  # fork, join and the end event


def test_expand_puts_the_called_lanes_after_the_lane_that_hands_over() -> None:
    """国保加入 calls 課長決裁 from 国保税係: its three lanes stand right after that lane,
    not below 文書庫 (issue 24, item 7)."""
    from bprkit.analysis.records import analyze_process

    bundle = bprkit.load(str(PROCESSES / "kokuho_kanyu.bpr"))
    analysis = analyze_process(bundle.root.processes[0], bundle)
    scene = scenes.diagram(analysis, bundle, render.Options(expand=True))
    keys = [lane.key for lane in scene.blocks[0].lanes]
    called = [n for n, k in enumerate(keys) if k.startswith("課長決裁.")]
    assert len(called) == 3 and called == list(range(called[0], called[0] + 3))
    assert keys[called[0] - 1] == "賦課" and keys[-1] == "書庫", keys


def test_expand_inlines_the_called_process() -> None:
    collapsed = _diagram(RENDER / "small.bpr", "小さな手続").source
    expanded = _diagram(RENDER / "small.bpr", "小さな手続", expand=True).source
    assert "sub: 係長" not in collapsed and "▶ sub" in collapsed
    assert "sub: 係長" in expanded and "s_sub.決裁" in expanded and "▶ sub" not in expanded
    assert "×2" in expanded  # the loop back for use × 2


def test_legend_lists_only_what_is_used() -> None:
    source = _diagram(CORPUS / "tennyu.bpr").source
    legend = source[source.index("凡例"):]
    assert "転記" in legend and "押印" in legend
    assert "FAX" not in legend and "郵送" not in legend and "手戻り" not in legend
    assert "--expand" not in source  # no CLI options in a workshop legend


def test_colour_picks_out_the_top_fifth() -> None:
    """Only the steps with the most hours are strong; the rest are plain."""
    analysis = bprkit.analyze(str(PROCESSES / "tenshutsu.bpr"))
    s = scenes.diagram(analysis, analysis.bundle, render.Options())
    steps = [n for n in s.blocks[0].nodes.values() if n.kind == "step"]
    strong = [n for n in steps if n.pen > 2]
    assert 1 <= len(strong) <= max(1, -(-len(steps) // 5))
    # by staff hours: the resident's own writing is never emphasised on the staff scale
    hours = {f"s_{x.id}": (x.annual_hours or 0) if x.kind in STAFF_ROLES else 0.0
             for x in analysis.steps}
    weakest_strong = min(hours[n.key] for n in strong)
    assert weakest_strong > 0
    assert all(hours[n.key] <= weakest_strong for n in steps if n not in strong)
    assert "s_記入" not in {n.key for n in strong}  # 691 resident hours, 0 staff
    assert any("職員の年間時間が上位 1/5" in item.text for item in s.legend)


@needs_dot
def test_labels_render_literally_and_safely(tmp_path: Path) -> None:
    nasty = 'a\\"b\\\\c<d>{e}&f\\n<script>alert(1)</script>'  # as written in the file
    path = tmp_path / "nasty.bpr"
    path.write_text(f'process p "{nasty}" {{\n  lane l "{nasty}" : counter\n'
                    f'  step s "{nasty}" @l 1min {{ note "{nasty}" }}\n}}\n', encoding="utf-8")
    label = bprkit.load(str(path)).root.processes[0].lanes[0].label
    assert label == 'a"b\\c<d>{e}&f\n<script>alert(1)</script>'
    svg = _diagram(path).svg()
    root = ET.fromstring(svg)  # well-formed XML: nothing from the input became markup
    assert not list(root.iter(f"{SVG}script"))
    assert "<script" not in svg
    texts = _texts(svg)
    assert "alert(1)" in texts and "<script>" in texts
    assert "{e}&f" in texts


@needs_dot
@pytest.mark.parametrize("path", sorted([*PROCESSES.rglob("*.bpr"), *CORPUS.rglob("*.bpr")]),
                         ids=lambda p: p.name)
def test_every_file_renders_to_png_and_svg(tmp_path: Path, path: Path) -> None:
    bundle = bprkit.load(str(path))
    for process in bundle.root.processes:
        drawing = render.diagram(bprkit.analyze(str(path), process=process.id), bundle)
        out = tmp_path / f"{process.id}.png"
        assert render.write(drawing, "png", str(out)) == [str(out)]
        assert out.read_bytes().startswith(b"\x89PNG")
        texts = _texts(drawing.svg()).replace(" ", "")
        for step in process.steps():  # every step's words are drawn (wrapped, maybe)
            assert step.title.replace(" ", "").replace("\n", "")[:4] in texts


@needs_dot
def test_heat_colours_steps_by_hours() -> None:
    from bprkit.render import style

    source = _diagram(CORPUS / "juminhyo.bpr", heat=True).source
    assert style.HEAT[-1] in source and "年間時間" in source


@needs_dot
def test_cli_render_formats_and_atomic_output(tmp_path: Path) -> None:
    for fmt in ("svg", "png", "pdf", "dot"):
        out = tmp_path / f"x.{fmt}"
        r = run_cli("render", str(PROCESSES / "tenshutsu.bpr"), "-o", str(out), "--lang", "en")
        assert r.returncode == 0, r.stderr
        assert f"wrote {out}" in r.stdout
        assert out.stat().st_size > 500
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.dot", "x.pdf", "x.png", "x.svg"]


@pytest.mark.parametrize("name", ["plan.jpg", "plan.xlsx", "plan"])
def test_cli_refuses_unknown_or_mismatched_extensions(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    args = ["--format", "svg"] if name == "plan" else []
    r = run_cli("render", str(PROCESSES / "tenshutsu.bpr"), "-o", str(out), *args)
    if name == "plan":  # no extension: --format decides
        assert r.returncode == 0 and out.read_text(encoding="utf-8").lstrip().startswith("<?xml")
        return
    assert r.returncode == 2 and "svg, png, pdf, dot" in r.stderr
    assert not out.exists()
    r = run_cli("render", str(PROCESSES / "tenshutsu.bpr"), "-o", str(tmp_path / "a.png"),
                "--format", "svg")
    assert r.returncode == 2 and not (tmp_path / "a.png").exists()


def _mediabox(data: bytes) -> list[tuple[float, float]]:
    import io

    from pypdf import PdfReader

    return [(float(p.mediabox.width), float(p.mediabox.height))
            for p in PdfReader(io.BytesIO(data)).pages]


@needs_dot
@pytest.mark.parametrize("paper", ["a3", "a4"])
def test_cli_paper_is_exactly_the_sheet(tmp_path: Path, paper: str) -> None:
    out = tmp_path / f"{paper}.pdf"
    r = run_cli("render", str(PROCESSES / "kaigo_nintei.bpr"), "--paper", paper, "-o", str(out))
    assert r.returncode == 0, r.stderr
    want = render.style.PAPER_PT[paper]
    for width, height in _mediabox(out.read_bytes()):
        assert abs(width - want[0]) <= 1 and abs(height - want[1]) <= 1
    svg = tmp_path / f"{paper}.svg"
    r = run_cli("render", str(PROCESSES / "kaigo_nintei.bpr"), "--paper", paper, "-o", str(svg),
                "--direction", "TB")
    root = ET.fromstring(svg.read_text(encoding="utf-8"))
    assert abs(float(root.get("width").rstrip("pt")) - want[0]) <= 1
    assert abs(float(root.get("height").rstrip("pt")) - want[1]) <= 1


@pytest.mark.parametrize("path", sorted([*PROCESSES.glob("*.bpr"), *CORPUS.glob("*.bpr")]),
                         ids=lambda p: p.name)
def test_up_to_20_steps_print_on_a3_at_9pt(path: Path) -> None:
    """Step labels on A3 at 9 pt or more: the step title's font size times the
    page's scale, read from the DOT that Graphviz prints (size! fits the sheet)."""
    bundle = bprkit.load(str(path))
    for process in bundle.root.processes:
        if len(list(process.steps())) > 20:
            continue
        drawing = _diagram(path, process.id, paper="a3")
        assert len(drawing.pages) == 1
        assert _printed_step_pt(drawing.source) >= 9.0, process.id


def _printed_step_pt(source: str) -> float:
    """A step title's size on paper, from the DOT: the step nodes' font size times
    the scale Graphviz applies to fit the drawing (corner1 at its far corner) into
    ``size``, checked to be the A3 sheet."""
    size = re.search(r'size="([\d.]+),([\d.]+)!"', source)
    assert size and abs(float(size.group(1)) * 72 - A3[0]) < 1
    assert abs(float(size.group(2)) * 72 - A3[1]) < 1
    corner = re.search(r'corner1 \[.*?pos="([\d.]+),([\d.]+)!"', source, re.S)
    scale = min(A3[0] / float(corner.group(1)), A3[1] / float(corner.group(2)))
    fonts = [float(m) for m in re.findall(r'fontsize=([\d.]+)[^\n]*label=<<TABLE', source)]
    fonts += [float(m) for m in re.findall(r'label=<<TABLE[^\n]*fontsize=([\d.]+)', source)]
    return min(fonts) * scale


def _generated(steps: int) -> str:
    lanes = ["住民", "窓口", "審査", "係長"]
    body = [f'  lane {name} 「{name}」 : {role}' for name, role in
            zip(lanes, ["住民", "窓口", "内部事務", "決裁"], strict=True)]
    for n in range(steps):
        body.append(f"  step s{n} 「手順 {n} を処理する」 @{lanes[n % 4]} [紙] 3分 wait 1日")
        if n % 10 == 5:
            body.append(f"  branch 「確認 {n}」 {{\n    10% -> s{n - 3}\n"
                        f"    else -> s{n + 1}\n  }}")
    return "process 大量 「生成した手続」 {\n  volume 1,000 / 年\n" + "\n".join(body) + "\n}\n"


@needs_dot
def test_a_long_procedure_is_split_over_pages(tmp_path: Path) -> None:
    path = tmp_path / "long.bpr"
    path.write_text(_generated(120), encoding="utf-8")
    drawing = _diagram(path, paper="a3")
    assert len(drawing.pages) > 1
    assert drawing.label_pt >= render.style.MIN_PT
    svg = _texts(drawing.svg())
    assert "続く →" in svg and f"1 / {len(drawing.pages)} ページ" in svg
    out = tmp_path / "long.pdf"
    assert render.write(drawing, "pdf", str(out)) == [str(out)]
    boxes = _mediabox(out.read_bytes())
    assert len(boxes) == len(drawing.pages)
    assert all(abs(w - A3[0]) <= 1 and abs(h - A3[1]) <= 1 for w, h in boxes)
    r = run_cli("render", str(path), "--paper", "a3", "-o", str(tmp_path / "long.svg"),
                "--lang", "ja")
    assert r.returncode == 0
    written = {p.name for p in tmp_path.glob("long-*.svg")}
    assert written == {f"long-{n}.svg" for n in range(1, len(drawing.pages) + 1)}


def _folding(steps: int, back: tuple[int, int] | None = None) -> str:
    """Four lanes, a step a lane in turn with a 20-character title and a wait, and a
    10 % rework three steps back every ten steps (as benchmarks/bench_sheets.py);
    ``back``: one more, from the step after ``back[0]`` to ``back[1]``."""
    lanes = [("住民", "住民"), ("窓口", "窓口"), ("審査", "内部事務"), ("係長", "決裁")]
    body = [f"  lane {name} 「{name}」 : {role}" for name, role in lanes]
    for n in range(steps):
        body.append(f"  step s{n} 「申請の内容 {n} を確認して台帳に入力する」 "
                    f"@{lanes[n % 4][0]} [紙] 3分 wait 1日")
        target = back[1] if back is not None and n == back[0] else (
            n - 3 if n % 10 == 5 and n + 1 < steps else None)
        if target is not None:
            body.append(f"  branch 「不備 {n}」 {{\n    10% -> s{target}\n"
                        f"    else -> s{n + 1}\n  }}")
    return "process 折り 「折り返す手続」 {\n  volume 1,000 / 年\n" + "\n".join(body) + "\n}\n"


@needs_dot
def test_twenty_steps_fold_onto_one_a3_sheet_at_9pt(tmp_path: Path) -> None:
    """Issue 24: a one-row strip of 20 steps printed at 7.5 pt; folded into two bands,
    each with every lane, it prints at 9 pt on one sheet."""
    path = tmp_path / "fold20.bpr"
    path.write_text(_folding(20), encoding="utf-8")
    drawing = _diagram(path, paper="a3")
    assert len(drawing.pages) == 1
    assert _printed_step_pt(drawing.source) >= 9.0
    page = drawing.pages[0]
    assert len(page.scene.blocks) == 2
    lanes = [[lane.key for lane in block.lanes] for block in page.scene.blocks]
    assert lanes[0] == lanes[1] == ["住民", "窓口", "審査", "係長"]
    texts = _texts(drawing.svg())
    assert "2 段目へ →" in texts and "1 段目から" in texts
    steps = [k for block in page.scene.blocks for k, n in block.nodes.items()
             if n.kind == "step"]
    assert sorted(steps) == sorted({k for k in steps}) and len(steps) == 20


@needs_dot
def test_sixty_steps_take_two_sheets_none_a_quarter_blank(tmp_path: Path) -> None:
    path = tmp_path / "fold60.bpr"
    path.write_text(_folding(60), encoding="utf-8")
    drawing = _diagram(path, paper="a3")
    assert len(drawing.pages) <= 2
    assert drawing.label_pt >= render.style.MIN_PT
    assert all(p.blank <= 0.25 for p in drawing.pages[:-1])
    texts = _texts(drawing.svg())
    assert f"1 / {len(drawing.pages)} ページ" in texts or len(drawing.pages) == 1


@needs_dot
def test_rework_across_bands_stays_dashed_and_says_where_it_returns(tmp_path: Path) -> None:
    path = tmp_path / "back.bpr"
    path.write_text(_folding(20, back=(17, 2)), encoding="utf-8")
    drawing = _diagram(path, paper="a3")
    blocks = [b for p in drawing.pages for b in p.scene.blocks]
    assert len(blocks) >= 2
    back = [(b, e) for b in blocks for e in b.edges
            if e.kind == "rework" and b.nodes[e.dst].kind == "continue"]
    assert back, "the rework to an earlier band ends at a marker"
    for block, edge in back:
        title = block.nodes[edge.dst].title
        assert title == "戻る → 1 段目「申請の内容 2 を確認して台帳に入力する」"
    assert "stroke-dasharray" in drawing.svg()


def test_pages_put_each_wait_beside_its_step_and_rework_names_the_page() -> None:
    """risai_shomei on screens (top to bottom, two pages): the waits of the three edges
    into the next page stood stacked at one shared 「続く」 marker, 78 pt from their
    own edge; they go with the edge where it comes in, beside its step. The rework to
    page 1 says page, not row."""
    drawing = _diagram(PROCESSES / "risai_shomei.bpr", paper="screen")
    assert len(drawing.pages) == 2
    out = [e for b in drawing.pages[0].scene.blocks for e in b.edges
           if b.nodes[e.dst].kind == "continue" and e.kind != "rework"]
    into = [e for b in drawing.pages[1].scene.blocks for e in b.edges
            if b.nodes[e.src].kind == "continue"]
    assert out and all(e.label == "" for e in out)
    assert sum("待ち" in e.label for e in into) == 3
    returns = [b.nodes[e.dst].title for p in drawing.pages for b in p.scene.blocks
               for e in b.edges if e.kind == "rework" and b.nodes[e.dst].kind == "continue"]
    assert returns and all(t.startswith("戻る → 1 ページ「") for t in returns)


@needs_dot
def test_cli_compare_marks_changes(tmp_path: Path) -> None:
    out = tmp_path / "cmp.svg"
    r = run_cli("render", str(CORPUS / "juminhyo.bpr"), "--compare",
                str(CORPUS / "juminhyo_tobe.bpr"), "-o", str(out), "--lang", "ja")
    assert r.returncode == 0, r.stderr
    texts = _texts(out.read_text(encoding="utf-8"))
    assert re.search(r"現状 \|\s*申請者", texts) and re.search(r"見直し後 \|\s*申請者", texts)
    for mark in ("削除", "変更", "追加"):
        assert mark in texts
    assert "現状 → 見直し後" in texts and texts.count("見直し後") >= 2
    assert re.search(r"職員 年 [\d,]+ → [\d,]+ 時間", texts)  # As-Is → To-Be totals
    assert re.search(r"\d分 → [\d.〜]+分", texts)  # a changed step's minutes before → after


def test_compare_aligns_matched_steps_and_greys_the_unchanged() -> None:
    from bprkit.analysis.records import analyze_process

    a = bprkit.load(str(PROCESSES / "tenshutsu.bpr"))
    b = bprkit.load(str(PROCESSES / "tenshutsu_tobe.bpr"))
    s = scenes.comparison(analyze_process(a.root.processes[0], a),
                          analyze_process(b.root.processes[0], b), a, b, render.Options())
    page = render.pages(s, None).pages[0]
    for tobe, asis in s.blocks[1].match.items():
        assert page.grid.column[tobe] == page.grid.column[asis], (tobe, asis)
    marks = {n.key: n for n in s.blocks[0].nodes.values() if n.kind == "step"}
    assert any(n.border == render.style.MARKS["same"] for n in marks.values()) or \
        all(n.badges and n.badges[0].text in ("削除", "統合", "変更") for n in marks.values())
    # issue 24: steps folded into a To-Be step that stands first for another are struck
    # through and say where they went; a changed As-Is step shows its minutes → after
    merged = {k: n for k, n in marks.items() if n.badges[0].text == "統合"}
    assert set(merged) == {"a_s_書き直し", "a_s_保管"}
    assert all(n.strike and n.dashed for n in merged.values())
    assert merged["a_s_保管"].detail == "→「異動を記録し電子保存」に統合"
    assert marks["a_s_交付"].detail == "2〜3分 → 0分"
    changed = [n for n in s.blocks[1].nodes.values() if n.detail and "→" in n.detail]
    assert changed  # minutes before → after on changed steps
    # and a dotted line from each merged step to the step it went into
    lines = {(e.src, e.dst) for e in s.blocks[1].edges if e.kind == "merge"}
    assert lines == {("a_s_書き直し", "b_s_確認"), ("a_s_保管", "b_s_記録")}
    n = [e for b in s.blocks for e in b.edges].index(
        next(e for e in s.blocks[1].edges if e.kind == "merge"))
    assert len(page.routes.points[n]) >= 2
    source = render.Drawing([page]).source
    assert "style=dotted" in source and "arrowhead=empty" in source


def test_cli_render_errors(tmp_path: Path) -> None:
    r = run_cli("render", str(PROCESSES / "tenshutsu.bpr"), "--process", "nope")
    assert r.returncode == 2 and "転出届" in r.stderr
    src = tmp_path / "a.bpr"
    src.write_text((PROCESSES / "tenshutsu.bpr").read_text(encoding="utf-8"), encoding="utf-8")
    r = run_cli("render", str(src), "-o", str(src.with_suffix(".bpr")), "--format", "svg")
    assert r.returncode == 2
    assert src.read_text(encoding="utf-8").startswith("# 転出届")


def test_missing_graphviz_names_make_setup(tmp_path: Path) -> None:
    out = tmp_path / "x.svg"
    r = run_cli("render", str(PROCESSES / "tenshutsu.bpr"), "-o", str(out),
                env={"PATH": str(tmp_path)})
    assert r.returncode == 1
    assert "make setup" in r.stderr and "Traceback" not in r.stderr
    assert list(tmp_path.iterdir()) == []  # nothing half-written


@needs_dot
def test_c_locale_follows_the_labels(tmp_path: Path) -> None:
    out = tmp_path / "x.svg"
    r = run_cli("render", str(PROCESSES / "tenshutsu.bpr"), "-o", str(out),
                env={"LANG": "C", "LC_ALL": "", "LC_MESSAGES": ""})
    assert r.returncode == 0, r.stderr
    texts = _texts(out.read_text(encoding="utf-8"))
    assert "凡例" in texts and "Legend" not in texts
    english = tmp_path / "en.bpr"
    english.write_text('process p "Permit" {\n  volume 10 / year\n  lane c "Clerk" : counter\n'
                       '  step a "Receive the form" @c [paper] 3min\n}\n', encoding="utf-8")
    r = run_cli("render", str(english), "-o", str(out), env={"LANG": "C"})
    assert r.returncode == 0, r.stderr
    assert "Legend" in _texts(out.read_text(encoding="utf-8"))


@needs_dot
def test_jupyter_displays_svg() -> None:
    from bprkit import notebook

    analysis = bprkit.analyze(str(PROCESSES / "tenshutsu.bpr"))
    assert notebook.svg(analysis).lstrip().startswith("<?xml")
    assert "<svg" in notebook.svg(analysis.process)
    assert bprkit.diagram(str(PROCESSES / "tenshutsu.bpr"))._repr_svg_().lstrip() \
        .startswith("<?xml")


@needs_dot
def test_top_to_bottom_puts_lanes_in_columns() -> None:
    drawing = _diagram(CORPUS / "kyufukin.bpr", direction="TB")
    root = ET.fromstring(drawing.svg())
    xs = {}
    for g in root.iter(f"{SVG}g"):
        title = g.find(f"{SVG}title")
        if title is not None and title.text in ("s_記入", "s_開封", "s_保管"):
            xs[title.text] = float(g.find(f"{SVG}path").get("d").split()[0][1:].split(",")[0])
    assert xs["s_記入"] < xs["s_開封"] < xs["s_保管"]  # 世帯主 | 事務 | … | 書庫, left to right


def test_compare_marks_follow_replaces() -> None:
    """render --compare matches steps as compare does (bprkit.estimate.diff): a To-Be step
    that replaces As-Is steps is changed, not added, and they are not removed."""
    from bprkit.analysis.records import analyze_process

    asis_bundle = bprkit.load(str(PROCESSES / "tenshutsu.bpr"))
    tobe_bundle = bprkit.load(str(PROCESSES / "tenshutsu_tobe.bpr"))
    a_marks, b_marks, _ = scenes.compare_marks(
        analyze_process(asis_bundle.root.processes[0], asis_bundle),
        analyze_process(tobe_bundle.root.processes[0], tobe_bundle))
    assert "added" not in b_marks.values()
    assert "removed" not in a_marks.values()
    assert b_marks["聞き取り"] == "changed"


def test_compare_a_file_with_itself(tmp_path: Path) -> None:
    """Both paths naming one file: checked once, drawn as As-Is over itself (it was an
    IndexError)."""
    src = str(PROCESSES / "inu_toroku.bpr")
    r = run_cli("render", src, "--compare", src, "-o", str(tmp_path / "c.svg"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "c.svg").read_text(encoding="utf-8").count("<svg") == 1


def test_computed_durations_are_drawn_to_two_figures() -> None:
    from bprkit.render.scene import _figure

    assert [_figure(v) for v in (5.99, 1.788, 0.269, 9.322)] == ["6", "1.8", "0.27", "9.3"]
    assert [_figure(v) for v in (5, 2.5, 0.25, 120, 1_500)] == ["5", "2.5", "0.25", "120",
                                                                  "1500"]


def test_a_use_box_stands_in_the_lane_of_the_called_first_step() -> None:
    """kaigo_nintei's 課長決裁 came after the external 審査会 and was drawn in its lane;
    the decision's first step is the drafter's (内部事務): the 認定係 lane."""
    bundle = bprkit.load(str(PROCESSES / "kaigo_nintei.bpr"))
    s = scenes.diagram(bprkit.analyze(str(PROCESSES / "kaigo_nintei.bpr")), bundle,
                       render.Options())
    uses = [n for b in s.blocks for n in b.nodes.values() if n.kind == "use"]
    assert [n.lane for n in uses] == ["認定"]


def test_a_use_without_a_lane_of_its_role_gets_its_own(tmp_path: Path) -> None:
    path = tmp_path / "own.bpr"
    path.write_text("process sub 「照会」 {\n  lane 係 「税務係」 : 内部事務\n  step a @係 3分\n}\n"
                    "process p 「手続」 {\n  lane 窓口 「窓口」 : 窓口\n  step s @窓口 3分\n"
                    "  use sub x 0.02\n  step t @窓口 3分\n}\n", encoding="utf-8")
    s = scenes.diagram(bprkit.analyze(str(path), process="p"), bprkit.load(str(path)),
                       render.Options())
    (use,) = [n for b in s.blocks for n in b.nodes.values() if n.kind == "use"]
    assert use.lane == "sub.係"
    assert [lane.title for lane in s.blocks[0].lanes] == ["窓口（窓口）", "税務係（内部事務）"]
    assert use.title == "▶ sub 2% の案件"


def test_a_merge_writes_its_wait_once(tmp_path: Path) -> None:
    """Both edges of a merge carried 「待ち 1週」: the wait is the step's, written once."""
    path = tmp_path / "merge.bpr"
    path.write_text("process p 「手続」 {\n  lane 係 「係」 : 内部事務\n  step a @係 3分\n"
                    "  branch 「要件」 {\n    30% -> b\n    else -> c\n  }\n"
                    "  step b @係 3分 -> d\n  step c @係 3分\n  step d @係 3分 wait 1週\n}\n",
                    encoding="utf-8")
    s = scenes.diagram(bprkit.analyze(str(path)), bprkit.load(str(path)), render.Options())
    into_d = [e for e in s.blocks[0].edges if e.dst.endswith("s_d")]
    assert len(into_d) == 2
    assert sum("待ち 1週" in e.label for e in into_d) == 1


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@needs_dot
@pytest.mark.parametrize(("fit", "size"), [("screen", (1920, 1080)), ("1280x720", (1280, 720)),
                                          ("1366x768", (1366, 768))])
def test_fit_writes_a_screen_to_the_pixel(tmp_path: Path, fit: str, size: tuple[int, int]) -> None:
    out = tmp_path / "s.png"
    r = run_cli("render", str(PROCESSES / "kaigo_nintei.bpr"), "--fit", fit, "-o", str(out))
    assert r.returncode == 0, r.stderr
    written = [out] if out.exists() else sorted(tmp_path.glob("s-*.png"))  # 14 px: more screens
    assert written and all(_png_size(w.read_bytes()) == size for w in written)


@needs_dot
def test_fit_refuses_what_is_not_a_screen(tmp_path: Path) -> None:
    out = tmp_path / "s.png"
    r = run_cli("render", str(PROCESSES / "kaigo_nintei.bpr"), "--fit", "12x34", "-o", str(out),
                "--lang", "en")
    assert r.returncode == 2 and "not a screen size" in r.stderr and "1920x1080" in r.stderr
    assert "Traceback" not in r.stderr and not out.exists()
    r = run_cli("render", str(PROCESSES / "kaigo_nintei.bpr"), "--fit", "screen", "--paper",
                "a3", "-o", str(out))
    assert r.returncode == 2 and not out.exists()


def _plain_px(drawing: render.Drawing) -> float:
    """Step titles of a drawing drawn at its own size, scaled to 1920 × 1080, in px."""
    page = drawing.pages[0]
    return render.style.STEP_PT * min(1440 / page.width, 810 / page.height) / 0.75


def test_a_screen_fit_folds_a_long_strip_and_never_shrinks_titles(tmp_path: Path) -> None:
    path = tmp_path / "s20.bpr"
    path.write_text(_folding(20), encoding="utf-8")
    fitted = _diagram(path, paper="screen")
    assert len(fitted.pages) == 1 and len(fitted.pages[0].scene.blocks) == 2
    assert fitted.label_pt / 0.75 >= 14.0 > _plain_px(_diagram(path))  # 9.6 px unfolded
    for p in sorted(PROCESSES.glob("*.bpr")):
        fitted, plain = _diagram(p, paper="screen"), _diagram(p)
        assert fitted.label_pt / 0.75 >= max(14.0, _plain_px(plain) - 0.05), p.name
        # one screen whenever the plain drawing reads at 14 px; hoikusho and risai (seven
        # lanes, 13.5 and 13.2 px) take two
        assert len(fitted.pages) == (1 if _plain_px(plain) >= 14.0 else 2), p.name


@needs_dot
def test_a_screen_too_small_for_a_long_strip_goes_on_over_more_screens(tmp_path: Path) -> None:
    """40 steps do not fit one 1920 × 1080 screen at 14 px (4.6 px scaled, 9 px folded):
    the fit goes on over screens of the same size, each at 14 px or more, as slides."""
    path = tmp_path / "s40.bpr"
    path.write_text(_folding(40), encoding="utf-8")
    fitted = _diagram(path, paper="screen")
    assert len(fitted.pages) >= 2
    assert all(render.style.STEP_PT * p.scale / 0.75 >= 14.0 for p in fitted.pages)
    assert _plain_px(_diagram(path)) < 14.0 * 0.5
    out = tmp_path / "s.png"
    r = run_cli("render", str(path), "--fit", "screen", "-o", str(out))
    assert r.returncode == 0, r.stderr
    written = sorted(tmp_path.glob("s-*.png"))
    assert len(written) == len(fitted.pages) and not out.exists()
    assert all(_png_size(w.read_bytes()) == (1920, 1080) for w in written)


def test_compare_marks_use_boxes_by_the_steps_they_call() -> None:
    """課長決裁 redesigned with 電子決裁: both use boxes are marked changed, the To-Be one
    with the lever's badge; a file compared with itself marks the box unchanged."""
    d = bprkit.diagram(str(PROCESSES / "kokuho_kanyu.bpr"), redesigned=True)
    asis, tobe = d.pages[0].scene.blocks
    for block, levers in ((asis, set()), (tobe, {"電子決裁"})):
        uses = [n for n in block.nodes.values() if n.kind == "use"]
        assert uses and all(n.border == render.style.MARKS["changed"] for n in uses)
        texts = {b.text for n in uses for b in n.badges}
        assert "変更" in texts and levers <= texts and texts - {"変更"} == levers
    path = str(PROCESSES / "kokuho_kanyu.bpr")
    same = bprkit.diagram(path, compare=path)
    for block in same.pages[0].scene.blocks:
        assert all(n.border == render.style.MARKS["same"]
                   for n in block.nodes.values() if n.kind == "use")
    svg = d.svg()
    assert "電子決裁" in svg  # the badge is drawn (no step or legend item says it)


def test_a_redesign_in_compare_badges_every_lever_it_names() -> None:
    """The To-Be side carries a badge for each lever a step names, 書かない窓口 too
    (it writes no tag, so it had no badge)."""
    d = bprkit.diagram(str(PROCESSES / "kokuho_kanyu.bpr"), redesigned=True)
    tobe = d.pages[0].scene.blocks[1]
    texts = {b.text for n in tobe.nodes.values() for b in n.badges
             if b.colour == render.style.LEVER}
    assert "書かない窓口" in texts and "外部照会の電子化" in texts
    assert any(item.symbol == "lever" for item in d.pages[0].scene.legend)
    for node in tobe.nodes.values():  # RPA the lever beside RPA the tag: one badge
        words = [b.text for b in node.badges]
        assert len(words) == len(set(words)), words
