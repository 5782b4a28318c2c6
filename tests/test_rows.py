"""Each result builds its rows once; text, CSV, JSON, HTML, the workbooks and the
DataFrames only lay them out (issue 22, bprkit/report/rows.py).

The proofs: every writer shows the same figure for the same row; a figure changed in
the rows changes in every writer (none reads the result behind the rows); a column
added to the rows appears in the CSV, the workbook, the JSON and the DataFrame without
a writer being touched; a layout cannot name a column the rows do not carry; staff,
resident and external hours stay in columns of their own.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import json
import math
from collections.abc import Callable, Iterator
from contextlib import redirect_stdout
from typing import Any

import pytest

from bprkit.assumptions import catalog as assumptions_module
from bprkit.messages import catalog as messages
from bprkit.planning import inventory
from bprkit.report import build, console, html, rows, workbook

from .conftest import PROCESSES

FIGURES = ("cases_per_year", "staff_hours", "yen", "saved_p10", "saved_p50", "saved_p90",
           "resident_hours_saved", "visits_saved", "payback_years", "peak_staff")


@pytest.fixture(scope="module")
def portfolio() -> inventory.Portfolio:
    return inventory.build([str(PROCESSES)], samples=200, jobs=1)


def _out(fn: Callable[[], object]) -> str:
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        fn()
    return buffer.getvalue()


def _same(got: Any, want: Any) -> bool:
    if got is None or want is None:
        return got is want
    return math.isclose(got, want, rel_tol=1e-14)


def _csv(result: inventory.Portfolio) -> list[dict[str, str]]:
    text = _out(lambda: console.print_portfolio_as("csv", result, None, None, "en"))
    return list(csv.DictReader(io.StringIO(text)))


def _json(result: inventory.Portfolio) -> list[dict[str, Any]]:
    text = _out(lambda: console.print_portfolio_as("json", result, None, None, "en"))
    return json.loads(text)["ranking"]


def _sheet(result: inventory.Portfolio) -> list[dict[str, Any]]:
    """The workbook's ranking sheet read back, keyed by the rows' column keys."""
    openpyxl = pytest.importorskip("openpyxl")
    data = workbook.write(result, assumptions_module.default(), "en")
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    columns = rows.ranking(result).layout(**inventory.LAYOUTS["sheet"])
    head = [c.value for c in ws[1]]
    assert head == [c.sheet_header("en") for c in columns]
    return [{c.key: ws.cell(row=n, column=i).value for i, c in enumerate(columns, 1)}
            for n in range(2, len(result.rows) + 2)]


def _frame(result: inventory.Portfolio) -> list[dict[str, Any]]:
    pytest.importorskip("pandas")
    df = inventory.frames(result).ranking
    return [{k: (None if isinstance(v, float) and math.isnan(v) else v)
             for k, v in rec.items()} for rec in df.to_dict("records")]


def _html(result: inventory.Portfolio) -> list[dict[str, Any]]:
    """The page's ranking (its context), without the procedures' sections."""
    a = assumptions_module.default()
    report = build.Report(("processes",), build.Options(lang="en", backtest=None), result, [],
                          None, None, a, None, None, datetime.datetime.now())

    def t(key: str, **args: object) -> str:
        return messages.report("en", key, **args)

    context = html._context(report, t, str)
    ranking = context["ranking"]
    assert isinstance(ranking, list)
    return ranking


def _text(result: inventory.Portfolio) -> Iterator[tuple[dict[str, Any], str]]:
    """Each ranked row of the text ranking with the line of its figures."""
    lines = _out(lambda: console.print_portfolio_as("text", result, None, None,
                                                    "en")).splitlines()
    for r in rows.ranking(result).rows:
        if r["rank"] is None:
            continue
        head = next(n for n, line in enumerate(lines)
                    if line.startswith(f"  {r['rank']:>3}. {r['process']} "))
        yield r, lines[head + (2 if r["peak_staff"] is not None else 1)]


def test_every_writer_shows_the_same_figure_for_the_same_row(
        portfolio: inventory.Portfolio) -> None:
    table = rows.ranking(portfolio)
    assert len(table.rows) == len(portfolio.rows) >= 14
    got = {"csv": _csv(portfolio), "json": _json(portfolio), "sheet": _sheet(portfolio),
           "frame": _frame(portfolio), "html": _html(portfolio)}
    for n, r in enumerate(table.rows):
        assert got["json"][n]["process"] == got["csv"][n]["process"] == r["process"]
        assert got["sheet"][n]["process"] == got["frame"][n]["process"] == r["process"]
        assert got["sheet"][n]["rank"] == r["rank"] and got["frame"][n]["rank"] == r["rank"]
        for key in FIGURES:
            value = r[key]
            assert got["json"][n][key] == value, key
            assert _same(got["sheet"][n][key], value), key  # the file keeps 15 digits
            assert got["csv"][n][key] == ("" if value is None else f"{value:.2f}"), key
            assert got["frame"][n][key] == value, key
        for key, page_key in (("staff_hours", "staff_hours"), ("saved_p50", "saved"),
                              ("saved_p10", "p10"), ("saved_p90", "p90"),
                              ("cases_per_year", "cases"), ("visits_saved", "visits"),
                              ("resident_hours_saved", "resident")):
            assert got["html"][n][page_key] == table.show(r, key)
    for r, line in _text(portfolio):
        for key in ("staff_hours", "saved_p10", "saved_p50", "saved_p90",
                    "resident_hours_saved", "visits_saved"):
            assert table.show(r, key) in line, (key, line)


def test_a_figure_changed_in_the_rows_changes_in_every_writer(
        portfolio: inventory.Portfolio, monkeypatch: pytest.MonkeyPatch) -> None:
    """No writer reads the result behind the rows: change a figure in the rows, and
    every output shows the changed figure."""
    record = inventory.record

    def changed(rank: int, row: inventory.Row) -> dict[str, Any]:
        return {**record(rank, row), "staff_hours": 12_345.0}

    monkeypatch.setattr(inventory, "record", changed)
    ranked = [n for n, r in enumerate(portfolio.rows) if r.ranked]
    for name, got in (("csv", _csv(portfolio)), ("json", _json(portfolio)),
                      ("sheet", _sheet(portfolio)), ("frame", _frame(portfolio))):
        want = "12345.00" if name == "csv" else 12_345.0
        assert {got[n]["staff_hours"] for n in ranked} == {want}, name
    assert {_html(portfolio)[n]["staff_hours"] for n in ranked} == {"12,345"}
    assert all("12,345" in line for _, line in _text(portfolio))


def test_a_column_added_to_the_rows_appears_in_every_layout(
        portfolio: inventory.Portfolio, monkeypatch: pytest.MonkeyPatch) -> None:
    """A column the rows carry reaches the CSV, the workbook, the JSON and the DataFrame
    with no writer touched: only the rows (and the catalogs' headers) know of it."""
    record = inventory.record

    def added(rank: int, row: inventory.Row) -> dict[str, Any]:
        return {**record(rank, row), "counters_saved": float(rank)}

    monkeypatch.setattr(inventory, "record", added)
    monkeypatch.setattr(inventory, "RANKING", (*inventory.RANKING, "counters_saved"))
    for lang in messages.LANGUAGES:
        monkeypatch.setitem(messages.catalog(lang)["csv"], "counters_saved", "counters_saved")
        monkeypatch.setitem(messages.catalog(lang)["report"], "xlsx_counters_saved",
                            "Counters saved")
    want = [float(n) for n in range(1, len(portfolio.rows) + 1)]
    assert [float(r["counters_saved"]) for r in _csv(portfolio)] == want
    assert [r["counters_saved"] for r in _json(portfolio)] == want
    assert [r["counters_saved"] for r in _sheet(portfolio)] == want  # before the levers
    frame = inventory.frames(portfolio).ranking
    assert list(frame["counters_saved"]) == want
    assert list(frame.columns)[-2:] == ["counters_saved", "levers"]  # the layout's place


def test_a_layout_names_only_columns_the_rows_carry(portfolio: inventory.Portfolio) -> None:
    table = rows.ranking(portfolio)
    for output in inventory.LAYOUTS:
        assert set(inventory.layout(output)) <= set(table.keys)
    with pytest.raises(KeyError):
        table.layout(first=("no_such_column",))
    with pytest.raises(KeyError):
        inventory.arrange(inventory.RANKING, omit=("no_such_column",))
    with pytest.raises(KeyError):
        table.column("no_such_column")
    with pytest.raises(ValueError, match="does not carry"):
        rows.Table(table.columns, ({"rank": 1},))
    assert set(table.keys) == set(inventory.RANKING)


def test_staff_resident_and_external_hours_stay_apart(portfolio: inventory.Portfolio) -> None:
    """Each column holds one person's hours or none, and a step's hours are in one."""
    from bprkit.analysis.records import analyze_process
    from bprkit.text.loader import check_files

    tables = rows.portfolio(portfolio)
    for table in (tables.ranking, tables.owners, tables.levers,
                  rows.Table(rows.ESTIMATE_STEPS), rows.Table(rows.ANALYSIS_STEPS)):
        for c in table.columns:
            assert c.whose in (None, *rows.HOURS_OF)
    assert tables.ranking.column("resident_hours_saved").whose == "resident"
    assert tables.ranking.column("staff_hours").whose == "staff"
    with pytest.raises(ValueError):
        rows.Column("all_hours", whose="staff+resident")
    report = check_files([str(PROCESSES / "tenshutsu.bpr")])
    bundle = report.files[0].bundle
    assert bundle is not None
    steps = rows.analysis_steps([analyze_process(p, bundle) for p in bundle.root.processes])
    whose = [c.key for c in steps.columns if c.whose]
    assert whose == ["staff_hours", "resident_hours", "external_hours"]
    assert all(sum(r[k] is not None for k in whose) <= 1 for r in steps.rows)
    assert any(r["resident_hours"] is not None for r in steps.rows)


def test_the_estimate_csv_writer_lays_out_the_same_rows_as_the_cli() -> None:
    """console.print_estimate_csv, from the estimate's rows, writes the bytes the CLI
    writes (the CLI's own loop can call it)."""
    from bprkit.cli import main
    from bprkit.estimate.montecarlo import estimate
    from bprkit.text.loader import check_files

    path = str(PROCESSES / "tenshutsu.bpr")
    report = check_files([path])
    bundle = report.files[0].bundle
    assert bundle is not None
    result = estimate(bundle.root.processes[0], bundle, assumptions_module.default(),
                      samples=500, seed=7)
    for lang in messages.LANGUAGES:
        argv = ["estimate", path, "--format", "csv", "--lang", lang, "--samples", "500",
                "--seed", "7"]
        cli = _out(functools.partial(main, argv))
        mine = _out(functools.partial(console.print_estimate_csv, result.to_dict(), lang))
        assert mine == cli
