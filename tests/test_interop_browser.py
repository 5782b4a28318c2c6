"""Our exports in the tools that read them: BPMN in bpmn-js (the modeler of bpmn.io and
Camunda) in a real headless browser, saved back through the modeler and imported
again; Mermaid through mermaid-cli with the system chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

import bprkit
from bprkit.interop import bpmn_export as export_bpmn
from bprkit.text.loader import check_files

from . import browser
from .clirunner import run_cli
from .conftest import PROCESSES, ROOT

JS = ROOT / "tests" / "js"
FILES = ["kaigo_nintei", "tenshutsu", "shishutsu_meirei", "hoikusho_nyusho"]


def test_exports_open_in_bpmn_js_and_survive_a_save(tmp_path: Path) -> None:
    with browser.browser() as b, browser.page(b, viewport=(1600, 1000)) as (page, visit):
        page.goto((JS / "modeler.html").as_uri())
        for name in FILES:
            bundle = bprkit.load(str(PROCESSES / f"{name}.bpr"))
            xml = export_bpmn.export(bundle).decode("utf-8")
            shown = page.evaluate("x => window.importXML(x)", xml)
            assert shown["warnings"] == [], (name, shown["warnings"])
            processes = export_bpmn.processes_of(bundle)
            steps = sum(len(list(p.steps())) for p in processes)
            calls = xml.count("<bpmn:callActivity ")
            assert shown["tasks"] == steps + calls, name
            assert shown["lanes"] == sum(len(p.lanes) for p in processes)
            assert shown["pools"] == len(processes)
            shot = page.screenshot()
            (tmp_path / f"{name}.png").write_bytes(shot)
            assert browser.not_blank(shot)
            saved = page.evaluate("() => window.saveXML()")
            back = tmp_path / f"{name}.bpmn"
            back.write_text(saved, encoding="utf-8")
            out = tmp_path / f"{name}.bpr"
            r = run_cli("import", str(back), "-o", str(out))
            assert r.returncode == 0, r.stderr
            report = check_files([str(out)])
            assert report.ok
            again = report.files[0].bundle
            for process in bundle.root.processes:
                other = again.process(process.id)
                assert other is not None
                assert [(s.id, s.lane, s.duration, s.wait, s.tags) for s in
                        process.steps()] == [(s.id, s.lane, s.duration, s.wait, s.tags)
                                             for s in other.steps()]
        assert visit.errors == [] and visit.outside == []


def test_mermaid_cli_renders_every_library_file(tmp_path: Path) -> None:
    sources = []
    for bpr in sorted(PROCESSES.glob("*.bpr")):
        out = tmp_path / f"{bpr.stem}.mmd"
        r = run_cli("export", str(bpr), "-o", str(out))
        assert r.returncode == 0, r.stderr
        sources.append(out)
    errors = browser.mermaid_svgs(sources, tmp_path)  # one browser, mermaid loaded once
    for mmd in sources:
        assert errors[mmd] == "", (mmd.name, errors[mmd][-500:])
        text = mmd.with_suffix(".svg").read_text(encoding="utf-8")
        assert "Syntax error" not in text and text.count("<g") > 10, mmd.name


@pytest.mark.parametrize("label", ['a "quoted" <b>bold</b> #hash `tick`', "end", "x --> y"])
def test_mermaid_labels_never_become_syntax(tmp_path: Path, label: str) -> None:
    src = tmp_path / "p.bpr"
    src.write_text(f"process p 「{label}」 {{\n  lane a 「{label}」 : 窓口\n"
                   f"  step s 「{label}」 @a 3分\n}}\n", encoding="utf-8")
    assert check_files([str(src)]).ok
    out = tmp_path / "p.mmd"
    assert run_cli("export", str(src), "-o", str(out)).returncode == 0
    errors = browser.mermaid_svgs([out], tmp_path)
    assert errors[out] == "", errors[out][-500:]
    assert "<b>" not in out.read_text(encoding="utf-8")
