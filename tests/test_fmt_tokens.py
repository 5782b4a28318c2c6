"""fmt on the grammar's own tokens: comments are tokens of the grammar (COMMENT), the
parser's tokens are fmt's only reading of a file, and the line ends lex as before."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from lark import Lark, Token

from bprkit.errors import SourceError
from bprkit.text import fmt, parser, source
from bprkit.text.loader import check_files

from .conftest import CORPUS, FIXTURES, PROCESSES

FILES = sorted(p for p in [*CORPUS.rglob("*.bpr"), *PROCESSES.rglob("*.bpr"),
                           *FIXTURES.glob("*.bpr"), *(FIXTURES / "diagnostics").glob("*.bpr")]
               if check_files([str(p)]).ok)


def _read(text: str) -> tuple[list[Token], list[Token]]:
    return parser.tokens(source.SourceText("t.bpr", text, source.normalize(text)))


@cache
def _every_token() -> Lark:
    """lark's own lexer and parser, keeping every token (line ends and braces too)."""
    return Lark(parser.grammar(), parser="lalr", lexer="contextual", maybe_placeholders=False,
                keep_all_tokens=True)


def test_the_grammar_defines_comments_once_and_the_line_ends_lex_as_before() -> None:
    assert parser.terminal("COMMENT").pattern.to_regexp() == "#[^\n]*"
    patterns = {t.name: t.pattern.to_regexp() for t in parser.lark_parser().terminals}
    # built from COMMENT in the grammar, the same expressions as when they were written out
    assert patterns["_NL"] == "(?:[ \t]*(?:#[^\n]*)?[\n;])+"
    assert patterns["_LBRACE"] == "\\{(?:[ \t]*(?:#[^\n]*)?[\n;])*"
    assert "COMMENT" not in patterns  # never lexed alone: a comment is part of a line end


def test_comments_are_tokens_with_their_places() -> None:
    text = ('# head\nprocess p 「a # b」 {  # after the brace\n'
            '  lane a : 窓口;# after a semicolon\n'
            '\n    # own line\n'
            '  step s @a [紙#] 3分\n  step t @a 3分 ＃ full-width\n'
            '}# after the brace that closes\n# last, no line end')
    _, comments = _read(text)
    assert [(c.type, text[c.start_pos:c.end_pos], c.line, c.column, c.end_line, c.end_column)
            for c in comments] == [
        ("COMMENT", "# head", 1, 1, 1, 7),
        ("COMMENT", "# after the brace", 2, 22, 2, 39),
        ("COMMENT", "# after a semicolon", 3, 15, 3, 34),
        ("COMMENT", "# own line", 5, 5, 5, 15),
        ("COMMENT", "＃ full-width", 7, 16, 7, 28),  # the parser reads ＃ as #
        ("COMMENT", "# after the brace that closes", 8, 2, 8, 31),
        ("COMMENT", "# last, no line end", 9, 1, 9, 20),
    ]
    assert all(c.value == source.normalize(text)[c.start_pos:c.end_pos] for c in comments)
    lines = text.split("\n")
    assert all(lines[c.line - 1][c.column - 1:c.end_column - 1] == text[c.start_pos:c.end_pos]
               for c in comments)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fmt_reads_the_parsers_tokens(path: Path) -> None:
    """The tokens fmt lays out are lark's own, every one (line ends, braces, keywords),
    and the comments are all the text the parser skips besides blanks."""
    text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    normalized = source.normalize(text) + "\n"
    read, comments = _read(text)
    tree = _every_token().parse(normalized)
    place = [(t.type, str(t), t.line, t.column, t.end_line, t.end_column)
             for t in tree.scan_values(lambda v: isinstance(v, Token))]
    assert [(t.type, str(t), t.line, t.column, t.end_line, t.end_column) for t in read] == place
    in_comment = {at for c in comments for at in range(c.start_pos, c.end_pos)}
    assert all(normalized[c.start_pos] == "#" for c in comments)
    for t in read:  # a line end holds blanks, comments, newlines, ";" (and "{" first)
        if t.type in ("_NL", "_LBRACE"):
            rest = [normalized[at] for at in range(t.start_pos, t.end_pos) if at not in in_comment]
            assert set(rest) <= set(" \t\n;{") and "{" not in rest[1:], (t, rest)
    covered = [False] * len(normalized)
    for t in [*read, *comments]:
        covered[t.start_pos:t.end_pos] = [True] * (t.end_pos - t.start_pos)
    # between the tokens there are blanks only: the parser reads nothing else
    assert {normalized[at] for at, done in enumerate(covered) if not done} <= {" ", "\t"}


def test_comments_carry_no_meaning() -> None:
    for path in FILES[:20]:
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
        _, comments = _read(text)
        blanked = list(text)
        for c in comments:
            blanked[c.start_pos:c.end_pos] = " " * (c.end_pos - c.start_pos)
        assert fmt.same_meaning(text, "".join(blanked), str(path)), path


def test_fmt_reads_full_width_marks_as_the_parser_does() -> None:
    """An IME's ；｛｝＃ are ; { } # to the parser (bprkit.text.source), and so to fmt: a
    ； ends a statement, ｛…｝ is a block, ＃ starts a comment (kept as written)."""
    text = ("process p ｛\n  lane a : 窓口；step s 「x」 @a ［紙、押印］ ３分 ＃ 注記\n"
            "  step t @a 1分\n｝\n")
    assert fmt.format_checked(text, "w.bpr") == (
        "process p {\n  lane a : 窓口\n  step s 「x」 @a [紙, 押印] ３分  ＃ 注記\n"
        "  step t @a 1分\n}\n")
    # written forms are kept where the parser reads them the same: ：／－＞ and ＂…＂
    text = ('process p ＂ラベル１＂ {\n  volume １，８００件／年\n  lane a ： 窓口\n'
            '  step s @a 3分－＞end\n}\n')
    assert fmt.format_checked(text, "w.bpr") == text


def test_separators_are_spaced_and_tokens_written_together_stay_together() -> None:
    text = ('process p{\n  volume 1,800件/年\n  lane a:窓口\n  step s@a[紙]3 .. 5  min->t\n'
            '  step t 「t」@a 3分待ち1日\n  branch{\n    70%->s\n    else->end\n  }\n'
            '  use q x2\n}\nprocess q { lane b : 窓口; step u @b 1分 }\n')
    assert fmt.format_checked(text, "s.bpr") == (
        "process p {\n  volume 1,800件 / 年\n  lane a : 窓口\n  step s@a [紙] 3 .. 5 min -> t\n"
        "  step t 「t」 @a 3分待ち1日\n  branch {\n    70% -> s\n    else -> end\n  }\n"
        "  use q x2\n}\nprocess q {\n  lane b : 窓口\n  step u @b 1分\n}\n")


def test_a_text_that_does_not_parse_is_refused_with_checks_message(tmp_path: Path) -> None:
    text = "process p {\n  lane a : 窓口\n  step s 3分\n}\n"
    path = tmp_path / "bad.bpr"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        fmt.format_text(text, str(path))
    assert caught.value.diagnostics == tuple(check_files([str(path)]).diagnostics)
    assert [(d.code, d.span and d.span.line) for d in caught.value.diagnostics] == [("E043", 3)]


def test_the_words_the_parser_hands_the_model_are_the_models_types() -> None:
    """The transformer gives the model typed words (a Role, a Period …): each canonical
    word of the vocabulary is one of them (else parsing would stop on it)."""
    from typing import get_args

    from bprkit import model, vocabulary

    for table, words in [(vocabulary.ROLES, model.Role), (vocabulary.PERIODS, model.Period),
                         (vocabulary.DOCUMENT_KINDS, model.DocumentKind)]:
        assert set(table.values()) <= set(get_args(words)), words
