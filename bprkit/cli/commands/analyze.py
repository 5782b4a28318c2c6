"""``bprkit analyze``: the figures and findings of every process of .bpr files."""

from __future__ import annotations

import argparse
import sys

import bprkit
from bprkit.cli import inputs, options, outputs
from bprkit.errors import Exit


class Analyze:
    name = "analyze"
    help = "figures and findings / 数字と指摘を出す"
    description = ("Analyse the processes of .bpr files: time per case, lead time, annual "
                   "hours, resident burden and findings.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="a .bpr file or a folder")
        options.add_format(parser, ("text", "json", "csv"))
        options.add_lang(parser)
        parser.add_argument("--all", action="store_true",
                            help="list every finding (default: the top 10 by annual hours "
                                 "at stake; JSON and CSV always hold all)")

    def run(self, args: argparse.Namespace, lang: str) -> Exit:
        from bprkit.report import console

        report = inputs.check_clean(inputs.files(args.paths, lang), lang)
        if report is None:
            return Exit.ERRORS
        for d in report.diagnostics:  # warnings: on stderr, so JSON and CSV stay clean
            print(d.render(lang), file=sys.stderr)
        # a loop the validation missed is an AnalysisError: main says it (exit 1)
        results = [bprkit.analyze(f.bundle, process=p.id) for f in report.files if f.bundle
                   for p in f.bundle.root.processes]
        if args.format == "json":
            outputs.print_json({"processes": [a.to_dict(lang) for a in results]})
        elif args.format == "csv":
            console.print_analysis_csv(results, lang)
        else:
            console.print_analysis(results, lang, None if args.all else bprkit.SUMMARY_SIZE)
        return Exit.OK


command = Analyze()
