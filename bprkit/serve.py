"""``bprkit serve``: a live preview for workshops, on 127.0.0.1 only.

A page lists the ``.bpr`` files of a folder (or the one file given) and draws the
chosen one; when a file under the folder is saved it is drawn again within a second
(watchfiles tells the server, server-sent events tell the page). A file with
errors shows its diagnostics in place of the picture, and the last good picture
stays, greyed. Switches: the As-Is alone or As-Is above its automatic To-Be, heat,
and the language.

Starlette (the ASGI toolkit) and uvicorn (its server) serve four routes and nothing
else: no file is ever served from disk, so no path can reach outside the folder; the
one parameter that names a file must be one of the listed ``.bpr`` files. The page
has its script and styles inline and loads nothing from the network.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib import resources

HOST = "127.0.0.1"
DEBOUNCE_MS = 150


@dataclass(frozen=True)
class Site:
    root: str
    """The folder served (the file's own folder when one file is given)."""
    only: str | None
    """The one file given, relative to root, or None for every .bpr of the folder."""
    lang: str


def files(site: Site) -> list[str]:
    """The .bpr files served, relative to the root, sorted."""
    from bprkit.loader import find_files

    if site.only is not None:
        return [site.only]
    found = find_files([site.root])
    return sorted(os.path.relpath(f, site.root).replace(os.sep, "/") for f in found)


def resolve(site: Site, name: str) -> str | None:
    """The path of a listed file, or None: anything else (``../``, absolute, encoded,
    a symlink out of the folder, a file not listed) is refused."""
    if name not in files(site):
        return None
    path = os.path.realpath(os.path.join(site.root, name))
    root = os.path.realpath(site.root)
    return path if path.startswith(root + os.sep) and os.path.isfile(path) else None


def drawing(site: Site, name: str, *, mode: str, heat: bool, lang: str) -> dict[str, object]:
    """The picture of a file as SVG, or its diagnostics."""
    import bprkit
    from bprkit.errors import BprError
    from bprkit.loader import check_files

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


def app(site: Site) -> object:
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse, StreamingResponse
    from starlette.routing import Route

    page = resources.files("bprkit").joinpath("serve.html").read_text(encoding="utf-8")

    async def index(request: Request) -> HTMLResponse:
        return HTMLResponse(page.replace("__LANG__", site.lang))

    async def listing(request: Request) -> JSONResponse:
        return JSONResponse({"files": files(site), "lang": site.lang})

    async def diagram(request: Request) -> JSONResponse:
        q = request.query_params
        lang = q.get("lang", site.lang)
        if lang not in ("ja", "en"):
            lang = site.lang
        result = await run_in_threadpool(drawing, site, q.get("file", ""),
                                         mode=q.get("mode", "asis"), heat=q.get("heat") == "1",
                                         lang=lang)
        return JSONResponse(result, status_code=404 if result.get("missing") else 200)

    async def events(request: Request) -> StreamingResponse:
        async def stream() -> AsyncIterator[str]:
            from watchfiles import awatch

            yield "event: ready\ndata: {}\n\n"
            stop = asyncio.Event()
            async for changes in awatch(site.root, debounce=DEBOUNCE_MS, step=50,
                                        stop_event=stop, recursive=True):
                if await request.is_disconnected():
                    stop.set()
                    break
                changed = sorted({os.path.relpath(p, site.root).replace(os.sep, "/")
                                  for _, p in changes if p.endswith(".bpr")})
                if changed:
                    yield f"event: change\ndata: {json.dumps(changed)}\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})

    return Starlette(routes=[Route("/", index), Route("/api/files", listing),
                             Route("/api/diagram", diagram), Route("/api/events", events)])


def run(site: Site, port: int) -> None:
    """Serve until Ctrl-C (uvicorn stops cleanly on SIGINT and SIGTERM)."""
    import uvicorn

    config = uvicorn.Config(app(site), host=HOST, port=port, log_level="warning",
                            lifespan="off", timeout_graceful_shutdown=1)
    uvicorn.Server(config).run()
