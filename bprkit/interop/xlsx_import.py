"""An Excel time survey (業務量調査) into ``.bpr`` files, one per 業務 (openpyxl).

The layout bprkit exports (bprkit/interop/xlsx_export.py) and its common variants:

- the header row anywhere in the first 15 rows, found by its words (業務名, 工程,
  担当, 件数, 時間 …, in Japanese or English); a header over two rows with merged
  cells (「1件あたり時間」 over 「分」 and 「時間」) is read as one;
- the time per case in minutes (分) or in hours (時間, h), whichever columns exist;
- full-width digits and separators (１，２００), numbers written as text, 「○」「✓」
  「1」「有」 marks for 紙・押印・対面;
- empty rows are skipped; a row without a 業務名 continues the 業務 above (a merged
  業務名 cell).

Each cell that cannot be read is reported with its sheet and address (``Sheet!C7``)
and the row is left out, and so is a figure that is negative, not finite (nan, inf)
or above the grammar's largest number; a workbook with no survey layout, or whose
survey sheet has no rows, is an error naming what was missing.

The limits of bprkit.interop.limits (its size, what its zip directory says it unpacks to,
the rows of a sheet, the cells of the workbook, the size of each ``.bpr``) are
checked before the sheet XML is parsed: a zip bomb or a million-row sheet is refused
at once, and nothing is written. Each 業務 is built as a model Process and written by
bprkit.text.writer, with the vocabulary's Japanese words (紙, 分, 年, 窓口).
"""

from __future__ import annotations

import datetime
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from bprkit import vocabulary as vocab
from bprkit.errors import CatalogError
from bprkit.interop.bpmn_import import _guess_role, label_text, name_of
from bprkit.interop.limits import (
    MAX_XLSX_BYTES,
    MAX_XLSX_CELLS,
    MAX_XLSX_ROWS,
    MAX_XLSX_UNPACKED,
    check_input_size,
    check_output_size,
    megabytes,
)
from bprkit.model import (
    Duration,
    FlowItem,
    Lane,
    Period,
    Process,
    Role,
    SourceFile,
    Step,
    Volume,
)
from bprkit.text import writer
from bprkit.text.transformer import MAX_NUMBER
from bprkit.text.writer import number

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
NOTE = re.compile(r"(※|\*|注|備考|出典|参考|note|source)")
"""How a note under a survey's table starts (a row of that one cell)."""
EXAMPLE = re.compile(r"記入例|記載例|入力例|サンプル|sample|example|^例")
"""A sheet's name that says it is a filled-in example, not the office's own figures."""
MARKS = {"○", "〇", "◯", "●", "✓", "✔", "1", "有", "あり", "yes", "y", "x", "true", "レ"}


class XlsxImportError(CatalogError):
    exit_code = 1


@dataclass
class Problem:
    sheet: str
    cell: str
    """The address in the sheet: ``D7``."""
    what: str
    detail: str = ""


NAMED = {"negative", "not_finite", "too_big"}
"""Problems whose message names the sheet and the cell itself (「シート 工程 の D7」)."""


class _Refused(Exception):
    """A cell that leaves its row out."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.what)
        self.problem = problem


@dataclass
class Result:
    files: dict[str, str] = field(default_factory=dict)
    """File name (the 業務 id) → ``.bpr`` text."""
    problems: list[Problem] = field(default_factory=list)
    path: str = ""
    rows: int = 0
    """Rows read into steps."""
    totals: int = 0
    """合計 and 小計 rows passed over."""
    notes: int = 0
    """Notes under the table (※ …, 注 …, 備考 …) passed over."""
    assumed: list[tuple[str, str, str]] = field(default_factory=list)
    """(sheet, header, unit) of each time column whose header names no unit."""
    skipped: list[str] = field(default_factory=list)
    """Sheets not read: a 記入例 (a filled-in example) or a hidden sheet; said, not an
    error."""

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
    if m := re.fullmatch(r"(\d{1,2})月(?:件数|分)?", t):  # a column a month: 4月 … 3月
        return f"month{int(m.group(1))}" if 1 <= int(m.group(1)) <= 12 else None
    if t in ("課名", "課", "所属", "部署", "部局", "所属課", "課・係", "department"):
        return "other"  # the office's own name, not its 業務
    if "作業" in t and "業務" in t:  # 業務内容（作業）: the work a row does
        return "step_title"
    if "件数" in t or t.startswith("cases"):  # 月平均件数, 月間件数: a month's
        return "cases_month" if "月" in t or "month" in t else "cases"
    if "回数" in t or "times" in t:
        return "executions"
    if "(分)" in t or t.endswith("分") or "minute" in t:
        return "minutes"
    if "(時間)" in t or t.endswith("(h)") or t == "時間" or "hoursa" in t:
        return "hours"
    if "時間" in t and not ("年" in t or "月" in t or "合計" in t):  # 1件あたり時間
        return "time"  # no unit: minutes or hours, told by the figures (_unit)
    for key, words in HEADERS.items():
        if any(t == _norm(w).replace(" ", "") for w in words):
            return key
    for key in ("process_title", "step_title", "lane", "role", *vocab.COUNTED_TAGS):
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


def _header(ws: Any) -> tuple[int, dict[str, int]] | None:
    """The header's last row and each known column (1-based), merged cells and
    two-row headers included."""
    merged = {}
    for rng in ws.merged_cells.ranges:
        top = ws.cell(rng.min_row, rng.min_col).value
        for r in range(rng.min_row, min(rng.max_row, 16) + 1):  # the rows looked at
            for c in range(rng.min_col, min(rng.max_col, 60) + 1):
                merged[(r, c)] = top
    best = None
    from openpyxl.utils import get_column_letter

    hidden = {c for c in range(1, min(ws.max_column, 60) + 1)
              if ws.column_dimensions[get_column_letter(c)].hidden}
    for r in range(1, min(ws.max_row, 15) + 1):
        cols: dict[str, int] = {}
        for c in range(1, min(ws.max_column, 60) + 1):
            if c in hidden:  # a hidden column (a 作業コード) is the office's, not read
                continue
            here = merged.get((r, c), ws.cell(r, c).value)
            below = merged.get((r + 1, c), ws.cell(r + 1, c).value)
            key = _key(str(here or ""))
            if below and below != here:  # a two-row header: 「時間」 over 「分」
                joined = _key(f"{here or ''}({below})") or _key(str(below))
                key = joined if joined in ("minutes", "hours") else key or _key(str(below))
            if key and key not in cols:
                cols[key] = c
        # a time column without a unit counts only in its own row (not read from below)
        unitless = "time" in cols and merged.get((r, cols["time"]),
                                                 ws.cell(r, cols["time"]).value)
        if "step_title" in cols and ("minutes" in cols or "hours" in cols or unitless):
            # a second header row (「時間」 over 「分」) names a unit and holds no figure;
            # a first data row has figures (and may have any text in 業務名・工程)
            below = [merged.get((r + 1, c), ws.cell(r + 1, c).value)
                     for c in cols.values()]
            two = (not any(v is not None and _number(v) is not None for v in below)
                   and any(v and _key(str(v)) in ("minutes", "hours") for v in below))
            best = (r + 1 if two else r, cols)
            break
    return best


_NAME = rb"<(?:[A-Za-z_][\w.-]*:)?"
"""An element's start, with any namespace prefix."""
_QUOTED = rb"(?:[^>\"']|\"[^\"]*\"|'[^']*')*?"
"""Attributes up to the one wanted (a quoted value may hold '>')."""
_TAG = re.compile(_NAME + rb"(row|c)[\s/>]")
"""A row or a cell element of a sheet."""
_RANGE = re.compile(_NAME + rb"(?:mergeCell|hyperlink)\s" + _QUOTED
                    + rb"\bref\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
"""A merged range or a hyperlink's range: openpyxl makes a cell for each cell in it."""
_DIMENSION = re.compile(_NAME + rb"dimension\s" + _QUOTED
                        + rb"\bref\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_CHUNK = 1 << 20


def _area(ref: bytes) -> int:
    """The cells of a range such as ``A1:C20`` (a whole column or row: Excel's size)."""
    import html

    from openpyxl.utils.cell import range_boundaries

    total = 0
    for part in html.unescape(ref.decode("utf-8", "replace")).split():  # &#49; is 1
        try:
            c1, r1, c2, r2 = range_boundaries(part)
        except (ValueError, TypeError):
            continue  # openpyxl refuses it too when it reads the sheet
        rows = (r2 or 1_048_576) - (r1 or 1) + 1
        cols = (c2 or 16_384) - (c1 or 1) + 1
        total += max(rows, 1) * max(cols, 1)
    return total


def _last_row(ref: bytes) -> int:
    """The last row a ``dimension`` names (``A1:L20001`` → 20001)."""
    import html

    text = html.unescape(ref.decode("utf-8", "replace"))
    return max((int(d) for d in re.findall(r"\d+", text)), default=0)


def _rows_error(path: str, sheet: str) -> XlsxImportError:
    return XlsxImportError(path, "import_xlsx_rows", sheet=sheet, limit=f"{MAX_XLSX_ROWS:,}")


def _scan(path: str, archive: zipfile.ZipFile, sheets: list[tuple[str, str]]) -> None:
    """The limits on a sheet's rows and the workbook's cells, read from the sheet XML
    as a stream of bytes before openpyxl parses it: the ``dimension`` first, then a
    count of the ``row`` and ``c`` elements and of the cells of merged ranges and
    hyperlinks (openpyxl makes a cell for each)."""
    cells = 0
    for title, part in sheets:
        rows, carry, first = 0, b"", True
        with archive.open(part) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                buf = carry + chunk
                carry = b""
                if chunk:  # the element cut at the chunk's end waits for the next one
                    cut = buf.rfind(b"<")  # never inside a value: XML escapes '<' there
                    if cut != -1:
                        carry, buf = buf[cut:], buf[:cut]
                if first and buf:
                    first = False
                    m = _DIMENSION.search(buf)
                    if m and _last_row(m.group(1) or m.group(2) or b"") > MAX_XLSX_ROWS:
                        raise _rows_error(path, title)
                tags = _TAG.findall(buf)
                found = tags.count(b"row")
                rows += found
                cells += len(tags) - found + sum(_area(a or b) for a, b in _RANGE.findall(buf))
                if rows > MAX_XLSX_ROWS:
                    raise _rows_error(path, title)
                if cells > MAX_XLSX_CELLS:
                    raise XlsxImportError(path, "import_xlsx_cells",
                                          limit=f"{MAX_XLSX_CELLS:,}")
                if not chunk:
                    break


class _Prolog(Exception):
    """The root element is reached: the part has no DOCTYPE."""


def _no_doctype(path: str, archive: zipfile.ZipFile) -> None:
    """Refuse a part with a DOCTYPE: its entities would grow the XML past the sizes
    the zip directory declares (and OOXML allows none). Only each part's prolog is
    read, up to its root element."""
    from xml.parsers import expat

    def stop(*_: object) -> None:
        raise _Prolog

    for info in archive.infolist():
        def refuse(*_: object, part: str = info.filename) -> None:
            raise XlsxImportError(path, "import_xlsx_doctype", part=part)

        parser = expat.ParserCreate()
        parser.StartElementHandler = stop
        parser.StartDoctypeDeclHandler = refuse
        with archive.open(info) as fh:
            try:
                while chunk := fh.read(1 << 16):
                    parser.Parse(chunk, False)
            except (_Prolog, expat.ExpatError):
                continue  # the root element, or not XML (an image): openpyxl decides


def load_workbook(path: str, data: bytes) -> Any:
    """The workbook, once its limits are checked: the file's size, the sizes in its
    zip directory, DOCTYPEs, then each sheet's rows and the cells (:func:`_scan`),
    before openpyxl parses a sheet."""
    from openpyxl.reader.excel import ExcelReader

    check_input_size(path, len(data), MAX_XLSX_BYTES, XlsxImportError,
                     "import_xlsx_too_large")
    try:
        reader = ExcelReader(io.BytesIO(data), data_only=True)
        unpacked = sum(info.file_size for info in reader.archive.infolist())
        if unpacked > MAX_XLSX_UNPACKED:
            raise XlsxImportError(path, "import_xlsx_unpacked", size=megabytes(unpacked),
                                  limit=f"{MAX_XLSX_UNPACKED // 1_000_000}")
        _no_doctype(path, reader.archive)
        reader.read_manifest()
        reader.read_workbook()  # the list of sheets: workbook.xml and its relations
        sheets = [(sheet.name, rel.target) for sheet, rel in reader.parser.find_sheets()
                  if rel.target in reader.valid_files]
        _scan(path, reader.archive, sheets)
        reader.read()
        wb = reader.wb
    except XlsxImportError:
        raise
    except Exception as exc:  # openpyxl and zipfile raise many kinds for a bad file
        raise XlsxImportError(path, "import_xlsx_unreadable",
                              detail=f"{type(exc).__name__}: {exc}") from None
    for ws in wb.worksheets:  # a last guard: a cell's own address (r="A900000")
        if ws.max_row > MAX_XLSX_ROWS:
            raise _rows_error(path, ws.title)
    return wb


def _figure(ws: Any, r: int, cols: dict[str, int], key: str) -> float | None:
    """The number in a row's cell, None when the column or the value is missing. A
    cell that is not a number, or is negative, not finite or larger than the grammar
    reads (bprkit.text.transformer.MAX_NUMBER), refuses its row."""
    if key not in cols:
        return None
    value = ws.cell(r, cols[key]).value
    if value in (None, ""):
        return None
    if isinstance(value, datetime.time | datetime.timedelta) and key in ("minutes", "hours"):
        # an h:mm cell (0:15, 1:30): a time of day or a duration, read as minutes
        minutes = (value.total_seconds() if isinstance(value, datetime.timedelta) else
                   value.hour * 3600 + value.minute * 60 + value.second) / 60
        return minutes if key == "minutes" else minutes / 60
    n = _number(value)
    what = ("not_number" if n is None else "not_finite" if not math.isfinite(n)
            else "negative" if n < 0 else "too_big" if n > MAX_NUMBER else "")
    if what:
        raise _Refused(Problem(ws.title, _address(cols, key, r), what, str(value)))
    return n


@dataclass
class _Row:
    """One step of the survey, as read."""

    title: str
    id: object
    lane: str
    role: str
    minutes: float | None
    """A case's time for one execution."""
    tags: tuple[str, ...]
    times: float
    """Executions a case."""
    cases: float | None = None
    """The row's own case count, where it has one (a step done for fewer cases than
    its 業務's volume runs for that share of them)."""
    period: Period = "year"


@dataclass
class _Group:
    """One 業務: the rows under one 業務名."""

    id: object
    sheet: str
    cases: float | None = None
    period: Period = "year"
    """What the cases count: a year's, or a month's (月平均件数, 月間件数)."""
    rows: list[_Row] = field(default_factory=list)


@dataclass
class _Cells:
    """One row of a sheet, by column."""

    ws: Any
    r: int
    cols: dict[str, int]

    def __getitem__(self, key: str) -> object:
        return self.ws.cell(self.r, self.cols[key]).value if key in self.cols else None

    def address(self, key: str) -> str:
        return _address(self.cols, key, self.r)

    def figure(self, key: str) -> float | None:
        return _figure(self.ws, self.r, self.cols, key)

    def refused(self, key: str, what: str) -> _Refused:
        return _Refused(Problem(self.ws.title, self.address(key), what, str(self[key])))


def read(path: str, data: bytes, *, lang: str = "ja") -> Result:
    """Every survey sheet of the workbook into ``.bpr`` texts."""
    wb = load_workbook(path, data)
    result = Result(path=path)
    found: list[str] = []
    groups: dict[str, _Group] = {}
    for ws in wb.worksheets:
        if ws.sheet_state != "visible" or EXAMPLE.search(_norm(ws.title)):
            result.skipped.append(ws.title)  # a filled-in example, or a hidden sheet
            continue
        head = _header(ws)
        if head is not None:
            found.append(ws.title)
            last, cols = head
            if "time" in cols and "minutes" not in cols and "hours" not in cols:
                unit = _unit(ws, last, cols["time"])
                cols[unit] = cols.pop("time")
                result.assumed.append((ws.title, str(ws.cell(last, cols[unit]).value),
                                       unit))
            _read_sheet(ws, last, cols, groups, result)
    if not found and result.skipped:  # only a 記入例 (or hidden sheets): say which
        from bprkit.messages import catalog as messages

        raise XlsxImportError(path, "import_xlsx_only_skipped",
                              sheets=messages.separator(lang).join(result.skipped))
    if not found:
        raise XlsxImportError(path, "import_xlsx_no_header")
    groups = {name: group for name, group in groups.items() if group.rows}
    if not groups and not result.problems:  # a header and nothing under it
        from bprkit.messages import catalog as messages

        raise XlsxImportError(path, "import_xlsx_no_rows",
                              sheet=messages.separator(lang).join(found))
    taken: set[str] = set()
    for name, group in groups.items():
        pid = name_of(str(group.id or ""), "", set()) if group.id else None
        pid = name_of(pid or name, "process", taken)
        result.files[pid] = _text(pid, name, group)
    for pid, text in result.files.items():  # nothing is written if one is too large
        check_output_size(path, f"{pid}.bpr", text, XlsxImportError)
    return result


def _unit(ws: Any, last: int, col: int) -> str:
    """The unit of a time column whose header names none (「1件あたり時間」): hours when
    every figure is 8 or less and one has a fraction (0.25, 1.5), else minutes."""
    figures = [n for r in range(last + 1, min(ws.max_row, last + 500) + 1)
               if (n := _number(ws.cell(r, col).value)) is not None]
    fractions = any(n != int(n) for n in figures)
    return "hours" if figures and max(figures) <= 8 and fractions else "minutes"


def _read_sheet(ws: Any, last: int, cols: dict[str, int], groups: dict[str, _Group],
                result: Result) -> None:
    """The rows under a sheet's header, each into its 業務 (a row without a 業務名
    continues the one above); a row that cannot be read is a problem, left out."""
    current: _Group | None = None
    for r in range(last + 1, ws.max_row + 1):
        cells = _Cells(ws, r, cols)
        if all(cells[key] in (None, "") for key in cols):
            continue
        if any(_norm(cells[key]).startswith(("合計", "total", "計", "小計", "subtotal"))
               for key in ("process_title", "step_title")):
            result.totals += 1
            continue
        filled = [cells[key] for key in cols if cells[key] not in (None, "")]
        if len(filled) == 1 and NOTE.match(_norm(filled[0])):
            result.notes += 1  # 「※ 件数は令和7年度の実績」 under the table
            continue
        if cells["step_title"] in (None, ""):
            result.problems.append(Problem(ws.title, cells.address("step_title"), "no_step"))
            continue
        name = str(cells["process_title"] or "").strip()
        if name:
            current = groups.setdefault(name, _Group(cells["process"], ws.title))
        elif current is None:
            current = groups.setdefault(ws.title, _Group(None, ws.title))
        try:
            minutes, cases, times = _figures_of(cells)
            monthly = cells.figure("cases_month") if cases is None else None
        except _Refused as refused:
            result.problems.append(refused.problem)
            continue
        if current.cases is None and (cases is not None or monthly is not None):
            current.cases, current.period = (cases, "year") if cases is not None else (
                monthly, "month")
        result.rows += 1
        current.rows.append(_Row(
            str(cells["step_title"]).strip(), cells["step"],
            # a sheet a 係 (no 担当 column): the sheet is who does the work
            str(cells["lane"] or "").strip() if "lane" in cols else ws.title,
            _norm(cells["role"]), minutes,
            tuple(t for t in vocab.COUNTED_TAGS if _norm(cells[t]) in MARKS),
            times, cases if cases is not None else monthly,
            "year" if cases is not None else "month"))


def _figures_of(cells: _Cells) -> tuple[float | None, float | None, float]:
    """A row's minutes (from hours where the sheet gives those), cases and executions;
    a figure that cannot be read, or a time a case past the grammar's largest number,
    refuses the row."""
    minutes = cells.figure("minutes")
    if minutes is None and (hours := cells.figure("hours")) is not None:
        minutes = hours * 60
        if minutes > MAX_NUMBER:
            raise cells.refused("hours", "too_big")
    cases = cells.figure("cases")
    months = [cells.figure(f"month{n}") for n in range(1, 13) if f"month{n}" in cells.cols]
    if cases is None and any(m is not None for m in months):  # 4月 … 3月: a year's sum
        cases = sum(m for m in months if m is not None)
    times = cells.figure("executions")
    times = 1.0 if times is None else times
    if minutes is not None and minutes * times > MAX_NUMBER:
        raise cells.refused("executions", "too_big")
    return minutes, cases, times


def _address(cols: dict[str, int], key: str, r: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(cols[key])}{r}" if key in cols else f"{r}"


def _rounded(value: float) -> float:
    """A figure's fraction cut to six significant digits (10.3704, not
    10.370370370370372; 0.0000123); whole numbers stay whole (1,234,567)."""
    if value == 0:
        return 0.0
    digits = math.floor(math.log10(abs(value))) + 1
    return round(value, max(0, 6 - digits))


def _figures(value: float) -> str:
    """A figure as the writer writes numbers (bprkit.text.writer.number), rounded."""
    return number(_rounded(value))


def _text(pid: str, title: str, group: _Group) -> str:
    """One 業務 as a process, through the writer: its lanes in the order the rows name
    them, a step a row (its time a case: a step done 1.1 times a case takes 1.1 times
    its time, said in a remark)."""
    taken: set[str] = set()
    lanes: dict[str, Lane] = {}
    for row in group.rows:
        lane = row.lane or "担当"
        if lane not in lanes:
            role = vocab.lookup(vocab.ROLES, row.role) or _guess_role(lane)
            lanes[lane] = Lane(name_of(lane, "lane", taken), cast(Role, role),
                               label_text(lane))
    remarks = writer.Remarks()
    steps: set[str] = set()
    flow: list[FlowItem] = []
    for row in group.rows:
        raw = str(row.id or "")
        # a row done for fewer (or more) cases than its 業務's volume: for that share
        share = (row.cases / group.cases if row.cases is not None and group.cases
                 and row.period == group.period else 1.0)
        time = (_rounded(row.minutes * row.times * share) if row.minutes is not None
                else None)
        step = Step(name_of(raw if "." not in raw else "", row.title, steps),
                    lanes[row.lane or "担当"].id, label_text(row.title), tags=row.tags,
                    duration=Duration(time, time, "min") if time is not None else None)
        said = []
        if row.times != 1:
            said.append(f"{_figures(row.times)} × {_figures(row.minutes or 0)}分")
        if share != 1:
            said.append(f"{_figures(row.cases or 0)} of {_figures(group.cases or 0)} cases")
        if said:
            remarks.add(step, ", ".join(said) + " in the survey")
        flow.append(step)
    volume = None if group.cases is None else Volume(_rounded(group.cases), group.period)
    process = Process(pid, label_text(title), volume=volume, lanes=tuple(lanes.values()),
                      flow=tuple(flow))
    return writer.write(SourceFile(pid, (), (process,)), words=writer.JAPANESE,
                        remarks=remarks, compact=True,
                        header=f"imported from the time survey (sheet {group.sheet}) "
                               "by bprkit import")


def describe(result: Result, lang: str) -> Iterable[str]:
    from bprkit.messages import catalog as messages

    for sheet in result.skipped:
        yield f"{result.path}: " + messages.text(lang, "import_xlsx_skipped", sheet=sheet)
    for sheet, header, unit in result.assumed:
        yield f"{result.path}: " + messages.text(
            lang, "import_xlsx_unit_assumed", sheet=sheet, header=header,
            unit=messages.text(lang, f"import_xlsx_unit_{unit}"))
    for p in result.problems:
        if p.what in NAMED:  # 「シート 工程 の D7: …」 / "sheet Steps, cell D7: …"
            yield f"{result.path}: " + messages.text(lang, f"import_xlsx_{p.what}",
                                                     sheet=p.sheet, cell=p.cell,
                                                     value=p.detail,
                                                     limit=f"{MAX_NUMBER:,.0f}")
        else:
            yield f"{result.path}: {p.sheet}!{p.cell}: " + messages.text(
                lang, f"import_xlsx_{p.what}", value=p.detail)
    # the last word: what was read, passed over and assumed, in numbers
    yield f"{result.path}: " + messages.text(
        lang, "import_xlsx_summary", rows=result.rows, processes=len(result.files),
        totals=result.totals, notes=result.notes, refused=len(result.problems),
        sheets=len(result.skipped), assumed=len(result.assumed))
