"""bprkit serve refuses what a hostile page could use (issue 21): a foreign Host (DNS
rebinding) or Origin; one file watcher serves every open page; the list holds only
what is drawn. A real server on a real port, asked with plain sockets and http.client."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import PROCESSES, ROOT

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("watchfiles")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _site(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "a.bpr").write_text((PROCESSES / "inu_toroku.bpr").read_text(encoding="utf-8"),
                                  encoding="utf-8")
    (tmp_path / "secret.bpr").write_text("process secret {}\n", encoding="utf-8")
    return folder


def _wait_up(port: int) -> None:
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/files", timeout=1)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise AssertionError("the server did not start")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[int, Path, subprocess.Popen]]:
    """``bprkit serve FOLDER --port N`` in its own process, as a user runs it."""
    folder = _site(tmp_path)
    port = _free_port()
    env = {**os.environ, "LANG": "en_US.UTF-8", "PYTHONUNBUFFERED": "1"}
    env.pop("LC_ALL", None)
    proc = subprocess.Popen([sys.executable, "-m", "bprkit", "serve", str(folder), "--port",
                             str(port)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        _wait_up(port)
        yield port, folder, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=15)


def _get(port: int, path: str, headers: dict[str, str] | None = None,
         host: str | None = None) -> tuple[int, bytes]:
    """GET with exactly the headers given (``host=None``: the usual Host; ``""``: none)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=host is not None)
        if host:
            conn.putheader("Host", host)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        conn.endheaders()
        r = conn.getresponse()
        body = b"" if path == "/api/events" and r.status == 200 else r.read()
        return r.status, body
    finally:
        conn.close()


ROUTES = ["/", "/api/files", "/api/diagram?file=a.bpr", "/api/events"]
API = ROUTES[1:]


def test_a_foreign_host_is_refused(server: tuple) -> None:
    port, _, _ = server
    for host in ["evil.example", f"evil.example:{port}", f"127.0.0.1:{port + 1}",
                 f"localhost:{port + 1}", "127.0.0.1", "localhost", f"127.1:{port}",
                 f"[::1]:{port}", f"localhost.:{port}", f"127.0.0.1:{port}.evil.example", ""]:
        for path in ROUTES:
            status, body = _get(port, path, host=host)
            assert status == 400, (host, path, status)
            assert b"a.bpr" not in body and b"<svg" not in body
            if host:  # (no Host at all: uvicorn's own 400 first, HTTP/1.1 requires one)
                assert f"http://localhost:{port}/".encode() in body  # says where it answers
    for host in [f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"]:
        status, body = _get(port, "/api/files", host=host)
        assert status == 200 and json.loads(body)["files"] == ["a.bpr"], host
    assert _get(port, "/api/diagram?file=a.bpr", host=f"localhost:{port}")[0] == 200
    # two Host headers: refused too
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest("GET", "/api/files", skip_host=True)
    conn.putheader("Host", f"127.0.0.1:{port}")
    conn.putheader("Host", "evil.example")
    conn.endheaders()
    assert conn.getresponse().status == 400
    conn.close()


def test_a_foreign_origin_is_refused_on_the_api(server: tuple) -> None:
    port, _, _ = server
    for origin in ["http://evil.example", f"http://evil.example:{port}", "null",
                   f"http://127.0.0.1:{port + 1}", f"https://127.0.0.1:{port}",
                   f"http://localhost:{port}.evil.example", "http://127.0.0.1"]:
        for path in API:
            status, body = _get(port, path, {"Origin": origin})
            assert status == 403, (origin, path, status)
            assert b"a.bpr" not in body and b"<svg" not in body
    for origin in [f"http://127.0.0.1:{port}", f"http://localhost:{port}", None]:
        for path in API:
            status, _ = _get(port, path, {"Origin": origin} if origin else {})
            assert status == 200, (origin, path, status)
    assert _get(port, "/api/diagram?file=../secret.bpr",
                {"Origin": f"http://127.0.0.1:{port}"})[0] == 404


class _Streams:
    """Many open ``/api/events`` streams on plain sockets."""

    def __init__(self, port: int, n: int) -> None:
        self.sel = selectors.DefaultSelector()
        self.socks: list[socket.socket] = []
        self.data: dict[socket.socket, bytes] = {}
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(f"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                      "Accept: text/event-stream\r\n\r\n".encode())
            s.setblocking(False)
            self.sel.register(s, selectors.EVENT_READ)
            self.socks.append(s)
            self.data[s] = b""

    def wait_all(self, marker: bytes, timeout: float) -> int:
        """Read until every stream holds ``marker``; how many do."""
        end = time.monotonic() + timeout
        while time.monotonic() < end and not all(marker in d for d in self.data.values()):
            for key, _ in self.sel.select(0.2):
                s = key.fileobj
                assert isinstance(s, socket.socket)
                try:
                    chunk = s.recv(65536)
                except BlockingIOError:
                    continue
                self.data[s] += chunk
                if not chunk:
                    self.sel.unregister(s)
        return sum(marker in d for d in self.data.values())

    def close(self) -> None:
        for s in self.socks:
            with contextlib.suppress(KeyError, ValueError):
                self.sel.unregister(s)
            s.close()
        self.sel.close()



def _one_watcher(pid: int) -> None:
    """The server holds exactly one inotify instance (each file watcher holds one). Only
    Linux shows a process's inotify instances (in /proc); elsewhere the pages, the change
    events and the clean stop below are still checked, the count is not."""
    fds = Path(f"/proc/{pid}/fd")
    if not sys.platform.startswith("linux"):
        return
    n = 0
    for fd in fds.iterdir():
        with contextlib.suppress(OSError):
            n += os.readlink(fd) == "anon_inode:inotify"
    assert n == 1, f"{n} inotify instances"


PAGES = 80


def test_one_watcher_serves_many_pages(server: tuple) -> None:
    port, folder, proc = server
    _one_watcher(proc.pid)  # started with the server, before any page
    streams = _Streams(port, PAGES)
    try:
        assert streams.wait_all(b"event: ready", 20) == PAGES
        _one_watcher(proc.pid)
        time.sleep(0.3)
        source = folder / "a.bpr"
        source.write_text(source.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        assert streams.wait_all(b"event: change", 10) == PAGES
        assert all(b'data: ["a.bpr"]' in d for d in streams.data.values())
        _one_watcher(proc.pid)
        # the server still draws with every page open (no worker thread is held per page)
        assert _get(port, "/api/diagram?file=a.bpr")[0] == 200
    finally:
        streams.close()
    # pages gone, a new one still hears of the next save
    again = _Streams(port, 1)
    try:
        assert again.wait_all(b"event: ready", 10) == 1
        time.sleep(0.3)
        (folder / "b.bpr").write_text("process b {}\n", encoding="utf-8")
        assert again.wait_all(b"event: change", 10) == 1
        assert b'"b.bpr"' in again.data[again.socks[0]]
        _one_watcher(proc.pid)
        # Ctrl-C with a page open: its stream ends at once, the server stops cleanly
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        assert again.wait_all(b"\r\n0\r\n\r\n", 5) == 1  # the last chunk of the stream
    finally:
        again.close()
    _, err = proc.communicate()
    assert "Traceback" not in err and "ERROR" not in err, err


def test_pages_that_leave_are_dropped_from_the_hub(tmp_path: Path) -> None:
    """The same server in this process (uvicorn in a thread), to look at its hub."""
    from bprkit import serve

    folder = _site(tmp_path)
    port = _free_port()
    srv = serve.server(serve.Site(str(folder), None, "en"), port)
    hub: serve.Hub = srv.config.app.state.hub  # type: ignore[union-attr]
    thread = threading.Thread(target=srv.run, daemon=True)
    before = serve.WATCHERS
    thread.start()
    try:
        _wait_up(port)
        assert before + 1 == serve.WATCHERS
        streams = _Streams(port, 30)
        try:
            assert streams.wait_all(b"event: ready", 20) == 30
            assert len(hub.clients) == 30 and before + 1 == serve.WATCHERS
        finally:
            streams.close()
        end = time.monotonic() + 10
        while hub.clients and time.monotonic() < end:
            time.sleep(0.05)
        assert hub.clients == set()
    finally:
        srv.should_exit = True
        thread.join(timeout=15)
    assert not thread.is_alive() and before == serve.WATCHERS


def test_the_list_holds_only_what_is_drawn(server: tuple, tmp_path: Path) -> None:
    port, folder, _ = server
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.bpr").write_text("process x {}\n", encoding="utf-8")
    (folder / "out.bpr").symlink_to(tmp_path / "secret.bpr")  # a .bpr outside the folder
    (folder / "broken.bpr").symlink_to(folder / "gone.bpr")  # a broken link
    (folder / "loop.bpr").symlink_to(folder / "loop.bpr")  # a link to itself
    (folder / "dir.bpr").mkdir()  # a folder named .bpr
    (folder / "linked").symlink_to(outside, target_is_directory=True)  # a folder outside
    (folder / "same.bpr").symlink_to(folder / "a.bpr")  # a link inside the folder: drawn
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "fifo.bpr")  # not a regular file
    status, body = _get(port, "/api/files")
    listed = json.loads(body)["files"]
    assert status == 200 and listed == ["a.bpr", "same.bpr"]
    for name in listed:
        assert _get(port, f"/api/diagram?file={name}")[0] == 200, name
    for name in ["out.bpr", "broken.bpr", "loop.bpr", "dir.bpr", "linked/x.bpr", "fifo.bpr"]:
        assert _get(port, f"/api/diagram?file={name}")[0] == 404, name


def test_a_watcher_that_cannot_start_says_so_and_tries_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The folder is missing when the server starts: said once on stderr, then watched
    as soon as it exists."""
    from bprkit import serve

    folder = tmp_path / "later"
    hub = serve.Hub(serve.Site(str(folder), None, "en"))

    async def scenario() -> list[str] | None:
        stop = asyncio.Event()
        queue = hub.subscribe()
        watcher = asyncio.create_task(hub.watch(stop))
        await asyncio.sleep(0.3)
        folder.mkdir()
        await asyncio.sleep(serve.RETRY_S + 0.5)  # the next try finds it
        (folder / "a.bpr").write_text("process a {}\n", encoding="utf-8")
        try:
            return await asyncio.wait_for(queue.get(), 10)
        finally:
            stop.set()
            await asyncio.wait_for(watcher, 10)

    assert asyncio.run(scenario()) == ["a.bpr"]
    err = capsys.readouterr().err
    assert err.count(f"cannot watch {folder} for saved changes") == 1, err
