"""bprkit serve in a real headless browser: the picture, a redraw on save, the
diagnostics of a broken file over the greyed last picture; paths outside the folder
refused; a port in use said; Ctrl-C stops it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from . import browser
from .conftest import PROCESSES, ROOT

DRAWN = ("t => document.querySelector('#picture').textContent.replace(/\\s/g, '')"
         ".includes(t)")
"""Whether the picture holds a text (a label wraps over several SVG text lines)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen]]:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "a.bpr").write_text((PROCESSES / "inu_toroku.bpr").read_text(encoding="utf-8"),
                                  encoding="utf-8")
    (tmp_path / "secret.bpr").write_text("process secret {}\n", encoding="utf-8")
    port = _free_port()
    env = {**os.environ, "LANG": "ja_JP.UTF-8", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "bprkit", "serve", str(folder), "--port",
                             str(port)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "api/files", timeout=1)
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    try:
        yield url, folder, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=15)


def _status(url: str) -> int:
    try:
        return urllib.request.urlopen(url, timeout=5).status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_live_preview_redraws_on_save_and_shows_errors(server: tuple) -> None:
    url, folder, _ = server
    source = folder / "a.bpr"
    # the network stays on for 127.0.0.1 only: every other request is recorded and refused
    with browser.browser() as b, browser.page(b, offline=False) as (page, visit):
        page.goto(url)
        page.wait_for_selector("body[data-watching=yes]")
        page.wait_for_selector("#picture svg")
        assert "登録申請書を記入" in page.inner_text("#picture")
        assert browser.not_blank(page.screenshot())
        # a saved change is drawn again within a second or so
        text = source.read_text(encoding="utf-8")
        start = time.monotonic()
        changed = text.replace("登録申請書を記入", "申請書をその場で記入")
        source.write_text(changed, encoding="utf-8")
        page.wait_for_function(DRAWN, arg="申請書をその場で記入", timeout=5000)
        assert time.monotonic() - start < 3
        # an error: the diagnostics show, the last good picture stays greyed
        source.write_text(text.replace("@飼い主", "@飼い主さん", 1), encoding="utf-8")
        page.wait_for_selector("#problems.on", timeout=5000)
        assert "E024" in page.inner_text("#problems") and "a.bpr:" in page.inner_text("#problems")
        assert page.locator("#picture.stale svg").count() == 1
        page.screenshot()
        # fixed again: the picture is back
        source.write_text(text, encoding="utf-8")
        page.wait_for_selector("#picture:not(.stale) svg", timeout=5000)
        assert not page.locator("#problems.on").count()
        # the switches
        page.check("input[value=compare]")
        page.wait_for_function(DRAWN, arg="見直し", timeout=10000)
        page.select_option("#lang", "en")
        page.wait_for_function("document.querySelector('header').textContent.includes('Heat')")
        assert visit.errors == [] and visit.outside == []


def test_paths_outside_the_folder_are_never_served(server: tuple) -> None:
    url, folder, _ = server
    for path in ["api/diagram?file=../secret.bpr", "api/diagram?file=..%2Fsecret.bpr",
                 "api/diagram?file=%2e%2e/secret.bpr", "api/diagram?file=/etc/passwd",
                 "api/diagram?file=a.bpr/../../secret.bpr", "../secret.bpr", "..%2Fsecret.bpr",
                 "%2e%2e/%2e%2e/etc/passwd", "api/../../etc/passwd", "a.bpr"]:
        assert _status(url + path) == 404, path
    assert _status(url + "api/diagram?file=a.bpr") == 200
    (folder / "link.bpr").symlink_to(folder.parent / "secret.bpr")
    assert _status(url + "api/diagram?file=link.bpr") == 404  # a link out of the folder


def test_a_port_in_use_and_ctrl_c(server: tuple) -> None:
    url, folder, proc = server
    port = url.rsplit(":", 1)[1].strip("/")
    r = subprocess.run([sys.executable, "-m", "bprkit", "serve", str(folder), "--port", port],
                       cwd=ROOT, capture_output=True, text=True, timeout=30,
                       env={**os.environ, "LANG": "en_US.UTF-8"})
    assert r.returncode == 2 and f"port {port} is in use" in r.stderr
    assert "Traceback" not in r.stderr
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=15) == 0
    out, err = proc.communicate()
    assert "終了しました" in out and "Traceback" not in err
