"""``bprkit portfolio --format xlsx``: the ranking as an Excel workbook (openpyxl).

Sheets: the ranking (one row a procedure, totals as formulas), by department, by
lever, the roadmap when a roadmap file is given, and the assumptions with their
sources. Headers in the report's language; numbers formatted, filters on, the
header row and the names frozen. The sheets lay out the portfolio's rows
(bprkit/report/rows.py): which columns, their headers, formats, widths and totals come
from the rows' columns.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from bprkit.assumptions.catalog import Assumptions
from bprkit.messages import catalog as messages
from bprkit.output import text_cells
from bprkit.planning import inventory
from bprkit.planning.inventory import Portfolio
from bprkit.report import rows

HOURS = "#,##0"
DECIMAL = "#,##0.0"
WIDTH = 12
"""A column's width when its Column gives none."""


def number_format(column: rows.Column) -> str | None:
    """A figure's format in the sheet: whole hours and yen, or one decimal."""
    if column.kind != "number":
        return None
    return HOURS if column.digits == 0 else DECIMAL


class Cells:
    """The values of a sheet's cells: the rows' values, levers by their titles."""

    def __init__(self, assumptions: Assumptions, lang: str) -> None:
        self.assumptions, self.lang = assumptions, lang
        self.joiner = messages.separator(lang)

    def lever(self, key: str) -> str:
        found = self.assumptions.levers.get(key)
        return found.title(self.lang) if found else key

    def __call__(self, column: rows.Column, value: Any) -> Any:
        if column.kind == "lever":
            return self.lever(str(value))
        if column.kind == "label":
            return value or "-"
        if column.kind == "levers":
            return self.joiner.join(self.lever(k) for k in value)
        if column.kind == "lever_hours":
            return self.joiner.join(self.lever(k) for k, _ in value)
        return value


def _sheet(wb: Any, title: str, headers: Sequence[str], lines: Sequence[Sequence[object]],
           formats: Mapping[int, str], widths: Mapping[int, float], freeze: str = "B2") -> Any:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append(list(headers))
    for line in lines:
        ws.append(list(line))
        text_cells(ws[ws.max_row])  # a label is never a formula
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for col, fmt in formats.items():
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = fmt
    for col in range(1, len(headers) + 1):
        ws.column_dimensions[get_column_letter(col)].width = widths.get(col, WIDTH)
    ws.freeze_panes = freeze
    if lines:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(lines) + 1}"
    return ws


def table_sheet(wb: Any, title: str, table: rows.Table, columns: Sequence[rows.Column],
                cells: Cells, freeze: str = "B2") -> Any:
    """A sheet of a table's rows, laid out in ``columns``: the rows' values, headers in
    the report's language, figures formatted."""
    formats = {i: f for i, c in enumerate(columns, 1) if (f := number_format(c)) is not None}
    widths = {i: c.width for i, c in enumerate(columns, 1) if c.width is not None}
    return _sheet(wb, title, [c.sheet_header(cells.lang) for c in columns],
                  [[cells(c, r[c.key]) for c in columns] for r in table.rows],
                  formats, widths, freeze)


def _total_row(ws: Any, columns: Sequence[rows.Column], count: int, lang: str) -> None:
    """Under the ``count`` rows, a bold total: a formula for each column a total adds."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    last = count + 1
    ws.append([messages.report(lang, "xlsx_total")] + [None] * (len(columns) - 1))
    for i, column in enumerate(columns, 1):
        if column.summed:
            col = get_column_letter(i)
            cell = ws.cell(row=last + 1, column=i, value=f"=SUM({col}2:{col}{last})")
            cell.number_format = HOURS
    for cell in ws[last + 1]:
        cell.font = Font(bold=True)


def write(portfolio: Portfolio, assumptions: Assumptions, lang: str,
          years: list | None = None) -> bytes:
    """The workbook's bytes."""
    from openpyxl import Workbook

    def h(key: str) -> str:
        return messages.report(lang, f"xlsx_{key}")

    tables = rows.portfolio(portfolio, years)
    cells = Cells(assumptions, lang)
    wb = Workbook()
    wb.remove(wb.active)
    ranking = tables.ranking
    columns = ranking.layout(**inventory.LAYOUTS["sheet"])
    ws = table_sheet(wb, h("ranking"), ranking, columns, cells, "D2")
    _total_row(ws, columns, len(ranking.rows), lang)
    table_sheet(wb, h("by_owner"), tables.owners, tables.owners.columns, cells)
    table_sheet(wb, h("by_lever"), tables.levers, tables.levers.columns, cells)
    if tables.plan is not None:
        table_sheet(wb, h("roadmap"), tables.plan, tables.plan.layout(omit=("file",)), cells)
    params = [[key, p.low, p.mode, p.high, p.source] for key, p in assumptions.params.items()]
    _sheet(wb, h("assumptions"), [h("parameter"), h("low"), h("mode"), h("high"),
                                  h("source")], params, {}, {1: 36, 5: 80})
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
