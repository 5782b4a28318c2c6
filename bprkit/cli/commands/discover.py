"""``bprkit discover``: a first procedure from an event log, when none is written yet
(pm4py's inductive miner through bprkit's BPMN importer; lanes from the resource
column; the figures measured in the same log)."""

from __future__ import annotations

import argparse
import sys

import bprkit
from bprkit.cli import options, outputs
from bprkit.errors import Exit
from bprkit.messages import catalog as messages


class Discover:
    name = "discover"
    help = "a first procedure from an event log / 業務ログから手続の下書き"
    description = ("Find a procedure's flow in an event log (pm4py's inductive miner), its "
                   "lanes from the resource column and its figures from the same log, and "
                   "write it as a draft .bpr to tag and name.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("log", metavar="LOG",
                            help="the event log: .csv, .xes or a タイムスタディ .xlsx")
        options.add_output(parser, metavar="DRAFT.bpr", required=True,
                           help="the draft to write")
        parser.add_argument("--name", help="the procedure's name (default: the log's)")
        options.add_lang(parser)

    def run(self, args: argparse.Namespace, lang: str) -> Exit:
        from bprkit.output import write_output

        outputs.guard([(args.output, {"bpr"})], [], [args.log])
        found = bprkit.discover_log(args.log, name=args.name)
        bprkit.parse(found.text, path=args.output)  # never write what does not parse
        write_output(args.output, found.text.encode("utf-8"))
        print(messages.text(lang, "discover_roles"))
        for lane, role in found.roles:
            print(f"  {lane}: {messages.text(lang, 'role_' + role)}")
        for what, detail in found.changed:
            print("  " + messages.text(lang, f"import_{what}", detail=detail))
        print(messages.text(lang, "discover_done", path=args.output,
                            share=f"{found.conformance:.1%}"))
        if found.conformance < 0.99:
            print(messages.text(lang, "discover_partly", share=f"{found.conformance:.1%}"),
                  file=sys.stderr)
        return Exit.OK


command = Discover()
