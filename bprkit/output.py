"""Writing output files without losing anything.

- ``-`` means standard output.
- A regular file (or a new one) is written to a temporary file beside it and
  renamed into place: a reader sees the old file or the new one, never half of
  one. The new file gets the permissions the umask gives (``mkstemp``'s 0600 is
  not kept), or the old file's when one is replaced.
- A symbolic link is followed: its target is replaced, the link stays.
- Anything else that exists (a device such as ``/dev/null``, a FIFO) is opened and
  written in place, never renamed over; a folder is refused.
- An output that is an input, or a file an input imports (same real path, or the
  same device and inode), is refused before anything is computed.
- Temporary files are removed when writing fails or the run is interrupted
  (SIGINT, SIGTERM: the CLI turns SIGTERM into KeyboardInterrupt), and ones left
  by a killed run are swept on the next write into the same folder: only names of
  the exact pattern bprkit gives them (``.bprkit-`` + 8 random characters + ``.part``,
  ``TEMP_NAME``) older than an hour, so no file a user named can match.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import time
from collections.abc import Iterable
from typing import Protocol, TextIO

from bprkit.errors import FileSystemError

PREFIX = ".bprkit-"
SUFFIX = ".part"
TEMP_NAME = re.compile(r"\.bprkit-[a-z0-9_]{8}\.part")
"""A temporary file's whole name: tempfile's 8 random characters between the prefix and
the suffix. The sweep removes nothing else."""
STALE_SECONDS = 3600


class OutputError(FileSystemError):
    """An output that cannot or must not be written; ``reason`` is a message key
    (``output_is_input``, ``output_is_folder``, ``output_failed``)."""

    def __init__(self, reason: str, path: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {path} {detail}".strip())
        self.reason, self.path, self.detail = reason, path, detail


def same_file(a: str, b: str) -> bool:
    """Whether two paths name one file (real paths, or device and inode)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def refuse_inputs(out: str, inputs: Iterable[str]) -> None:
    """Raise OutputError when ``out`` is one of ``inputs`` (files named on the
    command line and every file they import)."""
    if out == "-":
        return
    for path in inputs:
        if same_file(out, path):
            raise OutputError("output_is_input", out, path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _sweep(folder: str) -> None:
    """Remove temporary files a killed run left in ``folder``."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    now = time.time()
    for entry in entries:
        if TEMP_NAME.fullmatch(entry.name):
            try:
                if entry.is_file(follow_symlinks=False) and \
                        now - entry.stat(follow_symlinks=False).st_mtime > STALE_SECONDS:
                    os.unlink(entry.path)
            except OSError:
                pass


def write_output(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` as the module docstring says."""
    if path == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = os.path.realpath(path)  # a symlink: write its target
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError("output_failed", path, exc.strerror or str(exc)) from exc
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise OutputError("output_is_folder", path)
    if info is not None and not stat.S_ISREG(info.st_mode):
        try:  # a device or a FIFO: written in place
            with open(target, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise OutputError("output_failed", path, exc.strerror or str(exc)) from exc
        return
    mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask()
    write_atomic(target, data, mode)


def write_atomic(path: str, data: bytes, mode: int | None = None) -> None:
    """Write to a temporary file beside ``path``, then rename it into place."""
    folder = os.path.dirname(os.path.abspath(path))
    _sweep(folder)
    try:
        import tempfile  # only when writing: not on check's start

        fd, tmp = tempfile.mkstemp(prefix=PREFIX, suffix=SUFFIX, dir=folder)
    except OSError as exc:
        raise OutputError("output_failed", path, exc.strerror or str(exc)) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask() if mode is None else mode)
        os.replace(tmp, path)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OutputError("output_failed", path, exc.strerror or str(exc)) from exc
        raise


# ── cells other programs would run (issue 21: exports safe to open in Excel) ──
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as the start of a formula in a CSV cell (OWASP, "CSV
Injection")."""
_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*)?(?:\.\d+)?(?:[eE][+-]?\d+)?")


def csv_cell(value: object) -> object:
    """A CSV cell that no spreadsheet runs: text starting with ``= + - @``, a tab or
    a carriage return gets a leading ``'`` (OWASP); a number written as text (-12.5)
    stays a number."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not (
            value.strip() and _NUMBER.fullmatch(value.strip())):
        return "'" + value
    return value


class SafeCsv:
    """csv.writer whose every row passes through :func:`csv_cell`."""

    def __init__(self, stream: TextIO, *, lineterminator: str = "\r\n") -> None:
        import csv

        self._writer = csv.writer(stream, lineterminator=lineterminator)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([csv_cell(v) for v in row])


class _Cell(Protocol):
    value: object
    data_type: str


def text_cells(cells: Iterable[_Cell]) -> None:
    """openpyxl cells whose text begins with ``=`` are stored as text, not formulas:
    a label is never run by Excel or LibreOffice (the workbook's own formulas are set
    apart, after the rows)."""
    for cell in cells:
        if isinstance(cell.value, str) and cell.data_type == "f":
            cell.data_type = "s"
