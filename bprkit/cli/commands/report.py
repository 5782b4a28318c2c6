"""``bprkit report``: one self-contained HTML report for department heads (and its PDF)."""

from __future__ import annotations

import argparse
import os
import sys

import bprkit
from bprkit.cli import inputs, options, outputs
from bprkit.errors import Exit, UsageError
from bprkit.messages import catalog as messages


class Report:
    name = "report"
    help = "HTML report for department heads / 報告書（HTML）"
    description = ("One self-contained HTML file: summary, ranking, roadmap, and every "
                   "procedure's diagrams, findings and estimate, with the assumptions and "
                   "their sources.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH",
                            help="files or folders (recursive)")
        options.add_output(parser, metavar="REPORT.html", required=True)
        parser.add_argument("--pdf", action="store_true",
                            help="also print it to REPORT.pdf through the headless browser")
        parser.add_argument("--paper", choices=("a4", "a3"), default="a4",
                            help="printed page, landscape (default: a4)")
        options.add_roadmap(parser, "add the year-by-year plan")
        parser.add_argument("--backtest", metavar="DIR", default="",
                            help="backtest cases to show (default: the bundled ones)")
        parser.add_argument("--no-backtest", action="store_true",
                            help="leave the backtest out")
        parser.add_argument("--top", type=int, default=None, metavar="N",
                            help="detail sections for the first N procedures only "
                                 "(default: all)")
        options.add_levers(parser)
        options.add_assumptions(parser)
        options.add_samples(parser, 2_000, shown=2_000, per="procedure")
        options.add_jobs(parser)
        options.add_quiet(parser)
        options.add_lang(parser)

    def run(self, args: argparse.Namespace, lang: str) -> Exit:
        from bprkit.report import browser, html
        from bprkit.report import build as report

        try:
            import jinja2  # noqa: F401  (the report extra)
        except ImportError:
            raise UsageError(messages.text(lang, "report_needs_extra"), lang) from None
        setup = inputs.estimate_setup(args, lang)
        if setup is None:
            return Exit.ERRORS
        levers = setup[1]
        if args.top is not None and args.top < 1:
            raise UsageError(messages.text(lang, "bad_top"), lang)
        out = args.output
        if os.path.splitext(out)[1].lower() not in (".html", ".htm"):
            raise UsageError(messages.text(lang, "report_extension", path=out), lang)
        pdf = os.path.splitext(out)[0] + ".pdf" if args.pdf else None
        backtest_folder = None if args.no_backtest else args.backtest
        if backtest_folder and not os.path.exists(backtest_folder):
            raise UsageError(messages.text(lang, "path_missing", path=backtest_folder), lang)
        inputs.files(args.paths, lang)  # no .bpr at all: said before the work
        outputs.guard([(out, {"html"}), (pdf, {"pdf"})], args.paths,
                      [args.roadmap, args.assumptions, backtest_folder])
        if pdf:
            browser.executable()  # before the work: say at once when there is none
        if args.roadmap:
            bprkit.load_roadmap(args.roadmap)  # a bad roadmap file: said before the work
        settings = report.Options(lang=lang, levers=tuple(levers) if levers else None,
                                  assumptions=args.assumptions, samples=args.samples,
                                  jobs=args.jobs, roadmap=args.roadmap,
                                  backtest=None if args.no_backtest else args.backtest,
                                  paper=args.paper, top=args.top)
        result = report.build(args.paths, settings, progress=lambda total: bprkit.progress_bar(
            total, quiet=args.quiet))
        outputs.print_failures(result.portfolio.failures, lang)
        page = html.render(result).encode("utf-8")
        outputs.write(out, page, lang, sys.stderr)  # written even when printing fails below
        if pdf:
            outputs.write(pdf, browser.print_pdf(page), lang, sys.stderr)
        return Exit.ERRORS if result.portfolio.failures else Exit.OK


command = Report()
