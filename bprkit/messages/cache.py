"""The user's cache folder for what bprkit derives from its own data files: the
catalogs read from TOML (:mod:`bprkit.messages.catalog`, the lever names of
:mod:`bprkit.vocabulary`) and lark's analysed grammar (:mod:`bprkit.text.parser`), so
a start-up reads them instead of working them out again.

The folder is this user's own (``$XDG_CACHE_HOME/bprkit``, else ``~/.cache/bprkit``,
mode 0700), never a shared temporary folder where another user could plant a file,
and never a folder of the user's inputs. When no such folder can be had (no home, a
read-only one, one owned by someone else), nothing is cached: every caller works
without it.
"""

from __future__ import annotations

import contextlib
import os
from functools import cache
from typing import Any


@cache
def folder() -> str | None:
    """The cache folder, made when missing; None when it cannot be had or is not private."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = os.path.join(base, "bprkit")
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return path


def read(name: str) -> bytes | None:
    """A cache file's bytes; None when there is no cache folder or no such file."""
    where = folder()
    if where is None:
        return None
    try:
        with open(os.path.join(where, name), "rb") as fh:
            return fh.read()
    except OSError:
        return None


def write(name: str, data: bytes) -> None:
    """Write a cache file atomically (a reader sees the old file or the new one, never
    half of one); nothing happens when it cannot be written."""
    where = folder()
    if where is None:
        return
    path = os.path.join(where, name)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        with open(temporary, "xb") as fh:
            fh.write(data)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def toml(name: str, text: str) -> dict[str, Any]:
    """The TOML ``text`` parsed: from the cache file ``name`` when that was written from
    this very text (the text is kept in the file and compared), else parsed and the cache
    file written. The cache holds plain data (marshal: strings, numbers, lists and
    tables; loading it runs no code). Parsing bprkit's catalogs costs a start-up
    5–10 ms, reading them from here a fraction of one."""
    import marshal

    cached = read(name)
    if cached is not None:
        try:
            kept, parsed = marshal.loads(cached)
        except (EOFError, ValueError, TypeError):
            pass
        else:
            if kept == text and isinstance(parsed, dict):
                return parsed
    import tomllib

    parsed = tomllib.loads(text)
    try:
        data = marshal.dumps((text, parsed))
    except ValueError:  # a value marshal cannot hold (a TOML date): no cache
        return parsed
    write(name, data)
    return parsed


def package_text(package: str, name: str) -> str:
    """A data file of a bprkit package (``bprkit.grammar``, ``bpr.lark``), read from the
    package's folder; through importlib.resources (which costs a start-up 3 ms) only
    when the package is not in a folder, as in a zip."""
    from importlib.util import find_spec

    spec = find_spec(package)
    for folder in (spec.submodule_search_locations or ()) if spec else ():
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as fh:
                return fh.read()
    from importlib import resources

    return resources.files(package).joinpath(name).read_text(encoding="utf-8")
