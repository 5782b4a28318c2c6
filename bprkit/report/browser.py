"""The one place that runs the headless browser: the report printed to PDF.

Debian's ``chromium`` (installed by ``make setup``), or the program named by
``BPRKIT_CHROMIUM``. The page is printed from a private temporary folder with a
new empty profile and the browser's background networking off; the page size is
the report's CSS ``@page`` (A4 or A3 landscape).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

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
    """The PDF of a self-contained HTML page. The browser runs in its own process
    group with its TMPDIR inside the private folder, so an interrupt (Ctrl-C, SIGTERM)
    stops all of it at once and nothing it made is left behind."""
    program = executable()
    with tempfile.TemporaryDirectory(prefix="bprkit-pdf-", dir=_base(),
                                     ignore_cleanup_errors=True) as folder:
        page = os.path.join(folder, "report.html")
        out = os.path.join(folder, "report.pdf")
        scratch = os.path.join(folder, "tmp")
        os.mkdir(scratch)
        with open(page, "wb") as fh:
            fh.write(html)
        command = [program, *FLAGS, f"--user-data-dir={os.path.join(folder, 'profile')}",
                   f"--print-to-pdf={out}", Path(page).as_uri()]
        env = {**os.environ, "TMPDIR": scratch, "TMP": scratch, "TEMP": scratch}
        try:
            browser = subprocess.Popen(command, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, env=env,
                                       start_new_session=True)
        except OSError as exc:
            raise RenderError(f"the browser could not start: {exc}") from exc
        try:
            _, err = browser.communicate(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired as exc:
            _stop(browser)
            raise RenderError(f"the browser did not finish printing in {TIMEOUT_SECONDS} s"
                              ) from exc
        except BaseException:
            _stop(browser)
            raise
        if not os.path.exists(out) or os.path.getsize(out) == 0:
            lines = err.decode("utf-8", "replace").strip().splitlines()
            raise RenderError("the browser did not print the report"
                              + (f": {lines[-1]}" if lines else ""))
        with open(out, "rb") as fh:
            return fh.read()


SOCKET_ROOM = 40
"""The longest temporary folder the browser is started in: it makes a Unix socket in
its profile folder, and a socket's path holds at most 107 bytes."""


def _base() -> str | None:
    """Where the private folder goes: the user's TMPDIR, or /tmp when that path is too
    long for the browser's socket."""
    base = tempfile.gettempdir()
    if len(base.encode()) > SOCKET_ROOM and os.access("/tmp", os.W_OK):
        return "/tmp"
    return None


def _stop(browser: subprocess.Popen) -> None:
    """Kill the browser's whole process group (its renderer and GPU helpers too)."""
    with contextlib.suppress(OSError):  # already gone
        os.killpg(browser.pid, signal.SIGKILL)
    browser.wait()
