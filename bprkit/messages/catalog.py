"""Japanese and English texts: diagnostics, CLI lines (and later findings, legends).

The texts live in ``ja.toml`` and ``en.toml`` beside this file, so they can be
edited without touching code. Catalogs are read once, on first use, through the user's
cache (:func:`bprkit.messages.cache.toml`: what TOML gives, used while the file still
holds the text it was read from).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from bprkit.messages import cache as user_cache

LANGUAGES = ("ja", "en")


@cache
def catalog(lang: str) -> dict[str, Any]:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    return user_cache.toml(f"messages-{lang}.cache",
                           user_cache.package_text(__package__, f"{lang}.toml"))


def add(table: str, key: str, texts: Mapping[str, str]) -> None:
    """Add a text in every language (``texts``: ja and en) to a table of the catalogs, at run
    time: the words of a tag or lever registered by an extension. A shipped text is a line
    in ja.toml and en.toml."""
    if set(texts) != set(LANGUAGES):
        raise ValueError(f"a text in each of {', '.join(LANGUAGES)}")
    for lang in LANGUAGES:
        catalog(lang)[table][key] = texts[lang]


def remove(table: str, key: str) -> None:
    """Remove a text :func:`add` added."""
    for lang in LANGUAGES:
        catalog(lang)[table].pop(key, None)


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, args: Mapping[str, object]) -> str:
    return template.format_map(_Blank({k: str(v) for k, v in args.items()}))


def text(lang: str, key: str, **args: object) -> str:
    """A CLI text from the ``[text]`` table."""
    return _fill(catalog(lang)["text"][key], args)


def separator(lang: str) -> str:
    """The separator of a list in running text: 「紙、押印」, "paper, seal" (the catalog's
    ``list_separator``: its one home)."""
    return catalog(lang)["text"]["list_separator"]


def join(lang: str, items: Iterable[object]) -> str:
    """Items as a list in running text, with :func:`separator`."""
    return separator(lang).join(str(i) for i in items)


def chain(lang: str, items: Iterable[object]) -> str:
    """Levers applied one after another: 「AI-OCR＋RPA」, "AI-OCR + RPA"."""
    return catalog(lang)["text"]["chain_separator"].join(str(i) for i in items)


def report(lang: str, key: str, **args: object) -> str:
    """A text of the HTML report (the ``[report]`` table)."""
    return _fill(catalog(lang)["report"][key], args)


def backtest(lang: str, key: str, /, **args: object) -> str:
    """A text of ``bprkit backtest`` (the ``[backtest]`` table)."""
    return _fill(catalog(lang)["backtest"][key], args)


def diagnostic(lang: str, code: str, part: str, args: Mapping[str, str]) -> str:
    """The ``message`` or ``hint`` of a diagnostic code (``hint_<variant>`` when the
    arguments carry a ``variant`` the code words otherwise); a hint ends with a
    did-you-mean when the arguments carry a ``suggestion``."""
    texts = catalog(lang)[code]
    variant = f"{part}_{args.get('variant')}"  # a second wording of the same code
    out = _fill(texts[variant] if variant in texts else texts[part], args)
    if part == "hint" and args.get("suggestion"):
        out = f"{text(lang, 'did_you_mean', suggestion=args['suggestion'])} {out}"
    return out


def finding(lang: str, rule: str, args: Mapping[str, object], part: str = "message") -> str:
    """The ``title`` or ``message`` of a finding rule; an argument that is a list or
    tuple (the documents a step stores) is joined as a list in ``lang``."""
    said = {k: join(lang, v) if isinstance(v, list | tuple) else v for k, v in args.items()}
    return _fill(catalog(lang)["finding"][rule][part], said)


def column(lang: str, key: str) -> str:
    """A CSV column header, or a word written in a CSV cell (``[csv]``): Japanese
    under ``ja``, the machine key itself under ``en``."""
    return catalog(lang)["csv"][key]


def fact(lang: str, name: str) -> str:
    """What a lever fact means (``[fact]``), or the name itself for a fact a user's
    assumptions file invented."""
    return catalog(lang)["fact"].get(name, name)


def codes() -> list[str]:
    """The diagnostic codes (E…, W…)."""
    return sorted(k for k in catalog("en") if k[0] in "EW" and k[1:].isdigit())


def locale_decides(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the locale alone says the language (Japanese or English)."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = (env.get(var) or "").lower()
        if value:
            return value.startswith(("ja", "en"))
    return False


def default_language(environ: Mapping[str, str] | None = None,
                     texts: Iterable[str] = ()) -> str:
    """The language of output without ``--lang``: the locale's (LC_ALL,
    LC_MESSAGES, LANG, the first one set) when it is Japanese or English; with any
    other locale (C, POSIX, unset …) the language of ``texts``, the input's labels:
    ``ja`` when they hold Japanese, else ``en``."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = (env.get(var) or "").lower()
        if value:
            if value.startswith(("ja", "en")):
                return value[:2]
            break
    return "ja" if any(re.search(_JAPANESE, t) for t in texts) else "en"


_JAPANESE = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]"
"""Kana and kanji (compiled on first use: compiling it cost every start-up 1 ms)."""
