"""An Excel time survey (業務量調査) into ``.bpr`` files, one per 業務 (openpyxl).

The layout bprkit exports (bprkit/export/xlsx.py) and its common variants:

- the header row anywhere in the first 15 rows, found by its words (業務名, 工程,
  担当, 件数, 時間 …, in Japanese or English); a header over two rows with merged
  cells (「1件あたり時間」 over 「分」 and 「時間」) is read as one;
- the time per case in minutes (分) or in hours (時間, h), whichever columns exist;
- full-width digits and separators (１，２００), numbers written as text, 「○」「✓」
  「1」「有」 marks for 紙・押印・対面;
- empty rows are skipped; a row without a 業務名 continues the 業務 above (a merged
  業務名 cell).

Each cell that cannot be read is reported with its sheet and address (``Sheet!C7``)
and the row is left out; a workbook with no survey layout is an error naming what
was missing.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from bprkit.errors import CatalogError
from bprkit.imports.bpmn import ROLE_WORD, _guess_role, _label, name_of

HEADERS = {
    "process_title": ("業務名", "業務", "事務名", "procedure", "process"),
    "process": ("業務id", "procedure id", "process id"),
    "step_title": ("工程", "作業", "手順", "step", "task"),
    "step": ("工程id", "step id"),
    "lane": ("担当", "担当者", "担当課", "係", "who", "role holder", "lane"),
    "role": ("役割", "role"),
    "cases": ("件数", "年間件数", "処理件数", "cases"),
    "executions": ("回数", "1件あたり回数", "times"),
    "minutes": ("分", "時間(分)", "1件あたり時間(分)", "所要時間(分)", "minutes"),
    "hours": ("時間(時間)", "1件あたり時間(時間)", "所要時間(時間)", "hours a time"),
    "paper": ("紙", "paper"),
    "seal": ("押印", "seal"),
    "in_person": ("対面", "in person", "in_person"),
}
MARKS = {"○", "〇", "◯", "●", "✓", "✔", "1", "有", "あり", "yes", "y", "x", "true", "レ"}
ROLE_NAMES = {**{v: k for k, v in ROLE_WORD.items()}, **{k: k for k in ROLE_WORD}}


class XlsxImportError(CatalogError):
    exit_code = 1


@dataclass
class Problem:
    sheet: str
    cell: str
    what: str
    detail: str = ""


@dataclass
class Result:
    files: dict[str, str] = field(default_factory=dict)
    """File name (the 業務 id) → ``.bpr`` text."""
    problems: list[Problem] = field(default_factory=list)
    path: str = ""

    @property
    def errors(self) -> bool:
        return bool(self.problems)


def _norm(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).strip().lower()
    return re.sub(r"\s+", " ", text)


def _key(text: str) -> str | None:
    """Which column a header cell names (the most specific words first)."""
    t = _norm(text).replace(" ", "")
    if not t:
        return None
    if ("時間" in t or "hour" in t) and ("年間" in t or "/年" in t or "year" in t):
        return "annual"  # computed by bprkit: read back, not used
    if "削減" in t or "saved" in t or "施策" in t or "lever" in t:
        return "other"
    if "id" in t:
        return "process" if ("業務" in t or "procedure" in t or "process" in t) else "step"
    if "件数" in t or t.startswith("cases"):
        return "cases"
    if "回数" in t or "times" in t:
        return "executions"
    if "(分)" in t or t.endswith("分") or "minute" in t:
        return "minutes"
    if "(時間)" in t or t.endswith("(h)") or t == "時間" or "hoursa" in t:
        return "hours"
    for key, words in HEADERS.items():
        if any(t == _norm(w).replace(" ", "") for w in words):
            return key
    for key in ("process_title", "step_title", "lane", "role", "paper", "seal", "in_person"):
        if any(_norm(w).replace(" ", "") in t for w in HEADERS[key]):
            return key
    return None


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = _norm(value).replace(",", "").replace("、", "")
    text = re.sub(r"(件|回|分|時間|h|min)$", "", text).strip()
    try:
        return float(text)
    except ValueError:
        return None


def _header(ws: object) -> tuple[int, dict[str, int]] | None:
    """The header's last row and each known column (1-based), merged cells and
    two-row headers included."""
    merged = {}
    for rng in ws.merged_cells.ranges:  # type: ignore[attr-defined]
        top = ws.cell(rng.min_row, rng.min_col).value  # type: ignore[attr-defined]
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                merged[(r, c)] = top
    best = None
    for r in range(1, min(ws.max_row, 15) + 1):  # type: ignore[attr-defined]
        cols: dict[str, int] = {}
        for c in range(1, min(ws.max_column, 60) + 1):  # type: ignore[attr-defined]
            here = merged.get((r, c), ws.cell(r, c).value)  # type: ignore[attr-defined]
            below = merged.get((r + 1, c), ws.cell(r + 1, c).value)  # type: ignore[attr-defined]
            key = _key(str(here or ""))
            if below and below != here:  # a two-row header: 「時間」 over 「分」
                joined = _key(f"{here or ''}({below})") or _key(str(below))
                key = joined if joined in ("minutes", "hours") else key or _key(str(below))
            if key and key not in cols:
                cols[key] = c
        if "step_title" in cols and ("minutes" in cols or "hours" in cols):
            # a second header row (「時間」 over 「分」) names a unit and holds no figure;
            # a first data row has figures (and may have any text in 業務名・工程)
            below = [merged.get((r + 1, c), ws.cell(r + 1, c).value)  # type: ignore[attr-defined]
                     for c in cols.values()]
            two = (not any(v is not None and _number(v) is not None for v in below)
                   and any(v and _key(str(v)) in ("minutes", "hours") for v in below))
            best = (r + 1 if two else r, cols)
            break
    return best


def read(path: str, data: bytes, *, lang: str = "ja") -> Result:
    """Every survey sheet of the workbook into ``.bpr`` texts."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise XlsxImportError(path, "import_xlsx_unreadable",
                              detail=f"{type(exc).__name__}: {exc}") from None
    result = Result(path=path)
    found = False
    groups: dict[str, dict[str, object]] = {}
    for ws in wb.worksheets:
        head = _header(ws)
        if head is None:
            continue
        found = True
        last, cols = head
        current: dict[str, object] | None = None
        for r in range(last + 1, ws.max_row + 1):
            def cell(key: str, r: int = r, ws: object = ws, cols: dict = cols) -> object:
                return ws.cell(r, cols[key]).value if key in cols else None  # type: ignore[attr-defined]

            def where(key: str, r: int = r, ws: object = ws, cols: dict = cols) -> str:
                return f"{ws.title}!{get_column_letter(cols[key])}{r}"  # type: ignore[attr-defined]

            values = [ws.cell(r, c).value for c in cols.values()]
            if all(v in (None, "") for v in values):
                continue
            title = cell("step_title")
            if _norm(cell("process_title")).startswith(("合計", "total", "計", "小計")):
                continue
            if title in (None, ""):
                result.problems.append(Problem(ws.title, where("step_title"), "no_step"))
                continue
            name = str(cell("process_title") or "").strip()
            if name:
                current = groups.setdefault(name, {"rows": [], "id": cell("process"),
                                                   "cases": None, "sheet": ws.title})
            elif current is None:
                current = groups.setdefault(ws.title, {"rows": [], "id": None,
                                                       "cases": None, "sheet": ws.title})
            minutes = None
            if "minutes" in cols and cell("minutes") not in (None, ""):
                minutes = _number(cell("minutes"))
                if minutes is None or minutes < 0:
                    result.problems.append(Problem(ws.title, where("minutes"), "not_number",
                                                   str(cell("minutes"))))
                    continue
            elif "hours" in cols and cell("hours") not in (None, ""):
                hours = _number(cell("hours"))
                if hours is None or hours < 0:
                    result.problems.append(Problem(ws.title, where("hours"), "not_number",
                                                   str(cell("hours"))))
                    continue
                minutes = hours * 60
            cases = cell("cases")
            if cases not in (None, ""):
                n = _number(cases)
                if n is None or n < 0:
                    result.problems.append(Problem(ws.title, where("cases"), "not_number",
                                                   str(cases)))
                elif current["cases"] is None:
                    current["cases"] = n
            times = _number(cell("executions")) if cell("executions") not in (None, "") \
                else 1.0
            if times is None:
                result.problems.append(Problem(ws.title, where("executions"), "not_number",
                                               str(cell("executions"))))
                times = 1.0
            tags = [t for t in ("paper", "seal", "in_person")
                    if _norm(cell(t)) in MARKS]
            current["rows"].append({  # type: ignore[union-attr]
                "title": str(title).strip(), "id": cell("step"),
                "lane": str(cell("lane") or "").strip(), "role": _norm(cell("role")),
                "minutes": minutes, "tags": tags, "times": times})
    if not found:
        raise XlsxImportError(path, "import_xlsx_no_header")
    taken: set[str] = set()
    for name, group in groups.items():
        pid = name_of(str(group["id"] or ""), "", set()) if group["id"] else None
        pid = name_of(pid or name, "process", taken)
        result.files[pid] = _text(pid, name, group, lang)
    return result


def _text(pid: str, title: str, group: dict[str, object], lang: str) -> str:
    rows: list[dict[str, object]] = group["rows"]  # type: ignore[assignment]
    taken: set[str] = set()
    lanes: dict[str, str] = {}
    lane_lines = []
    for row in rows:
        lane = str(row["lane"]) or "担当"
        if lane not in lanes:
            lanes[lane] = name_of(lane, "lane", taken)
            role = ROLE_NAMES.get(str(row["role"])) or _guess_role(lane)
            lane_lines.append(f"  lane {lanes[lane]} {_label(lane)} : {ROLE_WORD[role]}")
    out = [f"# imported from the time survey (sheet {group['sheet']}) by bprkit import",
           f"process {pid} {_label(title)} {{"]
    if group["cases"] is not None:
        out.append(f"  volume {group['cases']:g} / 年")
    out += lane_lines
    steps = set()
    for row in rows:
        raw = str(row["id"] or "")
        sid = name_of(raw if "." not in raw else "", str(row["title"]), steps)
        lane = lanes[str(row["lane"]) or "担当"]
        parts = [f"  step {sid}", _label(str(row["title"])), f"@{lane}"]
        tags = {"paper": "紙", "seal": "押印", "in_person": "対面"}
        if row["tags"]:
            parts.append("[" + ", ".join(tags[t] for t in row["tags"]) + "]")  # type: ignore[attr-defined]
        times = float(row["times"])  # type: ignore[arg-type]
        if row["minutes"] is not None:  # a step done 1.1 times a case: its time a case
            parts.append(f"{float(row['minutes']) * times:.4g}分")  # type: ignore[arg-type]
        if times != 1:
            parts.append(f"  # {times:g} × {float(row['minutes'] or 0):.4g}分 in the survey")  # type: ignore[arg-type]
        out.append(" ".join(parts))
    out.append("}")
    return "\n".join(out) + "\n"


def describe(result: Result, lang: str) -> Iterable[str]:
    from bprkit import messages

    for p in result.problems:
        yield f"{result.path}: {p.cell}: " + messages.text(lang, f"import_xlsx_{p.what}",
                                                           value=p.detail)
