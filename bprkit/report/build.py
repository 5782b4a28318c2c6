"""``bprkit report``: the portfolio, the roadmap and every procedure in one
self-contained HTML file for department heads (docs/report.md).

The figures come from the same places as the other commands: the ranking from
:mod:`bprkit.planning.inventory`, the plan and shared investments from
:mod:`bprkit.planning.roadmap`,
each procedure's estimate (same seed and samples as its ranking row, so the numbers
agree), findings and diagrams from the analysis, redesign and render modules. The
pieces of each procedure are made in a pool of worker processes, one task a
procedure; :mod:`bprkit.report.html` puts them into the page.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bprkit.assumptions.catalog import Assumptions
from bprkit.errors import BprError
from bprkit.planning import inventory

if TYPE_CHECKING:
    from bprkit.analysis.findings import StepFindings
    from bprkit.estimate.backtest.cases import Report as BacktestReport


@dataclass(frozen=True)
class Options:
    """What ``bprkit report`` was asked for."""

    lang: str = "ja"
    levers: tuple[str, ...] | None = None
    assumptions: str | None = None
    samples: int = inventory.SAMPLES
    jobs: int | None = None
    roadmap: str | None = None
    backtest: str | None = ""
    """A folder of backtest cases; "" for the bundled ones; None for no backtest table."""
    paper: str = "a4"
    top: int | None = None
    """Detail sections for the first ``top`` procedures of the ranking (None: all)."""


@dataclass(frozen=True)
class Detail:
    """One procedure's section: figures, findings, diagrams and charts' data."""

    file: str
    process: str
    title: str
    owner: str | None
    asis_svg: str | None
    tobe_svg: str | None
    drawing_error: str | None
    findings: list[dict[str, object]]
    levers: list[tuple[str, float]]
    tornado_base: float | None
    tornado: list[tuple[str, float, float]]
    lead_days: tuple[float | None, float | None]
    minutes: tuple[float, float]
    """Staff minutes a case, As-Is and To-Be."""
    visits: tuple[float, float]
    digital: tuple[float, float]
    refused: list[str] = field(default_factory=list)
    """Where a lever was aimed at a step but the rules keep it off, and why."""
    ranked: bool = True
    """Whether the procedure has a volume (else no yearly figures)."""


@dataclass
class Report:
    paths: tuple[str, ...]
    options: Options
    portfolio: inventory.Portfolio
    details: list[Detail]
    years: list | None
    investments: list | None
    assumptions: Assumptions
    backtest: BacktestReport | None
    backtest_error: str | None
    created: datetime.datetime


def _detail(task: tuple) -> Detail:
    """One procedure, in a worker."""
    path, process_id, assumptions_path, levers, samples, lang = task
    from bprkit.analysis.records import analyze_process
    from bprkit.assumptions import catalog as assumptions_module
    from bprkit.estimate.montecarlo import estimate
    from bprkit.estimate.redesign import redesign
    from bprkit.messages import catalog as messages
    from bprkit.render import drawing as render
    from bprkit.text.loader import check_files

    bundle = check_files([path]).files[0].bundle
    assert bundle is not None  # the portfolio checked this file
    process = next(p for p in bundle.root.processes if p.id == process_id)
    a = assumptions_module.load(assumptions_path)
    analysis = analyze_process(process, bundle)
    est = estimate(process, bundle, a, levers=levers, samples=samples)
    asis_svg = tobe_svg = error = None
    try:
        options = render.Options(lang=lang, heat=True)
        asis_svg = render.diagram(analysis, bundle, options).svg()
        tobe = redesign(process, bundle, a, levers=levers, lang=lang)
        tobe_bundle = tobe.bundle(bundle)
        tobe_svg = render.diagram(analyze_process(tobe.process, tobe_bundle), tobe_bundle,
                                  render.Options(lang=lang)).svg()
    except BprError as exc:  # too large to draw: the section says so
        error = str(exc)
    saved = est.staff_hours_saved
    refused = [messages.text(lang, "estimate_refused" if r.kind == "needs" else
                             "estimate_refused_not", step=s.id,
                             lever=a.levers[r.lever].title(lang) if r.lever in a.levers
                             else r.lever, needs=messages.fact(lang, r.fact),
                             fact=messages.fact(lang, r.fact)).strip()
               for s in est.steps for r in s.refused]
    m, t = est.asis_metrics, est.tobe_metrics
    return Detail(
        file=path, process=process.id, title=process.title, owner=process.owner,
        asis_svg=asis_svg, tobe_svg=tobe_svg, drawing_error=error,
        findings=[_finding(entry, lang) for entry in analysis.findings_by_step()],
        levers=sorted(((k, v) for k, v in est.hours_by_lever().items() if v > 0),
                      key=lambda x: -x[1]),
        tornado_base=saved.expected if saved else None,
        tornado=[(p, lo, hi) for p, lo, hi in est.sensitivity[:8]] if saved else [],
        lead_days=(m.lead_time_days, t.lead_time_days),
        minutes=(m.staff_minutes_per_case, t.staff_minutes_per_case),
        visits=(m.resident.visits, t.resident.visits),
        digital=(m.digital_completion_rate, t.digital_completion_rate),
        refused=refused, ranked=saved is not None)


def _finding(entry: StepFindings, lang: str) -> dict[str, object]:
    out = entry.to_dict(lang)
    out["heading"] = entry.heading(lang)
    return out


def build(paths: Sequence[str], options: Options,
          progress: Callable[[int], Callable[[Iterable], Iterable]] | None = None) -> Report:
    """Everything the report shows. ``progress(total)`` wraps an iteration in a bar."""
    from bprkit.assumptions import catalog as assumptions_module
    from bprkit.text.loader import find_files

    bar = progress or (lambda total: (lambda it: it))
    a = assumptions_module.load(options.assumptions)
    files = find_files(paths)
    result = inventory.build(files, assumptions=options.assumptions, levers=options.levers,
                             samples=options.samples, jobs=options.jobs,
                             progress=bar(len(files)))
    years = investments = None
    if options.roadmap:
        from bprkit.planning import roadmap

        plan_file = roadmap.load(options.roadmap)
        years = roadmap.plan(result, plan_file)
        investments = roadmap.shared(result, plan_file, a.value("cost.hourly_yen"))
    rows = result.rows[:options.top] if options.top is not None else result.rows
    tasks = [(r.file, r.process, options.assumptions, options.levers, options.samples,
              options.lang) for r in rows]
    jobs = options.jobs or os.cpu_count() or 1
    wrap = bar(len(tasks))
    if jobs == 1 or len(tasks) < 3:
        details = list(wrap(_detail(t) for t in tasks))
    else:
        details = inventory.pool_map(_detail, tasks, jobs, wrap)
    backtest = backtest_error = None
    if options.backtest is not None:
        backtest, backtest_error = _backtest(options.backtest, a, options.lang)
    return Report(tuple(paths), options, result, details, years, investments, a, backtest,
                  backtest_error, datetime.datetime.now().astimezone())


def _backtest(folder: str, a: Assumptions,
              lang: str) -> tuple[BacktestReport | None, str | None]:
    """The backtest table: the bundled cases, or the cases of ``folder``; or why not."""
    from bprkit.estimate.backtest import cases as backtest

    try:
        cases, checked = backtest.load(backtest.case_files(folder or backtest.bundled()),
                                       list(a.levers))
        if not checked.ok:
            first = next(d for d in checked.diagnostics if d.is_error)
            return None, first.render(lang).splitlines()[0]
        return backtest.run(cases, [f.bundle for f in checked.files], a), None
    except BprError as exc:
        return None, str(exc)
