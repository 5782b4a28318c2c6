"""A real headless browser for the tests: Debian's chromium (installed by ``make
setup``) driven by Playwright for Python. Playwright's own browser download cannot
work here, so it is pointed at the system browser; background networking is off
and every request that is not the page's own file is recorded and refused."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-extensions",
         "--disable-default-apps", "--mute-audio"]


JS = Path(__file__).resolve().parent / "js"


def chromium() -> str:
    """The system browser; the tests fail (not skip) without it: make setup installs it."""
    path = os.environ.get("BPRKIT_CHROMIUM") or shutil.which("chromium") or \
        shutil.which("chromium-browser")
    assert path, "chromium is missing: run `make setup` (apt-get install chromium)"
    return path


@dataclass
class Visit:
    """What a page did: console errors, script errors, requests that left it."""

    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@contextmanager
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=FLAGS)
        try:
            yield b
        finally:
            b.close()


@contextmanager
def page(b: object, *, offline: bool = True, viewport: tuple[int, int] = (1280, 900)
         ) -> Iterator[tuple[object, Visit]]:
    """A page with the network off, recording what it tries (``local`` URLs pass).
    With ``offline=False`` (a page served on 127.0.0.1) requests are only recorded:
    intercepting them would hold back a streamed response (server-sent events)."""
    context = b.new_context(offline=offline,  # type: ignore[attr-defined]
                            viewport={"width": viewport[0], "height": viewport[1]})
    visit = Visit()
    p = context.new_page()
    p.on("console", lambda m: visit.errors.append(m.text) if m.type == "error" else None)
    p.on("pageerror", lambda e: visit.errors.append(str(e)))
    p.on("dialog", lambda d: (visit.dialogs.append(d.message), d.dismiss()))

    def route(r: object) -> None:
        url = r.request.url  # type: ignore[attr-defined]
        if url.startswith(("file:", "data:", "about:", "http://127.0.0.1")):
            r.continue_()  # type: ignore[attr-defined]
        else:
            visit.outside.append(url)
            r.abort()  # type: ignore[attr-defined]

    if offline:
        context.route("**/*", route)
    else:
        context.on("request", lambda r: None if r.url.startswith(
            ("http://127.0.0.1", "data:", "about:")) else visit.outside.append(r.url))
    try:
        yield p, visit
    finally:
        context.close()


def not_blank(png: bytes, *, share: float = 0.02) -> bool:
    """Whether a screenshot has ink on more than ``share`` of its pixels and more than
    two colours (a white or one-colour page is blank)."""
    import io

    from PIL import Image

    histogram = Image.open(io.BytesIO(png)).convert("L").histogram()
    inked = sum(histogram[:200])
    return inked > share * sum(histogram) and sum(1 for n in histogram if n) > 2


def mermaid_svgs(sources: Sequence[Path], folder: Path, timeout: float = 300) -> dict[Path, str]:
    """Each Mermaid file drawn as SVG (``NAME.svg`` beside it) by mermaid-cli with the
    system chromium, all in one browser (``tests/js/mermaid_render.mjs``; ``mmdc``
    starts one per file): file → "" when drawn, else mermaid-cli's error."""
    config = folder / "puppeteer.json"
    config.write_text(json.dumps({"executablePath": chromium(), "args": FLAGS}),
                      encoding="utf-8")
    pairs = [str(p) for mmd in sources for p in (mmd, mmd.with_suffix(".svg"))]
    done = subprocess.run(["node", str(JS / "mermaid_render.mjs"), str(config), *pairs],
                          capture_output=True, text=True, timeout=timeout, cwd=JS)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    out = {}
    for mmd in sources:
        result = results.get(str(mmd), {"error": "not rendered"})
        out[mmd] = "" if result.get("ok") else result.get("error", "?")
    return out
