"""The one reader of the TOML files a user names (issue 22): ``--assumptions`` and
``--roadmap``. A regular file only (a FIFO or a device would block), UTF-8 with or
without the byte-order mark Notepad writes. Each caller turns the exceptions into its
own message (the assumptions' diagnostics, the roadmap's errors)."""

from __future__ import annotations

import os
import stat
import tomllib
from typing import Any

from bprkit.text.source import MAX_BYTES  # a settings file is held to a .bpr file's limit


def read(path: str) -> tuple[str, dict[str, Any]]:
    """The file's text and its table. Raises OSError (not a regular file, unreadable,
    too large), UnicodeDecodeError or tomllib.TOMLDecodeError."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise OSError(0, "not a regular file")
    with open(path, "rb") as fh:
        raw = fh.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise OSError(0, f"larger than {MAX_BYTES // (1024 * 1024)} MiB")
    text = raw.decode("utf-8-sig")
    return text, tomllib.loads(text)
