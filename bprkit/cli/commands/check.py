"""``bprkit check``: diagnostics of .bpr files, as text, JSON or SARIF."""

from __future__ import annotations

import argparse

import bprkit
from bprkit.cli import inputs, options, outputs
from bprkit.errors import Exit


class Check:
    name = "check"
    help = "check .bpr files / .bpr ファイルを検査する"
    description = "Check .bpr files and folders (recursively)."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="a .bpr file or a folder")
        options.add_format(parser, ("text", "json", "sarif"),
                           help="sarif: SARIF 2.1.0 for editors and CI (docs/editors.md)")
        options.add_lang(parser)

    def run(self, args: argparse.Namespace, lang: str) -> Exit:
        from bprkit.report import check_output

        report = bprkit.check(*inputs.files(args.paths, lang))
        if args.format == "sarif":
            from bprkit.report import sarif

            outputs.print_json(sarif.document(report, lang), allow_nan=True)
        elif args.format == "json":
            check_output.print_json(report, lang)
        else:
            check_output.print_text(report, lang)
        return Exit.OK if report.ok else Exit.ERRORS


command = Check()
