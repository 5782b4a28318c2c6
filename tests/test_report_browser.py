"""The report in a real headless browser (Debian chromium through Playwright), with
the network off: no console errors, nothing fetched, every table and diagram
there, a screenshot with ink on it, and printing to the paper size asked for."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from . import browser
from .clirunner import run_cli
from .conftest import PROCESSES
from .test_report import HOSTILE


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    for name in ("tenshutsu.bpr", "kaigo_nintei.bpr", "shishutsu_meirei.bpr",
                 "shikenmin_zei.bpr"):
        shutil.copy(PROCESSES / name, folder / name)
    shutil.copytree(PROCESSES / "common", folder / "common")
    (folder / "danger.bpr").write_text(HOSTILE, encoding="utf-8")
    out = folder / "report.html"
    r = run_cli("report", str(folder), "--roadmap", str(PROCESSES / "roadmap.toml"),
                "-o", str(out), "--samples", "300", "--quiet", "--lang", "ja")
    assert r.returncode == 0, r.stderr
    return out


def test_the_report_loads_offline_without_errors(report: Path, tmp_path: Path) -> None:
    with browser.browser() as b, browser.page(b) as (page, visit):
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        assert visit.errors == [] and visit.outside == [] and visit.dialogs == []
        assert page.evaluate("document.scripts.length") == 0
        rows = page.locator("table.ranking tbody tr")
        assert rows.count() == 7  # 5 procedures + the two shared approvals
        articles = page.locator("article.procedure")
        assert articles.count() == 7
        for k in range(articles.count()):
            figures = articles.nth(k).locator("figure.diagram svg")
            assert figures.count() == 2
            box = figures.first.bounding_box()
            assert box and box["width"] > 300 and box["height"] > 100  # drawn, not empty
        assert page.locator("#roadmap svg.chart").count() == 1
        assert page.locator("#assumptions table tbody tr").count() > 10
        # the hostile labels are shown as text
        text = page.inner_text("body")
        assert '<script>alert("x")</script>' in text
        svg_text = page.evaluate("[...document.querySelectorAll('svg text')]"
                                 ".map(t => t.textContent).join('')")
        assert "</svg><script>alert(2)</script>" in svg_text  # a lane title, drawn
        shot = page.screenshot(full_page=False)
        (tmp_path / "top.png").write_bytes(shot)
        assert browser.not_blank(shot)
        page.locator("article.procedure").first.scroll_into_view_if_needed()
        assert browser.not_blank(page.screenshot())


def test_printing_follows_the_css_page(report: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    with browser.browser() as b, browser.page(b) as (page, visit):
        page.goto(report.as_uri())
        page.pdf(path=str(tmp_path / "print.pdf"), prefer_css_page_size=True)
        assert visit.errors == [] and visit.outside == []
    pages = PdfReader(tmp_path / "print.pdf").pages
    assert len(pages) > 7  # a page at least per procedure
    width, height = (float(x) / 72 * 25.4 for x in (pages[0].mediabox.width,
                                                     pages[0].mediabox.height))
    assert abs(width - 297) < 1 and abs(height - 210) < 1  # A4 landscape
