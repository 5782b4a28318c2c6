"""``bprkit fmt``: .bpr files rewritten in the canonical layout, every comment kept."""

from __future__ import annotations

import argparse
import sys

import bprkit
from bprkit.cli import inputs, options
from bprkit.errors import Exit
from bprkit.messages import catalog as messages


class Fmt:
    name = "fmt"
    help = "lay .bpr files out canonically / 書式を整える"
    description = ("Rewrite .bpr files in the canonical layout, keeping every comment; files "
                   "with errors are not touched.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="a .bpr file or a folder")
        parser.add_argument("--check", action="store_true",
                            help="write nothing; exit 1 and list the files that would change")
        parser.add_argument("--diff", action="store_true",
                            help="write nothing; print what would change as a unified diff")
        options.add_lang(parser)

    def run(self, args: argparse.Namespace, lang: str) -> Exit:
        import difflib

        from bprkit.output import write_output
        from bprkit.report import check_output

        failed = changed = False
        for path in inputs.files(args.paths, lang):
            report = bprkit.check(path)
            if not report.ok:
                check_output.print_text(report, lang)
                failed = True
                continue
            try:  # read as check reads it: any encoding check accepts, CR and CRLF as LF
                done = bprkit.format_file(path)
            except bprkit.FormatError:
                print(messages.text(lang, "fmt_meaning", path=path), file=sys.stderr)
                failed = True
                continue
            if not done.changed:  # layout, line ends and encoding (UTF-8) as fmt writes them
                continue
            changed = True
            if args.diff:
                sys.stdout.writelines(difflib.unified_diff(
                    done.text.splitlines(keepends=True), done.result.splitlines(keepends=True),
                    fromfile=path, tofile=path))
            if args.check:
                print(messages.text(lang, "fmt_would_change", path=path))
            if args.check or args.diff:
                continue
            with open(path, "rb") as fh:
                if fh.read() != done.raw:  # edited meanwhile: the newer text wins, untouched
                    print(messages.text(lang, "fmt_changed_meanwhile", path=path),
                          file=sys.stderr)
                    failed = True
                    continue
            write_output(path, done.data)
            print(messages.text(lang, "fmt_done", path=path))
        return Exit.ERRORS if failed or (args.check and changed) else Exit.OK


command = Fmt()
