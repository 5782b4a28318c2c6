"""What commands read: the ``.bpr`` files named, checked; the process asked for; the
assumptions and levers of an estimate. A problem is a UsageError, or, for files with
errors, their diagnostics printed and None."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

import bprkit
from bprkit import collector
from bprkit.cli import options
from bprkit.errors import SourceError, UnknownProcessError, UsageError
from bprkit.messages import catalog as messages

if TYPE_CHECKING:
    from bprkit import Assumptions, Bundle, CheckReport, Process


def files(paths: Sequence[str], lang: str) -> list[str]:
    """The ``.bpr`` files of ``paths`` (folders recursively); a missing path, or a
    folder without any, is a usage error."""
    for path in paths:
        if not os.path.exists(path):
            raise UsageError(messages.text(lang, "path_missing", path=path), lang,
                             hint=messages.text(lang, "path_missing_hint", cwd=os.getcwd()))
        if os.path.isdir(path) and not bprkit.find_files(path):
            raise UsageError(messages.text(lang, "no_bpr_files", path=path), lang,
                             hint=messages.text(lang, "no_bpr_files_hint"))
    return bprkit.find_files(*paths)


def check_clean(paths: Sequence[str], lang: str) -> CheckReport | None:
    """The files checked together; None, their diagnostics printed, when any has an
    error."""
    from bprkit.report import check_output

    report = bprkit.check(*paths)
    if not report.ok:
        check_output.print_text(report, lang)
        return None
    # The models stay until the command ends: the cyclic collector need not walk them
    # again at every collection the analysis triggers (12-16 % of a large estimate).
    collector.keep()
    return report


def bundle_paths(report: CheckReport) -> list[str]:
    """Every file the checked inputs consist of, imports included."""
    return [f.path for r in report.files if r.bundle for f in r.bundle.files]


def pick(bundle: Bundle, path: str, process: str | None) -> Process:
    """The process ``--process`` names (the file's first without it); the message
    names ``path`` as given on the command line."""
    try:
        return bprkit.process_of(bundle, process)
    except UnknownProcessError as exc:
        raise UnknownProcessError(path, process, exc.known) from None


def assumptions(path: str | None, lang: str) -> Assumptions | None:
    """The assumptions (``--assumptions`` over the defaults); None, the file's
    diagnostics printed, when it has errors."""
    try:
        return bprkit.load_assumptions(path)
    except SourceError as exc:
        for d in exc.diagnostics:
            print(d.render(lang))
        return None


def estimate_setup(args: argparse.Namespace, lang: str
                   ) -> tuple[Assumptions, list[str] | None] | None:
    """What every estimating command reads first: the assumptions (None, said, when the
    file has errors), ``--levers`` and a ``--samples`` in range."""
    a = assumptions(args.assumptions, lang)
    if a is None:
        return None
    levers = bprkit.lever_names(args.levers, assumptions=a, lang=lang)
    options.check_samples(args.samples, lang)
    return a, levers
