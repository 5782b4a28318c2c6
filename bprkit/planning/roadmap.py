"""The roadmap (工程表): which procedures get which levers in which fiscal year.

An analyst writes a small TOML file:

    start = 2027                 # the first fiscal year planned
    capacity = 4                 # procedures the team can redesign a year
    [capacity_by_year]           # optional: another capacity for some years
    2028 = 6
    [available]                  # the fiscal year each lever becomes available
    e_approval = 2027
    ai_ocr = 2028
    rpa = 2028

The rule (docs/portfolio.md, "Roadmap"): year by year from ``start``, each procedure
is worth the staff hours its estimate attributes to the levers available that year
that it has not had yet (a lever absent from ``[available]`` never is). The ones
worth most, up to the year's capacity, are redesigned that year with those levers;
a procedure comes back in a later year when more of its levers arrive. The plan
runs until nothing is left to place and no lever is still to come, at most 30
years. Cumulative hours saved add each year's redesigns.
"""

from __future__ import annotations

import datetime
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bprkit import vocabulary
from bprkit.errors import UsageError
from bprkit.planning.inventory import Portfolio, Row

MAX_YEARS = 30


class RoadmapError(UsageError):
    """A roadmap file that cannot be used: the message names the file, line and key.
    ``key`` names the text in the message catalogs (``roadmap_<key>``)."""

    def __init__(self, where: str, text_key: str, /, **args: object) -> None:
        self.where, self.key, self.args_ = where, text_key, args
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        from bprkit.messages import catalog as messages

        return f"{self.where}: " + messages.text(lang, f"roadmap_{self.key}", **self.args_)


@dataclass(frozen=True)
class Investment:
    """A lever bought once for the municipality (an e-approval system, AI-OCR
    licences), shared by the procedures that use it."""

    one_off_yen: float
    annual_yen: float
    source: str


@dataclass(frozen=True)
class Roadmap:
    start: int
    capacity: int
    capacity_by_year: dict[int, int]
    available: dict[str, int]
    investments: dict[str, Investment] = field(default_factory=dict)
    portfolio: tuple[str, ...] = ()
    """The procedures the investments are shared by (``portfolio = ["."]``, relative
    to the file; default: the file's folder): where ``bprkit estimate --roadmap``
    finds the others."""
    path: str = ""
    """The roadmap file (for messages)."""


@dataclass(frozen=True)
class Shared:
    """A shared investment across the portfolio: who uses it and when it pays back."""

    lever: str
    investment: Investment
    procedures: int
    hours_saved: float
    yen_saved: float
    payback_years: float | None
    """None when the yearly cost is not below the yearly saving."""
    shares: dict[tuple[str, str], float]
    """(file, process) → the share of the cost it carries (by its hours for the lever)."""


@dataclass
class Year:
    year: int
    procedures: list[tuple[Row, tuple[str, ...], float]] = field(default_factory=list)
    """(procedure, levers used, staff hours a year saved)."""
    saved: float = 0.0
    cumulative: float = 0.0


def _line(text: str, key: str) -> int:
    m = re.search(rf"^\s*{re.escape(key)}\s*=", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def load(path: str, *, today: datetime.date | None = None) -> Roadmap:
    """Read and check a roadmap file; levers by catalog key or alias (電子決裁)."""
    known_levers = {k: v for k, v in vocabulary.levers().items() if v != vocabulary.NO_LEVER}
    text, data = _read(path)
    this_year = (today or datetime.date.today()).year
    source = _Source(path, text)
    _check_keys(source, data)
    portfolio = _portfolio(source, data.get("portfolio", ["."]))
    start, capacity = _start_and_capacity(source, data, this_year)
    by_year = _capacity_by_year(source, data.get("capacity_by_year") or {})
    available = _available(source, data.get("available") or {}, known_levers, this_year)
    investments = _investments(source, data.get("investments") or {}, known_levers)
    return Roadmap(start, capacity, by_year, available, investments, portfolio, path)


@dataclass(frozen=True)
class _Source:
    """A roadmap file's path and text, to name the line of a key in a message."""

    path: str
    text: str

    def at(self, key: str) -> str:
        return f"{self.path}:{_line(self.text, key)}"

    def at_section(self, name: str) -> str:
        return f"{self.path}:{_section(self.text, name)}"


def _read(path: str) -> tuple[str, dict[str, Any]]:
    from bprkit import tomlfile

    try:
        return tomlfile.read(path)  # BOM or not, as the assumptions
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RoadmapError(path, "not_toml", detail=exc) from exc


def _check_keys(source: _Source, data: dict[str, Any]) -> None:
    unknown = set(data) - {"start", "capacity", "capacity_by_year", "available", "investments",
                           "portfolio"}
    if unknown:
        first = sorted(unknown)[0]
        raise RoadmapError(source.at(first), "unknown_key", name=first)


def _portfolio(source: _Source, folders: object) -> tuple[str, ...]:
    """The folders of ``portfolio = [...]``, relative to the roadmap file."""
    if not isinstance(folders, list) or not all(isinstance(f, str) for f in folders) or \
            not folders:
        raise RoadmapError(source.at("portfolio"), "portfolio_list")
    here = os.path.dirname(os.path.abspath(source.path))
    portfolio = tuple(os.path.normpath(os.path.join(here, f)) for f in folders)
    missing = [f for f, full in zip(folders, portfolio, strict=True) if not os.path.exists(full)]
    if missing:
        raise RoadmapError(source.at("portfolio"), "portfolio_missing", name=missing[0],
                           folder=here)
    return portfolio


def _start_and_capacity(source: _Source, data: dict[str, Any], this_year: int) -> tuple[int, int]:
    start = data.get("start", this_year)
    capacity = data.get("capacity")
    if not isinstance(start, int) or start < this_year - 1:
        raise RoadmapError(source.at("start"), "start", first=this_year - 1, value=start)
    if not isinstance(capacity, int) or capacity < 1:
        raise RoadmapError(source.at("capacity"), "capacity")
    return start, capacity


def _capacity_by_year(source: _Source, table: dict) -> dict[int, int]:
    by_year = {}
    for key, value in table.items():
        if not str(key).isdigit() or not isinstance(value, int) or value < 0:
            raise RoadmapError(source.at(str(key)), "capacity_by_year")
        by_year[int(key)] = value
    return by_year


def _available(source: _Source, table: dict, known_levers: Mapping[str, str],
               this_year: int) -> dict[str, int]:
    """``[available]``: each lever's first fiscal year, by catalog key."""
    available = {}
    for name, year in table.items():
        found = _lever(known_levers, name, source.at(name), "unknown_lever")
        if not isinstance(year, int) or year < this_year - 1 or year > this_year + MAX_YEARS:
            raise RoadmapError(source.at(name), "lever_year", name=name, first=this_year - 1,
                               last=this_year + MAX_YEARS, value=year)
        available[found] = year
    return available


def _investments(source: _Source, table: dict,
                 known_levers: Mapping[str, str]) -> dict[str, Investment]:
    """``[investments.NAME]``: each shared investment, by catalog key."""
    investments = {}
    for name, entry in table.items():
        key = _lever(known_levers, name, source.at_section(name), "investment_lever")
        investments[key] = _investment(source, name, entry)
    return investments


def _lever(known_levers: Mapping[str, str], name: str, where: str, message: str) -> str:
    """The catalog key a roadmap names (a key or an alias); else ``message`` at ``where``,
    with the levers there are."""
    found = vocabulary.lookup(known_levers, name)
    if found is None:
        raise RoadmapError(where, message, name=name, known=_known(known_levers))
    return found


def _investment(source: _Source, name: str, entry: object) -> Investment:
    """One ``[investments.NAME]`` table: its yen and its source."""
    where = source.at_section(name)
    if not isinstance(entry, dict) or set(entry) - {"one_off_yen", "annual_yen", "source"}:
        raise RoadmapError(where, "investment_keys")
    numbers = [entry.get("one_off_yen", 0), entry.get("annual_yen", 0)]
    if any(isinstance(n, bool) or not isinstance(n, int | float) or not 0 <= n <= 1e12
           for n in numbers):
        raise RoadmapError(where, "investment_yen")
    if not str(entry.get("source", "")).strip():
        raise RoadmapError(where, "investment_source", name=name)
    return Investment(float(numbers[0]), float(numbers[1]), str(entry["source"]))


def _known(levers: Mapping[str, str]) -> str:
    """The lever names a roadmap file may use: each key with its Japanese name."""
    from bprkit.assumptions import catalog as assumptions

    catalog = assumptions.default().levers
    return ", ".join(f"{k} ({catalog[k].title('ja')})" if k in catalog else k
                     for k in sorted(set(levers.values())))


def _section(text: str, name: str) -> int:
    m = re.search(rf"^\s*\[investments\.\"?{re.escape(name)}\"?\]", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def shared(portfolio: Portfolio, roadmap: Roadmap, hourly_yen: float) -> list[Shared]:
    """Each shared investment spread over the procedures that use its lever, by the
    hours the lever saves in each; its payback where the money is spent."""
    out = []
    for lever, investment in roadmap.investments.items():
        users = [(r, h) for r in portfolio.rows if r.ranked for k, h in r.levers
                 if k == lever and h > 0]
        hours = sum(h for _, h in users)
        yen = hours * hourly_yen
        net = yen - investment.annual_yen
        payback = investment.one_off_yen / net if net > 0 else None
        shares = {(r.file, r.process): h / hours for r, h in users} if hours else {}
        out.append(Shared(lever, investment, len(users), hours, yen, payback, shares))
    return out


@dataclass(frozen=True)
class Share:
    """One procedure's part of a shared investment (``bprkit estimate --roadmap``)."""

    lever: str
    share: float
    hours_saved: float
    """The staff hours a year the lever saves in this procedure."""
    one_off_yen: float
    annual_yen: float
    whole: Shared
    peers: tuple[tuple[str, str, float], ...] = ()
    """The other procedures that share the investment: (file, process, share),
    largest share first."""


@dataclass(frozen=True)
class Shares:
    """A procedure's parts of the shared investments, and what they were shared over."""

    shares: list[Share]
    files: tuple[str, ...]
    """The ``.bpr`` files of the roadmap's portfolio (the estimated file last when it
    was added)."""
    added: bool
    """Whether the estimated file was added because the portfolio does not hold it."""
    procedures: tuple[tuple[str, str], ...] = ()
    """(file, process) of every ranked procedure among them (the ones a share can
    fall on)."""
    failed: tuple[str, ...] = ()
    """Files of the portfolio left out because they have errors."""
    where: tuple[str, ...] = ()
    """The roadmap's ``portfolio`` paths the files were found under."""


class DuplicateProcessError(RoadmapError):
    """Two files of the roadmap's portfolio hold the same process id: the procedure
    would share an investment with a copy of itself."""


def shares_of(roadmap: Roadmap, file: str, process: str, *, hourly_yen: float,
              assumptions: str | None = None, levers: tuple[str, ...] | None = None,
              samples: int | None = None, jobs: int | None = None) -> Shares:
    """The part of each shared investment that a procedure carries, among the
    procedures of ``roadmap.portfolio`` (the procedure's own file added when it is
    not among them), with the procedures it shares each one with. Two files that
    hold the same process id are refused (DuplicateProcessError): a copy or a draft
    beside the original would count one procedure twice."""
    from bprkit.planning import inventory
    from bprkit.text.loader import find_files

    files = find_files(roadmap.portfolio)
    mine = os.path.realpath(file)
    added = mine not in {os.path.realpath(f) for f in files}
    if added:
        files.append(file)
    portfolio = inventory.build(files, assumptions=assumptions, levers=levers,
                                samples=samples or inventory.SAMPLES, jobs=jobs)
    if portfolio.duplicates:
        pid, where = portfolio.duplicates[0]
        raise DuplicateProcessError(roadmap.path or "roadmap", "duplicate_process",
                                    process=pid, files=", ".join(where))
    out = []
    for whole in shared(portfolio, roadmap, hourly_yen):
        for (f, p), share in whole.shares.items():
            if p == process and os.path.realpath(f) == mine:
                hours = whole.hours_saved * share
                peers = sorted(((pf, pp, v) for (pf, pp), v in whole.shares.items()
                                if (pf, pp) != (f, p)), key=lambda x: (-x[2], x[0], x[1]))
                out.append(Share(whole.lever, share, hours,
                                 whole.investment.one_off_yen * share,
                                 whole.investment.annual_yen * share, whole, tuple(peers)))
    ranked = tuple((r.file, r.process) for r in portfolio.rows if r.ranked)
    return Shares(out, tuple(files), added, ranked,
                  tuple(f.file for f in portfolio.failures), tuple(roadmap.portfolio))


def plan(portfolio: Portfolio, roadmap: Roadmap) -> list[Year]:
    """Order the work by benefit within the levers available and the capacity."""
    rows = [r for r in portfolio.rows if r.ranked]
    applied: dict[int, set[str]] = {id(r): set() for r in rows}
    years: list[Year] = []
    cumulative = 0.0
    for year in range(roadmap.start, roadmap.start + MAX_YEARS):
        ready = {k for k, y in roadmap.available.items() if y <= year}
        worth = _worth(rows, ready, applied)
        room = roadmap.capacity_by_year.get(year, roadmap.capacity)
        chosen = worth[:room]
        entry = Year(year, [(row, levers, hours) for hours, row, levers in chosen])
        entry.saved = sum(h for h, _, _ in chosen)
        cumulative += entry.saved
        entry.cumulative = cumulative
        years.append(entry)
        for _, row, levers in chosen:
            applied[id(row)].update(levers)
        later = [y for y in roadmap.available.values() if y > year]
        if len(worth) <= room and not later:
            break
    return years


def _worth(rows: list[Row], ready: set[str],
           applied: dict[int, set[str]]) -> list[tuple[float, Row, tuple[str, ...]]]:
    """The procedures that have levers ready and not applied yet: (the staff hours
    those levers save, the procedure, the levers), most hours first."""
    worth = []
    for row in rows:
        new = tuple(k for k, h in row.levers if k in ready and k not in applied[id(row)]
                    and h > 0)
        if new:
            worth.append((sum(h for k, h in row.levers if k in new), row, new))
    worth.sort(key=lambda w: (-w[0], w[1].file, w[1].process))
    return worth
