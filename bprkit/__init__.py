"""bprkit: process mapping for municipal BPR.

The public API. Everything not listed in ``__all__`` is internal.

    >>> import bprkit
    >>> report = bprkit.check("processes/")          # diagnostics, never an exception
    >>> bundle = bprkit.load("processes/tennyu_todoke.bpr")   # raises BprError on errors
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from bprkit._version import __version__
from bprkit.errors import BprError, Diagnostic, ModelError, SourceError
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
from bprkit.text import source
from bprkit.text.loader import CheckReport, FileReport, build_model, check_files, find_files

if TYPE_CHECKING:
    from bprkit.analysis.records import Analysis
    from bprkit.estimate.montecarlo import Estimate
    from bprkit.estimate.redesign import Redesign
    from bprkit.render.drawing import Drawing

if "IPython" in sys.modules:  # Jupyter: processes and analyses display as diagrams
    from bprkit import notebook as _notebook

    _notebook.register()

__all__ = [
    "BprError", "Branch", "Bundle", "Case", "CheckReport", "Data", "Diagnostic", "Document",
    "Duration", "FileReport", "Lane", "ModelError", "Parallel", "Path", "Process", "SourceError",
    "SourceFile", "Span", "Step", "Use", "Volume", "__version__", "analyze", "band_measured",
    "check",
    "diagram", "estimate_process", "load", "parse", "portfolio", "redesign_process",
]


def parse(text: str, *, path: str = "<text>") -> SourceFile:
    """Parse one file's text (imports are not followed). Raises SourceError."""
    decoded, diags = source.decode(path, text.encode("utf-8"))
    if decoded is not None:
        model, found = build_model(decoded)
        diags += found
        if model is not None and not any(d.is_error for d in diags):
            return model
    raise SourceError(diags)


def check(*paths: str) -> CheckReport:
    """Check files and folders (recursively, ``*.bpr``) together. Never raises
    for bad input: every problem is a Diagnostic in the report."""
    return check_files(find_files(paths))


def load(path: str) -> Bundle:
    """Load a file with its imports, checked. Raises BprError when it has errors."""
    report = check_files([path])
    bundle = report.files[0].bundle
    if bundle is None or not report.ok:
        raise ModelError(report.diagnostics)
    return bundle


def analyze(path: str, *, process: str | None = None) -> Analysis:
    """Analyse a process of a file (the file's first process unless ``process``
    names one): ``.metrics``, ``.steps``, ``.findings``, ``.to_frame()``.
    Raises BprError when the file has errors or names no such process."""
    from bprkit.analysis.records import analyze_process

    return analyze_process(*_chosen(path, process))


def _chosen(path: str, process: str | None) -> tuple[Process, Bundle]:
    bundle = load(path)
    own = bundle.root.processes
    chosen = own[0] if process is None else next((p for p in own if p.id == process), None)
    if chosen is None:
        raise ValueError(f"no process {process!r} in {path}; "
                         f"processes: {', '.join(p.id for p in own)}")
    return chosen, bundle


def estimate_process(path: str, *, process: str | None = None, tobe: str | None = None,
             levers: list[str] | None = None, assumptions: str | None = None,
             samples: int = 10_000, seed: int | None = None) -> Estimate:
    """Time savings of a procedure: the levers applied in memory, or a hand-written
    To-Be file (``tobe``). ``assumptions`` names a TOML file laid over the defaults.
    (Named ``estimate_process``, not ``estimate``: ``bprkit.estimate`` is the module.)"""
    from bprkit.assumptions import catalog as assumptions_module
    from bprkit.estimate import montecarlo as estimate_module

    a = assumptions_module.load(assumptions)
    asis, bundle = _chosen(path, process)
    seed = estimate_module.DEFAULT_SEED if seed is None else seed
    if tobe is not None:
        tobe_bundle = load(tobe)
        other = tobe_bundle.tobe_of(asis)
        return estimate_module.compare(asis, bundle, other, tobe_bundle, a, samples=samples,
                                       seed=seed)
    return estimate_module.estimate(asis, bundle, a, levers=levers, samples=samples,
                                    seed=seed)


def redesign_process(path: str, *, process: str | None = None,
                     levers: list[str] | None = None,
             assumptions: str | None = None, lang: str = "ja") -> Redesign:
    """The To-Be of a procedure (a model, with a comment per changed step)."""
    from bprkit.assumptions import catalog as assumptions_module
    from bprkit.estimate import redesign as redesign_module

    asis, bundle = _chosen(path, process)
    return redesign_module.redesign(asis, bundle, assumptions_module.load(assumptions),
                                    levers=levers, lang=lang)


def diagram(path: str, *, process: str | None = None, compare: str | None = None,
            redesigned: bool = False, lang: str = "ja", heat: bool | str = False,
            paper: str | None = None, direction: str = "LR") -> Drawing:
    """A swimlane diagram that Jupyter shows inline and ``.save(path)`` writes:
    the process, or As-Is above To-Be (``compare`` names a To-Be file, or
    ``redesigned=True`` draws the automatic redesign)."""
    from bprkit.analysis.records import analyze_process
    from bprkit.render import drawing as render

    asis, bundle = _chosen(path, process)
    options = render.Options(lang=lang, heat=heat, paper=paper, direction=direction)
    analysis = analyze_process(asis, bundle)
    if compare is None and not redesigned:
        return render.diagram(analysis, bundle, options)
    if compare is not None:
        tobe_bundle = load(compare)
        tobe = tobe_bundle.tobe_of(asis)
    else:
        made = redesign_process(path, process=process, lang=lang)
        tobe, tobe_bundle = made.process, made.bundle(bundle)
    return render.comparison(analysis, analyze_process(tobe, tobe_bundle), bundle,
                             tobe_bundle, options)


def portfolio(*paths: str, roadmap: str | None = None, levers: list[str] | None = None,
              assumptions: str | None = None, samples: int = 2_000,
              jobs: int | None = None) -> object:
    """Every As-Is process under ``paths``, estimated and ranked, as DataFrames:
    ``.ranking``, ``.by_owner``, ``.by_lever`` and, with a roadmap file, ``.roadmap``
    (docs/portfolio.md). Files with errors are listed in ``.failed``."""
    from bprkit.planning import inventory
    from bprkit.planning import roadmap as roadmap_module

    result = inventory.build(list(paths), assumptions=assumptions, levers=levers,
                             samples=samples, jobs=jobs)
    years = None
    if roadmap is not None:
        plan = roadmap_module.load(roadmap)
        years = roadmap_module.plan(result, plan)
    return inventory.frames(result, years)


def band_measured(lang: str = "ja") -> str:
    """What the default P10–P90 band measured on the published backtest cases, as one
    line for any output that shows a band (docs/backtest.md): never a promise."""
    from bprkit.estimate.backtest import cases as backtest

    return backtest.measured().text(lang)
