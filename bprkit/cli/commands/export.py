"""``bprkit export``: processes written for other tools, by the exporters of
bprkit/interop/registry.py (``--to`` and the extensions come from there)."""

from __future__ import annotations

import argparse
import os

from bprkit.cli import inputs, options, outputs
from bprkit.errors import Exit, UsageError
from bprkit.messages import catalog as messages


class Export:
    name = "export"
    help = "BPMN, Excel or Mermaid / 他のツール向けに書き出す"
    description = ("Write a process for other tools: BPMN 2.0 with its diagram, the Excel "
                   "time survey, or Mermaid.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        from bprkit.interop import registry

        exporters = registry.EXPORTERS.values()
        estimating = ", ".join(e.name for e in exporters if e.estimates)
        parser.add_argument("paths", nargs="+", metavar="PATH",
                            help="a .bpr file (BPMN, Mermaid); files or folders (xlsx)")
        parser.add_argument("--to", choices=tuple(registry.EXPORTERS), default=None,
                            help="default: from OUT's extension ("
                                 + ", ".join(e.extensions[0] for e in exporters) + ")")
        options.add_output(parser, required=True)
        options.add_process(parser)
        options.add_levers(parser, only=estimating)
        options.add_assumptions(parser, only=estimating)
        options.add_samples(parser, 2_000, shown=2_000, per="procedure", only=estimating)
        options.add_lang(parser)

    def run(self, args: argparse.Namespace, lang: str) -> Exit:
        from bprkit.interop import registry
        from bprkit.output import refuse_inputs

        options.check_samples(args.samples, lang)  # every format: never silently ignored
        ext = os.path.splitext(args.output)[1].lower()
        implied = registry.exporter_for(ext)
        exporter = registry.EXPORTERS[args.to] if args.to else implied
        if exporter is None or (args.to and implied is not exporter):
            raise UsageError(messages.text(lang, "export_extension", path=args.output,
                                           ext=ext or "-",
                                           fmt=args.to or messages.text(lang, "export_no_to"),
                                           known=messages.join(lang, (
                                               e.extensions[0]
                                               for e in registry.EXPORTERS.values()))),
                             lang)
        files = inputs.files(args.paths, lang)
        outputs.guard([(args.output, {exporter.name})], files, [args.assumptions])
        a = levers = None
        if exporter.estimates:
            setup = inputs.estimate_setup(args, lang)
            if setup is None:
                return Exit.ERRORS
            a, levers = setup
        if not exporter.many_files and len(files) != 1:
            raise UsageError(messages.text(lang, "export_one_file", fmt=exporter.name), lang)
        report = inputs.check_clean(files, lang)
        if report is None:
            return Exit.ERRORS
        if not exporter.many_files:
            refuse_inputs(args.output, inputs.bundle_paths(report))
            bundle = report.files[0].bundle
            assert bundle is not None  # checked clean above
            if args.process:  # every format: an unknown process is said, never ignored
                inputs.pick(bundle, files[0], args.process)
        data = exporter.export(registry.ExportJob(
            report, lang=lang, process=args.process, assumptions=a,
            levers=tuple(levers) if levers else None, samples=args.samples))
        outputs.write(args.output, data, lang)
        return Exit.OK


command = Export()
