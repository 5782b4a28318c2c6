"""The wheel carries the grammar and the texts: build it, install it into a fresh
virtual environment, and check processes/ from there (away from the source tree)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import PROCESSES


@pytest.mark.slow
def test_wheel_installs_and_checks_processes(tmp_path: Path, wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "bprkit/grammar/bpr.lark" in names
    assert {"bprkit/messages/ja.toml", "bprkit/messages/en.toml",
            "bprkit/assumptions/default.toml", "bprkit/render/dot.py"} <= set(names)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = venv / "bin" / "pip"
    subprocess.run([str(pip), "install", "-q", str(wheel)], check=True, timeout=600)

    work = tmp_path / "work"
    shutil.copytree(PROCESSES, work / "processes")
    c_locale = {k: v for k, v in os.environ.items() if not k.startswith("LC_")} | {"LANG": "C"}
    r = subprocess.run([str(venv / "bin" / "bprkit"), "check", "processes"], cwd=work,
                       capture_output=True, text=True, timeout=120, env=c_locale)
    assert r.returncode == 0, r.stdout + r.stderr
    files = len(list(PROCESSES.rglob("*.bpr")))
    # a C locale: the output follows the labels, which are Japanese
    assert f"{files} ファイルを確認: エラー 0 件、警告 0 件" in r.stdout
    r = subprocess.run([str(venv / "bin" / "python"), "-m", "bprkit", "check", "--lang", "ja",
                        "processes/tenshutsu.bpr"], cwd=work, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0 and "OK（手続 1" in r.stdout
    r = subprocess.run([str(venv / "bin" / "bprkit"), "analyze", "--format", "json",
                        "processes/tenshutsu.bpr"], cwd=work, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert '"annual_staff_hours"' in r.stdout
    r = subprocess.run([str(venv / "bin" / "bprkit"), "render", "processes/tenshutsu.bpr",
                        "-o", "t.dot"], cwd=work, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "digraph" in (work / "t.dot").read_text(encoding="utf-8")
