"""The portfolio's ranking as a Parquet file (pyarrow, the ``scale`` extra): the same
table as the CSV (bprkit/report/rows.py, the CSV's columns), laid out as typed
columns for tools that read results at scale. Figures stay numbers; a column of lists
(the levers and their hours) is written as the CSV writes it."""

from __future__ import annotations

import io
from typing import Any

from bprkit.errors import CatalogError
from bprkit.planning import inventory
from bprkit.report import rows


def ranking(result: inventory.Portfolio) -> bytes:
    try:
        import pandas as pd
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise CatalogError("parquet", "portfolio_needs_pyarrow") from exc
    table = rows.ranking(result)
    columns = table.layout(**inventory.LAYOUTS["csv"])
    records = [{c.key: _cell(c, r[c.key]) for c in columns} for r in table.rows]
    frame = pd.DataFrame(records, columns=[c.key for c in columns])
    if "rank" in frame:
        frame["rank"] = frame["rank"].astype("Int64")  # unranked: missing, not 0.0
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _cell(column: rows.Column, value: Any) -> Any:
    """A number or a word as it is; anything else as the CSV writes it (keys)."""
    from bprkit.report.console import csv_value

    if value is None or isinstance(value, str | int | float):
        return value
    return str(csv_value(column, value, "en"))
