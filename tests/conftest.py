"""Shared helpers: check a text as a real file, take its process, the project's folders.
The CLI in this process: tests/clirunner.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bprkit.model import Bundle, Process
from bprkit.text.loader import CheckReport, check_files

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
PROCESSES = ROOT / "processes"
CORPUS = FIXTURES / "corpus"  # a copy of ../shared/examples, so the tests do not need ../shared


def write_bpr(tmp_path: Path, text: str, name: str = "t.bpr") -> Path:
    """``text`` written as the UTF-8 file ``tmp_path/name``."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def check_text(tmp_path: Path, text: str, name: str = "t.bpr") -> CheckReport:
    """``text`` checked as a real file (imports are read beside it)."""
    return check_files([str(write_bpr(tmp_path, text, name))])


def load_file(path: Path | str, *, index: int = 0) -> tuple[Process, Bundle]:
    """A file that must check clean: its process number ``index`` (-1: the last, the
    one that uses those before it) and its bundle."""
    report = check_files([str(path)])
    assert report.ok, [d.render("en") for d in report.diagnostics if d.is_error]
    bundle = report.files[0].bundle
    assert bundle is not None
    return bundle.root.processes[index], bundle


def load_text(tmp_path: Path, text: str, name: str = "t.bpr", *,
              index: int = 0) -> tuple[Process, Bundle]:
    """``text`` written to ``tmp_path/name``, checked clean: as :func:`load_file`."""
    return load_file(write_bpr(tmp_path, text, name), index=index)


def codes(report: CheckReport) -> list[str]:
    return [d.code for d in report.diagnostics]


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None,
            stdin: str | None = None) -> subprocess.CompletedProcess:
    """``python -m bprkit ARGS`` in a subprocess, as a user would run it (0.65 s a call).
    Tests that need no process of their own use ``clirunner.run_cli``, the same call in
    this process (0.03 s)."""
    full_env = {**os.environ, "LANG": "en_US.UTF-8", **(env or {})}
    full_env.pop("LC_ALL", None)
    return subprocess.run([sys.executable, "-m", "bprkit", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, env=full_env, input=stdin, timeout=120)


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built once a session (test_packaging, test_backtest)."""
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(dist), str(ROOT)], check=True, timeout=300)
    (built,) = dist.glob("bprkit-*.whl")
    return built


@pytest.fixture
def ok_process() -> str:
    return ("process p 「手続」 {\n  volume 100 / 年\n  lane 窓口 : 窓口\n"
            "  step a 「受付」 @窓口 3分\n}\n")


needs_dot = pytest.mark.skipif(shutil.which("neato") is None,
                               reason="Graphviz is not installed (make setup installs it)")
"""Tests that run Graphviz: skipped only where it is truly absent; make setup installs
it, so CI runs them (docs/architecture habit 11)."""
