"""``main``: the command line parsed, the language chosen, the command run, and every
way it can end turned into an exit code (:class:`bprkit.errors.Exit`).

``main`` is re-entrant (tests call it in-process): it leaves no state behind, puts
the SIGTERM handler back, and never replaces ``sys.stdout`` past its return.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any

import bprkit
from bprkit import collector
from bprkit._version import __version__
from bprkit.cli import options, registry
from bprkit.errors import BprError, Exit
from bprkit.messages import catalog as messages

if TYPE_CHECKING:
    from bprkit.cli.command import Command


class _CommandParser(argparse.ArgumentParser):
    """A command's parser, whose arguments are declared when it first parses (or shows
    its help): ``bprkit --help`` and ``bprkit check …`` do not declare, nor import the
    registries of, the other twelve commands."""

    def __init__(self, *args: Any, command: Command | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._command = command

    def declare(self) -> None:
        """The command's arguments declared (once)."""
        command, self._command = self._command, None
        if command is not None:
            command.add_arguments(self)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        self.declare()
        return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        self.declare()
        return super().format_usage()

    def format_help(self) -> str:
        self.declare()
        return super().format_help()


def build_parser(*, declared: bool = True) -> argparse.ArgumentParser:
    """The parser of every command in the registry (choices read from the registries
    of formats, exporters and importers as they are now). ``declared=False``: each
    command's arguments declared only when that command is parsed (what ``main``
    does)."""
    parser = argparse.ArgumentParser(
        prog="bprkit",
        description="Process mapping for municipal BPR. 自治体BPRのための業務フロー分析ツール。",
    )
    parser.add_argument("--version", action="version", version=f"bprkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=_CommandParser)
    for command in registry.COMMANDS:
        made = sub.add_parser(command.name, help=command.help,
                              description=command.description, command=command)
        if declared:
            made.declare()
    return parser


def main(argv: Sequence[str] | None = None) -> Exit:
    """Run ``bprkit`` with ``argv`` (default: the process's arguments); the exit code."""
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main_thread else None
    try:
        return _main(argv)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
        collector.release()  # what the inputs kept (cli/inputs.py) is collectable again


def _main(argv: Sequence[str] | None) -> Exit:
    try:
        args = build_parser(declared=False).parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error argparse has said
        return Exit.USAGE if exc.code else Exit.OK
    lang = args.lang
    if lang is None:  # the locale, else the labels (read only when they decide)
        lang = messages.default_language(
            texts=() if messages.locale_decides() else _label_sample(args))
    try:
        options.check_first(args, lang)
        return registry.find(args.command).run(args, lang)
    except BprError as exc:  # raised on purpose, not caught nearer: its own exit code
        print(f"bprkit: {_said(exc, lang)}", file=sys.stderr)
        return Exit(exc.exit_code)
    except KeyboardInterrupt:
        return Exit.INTERRUPTED
    except BrokenPipeError:
        return Exit.OK
    except Exception as exc:
        if os.environ.get("BPRKIT_DEBUG"):
            raise
        print(f"bprkit: internal error ({type(exc).__name__}: {exc}). "
              "Please report it with the input file; BPRKIT_DEBUG=1 shows the details.",
              file=sys.stderr)
        return Exit.INTERNAL


def _said(exc: BprError, lang: str) -> str:
    """An error's text in ``lang``: an output refused or failed is said from its
    reason (a key of the catalogs)."""
    from bprkit.output import OutputError

    if isinstance(exc, OutputError):
        return messages.text(lang, exc.reason, path=exc.path, detail=exc.detail)
    return exc.text(lang)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # so temporary files are removed as on Ctrl-C


def _label_sample(args: argparse.Namespace) -> list[str]:
    """The start of the first input file (the first .bpr of a folder): what the
    language of the output follows when the locale is neither ja nor en."""
    paths = [getattr(args, name) for name in ("file", "asis") if getattr(args, name, None)]
    paths += list(getattr(args, "paths", None) or ())
    for path in paths[:1]:
        try:
            if os.path.isdir(path):
                path = next(iter(sorted(bprkit.find_files(path))), path)
            if not os.path.isfile(path):  # a FIFO would block
                return []
            with open(path, "rb") as fh:
                return [fh.read(65536).decode("utf-8", "replace")]
        except OSError:
            return []
    return []
