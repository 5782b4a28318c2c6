"""The one guard every command that writes calls before any work (docs/reliability.md,
"Nothing lost").

A command hands it everything it reads — the files named on the command line (a
folder: its ``.bpr`` files), every file they import, however deep, and every other file
an option names (``--assumptions``, ``--roadmap``, ``--compare``, backtest cases) — and
each output it will write, with the extensions the output's format allows. It refuses,
before anything is computed:

- an output that is any of those files, by name, through a symbolic link or as a hard
  link (same real path, or the same device and inode): ``output_is_input``;
- an output that is a folder (``output_is_folder``) or an empty name;
- an output whose extension contradicts its format (``portfolio --format csv -o
  x.bpr``): ``output_extension`` (a name without an extension, and a device or FIFO
  such as ``/dev/null``, contradict nothing);
- an output in a folder that does not exist or cannot be written: ``output_failed``;

and a file option that names a FIFO, a device or a socket (reading it would block or
never end): ``input_not_regular``. The imports are found by reading each file's
``import "…"`` lines, not by parsing it, so the guard costs a read of each file.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Collection, Iterable, Sequence

from bprkit.output import OutputError, refuse_inputs

IMPORT_LINE = re.compile(r'^[ \t\u3000]*import[ \t\u3000]+"((?:[^"\\\n]|\\.)*)"', re.M)
"""An import line of the language (grammar/bpr.lark: ``import_stmt: IMPORT STRING``)."""
MAX_IMPORT_FILES = 100_000
"""A bound on the files one guard reads (a folder of that many is refused by check)."""

FORMAT_EXTENSIONS: dict[str, frozenset[str]] = {
    "bpr": frozenset({".bpr"}),
    "text": frozenset({".txt", ".text", ".md"}),
    "json": frozenset({".json", ".txt"}),
    "csv": frozenset({".csv", ".txt"}),
    "xlsx": frozenset({".xlsx"}),
    "html": frozenset({".html", ".htm"}),
    "pdf": frozenset({".pdf"}),
    "svg": frozenset({".svg"}),
    "png": frozenset({".png"}),
    "dot": frozenset({".dot", ".gv"}),
    "mmd": frozenset({".mmd", ".mermaid"}),
    "mermaid": frozenset({".mmd", ".mermaid"}),
    "bpmn": frozenset({".bpmn", ".xml"}),
    "toml": frozenset({".toml"}),
}
"""The extensions each output format may carry: one home for what "contradicts" means."""


def extensions(fmt: str) -> frozenset[str]:
    """The extensions of a format; a format registered later (a render backend, an
    exporter) carries its own name as its extension."""
    return FORMAT_EXTENSIONS.get(fmt, frozenset({"." + fmt}))


def _bpr_files(path: str) -> list[str]:
    from bprkit.text.loader import find_files

    return find_files([path]) if os.path.isdir(path) else [path]


def _imports(path: str) -> list[str]:
    """The files ``path`` imports, from its ``import "…"`` lines (unreadable: none)."""
    from bprkit.text import source

    text, _ = source.read(path)
    if text is None:
        return []
    folder = os.path.dirname(path)
    return [os.path.normpath(os.path.join(folder, m.group(1)))
            for m in IMPORT_LINE.finditer(text.normalized)]


def inputs_of(paths: Iterable[str], others: Iterable[str | None] = ()) -> list[str]:
    """Every file a command reads: the ``.bpr`` files of ``paths`` (folders walked),
    every file they import, however deep, and the ``others`` options name."""
    out: list[str] = []
    seen: set[str] = set()
    todo = [p for path in paths for p in _bpr_files(path)]
    while todo and len(seen) < MAX_IMPORT_FILES:
        path = todo.pop()
        key = os.path.realpath(path)
        if key in seen:
            continue
        seen.add(key)
        out.append(path)
        if os.path.isfile(path):
            todo.extend(_imports(path))
    for other in others:
        if other:
            out.extend(_bpr_files(other) if os.path.isdir(other) else [other])
    return out


def check_output(out: str, inputs: Sequence[str], formats: Collection[str] = ()) -> None:
    """Refuse ``out`` as the module docstring says (``-`` is standard output)."""
    if out == "-":
        return
    if not out.strip():
        raise OutputError("output_empty", repr(out))
    special = os.path.exists(out) and not stat.S_ISREG(os.stat(out).st_mode) \
        and not os.path.isdir(out)  # /dev/null, a FIFO: written in place, any name
    if formats and not special:
        ext = os.path.splitext(out)[1].lower()
        allowed = frozenset().union(*(extensions(f) for f in formats))
        if ext and ext not in allowed:  # no extension contradicts nothing
            raise OutputError("output_extension", out, ", ".join(
                sorted(e for e in allowed if e) or ["-"]))
    if os.path.isdir(out):
        raise OutputError("output_is_folder", out)
    refuse_inputs(out, inputs)
    folder = os.path.dirname(os.path.abspath(os.path.realpath(out)))
    if not os.path.isdir(folder):
        raise OutputError("output_failed", out, os.strerror(2))
    if not special and not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError("output_failed", out, os.strerror(13))


def check_outputs(outputs: Iterable[tuple[str | None, Collection[str]]],
                  inputs: Sequence[str]) -> None:
    """:func:`check_output` for each (output, formats); ``None`` outputs are skipped."""
    for out, formats in outputs:
        if out is not None:
            check_output(out, inputs, formats)


def check_readable(path: str | None) -> None:
    """Refuse a file option that names a FIFO, a device or a socket (reading would
    block or never end) before anything reads it; a missing file is left to the
    command's own message."""
    if not path or path == "-":
        return
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise OutputError("input_not_regular", path)
