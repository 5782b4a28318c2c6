"""Shared helpers: check a text as a real file, the project's folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bprkit.text.loader import CheckReport, check_files

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
PROCESSES = ROOT / "processes"
CORPUS = FIXTURES / "corpus"  # a copy of ../shared/examples, so the tests do not need ../shared


def check_text(tmp_path: Path, text: str, name: str = "t.bpr") -> CheckReport:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return check_files([str(path)])


def codes(report: CheckReport) -> list[str]:
    return [d.code for d in report.diagnostics]


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None,
            stdin: str | None = None) -> subprocess.CompletedProcess:
    """``python -m bprkit ARGS`` in a subprocess, as a user would run it."""
    full_env = {**os.environ, "LANG": "en_US.UTF-8", **(env or {})}
    full_env.pop("LC_ALL", None)
    return subprocess.run([sys.executable, "-m", "bprkit", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, env=full_env, input=stdin, timeout=120)


@pytest.fixture
def ok_process() -> str:
    return ("process p 「手続」 {\n  volume 100 / 年\n  lane 窓口 : 窓口\n"
            "  step a 「受付」 @窓口 3分\n}\n")


needs_dot = pytest.mark.skipif(shutil.which("neato") is None,
                               reason="Graphviz is not installed (make setup installs it)")
"""Tests that run Graphviz: skipped only where it is truly absent; make setup installs
it, so CI runs them (docs/architecture habit 11)."""
