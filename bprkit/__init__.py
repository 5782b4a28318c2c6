"""bprkit: process mapping for municipal BPR.

The public API. Everything not listed in ``__all__`` is internal.

    >>> import bprkit
    >>> report = bprkit.check("processes/")          # diagnostics, never an exception
    >>> bundle = bprkit.load("processes/tennyu_todoke.bpr")   # raises BprError on errors
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bprkit import source
from bprkit.errors import BprError, Diagnostic, ModelError, SourceError
from bprkit.loader import CheckReport, FileReport, build_model, check_files, find_files
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

if TYPE_CHECKING:
    from bprkit.analysis import Analysis

__version__ = "0.1.0"

__all__ = [
    "BprError", "Branch", "Bundle", "Case", "CheckReport", "Data", "Diagnostic", "Document",
    "Duration", "FileReport", "Lane", "ModelError", "Parallel", "Path", "Process", "SourceError",
    "SourceFile", "Span", "Step", "Use", "Volume", "__version__", "analyze", "check", "load",
    "parse",
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
    from bprkit.analysis import analyze_process

    bundle = load(path)
    own = bundle.root.processes
    chosen = own[0] if process is None else next((p for p in own if p.id == process), None)
    if chosen is None:
        raise ValueError(f"no process {process!r} in {path}; "
                         f"processes: {', '.join(p.id for p in own)}")
    return analyze_process(chosen, bundle)
