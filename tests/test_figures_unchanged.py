"""The refactor of issue 22 changes no figure: ``analyze`` and ``estimate`` JSON of every file in
``processes/`` (and the portfolio) equal what the code gave before it (2026-12-07, commit 7aba11c).
Issue 23's speed-ups change none either: the generated files in ``tests/fixtures/generated``
(300 and 1,200 steps: loops, parallel paths, a Monte Carlo drawn in several chunks) were added
before them (commit e0db9b7); their expected JSON is gzipped.

The expected files are in ``tests/fixtures/figures``. Regenerate them only for a change that is
meant to move a figure, and say so in the commit::

    python -m tests.test_figures_unchanged --write
"""

from __future__ import annotations

import gzip
import io
import json
import math
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from bprkit.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = ROOT / "tests" / "fixtures" / "figures"
GENERATED = "tests/fixtures/generated"
PROCESSES = sorted(p.stem for p in (ROOT / "processes").glob("*.bpr"))
ESTIMATE = ["--samples", "2000", "--seed", "7"]


def _commands() -> dict[str, list[str]]:
    commands = {}
    for name in PROCESSES:
        path = f"processes/{name}.bpr"
        commands[f"{name}.analyze"] = ["analyze", path, "--format", "json", "--lang", "ja"]
        commands[f"{name}.estimate"] = ["estimate", path, "--format", "json", "--lang", "ja",
                                        *ESTIMATE]
    commands["tenshutsu.compare.estimate"] = [
        "estimate", "processes/tenshutsu.bpr", "--tobe", "processes/tenshutsu_tobe.bpr",
        "--format", "json", *ESTIMATE]
    for name in ("g300", "g1200"):
        path = f"{GENERATED}/{name}.bpr"
        commands[f"{name}.analyze.gz"] = ["analyze", path, "--format", "json", "--lang", "ja"]
        commands[f"{name}.estimate.gz"] = ["estimate", path, "--format", "json", "--lang", "ja",
                                           *ESTIMATE]
    commands["generated.portfolio"] = ["portfolio", GENERATED, "--format", "json", "--lang",
                                       "ja"]
    commands["portfolio"] = ["portfolio", "processes/", "--roadmap", "processes/roadmap.toml",
                             "--format", "json"]
    return commands


COMMANDS = _commands()


def _run(argv: list[str]) -> object:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(argv)
    assert code in (0, 1), (argv, code)
    return json.loads(out.getvalue())


def _expected(name: str) -> object:
    if name.endswith(".gz"):
        with gzip.open(EXPECTED / f"{name[:-3]}.json.gz", "rt", encoding="utf-8") as fh:
            return json.load(fh)
    return json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))


def _write(name: str, value: object) -> None:
    text = json.dumps(value, ensure_ascii=False, indent=None if name.endswith(".gz") else 1)
    if name.endswith(".gz"):
        # mtime 0: the same figures give the same bytes
        with open(EXPECTED / f"{name[:-3]}.json.gz", "wb") as raw, \
                gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
            fh.write(text.encode("utf-8"))
    else:
        (EXPECTED / f"{name}.json").write_text(text + "\n", encoding="utf-8")


def _same(got: object, want: object, where: str = "") -> None:
    """Equal; floats to a millionth (the JSON rounds to four decimals, and set order can move the
    last one: kokuho_kanyu, 400.043 or 400.0431 with another PYTHONHASHSEED)."""
    if isinstance(want, float) or isinstance(got, float):
        assert isinstance(got, int | float) and isinstance(want, int | float), where
        assert math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-6), f"{where}: {got} != {want}"
    elif isinstance(want, dict):
        assert isinstance(got, dict) and got.keys() == want.keys(), \
            f"{where}: keys {sorted(set(got) ^ set(want))}"  # type: ignore[arg-type]
        for key in want:
            _same(got[key], want[key], f"{where}.{key}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{where}: length"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _same(g, w, f"{where}[{i}]")
    else:
        assert got == want, f"{where}: {got!r} != {want!r}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_figures_are_unchanged(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    _same(_run(COMMANDS[name]), _expected(name), name)


def test_the_expected_files_are_all_used() -> None:
    stored = {p.stem for p in EXPECTED.glob("*.json")} | \
        {p.name.removesuffix(".json.gz") + ".gz" for p in EXPECTED.glob("*.json.gz")}
    assert stored == set(COMMANDS)


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    import os
    os.chdir(ROOT)
    for name, argv in COMMANDS.items():
        _write(name, _run(argv))


def test_figures_do_not_move_with_the_hash_seed() -> None:
    """Set order once moved the last digits (kokuho_kanyu: 113.7 or 113.8 h in the CSV, by
    PYTHONHASHSEED): a loop's visits are now solved in the block's order. Needs processes."""
    import os
    import subprocess

    def run(seed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": seed, "LANG": "ja_JP.UTF-8"}
        return subprocess.run([sys.executable, "-m", "bprkit", "analyze",
                               "processes/kokuho_kanyu.bpr", "--format", "csv"], cwd=ROOT,
                              env=env, capture_output=True, text=True, check=True).stdout

    outputs = {run(seed) for seed in ("1", "2", "3")}
    assert len(outputs) == 1
