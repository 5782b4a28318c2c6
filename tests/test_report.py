"""bprkit report: the HTML file's content, its escaping and its bad input (the
browser itself is tested in test_report_browser.py)."""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from bprkit.report import charts, html

from .clirunner import run_cli
from .conftest import PROCESSES

MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'
HOSTILE = f"""process 危険 「{MARKUP}申請」 {{
  owner 「<b>総務課</b>」
  volume 500 / 年
  lane 住民 「</svg><script>alert(2)</script>」 : 住民
  lane 窓口 「窓口 & <i>係</i>」 : 窓口
  step 記入 「申請書に記入 <style>body{{display:none}}</style>」 @住民 [紙, 手書き, 対面] 5分
  step 受付 「受付 \\"><a href=javascript:alert(3)>x</a>」 @窓口 [紙, 対面, 押印] 4分 {{
    basis 「<iframe src=http://example.com>法</iframe>」
  }}
}}
"""


class _Tags(HTMLParser):
    """Every start tag and attribute of a page, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


@pytest.fixture(scope="module")
def library_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    r = run_cli("report", str(PROCESSES), "--roadmap", str(PROCESSES / "roadmap.toml"),
                "-o", str(out), "--samples", "300", "--quiet", "--lang", "ja")
    assert r.returncode == 0, r.stderr
    return out


def test_the_report_holds_every_part(library_report: Path) -> None:
    page = library_report.read_text(encoding="utf-8")
    tags = _tags(page)
    names = [t for t, _ in tags]
    for part in ("summary", "ranking", "views", "roadmap", "procedures", "assumptions",
                 "backtest"):
        assert ("section", {"id": part}) in tags, part
    articles = [a for t, a in tags if t == "article"]
    assert len(articles) == 16  # every procedure of the library, ranked or not
    assert names.count("figure") == 2 * len(articles)  # As-Is and To-Be each
    assert "script" not in names and "link" not in names and "iframe" not in names
    # nothing is fetched: no src or href leaves the page
    for tag, attrs in tags:
        for key in ("src", "href"):
            value = attrs.get(key)
            assert value is None or value.startswith("#"), (tag, attrs)
    assert "工程表" in page and "2027" in page and "会計の支出命令" in page
    assert "狂犬病予防法" in page  # a finding's legal basis
    assert "令和" in page or "出典" in page


def test_every_inline_svg_is_well_formed_with_unique_ids(library_report: Path) -> None:
    page = library_report.read_text(encoding="utf-8")
    start = 0
    ids: list[str] = []
    count = 0
    while (i := page.find("<svg", start)) >= 0:
        j = page.index("</svg>", i) + len("</svg>")
        root = ET.fromstring(page[i:j])  # each SVG parses as XML on its own
        ids += [el.attrib["id"] for el in root.iter() if "id" in el.attrib]
        count += 1
        start = j
    assert count > 40
    assert len(ids) == len(set(ids))


def test_markup_in_labels_is_text_never_markup(tmp_path: Path) -> None:
    (tmp_path / "danger.bpr").write_text(HOSTILE, encoding="utf-8")
    shutil.copy(PROCESSES / "inu_toroku.bpr", tmp_path / "inu.bpr")
    r = run_cli("check", str(tmp_path / "danger.bpr"))
    assert r.returncode == 0, r.stdout
    out = tmp_path / "out.html"
    r = run_cli("report", str(tmp_path), "-o", str(out), "--samples", "200", "--quiet",
                "--no-backtest")
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    names = [t for t, _ in _tags(page)]
    for tag in ("script", "img", "iframe", "a", "b", "i"):
        allowed = {"a": page.count('<a href="#'), "b": page.count("<b>")}.get(tag, 0)
        assert names.count(tag) <= allowed, tag
    for _, attrs in _tags(page):
        assert not any(k.startswith("on") for k in attrs), attrs
        assert all("javascript:" not in (v or "") for v in attrs.values()), attrs
    assert names.count("style") == 1  # the report's own
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page or \
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_inline_svg_strips_active_content() -> None:
    svg = ('<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
           '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
           '<svg xmlns="http://www.w3.org/2000/svg" '
           'xmlns:xlink="http://www.w3.org/1999/xlink" width="100pt" height="50pt" '
           'viewBox="0 0 100 50"><title>x</title><script>alert(1)</script>'
           '<g id="a" onclick="alert(2)"><rect fill="url(#grad)" width="5" height="5"/>'
           '<a xlink:href="javascript:alert(3)"><text>t</text></a>'
           '<image href="http://example.com/x.png"/></g></svg>')
    out = html.inline_svg(svg, "p1-", "タイトル")
    root = ET.fromstring(out)
    local = {el.tag.split("}")[-1] for el in root.iter()}
    assert not local & {"script", "a", "image"}
    assert root.find(".//{http://www.w3.org/2000/svg}g").attrib == {"id": "p1-a"}
    assert "url(#p1-grad)" in out and "タイトル" in out and "alert" not in out
    assert root.attrib["width"] == "100%" and "height" not in root.attrib


def test_charts_are_valid_svg_with_their_values() -> None:
    chart = charts.roadmap([(2027, 100.0, 100.0, 2), (2028, 50.0, 150.0, 1)],
                           title="<工程表>", saved_label="年", cumulative_label="累計",
                           count_label="{count} 件", unit="時間/年")
    root = ET.fromstring(chart)
    texts = [el.text for el in root.iter() if el.text]
    assert "<工程表>" in texts and "+100" in texts and "150" in texts and "2 件" in texts
    assert charts.nice_max(19_329) == 20_000 and charts.nice_max(0) == 1.0
    axis = ET.fromstring(charts.roadmap([(2027, 23_000.0, 23_000.0, 3)], title="t",
                                        saved_label="a", cumulative_label="b",
                                        count_label="{count}", unit="h"))
    ticks = [el.text for el in axis.iter() if el.attrib.get("font-size") == "10"
             and el.attrib.get("text-anchor") == "end" and el.text and el.text[0].isdigit()]
    assert ticks == ["0", "5,000", "10,000", "15,000", "20,000", "25,000"]  # round steps
    tornado = ET.fromstring(charts.tornado(10.0, [("a", 8.0, 12.0)], title="t",
                                           low_label="lo", high_label="hi", ident="x-"))
    assert [el.attrib["id"] for el in tornado.iter() if "id" in el.attrib] == ["x-hatch"]


def test_bad_input_writes_nothing(tmp_path: Path) -> None:
    shutil.copy(PROCESSES / "inu_toroku.bpr", tmp_path / "a.bpr")
    out = tmp_path / "r.html"
    r = run_cli("report", str(tmp_path), "-o", str(tmp_path / "r.pdf"))
    assert r.returncode == 2 and "html" in r.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run_cli("report", str(empty), "-o", str(out))
    assert r.returncode == 2 and "no .bpr" in r.stderr.lower()
    bad = tmp_path / "roadmap.toml"
    bad.write_text("start = 2027\ncapacity = 2\n[available]\nteleport = 2028\n",
                   encoding="utf-8")
    r = run_cli("report", str(tmp_path), "-o", str(out), "--roadmap", str(bad))
    assert r.returncode == 2 and "teleport" in r.stderr and ":4:" in r.stderr
    past = tmp_path / "past.toml"
    past.write_text("start = 2001\ncapacity = 2\n", encoding="utf-8")
    r = run_cli("report", str(tmp_path), "-o", str(out), "--roadmap", str(past))
    assert r.returncode == 2 and "2001" in r.stderr
    r = run_cli("report", str(tmp_path), "-o", str(out), "--pdf",
                env={"BPRKIT_CHROMIUM": "no-such-browser"})
    assert r.returncode == 1 and "make setup" in r.stderr
    assert not out.exists() and sorted(os.listdir(tmp_path)) == \
        ["a.bpr", "empty", "past.toml", "roadmap.toml"]


def test_files_with_errors_are_listed_and_the_rest_reported(tmp_path: Path) -> None:
    shutil.copy(PROCESSES / "inu_toroku.bpr", tmp_path / "a.bpr")
    (tmp_path / "bad.bpr").write_text("process p {\n  step s @nowhere 3分\n}\n",
                                      encoding="utf-8")
    out = tmp_path / "r.html"
    r = run_cli("report", str(tmp_path), "-o", str(out), "--samples", "200", "--quiet",
                "--no-backtest", "--lang", "en")
    assert r.returncode == 1 and "bad.bpr:2" in r.stderr
    page = out.read_text(encoding="utf-8")
    assert 'id="failed"' in page and "bad.bpr:2:" in page
    assert "Dog registration" in page or "犬の登録" in page
    assert "Process redesign report" in page  # --lang en


def test_pdf_page_size_follows_paper(tmp_path: Path) -> None:
    from pypdf import PdfReader

    shutil.copy(PROCESSES / "inu_toroku.bpr", tmp_path / "a.bpr")
    for paper, size in (("a4", (297, 210)), ("a3", (420, 297))):
        out = tmp_path / f"{paper}.html"
        r = run_cli("report", str(tmp_path / "a.bpr"), "-o", str(out), "--pdf", "--paper",
                    paper, "--samples", "200", "--quiet", "--no-backtest")
        assert r.returncode == 0, r.stderr
        pages = PdfReader(tmp_path / f"{paper}.pdf").pages
        assert len(pages) >= 3
        for page in pages:
            mm = (float(page.mediabox.width) / 72 * 25.4,
                  float(page.mediabox.height) / 72 * 25.4)
            assert abs(mm[0] - size[0]) < 1 and abs(mm[1] - size[1]) < 1, mm


def test_the_redesign_of_a_process_that_uses_others_is_drawn() -> None:
    import bprkit

    # the To-Be uses the redesigned approval (課長決裁_tobe), which only the redesign holds
    svg = bprkit.diagram(str(PROCESSES / "kaigo_nintei.bpr"), redesigned=True).svg()
    assert svg.count("<svg") == 1 and "要介護" in svg


def _counting(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts of the expensive calls of a report made in this process (jobs=1)."""
    import subprocess

    from bprkit.analysis import records
    from bprkit.estimate import montecarlo, redesign
    from bprkit.text import loader

    counts = {"check": 0, "analyse": 0, "estimate": 0, "redesign": 0, "graphviz": 0}

    def count(module: object, name: str, key: str) -> None:
        original = getattr(module, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            counts[key] += 1
            return original(*args, **kwargs)
        monkeypatch.setattr(module, name, wrapper)

    count(loader, "check_files", "check")
    count(records, "analyze_process", "analyse")
    count(montecarlo, "estimate", "estimate")
    count(redesign, "redesign", "redesign")
    original_run = subprocess.run

    def run(*args: Any, **kwargs: Any) -> Any:
        command = args[0] if args else kwargs.get("args")
        if isinstance(command, list) and command and str(command[0]).endswith("neato"):
            counts["graphviz"] += 1
        return original_run(*args, **kwargs)
    monkeypatch.setattr(subprocess, "run", run)
    return counts


def test_each_procedure_is_checked_analysed_estimated_and_drawn_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from bprkit.report import build
    from bprkit.text.loader import find_files

    counts = _counting(monkeypatch)
    report = build.build([str(PROCESSES)], build.Options(samples=200, jobs=1, backtest=None))
    files = find_files([str(PROCESSES)])
    n = len(report.details)
    assert n == len(report.portfolio.rows) == 16
    assert counts["check"] == len(files)  # one a file (a file may hold several procedures)
    assert counts["estimate"] == n and counts["redesign"] == n
    assert counts["analyse"] == 2 * n  # the As-Is (with its findings) and the To-Be drawn
    assert counts["graphviz"] < n  # the diagrams of several procedures in one run
    assert all(d.asis_svg and d.tobe_svg and not d.drawing_error for d in report.details)


def test_top_makes_the_sections_of_the_first_procedures_alike(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from bprkit.report import build

    whole = build.build([str(PROCESSES)], build.Options(samples=200, jobs=1, backtest=None))
    counts = _counting(monkeypatch)
    top = build.build([str(PROCESSES)], build.Options(samples=200, jobs=1, backtest=None,
                                                      top=3))
    assert top.portfolio.rows == whole.portfolio.rows
    assert top.details == whole.details[:3]
    # the ranking first, then the sections of the three alone
    assert counts["redesign"] == 3 and counts["estimate"] == 16 + 3


def test_diagrams_drawn_together_are_the_diagrams_drawn_alone() -> None:
    from bprkit.analysis.records import analyze_process
    from bprkit.render import drawing
    from bprkit.text.loader import check_files

    drawings = []
    for name in ("tenshutsu.bpr", "kaigo_nintei.bpr", "inu_toroku.bpr"):
        bundle = check_files([str(PROCESSES / name)]).files[0].bundle
        assert bundle is not None
        analysis = analyze_process(bundle.root.processes[0], bundle)
        drawings.append(drawing.diagram(analysis, bundle, drawing.Options(heat=True)))
        drawings.append(drawing.diagram(analysis, bundle, drawing.Options(lang="en")))
    assert drawing.svgs(drawings) == [d.svg() for d in drawings]
