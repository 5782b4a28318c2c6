"""The one place that runs the headless browser: the report printed to PDF.

Debian's ``chromium`` (installed by ``make setup``), or the program named by
``BPRKIT_CHROMIUM``. The page is printed from a private temporary folder with a
new empty profile and the browser's background networking off; the page size is
the report's CSS ``@page`` (A4 or A3 landscape).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from bprkit.errors import RenderError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_SECONDS = 300
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps", "--mute-audio",
         "--no-pdf-header-footer")


def executable() -> str:
    """The browser to print with; RenderError saying how to install one."""
    named = os.environ.get("BPRKIT_CHROMIUM")
    found = shutil.which(named) if named else next(
        (p for p in map(shutil.which, CANDIDATES) if p), None)
    if not found:
        raise RenderError("no headless browser for --pdf: run `make setup` (or apt-get "
                          "install chromium), or name one in BPRKIT_CHROMIUM")
    return found


def print_pdf(html: bytes) -> bytes:
    """The PDF of a self-contained HTML page."""
    program = executable()
    with tempfile.TemporaryDirectory(prefix="bprkit-pdf-") as folder:
        page = os.path.join(folder, "report.html")
        out = os.path.join(folder, "report.pdf")
        with open(page, "wb") as fh:
            fh.write(html)
        command = [program, *FLAGS, f"--user-data-dir={os.path.join(folder, 'profile')}",
                   f"--print-to-pdf={out}", "file://" + page]
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS,
                                  check=False)
        except subprocess.TimeoutExpired as exc:
            raise RenderError(f"the browser did not finish printing in {TIMEOUT_SECONDS} s"
                              ) from exc
        except OSError as exc:
            raise RenderError(f"the browser could not start: {exc}") from exc
        if not os.path.exists(out) or os.path.getsize(out) == 0:
            lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise RenderError("the browser did not print the report"
                              + (f": {lines[-1]}" if lines else ""))
        with open(out, "rb") as fh:
            return fh.read()
