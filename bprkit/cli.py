"""The ``bprkit`` command: the only module that prints or exits.

Exit codes: 0 clean (warnings allowed), 1 errors in the input, 2 usage errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from bprkit import __version__, messages
from bprkit.loader import CheckReport, FileReport, check_files, find_files

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class _Usage(Exception):
    """A usage error: message and hint, already in the user's language."""


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="bprkit",
        description="Process mapping for municipal BPR. 自治体BPRのための業務フロー分析ツール。",
    )
    ap.add_argument("--version", action="version", version=f"bprkit {__version__}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = sub.add_parser("check", help="check .bpr files / .bpr ファイルを検査する",
                           description="Check .bpr files and folders (recursively).")
    check.add_argument("paths", nargs="+", metavar="PATH", help="a .bpr file or a folder")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--lang", choices=messages.LANGUAGES, default=None,
                       help="message language (default: from LANG; ja when it starts with ja)")
    return ap


def _files(paths: Sequence[str], lang: str) -> list[str]:
    for path in paths:
        if not os.path.exists(path):
            raise _Usage(messages.text(lang, "path_missing", path=path) + "\n  "
                         + messages.text(lang, "hint") + ": "
                         + messages.text(lang, "path_missing_hint", cwd=os.getcwd()))
        if os.path.isdir(path) and not find_files([path]):
            raise _Usage(messages.text(lang, "no_bpr_files", path=path) + "\n  "
                         + messages.text(lang, "hint") + ": "
                         + messages.text(lang, "no_bpr_files_hint"))
    return find_files(paths)


def _summary(report: FileReport) -> dict[str, object]:
    processes = report.bundle.root.processes if report.bundle else ()
    return {
        "file": report.path,
        "ok": report.ok,
        "processes": len(processes),
        "lanes": sum(len(p.lanes) for p in processes),
        "steps": sum(1 for p in processes for _ in p.steps()),
        "errors": report.errors,
        "warnings": report.warnings,
    }


def _print_text(report: CheckReport, lang: str) -> None:
    for d in report.diagnostics:
        print(d.render(lang))
        print()
    for file in report.files:
        s = _summary(file)
        key = "summary_ok" if file.ok else "summary_failed"
        print(messages.text(lang, key, **s))
    if len(report.files) > 1:
        errors = sum(d.is_error for d in report.diagnostics)
        print(messages.text(lang, "total", files=len(report.files), errors=errors,
                            warnings=len(report.diagnostics) - errors))


def _print_json(report: CheckReport, lang: str) -> None:
    doc = {
        "files": [_summary(f) for f in report.files],
        "diagnostics": [d.to_dict(lang) for d in report.diagnostics],
    }
    print(json.dumps(doc, ensure_ascii=False, indent=2))


def run_check(args: argparse.Namespace, lang: str) -> int:
    report = check_files(_files(args.paths, lang))
    (_print_json if args.format == "json" else _print_text)(report, lang)
    return EXIT_OK if report.ok else EXIT_ERRORS


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    lang = args.lang or messages.default_language()
    try:
        return run_check(args, lang)
    except _Usage as exc:
        print(f"bprkit: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("BPRKIT_DEBUG"):
            raise
        print(f"bprkit: internal error ({type(exc).__name__}: {exc}). "
              "Please report it with the input file; BPRKIT_DEBUG=1 shows the details.",
              file=sys.stderr)
        return 3
