"""The ``bprkit`` command: the only module that prints or exits.

Exit codes: 0 clean (warnings allowed), 1 errors in the input, 2 usage errors.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
from collections.abc import Collection, Sequence
from io import StringIO
from typing import TYPE_CHECKING, TextIO

from bprkit._version import __version__
from bprkit.errors import BprError
from bprkit.messages import catalog as messages
from bprkit.output import OutputError, SafeCsv, refuse_inputs, write_output
from bprkit.render import backends
from bprkit.report import console
from bprkit.text.loader import CheckReport, check_files, find_files

if TYPE_CHECKING:
    from bprkit.assumptions.catalog import Assumptions
    from bprkit.estimate.backtest.fit import FitReport
    from bprkit.interop.xlsx_import import Result as XlsxResult

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
EXPORTS = ("bpmn", "xlsx", "mermaid")
EXPORT_EXTENSIONS = {".bpmn": "bpmn", ".xml": "bpmn", ".xlsx": "xlsx", ".mmd": "mermaid",
                     ".mermaid": "mermaid"}
HEAT = {"hours": "staff"}
"""--heat hours (round 2) is the staff hours."""
MAX_JOBS_PER_CPU = 4
"""--jobs at most this many workers per CPU (more only costs memory and start-up)."""
MAX_SEED = 2 ** 64 - 1
"""--seed: numpy's generators take 0 … 2⁶⁴ − 1."""
MAX_SAMPLES = 1_000_000
"""Monte Carlo samples at most: 10,000 give P10/P90 to a fraction of a percent."""


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
    check.add_argument("--format", choices=("text", "json", "sarif"), default="text",
                       help="sarif: SARIF 2.1.0 for editors and CI (docs/editors.md)")
    check.add_argument("--lang", choices=messages.LANGUAGES, default=None,
                       help="message language (default: from LANG; ja when it starts with ja)")
    analyze = sub.add_parser("analyze", help="figures and findings / 数字と指摘を出す",
                             description="Analyse the processes of .bpr files: time per case, "
                             "lead time, annual hours, resident burden and findings.")
    analyze.add_argument("paths", nargs="+", metavar="PATH", help="a .bpr file or a folder")
    analyze.add_argument("--format", choices=("text", "json", "csv"), default="text")
    analyze.add_argument("--lang", choices=messages.LANGUAGES, default=None,
                         help="language (default: from LANG; ja when it starts with ja)")
    analyze.add_argument("--all", action="store_true",
                         help="list every finding (default: the top 10 by annual hours "
                              "at stake; JSON and CSV always hold all)")
    render = sub.add_parser("render", help="swimlane diagram / 業務フロー図を描く",
                            description="Draw a process as a swimlane diagram with its findings.")
    render.add_argument("file", metavar="FILE", help="a .bpr file")
    render.add_argument("-o", "--output", metavar="OUT",
                        help="output file (default: FILE with the format's extension)")
    render.add_argument("--process", metavar="ID", help="the process to draw (default: first)")
    render.add_argument("--format", choices=backends.formats(), default=None,
                        help="default: from OUT's extension, else svg (pdf with --paper)")
    render.add_argument("--compare", metavar="TOBE.bpr",
                        help="draw this To-Be below the As-Is, changes marked")
    render.add_argument("--heat", nargs="?", const="staff", default=None,
                        choices=("staff", "resident", "external", "hours"),
                        help="colour steps by annual hours: staff (default), resident or "
                             "external — never added together ('hours' = staff)")
    render.add_argument("--expand", action="store_true", help="inline processes called by use")
    render.add_argument("--paper", choices=("a3", "a4"), default=None,
                        help="fit a landscape sheet (for printing)")
    render.add_argument("--direction", choices=("LR", "TB"), default="LR",
                        help="flow left to right (lanes as rows) or top to bottom")
    render.add_argument("--lang", choices=messages.LANGUAGES, default=None,
                        help="language (default: from LANG; ja when it starts with ja)")
    for name, helptext in (("estimate", "time savings of automation levers / 削減効果の試算"),
                           ("compare", "compare an As-Is and a To-Be / 現状と見直し後の比較")):
        est = sub.add_parser(name, help=helptext, description=helptext)
        est.add_argument("asis", metavar="ASIS.bpr")
        if name == "compare":
            est.add_argument("tobe", metavar="TOBE.bpr")
        else:
            est.add_argument("--tobe", metavar="TOBE.bpr",
                             help="a hand-written To-Be (default: redesign in memory)")
            est.add_argument("--levers", metavar="L1,L2",
                             help="levers to consider (default: all in the catalog)")
            est.add_argument("--roadmap", metavar="FILE.toml",
                             help="show this procedure's share of the shared investments "
                                  "declared in the roadmap file")
        est.add_argument("--process", metavar="ID", help="the process (default: first)")
        est.add_argument("--assumptions", metavar="FILE.toml",
                         help="override parts of the default assumptions")
        est.add_argument("--samples", type=int, default=10_000, metavar="N")
        est.add_argument("--seed", type=int, default=None, metavar="S")
        est.add_argument("--format", choices=("text", "json", "csv"), default="text")
        est.add_argument("--lang", choices=messages.LANGUAGES, default=None)
    red = sub.add_parser("redesign", help="write a To-Be .bpr / 見直し後の .bpr を書く",
                         description="Apply the levers that fit each finding and write an "
                                     "ordinary To-Be .bpr file.")
    red.add_argument("asis", metavar="ASIS.bpr")
    red.add_argument("-o", "--output", metavar="TOBE.bpr",
                     help="default: ASIS_tobe.bpr beside the input")
    red.add_argument("--levers", metavar="L1,L2")
    red.add_argument("--assumptions", metavar="FILE.toml")
    red.add_argument("--lang", choices=messages.LANGUAGES, default=None)
    red.add_argument("--force", action="store_true",
                     help="replace an existing To-Be that redesign did not write")
    back = sub.add_parser("backtest", help="levers against published figures / 公表事例との照合",
                          description="Estimate the bundled backtest cases (or the .bpr cases "
                                      "of DIR) with their levers and compare each with its "
                                      "published before/after figures.")
    back.add_argument("folder", nargs="?", metavar="DIR",
                      help="a folder (or one file) of cases (default: the bundled cases)")
    back.add_argument("--assumptions", metavar="FILE.toml",
                      help="override parts of the default assumptions")
    back.add_argument("--samples", type=int, default=None, metavar="N",
                      help="Monte Carlo samples per case (default: 10,000)")
    back.add_argument("--seed", type=int, default=None, metavar="S")
    back.add_argument("--format", choices=("text", "json"), default="text")
    back.add_argument("--fit", action="store_true",
                      help="fit each case's lever parameter to its published figure, "
                           "print the fitted ranges and score them leave-one-publication-out "
                           "against the defaults and a naive band (docs/backtest.md)")
    back.add_argument("-o", "--output", metavar="FIT.toml",
                      help="with --fit: write the fitted ranges as an assumptions file")
    back.add_argument("--lang", choices=messages.LANGUAGES, default=None,
                      help="language (default: from LANG; ja when it starts with ja)")
    port = sub.add_parser("portfolio", help="rank many procedures / 手続の一覧と優先順位",
                          description="Analyse and estimate every process of every .bpr "
                                      "under PATH and rank them by staff hours saved.")
    port.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (recursive)")
    port.add_argument("--levers", metavar="L1,L2")
    port.add_argument("--assumptions", metavar="FILE.toml")
    port.add_argument("--samples", type=int, default=2_000, metavar="N",
                      help="Monte Carlo samples per procedure (default: 2,000)")
    port.add_argument("--jobs", type=int, default=None, metavar="N",
                      help="worker processes (default: the CPUs)")
    port.add_argument("--format", choices=("text", "json", "csv", "xlsx"), default=None,
                      help="default: from OUT's extension, else text")
    port.add_argument("-o", "--output", metavar="OUT",
                      help="write to a file (needed for xlsx; default: standard output)")
    port.add_argument("--quiet", action="store_true", help="no progress bar")
    port.add_argument("--roadmap", metavar="FILE.toml",
                      help="plan the work year by year: levers' years and the capacity")
    port.add_argument("--lang", choices=messages.LANGUAGES, default=None)
    fmt = sub.add_parser("fmt", help="lay .bpr files out canonically / 書式を整える",
                         description="Rewrite .bpr files in the canonical layout, keeping "
                                     "every comment; files with errors are not touched.")
    fmt.add_argument("paths", nargs="+", metavar="PATH", help="a .bpr file or a folder")
    fmt.add_argument("--check", action="store_true",
                     help="write nothing; exit 1 and list the files that would change")
    fmt.add_argument("--diff", action="store_true",
                     help="write nothing; print what would change as a unified diff")
    fmt.add_argument("--lang", choices=messages.LANGUAGES, default=None)
    srv = sub.add_parser("serve", help="live preview in the browser / ブラウザでプレビュー",
                         description="Show the diagrams of a file or folder on "
                                     "http://127.0.0.1:PORT/ and redraw them when a file "
                                     "is saved. Ctrl-C stops.")
    srv.add_argument("path", metavar="PATH", help="a .bpr file or a folder")
    srv.add_argument("--port", type=int, default=8765, metavar="N",
                     help="the port on 127.0.0.1 (default: 8765)")
    srv.add_argument("--lang", choices=messages.LANGUAGES, default=None)
    exp = sub.add_parser("export", help="BPMN, Excel or Mermaid / 他のツール向けに書き出す",
                         description="Write a process for other tools: BPMN 2.0 with its "
                                     "diagram, the Excel time survey, or Mermaid.")
    exp.add_argument("paths", nargs="+", metavar="PATH",
                     help="a .bpr file (BPMN, Mermaid); files or folders (xlsx)")
    exp.add_argument("--to", choices=EXPORTS, default=None,
                     help="default: from OUT's extension (.bpmn, .xlsx, .mmd)")
    exp.add_argument("-o", "--output", required=True, metavar="OUT")
    exp.add_argument("--process", metavar="ID", help="Mermaid: the process (default: first)")
    exp.add_argument("--levers", metavar="L1,L2", help="xlsx: the levers of the estimate")
    exp.add_argument("--assumptions", metavar="FILE.toml")
    exp.add_argument("--samples", type=int, default=2_000, metavar="N")
    exp.add_argument("--lang", choices=messages.LANGUAGES, default=None)
    imp = sub.add_parser("import", help="BPMN or Excel into .bpr / BPMN・Excel を .bpr に",
                         description="Read a BPMN 2.0 file or an Excel time survey into "
                                     ".bpr, with a report of what could not be mapped.")
    imp.add_argument("file", metavar="FILE", help="a .bpmn or .xlsx file")
    imp.add_argument("-o", "--output", required=True, metavar="OUT.bpr",
                     help="the .bpr file (xlsx: a folder, one file per 業務)")
    imp.add_argument("--force", action="store_true", help="replace an existing OUT")
    imp.add_argument("--lang", choices=messages.LANGUAGES, default=None)
    rep = sub.add_parser("report", help="HTML report for department heads / 報告書（HTML）",
                         description="One self-contained HTML file: summary, ranking, "
                                     "roadmap, and every procedure's diagrams, findings "
                                     "and estimate, with the assumptions and their sources.")
    rep.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (recursive)")
    rep.add_argument("-o", "--output", required=True, metavar="REPORT.html")
    rep.add_argument("--pdf", action="store_true",
                     help="also print it to REPORT.pdf through the headless browser")
    rep.add_argument("--paper", choices=("a4", "a3"), default="a4",
                     help="printed page, landscape (default: a4)")
    rep.add_argument("--roadmap", metavar="FILE.toml", help="add the year-by-year plan")
    rep.add_argument("--backtest", metavar="DIR", default="",
                     help="backtest cases to show (default: the bundled ones)")
    rep.add_argument("--no-backtest", action="store_true", help="leave the backtest out")
    rep.add_argument("--top", type=int, default=None, metavar="N",
                     help="detail sections for the first N procedures only (default: all)")
    rep.add_argument("--levers", metavar="L1,L2")
    rep.add_argument("--assumptions", metavar="FILE.toml")
    rep.add_argument("--samples", type=int, default=2_000, metavar="N",
                     help="Monte Carlo samples per procedure (default: 2,000)")
    rep.add_argument("--jobs", type=int, default=None, metavar="N")
    rep.add_argument("--quiet", action="store_true", help="no progress bar")
    rep.add_argument("--lang", choices=messages.LANGUAGES, default=None)
    return ap


def run_serve(args: argparse.Namespace, lang: str) -> int:
    import socket

    try:
        from bprkit import serve
    except ImportError:
        raise _usage(lang, "serve_needs_extra") from None
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
        import watchfiles  # noqa: F401
    except ImportError:
        raise _usage(lang, "serve_needs_extra") from None
    _files([args.path], lang)
    if not 0 < args.port < 65536:
        raise _usage(lang, "serve_bad_port", port=args.port)
    if os.path.isdir(args.path):
        site = serve.Site(os.path.abspath(args.path), None, lang)
    else:
        root = os.path.dirname(os.path.abspath(args.path))
        site = serve.Site(root, os.path.basename(args.path), lang)
    with socket.socket() as probe:  # a port in use: said now, not as a server traceback
        try:
            probe.bind((serve.HOST, args.port))
        except OSError:
            raise _usage(lang, "serve_port_in_use", port=args.port) from None
    print(messages.text(lang, "serve_started", url=f"http://{serve.HOST}:{args.port}/",
                        path=args.path), flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn passes Ctrl-C on once stopped
        serve.run(site, args.port)
    print(messages.text(lang, "serve_stopped"), flush=True)
    return EXIT_OK


def run_fmt(args: argparse.Namespace, lang: str) -> int:
    import difflib

    from bprkit.text import fmt

    failed = changed = False
    for path in _files(args.paths, lang):
        report = check_files([path])
        if not report.ok:
            console.print_text(report, lang)
            failed = True
            continue
        try:  # read as check reads it: any encoding check accepts, CR and CRLF as LF
            done = fmt.format_file(path)
        except fmt.FormatError:
            print(messages.text(lang, "fmt_meaning", path=path), file=sys.stderr)
            failed = True
            continue
        if not done.changed:  # layout, line ends and encoding (UTF-8) as fmt writes them
            continue
        raw, text, result = done.raw, done.text, done.result
        changed = True
        if args.diff:
            sys.stdout.writelines(difflib.unified_diff(
                text.splitlines(keepends=True), result.splitlines(keepends=True),
                fromfile=path, tofile=path))
        if args.check:
            print(messages.text(lang, "fmt_would_change", path=path))
        if args.check or args.diff:
            continue
        with open(path, "rb") as fh:
            if fh.read() != raw:  # edited meanwhile: the newer text wins, untouched
                print(messages.text(lang, "fmt_changed_meanwhile", path=path),
                      file=sys.stderr)
                failed = True
                continue
        try:
            write_output(path, done.data)
        except OutputError as exc:
            raise _output_error(exc, lang) from exc
        print(messages.text(lang, "fmt_done", path=path))
    return EXIT_ERRORS if failed or (args.check and changed) else EXIT_OK


def run_export(args: argparse.Namespace, lang: str) -> int:
    if not 1 <= args.samples <= MAX_SAMPLES:  # every format: never silently ignored
        raise _usage(lang, "bad_samples", limit=f"{MAX_SAMPLES:,}")
    ext = os.path.splitext(args.output)[1].lower()
    implied = EXPORT_EXTENSIONS.get(ext)
    fmt = args.to or implied
    if fmt is None or (args.to and implied != args.to):
        raise _usage(lang, "export_extension", path=args.output, ext=ext or "-",
                     fmt=args.to or messages.text(lang, "export_no_to"))
    files = _files(args.paths, lang)
    _guard(lang, [(args.output, {fmt})], files, [args.assumptions])
    if fmt == "xlsx":
        return _export_xlsx(args, files, lang)
    if len(files) != 1:
        raise _usage(lang, "export_one_file", fmt=fmt)
    report = check_files(files)
    if not report.ok:
        console.print_text(report, lang)
        return EXIT_ERRORS
    _refuse_inputs(args.output, _bundle_paths(report), lang)
    bundle = report.files[0].bundle
    if args.process:  # every format: an unknown process is said, never ignored
        _pick(report, files[0], args.process, lang)
    if fmt == "bpmn":
        from bprkit.interop import bpmn_export as bpmn

        assert bundle is not None  # checked clean above
        data = bpmn.export(bundle, lang=lang)
    else:
        from bprkit.analysis.records import analyze_process
        from bprkit.render import drawing as render

        process, bundle = _pick(report, files[0], args.process, lang)
        drawing = render.diagram(analyze_process(process, bundle, with_findings=False),
                                 bundle, render.Options(lang=lang))
        data = drawing.render("mmd")[0]
    _write(args.output, data, lang)
    return EXIT_OK


def _export_xlsx(args: argparse.Namespace, files: list[str], lang: str) -> int:
    from bprkit.interop import xlsx_export as xlsx

    setup = _estimate_setup(args, lang)
    if setup is None:
        return EXIT_ERRORS
    a, levers = setup
    report = check_files(files)
    if not report.ok:
        console.print_text(report, lang)
        return EXIT_ERRORS
    data = xlsx.export(report, a, lang=lang, levers=levers, samples=args.samples)
    _write(args.output, data, lang)
    return EXIT_OK


def run_import(args: argparse.Namespace, lang: str) -> int:
    ext = os.path.splitext(args.file)[1].lower()
    if ext not in (".bpmn", ".xml", ".xlsx"):
        raise _usage(lang, "import_extension", path=args.file)
    if not os.path.isfile(args.file):
        raise _Usage(messages.text(lang, "path_missing", path=args.file) + "\n  "
                     + messages.text(lang, "hint") + ": "
                     + messages.text(lang, "path_missing_hint", cwd=os.getcwd()))
    from bprkit.interop.limits import check_file_size

    check_file_size(args.file)  # refused from its size on disk, never read whole
    with open(args.file, "rb") as fh:
        data = fh.read()
    if ext == ".xlsx":
        from bprkit.interop import xlsx_import as xlsx

        return _import_xlsx(args, xlsx.read(args.file, data, lang=lang), lang)
    from bprkit.interop import bpmn_import as bpmn

    if not args.output.lower().endswith(".bpr"):
        raise _usage(lang, "import_output", path=args.output)
    _guard(lang, [(args.output, {"bpr"})], [], [args.file])
    if os.path.exists(args.output) and not args.force:
        raise _usage(lang, "import_exists", path=args.output)
    result = bpmn.read(args.file, data)
    for line in bpmn.describe(result.notes, args.file, lang):
        print(line, file=sys.stderr)
    try:
        write_output(args.output, result.text.encode("utf-8"))
    except OutputError as exc:
        raise _output_error(exc, lang) from exc
    print(messages.text(lang, "import_done" if result.notes else "import_done_clean",
                        path=args.output, processes=result.processes, notes=len(result.notes)))
    return EXIT_OK


def _import_xlsx(args: argparse.Namespace, result: XlsxResult, lang: str) -> int:
    from bprkit.interop import xlsx_import as xlsx

    for line in xlsx.describe(result, lang):
        print(line, file=sys.stderr)
    if not result.files:
        return EXIT_ERRORS
    out = args.output
    if out.lower().endswith(".bpr"):
        if len(result.files) > 1:
            raise _usage(lang, "import_xlsx_many", count=len(result.files))
        targets = {out: next(iter(result.files.values()))}
    else:
        targets = {os.path.join(out, f"{name}.bpr"): text
                   for name, text in result.files.items()}
    if not out.lower().endswith(".bpr") and os.path.exists(out) and not os.path.isdir(out):
        raise _usage(lang, "output_is_file", path=out)
    for path in targets:  # every refusal before the folder is made or a file written
        if os.path.exists(path) and not args.force:
            raise _usage(lang, "import_exists", path=path)
    if not out.lower().endswith(".bpr"):
        try:
            os.makedirs(out, exist_ok=True)
        except OSError as exc:
            raise _output_error(OutputError("output_failed", out, exc.strerror or str(exc)),
                                lang) from exc
    _guard(lang, [(path, {"bpr"}) for path in targets], [], [args.file])
    try:
        for path, text in targets.items():
            write_output(path, text.encode("utf-8"))
            print(messages.text(lang, "render_written", path=path))
    except OutputError as exc:
        raise _output_error(exc, lang) from exc
    return EXIT_ERRORS if result.errors else EXIT_OK


def run_report(args: argparse.Namespace, lang: str) -> int:
    from bprkit.planning import inventory
    from bprkit.report import browser, html
    from bprkit.report import build as report

    try:
        import jinja2  # noqa: F401  (the report extra)
    except ImportError:
        raise _usage(lang, "report_needs_extra") from None
    setup = _estimate_setup(args, lang)
    if setup is None:
        return EXIT_ERRORS
    levers = setup[1]
    if args.top is not None and args.top < 1:
        raise _usage(lang, "bad_top")
    out = args.output
    if os.path.splitext(out)[1].lower() not in (".html", ".htm"):
        raise _usage(lang, "report_extension", path=out)
    pdf = os.path.splitext(out)[0] + ".pdf" if args.pdf else None
    backtest_folder = None if args.no_backtest else args.backtest
    if backtest_folder and not os.path.exists(backtest_folder):
        raise _usage(lang, "path_missing", path=backtest_folder)
    _files(args.paths, lang)  # no .bpr at all: said before the work
    _guard(lang, [(out, {"html"}), (pdf, {"pdf"})], args.paths,
           [args.roadmap, args.assumptions, backtest_folder])
    if pdf:
        browser.executable()  # before the work: say at once when there is none
    if args.roadmap:
        from bprkit.planning import roadmap

        roadmap.load(args.roadmap)  # a bad roadmap file: said before the work
    options = report.Options(lang=lang, levers=tuple(levers) if levers else None,
                             assumptions=args.assumptions, samples=args.samples,
                             jobs=args.jobs, roadmap=args.roadmap,
                             backtest=None if args.no_backtest else args.backtest,
                             paper=args.paper, top=args.top)
    result = report.build(args.paths, options, progress=lambda total: inventory.progress_bar(
        total, quiet=args.quiet))
    _print_failures(result.portfolio.failures, lang)
    page = html.render(result).encode("utf-8")
    _write(out, page, lang, sys.stderr)  # written even when printing fails below
    if pdf:
        _write(pdf, browser.print_pdf(page), lang, sys.stderr)
    return EXIT_ERRORS if result.portfolio.failures else EXIT_OK


def _print_failures(failures: Sequence[object], lang: str) -> None:
    """Each file's diagnostics on stderr, each once: an error in a file that many
    import (common/kessai.bpr) is said once, not once per importer."""
    seen: set[str] = set()
    for failure in failures:
        for d in failure.diagnostics:  # type: ignore[attr-defined]
            text = d.render(lang)
            if text not in seen:
                seen.add(text)
                print(text, file=sys.stderr)
        if failure.message and not failure.diagnostics:  # type: ignore[attr-defined]
            print(f"{failure.file}: {failure.message}", file=sys.stderr)  # type: ignore[attr-defined]


def run_portfolio(args: argparse.Namespace, lang: str) -> int:
    from bprkit.planning import inventory

    setup = _estimate_setup(args, lang)
    if setup is None:
        return EXIT_ERRORS
    a, levers = setup
    fmt = args.format or _portfolio_format(args.output, lang)
    if fmt == "xlsx" and not args.output:
        raise _usage(lang, "portfolio_xlsx_needs_output")
    _guard(lang, [(args.output, {fmt})], args.paths, [args.roadmap, args.assumptions])
    plan_file = None
    if args.roadmap:
        from bprkit.planning import roadmap

        plan_file = roadmap.load(args.roadmap)
    files = _files(args.paths, lang)
    result = inventory.build(files, assumptions=args.assumptions, levers=levers,
                             samples=args.samples, jobs=args.jobs,
                             progress=inventory.progress_bar(len(files), quiet=args.quiet))
    _print_failures(result.failures, lang)
    years = investments = None
    if plan_file is not None:
        from bprkit.planning import roadmap

        years = roadmap.plan(result, plan_file)
        investments = roadmap.shared(result, plan_file, a.value("cost.hourly_yen"))
    try:
        if fmt == "xlsx":
            from bprkit.report import workbook

            _write(args.output, workbook.write(result, a, lang, years), lang, sys.stderr)
            return EXIT_ERRORS if result.failures else EXIT_OK
        with _stdout_to(args.output, lang):
            console.print_portfolio_as(fmt, result, years, investments, lang)
    except OutputError as exc:
        raise _output_error(exc, lang) from exc
    return EXIT_ERRORS if result.failures else EXIT_OK


def _portfolio_format(output: str | None, lang: str) -> str:
    """The format of ``-o``'s extension (text without -o)."""
    if not output:
        return "text"
    ext = os.path.splitext(output)[1].lower().lstrip(".")
    known = {"txt": "text", "json": "json", "csv": "csv", "xlsx": "xlsx"}
    if ext not in known:
        raise _usage(lang, "portfolio_extension", path=output)
    return known[ext]


class _stdout_to:
    """Print into a file written atomically at the end (or to stdout without one)."""

    def __init__(self, output: str | None, lang: str) -> None:
        self.output = output
        self.buffer: StringIO | None = None
        self.saved: TextIO | None = None

    def __enter__(self) -> None:
        if self.output:
            self.buffer, self.saved = StringIO(), sys.stdout
            sys.stdout = self.buffer

    def __exit__(self, kind: object, *rest: object) -> None:
        if self.output and self.saved is not None and self.buffer is not None:
            sys.stdout = self.saved
            if kind is None:
                write_output(self.output, self.buffer.getvalue().encode("utf-8"))


















def _levers(text: str | None, known: list[str], lang: str) -> list[str] | None:
    """``--levers a,b``: catalog keys or their aliases (AI-OCR、RPA), full-width or not."""
    if text is None:
        return None
    import unicodedata

    from bprkit import vocabulary
    from bprkit.assumptions import catalog as assumptions

    titles = {name: lever.title(lang) for name, lever in assumptions.default().levers.items()}
    listing = ", ".join(titles[k] if lang == "ja" else k for k in known if k in titles)
    words = [w.strip() for w in unicodedata.normalize("NFKC", text).replace("、", ",")
             .split(",") if w.strip()]
    if not words:
        raise _usage(lang, "unknown_levers", levers=text or '""', known=listing)
    names = [vocabulary.lookup(vocabulary.levers(), w) or w for w in words]
    for word, name in zip(words, names, strict=True):
        if name not in known:
            hint = vocabulary.suggest(word, vocabulary.spellings(vocabulary.levers()))
            message = messages.text(lang, "unknown_levers", levers=word, known=listing)
            if hint:
                message += "\n  " + messages.text(lang, "did_you_mean", suggestion=hint)
            raise _Usage(message)
    return names


def _estimate_setup(args: argparse.Namespace, lang: str
                    ) -> tuple[Assumptions, list[str] | None] | None:
    """What every estimating command reads first: the assumptions (None, said, when the
    file has errors), ``--levers`` and a ``--samples`` in range."""
    a = _assumptions(args.assumptions, lang)
    if a is None:
        return None
    levers = _levers(args.levers, list(a.levers), lang)
    if not 1 <= args.samples <= MAX_SAMPLES:
        raise _usage(lang, "bad_samples", limit=f"{MAX_SAMPLES:,}")
    return a, levers


def _assumptions(path: str | None, lang: str) -> Assumptions | None:
    from bprkit.assumptions import catalog as assumptions
    from bprkit.errors import SourceError

    try:
        return assumptions.load(path)
    except SourceError as exc:
        for d in exc.diagnostics:
            print(d.render(lang))
        return None


def run_estimate(args: argparse.Namespace, lang: str) -> int:
    from bprkit.estimate import montecarlo as estimate

    a = _assumptions(args.assumptions, lang)
    if a is None:
        return EXIT_ERRORS
    if not 1 <= args.samples <= MAX_SAMPLES:
        raise _usage(lang, "bad_samples", limit=f"{MAX_SAMPLES:,}")
    tobe_path = getattr(args, "tobe", None)
    report = check_files(_files([args.asis] + ([tobe_path] if tobe_path else []), lang))
    if not report.ok:
        console.print_text(report, lang)
        return EXIT_ERRORS
    process, bundle = _pick(report, args.asis, args.process, lang)
    seed = estimate.DEFAULT_SEED if args.seed is None else args.seed
    if tobe_path:
        tobe_bundle = report.files[-1].bundle  # one file when both paths name it
        assert tobe_bundle is not None  # checked clean above
        tobe = tobe_bundle.tobe_of(process)
        result = estimate.compare(process, bundle, tobe, tobe_bundle, a,
                                  samples=args.samples, seed=seed)
    else:
        levers = _levers(getattr(args, "levers", None), list(a.levers), lang)
        result = estimate.estimate(process, bundle, a, levers=levers, samples=args.samples,
                                   seed=seed)
    doc = result.to_dict()
    from bprkit.estimate.backtest import cases as backtest

    doc["band_measured"] = backtest.measured().to_dict()
    shares = _shares(args, process, a, lang) if getattr(args, "roadmap", None) else None
    if shares is not None:
        doc["shared_investments"] = [{
            "lever": x.lever, "share": round(x.share, 4), "staff_hours_saved": round(
                x.hours_saved, 2), "one_off_yen": round(x.one_off_yen), "annual_yen": round(
                x.annual_yen), "procedures": x.whole.procedures,
            "payback_years": None if x.whole.payback_years is None else round(
                x.whole.payback_years, 2), "source": x.whole.investment.source,
            "peers": [{"file": console.rel(f), "process": p, "share": round(v, 4)}
                      for f, p, v in x.peers]}
            for x in shares.shares]  # type: ignore[attr-defined]
        doc["shared_over"] = {
            "roadmap": args.roadmap,
            "files": [console.rel(f) for f in shares.files],  # type: ignore[attr-defined]
            "added": shares.added,  # type: ignore[attr-defined]
            "failed": [console.rel(f) for f in shares.failed],  # type: ignore[attr-defined]
            "procedures": [{"file": console.rel(f), "process": p}
                           for f, p in shares.procedures]}  # type: ignore[attr-defined]
    if args.format == "json":
        print(json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False))
    elif args.format == "csv":

        writer = SafeCsv(sys.stdout, lineterminator="\n")
        sys.stdout.write("\ufeff")
        columns = ["id", "label", "kind", "levers", "status", "executions", "asis_minutes",
                   "tobe_minutes", "asis_wait", "tobe_wait", "staff_hours_saved",
                   "resident_hours_saved", "external_hours_saved"]
        writer.writerow(console.headers(["step" if c == "id" else c for c in columns], lang))
        words = {"levers": lambda v: console.lever_words(v, lang, "+" if lang == "en" else "＋"),
                 "kind": lambda v: console.kind_word(v, lang),
                 "status": lambda v: v if lang == "en" or not v
                 else messages.text(lang, f"status_{v}")}
        for row in doc["steps"]:
            writer.writerow([words[c](row[c]) if c in words else
                             "" if row[c] is None else row[c] for c in columns])
    else:
        console.print_estimate(doc, lang, a)
        if shares is not None:
            console.print_shares(shares, args.asis, lang)
    for step, lever in result.warnings:  # a lever that slows a step: said in every format
        print(messages.text(lang, "estimate_slower", step=step,
                            lever=console.lever_title(lever, lang)), file=sys.stderr)
    return EXIT_OK


def _shares(args: argparse.Namespace, process: object, a: object, lang: str) -> object:
    """The procedure's part of the roadmap file's shared investments (roadmap.Shares)."""
    from bprkit.planning import inventory, roadmap

    plan = roadmap.load(args.roadmap)
    levers = _levers(args.levers, list(a.levers), lang)  # type: ignore[attr-defined]
    return roadmap.shares_of(plan, args.asis, process.id,  # type: ignore[attr-defined]
                             hourly_yen=a.value("cost.hourly_yen"),  # type: ignore[attr-defined]
                             assumptions=args.assumptions,
                             levers=tuple(levers) if levers else None,
                             samples=inventory.SAMPLES)








REDESIGN_MARK = "generated by bprkit redesign"
"""The first line of every file redesign writes: the only files it overwrites."""


def _written_by_redesign(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return REDESIGN_MARK in fh.readline()
    except OSError:
        return False


def run_redesign(args: argparse.Namespace, lang: str) -> int:
    from bprkit.estimate import redesign as redesign_module
    from bprkit.model import Import, SourceFile
    from bprkit.text import writer

    a = _assumptions(args.assumptions, lang)
    if a is None:
        return EXIT_ERRORS
    levers = _levers(args.levers, list(a.levers), lang)
    out = args.output or os.path.splitext(args.asis)[0] + "_tobe.bpr"
    _guard(lang, [(out, {"bpr"})], [args.asis], [args.assumptions])
    report = check_files(_files([args.asis], lang))
    if not report.ok:
        console.print_text(report, lang)
        return EXIT_ERRORS
    bundle = report.files[0].bundle
    _refuse_inputs(out, _bundle_paths(report), lang)
    if out != "-" and os.path.isfile(out) and not args.force and \
            not _written_by_redesign(out):
        raise _Usage(messages.text(lang, "redesign_exists", path=out) + "\n  "
                     + messages.text(lang, "hint") + ": "
                     + messages.text(lang, "redesign_exists_hint"))
    assert bundle is not None  # checked clean above
    result = redesign_module.redesign_all(bundle.root.processes, bundle, a, levers=levers,
                                          lang=lang)
    relative = os.path.relpath(os.path.abspath(args.asis),
                               os.path.dirname(os.path.abspath(out))).replace(os.sep, "/")
    file = SourceFile(out, (Import(relative),), result.processes)
    titles = [a.levers[n].title(lang) for n in (levers or a.lever_order)]
    header = REDESIGN_MARK + "\n" + messages.text(
        lang, "redesign_header", asis=args.asis, levers=messages.join(lang, titles),
        assumptions=a.source)
    try:
        write_output(out, writer.write(file, header=header, comments=result.comments)
                     .encode("utf-8"))
    except OutputError as exc:
        raise _output_error(exc, lang) from exc
    if out != "-":
        print(messages.text(lang, "render_written", path=out))
    return EXIT_OK


def run_backtest(args: argparse.Namespace, lang: str) -> int:
    from bprkit.estimate.backtest import cases as backtest

    a = _assumptions(args.assumptions, lang)
    if a is None:
        return EXIT_ERRORS
    samples = backtest.DEFAULT_SAMPLES if args.samples is None else args.samples
    if not 1 <= samples <= MAX_SAMPLES:
        raise _usage(lang, "bad_samples", limit=f"{MAX_SAMPLES:,}")
    folder = args.folder or backtest.bundled()
    paths = _files([folder], lang)
    if not paths:
        raise _Usage(backtest.text(lang, "error_no_cases", path=folder))
    try:
        cases, report = backtest.load(paths, list(a.levers))
        if not report.ok:
            for d in report.diagnostics:
                print(d.render(lang), file=sys.stderr)
            return EXIT_ERRORS
        if args.fit:
            return _backtest_fit(args, cases, [f.bundle for f in report.files], a, samples,
                                 lang)
        if args.output:
            raise _usage(lang, "backtest_output_needs_fit")
        bundles = [f.bundle for f in report.files]
        result = backtest.run(cases, bundles, a, samples=samples, seed=args.seed)
        # the targets are scored out of sample: every scored case must name its parameter
        lacking = [c for c in cases if c.scored and not c.fit]
        scores = None if lacking else _out_of_sample(cases, bundles, a, samples, args.seed)
    except backtest.BacktestError as exc:  # nothing is written to stdout
        for e in exc.errors:
            print(e.render(lang), file=sys.stderr)
        print(backtest.text(lang, "errors_found", count=len(exc.errors)), file=sys.stderr)
        return EXIT_ERRORS
    if args.format == "json":
        doc = result.to_dict()
        doc["out_of_sample"] = scores.to_dict() if scores is not None else None
        print(json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False))
    else:
        print(backtest.format_text(result, lang))
        print()
        if scores is not None:
            from bprkit.estimate.backtest import fit

            print(backtest.text(lang, "out_of_sample_head"))
            print(fit.format_scores(scores, lang))
        else:
            first = lacking[0]
            print(backtest.text(lang, "out_of_sample_skipped", file=first.path,
                                line=max(first.lines.values(), default=1),
                                count=len(lacking)))
    return EXIT_OK if scores is not None and not scores.missed() else EXIT_ERRORS


def _out_of_sample(cases: list, bundles: list, a: Assumptions, samples: int,
                   seed: int | None) -> FitReport:
    """Leave-one-publication-out scores of the cases (bprkit/estimate/backtest/fit.py)."""
    from bprkit.estimate import montecarlo as estimate
    from bprkit.estimate.backtest import fit

    return fit.run(cases, bundles, a, samples=samples,
                   seed=estimate.DEFAULT_SEED if seed is None else seed,
                   before=fit.baseline())


def _backtest_fit(args: argparse.Namespace, cases: list, bundles: list, a: Assumptions,
                  samples: int, lang: str) -> int:
    """``backtest --fit``: the fitted ranges and the out-of-sample scores; ``-o`` writes
    the ranges as an assumptions file (never over an input)."""
    from bprkit.estimate.backtest import fit

    missing = [c for c in cases if not c.fit]
    if missing:
        from bprkit.estimate.backtest import cases as backtest

        for c in missing:
            print(backtest.text(lang, "error_missing_fit", file=c.path,
                                line=max(c.lines.values(), default=1)), file=sys.stderr)
        return EXIT_ERRORS
    if args.output:
        _guard(lang, [(args.output, {"toml"})], [], [c.path for c in cases]
               + [args.assumptions])
    result = _out_of_sample(cases, bundles, a, samples, args.seed)
    if args.format == "json":
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, allow_nan=False))
    else:
        print(fit.format_text(result, lang))
    if args.output:
        _write(args.output, fit.to_toml(result, cases).encode("utf-8"), lang)
    return EXIT_OK


def _usage(lang: str, key: str, **args: object) -> _Usage:
    return _Usage(messages.text(lang, key, **args))


def _write(out: str, data: bytes, lang: str, notice: TextIO | None = None) -> None:
    """Write an output atomically and say so (on ``notice``, default stdout); a file
    system refusal becomes a usage error in the user's language."""
    try:
        write_output(out, data)
    except OutputError as exc:
        raise _output_error(exc, lang) from exc
    print(messages.text(lang, "render_written", path=out), file=notice or sys.stdout)


def _guard(lang: str, outputs: Sequence[tuple[str | None, Collection[str]]],
           paths: Sequence[str | None], others: Sequence[str | None] = ()) -> None:
    """The one guard (bprkit/guard.py) before any work: every file option a regular
    file, and no output one of the files read (imports included), a folder, in a
    missing or read-only folder, or of an extension its format does not take."""
    from bprkit import guard

    try:
        for path in (*paths, *others):
            guard.check_readable(path)
        guard.check_outputs(outputs, guard.inputs_of([p for p in paths if p], others))
    except OutputError as exc:
        raise _output_error(exc, lang) from exc


def _refuse_inputs(out: str, inputs: Sequence[str], lang: str) -> None:
    try:
        refuse_inputs(out, inputs)
    except OutputError as exc:
        raise _output_error(exc, lang) from exc


def _bundle_paths(report: CheckReport) -> list[str]:
    """Every file the checked inputs consist of, imports included."""
    return [f.path for r in report.files if r.bundle for f in r.bundle.files]


def _output_error(exc: OutputError, lang: str) -> _Usage:
    return _usage(lang, exc.reason, path=exc.path, detail=exc.detail)


def _notice(out: str) -> TextIO:
    """Where "wrote …" goes: stderr when the output itself goes to stdout."""
    return sys.stderr if out == "-" else sys.stdout


def _pick(report: CheckReport, path: str, wanted: str | None, lang: str) -> tuple:
    file = report.files[0]
    own = file.bundle.root.processes if file.bundle else ()
    chosen = own[0] if wanted is None and own else next(
        (p for p in own if p.id == wanted), None)
    if chosen is None:
        raise _usage(lang, "render_unknown_process", path=path, process=wanted,
                     known=", ".join(p.id for p in own) or "-")
    return chosen, file.bundle


def run_render(args: argparse.Namespace, lang: str) -> int:
    from bprkit.analysis.records import analyze_process
    from bprkit.render import dot
    from bprkit.render import drawing as render

    try:
        fmt = render.format_for(args.output, args.format, args.paper)
    except render.FormatError as exc:
        raise _usage(lang, "render_bad_extension", path=args.output, ext=str(exc),
                     known=", ".join(backends.formats())) from exc
    stem = os.path.splitext(args.file)[0] + (f".{args.process}" if args.process else "")
    out = args.output or f"{stem}.{fmt}"
    inputs = [args.file] + ([args.compare] if args.compare else [])
    _guard(lang, [(out, {fmt})], inputs)
    report = check_files(_files(inputs, lang))
    if not report.ok:
        console.print_text(report, lang)
        return EXIT_ERRORS
    _refuse_inputs(out, _bundle_paths(report), lang)
    process, bundle = _pick(report, args.file, args.process, lang)
    if args.expand:
        from bprkit.text.validate import MAX_EXPANDED_STEPS, expanded_sizes

        known = {p.id: p for f in report.files if f.bundle for p in f.bundle.processes}
        size = expanded_sizes(known)[0].get(process.id, 0)
        if size > MAX_EXPANDED_STEPS:
            raise _usage(lang, "render_expand_too_large", process=process.id,
                         count=f"{size:,}", limit=f"{MAX_EXPANDED_STEPS:,}")
    options = render.Options(lang=lang, direction=args.direction,
                             heat=HEAT.get(args.heat, args.heat) or False,
                             expand=args.expand, paper=args.paper)
    analysis = analyze_process(process, bundle, with_findings=False)
    if args.compare:
        tobe_file = report.files[-1]  # one file when both paths name it
        tobe_bundle = tobe_file.bundle
        assert tobe_bundle is not None  # checked clean above
        tobe = tobe_bundle.tobe_of(process)
        tobe_analysis = analyze_process(tobe, tobe_bundle, with_findings=False)
        drawing = render.comparison(analysis, tobe_analysis, bundle,
                                    tobe_bundle, options)
    else:
        drawing = render.diagram(analysis, bundle, options)
    try:
        written = render.write(drawing, fmt, out)
    except dot.RenderError as exc:
        print(f"bprkit: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    except OutputError as exc:
        raise _output_error(exc, lang) from exc
    for path in written:
        if path != "-":
            print(messages.text(lang, "render_written", path=path), file=_notice(out))
    return EXIT_OK


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




























def run_analyze(args: argparse.Namespace, lang: str) -> int:
    report = check_files(_files(args.paths, lang))
    if not report.ok:
        console.print_text(report, lang)
        return EXIT_ERRORS
    for d in report.diagnostics:  # warnings: on stderr, so JSON and CSV stay clean
        print(d.render(lang), file=sys.stderr)
    from bprkit.analysis.findings import SUMMARY_SIZE
    from bprkit.analysis.graph import LoopError
    from bprkit.analysis.records import analyze_process

    try:
        results = [analyze_process(p, f.bundle) for f in report.files if f.bundle
                   for p in f.bundle.root.processes]
    except LoopError as exc:  # validation reports these first; a last guard
        print(f"bprkit: {exc.text(lang)}", file=sys.stderr)
        return EXIT_ERRORS
    if args.format == "json":
        doc = {"processes": [a.to_dict(lang) for a in results]}
        print(json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False))
    elif args.format == "csv":
        console.print_analysis_csv(results, lang)
    else:
        console.print_analysis(results, lang, None if args.all else SUMMARY_SIZE)
    return EXIT_OK


def run_check(args: argparse.Namespace, lang: str) -> int:
    report = check_files(_files(args.paths, lang))
    if args.format == "sarif":
        from bprkit.report import sarif

        print(json.dumps(sarif.document(report, lang), ensure_ascii=False, indent=2))
    else:
        (console.print_json if args.format == "json" else console.print_text)(report, lang)
    return EXIT_OK if report.ok else EXIT_ERRORS


def _label_sample(args: argparse.Namespace) -> list[str]:
    """The start of the first input file (the first .bpr of a folder): what the
    language of the output follows when the locale is neither ja nor en."""
    paths = [getattr(args, name) for name in ("file", "asis") if getattr(args, name, None)]
    paths += list(getattr(args, "paths", None) or ())
    for path in paths[:1]:
        try:
            if os.path.isdir(path):
                path = next(iter(sorted(find_files([path]))), path)
            if not os.path.isfile(path):  # a FIFO would block
                return []
            with open(path, "rb") as fh:
                return [fh.read(65536).decode("utf-8", "replace")]
        except OSError:
            return []
    return []


FILE_OPTIONS = ("assumptions", "roadmap", "compare", "folder", "asis", "file")
"""The options that name a file read (checked before any work: a FIFO would block)."""


def _options_first(args: argparse.Namespace, lang: str) -> None:
    """What every command checks of its options before any work: an output that is
    not an empty name, files that are regular files, --jobs and --seed in range."""
    out = getattr(args, "output", None)
    if out is not None and not str(out).strip():
        raise _usage(lang, "output_empty", path=repr(out))
    _guard(lang, [], [], [getattr(args, name, None) for name in FILE_OPTIONS
                          if isinstance(getattr(args, name, None), str)])
    jobs = getattr(args, "jobs", None)
    if jobs is not None and not 1 <= jobs <= MAX_JOBS_PER_CPU * (os.cpu_count() or 1):
        raise _usage(lang, "bad_jobs", limit=MAX_JOBS_PER_CPU * (os.cpu_count() or 1))
    seed = getattr(args, "seed", None)
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise _usage(lang, "bad_seed", limit=f"{MAX_SEED:,}")


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # so temporary files are removed as on Ctrl-C


def main(argv: Sequence[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _terminate)
    args = _parser().parse_args(argv)
    lang = args.lang
    if lang is None:  # the locale, else the labels (read only when they decide)
        lang = messages.default_language(
            texts=() if messages.locale_decides() else _label_sample(args))
    try:
        _options_first(args, lang)
        command = {"analyze": run_analyze, "render": run_render, "estimate": run_estimate,
                   "compare": run_estimate, "redesign": run_redesign,
                   "backtest": run_backtest,
                   "portfolio": run_portfolio, "report": run_report,
                   "export": run_export, "import": run_import,
                   "fmt": run_fmt, "serve": run_serve}.get(args.command, run_check)
        return command(args, lang)
    except _Usage as exc:
        print(f"bprkit: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BprError as exc:  # raised on purpose, not caught nearer: its own exit code
        print(f"bprkit: {exc.text(lang)}", file=sys.stderr)
        return exc.exit_code
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
