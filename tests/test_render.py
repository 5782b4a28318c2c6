"""Diagrams with the real Graphviz: golden DOT, safe labels, every file, the CLI."""

from __future__ import annotations

import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import bprkit
from bprkit.render import dot

from .conftest import CORPUS, FIXTURES, PROCESSES, run_cli

RENDER = FIXTURES / "render"
needs_dot = pytest.mark.skipif(shutil.which("neato") is None,
                               reason="Graphviz is not installed (make setup installs it)")
SVG = "{http://www.w3.org/2000/svg}"


def _diagram(path: Path, process: str | None = None, **options: object) -> object:
    analysis = bprkit.analyze(str(path), process=process)
    return dot.diagram(analysis, bprkit.load(str(path)), dot.RenderOptions(**options))


def test_golden_dot_is_deterministic() -> None:
    source = _diagram(RENDER / "small.bpr", "小さな手続").source
    assert source == _diagram(RENDER / "small.bpr", "小さな手続").source
    golden = RENDER / "small.dot"
    if os.environ.get("BPRKIT_UPDATE_GOLDEN"):
        golden.write_text(source, encoding="utf-8")
    assert source == golden.read_text(encoding="utf-8")


def test_diagram_holds_every_element() -> None:
    source = _diagram(RENDER / "small.bpr", "小さな手続").source
    for expected in ("申請者（住民）", "窓口（窓口）", "shape=diamond", "10%", "90%",
                     "待ち 10分", "3〜5分", "▶ sub ×2", "shape=note", "shape=cylinder",
                     "shape=doublecircle", "style=dashed", "BGCOLOR=\"#8c6d46\"",
                     "毎回同じことを書く", "RPA の候補", "凡例", "年 1,200 件"):
        assert expected in source, expected
    assert source.count("fillcolor=\"#333333\"") >= 3  # fork, join and the end event


def test_expand_inlines_the_called_process() -> None:
    collapsed = _diagram(RENDER / "small.bpr", "小さな手続").source
    expanded = _diagram(RENDER / "small.bpr", "小さな手続", expand=True).source
    assert "sub: 係長" not in collapsed and "▶ sub" in collapsed
    assert "sub: 係長" in expanded and "s_sub.決裁" in expanded and "▶ sub" not in expanded


def test_legend_lists_only_what_is_used() -> None:
    source = _diagram(CORPUS / "tennyu.bpr").source
    legend = source[source.index("凡例"):]
    assert "転記" in legend and "押印" in legend
    assert "FAX" not in legend and "郵送" not in legend and "手戻り" not in legend


@needs_dot
def test_labels_render_literally_and_safely(tmp_path: Path) -> None:
    nasty = 'a\\"b\\\\c<d>{e}&f\\n<script>alert(1)</script>'  # as written in the file
    path = tmp_path / "nasty.bpr"
    path.write_text(f'process p "{nasty}" {{\n  lane l "{nasty}" : counter\n'
                    f'  step s "{nasty}" @l 1min {{ note "{nasty}" }}\n}}\n', encoding="utf-8")
    label = bprkit.load(str(path)).root.processes[0].lanes[0].label
    assert label == 'a"b\\c<d>{e}&f\n<script>alert(1)</script>'
    svg = dot.svg(_diagram(path))
    root = ET.fromstring(svg)  # well-formed XML: nothing from the input became markup
    assert not list(root.iter(f"{SVG}script"))
    assert "<script" not in svg
    texts = "".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "<script>alert(1)</script>" in texts
    assert 'a"b\\c<d>{e}&f' in texts


@needs_dot
@pytest.mark.parametrize("path", sorted([*PROCESSES.rglob("*.bpr"), *CORPUS.rglob("*.bpr")]),
                         ids=lambda p: p.name)
def test_every_file_renders_to_png_and_svg(tmp_path: Path, path: Path) -> None:
    bundle = bprkit.load(str(path))
    for process in bundle.root.processes:
        graph = dot.diagram(bprkit.analyze(str(path), process=process.id), bundle)
        out = tmp_path / f"{process.id}.png"
        dot.write(graph, "png", str(out))
        assert out.read_bytes().startswith(b"\x89PNG")
        root = ET.fromstring(dot.svg(graph))
        texts = "".join(t.text or "" for t in root.iter(f"{SVG}text")).replace(" ", "")
        for lane in process.lanes:
            assert lane.title.replace(" ", "") in texts


@needs_dot
def test_heat_colours_steps_by_hours() -> None:
    source = _diagram(CORPUS / "juminhyo.bpr", heat=True).source
    assert dot.HEAT[-1] in source and "年間時間" in source


@needs_dot
def test_cli_render_formats_and_atomic_output(tmp_path: Path) -> None:
    for fmt in ("svg", "png", "pdf", "dot"):
        out = tmp_path / f"x.{fmt}"
        r = run_cli("render", str(PROCESSES / "tenshutsu.bpr"), "-o", str(out), "--lang", "en")
        assert r.returncode == 0, r.stderr
        assert f"wrote {out}" in r.stdout
        assert out.stat().st_size > 500
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.dot", "x.pdf", "x.png", "x.svg"]


@needs_dot
def test_cli_paper_a3_is_a_landscape_pdf(tmp_path: Path) -> None:
    out = tmp_path / "a3.pdf"
    r = run_cli("render", str(PROCESSES / "kaigo_nintei.bpr"), "--paper", "a3", "-o", str(out))
    assert r.returncode == 0, r.stderr
    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)", out.read_bytes())
    width, height = float(box.group(1)), float(box.group(2))
    assert width > height and width <= 1191.5 and height <= 842.5
    assert width >= 1100 or height >= 800  # scaled to fill the sheet


@needs_dot
def test_cli_compare_marks_changes(tmp_path: Path) -> None:
    out = tmp_path / "cmp.svg"
    r = run_cli("render", str(CORPUS / "juminhyo.bpr"), "--compare",
                str(CORPUS / "juminhyo_tobe.bpr"), "-o", str(out), "--lang", "ja")
    assert r.returncode == 0, r.stderr
    svg = out.read_text(encoding="utf-8")
    texts = "".join(t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text"))
    assert "現状 | 申請者" in texts and "見直し後 | 申請者" in texts
    for mark in ("削除", "変更", "追加"):
        assert mark in svg


def test_cli_render_errors(tmp_path: Path) -> None:
    r = run_cli("render", str(PROCESSES / "tenshutsu.bpr"), "--process", "nope")
    assert r.returncode == 2 and "転出届" in r.stderr
    src = tmp_path / "a.bpr"
    src.write_text((PROCESSES / "tenshutsu.bpr").read_text(encoding="utf-8"), encoding="utf-8")
    r = run_cli("render", str(src), "-o", str(src))
    assert r.returncode == 2 and "input" in r.stderr
    assert src.read_text(encoding="utf-8").startswith("# 転出届")


def test_missing_graphviz_names_make_setup(tmp_path: Path) -> None:
    out = tmp_path / "x.svg"
    r = run_cli("render", str(PROCESSES / "tenshutsu.bpr"), "-o", str(out),
                env={"PATH": str(tmp_path)})
    assert r.returncode == 1
    assert "make setup" in r.stderr and "Traceback" not in r.stderr
    assert list(tmp_path.iterdir()) == []  # nothing half-written


@needs_dot
def test_jupyter_displays_svg() -> None:
    analysis = bprkit.analyze(str(PROCESSES / "tenshutsu.bpr"))
    assert analysis._repr_svg_().lstrip().startswith("<?xml")
    process = analysis.process
    assert "<svg" in process._repr_svg_()


def test_japanese_wrapping() -> None:
    # ） never starts a line
    assert dot.wrap("支給決定（一覧に押印）", 20) == ["支給決定（一覧に押印）"]
    lines = dot.wrap("申請書を記入し本人確認書類と口座の写しを郵送", 20)
    assert "".join(lines) == "申請書を記入し本人確認書類と口座の写しを郵送"
    assert all(dot._width(line) <= 20 for line in lines)


@needs_dot
def test_top_to_bottom_puts_lanes_in_columns() -> None:
    graph = _diagram(CORPUS / "kyufukin.bpr", direction="TB")
    root = ET.fromstring(dot.svg(graph))
    xs = {}
    for g in root.iter(f"{SVG}g"):
        title = g.find(f"{SVG}title")
        if title is not None and title.text in ("s_記入", "s_開封", "s_保管"):
            xs[title.text] = float(g.find(f"{SVG}path").get("d").split()[0][1:].split(",")[0])
    assert xs["s_記入"] < xs["s_開封"] < xs["s_保管"]  # 世帯主 | 事務 | … | 書庫, left to right


def test_compare_marks_follow_replaces() -> None:
    """render --compare matches steps as compare does (bprkit.diff): a To-Be step
    that replaces As-Is steps is changed, not added, and they are not removed."""
    from bprkit.analysis import analyze_process
    from bprkit.render.dot import compare_marks

    asis_bundle = bprkit.load(str(PROCESSES / "tenshutsu.bpr"))
    tobe_bundle = bprkit.load(str(PROCESSES / "tenshutsu_tobe.bpr"))
    a_marks, b_marks = compare_marks(
        analyze_process(asis_bundle.root.processes[0], asis_bundle),
        analyze_process(tobe_bundle.root.processes[0], tobe_bundle))
    assert "added" not in b_marks.values()
    assert "removed" not in a_marks.values()
    assert b_marks["聞き取り"] == "changed"
