"""The commands of ``bprkit``, in the order ``bprkit --help`` lists them. A new command
is one module in bprkit/cli/commands/ and one line here."""

from __future__ import annotations

from bprkit.cli.command import Command
from bprkit.cli.commands import (
    analyze,
    backtest,
    check,
    compare,
    discover,
    estimate,
    export,
    fit,
    fmt,
    import_,
    portfolio,
    redesign,
    render,
    report,
    serve,
    simulate,
)

COMMANDS: tuple[Command, ...] = (
    check.command, analyze.command, render.command, estimate.command, compare.command,
    redesign.command, backtest.command, portfolio.command, fmt.command, serve.command,
    export.command, import_.command, fit.command, simulate.command, discover.command,
    report.command)


def find(name: str) -> Command:
    """The command named ``name`` (KeyError for none: argparse allows only these)."""
    return {c.name: c for c in COMMANDS}[name]
