"""The Excel time survey (業務量調査) as offices lay it out, written with openpyxl.

Sheet 業務量調査 (Time survey): one row per step, in each process's order:

    業務名 | 業務ID | 工程 | 工程ID | 担当 | 役割 | 件数/年 | 1件あたり回数 | 1件あたり時間(分) |
    年間時間 | 紙 | 押印 | 対面 | 施策 | 削減 P10 | 削減 P50 | 削減 P90

年間時間 is a formula (件数 × 回数 × 分 ÷ 60), the totals row sums it and the savings;
the savings are the estimate's, each step's share of the process's P10/P50/P90 in
proportion to its expected saving. Sheet 前提条件 lists every assumption with its
source. Headers in the report's language; numbers formatted, filters on, the header
row and the names frozen. bprkit/interop/xlsx_import.py reads this layout back.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from bprkit import vocabulary
from bprkit.assumptions.catalog import Assumptions
from bprkit.messages import catalog as messages
from bprkit.output import text_cells
from bprkit.render.textfit import columns as display_width
from bprkit.report import rows
from bprkit.text.loader import CheckReport

COLUMNS = tuple(c.key for c in rows.SURVEY)
"""The survey's columns, in order (its rows: :func:`bprkit.report.rows.survey`)."""
FLAGS = {"paper": "paper", "seal": "seal", "in_person": "in_person"}
MARK = "○"
FORMATS = {"cases": "#,##0", "executions": "0.00", "minutes": "0.0",
           "annual_hours": "#,##0.0", "saved_p10": "#,##0.0", "saved_p50": "#,##0.0",
           "saved_p90": "#,##0.0"}
CAPS = {"process_title": 34, "process": 18, "step_title": 40, "step": 20, "lane": 26,
        "role": 10, "levers": 30}
"""The widest a text column grows (in characters)."""


def _fit(ws: Any, caps: dict[str, float], col: dict[str, str]) -> None:
    """Column widths from the text's display width (a Japanese character is two),
    within each column's cap."""
    for name, letter in col.items():
        widest = max((display_width(str(c.value)) for (c,) in ws.iter_rows(
            min_row=2, min_col=COLUMNS.index(name) + 1, max_col=COLUMNS.index(name) + 1)
            if c.value is not None and not str(c.value).startswith("=")), default=8)
        ws.column_dimensions[letter].width = min(caps.get(name, 14), max(9, widest + 2))


def _print_setup(ws: Any) -> None:
    """A3 landscape, one page wide, the header row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def header(lang: str, key: str) -> str:
    return messages.text(lang, f"survey_{key}")


def export(report: CheckReport, assumptions: Assumptions, *, lang: str = "ja",
           levers: Sequence[str] | None = None, samples: int = 2_000) -> bytes:
    """The workbook of every As-Is process of the checked files."""
    from openpyxl import Workbook

    survey = rows.survey(report, assumptions, levers=levers, samples=samples)
    wb = Workbook()
    ws = wb.active
    ws.title = header(lang, "sheet")
    _survey_sheet(ws, survey, assumptions, lang)
    _sources_sheet(wb.create_sheet(header(lang, "assumptions")), assumptions, lang)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def cell(column: rows.Column, value: Any, assumptions: Assumptions, lang: str) -> Any:
    """A survey cell: the row's value, a role by its name, a mark for a yes, levers by
    their titles."""
    if column.kind == "role":
        return messages.text(lang, f"role_{value}") if value is not None else ""
    if column.kind == "mark":
        return MARK if value else None
    if column.kind == "levers":
        return messages.separator(lang).join(assumptions.levers[k].title(lang)
                                             for k in value)
    return value


def _survey_sheet(ws: Any, survey: rows.Table, assumptions: Assumptions, lang: str) -> None:
    """The steps, one a row, each with the formula of its hours a year; the totals."""
    from openpyxl.utils import get_column_letter

    ws.append([header(lang, c) for c in COLUMNS])
    col = {name: get_column_letter(k) for k, name in enumerate(COLUMNS, 1)}
    for n, row in enumerate(survey.rows, 2):
        ws.append([cell(c, row[c.key], assumptions, lang) for c in survey.columns])
        text_cells(ws[n])  # a label is never a formula
        if row["cases"] is not None:
            ws[f"{col['annual_hours']}{n}"] = (
                f"={col['cases']}{n}*{col['executions']}{n}*{col['minutes']}{n}/60")
    last = len(survey.rows) + 1
    total_row = _totals(ws, col, last, lang)
    _style(ws, col, last, total_row)


def _totals(ws: Any, col: Mapping[str, str], last: int, lang: str) -> int:
    """Under the steps, one total each of staff, resident and external hours (never
    added together), and the staff hours saved; the last row's number."""
    from openpyxl.styles import Font

    hours, roles = col["annual_hours"], col["role"]
    span = f"{hours}2:{hours}{last}"
    role_span = f"{roles}2:{roles}{last}"
    others = [messages.text(lang, f"role_{r}") for r in ("resident", "external", "system")]
    staff = f"=SUM({span})" + "".join(f'-SUMIF({role_span},"{r}",{span})' for r in others)
    totals = [("total_staff", staff, True),
              ("total_resident", f'=SUMIF({role_span},"{others[0]}",{span})', False),
              ("total_external", f'=SUMIF({role_span},"{others[1]}",{span})', False)]
    bold = Font(bold=True)
    for k, (key, formula, savings) in enumerate(totals, 1):
        r = last + k
        ws.cell(row=r, column=1, value=header(lang, key))
        ws[f"{hours}{r}"] = formula
        if savings:  # the savings are staff hours
            for name in ("saved_p10", "saved_p50", "saved_p90"):
                ws[f"{col[name]}{r}"] = f"=SUM({col[name]}2:{col[name]}{last})"
        for c in ws[r]:
            c.font = bold
    return last + len(totals)


def _style(ws: Any, col: Mapping[str, str], last: int, total_row: int) -> None:
    """Bold grey headers, number formats, widths, centred marks, frozen names, filters,
    A3 printing."""
    from openpyxl.styles import Alignment, Font, PatternFill

    bold, grey = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
    for c in ws[1]:
        c.font, c.fill = bold, grey
        c.alignment = Alignment(wrap_text=True, vertical="top")
    for name, fmt in FORMATS.items():
        for r in range(2, total_row + 1):
            ws[f"{col[name]}{r}"].number_format = fmt
    _fit(ws, dict(CAPS), dict(col))
    ws.row_dimensions[1].height = 42  # the wrapped headers
    centre = Alignment(horizontal="center")
    for name in vocabulary.COUNTED_TAGS:
        for r in range(2, last + 1):
            ws[f"{col[name]}{r}"].alignment = centre
    ws.freeze_panes = "E2"
    ws.auto_filter.ref = f"A1:{col[COLUMNS[-1]]}{last}"
    _print_setup(ws)


def _sources_sheet(sources: Any, assumptions: Assumptions, lang: str) -> None:
    """Every assumption with its range and source."""
    from openpyxl.styles import Alignment, Font, PatternFill

    sources.append([header(lang, k) for k in ("parameter", "low", "mode", "high", "source")])
    for key, p in assumptions.params.items():
        sources.append([key, p.low, p.mode, p.high, p.source])
        text_cells(sources[sources.max_row])
    bold, grey = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
    for c in sources[1]:
        c.font, c.fill = bold, grey
    sources.column_dimensions["A"].width = 36
    sources.column_dimensions["E"].width = 70
    for r in range(2, sources.max_row + 1):
        for c in "BCD":
            sources[f"{c}{r}"].number_format = "#,##0.###"
        sources[f"E{r}"].alignment = Alignment(wrap_text=True, vertical="top")
    sources.freeze_panes = "B2"
    _print_setup(sources)
