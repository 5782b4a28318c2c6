"""Files from other tools into ``.bpr``: BPMN 2.0 (bpmn_import.py) and the Excel time
survey (xlsx_import.py).

The limits of both importers live here, one home each (docs/interop.md lists them).
Each is checked before the part it guards is parsed, so a zip bomb or a file of
millions of rows is refused in a fraction of a second, and nothing is written:

- the ``.bpr`` text an import writes is held to the size ``bprkit check`` reads
  (:data:`bprkit.text.source.MAX_BYTES`, E007), so every file written checks;
- a workbook: its size on disk, the sum of the sizes its zip directory declares
  (zipfile reads no member past its declared size), the rows of a sheet (its
  ``dimension``, then a count of its ``row`` elements, then openpyxl's last row)
  and the cells of the workbook (a count of its ``c`` elements);
- a BPMN file: its size, then its elements as expat reads them.
"""

from __future__ import annotations

import math

from bprkit.errors import CatalogError
from bprkit.text.source import MAX_BYTES as MAX_BPR_BYTES

MB = 1_000_000

MAX_XLSX_BYTES = 20 * MB
"""A workbook's size on disk. A survey of 20,000 rows is about 1 MB zipped; the
rest is room for logos and formatting."""
MAX_XLSX_UNPACKED = 50 * MB
"""The sum of the uncompressed sizes in the workbook's zip directory. A 20,000-row
survey unpacks to some 12 MB; a zip bomb to gigabytes."""
MAX_XLSX_ROWS = 20_000
"""Rows a sheet, the header included: a whole city's survey is a few thousand steps,
and 20,000 rows of the exported layout import in about 15 seconds and 180 MB. Excel's
own limit (1,048,576) took over ten minutes and 2.6 GB."""
MAX_XLSX_CELLS = 500_000
"""Cells (``c`` elements, empty ones included) in the whole workbook: 20,000 rows of
the exported layout's 17 columns is 340,000. openpyxl holds some 400 bytes a cell,
so this keeps a workbook under 250 MB of memory."""
MAX_LOG_BYTES = 500 * MB
"""An event log's size on disk (CSV or XES): 1,000,000 events of a core system's export
are about 104 MB (benchmarks/bench_fit.py)."""
MAX_BPMN_BYTES = 20 * MB
"""A BPMN file's size. bprkit's own export is 5 to 10 times its ``.bpr`` text, so
this holds the export of the largest ``.bpr`` that ``check`` reads."""
MAX_BPMN_ELEMENTS = 500_000
"""XML elements in a BPMN file: about 90 bytes each in real files (some 220,000 in
20 MB); a file of empty elements would otherwise take 800 MB."""


def megabytes(size: int) -> str:
    """``2.1`` for 2,100,000 bytes: sizes in messages, in the same MB as the limits,
    rounded up (20,000,017 bytes is 20.1, never the limit's own 20.0)."""
    return f"{math.ceil(size * 10 / MB) / 10:,.1f}"


def check_input_size(path: str, size: int, limit: int, error: type[CatalogError],
                     key: str) -> None:
    """Refuse an input larger than ``limit`` before reading it (the CLI can call it
    with ``os.path.getsize``; the importers call it with the bytes they are given)."""
    if size > limit:
        raise error(path, key, size=megabytes(size), limit=f"{limit // MB}")


def check_output_size(path: str, name: str, text: str, error: type[CatalogError]) -> None:
    """Refuse an import whose ``.bpr`` text ``bprkit check`` would not read (E007):
    raised before anything is written."""
    size = len(text.encode("utf-8"))
    if size > MAX_BPR_BYTES:
        mib = 2**20  # the MB of E007
        raise error(path, "import_output_too_large", name=name,
                    size=f"{math.ceil(size * 10 / mib) / 10:,.1f}",
                    limit=f"{MAX_BPR_BYTES / mib:.0f}")


def check_file_size(path: str) -> None:
    """Refuse an input file over its limit from its size on disk, before its bytes are
    read (``bprkit import`` reads the whole file, then hands it to the importer, which
    checks the same limit on the bytes)."""
    import os

    size = os.path.getsize(path)
    if path.lower().endswith(".xlsx"):
        from bprkit.interop.xlsx_import import XlsxImportError

        check_input_size(path, size, MAX_XLSX_BYTES, XlsxImportError, "import_xlsx_too_large")
    else:
        from bprkit.interop.bpmn_import import BpmnImportError

        check_input_size(path, size, MAX_BPMN_BYTES, BpmnImportError, "import_too_large")
