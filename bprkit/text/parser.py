"""Text → model, and lark's exceptions → diagnostics.

A file is parsed first by the grammar's own LALR tables without lark
(:mod:`bprkit.text.lalr`: lark's import alone costs more than checking a small file);
when those cannot take the text, by lark, built once per process, which gives the
exact error. Both call the same model builder. No lark exception leaves this
module: each becomes a Diagnostic with the line, a caret and a hint. After a
syntax error the offending line is blanked (its braces kept) and the text is
parsed again, so one run reports up to ``MAX_SYNTAX_ERRORS`` mistakes.

:func:`tokens` gives what the same parser reads in a file, comments included:
``bprkit fmt`` lays a file out from them.
"""

from __future__ import annotations

import os
import re
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from bprkit import vocabulary
from bprkit.errors import Diagnostic, SourceError
from bprkit.messages import cache as user_cache
from bprkit.model import SourceFile, Span
from bprkit.text import lalr
from bprkit.text.scan import Token
from bprkit.text.source import SourceText
from bprkit.text.transformer import ModelBuilder
from bprkit.units import minutes as unit_minutes
from bprkit.vocabulary import STATEMENTS, suggest

if TYPE_CHECKING:
    from lark import Lark
    from lark.exceptions import UnexpectedInput
    from lark.lexer import TerminalDef

MAX_SYNTAX_ERRORS = 10
REPARSE_BUDGET = 4_000_000
"""Characters parsed again in all, after syntax errors: a small file gets its ten
re-parses, a 1 MB file four, so error recovery stays linear in the file."""

_WORDS = {
    "NAME": "a name",
    "NUMBER": "a number",
    "STRING": "a label",
    "JSTRING": "a label",
    "_NL": "the end of the line",
    "$END": "the end of the file",
    "REST": "text",
    "ARROW": "->",
    "TIMES": "x",
    "DURATION": "a duration",
    "TAGS": "tags",
    "LANE": "@lane",
    "_LBRACE": "'{'",
    "NAMES": "names",
}
_WORDS_JA = {
    "a name": "名前",
    "a number": "数",
    "a label": "ラベル",
    "the end of the line": "行末",
    "the end of the file": "ファイルの終わり",
    "text": "文字",
    "a duration": "所要時間",
    "tags": "タグ",
    "@lane": "@レーン",
    "names": "名前",
}


@cache
def grammar() -> str:
    return user_cache.package_text("bprkit.grammar", "bpr.lark")


@cache
def terminal(name: str) -> TerminalDef:
    """A terminal as the grammar defines it, also one the parser leaves out because no
    rule names it (COMMENT, which it meets only inside line ends): lark's lexer-only
    mode keeps every terminal."""
    from lark import Lark

    return Lark(grammar(), parser=None, lexer="basic").get_terminal(name)


@cache
def lark_parser() -> Lark:
    """The bare lark parser, building a tree (for tests and the benchmark)."""
    from lark import Lark

    return Lark(grammar(), parser="lalr", lexer="contextual", maybe_placeholders=False)


def cache_path() -> str | bool:
    """Where lark keeps the analysed grammar: the user's cache folder
    (:func:`bprkit.messages.cache.folder`: ``$XDG_CACHE_HOME/bprkit``, else
    ``~/.cache/bprkit``, mode 0700), never a shared temporary folder where another
    user could plant a cache file (lark's cache is a pickle), nor a folder of the
    inputs. The file is named by the grammar and lark's version, so a change of either
    makes a new one. False (no cache: the grammar analysed on every start) when no
    such folder can be had."""
    import hashlib

    import lark

    folder = user_cache.folder()
    if folder is None:
        return False
    digest = hashlib.sha256((grammar() + lark.__version__).encode("utf-8")).hexdigest()[:16]
    return os.path.join(folder, f"grammar-{digest}.cache")


@cache
def _builder() -> tuple[ModelBuilder, lalr.Parser]:
    """The model builder, and the tables without lark that call it."""
    builder = ModelBuilder()
    return builder, lalr.Parser(builder)


@cache
def _model_parser() -> tuple[Lark, ModelBuilder]:
    from lark import Lark

    from bprkit.text.lexer import FastContextualLexer

    builder, _ = _builder()
    return Lark(grammar(), parser="lalr", lexer="contextual", maybe_placeholders=False,
                transformer=builder,
                _plugins={"ContextualLexer": FastContextualLexer},
                cache=cache_path()), builder


def parse(source: SourceText) -> tuple[SourceFile | None, list[Diagnostic], list[Diagnostic]]:
    """Parse a decoded file into its model: (model, syntax errors, other diagnostics).

    With syntax errors, the model is that of the text with the bad lines blanked
    (or None when even that fails): good for finding more mistakes, not for analysis.
    """
    text = source.normalized + "\n"
    builder, tables = _builder()
    builder.begin(source)
    try:
        model = tables.parse(text)
    except lalr.NotParsed:
        pass  # lark says what is wrong
    else:
        if not isinstance(model, SourceFile):  # what ModelBuilder.start returns
            raise TypeError(f"the parser gave {type(model).__name__}, not a model")
        return model, [], builder.diagnostics
    from lark.exceptions import UnexpectedInput

    parser, _ = _model_parser()
    found: list[Diagnostic] = []
    blanked: dict[int, int] = {}
    spent = 0
    while True:
        builder.begin(source)
        try:
            model = parser.parse(text)
            if not isinstance(model, SourceFile):  # what ModelBuilder.start returns
                raise TypeError(f"the parser gave {type(model).__name__}, not a model")
        except UnexpectedInput as exc:
            diag = _diagnostic(source, exc)
            if diag not in found:
                found.append(diag)
            line = diag.span.line if diag.span else 0
            spent += len(text)
            if diag.code == "E044" or len(found) >= MAX_SYNTAX_ERRORS \
                    or blanked.get(line, 0) >= 2 or spent > REPARSE_BUDGET:
                return None, found, []
            blanked[line] = blanked.get(line, 0) + 1
            if diag.code in _BLANK_SPAN and diag.span and blanked[line] == 1:
                text = _blank_span(text, diag.span)  # the rest of the line is good
            else:
                text = _blank_line(text, line, keep_braces=blanked[line] == 1)
            continue
        return model, found, builder.diagnostics


def tokens(source: SourceText) -> tuple[list[Token], list[Token]]:
    """What the parser reads in a file that parses: its tokens in order (keywords, braces
    and line ends included; the blanks between tokens are not tokens), and its comments,
    each a COMMENT token of the grammar, cut out of the line end that holds it. Every
    place is one of ``source.normalized`` (so of ``source.text``, character for
    character). SourceError, with check's diagnostic, when the text does not parse."""
    from lark.exceptions import UnexpectedInput

    from bprkit.text import lexer

    parser, builder = _model_parser()
    text = source.normalized + "\n"  # as parse() reads it
    builder.begin(source)
    try:
        interactive = parser.parse_interactive(text)
        read = cast("list[Token]", list(interactive.iter_parse()))  # bprkit's (lexer.py)
        interactive.feed_eof()
    except UnexpectedInput as exc:
        raise SourceError([_diagnostic(source, exc)]) from None
    comment = re.compile(terminal("COMMENT").pattern.to_regexp())
    found = [c for token in read if token.type in lexer.LINE_ENDS
             for c in lexer.comments(text, token, comment)]
    return read, found


_STRAY = {'"': "E002", "「": "E002", "[": "E045"}  # an opening mark never closed
_CLOSED_LABEL = re.compile(r'"(?:[^"\\\n]|\\.)*"|「[^」\n]*」')
_LABELS = re.compile(r'"(?:[^"\\\n]|\\.)*"|「[^」\n]*」|#.*')


_BLANK_SPAN = frozenset({"E055", "E056"})
"""Mistakes whose own text is blanked to go on, not their line: a jump after a body's
``}`` (the brace still closes the body), a range with two units (the step keeps its
body's ``{``)."""


_UNIT_THEN_MARK = re.compile(r"[^\W\d_][ \t]*(?:~|\.\.)")


def _blank_span(text: str, span: Span) -> str:
    """The span's text blanked; of a range, only what follows its first unit
    (１日〜３日 → １日), so the step keeps a duration."""
    at = 0
    for _ in range(span.line - 1):
        at = text.index("\n", at) + 1
    start, stop = at + span.column - 1, at + span.end_column - 1
    unit = _UNIT_THEN_MARK.search(text, start, stop)
    if unit is not None:
        start = unit.start() + 1
    return text[:start] + " " * (stop - start) + text[stop:]


def _blank_line(text: str, number: int, *, keep_braces: bool) -> str:
    lines = text.split("\n")
    if 0 < number <= len(lines):
        line = lines[number - 1]
        bare = _LABELS.sub(lambda m: " " * len(m.group()), line)
        lines[number - 1] = "".join(
            ch if keep_braces and ch in "{}" else " " for ch in bare
        )
    return "\n".join(lines)


def describe(token_type: str, lang: str = "en") -> str:
    """A token type in words a non-programmer reads."""
    word = _WORDS.get(token_type)
    if word is None:
        pattern = {t.name: t.pattern for t in lark_parser().terminals}.get(token_type)
        word = f"'{pattern.value}'" if pattern is not None and pattern.type == "str" else token_type
    return _WORDS_JA.get(word, word) if lang == "ja" else word


def _span_at(source: SourceText, line: int, column: int, length: int = 1) -> Span:
    return Span(source.path, line, column, line, column + max(length, 1))


def _place(token: Token) -> tuple[int, int]:
    """A token's line and column (lark's lexers and bprkit's set them; lark types them
    optional)."""
    if token.line is None or token.column is None:
        raise ValueError(f"a token without its place: {token!r}")
    return token.line, token.column


def _diagnostic(source: SourceText, exc: UnexpectedInput) -> Diagnostic:
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    if isinstance(exc, UnexpectedCharacters):
        return _stray(source, exc.line, exc.column, set(exc.allowed or ()))
    assert isinstance(exc, UnexpectedToken)
    token: Any = exc.token  # bprkit's Token, or lark's $END
    expected = set(exc.expected)
    if token.type == "REST":  # a stray character where a statement goes on
        return _stray(source, *_place(token), expected)
    if token.type == "$END":
        last = len(source.lines)
        span = _span_at(source, last, len(source.line(last)) + 1)
        if "RBRACE" in expected:
            return source.diagnostic("E044", _unclosed_brace(source) or span)
        return source.diagnostic("E001", span, **_found("$END"), **_expected(expected))
    span = _span_at(source, *_place(token), len(token) if token.type != "_NL" else 1)
    previous = exc.state.value_stack[-1] if exc.state and exc.state.value_stack else None
    if "LANE" in expected and token.type != "LANE":
        step_id = previous if isinstance(previous, Token) else ""
        return source.diagnostic("E043", span, name=step_id)
    if token.type == "NAME" and expected & {"STEP", "LANE", "READS", "PROCESS"}:
        return source.diagnostic("E019", span, word=token,
                                 suggestion=suggest(str(token), STATEMENTS),
                                 expected=_expected(expected)["expected"])
    return source.diagnostic("E001", span, **_found(token.type, str(token)), **_expected(expected))


def _stray(source: SourceText, line: int, column: int, expected: set[str]) -> Diagnostic:
    """A character no token of this place starts with: a whole label where none
    may stand, an opening mark never closed, or a character the language lacks."""
    pos = _offset(source.normalized, line, column)
    label = _CLOSED_LABEL.match(source.normalized, pos)
    if label:
        span = _span_at(source, line, column, len(label.group()))
        return source.diagnostic("E001", span, **_found("STRING", label.group()),
                                 **_expected(expected))
    found = _jump_after_body(source, pos) or _unit_inside_range(source, pos)
    if found is not None:
        return found
    char = source.normalized[pos: pos + 1]
    return source.diagnostic(_STRAY.get(char, "E003"), _span_at(source, line, column),
                             char=char)


_JUMP = re.compile(r"(?:->|→)[ \t]*(?:(?![0-9])[\w・ー々]+(?:-[\w・ー々]+)*)?")


def _where(text: str, pos: int) -> tuple[int, int]:
    """(line, column) of a position."""
    return text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1


def _offset(text: str, line: int, column: int) -> int:
    """The position of a line and column (the inverse of :func:`_where`)."""
    at = 0
    for _ in range(line - 1):
        at = text.index("\n", at) + 1
    return at + column - 1


def _jump_after_body(source: SourceText, pos: int) -> Diagnostic | None:
    """E055: ``} → 一覧`` after a step's body; the jump belongs on the step's line."""
    text = source.normalized
    jump = _JUMP.match(text, pos)
    if jump is None:
        return None
    close = pos - 1
    while close >= 0 and text[close] in " \t\n":
        close -= 1
    if close < 0 or text[close] != "}":
        return None
    bare = _LABELS.sub(lambda m: " " * len(m.group()), text[:close])
    opened: list[int] = []
    for i, ch in enumerate(bare):
        if ch == "{":
            opened.append(i)
        elif ch == "}" and opened:
            opened.pop()
    if not opened:
        return None
    brace = opened[-1]
    start = bare.rfind("\n", 0, brace) + 1
    statement = re.split(r"[;{]", bare[start:brace])[-1].strip()
    if not re.match(r"step\s", statement):
        return None
    end = text.find("\n", brace)
    end = len(text) if end < 0 else end
    header = source.text[start:end]
    if jump.start() < end:  # a body on the step's own line: the jump leaves its end
        header = header[:jump.start() - start] + header[jump.end() - start:]
    comment = _CLOSED_LABEL.sub(lambda m: " " * len(m.group()), header).find("#")
    header = header[:comment] if comment > brace - start else header
    at = brace - start
    written = source.text[jump.start():jump.end()].rstrip()
    fixed = f"{header[:at].rstrip()} {written} {header[at:]}".strip()
    line, column = _where(text, pos)
    span = Span(source.path, line, column, line, column + len(written))
    return source.diagnostic("E055", span, jump=written, line=fixed)


_PART = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
_RANGE = re.compile(rf"(?<![\w.,]){_PART}[ \t]*(?:[^\W\d_]+)?"
                    rf"(?:[ \t]*(?:\.\.|~)[ \t]*{_PART}[ \t]*(?:[^\W\d_]+)?)+")
_RANGE_PART = re.compile(rf"({_PART})[ \t]*([^\W\d_]+)?([ \t]*(?:\.\.|~)[ \t]*)?")


def _unit_inside_range(source: SourceText, pos: int) -> Diagnostic | None:
    """E056: ``１日〜３日``, a range with its unit written before its end: the fix
    writes it once, at the end (``１〜３日``), quoting what the user typed."""
    text = source.normalized
    if text[pos: pos + 1] not in ("~", "."):
        return None
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    end = len(text) if end < 0 else end
    chain = next((m for m in _RANGE.finditer(text, start, end)
                  if m.start() < pos < m.end()), None)
    if chain is None:
        return None
    parts = []  # (number as typed, its value, unit (canonical, as typed) or None, mark)
    for m in _RANGE_PART.finditer(text, chain.start(), chain.end()):
        unit = None
        if m.group(2):
            canonical = vocabulary.lookup(vocabulary.UNITS, m.group(2))
            if canonical is None:
                return None
            unit = (canonical, source.text[m.start(2):m.end(2)])
        mark = source.text[m.start(3):m.end(3)].strip() if m.group(3) else ""
        parts.append((source.text[m.start(1):m.end(1)], float(m.group(1).replace(",", "")),
                      unit, mark))
    if len(parts) < 2 or not any(unit for _, _, unit, _ in parts[:-1]):
        return None
    units = [unit for _, _, unit, _ in parts if unit]
    target = min(units, key=lambda u: unit_minutes(u[0]))
    numbers = []
    for i, (typed, value, unit, _) in enumerate(parts):
        # a part without a unit shares the next written one (else the one before)
        unit = unit or next((u for _, _, u, _ in parts[i:] if u), units[-1])
        numbers.append(typed if unit[0] == target[0]
                       else f"{value * unit_minutes(unit[0]) / unit_minutes(target[0]):g}")
    mark = parts[0][3] or "~"
    fix = mark.join(numbers) + target[1]
    typed = source.text[chain.start():chain.end()].rstrip()
    line, column = _where(text, chain.start())
    span = Span(source.path, line, column, line, column + len(typed))
    return source.diagnostic("E056", span, text=typed, fix=fix)


def _found(token_type: str, value: str = "") -> dict[str, str]:
    if token_type in ("_NL", "$END"):
        return {"found": describe(token_type), "found_ja": describe(token_type, "ja")}
    return {"found": f"'{value}'", "found_ja": f"「{value}」"}


def _unclosed_brace(source: SourceText) -> Span | None:
    """The innermost ``{`` that is never closed (labels and comments skipped)."""
    opened: list[tuple[int, int]] = []
    for number, line in enumerate(source.normalized.split("\n"), start=1):
        bare = _LABELS.sub(lambda m: " " * len(m.group()), line)
        for column, ch in enumerate(bare, start=1):
            if ch == "{":
                opened.append((number, column))
            elif ch == "}" and opened:
                opened.pop()
    return _span_at(source, *opened[-1]) if opened else None


def _expected(types: set[str]) -> dict[str, str]:
    shown = [t for t in types if not t.startswith("__")]
    return {
        "expected": ", ".join(sorted({describe(t) for t in shown})),
        "expected_ja": "、".join(sorted({describe(t, "ja") for t in shown})),
    }
