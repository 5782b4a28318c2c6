"""The importers' limits and number checks (issue 21): zip bombs, sheets of a million
rows, BPMN files that would write a ``.bpr`` that ``check`` refuses, numbers the
grammar cannot read, a sheet with no rows, and bprkit's own export read back whole.

Every fixture is a real file built here (openpyxl, zipfile); the CLI runs as a user
runs it. Each refusal must come before anything is written and without a traceback.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

import bprkit
from bprkit.interop import bpmn_import as import_bpmn
from bprkit.interop import xlsx_import as import_xlsx
from bprkit.interop.limits import (
    MAX_BPMN_BYTES,
    MAX_BPR_BYTES,
    MAX_XLSX_CELLS,
    MAX_XLSX_ROWS,
    MAX_XLSX_UNPACKED,
)
from bprkit.text import writer
from bprkit.text.loader import check_files

from .clirunner import run_cli
from .conftest import PROCESSES

SHEET = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = ["業務名", "工程", "担当", "件数", "1件あたり時間(分)"]
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def _survey(path: Path, rows: list[list[object]], title: str = "工程") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _repack(src: Path, out: Path, sheet: Callable[[zipfile.ZipFile, zipfile.ZipInfo], None]
            ) -> Path:
    """A copy of the workbook whose sheet1.xml is written by ``sheet`` (streamed, so a
    bomb is never held in memory)."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename == SHEET:
                target = zipfile.ZipInfo(SHEET)
                target.compress_type = zipfile.ZIP_DEFLATED
                sheet(new, target)
            else:
                new.writestr(info, old.read(info.filename))
    return out


def _sheet_xml(body: bytes, head: bytes = b"") -> Callable[[zipfile.ZipFile, zipfile.ZipInfo],
                                                           None]:
    def write(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        z.writestr(info, b'<?xml version="1.0"?><worksheet xmlns="' + MAIN.encode() + b'">'
                   + head + b"<sheetData>" + body + b"</sheetData></worksheet>")
    return write


def _refused(r: object, *outputs: Path) -> None:
    assert r.returncode == 1, r.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr  # type: ignore[attr-defined]
    for out in outputs:
        assert not out.exists(), out


def _timed_refusal(path: Path, key: str) -> float:
    """The seconds ``xlsx.read`` takes to refuse ``path`` with the message ``key``."""
    data = path.read_bytes()
    start = time.perf_counter()
    with pytest.raises(import_xlsx.XlsxImportError) as caught:
        import_xlsx.read(str(path), data, lang="en")
    assert caught.value.key == key
    return time.perf_counter() - start


# ── 1. limits: a zip bomb, a million rows, cells, DOCTYPE, the size check reads ──

def bomb(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """A sheet that unpacks past MAX_XLSX_UNPACKED, streamed (benchmarks/bench_limits.py
    times its refusal)."""
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 10_000
    with z.open(info, "w", force_zip64=True) as fh:
        fh.write(b'<?xml version="1.0"?><worksheet xmlns="' + MAIN.encode()
                 + b'"><sheetData>')
        for _ in range(MAX_XLSX_UNPACKED // len(row) + 1):
            fh.write(row)
        fh.write(b"</sheetData></worksheet>")


def test_a_zip_bomb_is_refused_from_the_zip_directory(tmp_path: Path) -> None:
    src = _repack(_survey(tmp_path / "s.xlsx", [["a", "b", "窓口", 1, 3]]),
                  tmp_path / "bomb.xlsx", bomb)
    assert src.stat().st_size < 500_000  # small on disk, more than the limit unpacked
    out = tmp_path / "out"
    r = run_cli("import", str(src), "-o", str(out), "--lang", "en")
    _refused(r, out)
    limit = f"{MAX_XLSX_UNPACKED // 1_000_000} MB"
    assert "unpacks to" in r.stderr and limit in r.stderr, r.stderr
    r = run_cli("import", str(src), "-o", str(out), "--lang", "ja")
    _refused(r, out)
    assert "展開すると" in r.stderr and limit in r.stderr
    assert _timed_refusal(src, "import_xlsx_unpacked") < 1.0  # the directory alone
    # a タイムスタディ workbook given to fit as its log meets the same guards
    r = run_cli("fit", "processes/inu_toroku.bpr", "--log", str(src), "--lang", "en")
    assert r.returncode == 1 and "unpacks to" in r.stderr and "Traceback" not in r.stderr


def test_a_dimension_of_a_million_rows_is_refused_before_the_sheet_is_parsed(
        tmp_path: Path) -> None:
    small = _survey(tmp_path / "s.xlsx", [["a", "b", "窓口", 1, 3]])
    with zipfile.ZipFile(small) as z:
        xml = z.read(SHEET)
    assert b"<dimension" in xml
    lying = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:E1000000"', xml)
    src = _repack(small, tmp_path / "million.xlsx",
                  lambda z, info: z.writestr(info, lying))
    out = tmp_path / "out.bpr"
    r = run_cli("import", str(src), "-o", str(out), "--lang", "en")
    _refused(r, out)
    assert f"sheet 工程 has more than {MAX_XLSX_ROWS:,} rows" in r.stderr, r.stderr
    r = run_cli("import", str(src), "-o", str(out), "--lang", "ja")
    _refused(r, out)
    assert f"シート 工程 の行が {MAX_XLSX_ROWS:,} 行を超えています" in r.stderr, r.stderr
    assert _timed_refusal(src, "import_xlsx_rows") < 1.0


def test_rows_are_counted_when_no_dimension_says_how_many(tmp_path: Path) -> None:
    small = _survey(tmp_path / "s.xlsx", [["a", "b", "窓口", 1, 3]])
    counted = _repack(small, tmp_path / "rows.xlsx",
                      _sheet_xml(b"<row/>" * (MAX_XLSX_ROWS + 1)))
    # one cell whose own address is far down: openpyxl's last row is the last guard
    sparse = _repack(small, tmp_path / "sparse.xlsx", _sheet_xml(
        b'<row r="1"><c r="B1" t="inlineStr"><is><t>step</t></is></c></row>'
        b'<row r="2"><c r="B' + str(MAX_XLSX_ROWS + 5).encode()
        + b'" t="inlineStr"><is><t>x</t></is></c></row>'))
    for src in (counted, sparse):
        out = tmp_path / "out"
        r = run_cli("import", str(src), "-o", str(out), "--lang", "en")
        _refused(r, out)
        assert f"more than {MAX_XLSX_ROWS:,} rows" in r.stderr, r.stderr
        assert _timed_refusal(src, "import_xlsx_rows") < 1.0


@pytest.mark.parametrize("body, tail", [
    (b"<row><c/></row>" * 10 + b"<row>" + b"<c/>" * MAX_XLSX_CELLS + b"</row>", b""),
    # a 40-byte merged range would be 17 billion cells; a character reference hides
    # nothing, and neither does a '>' in a quoted attribute
    (b"<row/>", b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'),
    (b"<row/>", b'<mergeCells count="1"><mergeCell x=">" ref="A1:XFD&#49;048576"/>'
                b"</mergeCells>"),
])
def test_cells_and_merged_ranges_are_counted(tmp_path: Path, body: bytes, tail: bytes
                                             ) -> None:
    small = _survey(tmp_path / "s.xlsx", [["a", "b", "窓口", 1, 3]])

    def sheet(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        z.writestr(info, b'<?xml version="1.0"?><worksheet xmlns="' + MAIN.encode()
                   + b'"><sheetData>' + body + b"</sheetData>" + tail + b"</worksheet>")

    src = _repack(small, tmp_path / "cells.xlsx", sheet)
    out = tmp_path / "out"
    r = run_cli("import", str(src), "-o", str(out), "--lang", "en")
    _refused(r, out)
    assert f"more than {MAX_XLSX_CELLS:,} cells" in r.stderr, r.stderr
    assert _timed_refusal(src, "import_xlsx_cells") < 1.0


def test_a_doctype_in_a_workbook_part_is_refused(tmp_path: Path) -> None:
    """Entities would grow the XML past the sizes its zip directory declares."""
    small = _survey(tmp_path / "s.xlsx", [["a", "b", "窓口", 1, 3]])
    laughs = (b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY c "<c/><c/><c/><c/>">]>'
              b'<worksheet xmlns="' + MAIN.encode() + b'"><sheetData><row>&c;</row>'
              b"</sheetData></worksheet>")
    src = _repack(small, tmp_path / "laughs.xlsx", lambda z, info: z.writestr(info, laughs))
    out = tmp_path / "out"
    r = run_cli("import", str(src), "-o", str(out), "--lang", "en")
    _refused(r, out)
    assert "DOCTYPE" in r.stderr and SHEET in r.stderr


def test_a_survey_whose_bpr_check_would_refuse_writes_nothing(tmp_path: Path) -> None:
    # Excel holds up to 32,767 characters a cell: 25 such step names are 2.2 MB of .bpr
    long = "あ" * 30_000
    src = _survey(tmp_path / "long.xlsx",
                  [["長い業務", f"{long}{k}", "窓口", 10, 3] for k in range(25)])
    for out in (tmp_path / "folder", tmp_path / "one.bpr"):
        r = run_cli("import", str(src), "-o", str(out), "--lang", "en")
        _refused(r, out)
        limit = f"{MAX_BPR_BYTES // 2**20} MB"
        assert "長い業務.bpr" in r.stderr and limit in r.stderr and "E007" in r.stderr
    r = run_cli("import", str(src), "-o", str(tmp_path / "j.bpr"), "--lang", "ja")
    _refused(r, tmp_path / "j.bpr")
    assert "E007" in r.stderr and "超えます" in r.stderr


def _bpmn(tasks: list[str]) -> bytes:
    nodes, flows, prev = [], [], "s"
    for k, name in enumerate(tasks):
        nodes.append(f'<task id="t{k}" name="{name}"/>')
        flows.append(f'<sequenceFlow id="f{k}" sourceRef="{prev}" targetRef="t{k}"/>')
        prev = f"t{k}"
    flows.append(f'<sequenceFlow id="fe" sourceRef="{prev}" targetRef="e"/>')
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="{BPMN_NS}" id="d" '
            f'targetNamespace="x"><process id="P" name="大きな手続"><startEvent id="s"/>'
            + "".join(nodes) + '<endEvent id="e"/>' + "".join(flows)
            + "</process></definitions>").encode()


def test_a_bpmn_file_over_the_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    src = tmp_path / "big.bpmn"
    head = _bpmn(["受付"])
    # past the limit, and broken: parsed, it would be "not well-formed"
    src.write_bytes(head + b"<" + b" " * (MAX_BPMN_BYTES - len(head)))
    assert src.stat().st_size == MAX_BPMN_BYTES + 1
    out = tmp_path / "out.bpr"
    r = run_cli("import", str(src), "-o", str(out), "--lang", "en")
    _refused(r, out)
    assert f"larger than the {MAX_BPMN_BYTES // 1_000_000} MB" in r.stderr, r.stderr
    assert "well-formed" not in r.stderr
    r = run_cli("import", str(src), "-o", str(out), "--lang", "ja")
    _refused(r, out)
    assert f"{MAX_BPMN_BYTES // 1_000_000} MB までしか読み込みません" in r.stderr


def test_a_bpmn_file_whose_bpr_check_would_refuse_writes_nothing(tmp_path: Path) -> None:
    src = tmp_path / "long.bpmn"
    src.write_bytes(_bpmn(["確認" * 200_000 + str(k) for k in range(3)]))  # 2.4 MB of .bpr
    assert src.stat().st_size < MAX_BPMN_BYTES
    out = tmp_path / "out.bpr"
    r = run_cli("import", str(src), "-o", str(out), "--lang", "en")
    _refused(r, out)
    assert "would be" in r.stderr and f"{MAX_BPR_BYTES // 2**20} MB" in r.stderr
    assert "E007" in r.stderr
    # the same model, small, still imports and checks clean
    src.write_bytes(_bpmn(["受付", "確認", "交付"]))
    r = run_cli("import", str(src), "-o", str(out), "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert check_files([str(out)]).ok


def test_bpmn_elements_are_counted_while_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_bpmn, "MAX_BPMN_ELEMENTS", 50)
    with pytest.raises(import_bpmn.BpmnImportError) as caught:
        import_bpmn.read("x.bpmn", _bpmn([f"作業{k}" for k in range(30)]))
    assert caught.value.key == "import_elements"
    assert import_bpmn.read("x.bpmn", _bpmn(["受付"])).processes == 1


# ── 2. numbers: the writer's own formatter; negative and non-finite cells named ──

def test_numbers_are_written_as_the_grammar_reads_them(tmp_path: Path) -> None:
    src = _survey(tmp_path / "n.xlsx", [["大量の業務", "受付", "窓口", 1_234_567, 12_345.678],
                                        [None, "審査", "係", None, 0.0000123]])
    out = tmp_path / "n.bpr"
    r = run_cli("import", str(src), "-o", str(out), "--lang", "en")
    assert r.returncode == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    assert f"volume {writer.number(1_234_567)} / 年" in text  # 1,234,567
    assert f"{writer.number(12_345.7)}分" in text  # 12,345.7, not 1.235e+04
    assert f"{writer.number(0.0000123)}分" in text  # 0.0000123, not 1.23e-05
    assert not re.search(r"\d[eE][+-]?\d|nan|inf", text), text
    assert check_files([str(out)]).ok


@pytest.mark.parametrize("value, what", [
    ("nan", "not a finite number"), ("inf", "not a finite number"),
    ("1e999", "not a finite number"),
    (-3, "a negative number"), ("－５分", "a negative number"),
    (5e12, "the largest number"),
])
def test_negative_and_non_finite_cells_are_named_by_sheet_and_cell(
        tmp_path: Path, value: object, what: str) -> None:
    src = _survey(tmp_path / "bad.xlsx", [["業務", "受付", "窓口", 100, 3],
                                          [None, "審査", "係", None, value]], title="Steps")
    out = tmp_path / "out"
    r = run_cli("import", str(src), "-o", str(out), "--lang", "en")
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "sheet Steps, cell E3" in r.stderr and what in r.stderr, r.stderr
    text = (out / "業務.bpr").read_text(encoding="utf-8")
    assert "受付" in text and "審査" not in text  # the row is left out, and said so
    assert check_files([str(out / "業務.bpr")]).ok
    if value == -3:  # the Japanese words once
        r = run_cli("import", str(src), "-o", str(tmp_path / "ja"), "--lang", "ja")
        assert r.returncode == 1 and "シート Steps の E3: 件数や時間に負の数" in r.stderr, r.stderr


def test_a_numeric_cell_that_overflows_is_named(tmp_path: Path) -> None:
    """openpyxl writes no inf, but a number cell of 1E999 reads as one."""
    small = _survey(tmp_path / "s.xlsx", [["業務", "受付", "窓口", 100, 3],
                                          [None, "審査", "係", None, 7777]])
    with zipfile.ZipFile(small) as z:
        xml = z.read(SHEET)
    assert b"<v>7777</v>" in xml
    src = _repack(small, tmp_path / "inf.xlsx", lambda z, info: z.writestr(
        info, xml.replace(b"<v>7777</v>", b"<v>1E999</v>")))
    out = tmp_path / "out"
    r = run_cli("import", str(src), "-o", str(out), "--lang", "en")
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "sheet 工程, cell E3: not a finite number" in r.stderr, r.stderr
    assert "審査" not in (out / "業務.bpr").read_text(encoding="utf-8")


def test_a_survey_of_only_bad_figures_writes_nothing(tmp_path: Path) -> None:
    src = _survey(tmp_path / "bad.xlsx", [["業務", "受付", "窓口", -100, 3],
                                          ["業務", "審査", "係", 10, "nan"]])
    out = tmp_path / "out"
    r = run_cli("import", str(src), "-o", str(out), "--lang", "en")
    _refused(r, out)
    assert "sheet 工程, cell D2" in r.stderr and "sheet 工程, cell E3" in r.stderr


# ── 3. a sheet with no rows under its header ──

@pytest.mark.parametrize("rows", [[], [["合計", None, None, None, 100]]])
def test_a_sheet_with_no_rows_says_so(tmp_path: Path, rows: list[list[object]]) -> None:
    src = _survey(tmp_path / "empty.xlsx", rows)
    out = tmp_path / "out"
    r = run_cli("import", str(src), "-o", str(out), "--lang", "en")
    _refused(r, out)
    assert "no rows under the header in sheet 工程" in r.stderr, r.stderr
    r = run_cli("import", str(src), "-o", str(out), "--lang", "ja")
    _refused(r, out)
    assert "シート 工程 の見出しの下に行がありません" in r.stderr, r.stderr


# ── 4. bprkit's own export comes back whole (the first data row is no header) ──

def test_the_export_of_tenshutsu_imports_back_with_every_step(tmp_path: Path) -> None:
    survey = tmp_path / "t.xlsx"
    r = run_cli("export", str(PROCESSES / "tenshutsu.bpr"), "-o", str(survey))
    assert r.returncode == 0, r.stderr
    out = tmp_path / "t.bpr"
    r = run_cli("import", str(survey), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert check_files([str(out)]).ok
    back = bprkit.load(str(out)).root.processes[0]
    original = bprkit.load(str(PROCESSES / "tenshutsu.bpr")).root.processes[0]
    assert [s.id for s in back.steps()] == [s.id for s in original.steps()]
    assert [s.label for s in back.steps()] == [s.label for s in original.steps()]
    assert len(list(back.steps())) == 7


def test_limits_leave_an_ordinary_survey_alone(tmp_path: Path) -> None:
    rows = [[f"業務{k // 10}", f"作業{k}", "窓口", 1_000, 5] for k in range(300)]
    src = _survey(tmp_path / "ok.xlsx", rows)
    data = src.read_bytes()
    result = import_xlsx.read(str(src), data, lang="en")
    assert len(result.files) == 30 and not result.problems
    out = tmp_path / "ok"
    r = run_cli("import", str(src), "-o", str(out), "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert check_files([str(p) for p in out.glob("*.bpr")]).ok
    with zipfile.ZipFile(io.BytesIO(data)) as z:  # far below every limit
        assert sum(i.file_size for i in z.infolist()) < MAX_XLSX_UNPACKED / 100


def test_the_file_size_is_checked_before_the_file_is_read(tmp_path: Path) -> None:
    """For the CLI, which reads the whole file: a sparse file costs no disk."""
    from bprkit.interop.limits import MAX_XLSX_BYTES, check_file_size

    for name, limit, error in (("big.xlsx", MAX_XLSX_BYTES, import_xlsx.XlsxImportError),
                               ("big.bpmn", MAX_BPMN_BYTES, import_bpmn.BpmnImportError)):
        path = tmp_path / name
        with path.open("wb") as fh:
            fh.truncate(limit + 1)
        with pytest.raises(error) as caught:
            check_file_size(str(path))
        assert f"{limit // 1_000_000} MB" in caught.value.text("en")
        with path.open("wb") as fh:
            fh.truncate(limit)
        check_file_size(str(path))
