"""Random and mutated inputs only ever produce diagnostics, never another exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bprkit.text.loader import check_files

from .conftest import CORPUS, PROCESSES

SEEDS = [p.read_text(encoding="utf-8") for p in sorted([*CORPUS.rglob("*.bpr"),
                                                        *PROCESSES.rglob("*.bpr")])]
PIECES = ["{", "}", "->", "@", "[", "]", "%", "..", "「", "」", '"', "\n", ";", "#", "x 0",
          "step", "branch", "parallel", "path", "use", "else", "end", "５", "％", "\u3000",
          "wait", "0min", "100%", "import \"x.bpr\"", "\r\n", "\ufeff", "\x00", "é", "窓口",
          "lever ", "施策 なし", "lever rpa, ai_ocr", "batch 0", "まとめて 月", "batch ",
          "replaces ", "置き換え x", "[定型, 判断]", "[交付]", " batch month",
          "到着 26 件 / 時", "arrivals 0 / day", "窓口数 ", "counters 0.5", " 月曜, 繁忙期",
          " peak", "到着 1 / 週"]

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def _check(tmp_path: Path, text: str | bytes) -> None:
    path = tmp_path / "fuzz.bpr"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(text)
    report = check_files([str(path)])
    for d in report.diagnostics:  # every diagnostic renders in both languages
        d.render("ja")
        d.render("en")


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "swap"]))
        if op == "insert":
            text = text[:pos] + draw(st.sampled_from(PIECES)) + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 20)):]
        else:
            lines = text.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return text


@SETTINGS
@given(text=mutated())
def test_mutated_corpus_gives_only_diagnostics(tmp_path: Path, text: str) -> None:
    _check(tmp_path, text)


@SETTINGS
@given(text=st.lists(st.sampled_from([*PIECES, "a", "b", " ", "1", "\t", "p"]), max_size=80)
       .map("".join) | st.text(max_size=300))
def test_random_text_gives_only_diagnostics(tmp_path: Path, text: str) -> None:
    _check(tmp_path, text)


@SETTINGS
@given(data=st.binary(max_size=300))
def test_random_bytes_give_only_diagnostics(tmp_path: Path, data: bytes) -> None:
    _check(tmp_path, data)
