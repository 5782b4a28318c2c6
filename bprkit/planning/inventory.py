"""The inventory of procedures (業務の棚卸し): every process of every file, estimated
and ranked — what ``bprkit portfolio`` and ``bprkit.portfolio()`` show.

Each file is checked and each of its own As-Is processes (not the ones it
imports, not To-Be redesigns) estimated with the levers, in a pool of worker
processes (one task a file), then ranked by staff hours saved (P50). A file with
errors is kept with its diagnostics and skipped; a process without ``volume`` is
listed but not ranked by hours. Views: by department (``owner``) and by lever ("e-approval for 23
procedures saves N h"). docs/portfolio.md says how the figures are made.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bprkit import vocabulary
from bprkit.errors import BprError, CatalogError, Diagnostic
from bprkit.model import iter_uses

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from bprkit.analysis.records import Analysis
    from bprkit.assumptions.catalog import Assumptions
    from bprkit.estimate.montecarlo import Estimate
    from bprkit.model import Bundle, Process

SAMPLES = 2_000
"""Monte Carlo samples per procedure: P10/P90 to about a percent, 1,000 files in seconds."""


@dataclass(frozen=True)
class Row:
    """One procedure's line in the ranking."""

    file: str
    process: str
    title: str
    owner: str | None
    cases_per_year: float | None
    staff_hours: float | None
    yen: float | None
    saved_p10: float | None
    saved_p50: float | None
    saved_p90: float | None
    resident_hours_saved: float | None
    visits_saved: float | None
    """Visits a year the residents no longer make."""
    touches_removed: dict[str, float]
    """Paper, seal and in-person touches a year removed."""
    payback: str
    payback_years: float | None
    levers: tuple[tuple[str, float], ...]
    """Staff hours a year saved by each lever, largest first."""
    peak_staff: float | None = None
    """Staff needed on a day of the filing season (``volume … within N days``)."""
    season_days: float | None = None
    """The season's working days (``within 15 days``), None without a season."""
    season_share: float | None = None
    """The share of the cases that arrive in the season (``60%``: 0.6; 1.0 when the
    file gives none), None without a season."""
    uses: tuple[str, ...] = ()
    """The processes this one calls with ``use`` (directly)."""

    @property
    def ranked(self) -> bool:
        return self.saved_p50 is not None


@dataclass(frozen=True)
class Failure:
    file: str
    diagnostics: tuple[Diagnostic, ...] = ()
    message: str = ""


@dataclass
class Portfolio:
    rows: list[Row] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    duplicates: list[tuple[str, list[str]]] = field(default_factory=list)
    """Process ids defined in more than one file, with the files."""

    def by_owner(self) -> list[dict[str, Any]]:
        groups: dict[str, list[Row]] = {}
        for row in self.rows:
            groups.setdefault(row.owner or "", []).append(row)
        out: list[dict[str, Any]] = [
            {"owner": owner, "procedures": len(rows),
             "staff_hours": sum(r.staff_hours or 0.0 for r in rows),
             "saved_p50": sum(r.saved_p50 or 0.0 for r in rows)}
            for owner, rows in groups.items()]
        return sorted(out, key=lambda g: -float(g["saved_p50"]))

    def by_lever(self) -> list[dict[str, Any]]:
        totals: dict[str, list[float]] = {}
        for row in self.rows:
            for lever, hours in row.levers:
                if hours > 0:
                    t = totals.setdefault(lever, [0, 0.0])
                    t[0] += 1
                    t[1] += hours
        out: list[dict[str, Any]] = [
            {"lever": lever, "procedures": int(n), "staff_hours_saved": hours}
            for lever, (n, hours) in totals.items()]
        return sorted(out, key=lambda g: -float(g["staff_hours_saved"]))

    def totals(self) -> dict[str, float]:
        ranked = [r for r in self.rows if r.ranked]
        return {"procedures": len(self.rows), "ranked": len(ranked),
                "staff_hours": sum(r.staff_hours or 0.0 for r in ranked),
                "yen": sum(r.yen or 0.0 for r in ranked),
                "saved_p10": sum(r.saved_p10 or 0.0 for r in ranked),
                "saved_p50": sum(r.saved_p50 or 0.0 for r in ranked),
                "saved_p90": sum(r.saved_p90 or 0.0 for r in ranked),
                "resident_hours_saved": sum(r.resident_hours_saved or 0.0 for r in ranked),
                "visits_saved": sum(r.visits_saved or 0.0 for r in ranked)}

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        return {"totals": self.totals(),
                "ranking": [ranking_json(rec) for rec in self.records()],
                "by_owner": self.by_owner(), "by_lever": self.by_lever(),
                "failed": [{"file": f.file, "message": f.message,
                            "diagnostics": [d.to_dict(lang) for d in f.diagnostics]}
                           for f in self.failures],
                "duplicates": [{"process": pid, "files": files}
                               for pid, files in self.duplicates]}

    def records(self) -> list[dict[str, Any]]:
        """The ranking's rows, built once: one a procedure, its :data:`RANKING` columns,
        the figures as computed (no rounding, no language). Every output of the ranking
        (text, CSV, JSON, HTML, the workbook, the DataFrame) lays these rows out."""
        return [record(n, r) for n, r in enumerate(self.rows, 1)]


RANKING = ("rank", "file", "process", "title", "owner", "cases_per_year", "staff_hours", "yen",
           "saved_p10", "saved_p50", "saved_p90", "resident_hours_saved", "visits_saved",
           "paper_removed", "seal_removed", "in_person_removed", "payback", "payback_years",
           "levers", "peak_staff", "season_days", "season_share", "uses")
"""The ranking's columns (:meth:`Portfolio.records`), in their order. Their headers, units
and whose hours they are: bprkit/report/rows.py."""

LAYOUTS: dict[str, dict[str, tuple[str, ...]]] = {
    "csv": {"omit": ("uses",)},
    "sheet": {"first": ("rank", "process", "title", "owner", "file"), "last": ("levers",),
              "omit": ("payback", "season_days", "season_share", "uses")},
    "frame": {"first": ("rank", "process", "title", "owner", "file"), "last": ("levers",),
              "omit": ("paper_removed", "seal_removed", "in_person_removed", "uses")},
    "json": {"omit": ("rank",)},
}
"""Which of the ranking's columns each output shows (see :func:`arrange`): the CSV, the
workbook's sheet, the DataFrame and the JSON."""
TOUCHES = {f"{tag}_removed": tag for tag in vocabulary.COUNTED_TAGS}
"""The touches' columns, and their keys under ``touches_removed`` in the JSON."""


def record(rank: int, r: Row) -> dict[str, Any]:
    """One procedure's row of the ranking (``rank``: its place, kept when it is ranked)."""
    return {"rank": rank if r.ranked else None, "file": r.file, "process": r.process,
            "title": r.title, "owner": r.owner, "cases_per_year": r.cases_per_year,
            "staff_hours": r.staff_hours, "yen": r.yen, "saved_p10": r.saved_p10,
            "saved_p50": r.saved_p50, "saved_p90": r.saved_p90,
            "resident_hours_saved": r.resident_hours_saved, "visits_saved": r.visits_saved,
            "paper_removed": r.touches_removed["paper"],
            "seal_removed": r.touches_removed["seal"],
            "in_person_removed": r.touches_removed["in_person"], "payback": r.payback,
            "payback_years": r.payback_years, "levers": r.levers, "peak_staff": r.peak_staff,
            "season_days": r.season_days, "season_share": r.season_share, "uses": r.uses}


def ranking_json(rec: Mapping[str, Any]) -> dict[str, Any]:
    """A row of the ranking in the JSON: its touches under ``touches_removed``, its
    levers as [key, hours] pairs."""
    out: dict[str, Any] = {}
    for k in layout("json"):
        if k in TOUCHES:
            out.setdefault("touches_removed", {})[TOUCHES[k]] = rec[k]
        else:
            out[k] = [list(x) for x in rec[k]] if k == "levers" else rec[k]
    return out


def arrange(keys: Sequence[str], *, first: Sequence[str] = (), last: Sequence[str] = (),
            omit: Sequence[str] = ()) -> tuple[str, ...]:
    """The columns an output shows: ``first``, then the other ``keys`` in their order, then
    ``last``, less ``omit``. A column added to the rows appears in every output that does
    not leave it out; a layout that names a column the rows do not carry is an error."""
    unknown = [k for k in (*first, *last, *omit) if k not in keys]
    if unknown:
        raise KeyError(f"no such column: {', '.join(unknown)}")
    rest = [k for k in keys if k not in first and k not in last]
    return tuple(k for k in (*first, *rest, *last) if k not in omit)


def layout(output: str, keys: Sequence[str] | None = None) -> tuple[str, ...]:
    """The ranking's columns in ``output`` (csv, sheet, frame, json): :data:`LAYOUTS`."""
    return arrange(RANKING if keys is None else keys, **LAYOUTS[output])


PLAN = ("year", "file", "process", "title", "levers", "hours", "cumulative")
"""The roadmap's rows (:func:`plan_records`): one a (year, procedure)."""


def plan_records(years: Iterable[Any] | None) -> list[dict[str, Any]]:
    """The roadmap's rows, built once: the levers each procedure takes up in each year,
    with the staff hours a year they save and the year's cumulative saving."""
    return [{"year": y.year, "file": row.file, "process": row.process, "title": row.title,
             "levers": levers, "hours": hours, "cumulative": y.cumulative}
            for y in years or () for row, levers, hours in y.procedures]


@dataclass(frozen=True)
class Procedure:
    """One procedure as its task made it: checked, analysed with its findings and
    estimated once. A caller's ``section`` (:func:`build`) makes what it shows of the
    procedure from this, in the same task (a report's section: figures, findings,
    redesign and diagrams), so nothing is checked, analysed or estimated again."""

    path: str
    process: Process
    bundle: Bundle
    assumptions: Assumptions
    levers: tuple[str, ...] | None
    analysis: Analysis
    estimate: Estimate


@dataclass(frozen=True)
class _Task:
    """One file's work in a worker."""

    path: str
    assumptions: str | None
    levers: tuple[str, ...] | None
    samples: int
    section: Callable[[Procedure], Any] | None = None
    """What else to make of each procedure (module-level, so it reaches the workers)."""
    only: frozenset[str] | None = None
    """The processes wanted (None: every As-Is process of the file)."""


def _file(task: _Task) -> tuple[list[Row], Failure | None, list[Any]]:
    """One file, in a worker: its rows, its failure, and its procedures' sections (one
    a row, when ``task.section`` is given). The file is checked once; each As-Is process
    (not the ones it imports, not To-Be redesigns) analysed and estimated once. Without
    a section the estimate's own analysis leaves the findings out (no row shows them)."""
    from bprkit.analysis.records import analyze_process
    from bprkit.assumptions import catalog as assumptions_module
    from bprkit.estimate.montecarlo import estimate
    from bprkit.text.loader import check_files

    path = task.path
    try:
        report = check_files([path])
        if not report.ok:
            return [], Failure(path, tuple(d for d in report.diagnostics if d.is_error)), []
        bundle = report.files[0].bundle
        assert bundle is not None  # a file that checks has its bundle
        a = assumptions_module.load(task.assumptions)
        rows, sections = [], []
        for process in bundle.root.processes:
            if process.state == "to_be":  # a redesign, not a procedure of its own
                continue
            if task.only is not None and process.id not in task.only:
                continue
            if task.section is None:
                # the ranking reads no sensitivity: not computed
                e = estimate(process, bundle, a, levers=task.levers, samples=task.samples,
                             sensitivity=False)
            else:
                analysis = analyze_process(process, bundle, assumptions=a)
                e = estimate(process, bundle, a, levers=task.levers, samples=task.samples,
                             analysis=analysis)
                sections.append(task.section(Procedure(path, process, bundle, a, task.levers,
                                                       analysis, e)))
            rows.append(_row(path, process, e))
        return rows, None, sections
    except BprError as exc:
        return [], Failure(path, tuple(exc.diagnostics), str(exc)), []


def _row(path: str, process: Process, e: Estimate) -> Row:
    m, t = e.asis_metrics, e.tobe_metrics
    cases = m.cases_per_year
    saved = e.staff_hours_saved
    resident = e.resident_hours_saved
    touches = {k: (getattr(m.counts, k) - getattr(t.counts, k)) * cases if cases else 0.0
               for k in vocabulary.COUNTED_TAGS}
    levers = sorted(e.hours_by_lever().items(), key=lambda x: -x[1])
    season = process.volume
    if season is not None and season.season_days is None:
        season = None
    return Row(
        file=path, process=process.id, title=process.title,
        owner=process.owner, cases_per_year=cases,
        staff_hours=m.annual_staff_hours if cases else None,
        yen=m.annual_cost_yen if cases else None,
        saved_p10=saved.p10 if saved else None, saved_p50=saved.p50 if saved else None,
        saved_p90=saved.p90 if saved else None,
        resident_hours_saved=resident.p50 if resident else None,
        visits_saved=(m.resident.visits - t.resident.visits) * cases if cases else None,
        touches_removed=touches,
        payback=e.payback_status, payback_years=e.payback_years,
        levers=tuple((k, v) for k, v in levers if v > 0), peak_staff=m.peak_staff,
        season_days=season.season_days if season else None,
        season_share=season.season_share if season else None,
        uses=tuple(dict.fromkeys(u.process for u in iter_uses(process.flow))))


def _worker_start() -> None:
    """A worker leaves Ctrl-C to the parent, which stops the pool, and dies quietly on
    SIGTERM (the parent's handler, inherited by fork, would raise KeyboardInterrupt and
    print a traceback per worker)."""
    import signal

    from bprkit import collector

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    collector.keep()  # the modules the parent preloaded: never walked again


def stop(pool: ProcessPoolExecutor, grace: float = 1.0) -> None:
    """Stop a pool now: queued work cancelled, workers terminated (then killed after
    ``grace`` seconds), so an interrupt does not wait for the work in flight."""
    workers = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for w in workers:
        if w.is_alive():
            w.terminate()
    for w in workers:
        w.join(grace)
        if w.is_alive():
            w.kill()
            w.join(grace)


def pool_map(fn: Callable[[Any], Any], tasks: Sequence[Any], jobs: int,
             wrap: Callable[[Iterable], Iterable], chunksize: int = 1) -> list:
    """``fn`` over ``tasks`` in ``jobs`` worker processes, results in order. An
    interrupt (Ctrl-C; SIGTERM, which the CLI turns into KeyboardInterrupt) or an error
    stops the pool at once (:func:`stop`) instead of waiting for the work in flight."""
    from concurrent.futures import ProcessPoolExecutor  # not on `check`'s start-up path

    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_worker_start)
    try:
        results = list(wrap(pool.map(fn, tasks, chunksize=chunksize)))
    except BaseException:
        stop(pool)
        raise
    pool.shutdown()
    return results


def dask_map(fn: Callable[[Any], Any], tasks: Sequence[Any], address: str, jobs: int,
             wrap: Callable[[Iterable], Iterable]) -> list:
    """``fn`` over ``tasks`` on a dask.distributed cluster, one task a file, results in
    order: the scheduler at ``address`` (``tcp://host:8786``), or with ``local`` a
    LocalCluster of ``jobs`` worker processes, closed afterwards. Each task is the same
    pure function of its file and seed as in the process pool, so the results are equal
    bit for bit."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise CatalogError("--dask", "portfolio_needs_dask") from exc
    cluster = None
    if address == "local":
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(address)
    try:
        futures = client.map(fn, tasks, pure=False)
        return list(wrap(f.result() for f in futures))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def build(paths: Sequence[str], *, assumptions: str | None = None,
          levers: Sequence[str] | None = None, samples: int = SAMPLES,
          jobs: int | None = None,
          progress: Callable[[Iterable], Iterable] | None = None,
          dask: str | None = None) -> Portfolio:
    """Estimate every process of every ``.bpr`` under ``paths`` and rank them.
    ``jobs``: worker processes (default: the CPUs; 1 runs in this process);
    ``progress`` wraps the iteration over finished files (a progress bar); ``dask``: a
    dask.distributed scheduler's address, or ``local`` (:func:`dask_map`)."""
    from bprkit.text.loader import find_files

    return collect(find_files(paths), assumptions=assumptions, levers=levers,
                   samples=samples, jobs=jobs, progress=progress, dask=dask)[0]


def collect(files: Sequence[str], *, assumptions: str | None = None,
            levers: Sequence[str] | None = None, samples: int = SAMPLES,
            jobs: int | None = None, progress: Callable[[Iterable], Iterable] | None = None,
            section: Callable[[Procedure], Any] | None = None,
            finish: Callable[[list[Any]], list[Any]] | None = None,
            only: Mapping[str, Iterable[str]] | None = None, dask: str | None = None
            ) -> tuple[Portfolio, dict[tuple[str, str], Any]]:
    """The portfolio of ``files`` (one pool task a file, as :func:`build`), and with
    ``section`` what it makes of each procedure in the same task, by (file, process).
    ``finish`` (module-level) takes the sections of a batch of files, in the worker that
    made them, and gives them back finished (a report draws all their diagrams with one
    Graphviz run: starting it costs more than drawing one procedure); it handles its own
    errors. ``only``: file → the processes wanted (the other files are not read)."""
    chosen = tuple(levers) if levers else None
    tasks = [_Task(f, assumptions, chosen, samples, section,
                   None if only is None else frozenset(only[f]))
             for f in files if only is None or f in only]
    jobs = jobs or os.cpu_count() or 1
    wrap = progress or (lambda it: it)
    results: list[tuple] = []
    _preload(assumptions)
    if finish is not None and section is not None:
        size = max(1, min(BATCH, -(-len(tasks) // (jobs * 4))))
        batches = [(tuple(tasks[k:k + size]), finish) for k in range(0, len(tasks), size)]

        def flat(it: Iterable) -> Iterable:  # the progress counts files, not batches
            return wrap(r for done in it for r in done)

        if jobs == 1 or len(tasks) < 4:
            results = list(flat(_batch(b) for b in batches))
        else:
            results = pool_map(_batch, batches, jobs, flat)
    elif dask is not None:
        results = dask_map(_file, tasks, dask, jobs, wrap)
    elif jobs == 1 or len(tasks) < 4:
        results = list(wrap(_file(t) for t in tasks))
    else:
        results = pool_map(_file, tasks, jobs, wrap, chunksize=max(1, len(tasks) // (jobs * 8)))
    out = Portfolio()
    sections: dict[tuple[str, str], Any] = {}
    seen: dict[str, list[str]] = {}
    for rows, failure, made in results:
        out.rows.extend(rows)
        if failure is not None:
            out.failures.append(failure)
        for row in rows:
            seen.setdefault(row.process, []).append(row.file)
        if section is not None:
            for row, thing in zip(rows, made, strict=True):
                sections[(row.file, row.process)] = thing
    out.duplicates = [(pid, files) for pid, files in seen.items() if len(files) > 1]
    out.rows.sort(key=lambda r: (not r.ranked, -(r.saved_p50 or 0.0), r.file, r.process))
    return out, sections


def _preload(assumptions: str | None) -> None:
    """Import what the tasks use, and read the assumptions, before the workers start:
    forked, they share it instead of each doing it again (about 0.3 CPU-s a worker)."""
    from bprkit.analysis import records  # noqa: F401
    from bprkit.assumptions import catalog as assumptions_module
    from bprkit.estimate import montecarlo  # noqa: F401
    from bprkit.text import loader  # noqa: F401

    with contextlib.suppress(BprError):  # each task says so, as a failure of its file
        assumptions_module.load(assumptions)


BATCH = 16
"""At most this many files a batch when their sections are finished together (a
quarter of the files per worker below that, so the workers stay busy to the end)."""


def _batch(batch: tuple[tuple[_Task, ...], Callable[[list[Any]], list[Any]]]
           ) -> list[tuple[list[Row], Failure | None, list[Any]]]:
    """Several files, in a worker: each as :func:`_file`, then all their sections
    finished together."""
    tasks, finish = batch
    done = [_file(t) for t in tasks]
    made = [m for _, _, sections in done for m in sections]
    finished = iter(finish(made) if made else [])
    return [(rows, failure, [next(finished) for _ in sections])
            for rows, failure, sections in done]


def progress_bar(total: int, *, quiet: bool = False) -> Callable[[Iterable], Iterable]:
    """A tqdm bar on stderr, silent when stderr is not a terminal or ``quiet``."""
    def wrap(it: Iterable) -> Iterable:
        if quiet or not sys.stderr.isatty():
            return it
        from tqdm import tqdm

        return tqdm(it, total=total, file=sys.stderr, unit="file", leave=False)
    return wrap


@dataclass(frozen=True)
class Frames:
    """A portfolio as pandas DataFrames (``bprkit.portfolio``)."""

    ranking: object
    by_owner: object
    by_lever: object
    roadmap: object
    """One row a (year, procedure) with its levers and hours; empty without a roadmap."""
    failed: list[str]


def frames(result: Portfolio, years: list | None = None) -> Frames:
    """The portfolio's tables as DataFrames (pandas is imported here): the rows every
    other output lays out (:meth:`Portfolio.records`, :func:`plan_records`), in the
    frame's layout, machine keys as they are (levers joined by ", ")."""
    try:
        import pandas as pd
    except ImportError as exc:
        raise ImportError("portfolio frames need pandas: pip install 'bprkit[notebook]'") \
            from exc
    keys = layout("frame")
    ranking = pd.DataFrame([{k: _frame_cell(k, rec[k]) for k in keys}
                            for rec in result.records()])
    steps = arrange(PLAN, omit=("file",))
    plan = pd.DataFrame([{k: _frame_cell(k, rec[k]) for k in steps}
                         for rec in plan_records(years)], columns=list(steps))
    return Frames(ranking, pd.DataFrame(result.by_owner()), pd.DataFrame(result.by_lever()),
                  plan, [f.file for f in result.failures])


def _frame_cell(key: str, value: Any) -> Any:
    """A DataFrame cell: the value, levers as their keys joined by ", "."""
    if key == "levers":
        return ", ".join(k if isinstance(k, str) else k[0] for k in value)
    return value
