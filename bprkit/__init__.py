"""bprkit: process mapping for municipal BPR.

The public API. Everything not listed in ``__all__`` is internal.

    >>> import bprkit
    >>> report = bprkit.check("processes/")          # diagnostics, never an exception
    >>> bundle = bprkit.load("processes/tennyu_todoke.bpr")   # raises BprError on errors

Every verb that works on a file takes its path or a :class:`Bundle` already loaded
(``bprkit.check(...).files[0].bundle``); the facade owns "which process"
(:meth:`Bundle.own`, else :class:`UnknownProcessError`) and "which To-Be"
(:meth:`Bundle.tobe_of`). The types the verbs return are importable from here; they
and the verbs' modules load on first use, so ``import bprkit`` reads no parser, no
numpy and no Graphviz.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from importlib import import_module
from typing import TYPE_CHECKING, NamedTuple

from bprkit._version import __version__
from bprkit.errors import (
    AnalysisError,
    BprError,
    CatalogError,
    Diagnostic,
    Exit,
    FileSystemError,
    ModelError,
    RenderError,
    SourceError,
    UnknownProcessError,
    UsageError,
)

if TYPE_CHECKING:
    from bprkit.analysis.findings import SUMMARY_SIZE
    from bprkit.analysis.records import Analysis
    from bprkit.assumptions.catalog import Assumptions
    from bprkit.estimate.backtest.cases import BacktestError
    from bprkit.estimate.backtest.cases import Case as BacktestCase
    from bprkit.estimate.backtest.cases import Report as BacktestReport
    from bprkit.estimate.backtest.fit import FitReport
    from bprkit.estimate.montecarlo import Estimate
    from bprkit.estimate.redesign import Redesign
    from bprkit.interop.discover import Discovered
    from bprkit.interop.eventlog import Log, LogError
    from bprkit.interop.logfit import Fit as LogFit
    from bprkit.model import (
        Branch,
        Bundle,
        Case,
        Data,
        Document,
        Duration,
        Lane,
        Parallel,
        Path,
        Process,
        SourceFile,
        Span,
        Step,
        Use,
        Volume,
    )
    from bprkit.planning.inventory import Failure, Frames, Portfolio
    from bprkit.planning.roadmap import Roadmap, Shared, Shares, Year
    from bprkit.render.drawing import Drawing
    from bprkit.text.fmt import FormatError, Formatted
    from bprkit.text.loader import CheckReport, FileReport

_LAZY: dict[str, tuple[str, str]] = {
    **{name: ("bprkit.model", name) for name in (
        "Branch", "Bundle", "Case", "Data", "Document", "Duration", "Lane", "Parallel",
        "Path", "Process", "SourceFile", "Span", "Step", "Use", "Volume")},
    "CheckReport": ("bprkit.text.loader", "CheckReport"),
    "FileReport": ("bprkit.text.loader", "FileReport"),
    "Analysis": ("bprkit.analysis.records", "Analysis"),
    "Assumptions": ("bprkit.assumptions.catalog", "Assumptions"),
    "Estimate": ("bprkit.estimate.montecarlo", "Estimate"),
    "Redesign": ("bprkit.estimate.redesign", "Redesign"),
    "Drawing": ("bprkit.render.drawing", "Drawing"),
    "Portfolio": ("bprkit.planning.inventory", "Portfolio"),
    "Failure": ("bprkit.planning.inventory", "Failure"),
    "Frames": ("bprkit.planning.inventory", "Frames"),
    "Roadmap": ("bprkit.planning.roadmap", "Roadmap"),
    "Shared": ("bprkit.planning.roadmap", "Shared"),
    "Shares": ("bprkit.planning.roadmap", "Shares"),
    "Year": ("bprkit.planning.roadmap", "Year"),
    "BacktestCase": ("bprkit.estimate.backtest.cases", "Case"),
    "BacktestError": ("bprkit.estimate.backtest.cases", "BacktestError"),
    "BacktestReport": ("bprkit.estimate.backtest.cases", "Report"),
    "FitReport": ("bprkit.estimate.backtest.fit", "FitReport"),
    "LogFit": ("bprkit.interop.logfit", "Fit"),
    "Discovered": ("bprkit.interop.discover", "Discovered"),
    "Log": ("bprkit.interop.eventlog", "Log"),
    "LogError": ("bprkit.interop.eventlog", "LogError"),
    "Formatted": ("bprkit.text.fmt", "Formatted"),
    "FormatError": ("bprkit.text.fmt", "FormatError"),
    "SUMMARY_SIZE": ("bprkit.analysis.findings", "SUMMARY_SIZE"),
}
"""Names handed on from the module that defines them, imported on first use."""


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'bprkit' has no attribute {name!r}")
    module, attribute = _LAZY[name]
    value = getattr(import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


if "IPython" in sys.modules:  # Jupyter: processes and analyses display as diagrams
    from bprkit import notebook as _notebook

    _notebook.register()

__all__ = [
    "SUMMARY_SIZE", "Analysis", "AnalysisError", "Assumptions", "BacktestCase", "BacktestError",
    "BacktestReport", "BprError", "Branch", "Bundle", "Case", "CatalogError", "CheckReport",
    "Data", "Diagnostic", "Discovered", "Document", "Drawing", "Duration", "Estimate", "Exit",
    "Failure", "FileReport", "FileSystemError", "FitReport", "FormatError", "Formatted",
    "Frames", "Lane", "Log", "LogError", "LogFit", "ModelError", "Parallel", "Path",
    "Portfolio", "Process", "Redesign", "RenderError", "Roadmap", "Shared", "Shares",
    "SimulatedLog", "SourceError", "SourceFile", "Span", "Step", "UnknownProcessError",
    "UsageError", "Use",
    "Volume", "Year", "__version__", "analyze", "backtest", "backtest_folder", "backtest_table",
    "band_measured", "check", "diagram", "discover_log", "drawing_format", "estimate_process",
    "find_files", "fit", "fit_assumptions", "fit_log", "fit_scores_table", "fit_table",
    "format_file", "inventory", "investment_shares", "lever_names", "load", "load_assumptions",
    "load_cases", "load_roadmap", "parse", "plan", "portfolio", "process_of", "progress_bar",
    "read_log", "redesign_process", "redesign_source", "shared_investments",
    "simulate_log",
]

# ───────────── files and checking ─────────────

def parse(text: str, *, path: str = "<text>") -> SourceFile:
    """Parse one file's text (imports are not followed). Raises SourceError."""
    from bprkit.text import source
    from bprkit.text.loader import build_model

    decoded, diags = source.decode(path, text.encode("utf-8"))
    if decoded is not None:
        model, found = build_model(decoded)
        diags += found
        if model is not None and not any(d.is_error for d in diags):
            return model
    raise SourceError(diags)


def find_files(*paths: str) -> list[str]:
    """The ``.bpr`` files of files and folders (folders recursively, sorted; a file
    given is kept as it is named)."""
    from bprkit.text import loader

    return loader.find_files(paths)


def check(*paths: str) -> CheckReport:
    """Check files and folders (recursively, ``*.bpr``) together. Never raises
    for bad input: every problem is a Diagnostic in the report."""
    from bprkit.text.loader import check_files

    return check_files(find_files(*paths))


def load(path: str) -> Bundle:
    """Load a file with its imports, checked. Raises BprError when it has errors."""
    from bprkit.text.loader import check_files

    report = check_files([path])
    bundle = report.files[0].bundle
    if bundle is None or not report.ok:
        raise ModelError(report.diagnostics)
    return bundle


def format_file(path: str) -> Formatted:
    """A file laid out canonically, every comment kept (``.changed``, ``.data`` to
    write). SourceError when it cannot be read; FormatError when the layout would
    change its meaning (a bug in fmt: nothing is to be written)."""
    from bprkit.text import fmt

    return fmt.format_file(path)


# ───────────── one procedure ─────────────

def _bundle(source: str | Bundle) -> Bundle:
    return load(source) if isinstance(source, str) else source


def _chosen(source: str | Bundle, process: str | None) -> tuple[Process, Bundle]:
    bundle = _bundle(source)
    return process_of(bundle, process), bundle


def process_of(source: str | Bundle, process: str | None = None) -> Process:
    """The process a verb works on: the file's own process named ``process``, or its
    first. Raises UnknownProcessError (a UsageError and a ValueError) when there is
    none."""
    bundle = _bundle(source)
    chosen = bundle.own(process)
    if chosen is None:
        raise UnknownProcessError(bundle.root.path, process,
                                  (p.id for p in bundle.root.processes))
    return chosen


def load_assumptions(path: str | None = None) -> Assumptions:
    """The default assumptions with a TOML file laid over them (``path``), checked.
    Raises SourceError with diagnostics naming the key and its line."""
    from bprkit.assumptions import catalog

    return catalog.load(path)


def _assumptions(assumptions: str | Assumptions | None) -> Assumptions:
    return assumptions if assumptions is not None and not isinstance(assumptions, str) \
        else load_assumptions(assumptions)


def lever_names(text: str | None, *, assumptions: Assumptions | None = None,
                lang: str = "ja") -> list[str] | None:
    """The levers ``--levers`` names (``a,b``): catalog keys or their aliases (AI-OCR、
    RPA), full-width or not; None for None. UsageError, in ``lang``, for a name that
    is not a lever of ``assumptions`` (the defaults without), with a suggestion."""
    if text is None:
        return None
    import unicodedata

    from bprkit import vocabulary
    from bprkit.assumptions import catalog
    from bprkit.messages import catalog as messages

    known = list((assumptions or catalog.default()).levers)
    titles = {name: lever.title(lang) for name, lever in catalog.default().levers.items()}
    listing = ", ".join(titles[k] if lang == "ja" else k for k in known if k in titles)
    words = [w.strip() for w in unicodedata.normalize("NFKC", text).replace("、", ",")
             .split(",") if w.strip()]
    if not words:
        raise UsageError(messages.text(lang, "unknown_levers", levers=text or '""',
                                       known=listing), lang)
    names = [vocabulary.lookup(vocabulary.levers(), w) or w for w in words]
    for word, name in zip(words, names, strict=True):
        if name not in known:
            hint = vocabulary.suggest(word, vocabulary.spellings(vocabulary.levers()))
            message = messages.text(lang, "unknown_levers", levers=word, known=listing)
            if hint:
                message += "\n  " + messages.text(lang, "did_you_mean", suggestion=hint)
            raise UsageError(message, lang)
    return names


def analyze(source: str | Bundle, *, process: str | None = None,
            with_findings: bool = True) -> Analysis:
    """Analyse a process of a file (the file's first process unless ``process``
    names one): ``.metrics``, ``.steps``, ``.findings``, ``.to_frame()``.
    Raises BprError when the file has errors or names no such process
    (UnknownProcessError, also a ValueError). ``with_findings=False`` skips the
    findings (a diagram does not draw them)."""
    from bprkit.analysis.records import analyze_process

    return analyze_process(*_chosen(source, process), with_findings=with_findings)


def estimate_process(source: str | Bundle, *, process: str | None = None,
                     tobe: str | Bundle | None = None, levers: Sequence[str] | None = None,
                     assumptions: str | Assumptions | None = None, samples: int = 10_000,
                     seed: int | None = None) -> Estimate:
    """Time savings of a procedure: the levers applied in memory, or a hand-written
    To-Be file (``tobe``: its process that redesigns this one, else its first).
    ``assumptions`` names a TOML file laid over the defaults (or is one loaded).
    (Named ``estimate_process``, not ``estimate``: ``bprkit.estimate`` is the module.)"""
    from bprkit.estimate import montecarlo

    a = _assumptions(assumptions)
    asis, bundle = _chosen(source, process)
    seed = montecarlo.DEFAULT_SEED if seed is None else seed
    if tobe is not None:
        tobe_bundle = _bundle(tobe)
        other = tobe_bundle.tobe_of(asis)
        return montecarlo.compare(asis, bundle, other, tobe_bundle, a, samples=samples,
                                  seed=seed)
    return montecarlo.estimate(asis, bundle, a, levers=list(levers) if levers else levers,
                               samples=samples, seed=seed)


def redesign_process(source: str | Bundle, *, process: str | None = None,
                     levers: Sequence[str] | None = None,
                     assumptions: str | Assumptions | None = None,
                     lang: str = "ja") -> Redesign:
    """The To-Be of a procedure (a model, with a comment per changed step)."""
    from bprkit.estimate import redesign

    asis, bundle = _chosen(source, process)
    return redesign.redesign(asis, bundle, _assumptions(assumptions),
                             levers=list(levers) if levers else levers, lang=lang)


def redesign_source(source: str | Bundle, *, output: str, header: str = "",
                    levers: Sequence[str] | None = None,
                    assumptions: str | Assumptions | None = None, lang: str = "ja") -> str:
    """The ``.bpr`` text of the To-Be of every process of a file, as ``bprkit
    redesign`` writes it to ``output``: it imports the As-Is by its path from
    ``output``'s folder, opens with ``header`` and comments each changed step."""
    import os

    from bprkit.estimate import redesign
    from bprkit.model import Import, SourceFile
    from bprkit.text import writer

    bundle = _bundle(source)
    result = redesign.redesign_all(bundle.root.processes, bundle, _assumptions(assumptions),
                                   levers=list(levers) if levers else levers, lang=lang)
    relative = os.path.relpath(os.path.abspath(bundle.root.path),
                               os.path.dirname(os.path.abspath(output))).replace(os.sep, "/")
    file = SourceFile(output, (Import(relative),), result.processes)
    return writer.write(file, header=header, comments=result.comments)


def drawing_format(output: str | None, explicit: str | None = None,
                   paper: str | None = None) -> str:
    """The format a drawing is written in: ``explicit``, else ``output``'s extension,
    else svg (pdf with ``paper``). A UsageError whose text is the extension when the
    extension is unknown or contradicts ``explicit``."""
    from bprkit.render import drawing

    return drawing.format_for(output, explicit, paper)


def diagram(source: str | Bundle, *, process: str | None = None,
            compare: str | Bundle | None = None, redesigned: bool = False,
            lang: str = "ja", heat: bool | str = False, paper: str | None = None,
            direction: str = "LR", expand: bool = False) -> Drawing:
    """A swimlane diagram that Jupyter shows inline and ``.save(path)`` writes:
    the process, or As-Is above To-Be (``compare`` names a To-Be file, or
    ``redesigned=True`` draws the automatic redesign). ``expand`` inlines the
    processes called by ``use`` (a UsageError past the size a diagram can hold).
    ``paper``: ``a3``, ``a4``, or one screen, ``screen`` or ``WxH`` pixels (a
    UsageError for anything else)."""
    from bprkit.analysis.records import analyze_process
    from bprkit.render import drawing as render
    from bprkit.render import style

    if paper is not None:
        try:
            style.sheet(paper)
        except ValueError:
            raise UsageError(key="render_bad_fit", fit=paper) from None
    asis, bundle = _chosen(source, process)
    tobe_bundle = None if compare is None else _bundle(compare)
    if expand:
        from bprkit.text.validate import MAX_EXPANDED_STEPS, expanded_sizes

        known = {p.id: p for b in (bundle, tobe_bundle) if b is not None
                 for p in b.processes}
        size = expanded_sizes(known)[0].get(asis.id, 0)
        if size > MAX_EXPANDED_STEPS:
            raise UsageError(key="render_expand_too_large", process=asis.id,
                             count=f"{size:,}", limit=f"{MAX_EXPANDED_STEPS:,}")
    options = render.Options(lang=lang, direction=direction, heat=heat, expand=expand,
                             paper=paper)
    analysis = analyze_process(asis, bundle, with_findings=False)
    if tobe_bundle is None and not redesigned:
        return render.diagram(analysis, bundle, options)
    if tobe_bundle is not None:
        tobe = tobe_bundle.tobe_of(asis)
    else:
        made = redesign_process(bundle, process=asis.id, lang=lang)
        tobe, tobe_bundle = made.process, made.bundle(bundle)
    return render.comparison(analysis, analyze_process(tobe, tobe_bundle, with_findings=False),
                             bundle, tobe_bundle, options)


def band_measured(lang: str = "ja") -> str:
    """What the default P10–P90 band measured on the published backtest cases, as one
    line for any output that shows a band (docs/backtest.md): never a promise."""
    from bprkit.estimate.backtest import cases

    return cases.measured().text(lang)


# ───────────── many procedures ─────────────

def inventory(*paths: str, levers: Sequence[str] | None = None,
              assumptions: str | None = None, samples: int | None = None,
              jobs: int | None = None,
              progress: Callable[[Iterable], Iterable] | None = None,
              dask: str | None = None) -> Portfolio:
    """Every As-Is process under ``paths``, estimated and ranked (docs/portfolio.md):
    ``.rows``, ``.failures``, ``.by_owner()``, ``.by_lever()``, ``.to_dict()``.
    ``jobs``: worker processes (default: the CPUs); ``progress`` wraps the iteration
    over finished files (:func:`progress_bar`); ``dask``: run one task a file on a
    dask.distributed cluster at that address, or ``local`` (the ``scale`` extra)."""
    from bprkit.planning import inventory as inventory_module

    return inventory_module.build(list(paths), assumptions=assumptions, levers=levers,
                                  samples=samples or inventory_module.SAMPLES, jobs=jobs,
                                  progress=progress, dask=dask)


def portfolio(*paths: str, roadmap: str | None = None, levers: list[str] | None = None,
              assumptions: str | None = None, samples: int = 2_000,
              jobs: int | None = None) -> Frames:
    """Every As-Is process under ``paths``, estimated and ranked, as DataFrames:
    ``.ranking``, ``.by_owner``, ``.by_lever`` and, with a roadmap file, ``.roadmap``
    (docs/portfolio.md). Files with errors are listed in ``.failed``."""
    from bprkit.planning import inventory as inventory_module

    result = inventory(*paths, assumptions=assumptions, levers=levers, samples=samples,
                       jobs=jobs)
    years = None if roadmap is None else plan(result, load_roadmap(roadmap))
    return inventory_module.frames(result, years)


def progress_bar(total: int, *, quiet: bool = False) -> Callable[[Iterable], Iterable]:
    """A progress bar on stderr for :func:`inventory` (silent when stderr is not a
    terminal, or ``quiet``)."""
    from bprkit.planning import inventory as inventory_module

    return inventory_module.progress_bar(total, quiet=quiet)


def load_roadmap(path: str) -> Roadmap:
    """A roadmap file (工程表, docs/portfolio.md), checked: a UsageError naming the
    file, line and key otherwise."""
    from bprkit.planning import roadmap

    return roadmap.load(path)


def plan(portfolio: Portfolio, roadmap: Roadmap) -> list[Year]:
    """The work year by year: the procedures each year's levers and capacity reach."""
    from bprkit.planning import roadmap as roadmap_module

    return roadmap_module.plan(portfolio, roadmap)


def shared_investments(portfolio: Portfolio, roadmap: Roadmap, *,
                       hourly_yen: float) -> list[Shared]:
    """The roadmap's shared investments, each shared over the procedures that use it."""
    from bprkit.planning import roadmap as roadmap_module

    return roadmap_module.shared(portfolio, roadmap, hourly_yen)


def investment_shares(roadmap: str | Roadmap, path: str, *, process: str, hourly_yen: float,
                      assumptions: str | None = None,
                      levers: Sequence[str] | None = None) -> Shares:
    """One procedure's part of the roadmap's shared investments, among the procedures
    of the roadmap's portfolio (the procedure's file added when it is not there)."""
    from bprkit.planning import inventory as inventory_module
    from bprkit.planning import roadmap as roadmap_module

    plan_file = load_roadmap(roadmap) if isinstance(roadmap, str) else roadmap
    return roadmap_module.shares_of(plan_file, path, process, hourly_yen=hourly_yen,
                                    assumptions=assumptions,
                                    levers=tuple(levers) if levers else None,
                                    samples=inventory_module.SAMPLES)


# ───────────── the backtest (docs/backtest.md) ─────────────

def backtest_folder() -> str:
    """The folder of the backtest cases shipped with bprkit."""
    from bprkit.estimate.backtest import cases

    return cases.bundled()


def load_cases(paths: Sequence[str], *, assumptions: Assumptions | None = None
               ) -> tuple[list[BacktestCase], CheckReport]:
    """Every case's header read, every case file checked: BacktestError listing every
    header error; errors in the ``.bpr`` itself are left in the report."""
    from bprkit.estimate.backtest import cases

    return cases.load(paths, list(_assumptions(assumptions).levers))


def backtest(cases: Sequence[BacktestCase], bundles: Sequence[Bundle], *,
             assumptions: Assumptions | None = None, samples: int | None = None,
             seed: int | None = None) -> BacktestReport:
    """Each case estimated with its levers and set against its published figure."""
    from bprkit.estimate.backtest import cases as cases_module

    return cases_module.run(cases, bundles, _assumptions(assumptions),
                            samples=samples or cases_module.DEFAULT_SAMPLES, seed=seed)


def fit(cases: Sequence[BacktestCase], bundles: Sequence[Bundle], *,
        assumptions: Assumptions | None = None, samples: int | None = None,
        seed: int | None = None) -> FitReport:
    """Each case's lever parameter fitted to its published figure, the fitted ranges,
    and their leave-one-publication-out scores against the defaults before the fit
    and a naive band."""
    from bprkit.estimate import montecarlo
    from bprkit.estimate.backtest import cases as cases_module
    from bprkit.estimate.backtest import fit as fit_module

    return fit_module.run(cases, bundles, _assumptions(assumptions),
                          samples=samples or cases_module.DEFAULT_SAMPLES,
                          seed=montecarlo.DEFAULT_SEED if seed is None else seed,
                          before=fit_module.baseline())


def backtest_table(report: BacktestReport, lang: str = "ja") -> str:
    """The backtest as a table: each case's published and modelled reduction."""
    from bprkit.estimate.backtest import cases

    return cases.format_text(report, lang)


def fit_table(report: FitReport, lang: str = "ja") -> str:
    """The fitted ranges with their cases and the out-of-sample table and scores."""
    from bprkit.estimate.backtest import fit as fit_module

    return fit_module.format_text(report, lang)


def fit_scores_table(report: FitReport, lang: str = "ja") -> str:
    """The out-of-sample scores alone (what ``bprkit backtest`` prints under its table)."""
    from bprkit.estimate.backtest import fit as fit_module

    return fit_module.format_scores(report, lang)


def fit_assumptions(report: FitReport, cases: Sequence[BacktestCase]) -> str:
    """The fitted ranges as an assumptions file (``--assumptions``)."""
    from bprkit.estimate.backtest import fit as fit_module

    return fit_module.to_toml(report, cases)


# ───────────── event logs ─────────────

def read_log(path: str) -> Log:
    """An event log (``.csv``, or ``.xes`` with the ``logs`` extra). Raises LogError."""
    from bprkit.interop import eventlog

    return eventlog.read(path)


def simulate_log(path: str, *, cases: int | None = None, seed: int | None = None,
                 process: str | None = None) -> SimulatedLog:
    """A CSV event log of ``cases`` cases (the file's volume a year without) through a
    procedure's flow, as a core system would export it (Japanese column names), with
    its counts and seed (1 unless given)."""
    from bprkit.interop import eventlog

    bundle = load(path)
    p = process_of(bundle, process)
    count = cases if cases is not None else int(p.volume.per_year() if p.volume else 1000)
    seed = 1 if seed is None else seed
    written = 0

    def counted(events: Iterable[eventlog.Event]) -> Iterator[eventlog.Event]:
        nonlocal written
        for event in events:  # streamed into the CSV, counted on the way
            written += 1
            yield event

    text = eventlog.write_csv(counted(eventlog.simulate(p, count, seed)))
    return SimulatedLog(text, count, written, seed)


class SimulatedLog(NamedTuple):
    """What :func:`simulate_log` gives: the CSV text, and what is in it."""

    text: str
    cases: int
    events: int
    seed: int


def fit_log(path: str, log: str | Log, *, mapping: str | None = None,
            process: str | None = None, min_cases: int | None = None) -> LogFit:
    """A procedure's figures measured in an event log, the file text with them, and the
    log's conformance (bprkit/interop/logfit.py). ``mapping``: a TOML file with an
    ``[activities]`` table, activity → step id. Raises LogError, BprError."""
    from bprkit.interop import eventlog, logfit

    bundle = load(path)
    p = process_of(bundle, process)
    read = eventlog.read(log) if isinstance(log, str) else log
    given = _activity_map(mapping) if mapping else None
    from bprkit.text.source import decode

    with open(path, "rb") as fh:  # decoded as load() decoded it (UTF-8, or Shift_JIS)
        source, _ = decode(path, fh.read())
    assert source is not None, path  # load() has decoded it
    return logfit.fit(p, source.text, read, given=given, path=path, map_path=mapping or "",
                      min_cases=logfit.MIN_CASES if min_cases is None else min_cases)


def discover_log(log: str | Log, *, name: str | None = None) -> Discovered:
    """A first procedure from an event log: the flow by pm4py's inductive miner (the
    ``logs`` extra), lanes from the log's resource column, the figures measured in the
    same log (bprkit/interop/discover.py). Raises LogError."""
    import os

    from bprkit.interop import discover, eventlog

    read = eventlog.read(log) if isinstance(log, str) else log
    title = name or os.path.splitext(os.path.basename(read.name))[0]
    return discover.discover(read, title)


def _activity_map(path: str) -> dict[str, str]:
    import os

    from bprkit import tomlfile
    from bprkit.interop.eventlog import LogError

    if not os.path.isfile(path):
        raise LogError(path, "log_map_missing")
    try:
        _, table = tomlfile.read(path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise LogError(path, "log_map_unreadable", detail=str(exc)) from exc
    activities = table.get("activities")
    if not isinstance(activities, dict) or not all(
            isinstance(v, str) for v in activities.values()):
        raise LogError(path, "log_map_unreadable", detail="[activities] of strings")
    return {str(k): v for k, v in activities.items()}
