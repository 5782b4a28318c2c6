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

fmt works on the file's tokens, not on its model, so nothing can be lost: the tokens
the parser reads (bprkit.text.parser.tokens), its comments among them, for fmt has no
reading of a file of its own (a ； ends a statement, a ＃ starts a comment, as for
check). And it proves each result: the formatted text must parse to the same model as
the input (compared through the writer), else the file is left alone and the error said.

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
from bprkit.text import parser, source
from bprkit.text.lexer import LINE_ENDS
from bprkit.text.scan import Token

TAG_ORDER = vocabulary.TAG_ORDER
_SET_OFF = frozenset({"STRING", "JSTRING", "TAGS"})
"""Tokens with a space on either side, however the author wrote them (「a」「b」 → 「a」 「b」)."""
_SEPARATORS = frozenset({"->", "→", "/", ":"})
"""Tokens spaced on both sides when written so (70%->X, 4,000/年, a:窓口); their
full-width forms (：, ／, －＞), which the parser reads the same, stay as written."""


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
    """``"…"`` → 「…」 when the text allows it (not ``＂…＂``: the parser reads the
    full-width marks as ", and what they hold in ASCII forms, which 「…」 would not)."""
    inner = token[1:-1]
    if not token.startswith('"') or "\\" in inner or "」" in inner or "「" in inner:
        return token
    return f"「{inner}」"


def _tags(written: str, read: str) -> str:
    """A tag list in the vocabulary's order: ``written`` as in the file, ``read`` as the
    parser reads it (a 、 or ， read as the comma that parts the tags)."""
    items, at = [], 1
    for part in read[1:-1].split(","):
        items.append(written[at:at + len(part)].strip())
        at += len(part) + 1
    items = [t for t in items if t]
    order = sorted(range(len(items)), key=lambda k: (
        TAG_ORDER.get(vocabulary.lookup(vocabulary.TAGS, items[k]) or "", len(TAG_ORDER)), k))
    return "[" + ", ".join(items[k] for k in order) + "]"


def _place(token: Token) -> tuple[int, int]:
    """Where a token starts and ends (the parser's tokens carry it; lark types it optional)."""
    if token.start_pos is None or token.end_pos is None:
        raise ValueError(f"a token without its place: {token!r}")
    return token.start_pos, token.end_pos


def format_text(text: str, path: str = "<text>") -> str:
    """The canonical layout of a file's text (which must check clean), laid out from the
    parser's tokens (bprkit.text.parser.tokens). CRLF and CR line ends are read as LF,
    as bprkit.text.source reads them, and a leading byte-order mark is dropped.
    SourceError (with check's diagnostic, at ``path``) when the text does not parse."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    read, found = parser.tokens(source.SourceText(path, text, source.normalize(text)))
    layout = _Layout(text + "\n", {_place(c)[0]: c for c in found})  # the parser reads a
    for token in read:                                                # line end after it
        if token.type in LINE_ENDS:  # "{", then blanks, comments, newlines and ";"
            layout.line_end(token)
        elif token.type == "RBRACE":
            layout.close()
        else:
            layout.word(token)
    layout.flush()
    lines = _aligned(layout.out)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


class _Layout:
    """The lines of a file as fmt lays them out, token by token."""

    def __init__(self, written: str, comments: dict[int, Token]) -> None:
        self.written, self.comments = written, comments
        self.out: list[_Line | None] = []  # None: a blank line
        self.tokens: list[str] = []
        self.depth = 0
        self.blank = False
        self.newlines = 0  # line ends seen since the last statement or comment was emitted
        self.started = False
        self.last: Token | None = None  # the statement's last token so far

    def emit(self, line: str, opens: bool = False) -> _Line:
        out = self.out
        previous = next((x for x in reversed(out) if x is not None), None)
        if self.blank and self.started and out and out[-1] is not None \
                and not (previous and previous.opens):
            out.append(None)
        made = _Line(self.depth, line, opens)
        out.append(made)
        self.blank, self.newlines, self.started = False, 0, True
        return made

    def flush(self, opens: bool = False, comment: str = "") -> None:
        if self.tokens:
            self.emit(" ".join(self.tokens) + (" {" if opens else ""), opens).comment = comment
            self.tokens.clear()
        elif opens:
            self.emit("{", True)
        self.last = None

    def comment(self, comment: str) -> None:
        if self.tokens:  # after a statement on its line
            self.flush(comment=comment)
        elif self.newlines == 0 and self.out and self.out[-1] is not None:  # after {, } or ;
            self.out[-1].comment = comment
        else:
            self.emit(comment)

    def word(self, token: Token) -> None:
        start, end = _place(token)
        value = self.written[start:end]
        last = self.last
        if token.type == "STRING":  # a label, unless it is an import's path
            word = value if last is not None and last.type == "IMPORT" else _label(value)
        elif token.type == "JSTRING":
            word = value
        elif token.type == "TAGS":
            word = _tags(value, token.value)
        else:  # one blank where the token holds blanks (3 .. 5 min; a, b; @ 窓口)
            word = " ".join(value.split())
        if last is not None and _place(last)[1] == start and _joined(self.written, last, token):
            self.tokens[-1] += word  # written together: 10%, x2, s@a, 3分待ち1日
        else:
            self.tokens.append(word)
        self.last = token

    def line_end(self, token: Token) -> None:
        """A line end: blanks, comments, newlines, ";" and "{" in the order written."""
        first, end = _place(token)
        at = first
        while at < end:
            comment = self.comments.get(at)
            if comment is not None:
                after = _place(comment)[1]
                self.comment(self.written[at:after].rstrip())
                at = after
                continue
            char = token.value[at - first]
            if char == "{":
                self.flush(opens=True)
                self.depth += 1
                self.blank = False
            elif char == "\n":
                self.flush()
                self.newlines += 1
                if self.newlines >= 2:
                    self.blank = True
            elif char == ";":
                self.flush()
            at += 1

    def close(self) -> None:
        self.flush()
        self.depth = max(self.depth - 1, 0)
        self.blank = False
        self.emit("}")


def _joined(written: str, before: Token, after: Token) -> bool:
    """Whether two tokens written together stay together: not a label or a tag list,
    not an arrow, / or : (each spaced on both sides)."""
    if before.type in _SET_OFF or after.type in _SET_OFF:
        return False
    return not {written[slice(*_place(t))] for t in (before, after)} & _SEPARATORS


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
    from bprkit.text import writer
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
    """``format_text``, proved to keep the meaning; FormatError otherwise (SourceError
    when the text does not parse)."""
    result = format_text(text, path)
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
    CR and CRLF as LF), and format it. SourceError when it cannot be read, decoded or
    parsed (with check's diagnostics), FormatError when the result would mean otherwise."""
    raw, size, problems = source.read_bytes(path)
    if raw is None:
        raise SourceError(problems)
    text, found = source.decode(path, raw, size)
    if text is None or any(d.is_error for d in found):
        raise SourceError(found)
    return Formatted(path, raw, text.text, format_checked(text.text, path))
