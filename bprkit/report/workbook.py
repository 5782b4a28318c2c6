"""``bprkit portfolio --format xlsx``: the ranking as an Excel workbook (openpyxl).

Sheets: the ranking (one row a procedure, totals as formulas), by department, by
lever, the roadmap when a roadmap file is given, and the assumptions with their
sources. Headers in the report's language; numbers formatted, filters on, the
header row and the names frozen.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from bprkit.assumptions.catalog import Assumptions
from bprkit.messages import catalog as messages
from bprkit.output import text_cells
from bprkit.planning.inventory import Portfolio

HOURS = "#,##0"
DECIMAL = "#,##0.0"

RANKING = ("rank", "process", "title", "owner", "file", "cases", "staff_hours", "yen",
           "saved_p10", "saved_p50", "saved_p90", "resident", "visits", "paper", "seal",
           "in_person", "payback_years", "peak_staff", "levers")
SUMMED = {"staff_hours", "yen", "saved_p10", "saved_p50", "saved_p90", "resident", "visits",
          "paper", "seal", "in_person"}


def _sheet(wb: Any, title: str, headers: Sequence[str], rows: Sequence[Sequence[object]],
           formats: Mapping[int, str], widths: Mapping[int, float], freeze: str = "B2") -> Any:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
        text_cells(ws[ws.max_row])  # a label is never a formula
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for col, fmt in formats.items():
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = fmt
    for col in range(1, len(headers) + 1):
        ws.column_dimensions[get_column_letter(col)].width = widths.get(col, 12)
    ws.freeze_panes = freeze
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    return ws


def write(portfolio: Portfolio, assumptions: Assumptions, lang: str,
          years: list | None = None) -> bytes:
    """The workbook's bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    def h(key: str) -> str:
        return messages.report(lang, f"xlsx_{key}")

    def lever(key: str) -> str:
        found = assumptions.levers.get(key)
        return found.title(lang) if found else key

    joiner = messages.separator(lang)
    wb = Workbook()
    wb.remove(wb.active)
    rows = []
    for n, r in enumerate(portfolio.rows, 1):
        rows.append([n if r.ranked else None, r.process, r.title, r.owner, r.file,
                     r.cases_per_year, r.staff_hours, r.yen, r.saved_p10, r.saved_p50,
                     r.saved_p90, r.resident_hours_saved, r.visits_saved,
                     r.touches_removed["paper"], r.touches_removed["seal"],
                     r.touches_removed["in_person"], r.payback_years, r.peak_staff,
                     joiner.join(lever(k) for k, _ in r.levers)])
    formats = {i + 1: HOURS for i, name in enumerate(RANKING) if name in SUMMED or
               name == "cases"}
    formats[RANKING.index("payback_years") + 1] = DECIMAL
    formats[RANKING.index("peak_staff") + 1] = DECIMAL
    widths = {2: 16, 3: 30, 4: 14, 5: 28, 19: 36}
    ws = _sheet(wb, h("ranking"), [h(k) for k in RANKING], rows, formats, widths, "D2")
    last = len(rows) + 1
    total = [h("total")] + [None] * (len(RANKING) - 1)
    ws.append(total)
    for i, name in enumerate(RANKING, 1):
        if name in SUMMED:
            col = get_column_letter(i)
            cell = ws.cell(row=last + 1, column=i, value=f"=SUM({col}2:{col}{last})")
            cell.number_format = HOURS
    for cell in ws[last + 1]:
        cell.font = Font(bold=True)
    _sheet(wb, h("by_owner"), [h("owner"), h("procedures"), h("staff_hours"), h("saved_p50")],
           [[g["owner"] or "-", g["procedures"], g["staff_hours"], g["saved_p50"]]
            for g in portfolio.by_owner()], {3: HOURS, 4: HOURS}, {1: 24})
    _sheet(wb, h("by_lever"), [h("lever"), h("procedures"), h("saved_p50")],
           [[lever(str(g["lever"])), g["procedures"], g["staff_hours_saved"]]
            for g in portfolio.by_lever()], {3: HOURS}, {1: 24})
    if years is not None:
        _sheet(wb, h("roadmap"), [h("year"), h("process"), h("title"), h("levers"),
                                  h("saved_p50"), h("cumulative")],
               [[y.year, row.process, row.title, joiner.join(lever(k) for k in used), hours,
                 y.cumulative] for y in years for row, used, hours in y.procedures],
               {5: HOURS, 6: HOURS}, {2: 16, 3: 30, 4: 36})
    params = [[key, p.low, p.mode, p.high, p.source] for key, p in assumptions.params.items()]
    _sheet(wb, h("assumptions"), [h("parameter"), h("low"), h("mode"), h("high"),
                                  h("source")], params, {}, {1: 36, 5: 80})
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
