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
from collections.abc import Sequence

from bprkit.assumptions.catalog import Assumptions
from bprkit.messages import catalog as messages
from bprkit.model import iter_uses
from bprkit.output import text_cells
from bprkit.render.textfit import columns as display_width
from bprkit.text.loader import CheckReport

COLUMNS = ("process_title", "process", "step_title", "step", "lane", "role", "cases",
           "executions", "minutes", "annual_hours", "paper", "seal", "in_person", "levers",
           "saved_p10", "saved_p50", "saved_p90")
FLAGS = {"paper": "paper", "seal": "seal", "in_person": "in_person"}
MARK = "○"


def _fit(ws: object, caps: dict[str, float], col: dict[str, str]) -> None:
    """Column widths from the text's display width (a Japanese character is two),
    within each column's cap."""
    for name, letter in col.items():
        widest = max((display_width(str(c.value)) for (c,) in ws.iter_rows(  # type: ignore[attr-defined]
            min_row=2, min_col=COLUMNS.index(name) + 1, max_col=COLUMNS.index(name) + 1)
            if c.value is not None and not str(c.value).startswith("=")), default=8)
        ws.column_dimensions[letter].width = min(caps.get(name, 14), max(9, widest + 2))  # type: ignore[attr-defined]


def _print_setup(ws: object) -> None:
    """A3 landscape, one page wide, the header row on every page."""
    ws.page_setup.orientation = "landscape"  # type: ignore[attr-defined]
    ws.page_setup.paperSize = ws.PAPERSIZE_A3  # type: ignore[attr-defined]
    ws.page_setup.fitToWidth = 1  # type: ignore[attr-defined]
    ws.page_setup.fitToHeight = 0  # type: ignore[attr-defined]
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[attr-defined]
    ws.print_title_rows = "1:1"  # type: ignore[attr-defined]


def header(lang: str, key: str) -> str:
    return messages.text(lang, f"survey_{key}")


def export(report: CheckReport, assumptions: Assumptions, *, lang: str = "ja",
           levers: Sequence[str] | None = None, samples: int = 2_000) -> bytes:
    """The workbook of every As-Is process of the checked files."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from bprkit.analysis.records import analyze_process
    from bprkit.estimate.montecarlo import estimate

    wb = Workbook()
    ws = wb.active
    ws.title = header(lang, "sheet")
    ws.append([header(lang, c) for c in COLUMNS])
    col = {name: get_column_letter(k) for k, name in enumerate(COLUMNS, 1)}
    joiner = messages.separator(lang)
    row = 1
    called = {u.process for f in report.files if f.bundle for p in f.bundle.root.processes
              for u in iter_uses(p.flow)}
    for file in report.files:
        bundle = file.bundle
        if bundle is None:
            continue
        for process in bundle.root.processes:
            if process.state == "to_be":
                continue
            if process.volume is None and process.id in called:
                continue  # a shared part: its rows are under each 業務 that uses it
            analysis = analyze_process(process, bundle, with_findings=False)
            est = estimate(process, bundle, assumptions, levers=levers, samples=samples)
            saved = est.staff_hours_saved
            by_step = {s.id: s for s in est.steps}
            total = sum(s.staff_hours_saved or 0.0 for s in est.steps)
            lanes = {lane.id: lane for lane in process.lanes}
            steps = {s.id: s for s in process.steps()}
            cases = analysis.metrics.cases_per_year
            for fig in analysis.steps:
                step, lane = steps.get(fig.id), lanes.get(fig.lane)
                if step is None:  # a step of a used process (課長決裁.起案): counted here too
                    owner, _, sid = fig.id.rpartition(".")
                    callee = bundle.process(owner.split(".")[-1].split("[")[0])
                    step = callee.step(sid) if callee else None
                    lane = callee.lane(step.lane) if callee and step else None
                    if step is None:
                        continue
                row += 1
                s = by_step.get(fig.id)
                share = (s.staff_hours_saved or 0.0) / total if s and total > 0 else 0.0
                ws.append([
                    process.title, process.id, step.title, fig.id,
                    lane.title if lane else fig.lane,
                    messages.text(lang, f"role_{lane.role}") if lane else "",
                    cases, fig.executions, fig.minutes, None,
                    MARK if "paper" in step.tags else None,
                    MARK if "seal" in step.tags else None,
                    MARK if "in_person" in step.tags else None,
                    joiner.join(assumptions.levers[k].title(lang) for k in s.levers
                                if k in assumptions.levers) if s else "",
                    saved.p10 * share if saved else None,
                    saved.p50 * share if saved else None,
                    saved.p90 * share if saved else None])
                text_cells(ws[row])  # a label is never a formula
                if cases is not None:
                    ws[f"{col['annual_hours']}{row}"] = (
                        f"={col['cases']}{row}*{col['executions']}{row}"
                        f"*{col['minutes']}{row}/60")
    last = row
    # staff, resident and external hours are never added together: one total each
    hours, roles = col["annual_hours"], col["role"]
    span = f"{hours}2:{hours}{last}"
    role_span = f"{roles}2:{roles}{last}"
    others = [messages.text(lang, f"role_{r}") for r in ("resident", "external", "system")]
    staff = f"=SUM({span})" + "".join(f'-SUMIF({role_span},"{r}",{span})' for r in others)
    totals = [("total_staff", staff, True),
              ("total_resident", f'=SUMIF({role_span},"{others[0]}",{span})', False),
              ("total_external", f'=SUMIF({role_span},"{others[1]}",{span})', False)]
    bold, grey = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
    for k, (key, formula, savings) in enumerate(totals, 1):
        r = last + k
        ws.cell(row=r, column=1, value=header(lang, key))
        ws[f"{hours}{r}"] = formula
        if savings:  # the savings are staff hours
            for name in ("saved_p10", "saved_p50", "saved_p90"):
                ws[f"{col[name]}{r}"] = f"=SUM({col[name]}2:{col[name]}{last})"
        for cell in ws[r]:
            cell.font = bold
    total_row = last + len(totals)
    for cell in ws[1]:
        cell.font, cell.fill = bold, grey
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    formats = {"cases": "#,##0", "executions": "0.00", "minutes": "0.0",
               "annual_hours": "#,##0.0", "saved_p10": "#,##0.0", "saved_p50": "#,##0.0",
               "saved_p90": "#,##0.0"}
    for name, fmt in formats.items():
        for r in range(2, total_row + 1):
            ws[f"{col[name]}{r}"].number_format = fmt
    _fit(ws, {"process_title": 34, "process": 18, "step_title": 40, "step": 20, "lane": 26,
              "role": 10, "levers": 30}, col)
    ws.row_dimensions[1].height = 42  # the wrapped headers
    centre = Alignment(horizontal="center")
    for name in ("paper", "seal", "in_person"):
        for r in range(2, last + 1):
            ws[f"{col[name]}{r}"].alignment = centre
    ws.freeze_panes = "E2"
    ws.auto_filter.ref = f"A1:{col[COLUMNS[-1]]}{last}"
    _print_setup(ws)
    sources = wb.create_sheet(header(lang, "assumptions"))
    sources.append([header(lang, k) for k in ("parameter", "low", "mode", "high", "source")])
    for key, p in assumptions.params.items():
        sources.append([key, p.low, p.mode, p.high, p.source])
        text_cells(sources[sources.max_row])
    for cell in sources[1]:
        cell.font, cell.fill = bold, grey
    sources.column_dimensions["A"].width = 36
    sources.column_dimensions["E"].width = 70
    for r in range(2, sources.max_row + 1):
        for c in "BCD":
            sources[f"{c}{r}"].number_format = "#,##0.###"
        sources[f"E{r}"].alignment = Alignment(wrap_text=True, vertical="top")
    sources.freeze_panes = "B2"
    _print_setup(sources)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
