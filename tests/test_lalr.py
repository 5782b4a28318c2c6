"""The LALR tables run without lark (bprkit.text.lalr) are lark's of today's grammar, and
parse exactly what lark parses into exactly the model lark's parser builds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from lark.exceptions import UnexpectedInput

from bprkit.text import lalr, lalr_tables, parser
from bprkit.text.source import SourceText, normalize

from .conftest import FIXTURES, PROCESSES, ROOT
from .test_properties import mutated

FILES = sorted({*PROCESSES.rglob("*.bpr"), *FIXTURES.rglob("*.bpr")})  # the corpus too


def test_tables_are_todays() -> None:
    """Written from today's grammar by today's lark: run ``python -m bprkit.text.lalr``
    after changing either."""
    written = (ROOT / "bprkit" / "text" / "lalr_tables.py").read_text(encoding="utf-8")
    assert written == lalr.generate(), "run: python -m bprkit.text.lalr"


def _both(text: str) -> tuple[Any, Any]:
    """(what the tables make of the text, what lark makes of it): each a (model,
    diagnostics), or the exception's class name."""
    source = SourceText("t.bpr", text, normalize(text))
    builder, tables = parser._builder()
    lark, _ = parser._model_parser()
    out: list[Any] = []
    for parse in (tables.parse, lark.parse):
        builder.begin(source)
        try:
            model = parse(source.normalized + "\n")
        except (lalr.NotParsed, UnexpectedInput) as exc:
            out.append(type(exc).__name__)
        else:
            out.append((model, repr(model), list(builder.diagnostics)))
    return out[0], out[1]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIXTURES.parent.parent)))
def test_same_model_as_lark_on_every_file(path: Path) -> None:
    fast, lark = _both(path.read_text(encoding="utf-8"))
    if isinstance(lark, str):  # a syntax error: lark says which
        assert fast == "NotParsed"
    else:
        assert fast == lark


@settings(max_examples=300, deadline=None)
@given(text=mutated())
def test_same_outcome_as_lark_on_mutated_files(text: str) -> None:
    fast, lark = _both(text)
    assert (fast == "NotParsed") == isinstance(lark, str)
    if not isinstance(lark, str):
        assert fast == lark


def test_check_of_a_good_file_does_not_import_lark() -> None:
    """The start-up this module exists for: lark loads only for a file with a mistake."""
    probe = ("import sys\nimport bprkit\nreport = bprkit.check(sys.argv[1])\n"
             "print(sum(d.is_error for d in report.diagnostics), 'lark' in sys.modules)")
    good = subprocess.run([sys.executable, "-c", probe, str(PROCESSES / "inu_toroku.bpr")],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    assert good.stdout.split() == ["0", "False"]
    bad = subprocess.run(
        [sys.executable, "-c", probe, str(FIXTURES / "diagnostics" / "E001_unexpected_token.bpr")],
        capture_output=True, text=True, check=True, cwd=ROOT)
    errors, imported = bad.stdout.split()
    assert int(errors) > 0 and imported == "True"


def test_fingerprint_names_the_grammar() -> None:
    assert lalr.fingerprint(parser.grammar()) == lalr_tables.FINGERPRINT
