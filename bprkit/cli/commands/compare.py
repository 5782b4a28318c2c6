"""``bprkit compare``: an As-Is against a hand-written To-Be (an estimate of the change)."""

from __future__ import annotations

import argparse

from bprkit.cli.commands.estimate import add_estimate_options, run_estimate
from bprkit.errors import Exit


class Compare:
    name = "compare"
    help = "compare an As-Is and a To-Be / 現状と見直し後の比較"
    description = help

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("asis", metavar="ASIS.bpr")
        parser.add_argument("tobe", metavar="TOBE.bpr")
        add_estimate_options(parser)

    def run(self, args: argparse.Namespace, lang: str) -> Exit:
        return run_estimate(args, lang)


command = Compare()
