"""``bprkit serve``: a live preview for workshops, on 127.0.0.1 only.

A page lists the ``.bpr`` files of a folder (or the one file given) and draws the
chosen one; when a file under the folder is saved it is drawn again within a second
(watchfiles tells the server, server-sent events tell the page). A file with
errors shows its diagnostics in place of the picture, and the last good picture
stays, greyed. Switches: the As-Is alone or As-Is above its automatic To-Be, heat,
and the language.

Starlette (the ASGI toolkit) and uvicorn (its server) serve four routes and nothing
else: no file is ever served from disk, so no path can reach outside the folder; the
one parameter that names a file must be one of the listed ``.bpr`` files, and the list
holds only files that are drawn (no symlink out of the folder, no broken link, nothing
but regular files). The page has its script and styles inline and loads nothing from
the network.

What is refused, before any route runs:

- a request whose ``Host`` is not ``127.0.0.1:PORT`` or ``localhost:PORT`` (400): a
  page on another site whose name was pointed at 127.0.0.1 (DNS rebinding) names its
  own host, so it cannot read the files;
- a request to ``/api/`` carrying an ``Origin`` other than ``http://127.0.0.1:PORT``
  or ``http://localhost:PORT`` (403): another site's script cannot read them either.
  No ``Origin`` (curl, a same-origin GET) is allowed.

One file watcher serves the whole server, however many pages are open: its changes
go to one queue per connected page, and a page that goes away is dropped. (One
watcher a page used one inotify instance and one worker thread each, so about 70
pages stopped every live update.)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import socket

    import uvicorn
    from starlette.applications import Starlette
    from starlette.types import ASGIApp, Receive, Scope, Send

HOST = "127.0.0.1"
DEBOUNCE_MS = 150
QUEUE = 16
"""Changes kept for a page that is slow to read; more are dropped (it redraws anyway)."""
RETRY_S = 1.0
"""The pause before the watcher tries again after failing (the folder gone, no inotify left)."""

WATCHERS = 0
"""How many file watchers run in this process now: one a server, whatever the pages."""


@dataclass(frozen=True)
class Site:
    root: str
    """The folder served (the file's own folder when one file is given)."""
    only: str | None
    """The one file given, relative to root, or None for every .bpr of the folder."""
    lang: str


def _inside(site: Site, name: str) -> str | None:
    """The real path of ``name`` under the root when it is a regular file inside the
    folder, else None (a symlink out of the folder, a broken link, a FIFO, a folder)."""
    root = os.path.realpath(site.root)
    path = os.path.realpath(os.path.join(site.root, name))
    if path == root or os.path.commonpath([root, path]) != root:
        return None
    return path if os.path.isfile(path) else None


def files(site: Site) -> list[str]:
    """The .bpr files served, relative to the root, sorted: only those ``resolve`` draws."""
    from bprkit.text.loader import find_files

    if site.only is not None:
        names = [site.only]
    else:
        names = sorted(os.path.relpath(f, site.root).replace(os.sep, "/")
                       for f in find_files([site.root]))
    return [n for n in names if _inside(site, n) is not None]


def resolve(site: Site, name: str) -> str | None:
    """The path of a listed file, or None: anything else (``../``, absolute, encoded,
    a symlink out of the folder, a file not listed) is refused."""
    return _inside(site, name) if name in files(site) else None


def drawing(site: Site, name: str, *, mode: str, heat: bool, lang: str) -> dict[str, object]:
    """The picture of a file as SVG, or its diagnostics."""
    import bprkit
    from bprkit.errors import BprError
    from bprkit.text.loader import check_files

    path = resolve(site, name)
    if path is None:
        return {"ok": False, "missing": True}
    report = check_files([path])
    if not report.ok:
        return {"ok": False, "diagnostics": [d.render(lang) for d in report.diagnostics
                                             if d.is_error]}
    try:
        d = bprkit.diagram(path, redesigned=mode == "compare", lang=lang, heat=heat)
        return {"ok": True, "svg": d.svg()}
    except BprError as exc:
        return {"ok": False, "diagnostics": [exc.text(lang)]}


class Hub:
    """One watcher of the folder for the server's lifetime, and one queue for each
    connected page: every change goes to every queue. ``None`` in a queue ends that
    page's stream (the server is stopping)."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.clients: set[asyncio.Queue[list[str] | None]] = set()
        self.closed = False

    def subscribe(self) -> asyncio.Queue[list[str] | None]:
        queue: asyncio.Queue[list[str] | None] = asyncio.Queue(maxsize=QUEUE)
        if self.closed:
            queue.put_nowait(None)
        self.clients.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[list[str] | None]) -> None:
        self.clients.discard(queue)

    def publish(self, changed: list[str]) -> None:
        for queue in list(self.clients):
            with contextlib.suppress(asyncio.QueueFull):  # changes pending: it redraws anyway
                queue.put_nowait(changed)

    def close(self) -> None:
        """End every stream now, so stopping the server does not wait for open pages."""
        self.closed = True
        for queue in list(self.clients):
            while not queue.empty():
                queue.get_nowait()
            queue.put_nowait(None)

    async def watch(self, stop: asyncio.Event) -> None:
        """Watch the folder until ``stop``; on failure, say so once and try again."""
        global WATCHERS
        from watchfiles import awatch

        from bprkit.messages import catalog as messages

        root = self.site.root
        WATCHERS += 1
        said = False
        try:
            while not stop.is_set():
                try:
                    async for changes in awatch(root, debounce=DEBOUNCE_MS, step=50,
                                                stop_event=stop, recursive=True):
                        said = False
                        changed = sorted({os.path.relpath(p, root).replace(os.sep, "/")
                                          for _, p in changes if p.endswith(".bpr")})
                        if changed:
                            self.publish(changed)
                except Exception as exc:  # the folder gone, no inotify instance left
                    if not said:
                        print(messages.text(self.site.lang, "serve_watch_failed", path=root,
                                            error=exc), file=sys.stderr, flush=True)
                        said = True
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), RETRY_S)
        finally:
            WATCHERS -= 1


class Events:
    """``/api/events``: one page's stream, ``ready`` at once, then ``change`` with the
    files saved. An ASGI app rather than an endpoint, so that the page leaves the hub
    however its stream ends (finished, disconnected or cancelled)."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        from starlette.responses import StreamingResponse

        queue = self.hub.subscribe()

        async def stream() -> AsyncIterator[str]:
            yield "event: ready\ndata: {}\n\n"  # the watcher runs since the server started
            while (changed := await queue.get()) is not None:
                yield f"event: change\ndata: {json.dumps(changed)}\n\n"

        try:
            await StreamingResponse(stream(), media_type="text/event-stream",
                                    headers={"Cache-Control": "no-store"})(scope, receive, send)
        finally:
            self.hub.unsubscribe(queue)


class Guard:
    """Answers only requests addressed to this server by its own name and port (else
    400), and gives ``/api/`` only to its own page: a foreign ``Origin`` gets 403."""

    def __init__(self, app: ASGIApp, *, port: int, lang: str) -> None:
        self.app = app
        self.port = port
        self.lang = lang
        names = [f"{h}:{port}" for h in (HOST, "localhost")]
        if port == 80:  # a browser leaves the default port out
            names += [HOST, "localhost"]
        self.hosts = frozenset(n.encode() for n in names)
        self.origins = frozenset(f"http://{n}".encode() for n in names)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):  # lifespan
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        hosts = [v.strip().lower() for k, v in headers if k == b"host"]
        if len(hosts) != 1 or hosts[0] not in self.hosts:
            await self._refuse(scope, send, 400, "serve_bad_host")
            return
        path: str = scope["path"]
        if path == "/api" or path.startswith("/api/"):
            origins = [v.strip().lower() for k, v in headers if k == b"origin"]
            if any(o not in self.origins for o in origins):
                await self._refuse(scope, send, 403, "serve_bad_origin")
                return
        await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, send: Send, status: int, key: str) -> None:
        from bprkit.messages import catalog as messages

        if scope["type"] == "websocket":  # none is served; closed before the handshake
            await send({"type": "websocket.close", "code": 1008})
            return
        body = (messages.text(self.lang, key, port=self.port) + "\n").encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode()),
                                (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": body})


def app(site: Site, port: int) -> Starlette:
    """The application on ``HOST:port``; its hub is ``app.state.hub``."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.middleware import Middleware
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse
    from starlette.routing import Route

    page = resources.files("bprkit").joinpath("serve.html").read_text(encoding="utf-8")
    hub = Hub(site)

    async def index(request: Request) -> HTMLResponse:
        return HTMLResponse(page.replace("__LANG__", site.lang))

    async def listing(request: Request) -> JSONResponse:
        return JSONResponse({"files": await run_in_threadpool(files, site), "lang": site.lang})

    async def diagram(request: Request) -> JSONResponse:
        q = request.query_params
        lang = q.get("lang", site.lang)
        if lang not in ("ja", "en"):
            lang = site.lang
        result = await run_in_threadpool(drawing, site, q.get("file", ""),
                                         mode=q.get("mode", "asis"), heat=q.get("heat") == "1",
                                         lang=lang)
        return JSONResponse(result, status_code=404 if result.get("missing") else 200)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        watcher = asyncio.create_task(hub.watch(stop))
        await asyncio.sleep(0)  # awatch sets its watches up before its first pause
        try:
            yield
        finally:
            stop.set()
            hub.close()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(watcher, 5)

    application = Starlette(
        routes=[Route("/", index), Route("/api/files", listing),
                Route("/api/diagram", diagram), Route("/api/events", Events(hub), methods=["GET"])],
        middleware=[Middleware(Guard, port=port, lang=site.lang)], lifespan=lifespan)
    application.state.hub = hub
    return application


def server(site: Site, port: int) -> uvicorn.Server:
    """The uvicorn server of ``app``; on stopping it first ends the open event streams."""
    import uvicorn

    application = app(site, port)
    hub: Hub = application.state.hub

    class Server(uvicorn.Server):
        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            hub.close()
            await super().shutdown(sockets)

    config = uvicorn.Config(application, host=HOST, port=port, log_level="warning",
                            lifespan="on", timeout_graceful_shutdown=1)
    return Server(config)


def run(site: Site, port: int) -> None:
    """Serve until Ctrl-C (uvicorn stops cleanly on SIGINT and SIGTERM)."""
    server(site, port).run()
