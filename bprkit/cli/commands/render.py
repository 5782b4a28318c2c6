"""``bprkit render``: a process as a swimlane diagram (or As-Is above To-Be)."""

from __future__ import annotations

import argparse
import os

import bprkit
from bprkit.cli import inputs, options, outputs
from bprkit.errors import Exit, UsageError
from bprkit.messages import catalog as messages

HEAT = {"hours": "staff"}
"""--heat hours (round 2) is the staff hours."""


class Render:
    name = "render"
    help = "swimlane diagram / 業務フロー図を描く"
    description = "Draw a process as a swimlane diagram with its findings."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        from bprkit.render import backends

        parser.add_argument("file", metavar="FILE", help="a .bpr file")
        options.add_output(parser, help="output file (default: FILE with the format's "
                                        "extension)")
        options.add_process(parser)
        options.add_format(parser, backends.formats(), default=None,
                           help="default: from OUT's extension, else svg (pdf with --paper)")
        parser.add_argument("--compare", metavar="TOBE.bpr",
                            help="draw this To-Be below the As-Is, changes marked")
        parser.add_argument("--heat", nargs="?", const="staff", default=None,
                            choices=("staff", "resident", "external", "hours"),
                            help="colour steps by annual hours: staff (default), resident or "
                                 "external — never added together ('hours' = staff)")
        parser.add_argument("--expand", action="store_true",
                            help="inline processes called by use")
        fit = parser.add_mutually_exclusive_group()
        fit.add_argument("--paper", choices=("a3", "a4"), default=None,
                         help="fit a landscape sheet (for printing)")
        fit.add_argument("--fit", metavar="WxH", default=None,
                         help="fit screens of WxH pixels, or 'screen' (1920x1080): titles at "
                              "14 px or more, folded, top to bottom or over more screens")
        parser.add_argument("--direction", choices=("LR", "TB"), default="LR",
                            help="flow left to right (lanes as rows) or top to bottom")
        options.add_lang(parser)

    def run(self, args: argparse.Namespace, lang: str) -> Exit:
        from bprkit.output import refuse_inputs
        from bprkit.render import backends

        try:
            fmt = bprkit.drawing_format(args.output, args.format, args.paper)
        except UsageError as exc:  # its text is the extension
            raise UsageError(messages.text(lang, "render_bad_extension", path=args.output,
                                           ext=str(exc), known=", ".join(backends.formats())),
                             lang) from exc
        stem = os.path.splitext(args.file)[0] + (f".{args.process}" if args.process else "")
        out = args.output or f"{stem}.{fmt}"
        paths = [args.file] + ([args.compare] if args.compare else [])
        outputs.guard([(out, {fmt})], paths)
        report = inputs.check_clean(inputs.files(paths, lang), lang)
        if report is None:
            return Exit.ERRORS
        refuse_inputs(out, inputs.bundle_paths(report))
        asis, tobe = report.files[0].bundle, report.files[-1].bundle  # one when both name it
        assert asis is not None and tobe is not None  # checked clean above
        process = inputs.pick(asis, args.file, args.process)
        drawing = bprkit.diagram(asis, process=process.id,
                                 compare=tobe if args.compare else None, lang=lang,
                                 heat=HEAT.get(args.heat, args.heat) or False,
                                 paper=args.paper or args.fit, direction=args.direction,
                                 expand=args.expand)
        for path in drawing.save(out, fmt):  # Graphviz failing: a RenderError, exit 1
            if path != "-":
                print(messages.text(lang, "render_written", path=path),
                      file=outputs.notice(out))
        return Exit.OK


command = Render()
