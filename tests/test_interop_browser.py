"""Our exports in the tools that read them: BPMN in bpmn-js (the modeler of bpmn.io and
Camunda) in a real headless browser, saved back through the modeler and imported
again; Mermaid through mermaid-cli with the system chromium."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import bprkit
from bprkit.interop import bpmn_export as export_bpmn
from bprkit.text.loader import check_files

from . import browser
from .conftest import PROCESSES, ROOT, run_cli

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
    config = tmp_path / "puppeteer.json"
    config.write_text(json.dumps({"executablePath": browser.chromium(),
                                  "args": browser.FLAGS}), encoding="utf-8")
    sources = []
    for bpr in sorted(PROCESSES.glob("*.bpr")):
        out = tmp_path / f"{bpr.stem}.mmd"
        r = run_cli("export", str(bpr), "-o", str(out))
        assert r.returncode == 0, r.stderr
        sources.append(out)
    for mmd in sources:
        svg = mmd.with_suffix(".svg")
        done = subprocess.run([str(JS / "node_modules" / ".bin" / "mmdc"), "-i", str(mmd),
                               "-o", str(svg), "-p", str(config), "-q"],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (mmd.name, done.stderr[-500:])
        text = svg.read_text(encoding="utf-8")
        assert "Syntax error" not in text and text.count("<g") > 10, mmd.name


@pytest.mark.parametrize("label", ['a "quoted" <b>bold</b> #hash `tick`', "end", "x --> y"])
def test_mermaid_labels_never_become_syntax(tmp_path: Path, label: str) -> None:
    src = tmp_path / "p.bpr"
    src.write_text(f"process p 「{label}」 {{\n  lane a 「{label}」 : 窓口\n"
                   f"  step s 「{label}」 @a 3分\n}}\n", encoding="utf-8")
    assert check_files([str(src)]).ok
    out = tmp_path / "p.mmd"
    assert run_cli("export", str(src), "-o", str(out)).returncode == 0
    config = tmp_path / "pp.json"
    config.write_text(json.dumps({"executablePath": browser.chromium(),
                                  "args": browser.FLAGS}), encoding="utf-8")
    done = subprocess.run([str(JS / "node_modules" / ".bin" / "mmdc"), "-i", str(out),
                           "-o", str(tmp_path / "p.svg"), "-p", str(config), "-q"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    assert "<b>" not in out.read_text(encoding="utf-8")
