"""Render backends: the registry a drawing's formats come from.

A backend is a module with ``FORMATS``, ``graph(page)`` and ``run(graph, fmt)``
(:class:`Backend`). Graphviz (:mod:`bprkit.render.dot`) writes svg, png, pdf and dot;
:mod:`bprkit.render.mermaid` writes mmd. A new backend is one module plus one
``register`` call (or one line in ``_BUILTIN``); ``bprkit render --format`` and the
extension check take their choices from here. Backends are imported when first used,
so ``bprkit check`` never loads Graphviz.
"""

from __future__ import annotations

from importlib import import_module
from typing import Protocol, cast


class Backend(Protocol):
    """What the drawing needs of a backend."""

    FORMATS: tuple[str, ...]

    def graph(self, page: object) -> object:
        """The backend's own description of one page (a DOT graph, Mermaid text…)."""
        ...

    def run(self, graph: object, fmt: str) -> bytes:
        """The page in ``fmt``."""
        ...


_BUILTIN = {"svg": "bprkit.render.dot", "png": "bprkit.render.dot",
            "pdf": "bprkit.render.dot", "dot": "bprkit.render.dot",
            "mmd": "bprkit.render.mermaid"}

BACKENDS: dict[str, str] = dict(_BUILTIN)
"""Format → the module that writes it (imported on first use)."""


def register(module: str, formats: tuple[str, ...] | None = None) -> None:
    """Make a backend module's formats available to ``render`` and ``bprkit render``.
    Without ``formats`` the module is imported now and its ``FORMATS`` taken."""
    if formats is None:
        formats = tuple(import_module(module).FORMATS)
    for fmt in formats:
        BACKENDS[fmt] = module


def unregister(formats: tuple[str, ...]) -> None:
    """Remove formats again (a built-in format returns to its built-in backend)."""
    for fmt in formats:
        if fmt in _BUILTIN:
            BACKENDS[fmt] = _BUILTIN[fmt]
        else:
            BACKENDS.pop(fmt, None)


def formats() -> tuple[str, ...]:
    """Every format a drawing can be written in."""
    return tuple(BACKENDS)


def backend(fmt: str) -> Backend:
    """The backend that writes ``fmt`` (KeyError for an unknown format)."""
    return cast(Backend, import_module(BACKENDS[fmt]))
