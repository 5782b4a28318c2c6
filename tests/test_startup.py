"""Start-up stays light (issue 23): ``bprkit --help`` and ``bprkit check FILE`` do not
import the heavy libraries the other commands need, so a later eager import fails here
(not timed: benchmarks/bench_startup.py measures the time).

Each command runs in a fresh interpreter, which then lists the modules it imported.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import PROCESSES

HEAVY = ("numpy", "networkx", "graphviz", "pandas", "matplotlib", "budoux", "openpyxl",
         "scipy")
"""Never imported by --help nor check."""
POOL = ("concurrent.futures.process", "multiprocessing")
"""The process pool of ``portfolio``: not for --help (check still meets it through
bprkit.report.console → bprkit.planning.inventory, to be made lazy there)."""

PROBE = """
import json, sys
from bprkit.cli import main
try:
    main(sys.argv[1:])
finally:
    sys.__stderr__.write("\\n" + json.dumps(sorted(sys.modules)) + "\\n")
"""


def _imported(*argv: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def _found(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.fixture(scope="module")
def help_modules() -> set[str]:
    return _imported("--help")


@pytest.fixture(scope="module")
def check_modules() -> set[str]:
    return _imported("check", str(PROCESSES / "inu_toroku.bpr"))


def test_help_imports_no_parser_and_no_heavy_library(help_modules: set[str]) -> None:
    assert not _found(help_modules, (*HEAVY, *POOL, "lark", "tomllib", "bprkit.text",
                                     "bprkit.render", "bprkit.interop", "bprkit.report",
                                     "bprkit.analysis", "bprkit.estimate",
                                     "bprkit.planning", "bprkit.model"))


def test_check_imports_no_heavy_library(check_modules: set[str]) -> None:
    assert "bprkit.text.lalr_tables" in check_modules  # it did parse
    # lark parses only a file with a mistake (its import alone took 35 ms)
    assert not _found(check_modules, (*HEAVY, *POOL, "lark", "bprkit.planning",
                                      "bprkit.render", "bprkit.interop", "bprkit.analysis",
                                      "bprkit.estimate"))


def test_check_of_a_counter_queue_imports_no_heavy_library() -> None:
    """A queue's checks (its visit, its periods, the busiest day's load: W015) need no
    number worked out: numpy loads only when a wait is."""
    from .conftest import ROOT

    path = ROOT / "tests" / "fixtures" / "diagnostics" / "W015_counters_overloaded.bpr"
    assert not _found(_imported("check", str(path)), HEAVY)
