"""bprkit fmt: canonical layout, every comment kept, idempotent, meaning unchanged;
on the corpus, on generated files and on messy versions of real files."""

from __future__ import annotations

import os
import random
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark import Token

from bprkit.text import fmt, parser, source
from bprkit.text.lexer import LINE_ENDS
from bprkit.text.loader import check_files

from . import fuzzing
from .clirunner import run_cli
from .conftest import PROCESSES, ROOT

CORPUS = sorted(p for p in [*PROCESSES.rglob("*.bpr"),
                            *(ROOT / "tests" / "fixtures").rglob("*.bpr")]
                if check_files([str(p)]).ok)


def _read(text: str) -> tuple[list[Token], list[Token]]:
    """The parser's tokens and comments (fmt's input)."""
    return parser.tokens(source.SourceText("t.bpr", text, source.normalize(text)))


def _comments(text: str) -> list[str]:
    """Comment texts in order, as the parser finds them (what fmt must keep)."""
    return [text[c.start_pos:c.end_pos].rstrip() for c in _read(text)[1]]


def test_the_corpus_is_formatted_idempotently_without_changing_meaning() -> None:
    assert len(CORPUS) > 30
    for path in CORPUS:
        text = path.read_text(encoding="utf-8")
        once = fmt.format_checked(text, str(path))
        assert fmt.format_text(once) == once, path
        assert fmt.same_meaning(text, once, str(path)), path
        assert _comments(once) == _comments(text), path


def test_the_library_is_formatted() -> None:
    r = run_cli("fmt", "--check", str(PROCESSES))
    assert r.returncode == 0, r.stdout


def _messy(rng: random.Random, text: str) -> str:
    """The same file as a workshop leaves it: drifted indents, extra blanks and blank
    lines, "…" labels for 「…」, tags in another order; made on the parser's tokens."""
    read, comments = _read(text)
    at_comment = {c.start_pos: c for c in comments}
    written = text + "\n"  # positions as the parser's: it reads a line end after the text

    def indent() -> str:
        return " " * rng.choice([0, 1, 2, 3, 4, 6, 8]) + "\t" * rng.choice([0, 0, 1])

    out = [indent()]
    end = 0
    for token in read:
        if token.start_pos > end:  # the blanks between two tokens
            out.append(" " * rng.randint(1, 3))
        value = written[token.start_pos:token.end_pos]
        if token.type in LINE_ENDS:
            at, newlines = token.start_pos, 0
            while at < token.end_pos:
                comment = at_comment.get(at)
                if comment is not None:
                    out.append(written[comment.start_pos:comment.end_pos])
                    at, newlines = comment.end_pos, 0
                    continue
                char = written[at]
                if char == "\n":
                    newlines += 1
                    extra = rng.randint(0, 2) if newlines > 1 else 0  # a blank line stays one
                    out.append(" " * rng.randint(0, 2) + "\n" * (1 + extra) + indent())
                elif char in " \t":
                    out.append(" " * rng.randint(1, 3))
                else:  # "{" or ";"
                    out.append(char)
                    newlines = 0
                at += 1
        elif token.type == "JSTRING":
            plain = '"' not in value and "\\" not in value
            out.append(f'"{value[1:-1]}"' if plain and rng.random() < 0.5 else value)
        elif token.type == "TAGS":
            items = value[1:-1].split(",")
            out.append("[" + ",".join(rng.sample(items, len(items))) + "]")
        elif token.type == "STRING":
            out.append(value)
        else:  # the blanks inside a token (3 .. 5 min; a, b)
            out.append(re.sub(" +", lambda m: " " * rng.randint(1, 3), value))
        end = token.end_pos
    return "".join(out).rstrip() + "\n" * rng.randint(1, 3)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**9), index=st.integers(0, 10**6))
def test_messy_versions_of_real_files_format_to_the_same_text(seed: int, index: int) -> None:
    path = CORPUS[index % len(CORPUS)]
    text = path.read_text(encoding="utf-8")
    messy = _messy(random.Random(seed), text)
    assert fmt.same_meaning(text, messy, str(path))  # the mess itself means the same
    assert fmt.format_checked(messy, str(path)) == fmt.format_text(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**9))
def test_generated_files_format_idempotently(seed: int, tmp_path_factory: pytest.TempPathFactory
                                             ) -> None:
    text = fuzzing.generate(random.Random(seed))
    path = tmp_path_factory.mktemp("g") / "g.bpr"
    path.write_text(text, encoding="utf-8")
    if not check_files([str(path)]).ok:
        return
    once = fmt.format_checked(text, str(path))
    assert fmt.format_text(once) == once
    assert _comments(once) == _comments(text)


def test_comments_and_grouping_are_kept() -> None:
    text = ("# head\n\n\nprocess p 「x」 {   # after the brace\n"
            "      volume 10/年 # count\n\n\n"
            "  lane a \"窓口\":窓口\n"
            "  # before the step\n"
            "step s @a [対面,紙] 3分->end ; # tail\n\n}\n")
    assert fmt.format_checked(text, "t.bpr") == (
        "# head\n\nprocess p 「x」 {  # after the brace\n"
        "  volume 10 / 年  # count\n\n"
        "  lane a 「窓口」 : 窓口\n"
        "  # before the step\n"
        "  step s @a [紙, 対面] 3分 -> end  # tail\n}\n")


def test_cli_check_diff_and_write(tmp_path: Path) -> None:
    messy = tmp_path / "messy.bpr"
    messy.write_text("process p {\n    lane a : 窓口\n  step s @a 3分\n}\n", encoding="utf-8")
    tidy = tmp_path / "tidy.bpr"
    shutil.copy(PROCESSES / "inu_toroku.bpr", tidy)
    before = tidy.stat()
    r = run_cli("fmt", "--check", str(tmp_path))
    assert r.returncode == 1 and "messy.bpr" in r.stdout and "tidy.bpr" not in r.stdout
    r = run_cli("fmt", "--diff", str(messy))
    assert r.returncode == 0 and "-    lane a : 窓口" in r.stdout and "+  lane a : 窓口" in r.stdout
    assert "    lane a" in messy.read_text(encoding="utf-8")  # --diff writes nothing
    r = run_cli("fmt", str(tmp_path))
    assert r.returncode == 0
    assert messy.read_text(encoding="utf-8") == "process p {\n  lane a : 窓口\n  step s @a 3分\n}\n"
    after = tidy.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert run_cli("fmt", "--check", str(tmp_path)).returncode == 0


def test_files_with_errors_or_not_text_are_left_alone(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bpr"
    bad.write_text("process p {\n      step s @nowhere 3分\n}\n", encoding="utf-8")
    binary = tmp_path / "binary.bpr"
    binary.write_bytes(b"\x00\x01\xff\xfe process")
    latin = tmp_path / "latin.bpr"
    latin.write_bytes(b"process p {\n  # caf\xe9 (Latin-1)\n}\n")
    stamps = {p: p.read_bytes() for p in (bad, binary, latin)}
    r = run_cli("fmt", str(tmp_path))
    assert r.returncode == 1
    assert "bad.bpr:2:" in r.stdout and "binary.bpr" in r.stdout and "latin.bpr" in r.stdout
    check = run_cli("check", str(tmp_path))
    for line in check.stdout.splitlines():  # the same messages as check
        if "error[" in line:
            assert line in r.stdout
    assert all(p.read_bytes() == data for p, data in stamps.items())
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".bprkit")]


def test_a_season_share_is_kept_by_fmt() -> None:
    text = "process p {\n      volume   8,000/年   集中 15   日  60%\n  lane a : 窓口\n" \
           "  step s @a 1分\n}\n"
    once = fmt.format_checked(text, "s.bpr")
    assert "  volume 8,000 / 年 集中 15 日 60%\n" in once
    assert fmt.format_text(once) == once and fmt.same_meaning(text, once, "s.bpr")
    # the share is part of the meaning: another share is another model
    assert not fmt.same_meaning(text, text.replace("60%", "70%"), "s.bpr")
