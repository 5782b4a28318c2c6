"""``bprkit backtest``: the levers against published before/after figures, and
``--fit``: the lever ranges fitted to them, scored out of sample (docs/backtest.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import bprkit
from bprkit.cli import inputs, options, outputs
from bprkit.errors import Exit, UsageError
from bprkit.messages import catalog as messages

if TYPE_CHECKING:
    from bprkit import Assumptions, BacktestCase, Bundle


class Backtest:
    name = "backtest"
    help = "levers against published figures / 公表事例との照合"
    description = ("Estimate the bundled backtest cases (or the .bpr cases of DIR) with their "
                   "levers and compare each with its published before/after figures.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("folder", nargs="?", metavar="DIR",
                            help="a folder (or one file) of cases (default: the bundled "
                                 "cases)")
        options.add_assumptions(parser)
        options.add_samples(parser, None, shown=10_000, per="case")
        options.add_seed(parser)
        options.add_format(parser, ("text", "json"))
        parser.add_argument("--fit", action="store_true",
                            help="fit each case's lever parameter to its published figure, "
                                 "print the fitted ranges and score them "
                                 "leave-one-publication-out against the defaults and a naive "
                                 "band (docs/backtest.md)")
        options.add_output(parser, metavar="FIT.toml",
                           help="with --fit: write the fitted ranges as an assumptions file")
        options.add_lang(parser)

    def run(self, args: argparse.Namespace, lang: str) -> Exit:
        a = inputs.assumptions(args.assumptions, lang)
        if a is None:
            return Exit.ERRORS
        samples = args.samples  # None: the backtest's own
        if samples is not None:
            options.check_samples(samples, lang)
        folder = args.folder or bprkit.backtest_folder()
        paths = inputs.files([folder], lang)
        if not paths:
            raise UsageError(messages.backtest(lang, "error_no_cases", path=folder), lang)
        try:
            cases, report = bprkit.load_cases(paths, assumptions=a)
            if not report.ok:
                for d in report.diagnostics:
                    print(d.render(lang), file=sys.stderr)
                return Exit.ERRORS
            bundles = [f.bundle for f in report.files if f.bundle]
            if args.fit:
                return _fit(args, cases, bundles, a, samples, lang)
            if args.output:
                raise UsageError(messages.text(lang, "backtest_output_needs_fit"), lang)
            result = bprkit.backtest(cases, bundles, assumptions=a, samples=samples,
                                     seed=args.seed)
            # the targets are scored out of sample: every scored case must name its parameter
            lacking = [c for c in cases if c.scored and not c.fit]
            scores = None if lacking else bprkit.fit(cases, bundles, assumptions=a,
                                                     samples=samples, seed=args.seed)
        except bprkit.BacktestError as exc:  # nothing is written to stdout
            for e in exc.errors:
                print(e.render(lang), file=sys.stderr)
            print(messages.backtest(lang, "errors_found", count=len(exc.errors)),
                  file=sys.stderr)
            return Exit.ERRORS
        if args.format == "json":
            doc = result.to_dict()
            doc["out_of_sample"] = scores.to_dict() if scores is not None else None
            outputs.print_json(doc)
        else:
            print(bprkit.backtest_table(result, lang))
            print()
            if scores is not None:
                print(messages.backtest(lang, "out_of_sample_head"))
                print(bprkit.fit_scores_table(scores, lang))
            else:
                first = lacking[0]
                print(messages.backtest(lang, "out_of_sample_skipped", file=first.path,
                                           line=max(first.lines.values(), default=1),
                                           count=len(lacking)))
        return Exit.OK if scores is not None and not scores.missed() else Exit.ERRORS


def _fit(args: argparse.Namespace, cases: Sequence[BacktestCase], bundles: Sequence[Bundle],
         a: Assumptions, samples: int | None, lang: str) -> Exit:
    """``backtest --fit``: the fitted ranges and the out-of-sample scores; ``-o`` writes
    the ranges as an assumptions file (never over an input)."""
    missing = [c for c in cases if not c.fit]
    if missing:
        for c in missing:
            print(messages.backtest(lang, "error_missing_fit", file=c.path,
                                       line=max(c.lines.values(), default=1)), file=sys.stderr)
        return Exit.ERRORS
    if args.output:
        outputs.guard([(args.output, {"toml"})], [], [c.path for c in cases]
                      + [args.assumptions])
    result = bprkit.fit(cases, bundles, assumptions=a, samples=samples, seed=args.seed)
    if args.format == "json":
        outputs.print_json(result.to_dict())
    else:
        print(bprkit.fit_table(result, lang))
    if args.output:
        outputs.write(args.output, bprkit.fit_assumptions(result, cases).encode("utf-8"), lang)
    return Exit.OK


command = Backtest()
