"""The options commands share, each defined once, and the checks of their ranges.

A command adds the ones it takes (``options.add_lang(parser)``); :func:`check_first`
checks what every command checks of its options before any work, and
:func:`check_samples` the Monte Carlo samples where a command reads them.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

from bprkit.errors import UsageError
from bprkit.messages import catalog as messages

MAX_JOBS_PER_CPU = 4
"""--jobs at most this many workers per CPU (more only costs memory and start-up)."""
MAX_SEED = 2 ** 64 - 1
"""--seed: numpy's generators take 0 … 2⁶⁴ − 1."""
MAX_SAMPLES = 1_000_000
"""Monte Carlo samples at most: 10,000 give P10/P90 to a fraction of a percent."""

FILE_OPTIONS = ("assumptions", "roadmap", "compare", "folder", "asis", "file")
"""The options that name a file read (checked before any work: a FIFO would block)."""


def add_lang(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=messages.LANGUAGES, default=None,
                        help="language (default: from LANG; ja when it starts with ja)")


def add_assumptions(parser: argparse.ArgumentParser, *, only: str = "") -> None:
    """``only``: the formats the option is for (``xlsx``), said first."""
    parser.add_argument("--assumptions", metavar="FILE.toml",
                        help=_for(only, "override parts of the default assumptions"))


def add_levers(parser: argparse.ArgumentParser, *, only: str = "") -> None:
    parser.add_argument("--levers", metavar="L1,L2",
                        help=_for(only, "levers to consider (default: all in the catalog)"))


def add_samples(parser: argparse.ArgumentParser, default: int | None, *, shown: int,
                per: str = "", only: str = "") -> None:
    """``default``: the value argparse gives (None: the command's own, ``shown``);
    ``per``: what each run of samples estimates (a case, a procedure)."""
    each = f" per {per}" if per else ""
    parser.add_argument("--samples", type=int, default=default, metavar="N",
                        help=_for(only, f"Monte Carlo samples{each} (default: {shown:,})"))


def add_seed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=None, metavar="S",
                        help="random seed (default: a fixed one, so runs repeat)")


def add_process(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--process", metavar="ID", help="the process (default: first)")


def add_jobs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="worker processes (default: the CPUs)")


def add_quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def add_roadmap(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument("--roadmap", metavar="FILE.toml", help=help)


def add_output(parser: argparse.ArgumentParser, *, metavar: str = "OUT",
               help: str | None = None, required: bool = False) -> None:
    parser.add_argument("-o", "--output", metavar=metavar, help=help, required=required)


def add_format(parser: argparse.ArgumentParser, choices: Sequence[str],
               default: str | None = "text", help: str | None = None) -> None:
    parser.add_argument("--format", choices=tuple(choices), default=default, help=help)


def _for(only: str, text: str) -> str:
    return f"{only}: {text}" if only else text


def check_first(args: argparse.Namespace, lang: str) -> None:
    """What every command checks of its options before any work: an output that is
    not an empty name, files that are regular files, --jobs and --seed in range."""
    from bprkit import guard

    out = getattr(args, "output", None)
    if out is not None and not str(out).strip():
        raise UsageError(messages.text(lang, "output_empty", path=repr(out)), lang)
    for name in FILE_OPTIONS:
        path = getattr(args, name, None)
        if isinstance(path, str):
            guard.check_readable(path)
    jobs = getattr(args, "jobs", None)
    most = MAX_JOBS_PER_CPU * (os.cpu_count() or 1)
    if jobs is not None and not 1 <= jobs <= most:
        raise UsageError(messages.text(lang, "bad_jobs", limit=most), lang)
    seed = getattr(args, "seed", None)
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise UsageError(messages.text(lang, "bad_seed", limit=f"{MAX_SEED:,}"), lang)


def check_samples(samples: int, lang: str) -> None:
    """Monte Carlo samples in range (1 … MAX_SAMPLES)."""
    if not 1 <= samples <= MAX_SAMPLES:
        raise UsageError(messages.text(lang, "bad_samples", limit=f"{MAX_SAMPLES:,}"), lang)
