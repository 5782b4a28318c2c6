"""The importers build a model and the writer writes it (issue 22): no ``.bpr`` syntax
in their f-strings, every text they write is the writer's text of its own model (its
remarks aside), and the values bprkit's export puts in ``bprkit:`` attributes read
back to the same model."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from openpyxl import Workbook

import bprkit
from bprkit.interop import bpmn_export, bpmn_import, xlsx_import
from bprkit.model import iter_uses
from bprkit.text import writer
from bprkit.text.loader import check_files

from .conftest import PROCESSES

ROOT = Path(__file__).resolve().parents[1]
CORPUS = sorted((ROOT / "tests" / "fixtures" / "bpmn_corpus").glob("*.bpmn"))
LIBRARY = sorted(PROCESSES.glob("*.bpr"))
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"

STATEMENT = re.compile(r"^\s*(process|lane|step|branch|parallel|path|use|volume|owner|state"
                       r"|lever|batch|phase|document|data|note|else)\s|「|」| -> |@")
"""What would be ``.bpr`` syntax in the literal part of an f-string."""


@pytest.mark.parametrize("module", [bpmn_import, xlsx_import], ids=lambda m: m.__name__)
def test_no_bpr_syntax_in_the_importers_f_strings(module: object) -> None:
    source = Path(module.__file__).read_text(encoding="utf-8")  # type: ignore[attr-defined]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr):
            literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            if STATEMENT.search(literal):
                found.append((node.lineno, literal))
    assert found == []


_LINE = re.compile(r'((?:「[^」\n]*」|"(?:[^"\\\n]|\\.)*"|[^#「"\n])*)(.*)')


def _without_comments(text: str) -> str:
    """The text without ``#`` comments (a comment's own line goes; a remark after a
    statement goes, with the spaces before it); labels are left alone."""
    out = []
    for line in text.split("\n"):
        code, comment = _LINE.fullmatch(line).groups()  # type: ignore[union-attr]
        if comment and not code.strip():
            continue
        out.append(code.rstrip() if comment else code)
    return "\n".join(out)


def _stripped(path: Path) -> bytes:
    """A bprkit export without its embedded text, as after an edit in a modeler."""
    data = bpmn_export.export(bprkit.load(str(path)))
    return re.sub(rb"<bpmn:extensionElements>.*?</bpmn:extensionElements>", b"", data,
                  flags=re.S)


INPUTS = [(p.name, p.read_bytes) for p in CORPUS] + \
    [(f"{p.stem} (edited export)", lambda p=p: _stripped(p)) for p in LIBRARY]


@pytest.mark.parametrize("name, data", INPUTS, ids=[n for n, _ in INPUTS])
def test_a_bpmn_import_is_the_writers_text_of_its_model(name: str, data: object,
                                                        tmp_path: Path) -> None:
    result = bpmn_import.read(name, data())  # type: ignore[operator]
    assert result.text.startswith(f"# imported from {name} by bprkit import\nprocess ")
    model = bprkit.parse(result.text, path="imported.bpr")
    assert _without_comments(result.text) == \
        writer.write(model, words=bpmn_import.WORDS, compact=True)
    out = tmp_path / "imported.bpr"
    out.write_text(result.text, encoding="utf-8")
    assert check_files([str(out)]).ok


def test_branch_remarks_say_the_assumed_shares_and_the_flows_names() -> None:
    path = ROOT / "tests" / "fixtures" / "bpmn_corpus" / "miwg-ref-B.2.0.bpmn"
    text = bpmn_import.read("x.bpmn", path.read_bytes()).text
    assert "{  # assumption: equal shares (the BPMN file gives none)\n" in text
    assert re.search(r"\n    (\d+%|else) -> \w+  # Default Sequence Flow 1\n", text)


def _survey(path: Path) -> Path:
    """A survey with two 業務, hours and minutes, executions, roles, marks and a
    label with 「」 in it."""
    wb = Workbook()
    ws = wb.active
    ws.title = "工程"
    ws.append(["業務名", "工程", "担当", "役割", "件数", "1件あたり回数", "1件あたり時間(分)",
               "時間(時間)", "紙", "押印", "対面"])
    ws.append(["転入届", "届書の記入", "住民", None, 1200, None, 8, None, "○", None, "✓"])
    ws.append([None, "受付「確認」", "窓口", None, None, 1.1, 5, None, "○", "○", None])
    ws.append([None, "入力", "記録係", "system", None, 3, None, None, None, None, None])
    ws.append(["交付", "交付", "窓口", "counter", 36_000, None, None, 0.25, "1", None, None])
    wb.save(path)
    return path


def test_an_xlsx_import_is_the_writers_text_of_its_model(tmp_path: Path) -> None:
    src = _survey(tmp_path / "s.xlsx")
    result = xlsx_import.read(str(src), src.read_bytes(), lang="en")
    assert not result.problems and sorted(result.files) == ["交付", "転入届"]
    text = result.files["転入届"]
    assert text == (
        "# imported from the time survey (sheet 工程) by bprkit import\n"
        "process 転入届 「転入届」 {\n"
        "  volume 1200 / 年\n"
        "  lane 住民 「住民」 : 住民\n"
        "  lane 窓口 「窓口」 : 窓口\n"
        "  lane 記録係 「記録係」 : システム\n"
        "  step 届書の記入 「届書の記入」 @住民 [紙, 対面] 8分\n"
        "  step 受付_確認 「受付（確認）」 @窓口 [紙, 押印] 5.5分  # 1.1 × 5分 in the survey\n"
        "  step 入力 「入力」 @記録係  # 3 × 0分 in the survey\n"
        "}\n")
    assert "volume 36,000 / 年" in result.files["交付"] and "15分" in result.files["交付"]
    for name, text in result.files.items():
        model = bprkit.parse(text, path=f"{name}.bpr")
        assert _without_comments(text) == \
            writer.write(model, words=writer.JAPANESE, compact=True)
        out = tmp_path / f"{name}.bpr"
        out.write_text(text, encoding="utf-8")
        assert check_files([str(out)]).ok


def test_the_exports_attribute_values_read_back_to_the_same_model() -> None:
    """Every duration, wait, batch and volume of the library, as bprkit's export writes
    it into a ``bprkit:`` attribute, reads back to what the model held."""
    seen = 0
    for path in LIBRARY:
        for process in bprkit.load(str(path)).root.processes:
            if process.volume is not None:
                assert bpmn_import.read_volume(writer.volume(process.volume)) == \
                    process.volume
                seen += 1
            for step in process.steps():
                for d in (step.duration, step.wait):
                    if d is not None:
                        assert bpmn_import.read_duration(writer.duration(d)) == d
                        seen += 1
                if step.batch is not None:
                    assert bpmn_import.read_batch(writer.batch_words(step.batch)) == \
                        step.batch
            for use in iter_uses(process.flow):
                if use.batch is not None:
                    assert bpmn_import.read_batch(writer.batch_words(use.batch)) == use.batch
    assert seen > 200
    assert bpmn_import.read_volume("2,400 / 年 集中 15 日 60%") == bpmn_import.read_volume(
        "2400 / year within 15 days 60%")
    assert bpmn_import.read_duration("３〜５分") == bpmn_import.read_duration("3..5min")
    for bad in ("", "5", "5 parsecs", "a..b min", "5..6..7..8min"):
        assert bpmn_import.read_duration(bad) is None, bad
    assert bpmn_import.read_batch("month sometimes") is None
    assert bpmn_import.read_volume("100 / fortnight") is None


def test_attributes_that_cannot_be_read_are_left_out_and_said() -> None:
    """Hand-edited ``bprkit:`` values: a duration, a role, a share that mean nothing
    are left out with a note (a share: the flow's name is read instead)."""
    bk = "https://bprkit.dev/schema/bpmn/1"
    data = f"""<?xml version="1.0"?>
<definitions xmlns="{BPMN_NS}" xmlns:bprkit="{bk}" id="d" targetNamespace="x">
 <process id="P" name="手続">
  <laneSet id="ls"><lane id="L1" name="係" bprkit:role="boss">
   <flowNodeRef>a</flowNodeRef><flowNodeRef>b</flowNodeRef><flowNodeRef>g</flowNodeRef>
  </lane></laneSet>
  <startEvent id="s"/>
  <task id="a" name="受付 -> 確認" bprkit:duration="soon" bprkit:tags="紙,seal"/>
  <exclusiveGateway id="g" gatewayDirection="Diverging"/>
  <task id="b" name="審査" bprkit:wait="1..2d"/>
  <endEvent id="e"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="a"/>
  <sequenceFlow id="f2" sourceRef="a" targetRef="g"/>
  <sequenceFlow id="f3" sourceRef="g" targetRef="b" name="70%" bprkit:probability="x"/>
  <sequenceFlow id="f4" sourceRef="g" targetRef="a" name="30%"/>
  <sequenceFlow id="f5" sourceRef="b" targetRef="e"/>
 </process>
</definitions>""".encode()
    result = bpmn_import.read("hand.bpmn", data)
    said = {(n.element, n.what, n.detail) for n in result.notes}
    assert ("a", "not_mapped", "bprkit:duration") in said
    assert ("L1", "not_mapped", "bprkit:role") in said
    assert not any(n.what == "assumed_share" for n in result.notes)
    model = bprkit.parse(result.text)
    process = model.processes[0]
    a, b = list(process.steps())
    assert a.label == "受付 -> 確認" and a.duration is None and a.tags == ("paper", "seal")
    assert b.wait is not None and (b.wait.low, b.wait.high, b.wait.unit) == (1, 2, "day")
    assert [(c.target, c.percent) for c in process.flow[1].cases] == [(b.id, 70), (a.id, None)]
    assert process.lanes[0].role == "back_office"  # guessed from 係
