"""``bprkit simulate``: an event log simulated from a procedure (its times, waits and
shares), as a core system would export it: for training, and to check ``bprkit fit``."""

from __future__ import annotations

import argparse

import bprkit
from bprkit.cli import options, outputs
from bprkit.errors import Exit
from bprkit.messages import catalog as messages


class Simulate:
    name = "simulate"
    help = "simulate an event log / 模擬の業務ログを作る"
    description = ("Write a CSV event log of cases through a procedure's flow, drawn from "
                   "its times, waits and shares, as a core system would export it.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("file", metavar="FILE", help="a .bpr file")
        options.add_output(parser, metavar="LOG.csv", required=True, help="the log to write")
        parser.add_argument("--cases", type=int, default=None, metavar="N",
                            help="cases (default: the procedure's volume a year)")
        options.add_seed(parser)
        options.add_process(parser)
        options.add_lang(parser)

    def run(self, args: argparse.Namespace, lang: str) -> Exit:
        from bprkit.output import write_output

        outputs.guard([(args.output, {"csv"})], [args.file])
        log = bprkit.simulate_log(args.file, cases=args.cases, seed=args.seed,
                                  process=args.process)
        write_output(args.output, log.text.encode("utf-8"))
        print(messages.text(lang, "simulate_done", path=args.output, cases=log.cases,
                            events=log.events, seed=log.seed))
        return Exit.OK


command = Simulate()
