"""Run the ``bprkit`` command in this process, as click's CliRunner does: 0.03 s a call
against 0.65 s for a new Python (issue 22).

``run(args, env=…, cwd=…, stdin=…)`` calls ``bprkit.cli.main(args)`` with stdout and
stderr captured, the environment, the working folder and the signal handlers set for
the call and put back afterwards. What a user's process would show is kept: the
locale is ``en_US.UTF-8`` unless ``env`` says otherwise (``LC_ALL`` removed, as
``conftest.run_cli`` does), the working folder is the project's, ``SystemExit``
(argparse's ``--help`` and usage errors) becomes the exit code, an exception that
escapes ``main`` is a traceback on stderr and exit 1, and text output is read with
universal newlines as ``subprocess.run(text=True)`` reads it (the bytes as written are
in ``stdout_bytes``/``stderr_bytes``).

What only a real process shows stays in subprocesses: exit on signals, the encoding of
a real pipe, what a fresh interpreter imports, ``python -m bprkit``, installed wheels.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys
import traceback
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGHUP)
"""The handlers the command may set (``main`` sets SIGTERM's), put back after each run."""


@dataclass(frozen=True)
class Result:
    """What a run gave: its exit code and its output (text and bytes)."""

    code: int
    stdout: str
    stderr: str
    stdout_bytes: bytes = b""
    stderr_bytes: bytes = b""

    @property
    def returncode(self) -> int:
        """The exit code under ``subprocess.CompletedProcess``'s name."""
        return self.code

    @property
    def output(self) -> str:
        """stdout and stderr together (in that order)."""
        return self.stdout + self.stderr


def _text(data: bytes) -> str:
    """Decoded as ``subprocess.run(text=True)`` decodes: UTF-8, universal newlines (bytes
    that are no UTF-8, a PNG written to ``-o -``, as U+FFFD: read ``stdout_bytes``)."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="replace",
                            newline=None).read()


@contextmanager
def _environment(env: Mapping[str, str | None]) -> Iterator[None]:
    saved = dict(os.environ)
    try:
        for key, value in env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def _folder(cwd: Path | str) -> Iterator[None]:
    saved = os.getcwd()
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(saved)


@contextmanager
def _signals() -> Iterator[None]:
    saved = {s: signal.getsignal(s) for s in SIGNALS}
    try:
        yield
    finally:
        for s, handler in saved.items():
            if handler is not None:
                signal.signal(s, handler)


class _Pipe(io.BytesIO):
    """The bytes written, still readable after the command closes its stream."""

    def close(self) -> None:
        pass


def _stream(pipe: _Pipe, errors: str) -> io.TextIOWrapper:
    """A text stream over bytes, as a pipe is to a process in a UTF-8 locale (with a
    ``buffer`` for binary output, ``isatty()`` false)."""
    return io.TextIOWrapper(pipe, encoding="utf-8", errors=errors, newline=None,
                            write_through=True)


def _exit_code(exc: SystemExit, stderr: io.TextIOWrapper) -> int:
    """The code a process would exit with after ``SystemExit``."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=stderr)  # sys.exit("message"): printed, exit 1
    return 1


def run(args: Sequence[str], *, env: Mapping[str, str | None] | None = None,
        cwd: Path | str | None = None, stdin: str | bytes | None = None) -> Result:
    """``bprkit ARGS`` in this process. ``env`` entries override the environment for
    the call (``None`` removes one); ``cwd`` defaults to the project's folder."""
    from bprkit.cli import main

    pipes = _Pipe(), _Pipe()
    out, err = _stream(pipes[0], "strict"), _stream(pipes[1], "backslashreplace")
    data = stdin.encode("utf-8") if isinstance(stdin, str) else (stdin or b"")
    inp = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    streams = (sys.stdin, sys.stdout, sys.stderr)
    overrides: dict[str, str | None] = {"LANG": "en_US.UTF-8", "LC_ALL": None, **(env or {})}
    with _environment(overrides), _folder(cwd or ROOT), _signals():
        sys.stdin, sys.stdout, sys.stderr = inp, out, err
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = _exit_code(exc, err)
        except Exception:  # what the interpreter does with an uncaught exception
            traceback.print_exc(file=err)
            code = 1
        finally:
            for stream in (out, err):
                with contextlib.suppress(ValueError):  # closed by the command
                    stream.flush()
            sys.stdin, sys.stdout, sys.stderr = streams
    raw_out, raw_err = pipes[0].getvalue(), pipes[1].getvalue()
    return Result(code if isinstance(code, int) else 1, _text(raw_out), _text(raw_err),
                  raw_out, raw_err)


def run_cli(*args: str, cwd: Path | None = None, env: Mapping[str, str | None] | None = None,
            stdin: str | None = None) -> Result:
    """``run`` with ``conftest.run_cli``'s signature: the drop-in for its callers."""
    return run(args, env=env, cwd=cwd, stdin=stdin)
