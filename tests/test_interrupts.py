"""Issue 21: interrupts that stop now. SIGTERM or Ctrl-C on a portfolio stops the
worker pool at once (exit 130, no worker left, no temporary file); report --pdf runs
the browser in its own process group with its TMPDIR inside a private folder, so a
TMPDIR holding # or % prints, and an interrupt leaves no browser and no folder."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import PROCESSES, ROOT

ENV = {**os.environ, "LANG": "en_US.UTF-8"}
NAP = "29.7371"
"""The slow browser's child: a duration no other process on the machine sleeps."""


def _copies(folder: Path, n: int) -> Path:
    folder.mkdir()
    text = (PROCESSES / "tenshutsu.bpr").read_text(encoding="utf-8")
    for i in range(n):
        (folder / f"t{i}.bpr").write_text(text.replace("process tenshutsu ",
                                                       f"process t{i} "), encoding="utf-8")
    return folder


def _alive(marker: str) -> list[str]:
    found = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True)
    return found.stdout.split()


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT to the group"])
def test_a_portfolio_stops_at_once(tmp_path: Path, how: str) -> None:
    folder = _copies(tmp_path / f"many-{how.split()[0]}", 300)
    out = tmp_path / "p.csv"
    p = subprocess.Popen([sys.executable, "-m", "bprkit", "portfolio", str(folder),
                          "--jobs", "2", "--quiet", "--samples", "100000", "-o", str(out)],
                         cwd=ROOT, env=ENV,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    time.sleep(3)  # the pool is at work (300 files × 100,000 samples: minutes on 2 cores)
    assert p.poll() is None
    start = time.monotonic()
    if how == "SIGTERM":
        p.send_signal(signal.SIGTERM)
    else:
        os.killpg(p.pid, signal.SIGINT)
    _, err = p.communicate(timeout=60)
    took = time.monotonic() - start  # measured in the closing note, not asserted tightly
    assert p.returncode == 130, err
    assert b"Traceback" not in err and took < 30
    time.sleep(0.5)
    assert _alive(str(folder)) == []  # no worker left
    assert not out.exists() and not [f for f in tmp_path.iterdir()
                                     if f.name.startswith(".bprkit-")]


needs_browser = pytest.mark.skipif(not (shutil.which("chromium")
                                        or os.environ.get("BPRKIT_CHROMIUM")),
                                   reason="chromium: make setup installs it")


@needs_browser
def test_report_pdf_with_a_tmpdir_holding_hash_and_percent(tmp_path: Path) -> None:
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="a#b%20c", dir="/tmp"))  # short: see browser.py
    out = tmp_path / "r.html"
    r = subprocess.run([sys.executable, "-m", "bprkit", "report", str(PROCESSES / "tenshutsu.bpr"),
                        "-o", str(out), "--pdf", "--samples", "200", "--quiet",
                        "--no-backtest"], cwd=ROOT, env={**ENV, "TMPDIR": str(tmp)},
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert out.exists() and (tmp_path / "r.pdf").read_bytes()[:5] == b"%PDF-"
    assert list(tmp.iterdir()) == []  # the private folder and the browser's files: gone
    tmp.rmdir()


@needs_browser
def test_report_pdf_interrupted_leaves_nothing(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    slow = tmp_path / "slow"  # a browser that prints slowly: a real chromium, delayed
    slow.write_text(f"#!/bin/sh\nsleep {NAP} & wait\n", encoding="utf-8")
    slow.chmod(0o755)
    p = subprocess.Popen([sys.executable, "-m", "bprkit", "report",
                          str(PROCESSES / "tenshutsu.bpr"), "-o", str(tmp_path / "r.html"),
                          "--pdf", "--samples", "200", "--quiet", "--no-backtest"],
                         cwd=ROOT, env={**ENV, "TMPDIR": str(tmp), "BPRKIT_CHROMIUM": str(slow)},
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    while not _alive(f"{slow}") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _alive(str(slow)), "the browser never started"
    os.killpg(p.pid, signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    assert b"Traceback" not in err
    time.sleep(0.5)
    assert _alive(str(slow)) == [] and _alive(f"sleep {NAP}") == []
    assert list(tmp.iterdir()) == []
    assert (tmp_path / "r.html").exists()  # the HTML was written before printing
