"""The fast contextual lexer gives exactly the tokens and errors of lark's own (its tokens
are bprkit's, with the same type, text and place)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from lark import Lark, Token
from lark.exceptions import UnexpectedInput

from bprkit.text.lexer import FastContextualLexer
from bprkit.text.parser import grammar
from bprkit.text.scan import Token as ScanToken
from bprkit.text.source import normalize

from .conftest import CORPUS, FIXTURES, PROCESSES
from .test_properties import mutated

FILES = sorted([*CORPUS.rglob("*.bpr"), *PROCESSES.rglob("*.bpr"),
                *(FIXTURES / "diagnostics").glob("*.bpr")])


@cache
def parsers() -> tuple[Lark, Lark]:
    stock = Lark(grammar(), parser="lalr", lexer="contextual", maybe_placeholders=False)
    fast = Lark(grammar(), parser="lalr", lexer="contextual", maybe_placeholders=False,
                _plugins={"ContextualLexer": FastContextualLexer})
    return stock, fast


def _outcome(parser: Lark, text: str) -> object:
    try:
        tree = parser.parse(text)
    except UnexpectedInput as exc:
        return (type(exc).__name__, exc.line, exc.column)
    return [(t.type, str(t), t.line, t.column, t.end_line, t.end_column)
            for t in tree.scan_values(lambda v: isinstance(v, Token | ScanToken))]


def _same(text: str) -> None:
    stock, fast = parsers()
    assert _outcome(fast, text) == _outcome(stock, text)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_same_tokens_as_lark_on_every_file(path: Path) -> None:
    _same(normalize(path.read_text(encoding="utf-8")) + "\n")


def test_same_tokens_on_one_line_forms() -> None:
    _same("process p { lane l : 窓口; step a @ l [紙 押印,] 3 ~ 5 分 wait 1日 -> end; "
          "use q x2; parallel { path { step b @l 1min } path { step c @l 1min } } }\n")
    _same("process p { lane l : 窓口; step 待ち @l 3分 待ち 1日; step b @l 3分待ち 1日; "
          "step c @l 3 待ち 1日 }\n")


@settings(max_examples=200, deadline=None)
@given(text=mutated())
def test_same_outcome_as_lark_on_mutated_files(text: str) -> None:
    _same(normalize(text) + "\n")
