"""The rows of each result, built once; the writers only lay them out (issue 22).

A :class:`Table` is columns and rows. A row holds each column's value as it was
computed: no rounding and no language (levers, statuses, kinds and roles by their
machine keys). The :class:`Column` says what the value is: its header (the catalog's
``[csv]`` table; the workbook's ``xlsx_`` texts), whose hours they are, how many
decimals a reader is shown, whether a total adds it up. Text and CSV
(bprkit/report/console.py), JSON, HTML (bprkit/report/html.py), the workbooks
(bprkit/report/workbook.py, bprkit/interop/xlsx_export.py) and the DataFrames
(bprkit/planning/inventory.py) lay out the same rows, so a figure is the same in each.

Staff, resident and external hours are separate columns (``whose``): no table adds
them together, and a column holds one of them or none.

The portfolio's ranking and roadmap rows are made beside the result
(:meth:`bprkit.planning.inventory.Portfolio.records`, ``plan_records``), where the
DataFrames, which sit below this layer, read them too; this module gives them their
columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bprkit import vocabulary
from bprkit.messages import catalog as messages
from bprkit.model import WHOSE, iter_uses
from bprkit.planning import inventory

if TYPE_CHECKING:
    from bprkit.analysis.records import Analysis
    from bprkit.assumptions.catalog import Assumptions
    from bprkit.text.loader import CheckReport

HOURS_OF = ("staff", "resident", "external")
"""Whose hours a column holds: never two of them in one column, never added together."""

KINDS = frozenset({
    "text",         # a name or a word as it is (file, title, owner, lane, source)
    "label",        # a group's name; "-" stands for none
    "rank",         # a whole number or none (rank, year, line)
    "count",        # a whole number (procedures)
    "number",       # a figure: hours, yen, minutes, cases
    "ratio",        # a figure written as given (season days, season share)
    "payback",      # years, never or unknown
    "lever",        # a lever's key
    "levers",       # lever keys
    "chain",        # lever keys in the order they meet a step (ocr + rpa)
    "lever_hours",  # (lever, staff hours a year) pairs, largest first
    "kind",         # a step's kind (counter, back_office …)
    "role",         # a lane's role
    "status",       # compare: same, changed, removed, added
    "rules",        # finding rules
    "mark",         # a yes/no mark (the step has paper, a seal …)
    "flag",         # true or false
    "keys",         # ids (processes used, steps matched, levers that slow a step)
    "shares",       # (file, process, share) of a shared investment
    "refusals",     # levers kept off a step, with the fact they need
})


@dataclass(frozen=True)
class Column:
    """What a column's values are; its header comes from the catalogs."""

    key: str
    """The machine key: the JSON and DataFrame key, the CSV header under en."""
    kind: str = "number"
    """What the values are (:data:`KINDS`): how each writer writes them."""
    whose: str | None = None
    """Hours of whom (staff, resident, external), None for anything else."""
    digits: int = 0
    """Decimals a reader is shown (text, HTML, the workbook's number format)."""
    precision: int | None = 2
    """Decimals in a CSV cell; None writes the value as it is."""
    summed: bool = False
    """A total adds it up (the workbook's total row)."""
    heading: str = ""
    """Its header's key in ``[csv]`` when not ``key``."""
    sheet: str = ""
    """Its header's key in the workbook's texts (``xlsx_<sheet>``) when not ``key``."""
    width: float | None = None
    """Its width in a sheet, in characters (None: the sheet's default)."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.key}: no such kind of column: {self.kind}")
        if self.whose is not None and self.whose not in HOURS_OF:
            raise ValueError(f"{self.key}: hours of {self.whose}?")

    def header(self, lang: str) -> str:
        """The CSV header: the key under en, Japanese under ja (``[csv]``)."""
        return messages.column(lang, self.heading or self.key)

    def sheet_header(self, lang: str) -> str:
        """The workbook's header (the report's ``xlsx_`` texts)."""
        return messages.report(lang, f"xlsx_{self.sheet or self.key}")

    def show(self, value: Any) -> str:
        """A figure as a reader sees it: 1,234 with the column's decimals, - for none."""
        return "-" if value is None else f"{value:,.{self.digits}f}"


@dataclass(frozen=True)
class Table:
    """Columns and rows: each row holds a value for each column, and nothing else."""

    columns: tuple[Column, ...]
    rows: tuple[dict[str, Any], ...] = ()
    _by_key: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key = {c.key: c for c in self.columns}
        if len(by_key) != len(self.columns):
            raise ValueError("two columns with one key")
        for row in self.rows:
            if row.keys() != by_key.keys():
                odd = sorted(set(row) ^ set(by_key))
                raise ValueError(f"a row does not carry the table's columns: {odd}")
        object.__setattr__(self, "_by_key", by_key)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self._by_key)

    def column(self, key: str) -> Column:
        """The column ``key``; a KeyError when the rows do not carry it."""
        return self._by_key[key]

    def layout(self, *, first: Sequence[str] = (), last: Sequence[str] = (),
               omit: Sequence[str] = ()) -> tuple[Column, ...]:
        """The columns an output shows (:func:`bprkit.planning.inventory.arrange`)."""
        keys = inventory.arrange(self.keys, first=first, last=last, omit=omit)
        return tuple(self._by_key[k] for k in keys)

    def show(self, row: Mapping[str, Any], key: str) -> str:
        """A row's figure as a reader sees it (:meth:`Column.show`)."""
        return self._by_key[key].show(row[key])

    def where(self, key: str, value: object) -> list[dict[str, Any]]:
        """The rows whose ``key`` is ``value``."""
        return [r for r in self.rows if r[key] == value]


def table(columns: Iterable[Column], rows: Iterable[Mapping[str, Any]]) -> Table:
    return Table(tuple(columns), tuple(dict(r) for r in rows))


# ── the portfolio ──
RANKING: dict[str, Column] = {c.key: c for c in (
    Column("rank", "rank"),
    Column("file", "text", width=28),
    Column("process", "text", width=16),
    Column("title", "text", width=30),
    Column("owner", "text", width=14),
    Column("cases_per_year", sheet="cases"),
    Column("staff_hours", whose="staff", summed=True),
    Column("yen", summed=True),
    Column("saved_p10", whose="staff", summed=True),
    Column("saved_p50", whose="staff", summed=True),
    Column("saved_p90", whose="staff", summed=True),
    Column("resident_hours_saved", whose="resident", summed=True, sheet="resident"),
    Column("visits_saved", summed=True, sheet="visits"),
    Column("paper_removed", summed=True, sheet="paper"),
    Column("seal_removed", summed=True, sheet="seal"),
    Column("in_person_removed", summed=True, sheet="in_person"),
    Column("payback", "payback"),
    Column("payback_years", digits=1),
    Column("levers", "lever_hours", width=36),
    Column("peak_staff", digits=1),
    Column("season_days", "ratio"),
    Column("season_share", "ratio"),
    Column("uses", "keys"),
)}
"""The ranking's columns (the rows: :meth:`~bprkit.planning.inventory.Portfolio.records`)."""


def ranking(result: inventory.Portfolio) -> Table:
    """The ranking: one row a procedure, ranked ones first by staff hours saved (P50)."""
    return table((RANKING.get(k) or Column(k) for k in inventory.RANKING), result.records())


def owners(result: inventory.Portfolio) -> Table:
    """By department: procedures, staff hours and staff hours saved (P50)."""
    return table((Column("owner", "label", width=24), Column("procedures", "count"),
                  Column("staff_hours", whose="staff"), Column("saved_p50", whose="staff")),
                 result.by_owner())


def lever_groups(result: inventory.Portfolio) -> Table:
    """By lever: the procedures it saves time in, and the staff hours a year (P50)."""
    return table((Column("lever", "lever", width=24), Column("procedures", "count"),
                  Column("staff_hours_saved", whose="staff", sheet="saved_p50")),
                 result.by_lever())


def years(plan: Sequence[Any]) -> Table:
    """The roadmap's years: staff hours a year saved by what each year takes up, and
    cumulated (its procedures: :func:`plan`)."""
    return table((Column("year", "rank"), Column("saved", whose="staff"),
                  Column("cumulative", whose="staff"), Column("procedures", "count")),
                 ({"year": y.year, "saved": y.saved, "cumulative": y.cumulative,
                   "procedures": len(y.procedures)} for y in plan))


def plan(plan: Sequence[Any]) -> Table:
    """The roadmap's procedures: one row a (year, procedure) with the levers it takes up
    that year and the staff hours a year they save."""
    columns = {"year": Column("year", "rank"), "file": Column("file", "text"),
               "process": Column("process", "text", width=16),
               "title": Column("title", "text", width=30),
               "levers": Column("levers", "levers", width=36),
               "hours": Column("hours", whose="staff", sheet="saved_p50"),
               "cumulative": Column("cumulative", whose="staff")}
    return table((columns[k] for k in inventory.PLAN), inventory.plan_records(plan))


def investments(shared: Sequence[Any]) -> Table:
    """The shared investments: a lever bought once, the procedures that use it and the
    share of the cost each carries, its staff hours and yen a year, its payback."""
    return table((Column("lever", "lever"), Column("one_off_yen"), Column("annual_yen"),
                  Column("source", "text"), Column("procedures", "count"),
                  Column("staff_hours_saved", whose="staff"), Column("yen_saved"),
                  Column("payback_years", digits=1), Column("shares", "shares")),
                 ({"lever": i.lever, "one_off_yen": i.investment.one_off_yen,
                   "annual_yen": i.investment.annual_yen, "source": i.investment.source,
                   "procedures": i.procedures, "staff_hours_saved": i.hours_saved,
                   "yen_saved": i.yen_saved, "payback_years": i.payback_years,
                   "shares": tuple((f, p, v) for (f, p), v in i.shares.items())}
                  for i in shared))


@dataclass(frozen=True)
class PortfolioTables:
    """Every table of a portfolio, each built once."""

    result: inventory.Portfolio
    ranking: Table
    totals: dict[str, float]
    owners: Table
    levers: Table
    years: Table | None = None
    """The roadmap's years, None without a roadmap."""
    plan: Table | None = None
    investments: Table | None = None
    """The shared investments, None without a roadmap."""

    @property
    def ranked(self) -> list[dict[str, Any]]:
        return [r for r in self.ranking.rows if r["rank"] is not None]


def portfolio(result: inventory.Portfolio, roadmap: Sequence[Any] | None = None,
              shared: Sequence[Any] | None = None) -> PortfolioTables:
    """The portfolio's tables: the ranking, its totals, by department, by lever and,
    with a roadmap, its years, procedures and shared investments."""
    return PortfolioTables(result, ranking(result), result.totals(), owners(result),
                           lever_groups(result),
                           years(roadmap) if roadmap is not None else None,
                           plan(roadmap) if roadmap is not None else None,
                           investments(shared) if shared is not None else None)


# ── an estimate ──
ESTIMATE_STEPS = (
    Column("id", "text", heading="step"), Column("label", "text"), Column("kind", "kind"),
    Column("lever", "text"), Column("levers", "chain"), Column("pinned", "flag"),
    Column("status", "status"), Column("matched", "keys"),
    Column("executions", precision=None, digits=2),
    Column("asis_minutes", precision=None, digits=1),
    Column("tobe_minutes", precision=None, digits=1),
    Column("asis_wait", precision=None, digits=1),
    Column("tobe_wait", precision=None, digits=1),
    Column("staff_hours_saved", whose="staff", precision=None),
    Column("resident_hours_saved", whose="resident", precision=None),
    Column("external_hours_saved", whose="external", precision=None),
    Column("slower", "keys"), Column("refused", "refusals"))
"""An estimate's steps, as ``Estimate.to_dict()["steps"]`` holds them."""
ESTIMATE_CSV = {"omit": ("lever", "pinned", "matched", "slower", "refused")}
"""The steps' columns in the CSV."""


def estimate_steps(doc: Mapping[str, Any]) -> Table:
    """An estimate's steps (``doc``: ``Estimate.to_dict()``), one row a step, with the
    staff, resident and external hours a year each saves in their own columns."""
    return table(ESTIMATE_STEPS, doc["steps"])


# ── an analysis ──
ANALYSIS_STEPS = (
    Column("process", "text"), Column("step", "text"), Column("label", "text"),
    Column("lane", "text"), Column("kind", "kind"), Column("executions", precision=4),
    Column("minutes", precision=2, digits=1), Column("wait_minutes", precision=2, digits=1),
    *(Column(f"{w}_hours", whose=w, precision=1) for w in HOURS_OF),
    Column("findings", "rules"), Column("file", "text"), Column("line", "rank"),
    Column("finding_rank", "rank"), Column("levers", "levers"))
"""The analysis' steps: a step's hours a year in the column of whose they are."""


def analysis_steps(results: Iterable[Analysis]) -> Table:
    """Every step of every analysed process, with its entry of the findings list (the
    process-wide findings belong to no row: they are in the text and JSON output)."""
    def rows(a: Analysis) -> Iterable[dict[str, Any]]:
        ranked = {e.step: (rank, e) for rank, e in enumerate(a.findings_by_step(), 1)
                  if e.scope == "step"}
        for s in a.steps:
            rank, entry = ranked.get(s.id, (None, None))
            whose = WHOSE.get(s.kind or "")
            yield {"process": a.id, "step": s.id, "label": s.label, "lane": s.lane,
                   "kind": s.kind, "executions": s.executions, "minutes": s.minutes,
                   "wait_minutes": s.wait,
                   **{f"{w}_hours": s.annual_hours if whose == w else None for w in HOURS_OF},
                   "findings": tuple(f.rule for f in entry.findings) if entry else (),
                   "file": s.file, "line": s.line, "finding_rank": rank,
                   "levers": tuple(entry.levers) if entry else ()}
    return table(ANALYSIS_STEPS, (row for a in results for row in rows(a)))


# ── the time survey (業務量調査) ──
SURVEY = (
    Column("process_title", "text"), Column("process", "text"), Column("step_title", "text"),
    Column("step", "text"), Column("lane", "text"), Column("role", "role"),
    Column("cases"), Column("executions"), Column("minutes", digits=1),
    Column("annual_hours", whose="staff", digits=1), Column("paper", "mark"),
    Column("seal", "mark"), Column("in_person", "mark"), Column("levers", "levers"),
    *(Column(f"saved_{p}", whose="staff", digits=1, summed=True) for p in ("p10", "p50", "p90")))
"""The survey's columns: one row a step of each As-Is process. ``annual_hours`` is the
sheet's formula (cases × executions × minutes ÷ 60): the row holds none; its hours
are whose the lane's role says, and the sheet totals them apart."""


def survey(report: CheckReport, assumptions: Assumptions, *,
           levers: Sequence[str] | None = None, samples: int = 2_000) -> Table:
    """The rows of the time survey: every step of every As-Is process of the checked
    files (a shared part without a volume of its own is counted under each 業務 that
    uses it), with each step's share of the estimate's P10/P50/P90 staff hours saved,
    in proportion to its expected saving."""
    called = {u.process for f in report.files if f.bundle for p in f.bundle.root.processes
              for u in iter_uses(p.flow)}
    out: list[dict[str, Any]] = []
    for file in report.files:
        bundle = file.bundle
        for process in bundle.root.processes if bundle is not None else ():
            if process.state == "to_be" or (process.volume is None and process.id in called):
                continue
            out.extend(_survey_rows(process, bundle, assumptions, levers, samples))
    return table(SURVEY, out)


def _survey_rows(process: Any, bundle: Any, assumptions: Assumptions,
                 levers: Sequence[str] | None, samples: int) -> Iterable[dict[str, Any]]:
    from bprkit.analysis.records import analyze_process
    from bprkit.estimate.montecarlo import estimate

    analysis = analyze_process(process, bundle, with_findings=False)
    est = estimate(process, bundle, assumptions, levers=levers, samples=samples)
    saved = est.staff_hours_saved
    by_step = {s.id: s for s in est.steps}
    total = sum(s.staff_hours_saved or 0.0 for s in est.steps)
    lanes = {lane.id: lane for lane in process.lanes}
    steps = {s.id: s for s in process.steps()}
    for fig in analysis.steps:
        step, lane = steps.get(fig.id), lanes.get(fig.lane)
        if step is None:  # a step of a used process (課長決裁.起案): counted here too
            owner, _, sid = fig.id.rpartition(".")
            callee = bundle.process(owner.split(".")[-1].split("[")[0])
            step = callee.step(sid) if callee else None
            lane = callee.lane(step.lane) if callee and step else None
            if step is None:
                continue
        s = by_step.get(fig.id)
        share = (s.staff_hours_saved or 0.0) / total if s and total > 0 else 0.0
        yield {"process_title": process.title, "process": process.id,
               "step_title": step.title, "step": fig.id,
               "lane": lane.title if lane else fig.lane, "role": lane.role if lane else None,
               "cases": analysis.metrics.cases_per_year, "executions": fig.executions,
               "minutes": fig.minutes, "annual_hours": None,
               **{tag: tag in step.tags for tag in vocabulary.COUNTED_TAGS},
               "levers": tuple(k for k in s.levers if k in assumptions.levers) if s else (),
               **{f"saved_{p}": getattr(saved, p) * share if saved else None
                  for p in ("p10", "p50", "p90")}}
