"""Assumptions: working time, cost, resident travel and finding thresholds.

``default.toml`` beside this file holds every number with its source; the
analysis reads them from here and from nowhere else.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources


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


@dataclass(frozen=True)
class Assumptions:
    params: Mapping[str, Param]

    def __getitem__(self, key: str) -> Param:
        return self.params[key]

    def value(self, key: str) -> float:
        return self.params[key].expected

    @property
    def hours_per_day(self) -> float:
        return self.value("time.hours_per_day")


def _params(table: Mapping[str, object], prefix: str = "") -> dict[str, Param]:
    out: dict[str, Param] = {}
    for name, entry in table.items():
        key = f"{prefix}{name}"
        if not isinstance(entry, Mapping):
            continue
        if "value" in entry or "low" in entry:
            if "value" in entry:
                low = mode = high = float(entry["value"])
            else:
                low, high = float(entry["low"]), float(entry["high"])
                mode = float(entry.get("mode", (low + high) / 2))
            out[key] = Param(key, low, mode, high, str(entry.get("source", "")))
        else:
            out.update(_params(entry, f"{key}."))
    return out


@cache
def default() -> Assumptions:
    text = resources.files(__package__).joinpath("default.toml").read_text(encoding="utf-8")
    return Assumptions(_params(tomllib.loads(text)))
