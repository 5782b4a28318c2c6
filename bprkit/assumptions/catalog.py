"""Assumptions: working time, cost, resident travel, finding thresholds and the
automation levers, each number with its source.

``default.toml`` beside this file holds the defaults. ``load(path)`` lays a
user's file over them: any part may be overridden; an unknown key, a range with
low > high, a share outside 0–1 or a wrong type is a diagnostic naming the key
and its line.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from bprkit import tomlfile, vocabulary
from bprkit.errors import Diagnostic, SourceError
from bprkit.model import Span

SHARES = ("adoption", "exception_rate", "rework", "waiting_share")
LEVER_NUMBERS = ("minutes_factor", "wait_factor", "adoption", "exception_rate",
                 "one_off_yen", "annual_yen", "per_case_yen")
FACTORS = ("minutes_factor", "wait_factor", "staff_minutes_factor", "setup_minutes",
           "verify_factor", "verify_all_factor", "verify_sample_factor")
FACT_LISTS = ("requires", "requires_any", "excludes", "provides", "removes", "targets")
POSITIVE = ("hours_per_day", "working_days_per_year", "annual_hours_per_fte")
"""Divisors: working time cannot be zero."""


MAX_VALUE = 1e12
"""The largest number an assumptions file may hold (yen a year included)."""


@dataclass(frozen=True, slots=True)
class Param:
    """One number: a value, or a triangular range low/mode/high; and its source."""

    key: str
    low: float
    mode: float
    high: float
    source: str

    @property
    def expected(self) -> float:
        return (self.low + self.mode + self.high) / 3

    @property
    def is_range(self) -> bool:
        return self.low != self.high


@dataclass(frozen=True)
class Lever:
    """An automation lever from the catalog (estimation.md §5; the rules that use
    these fields are in bprkit/analysis/levers.py)."""

    name: str
    title_ja: str
    title_en: str
    requires: tuple[str, ...]
    """Facts that must all hold for the step (bprkit.vocabulary.LEVER_FACTS)."""
    requires_any: tuple[str, ...]
    excludes: tuple[str, ...]
    provides: tuple[str, ...]
    removes: tuple[str, ...]
    targets: tuple[str, ...]
    """The work the lever is aimed at: when a step has it but the rules refuse the
    lever, the estimate says why."""
    tags_removed: tuple[str, ...]
    tags_added: tuple[str, ...]
    removes_step: bool
    queue_wait_only: bool = False
    """The wait factor applies only to a queue, not to time the resident spends at home."""
    pinned_only: bool = False
    """The rules never choose the lever: it applies where a step pins it."""
    same_cases: bool = False
    """The cases it serves are the same at every step (the residents who apply online):
    on a step where an earlier step's lever already made a share electronic, those are
    the cases it meets again, so its shares are nested with them (max/min), where any
    other lever serves the cases still lacking what it provides (add/subtract)."""
    does: tuple[str, str] = ("", "")
    """What a resident's step it serves for most cases now does, in Japanese and English
    (``does_ja``, ``does_en``): the To-Be's label (redesign). ``{what}`` is the
    step's document. Empty where the lever changes how the work is done, not what; a
    staff step keeps its label (a lever changes part of what it does)."""

    def title(self, lang: str) -> str:
        return self.title_ja if lang == "ja" else self.title_en

    def label(self, lang: str) -> str:
        """What a resident's step it serves for most cases now does ('' when the lever
        leaves the work as named): the template, ``{what}`` unfilled."""
        return self.does[0] if lang == "ja" else self.does[1]


@dataclass(frozen=True)
class Assumptions:
    params: Mapping[str, Param]
    levers: Mapping[str, Lever]
    source: str = "default"
    """Where they come from: "default", or the user's file laid over the default."""
    lever_order: tuple[str, ...] = ()
    """The order in which levers meet a step (docs/estimate.md)."""

    def __getitem__(self, key: str) -> Param:
        return self.params[key]

    def value(self, key: str) -> float:
        return self.params[key].expected

    def lever_title(self, name: str, lang: str) -> str:
        """A lever's name in the reader's language (the catalog's title; the key itself
        for a lever the catalog does not know)."""
        lever = self.levers.get(name)
        return lever.title(lang) if lever else name

    def parameter_name(self, key: str, lang: str) -> str:
        """An assumption's key as an analyst reads it: levers.ai_ocr.minutes_factor →
        「AI-OCR: 時間の係数」 (the key itself when the catalogs have no name for it)."""
        from bprkit.messages import catalog as messages

        parts = key.split(".")
        name = messages.catalog(lang)["report"].get("param_" + parts[-1])
        if name is None:
            return key
        if len(parts) == 3 and parts[0] == "levers":
            return f"{self.lever_title(parts[1], lang)}: {name}"
        return str(name)

    def lever_param(self, lever: str, name: str) -> Param:
        return self.params[f"levers.{lever}.{name}"]

    @property
    def hours_per_day(self) -> float:
        return self.value("time.hours_per_day")


def _is_param(entry: object) -> bool:
    return isinstance(entry, Mapping) and ("value" in entry or "low" in entry)


def _params(table: Mapping[str, Any], prefix: str = "") -> dict[str, Param]:
    out: dict[str, Param] = {}
    for name, entry in table.items():
        key = f"{prefix}{name}"
        if _is_param(entry):
            if "value" in entry:
                low = mode = high = float(entry["value"])
            else:
                low, high = float(entry["low"]), float(entry["high"])
                mode = float(entry.get("mode", (low + high) / 2))
            out[key] = Param(key, low, mode, high, str(entry.get("source", "")))
        elif isinstance(entry, Mapping):
            out.update(_params(entry, f"{key}."))
    return out


def _levers(table: Mapping[str, Any]) -> dict[str, Lever]:
    out = {}
    for name, entry in table.get("levers", {}).items():
        facts = {key: tuple(entry.get(key, ())) for key in FACT_LISTS}
        out[name] = Lever(
            name, str(entry.get("title_ja", name)), str(entry.get("title_en", name)),
            facts["requires"], facts["requires_any"], facts["excludes"], facts["provides"],
            facts["removes"], facts["targets"],
            tuple(entry.get("tags_removed", ())), tuple(entry.get("tags_added", ())),
            bool(entry.get("removes_step", False)), bool(entry.get("queue_wait_only", False)),
            bool(entry.get("pinned_only", False)), bool(entry.get("same_cases", False)),
            (str(entry.get("does_ja", "")), str(entry.get("does_en", ""))))
    return out


def _build(table: Mapping[str, Any], source: str = "default") -> Assumptions:
    return Assumptions(_params(table), _levers(table), source,
                       tuple(table.get("lever_order", ())))


def _default_text() -> str:
    return resources.files(__package__).joinpath("default.toml").read_text(encoding="utf-8")


@cache
def _default_table() -> dict[str, Any]:
    """default.toml with fitted.toml laid over it: the ranges the published backtest
    cases identify have their one home in fitted.toml, written by ``make fit``
    (``bprkit backtest --fit -o``; docs/backtest.md, "The fit")."""
    fitted = resources.files(__package__).joinpath("fitted.toml").read_text(encoding="utf-8")
    table = _merge(tomllib.loads(_default_text()), tomllib.loads(fitted))
    for extra in _REGISTERED:
        table = _merge(table, tomllib.loads(extra))
    return table


_REGISTERED: list[str] = []
"""Lever tables registered at run time (:func:`register_levers`), laid over the catalog."""


def register_levers(text: str) -> None:
    """Add levers to the catalog at run time: TOML text of ``[levers.NAME]`` tables written
    as in default.toml (the extension point for a lever that does not ship; a shipped one
    is a table in default.toml). A tag it writes must be known (vocabulary.register_tag).
    Worker processes started afterwards by fork see it; docs/architecture.md."""
    added = tomllib.loads(text).get("levers", {})  # a syntax error is the caller's, now
    _REGISTERED.append(text)
    vocabulary.register_lever_names({name: tuple(entry.get("aliases", ()))
                                     for name, entry in added.items()})
    _default_table.cache_clear()
    default.cache_clear()


def unregister_levers() -> None:
    """Remove every lever :func:`register_levers` added."""
    _REGISTERED.clear()
    vocabulary.register_lever_names({})
    _default_table.cache_clear()
    default.cache_clear()


@cache
def default() -> Assumptions:
    return _build(_default_table())


# ── user files ──
_HEADER = re.compile(r"^\s*\[([^\]]+)\]")
_KEY = re.compile(r"^\s*([\w.-]+)\s*=")


def _line_of(text: str, key: str) -> int:
    """The line where a dotted key (or the table or inline table holding it) is set."""
    table = ""
    best = 1
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = header.group(1).strip()
            if key == table or key.startswith(table + "."):
                best = number
            continue
        found = _KEY.match(line)
        if found:
            full = f"{table}.{found.group(1)}" if table else found.group(1)
            if key == full or key.startswith(full + "."):
                return number
    return best


class _Checker:
    def __init__(self, path: str, text: str) -> None:
        self.path, self.text = path, text
        self.lines = text.splitlines()
        self.found: list[Diagnostic] = []

    def report(self, code: str, key: str, **args: object) -> None:
        line = _line_of(self.text, key)
        name = args.get("name")
        if name is not None:  # an entry of a list: the line that writes it
            lines = self.text.splitlines()
            line = next((n for n in range(line, len(lines) + 1)
                         if f'"{name}"' in lines[n - 1] or f"'{name}'" in lines[n - 1]), line)
        source = self.lines[line - 1] if 0 < line <= len(self.lines) else None
        self.found.append(Diagnostic.make(code, Span(self.path, line, 1, line, 1), source,
                                          key=key, **args))

    def table(self, user: Mapping[str, Any], default: Mapping[str, Any], prefix: str) -> None:
        for name, value in user.items():
            key = f"{prefix}{name}"
            if name not in default:
                known = [k for k in default if not k.startswith("_")]
                self.report("E060", key, suggestion=vocabulary.suggest(name, known),
                            known=", ".join(known))
            elif _is_param(default[name]):
                self.param(key, value)
            elif isinstance(default[name], Mapping):
                if not isinstance(value, Mapping):
                    self.report("E063", key, expected="table")
                else:
                    self.table(value, default[name], f"{key}.")
            elif isinstance(default[name], list):
                self.words(key, value)
            elif not isinstance(value, type(default[name])):
                self.report("E063", key, expected=type(default[name]).__name__)

    def param(self, key: str, value: object) -> None:
        """One parameter: ``{ value = … }`` or ``{ low, mode, high }``, finite numbers
        (no inf or nan, at most MAX_VALUE), low ≤ mode ≤ high, shares within 0..1,
        factors ≥ 0, each with a source."""
        if not isinstance(value, Mapping):
            self.report("E063", key, expected="{ value = … } or { low = …, high = … }")
            return
        for part, number in value.items():
            if part == "source":
                if not isinstance(number, str):
                    self.report("E063", f"{key}.source", expected="text")
            elif part not in ("value", "low", "mode", "high"):
                self.report("E060", f"{key}.{part}", suggestion=vocabulary.suggest(
                    part, ("value", "low", "mode", "high", "source")),
                    known="value, low, mode, high, source")
            elif isinstance(number, bool) or not isinstance(number, int | float):
                self.report("E063", f"{key}.{part}", expected="number")
                return
        if "value" not in value and not {"low", "high"} <= set(value):
            self.report("E063", key, expected="{ value = … } or { low = …, high = … }")
            return
        if not str(value.get("source", "")).strip():
            self.report("E070", key)
        numbers = [float(value[p]) for p in ("value", "low", "mode", "high") if p in value]
        if any(not math.isfinite(n) or abs(n) > MAX_VALUE for n in numbers):
            self.report("E068", key, limit=f"{MAX_VALUE:,.0f}")
            return
        if "low" in value and not (value["low"] <= value.get("mode", value["low"])
                                   <= value["high"] and value["low"] <= value["high"]):
            self.report("E061", key, low=value["low"], high=value["high"])
        if key.rsplit(".", 1)[-1] in SHARES and any(not 0 <= n <= 1 for n in numbers):
            self.report("E062", key)
        if key.rsplit(".", 1)[-1] in FACTORS and any(n < 0 for n in numbers):
            self.report("E066", key)
        elif key.rsplit(".", 1)[-1] in POSITIVE and any(n <= 0 for n in numbers):
            self.report("E069", key, rule="more than 0", rule_ja="0 より大きい数")
        elif any(n < 0 for n in numbers):
            self.report("E069", key, rule="0 or more", rule_ja="0 以上の数")

    def words(self, key: str, value: object) -> None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.report("E063", key, expected="a list of words")
            return
        if key == "lever_order" or key.rsplit(".", 1)[-1] in FACT_LISTS or key.endswith(
                ".aliases"):
            return  # checked on the merged catalog (catalog())
        table = vocabulary.ROLES if key.endswith("kinds") else vocabulary.TAGS
        for word in value:
            if vocabulary.lookup(table, word) is None:
                self.report("E060", key, suggestion=vocabulary.suggest(
                    word, vocabulary.spellings(table)), known=word)


    def catalog(self, merged: Mapping[str, Any]) -> None:
        """The lever order names known levers; every fact a lever requires is one the
        rules derive from a step or one another lever provides."""
        levers = merged.get("levers", {})
        known = list(levers)
        for name in merged.get("lever_order", ()):
            if name not in levers:
                self.report("E067", "lever_order", name=name,
                            suggestion=vocabulary.suggest(name, known), known=", ".join(known))
        provided = {f for entry in levers.values() for f in entry.get("provides", ())}
        facts = set(vocabulary.LEVER_FACTS) | provided
        for lever, entry in levers.items():
            for part in ("requires", "requires_any", "excludes", "targets"):
                for fact in entry.get(part, ()):
                    if fact not in facts:
                        self.report("E065", f"levers.{lever}.{part}", fact=fact,
                                    suggestion=vocabulary.suggest(fact, sorted(facts)),
                                    known=", ".join(sorted(facts)))


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping) \
                and not _is_param(value):
            out[key] = _merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


def load(path: str | None = None) -> Assumptions:
    """The defaults, with the user's file laid over them. Raises SourceError with
    diagnostics (E060–E064) naming the key and its line."""
    if path is None:
        return default()
    try:
        text, user = tomlfile.read(path)
    except OSError as exc:
        raise SourceError([Diagnostic.make("E005", Span(path, 1, 1, 1, 1),
                                           reason=exc.strerror or str(exc))]) from None
    except UnicodeDecodeError:
        raise SourceError([Diagnostic.make("E004", Span(path, 1, 1, 1, 1),
                                           reason="not UTF-8")]) from None
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        line, column = (int(where.group(1)), int(where.group(2))) if where else (1, 1)
        with open(path, encoding="utf-8-sig", errors="replace") as fh:  # for the line shown
            lines = fh.read().splitlines()
        source = lines[line - 1] if 0 < line <= len(lines) else None
        raise SourceError([Diagnostic.make("E064", Span(path, line, column, line, column),
                                           source, reason=str(exc).split(" (at")[0])]) \
            from None
    checker = _Checker(path, text)
    checker.table(user, _default_table(), "")
    if checker.found:
        raise SourceError(checker.found)
    merged = _merge(_default_table(), user)
    checker.catalog(merged)
    if checker.found:
        raise SourceError(checker.found)
    return _build(merged, path)
