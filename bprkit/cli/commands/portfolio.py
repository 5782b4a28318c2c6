"""``bprkit portfolio``: every procedure under the paths estimated and ranked, with a
roadmap year by year and its shared investments (docs/portfolio.md)."""

from __future__ import annotations

import argparse
import os
import sys

import bprkit
from bprkit.cli import inputs, options, outputs
from bprkit.errors import Exit, UsageError
from bprkit.messages import catalog as messages

FORMATS = {"txt": "text", "json": "json", "csv": "csv", "xlsx": "xlsx", "parquet": "parquet"}
"""``-o``'s extension → the format it implies."""


class Portfolio:
    name = "portfolio"
    help = "rank many procedures / 手続の一覧と優先順位"
    description = ("Analyse and estimate every process of every .bpr under PATH and rank them "
                   "by staff hours saved.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH",
                            help="files or folders (recursive)")
        options.add_levers(parser)
        options.add_assumptions(parser)
        options.add_samples(parser, 2_000, shown=2_000, per="procedure")
        options.add_jobs(parser)
        parser.add_argument("--dask", metavar="ADDRESS",
                            help="run one task a file on a dask.distributed cluster "
                                 "(tcp://host:8786), or 'local' for a LocalCluster of --jobs "
                                 "workers; results equal the process pool's")
        options.add_format(parser, ("text", "json", "csv", "xlsx", "parquet"), default=None,
                           help="default: from OUT's extension, else text; parquet: the "
                                "ranking for tools at scale (pyarrow)")
        options.add_output(parser, help="write to a file (needed for xlsx; default: standard "
                                        "output)")
        options.add_quiet(parser)
        options.add_roadmap(parser, "plan the work year by year: levers' years and the "
                                    "capacity")
        options.add_lang(parser)

    def run(self, args: argparse.Namespace, lang: str) -> Exit:
        from bprkit.report import console

        setup = inputs.estimate_setup(args, lang)
        if setup is None:
            return Exit.ERRORS
        a, levers = setup
        fmt = args.format or _format_of(args.output, lang)
        if fmt == "xlsx" and not args.output:
            raise UsageError(messages.text(lang, "portfolio_xlsx_needs_output"), lang)
        if fmt == "parquet" and not args.output:
            raise UsageError(messages.text(lang, "portfolio_parquet_needs_output"), lang)
        outputs.guard([(args.output, {fmt})], args.paths, [args.roadmap, args.assumptions])
        plan_file = bprkit.load_roadmap(args.roadmap) if args.roadmap else None
        files = inputs.files(args.paths, lang)
        result = bprkit.inventory(*files, assumptions=args.assumptions, levers=levers,
                                  samples=args.samples, jobs=args.jobs,
                                  progress=bprkit.progress_bar(len(files), quiet=args.quiet),
                                  dask=args.dask)
        outputs.print_failures(result.failures, lang)
        years = investments = None
        if plan_file is not None:
            years = bprkit.plan(result, plan_file)
            investments = bprkit.shared_investments(result, plan_file,
                                                    hourly_yen=a.value("cost.hourly_yen"))
        if fmt == "xlsx":
            from bprkit.report import workbook

            outputs.write(args.output, workbook.write(result, a, lang, years), lang, sys.stderr)
        elif fmt == "parquet":
            from bprkit.report import parquet

            outputs.write(args.output, parquet.ranking(result), lang, sys.stderr)
        else:
            with outputs.stdout_to(args.output):
                console.print_portfolio_as(fmt, result, years, investments, lang)
        return Exit.ERRORS if result.failures else Exit.OK


def _format_of(output: str | None, lang: str) -> str:
    """The format of ``-o``'s extension (text without -o)."""
    if not output:
        return "text"
    ext = os.path.splitext(output)[1].lower().lstrip(".")
    if ext not in FORMATS:
        raise UsageError(messages.text(lang, "portfolio_extension", path=output), lang)
    return FORMATS[ext]


command = Portfolio()
