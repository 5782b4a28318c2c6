"""``bprkit import``: another tool's file read into ``.bpr`` by the importers of
bprkit/interop/registry.py, with a report of what could not be mapped. An importer
gives one ``.bpr`` (written to ``-o OUT.bpr``) or, with ``Imported.folder``, one a
sheet (written into the folder ``-o`` names, or to one ``.bpr`` when there is one)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from bprkit.cli import options, outputs
from bprkit.errors import Exit, UsageError
from bprkit.messages import catalog as messages

if TYPE_CHECKING:
    from bprkit.interop.registry import Imported


class Import:
    name = "import"
    help = "BPMN or Excel into .bpr / BPMN・Excel を .bpr に"
    description = ("Read a BPMN 2.0 file or an Excel time survey into .bpr, with a report of "
                   "what could not be mapped.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("file", metavar="FILE", help="a .bpmn or .xlsx file")
        options.add_output(parser, metavar="OUT.bpr", required=True,
                           help="the .bpr file (xlsx: a folder, one file per 業務)")
        parser.add_argument("--force", action="store_true", help="replace an existing OUT")
        options.add_lang(parser)

    def run(self, args: argparse.Namespace, lang: str) -> Exit:
        from bprkit.interop import registry

        importer = registry.importer_for(args.file)
        if importer is None:
            raise UsageError(messages.text(lang, "import_extension", path=args.file,
                                           known=messages.join(lang, registry.import_extensions())),
                             lang)
        if not os.path.isfile(args.file):
            raise UsageError(messages.text(lang, "path_missing", path=args.file), lang,
                             hint=messages.text(lang, "path_missing_hint", cwd=os.getcwd()))
        if not importer.folder:  # the output is refused before the input is read
            _refuse_one(args, lang)
        importer.check_size(args.file, os.path.getsize(args.file))  # never read whole
        with open(args.file, "rb") as fh:
            data = fh.read()
        imported = importer.read(args.file, data, lang)
        if importer.folder:
            return _write_folder(args, imported, lang)
        return _write_one(args, imported, lang)


def _refuse_one(args: argparse.Namespace, lang: str) -> None:
    """One ``.bpr``: ``-o`` must name one, and an existing one only with --force."""
    if not args.output.lower().endswith(".bpr"):
        raise UsageError(messages.text(lang, "import_output", path=args.output), lang)
    outputs.guard([(args.output, {"bpr"})], [], [args.file], stdout=False)
    if os.path.exists(args.output) and not args.force:
        raise UsageError(messages.text(lang, "import_exists", path=args.output), lang)


def _write_one(args: argparse.Namespace, imported: Imported, lang: str) -> Exit:
    from bprkit.output import write_output

    for line in imported.notes:
        print(line, file=sys.stderr)
    (text,) = imported.files.values()
    write_output(args.output, text.encode("utf-8"))
    print(messages.text(lang, "import_done" if imported.note_count else "import_done_clean",
                        path=args.output, processes=imported.processes,
                        notes=imported.note_count))
    return Exit.OK


def _write_folder(args: argparse.Namespace, imported: Imported, lang: str) -> Exit:
    """A file a sheet into the folder ``-o`` names (made when missing), or one ``.bpr``
    when there is one; every refusal before the folder is made or a file written."""
    from bprkit.output import OutputError

    for line in imported.notes:
        print(line, file=sys.stderr)
    if not imported.files:
        return Exit.ERRORS
    out = args.output
    one = out.lower().endswith(".bpr")
    if one:
        if len(imported.files) > 1:
            raise UsageError(messages.text(lang, "import_xlsx_many",
                                           count=len(imported.files)), lang)
        targets = {out: next(iter(imported.files.values()))}
    else:
        targets = {os.path.join(out, f"{name}.bpr"): text
                   for name, text in imported.files.items()}
    if not one and os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(messages.text(lang, "output_is_file", path=out), lang)
    for path in targets:
        if os.path.exists(path) and not args.force:
            raise UsageError(messages.text(lang, "import_exists", path=path), lang)
    if not one:
        try:
            os.makedirs(out, exist_ok=True)
        except OSError as exc:
            raise OutputError("output_failed", out, exc.strerror or str(exc)) from exc
    outputs.guard([(path, {"bpr"}) for path in targets], [], [args.file], stdout=False)
    for path, text in targets.items():
        outputs.write(path, text.encode("utf-8"), lang)
    return Exit.ERRORS if imported.errors else Exit.OK


command = Import()
