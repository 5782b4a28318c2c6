"""Diagnostics, the error classes and the exit codes.

A :class:`Diagnostic` holds structure (code, span, arguments); its text is
looked up in the ja/en catalogs in :mod:`bprkit.messages` only when shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import IntEnum
from typing import TYPE_CHECKING, Literal

from bprkit.columns import char_columns
from bprkit.messages import catalog as messages

if TYPE_CHECKING:
    from bprkit.model import Span

Severity = Literal["error", "warning"]


class Exit(IntEnum):
    """The exit codes of ``bprkit`` (docs/reliability.md): the one table of them."""

    OK = 0
    """Done; warnings allowed."""
    ERRORS = 1
    """Errors in the input (diagnostics, a failed analysis, a file left out)."""
    USAGE = 2
    """A command line bprkit cannot do, or an output it must not write."""
    INTERNAL = 3
    """A bug: anything that is not a BprError."""
    INTERRUPTED = 130
    """Ctrl-C or SIGTERM (128 + SIGINT, as shells report it)."""


class Diagnostic:
    """One problem found in a file: its code, where, the message's arguments and the
    source line it points at (not compared). Immutable and hashable.

    Written out rather than a dataclass: ``bprkit --help`` imports this module, and
    ``dataclasses`` (with ``inspect``) is a sixth of its start-up."""

    __slots__ = ("args", "code", "source_line", "span")
    code: str
    span: Span | None
    args: tuple[tuple[str, str], ...]
    source_line: str | None

    def __init__(self, code: str, span: Span | None, args: tuple[tuple[str, str], ...] = (),
                 source_line: str | None = None) -> None:
        for name, value in (("code", code), ("span", span), ("args", args),
                            ("source_line", source_line)):
            object.__setattr__(self, name, value)

    def _key(self) -> tuple[str, Span | None, tuple[tuple[str, str], ...]]:
        return self.code, self.span, self.args

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Diagnostic)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Diagnostic(code={self.code!r}, span={self.span!r}, args={self.args!r}, "
                f"source_line={self.source_line!r})")

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: a Diagnostic is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: a Diagnostic is immutable")

    def __reduce__(self) -> tuple[type[Diagnostic], tuple[object, ...]]:
        return Diagnostic, (self.code, self.span, self.args, self.source_line)

    @classmethod
    def make(
        cls,
        code: str,
        span: Span | None,
        source_line: str | None = None,
        **args: object,
    ) -> Diagnostic:
        return cls(code, span, tuple((k, str(v)) for k, v in args.items() if v is not None),
                   source_line)

    @property
    def severity(self) -> Severity:
        return "error" if self.code.startswith("E") else "warning"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def arguments(self) -> Mapping[str, str]:
        return dict(self.args)

    def message(self, lang: str = "en") -> str:
        return messages.diagnostic(lang, self.code, "message", self.arguments)

    def hint(self, lang: str = "en") -> str:
        return messages.diagnostic(lang, self.code, "hint", self.arguments)

    def sort_key(self) -> tuple[str, int, int, str]:
        s = self.span
        return (s.file, s.line, s.column, self.code) if s else ("", 0, 0, self.code)

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        s = self.span
        return {
            "code": self.code,
            "severity": self.severity,
            "file": s.file if s else None,
            "line": s.line if s else None,
            "column": s.column if s else None,
            "message": self.message(lang),
            "hint": self.hint(lang),
        }

    def render(self, lang: str = "en") -> str:
        """``file:line:col: error[E001]: message``, the source line, a caret, a hint."""
        s = self.span
        where = f"{s.file}:{s.line}:{s.column}: " if s else ""
        label = messages.text(lang, self.severity)
        lines = [f"{where}{label}[{self.code}]: {self.message(lang)}"]
        if s and self.source_line is not None:
            lines += caret_lines(self.source_line, s)
        hint = self.hint(lang)
        if hint:
            lines.append(f"  {messages.text(lang, 'hint')}: {hint}")
        return "\n".join(lines)


_width = char_columns


def caret_lines(source_line: str, span: Span) -> list[str]:
    """The source line and a caret under the span, aligned for wide (Japanese) characters."""
    line = source_line.rstrip("\n")
    start = max(span.column - 1, 0)
    if span.end_line == span.line and span.end_column > span.column:
        stop = min(span.end_column - 1, len(line))
    else:
        stop = start + 1
    pad = "".join("\t" if ch == "\t" else " " * _width(ch) for ch in line[:start])
    marks = sum(_width(ch) for ch in line[start:stop]) or 1
    return [f"  {line}", f"  {pad}{'^' * marks}"]


class BprError(Exception):
    """The root of every error bprkit raises on purpose. Carries the diagnostics
    that caused it (each with its code and place), or a message.

    The CLI maps them to exit codes (:class:`Exit`, docs/reliability.md): diagnostics
    and analysis errors ERRORS, usage and file-system errors USAGE; anything that is
    not a BprError is a bug (INTERNAL)."""

    exit_code: int = Exit.ERRORS

    def __init__(self, diagnostics: Iterable[Diagnostic] | str = (), lang: str = "en") -> None:
        if isinstance(diagnostics, str):
            self.diagnostics: tuple[Diagnostic, ...] = ()
            super().__init__(diagnostics)
            return
        self.diagnostics = tuple(diagnostics)
        errors = [d for d in self.diagnostics if d.is_error] or list(self.diagnostics)
        super().__init__("\n".join(d.render(lang) for d in errors[:5]))

    def text(self, lang: str = "en") -> str:
        """The message in a language (subclasses with catalog texts override it)."""
        return str(self)


class SourceError(BprError):
    """A file could not be read, decoded or parsed."""


class ModelError(BprError):
    """A file parsed, but its processes do not hold together (names, flow, imports)."""


class AnalysisError(BprError):
    """A checked process cannot be analysed (a last guard: check reports these)."""


class CatalogError(BprError):
    """An error whose text lives in the message catalogs: ``where`` (file:line) and a
    ``[text]`` key with its arguments, said in the user's language."""

    def __init__(self, where: str, text_key: str, /, **args: object) -> None:
        self.where, self.key, self.args_ = where, text_key, args
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        return f"{self.where}: " + messages.text(lang, self.key, **self.args_)


class RenderError(BprError):
    """A diagram cannot be drawn: the message says what to do (install Graphviz …)."""


class UsageError(BprError):
    """A command line that asks for something bprkit cannot do (a format, a name).

    Either a message and a hint already in the user's language (``lang``)::

        UsageError(messages.text(lang, "path_missing", path=p), lang,
                   hint=messages.text(lang, "path_missing_hint", cwd=os.getcwd()))

    or a ``[text]`` key of the catalogs with its arguments, said in the language asked
    for when shown (``text(lang)``): what the library raises, not knowing the language::

        UsageError(key="render_expand_too_large", process=p, count=n, limit=m)
    """

    exit_code = Exit.USAGE

    def __init__(self, message: str = "", lang: str = "en", /, *, hint: str = "",
                 key: str | None = None, **args: object) -> None:
        self.message_key, self.message_args = key, args
        if key is not None:
            message = messages.text(lang, key, **args)
        if hint:
            label = messages.text(lang, "hint")
            message += f"\n  {label}: {hint}"
        super().__init__(message, lang)

    def text(self, lang: str = "en") -> str:
        if self.message_key is None:
            return str(self)
        return messages.text(lang, self.message_key, **self.message_args)


class UnknownProcessError(UsageError, ValueError):
    """A file that holds no process of the name asked for (or none at all).
    ``str()`` says it in English for a library user; ``text(lang)`` as the CLI does."""

    def __init__(self, path: str, process: str | None, known: Iterable[str]) -> None:
        names = list(known)
        self.path, self.process, self.known = path, process, tuple(names)
        super().__init__(key="render_unknown_process", path=path, process=process,
                         known=", ".join(names) or "-")

    def __str__(self) -> str:
        return f"no process {self.process!r} in {self.path}; processes: {', '.join(self.known)}"


class FileSystemError(BprError):
    """An output that cannot or must not be written."""

    exit_code = Exit.USAGE
