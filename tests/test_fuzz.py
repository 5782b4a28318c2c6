"""Fuzzing in every `make test`, on a small budget: generated valid and nearly
valid files, and byte-level mutations of the corpus, through every command's
code (tests/fuzzing.py). `make fuzz` runs the same for 30 minutes."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import PROCESSES
from .fuzzing import generate, mutate, run_everything

BUDGET = settings(max_examples=40, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture,
                                         HealthCheck.too_slow])
CORPUS = [p.read_bytes() for p in sorted(PROCESSES.rglob("*.bpr")) if "common" not in p.parts]


@BUDGET
@given(seed=st.integers(0, 2**32 - 1), nearly=st.booleans())
def test_generated_files_pass_every_command(tmp_path: Path, seed: int, nearly: bool) -> None:
    rng = random.Random(seed)
    text = generate(rng)
    if nearly:
        text = mutate(rng, text)
    path = tmp_path / "f.bpr"
    path.write_text(text, encoding="utf-8")
    run_everything(path, samples=50)


@BUDGET
@given(index=st.integers(0, len(CORPUS) - 1),
       edits=st.lists(st.tuples(st.integers(0, 10**6), st.binary(min_size=0, max_size=4),
                                st.integers(0, 6)), min_size=1, max_size=4))
def test_byte_mutations_of_the_corpus(tmp_path: Path, index: int,
                                     edits: list[tuple[int, bytes, int]]) -> None:
    data = bytearray(CORPUS[index])
    for pos, insert, cut in edits:
        pos %= len(data) + 1
        data[pos:pos + cut] = insert
    path = tmp_path / "f.bpr"
    path.write_bytes(bytes(data))
    run_everything(path, samples=50)


def test_the_generator_makes_files_check_accepts(tmp_path: Path) -> None:
    """The fuzzer is only worth its time if most generated files get past check."""
    from bprkit.text.loader import check_files

    rng = random.Random(7)
    accepted = 0
    for n in range(60):
        path = tmp_path / f"g{n}.bpr"
        path.write_text(generate(rng), encoding="utf-8")
        accepted += check_files([str(path)]).ok
    assert accepted >= 20


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), nearly=st.booleans())
def test_the_public_cli_on_generated_files(tmp_path_factory: object, seed: int,
                                           nearly: bool) -> None:
    """Every command through bprkit.cli.main, as the issue 21 audit drove it: no exit 3,
    no traceback, no input or neighbour changed, no temporary file, own exports import
    back clean (tests/fuzzing.py, run_commands)."""
    from .fuzzing import run_commands

    rng = random.Random(seed)
    text = generate(rng)
    if nearly:
        text = mutate(rng, text)
    folder = tmp_path_factory.mktemp("cli")  # type: ignore[attr-defined]
    path = folder / "f.bpr"
    path.write_text(text, encoding="utf-8")
    run_commands(path)


def test_the_public_cli_on_the_corpus(tmp_path: Path) -> None:
    from .fuzzing import run_commands

    source = PROCESSES / "tenshutsu.bpr"
    path = tmp_path / "tenshutsu.bpr"
    path.write_bytes(source.read_bytes())
    done = run_commands(path)
    assert {"render", "export", "import e.bpmn", "import e.xlsx", "fmt", "serve"} <= set(done)
