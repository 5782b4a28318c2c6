"""``bprkit fit``: a procedure's figures measured in the office's event log, with the
source of each, and how well the log conforms (bprkit/interop/logfit.py)."""

from __future__ import annotations

import argparse

import bprkit
from bprkit.cli import options, outputs
from bprkit.errors import Exit, UsageError
from bprkit.messages import catalog as messages


class Fit:
    name = "fit"
    help = "fit figures to an event log / 業務ログから数値を測る"
    description = ("Measure a procedure's times, waits, shares and volume in an event log "
                   "(CSV or XES), print old → new with the cases behind each, check the "
                   "log's conformance, and with -o write the procedure with the figures.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("file", metavar="FILE", help="a .bpr file")
        parser.add_argument("--log", required=True, metavar="LOG",
                            help="the event log: .csv (case, activity, start, complete), "
                                 ".xes, or a タイムスタディ .xlsx")
        parser.add_argument("--map", metavar="MAP.toml",
                            help="activity → step id, in an [activities] table")
        parser.add_argument("--min-cases", type=int, default=None, metavar="N",
                            help="fewest cases behind a figure that replaces one (30)")
        options.add_process(parser)
        options.add_output(parser, metavar="OUT.bpr",
                           help="write the procedure with the measured figures (never "
                                "over FILE)")
        options.add_lang(parser)

    def run(self, args: argparse.Namespace, lang: str) -> Exit:
        from bprkit.report import fit_output

        if args.output == "-":  # the report goes to stdout: the file cannot share it
            raise UsageError(messages.text(lang, "fit_output_file"), lang)
        if args.min_cases is not None and args.min_cases < 1:
            raise UsageError(messages.text(lang, "fit_min_cases", value=args.min_cases), lang)
        outputs.guard([(args.output, {"bpr"})], [args.file], [args.log, args.map],
                      stdout=False)
        result = bprkit.fit_log(args.file, args.log, mapping=args.map, process=args.process,
                                min_cases=args.min_cases)
        fit_output.print_text(result, lang)
        if not args.output:
            print(messages.text(lang, "fit_not_written"))
            return Exit.OK
        from bprkit.output import write_output

        text = result.written_to(args.file, args.output)
        bprkit.parse(text, path=args.output)  # never write what does not parse
        write_output(args.output, text.encode("utf-8"))
        changed = sum(1 for f in result.figures if not f.kept and f.old != f.new)
        print(messages.text(lang, "fit_written", path=args.output, changed=changed))
        return Exit.OK


command = Fit()
