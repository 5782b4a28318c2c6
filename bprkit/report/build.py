"""``bprkit report``: the portfolio, the roadmap and every procedure in one
self-contained HTML file for department heads (docs/report.md).

The figures come from the same places as the other commands: the ranking from
:mod:`bprkit.planning.inventory`, the plan and shared investments from
:mod:`bprkit.planning.roadmap`,
each procedure's figures, findings and diagrams from the analysis, estimate, redesign and
render modules. Everything about a procedure is made in one task of the portfolio's pool
of worker processes (:func:`bprkit.planning.inventory.collect`, one task a file): it is
checked, analysed, estimated, redesigned and drawn once, and its ranking row and its
section come from the same estimate. With ``top`` the sections of the first procedures
are made once the ranking is known, in a second round for those alone.
:mod:`bprkit.report.html` puts them into the page.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bprkit.assumptions.catalog import Assumptions
from bprkit.errors import BprError
from bprkit.planning import inventory

if TYPE_CHECKING:
    from bprkit.analysis.findings import StepFindings
    from bprkit.estimate.backtest.cases import Report as BacktestReport
    from bprkit.render.drawing import Drawing


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


@dataclass(frozen=True)
class _Drawn:
    """A section in its worker before its diagrams are drawn."""

    detail: Detail
    drawings: tuple[Drawing, ...]
    """The As-Is, then the To-Be, laid out; fewer when laying out failed…"""
    error: str | None
    """…and why."""


def _section(made: inventory.Procedure, lang: str) -> _Drawn:
    """One procedure's section, in the worker that checked, analysed (with findings) and
    estimated it for its ranking row: the To-Be redesigned from that analysis and those
    lever plans, both diagrams laid out (:func:`_finish` draws them)."""
    from bprkit.analysis.records import analyze_process
    from bprkit.estimate.redesign import redesign
    from bprkit.messages import catalog as messages
    from bprkit.render import drawing as render

    process, bundle, a, analysis, est = (made.process, made.bundle, made.assumptions,
                                         made.analysis, made.estimate)
    drawings = []
    error = None
    try:
        drawings.append(render.diagram(analysis, bundle, render.Options(lang=lang, heat=True)))
        plans = analysis.graph.lever_plans(a, made.levers)  # the estimate's, planned once
        tobe = redesign(process, bundle, a, levers=made.levers, lang=lang, analysis=analysis,
                        plans=plans)
        tobe_bundle = tobe.bundle(bundle)
        tobe_analysis = analyze_process(tobe.process, tobe_bundle, assumptions=a,
                                        with_findings=False)  # the diagram draws none
        drawings.append(render.diagram(tobe_analysis, tobe_bundle, render.Options(lang=lang)))
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
    detail = Detail(
        file=made.path, process=process.id, title=process.title, owner=process.owner,
        asis_svg=None, tobe_svg=None, drawing_error=None,
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
    return _Drawn(detail, tuple(drawings), error)


def _finish(sections: list[_Drawn]) -> list[Detail]:
    """The sections of a batch with their diagrams, all drawn by one Graphviz run; when
    that fails, each section's alone (:func:`_draw`)."""
    from bprkit.render import drawing as render

    everything = [d for s in sections for d in s.drawings]
    drawn: list[tuple[list[str], str | None]]
    try:
        svgs = iter(render.svgs(everything))
        drawn = [([next(svgs) for _ in s.drawings], None) for s in sections]
    except BprError:
        drawn = [_draw(s.drawings) for s in sections]
    return [replace(s.detail, asis_svg=done[0] if done else None,
                    tobe_svg=done[1] if len(done) > 1 else None,
                    drawing_error=failed or s.error)
            for s, (done, failed) in zip(sections, drawn, strict=True)]


def _draw(drawings: Sequence[Drawing]) -> tuple[list[str], str | None]:
    """One section's SVGs, one Graphviz run for both; when that fails, one at a time up
    to the first that fails (an As-Is drawn is kept), with its error."""
    from bprkit.render import drawing as render

    try:
        return render.svgs(drawings), None
    except BprError:
        pass
    done: list[str] = []
    for d in drawings:
        try:
            done.append(d.svg())
        except BprError as exc:
            return done, str(exc)
    return done, None


def _finding(entry: StepFindings, lang: str) -> dict[str, object]:
    out = entry.to_dict(lang)
    out["heading"] = entry.heading(lang)
    return out


def build(paths: Sequence[str], options: Options,
          progress: Callable[[int], Callable[[Iterable], Iterable]] | None = None) -> Report:
    """Everything the report shows. ``progress(total)`` wraps an iteration in a bar."""
    from bprkit.assumptions import catalog as assumptions_module
    from bprkit.estimate import redesign  # noqa: F401  (imported once, before the workers)
    from bprkit.render import drawing  # noqa: F401
    from bprkit.text.loader import find_files

    bar = progress or (lambda total: (lambda it: it))
    a = assumptions_module.load(options.assumptions)
    files = find_files(paths)
    section = functools.partial(_section, lang=options.lang)
    collect = functools.partial(inventory.collect, assumptions=options.assumptions,
                                levers=options.levers, samples=options.samples,
                                jobs=options.jobs, finish=_finish)
    # one task a file: each procedure checked, analysed, estimated and drawn once, its
    # ranking row and its section from the same estimate
    result, made = collect(files, progress=bar(len(files)),
                           section=None if options.top is not None else section)
    rows = result.rows[:options.top] if options.top is not None else result.rows
    if options.top is not None:  # the sections of the first N only, once they are known
        wanted: dict[str, list[str]] = {}
        for r in rows:
            wanted.setdefault(r.file, []).append(r.process)
        again, made = collect(list(wanted), progress=bar(len(wanted)), section=section,
                              only=wanted)
        listed = {f.file for f in result.failures}
        result.failures += [f for f in again.failures if f.file not in listed]
    details = [made[(r.file, r.process)] for r in rows if (r.file, r.process) in made]
    years = investments = None
    if options.roadmap:
        from bprkit.planning import roadmap

        plan_file = roadmap.load(options.roadmap)
        years = roadmap.plan(result, plan_file)
        investments = roadmap.shared(result, plan_file, a.value("cost.hourly_yen"))
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
