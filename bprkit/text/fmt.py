"""``bprkit fmt``: a file laid out canonically, every comment kept.

The layout is the writer's (bprkit/text/writer.py): one statement a line, two-space
indents, a block's ``{`` at the end of its line and its ``}`` on a line of its own,
labels in 「」 (``"…"`` only where the text holds 」 or an escape), single spaces,
``a -> b``, ``volume 1,800 / 年``, ``lane a 「…」 : 窓口``, tags in the vocabulary's
order (紙, 手書き, 押印, 対面 …). Unlike the writer, fmt keeps what the author chose
and what carries no meaning for the model but does for people: the words (日本語
or English), the order of statements, every comment (on its own line or after a
statement) and the blank lines that group statements (runs of blank lines fold into
one; none right after ``{`` or before ``}``).

fmt works on the file's tokens, not on its model, so nothing can be lost; and it
proves each result: the formatted text must parse to the same model as the input
(compared through the writer), else the file is left alone and the error said.

A file is read as ``check`` reads it (:func:`format_file` goes through
bprkit.text.source: UTF-8 with or without a byte-order mark, or Shift_JIS/CP932; CRLF and
CR line ends read as LF) and written as UTF-8 with LF line ends (a UTF-8 byte-order
mark is kept; a Shift_JIS file becomes UTF-8, which W004 asks for anyway).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bprkit import vocabulary
from bprkit.columns import columns
from bprkit.errors import SourceError
from bprkit.text import source

_TOKEN = re.compile(r"""
    (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<jstring>「[^」\n]*」)
  | (?P<comment>\#[^\n]*)
  | (?P<tags>\[[^\]\n]*\])
  | (?P<newline>\r?\n)
  | (?P<semi>;)
  | (?P<lbrace>\{)
  | (?P<rbrace>\})
  | (?P<space>[ \t\r\f\v]+)
  | (?P<word>[^\s;{}\#"「\[]+|["「\[])
""", re.X)
_SPLIT = re.compile(r"(->|→|/|:)")
"""Separators spaced on both sides when a word holds them (70%->X, 4,000/年, a:窓口)."""
TAG_ORDER = vocabulary.TAG_ORDER


class FormatError(Exception):
    """The formatted text would not mean the same as the input (a bug in fmt)."""


@dataclass
class _Line:
    indent: int
    text: str
    opens: bool = False
    comment: str = ""
    """A comment after the statement, aligned with its neighbours' (as gofmt does)."""


_width = columns


def _label(token: str) -> str:
    """``"…"`` → 「…」 when the text allows it."""
    inner = token[1:-1]
    if "\\" in inner or "」" in inner or "「" in inner:
        return token
    return f"「{inner}」"


def _tags(token: str) -> str:
    items = [t.strip() for t in re.split(r"[,、，]", token[1:-1])]
    items = [t for t in items if t]
    order = sorted(range(len(items)), key=lambda k: (
        TAG_ORDER.get(vocabulary.lookup(vocabulary.TAGS, items[k]) or "", len(TAG_ORDER)), k))
    return "[" + ", ".join(items[k] for k in order) + "]"


def _words(token: str) -> list[str]:
    return [part for part in _SPLIT.split(token) if part]


def format_text(text: str) -> str:
    """The canonical layout of a file's text (which must check clean). CRLF and CR
    line ends are read as LF, as bprkit.text.source reads them, and a leading byte-order
    mark is dropped."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    out: list[_Line | None] = []  # None: a blank line
    tokens: list[str] = []
    depth = 0
    blank = False
    newlines = 0  # line ends seen since the last statement or comment was emitted
    started = False

    def emit(line: str, opens: bool = False) -> None:
        nonlocal blank, newlines, started
        last = next((x for x in reversed(out) if x is not None), None)
        if blank and started and out and out[-1] is not None and not (last and last.opens):
            out.append(None)
        out.append(_Line(depth, line, opens))
        blank, newlines, started = False, 0, True

    def flush(opens: bool = False, comment: str = "") -> None:
        if tokens:
            emit(" ".join(tokens) + (" {" if opens else ""), opens)
            out[-1].comment = comment  # type: ignore[union-attr]
            tokens.clear()
        elif opens:
            emit("{", True)

    for m in _TOKEN.finditer(text):
        kind, value = m.lastgroup, m.group()
        if kind == "space":
            continue
        if kind == "newline":
            flush()
            newlines += 1
            if newlines >= 2:
                blank = True
            continue
        if kind == "comment":
            comment = value.rstrip()
            if tokens:  # after a statement on its line
                flush(comment=comment)
            elif newlines == 0 and out and out[-1] is not None:  # after "{", "}" or ";"
                out[-1].comment = comment
            else:
                emit(comment)
            continue
        if kind == "semi":
            flush()
            continue
        if kind == "lbrace":
            flush(opens=True)
            depth += 1
            blank = False
            continue
        if kind == "rbrace":
            flush()
            depth = max(depth - 1, 0)
            blank = False
            emit("}")
            continue
        if kind == "string":  # a label, unless it is an import's path
            tokens.append(value if tokens[-1:] == ["import"] else _label(value))
        elif kind == "jstring":
            tokens.append(value)
        elif kind == "tags":
            tokens.append(_tags(value))
        else:
            tokens.extend(_words(value))
    flush()
    lines = _aligned(out)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


def _aligned(out: list[_Line | None]) -> list[str]:
    """The lines as text; trailing comments of consecutive lines of one block start in
    one column, two spaces after the longest statement among them."""
    lines: list[str] = []
    run: list[_Line] = []

    def close() -> None:
        if run:
            column = max(_width("  " * x.indent + x.text) for x in run) + 2
            for x in run:
                code = "  " * x.indent + x.text
                lines.append(code + " " * (column - _width(code)) + x.comment)
            run.clear()

    for line in out:
        if line is not None and line.comment:
            if run and (line.indent != run[-1].indent or run[-1].opens):
                close()  # aligned within one block only
            run.append(line)
            continue
        close()
        lines.append("" if line is None else "  " * line.indent + line.text)
    close()
    return lines


def same_meaning(before: str, after: str, path: str) -> bool:
    """Whether two texts parse to the same model (through the writer, spans aside;
    the order of a step's tags aside)."""
    from bprkit.text import source, writer
    from bprkit.text.loader import build_model

    models = []
    for text in (before, after):
        decoded, diags = source.decode(path, text.encode("utf-8"))
        if decoded is None or any(d.is_error for d in diags):
            return False
        model, found = build_model(decoded)
        if model is None or any(d.is_error for d in found):
            return False
        models.append(_TAG_LIST.sub(_sorted_tags, writer.write(model)))
    return models[0] == models[1]


_TAG_LIST = re.compile(r"\[([^\]\n]*)\]")


def _sorted_tags(m: re.Match[str]) -> str:
    """Tags compared as a set: their order means nothing to the model's figures."""
    return "[" + ", ".join(sorted(t.strip() for t in m.group(1).split(","))) + "]"


def format_checked(text: str, path: str) -> str:
    """``format_text``, proved to keep the meaning; FormatError otherwise."""
    result = format_text(text)
    if result != text and not same_meaning(text, result, path):
        raise FormatError(path)
    return result


BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Formatted:
    """One file through fmt: its bytes as read, its text as ``check`` reads it, and
    the formatted text."""

    path: str
    raw: bytes
    text: str
    result: str

    @property
    def data(self) -> bytes:
        """What fmt writes: UTF-8 with LF line ends (a UTF-8 byte-order mark kept)."""
        return (BOM if self.raw.startswith(BOM) else b"") + self.result.encode("utf-8")

    @property
    def changed(self) -> bool:
        """Whether writing would change the file's bytes (its layout, its line ends or
        its encoding)."""
        return self.data != self.raw


def format_file(path: str) -> Formatted:
    """Read a file through bprkit.text.source, as ``check`` does (any encoding it accepts,
    CR and CRLF as LF), and format it. SourceError when it cannot be read or decoded
    (with check's diagnostics), FormatError when the result would mean otherwise."""
    raw, size, problems = source.read_bytes(path)
    if raw is None:
        raise SourceError(problems)
    text, found = source.decode(path, raw, size)
    if text is None or any(d.is_error for d in found):
        raise SourceError(found)
    return Formatted(path, raw, text.text, format_checked(text.text, path))
