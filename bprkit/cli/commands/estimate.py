"""``bprkit estimate``: the time a procedure's levers save, with a P10–P90 band (and,
with ``--roadmap``, its part of the shared investments). ``compare`` runs the same
with a hand-written To-Be (commands/compare.py)."""

from __future__ import annotations

import argparse
import sys

import bprkit
from bprkit.cli import inputs, options, outputs
from bprkit.errors import Exit
from bprkit.messages import catalog as messages


class Estimate:
    name = "estimate"
    help = "time savings of automation levers / 削減効果の試算"
    description = help

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("asis", metavar="ASIS.bpr")
        parser.add_argument("--tobe", metavar="TOBE.bpr",
                            help="a hand-written To-Be (default: redesign in memory)")
        options.add_levers(parser)
        options.add_roadmap(parser, "show this procedure's share of the shared investments "
                                    "declared in the roadmap file")
        add_estimate_options(parser)

    def run(self, args: argparse.Namespace, lang: str) -> Exit:
        return run_estimate(args, lang)


def add_estimate_options(parser: argparse.ArgumentParser) -> None:
    """The options estimate and compare share, after their own."""
    options.add_process(parser)
    options.add_assumptions(parser)
    options.add_samples(parser, 10_000, shown=10_000)
    options.add_seed(parser)
    options.add_format(parser, ("text", "json", "csv"))
    options.add_lang(parser)


def run_estimate(args: argparse.Namespace, lang: str) -> Exit:
    """The estimate of ``args.asis``: levers in memory, or against ``args.tobe``."""
    from bprkit.report import console, estimate_output

    a = inputs.assumptions(args.assumptions, lang)
    if a is None:
        return Exit.ERRORS
    options.check_samples(args.samples, lang)
    tobe_path = getattr(args, "tobe", None)
    paths = [args.asis] + ([tobe_path] if tobe_path else [])
    report = inputs.check_clean(inputs.files(paths, lang), lang)
    if report is None:
        return Exit.ERRORS
    bundle = report.files[0].bundle
    assert bundle is not None  # checked clean above
    process = inputs.pick(bundle, args.asis, args.process)
    if tobe_path:
        tobe_bundle = report.files[-1].bundle  # one file when both paths name it
        assert tobe_bundle is not None  # checked clean above
        result = bprkit.estimate_process(bundle, process=process.id, tobe=tobe_bundle,
                                         assumptions=a, samples=args.samples, seed=args.seed)
    else:
        levers = bprkit.lever_names(getattr(args, "levers", None), assumptions=a, lang=lang)
        result = bprkit.estimate_process(bundle, process=process.id, levers=levers,
                                         assumptions=a, samples=args.samples, seed=args.seed)
    shares = None
    roadmap = getattr(args, "roadmap", None)
    if roadmap:  # the procedure's part of the roadmap file's shared investments
        plan = bprkit.load_roadmap(roadmap)
        levers = bprkit.lever_names(args.levers, assumptions=a, lang=lang)
        shares = bprkit.investment_shares(plan, args.asis, process=process.id,
                                          hourly_yen=a.value("cost.hourly_yen"),
                                          assumptions=args.assumptions, levers=levers)
    doc = estimate_output.document(result, shares, roadmap)
    if args.format == "json":
        outputs.print_json(doc)
    elif args.format == "csv":
        console.print_estimate_csv(doc, lang, sys.stdout)
    else:
        console.print_estimate(doc, lang, a)
        if shares is not None:
            console.print_shares(shares, args.asis, lang)
    for step, lever in result.warnings:  # a lever that slows a step: said in every format
        print(messages.text(lang, "estimate_slower", step=step,
                            lever=console.lever_title(lever, lang)), file=sys.stderr)
    return Exit.OK


command = Estimate()
