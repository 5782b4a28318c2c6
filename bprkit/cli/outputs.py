"""What commands write: every output checked by the one guard before any work, written
atomically, and said. A refusal is an OutputError (a FileSystemError), which ``main``
says in the user's language."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Collection, Iterator, Sequence
from io import StringIO
from typing import TYPE_CHECKING, TextIO

from bprkit.messages import catalog as messages

if TYPE_CHECKING:
    from bprkit import Failure


def guard(outputs: Sequence[tuple[str | None, Collection[str]]],
          paths: Sequence[str | None], others: Sequence[str | None] = (), *,
          stdout: bool = True) -> None:
    """The one guard (bprkit/guard.py) before any work: every file option a regular
    file, and no output one of the files read (imports included), a folder, in a
    missing or read-only folder, or of an extension its format does not take.
    ``stdout``: whether the command can write to standard output (``-o -``), which an
    output refused for being an input then suggests."""
    from bprkit import guard as the_guard
    from bprkit.output import OutputError

    for path in (*paths, *others):
        the_guard.check_readable(path)
    if all(out is None for out, _ in outputs):  # nothing written: no input to protect
        return
    try:
        the_guard.check_outputs(outputs, the_guard.inputs_of([p for p in paths if p], others))
    except OutputError as exc:
        if stdout or exc.reason != "output_is_input":
            raise
        raise OutputError("output_is_input_file", exc.path, exc.detail) from None


def write(out: str, data: bytes, lang: str, notice: TextIO | None = None) -> None:
    """Write an output atomically and say so (on ``notice``, default stdout)."""
    from bprkit.output import write_output

    write_output(out, data)
    print(messages.text(lang, "render_written", path=out), file=notice or sys.stdout)


def notice(out: str) -> TextIO:
    """Where "wrote …" goes: stderr when the output itself goes to stdout."""
    return sys.stderr if out == "-" else sys.stdout


@contextlib.contextmanager
def stdout_to(output: str | None) -> Iterator[None]:
    """Print into a file written atomically at the end (or to stdout without one);
    stdout is put back however the block ends, and nothing is written when it fails."""
    if not output:
        yield
        return
    from bprkit.output import write_output

    buffer = StringIO()
    with contextlib.redirect_stdout(buffer):
        yield
    write_output(output, buffer.getvalue().encode("utf-8"))


def print_failures(failures: Sequence[Failure], lang: str) -> None:
    """Each file's diagnostics on stderr, each once: an error in a file that many
    import (common/kessai.bpr) is said once, not once per importer."""
    seen: set[str] = set()
    for failure in failures:
        for d in failure.diagnostics:
            text = d.render(lang)
            if text not in seen:
                seen.add(text)
                print(text, file=sys.stderr)
        if failure.message and not failure.diagnostics:
            print(f"{failure.file}: {failure.message}", file=sys.stderr)


def print_json(doc: object, *, allow_nan: bool = False) -> None:
    import json

    print(json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=allow_nan))
