"""Text → lark tree, and lark's exceptions → diagnostics.

The Lark parser is built once per process. No lark exception leaves this
module: each becomes a Diagnostic with the line, a caret and a hint. After a
syntax error the offending line is blanked (its braces kept) and the text is
parsed again, so one run reports up to ``MAX_SYNTAX_ERRORS`` mistakes.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from bprkit.errors import Diagnostic
from bprkit.model import Span
from bprkit.source import SourceText
from bprkit.vocabulary import STATEMENTS, suggest

MAX_SYNTAX_ERRORS = 10

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
    "_RANGE": "..",
}
_WORDS_JA = {
    "a name": "名前",
    "a number": "数",
    "a label": "ラベル",
    "the end of the line": "行末",
    "the end of the file": "ファイルの終わり",
    "text": "文字",
}


@cache
def lark_parser() -> Lark:
    grammar = resources.files("bprkit.grammar").joinpath("bpr.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True,
                maybe_placeholders=False)


def parse(source: SourceText) -> tuple[Tree | None, list[Diagnostic]]:
    """Parse a decoded file: the tree and the syntax errors. With errors, the tree
    is that of the text with the bad lines blanked (or None when even that fails):
    good for finding more mistakes, not for analysis."""
    parser = lark_parser()
    text = source.normalized + "\n"
    found: list[Diagnostic] = []
    blanked: dict[int, int] = {}
    while True:
        try:
            tree = parser.parse(text)
        except UnexpectedInput as exc:
            diag = _diagnostic(source, exc)
            if diag not in found:
                found.append(diag)
            line = diag.span.line if diag.span else 0
            if diag.code == "E044" or len(found) >= MAX_SYNTAX_ERRORS or blanked.get(line, 0) >= 2:
                return None, found
            blanked[line] = blanked.get(line, 0) + 1
            text = _blank_line(text, line, keep_braces=blanked[line] == 1)
            continue
        return tree, found


_LABELS = re.compile(r'"(?:[^"\\\n]|\\.)*"|「[^」\n]*」|#.*')


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


def _diagnostic(source: SourceText, exc: UnexpectedInput) -> Diagnostic:
    if isinstance(exc, UnexpectedCharacters):
        span = _span_at(source, exc.line, exc.column)
        char = source.normalized[exc.pos_in_stream: exc.pos_in_stream + 1]
        code = "E002" if char in '"「' else "E003"
        return source.diagnostic(code, span, char=char)
    assert isinstance(exc, UnexpectedToken)
    token: Token = exc.token
    expected = set(exc.expected)
    if token.type == "REST":  # a stray character where a statement goes on
        span = _span_at(source, token.line, token.column)
        return source.diagnostic("E002" if token[0] in '"「' else "E003", span, char=token[0])
    if token.type == "$END":
        last = len(source.lines)
        span = _span_at(source, last, len(source.line(last)) + 1)
        if "RBRACE" in expected:
            return source.diagnostic("E044", _unclosed_brace(source) or span)
        return source.diagnostic("E001", span, **_found("$END"), **_expected(expected))
    span = _span_at(source, token.line, token.column, len(token) if token.type != "_NL" else 1)
    previous = exc.state.value_stack[-1] if exc.state and exc.state.value_stack else None
    if expected <= {"NAME", "_RANGE"} and isinstance(previous, Tree) and previous.data == "number":
        return source.diagnostic("E009", span, number=previous.children[0])
    if "AT" in expected and token.type != "AT":
        step_id = previous if isinstance(previous, Token) else ""
        return source.diagnostic("E043", span, name=step_id)
    if token.type == "NAME" and expected & {"STEP", "LANE", "READS", "PROCESS"}:
        return source.diagnostic("E019", span, word=token,
                                 suggestion=suggest(str(token), STATEMENTS),
                                 expected=_expected(expected)["expected"])
    return source.diagnostic("E001", span, **_found(token.type, str(token)), **_expected(expected))


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
