"""Backtest: the levers against published before/after figures (docs/backtest.md).

Each case is an ordinary ``.bpr`` file that models what a publication describes,
with a header of comment lines the tool reads::

    # backtest.name: 宜野湾市 児童手当 現況届（RPA）
    # backtest.measure: staff
    # backtest.before: 208.3
    # backtest.after: 18.8
    # backtest.unit: h/year
    # backtest.levers: rpa
    # backtest.source: 琉球新報, c. 2020 (sources.md: RPA)
    # backtest.publication: ginowan-2020
    # backtest.fit: rpa.minutes_factor

Optional keys say how the case counts: ``publication`` (the id cases of one publication
share; default the file's stem), ``weight`` (0–1, its weight in a fit), ``scored``
(``no — reason``: shown, left out of the totals and of any fit) and ``fit`` (the one
lever parameter the published figure identifies); and, where the publication gives
them, the work: ``batch`` (sheets per job), ``fields`` (per sheet), ``verify`` (all,
sample, none; the keyed steps carry the matching tag 全件確認 / 抽出確認 / 確認なし, which
is what the estimate reads) and ``exceptions`` (a share; a published reduction includes
the cases finished by hand, so the fit folds them into the time factor).

The published reduction is 1 − after/before. The estimate applies only the case's
levers and gives the reduction share of the measure (P10/P50/P90 over the Monte
Carlo). A case is *inside* when P10 ≤ published ≤ P90. This table is in sample (the
defaults cite these cases); the targets are scored out of sample, each publication's
cases predicted with ranges fitted on the others (bprkit/estimate/backtest/fit.py):
leave-one-publication-out coverage of P10–P90 between 75 % and 90 %, a mean weighted
interval score at least 15 % below the defaults' and below a naive band's, a median
|P50 − published| of at most 12 points and at least half of the cases within 15.

Cases model the publication; the defaults carry the sources. A miss is fixed in
``bprkit/assumptions/default.toml`` with a source, never by shaping a case.

Every header is read and every case file checked before anything is estimated,
so bad input stops the run with its errors and no table.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import stat
import time
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from bprkit import vocabulary
from bprkit.columns import columns, pad, rpad
from bprkit.errors import BprError
from bprkit.estimate.montecarlo import Estimate, Range
from bprkit.messages import catalog as messages
from bprkit.model import Bundle, Process

if TYPE_CHECKING:
    from bprkit.assumptions.catalog import Assumptions
    from bprkit.text.loader import CheckReport

MEASURES = ("staff", "lead", "resident", "wait")
"""staff: staff minutes per case; lead: lead time; resident: resident minutes;
wait: resident waiting minutes."""
KEYS = ("name", "measure", "before", "after", "unit", "levers", "source",
        "publication", "weight", "scored", "fit", "batch", "fields", "verify", "exceptions")
REQUIRED = ("name", "measure", "before", "after", "levers", "source")
FIT_PARAMETERS = ("minutes_factor", "staff_minutes_factor", "setup_minutes", "wait_factor",
                  "adoption", "exception_rate", "verify_factor", "verify_all_factor",
                  "verify_sample_factor")
"""The lever parameters a published figure can identify (no costs)."""
VERIFY = {"all": "all", "全件": "all", "sample": "sample", "抽出": "sample",
          "none": "none", "なし": "none"}
"""``backtest.verify``: how much of the read output staff check by eye."""
WITHIN_POINTS = 10.0
DEFAULT_SAMPLES = 10_000

_HEADER = re.compile(r"^#\s*backtest\.([^\s:：]*)\s*[:：]\s*(.*?)\s*$")
_LOOSE = re.compile(r"^#\s*backtest\b")
_SCORED = re.compile(r"^(yes|no|はい|いいえ)(?![\w])\s*(?:[—–\-:：、,，]\s*)?(.*)$", re.I)
_PUBLICATION = re.compile(r"^[^\s,、，]+$")


# ───────────── texts ─────────────

def text(lang: str, name: str, /, **args: object) -> str:
    """A backtest text in ``lang`` (the catalogs' ``[backtest]`` table)."""
    return messages.backtest(lang, name, **args)


# ───────────── cases and their headers ─────────────

@dataclass(frozen=True)
class Case:
    """A backtest case: the header of one ``.bpr`` file."""

    path: str
    name: str
    measure: str
    before: float
    after: float
    unit: str
    levers: tuple[str, ...]
    source: str
    publication: str = ""
    """The id the cases of one publication share (default: the file's stem)."""
    weight: float = 1.0
    """The case's weight in a fit, 0 < weight ≤ 1 (one datum counted twice: 0.5 each)."""
    scored: bool = True
    """False: shown in the table, left out of the totals and of any fit."""
    scored_reason: str = ""
    """Why a case is not scored (``backtest.scored: no — reason``)."""
    fit: str = ""
    """``lever.parameter``: the one lever parameter the published figure identifies."""
    batch: int | None = None
    """Sheets per job, where the publication gives them (recorded, not modelled yet)."""
    fields: int | None = None
    """Fields per sheet, where the publication gives them (recorded, not modelled yet)."""
    verify: str = ""
    """all, sample or none: how much of the read output staff check by eye (recorded)."""
    exceptions: float | None = None
    """The share of cases that fall back to a person, where published (recorded)."""
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)
    """The line of each header key."""

    @property
    def published(self) -> float:
        """The published reduction share: 1 − after/before."""
        return 1 - self.after / self.before


@dataclass(frozen=True)
class CaseError:
    """One problem with a case: where, and a text key with its arguments."""

    path: str
    line: int
    key: str
    args: Mapping[str, object] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        return f"{self.path}:{self.line}: " + text(lang, f"error_{self.key}", **self.args)

    def to_dict(self, lang: str) -> dict[str, object]:
        return {"file": self.path, "line": self.line, "code": self.key,
                "message": text(lang, f"error_{self.key}", **self.args)}


class BacktestError(BprError):
    """Bad input: every error found, each naming its file and line."""

    def __init__(self, errors: Sequence[CaseError]) -> None:
        super().__init__(f"{len(errors)} backtest error(s)")
        self.errors = tuple(errors)


def _number(value: str) -> float | None:
    cleaned = unicodedata.normalize("NFKC", value).replace(",", "").replace("_", "").strip()
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _suggest(word: str, known: Sequence[str]) -> str:
    match = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return match[0] if match else ""


OPTIONAL = ("publication", "weight", "scored", "fit", "batch", "fields", "verify",
            "exceptions")
"""The keys that are not :data:`REQUIRED` and not ``unit``, in the order they are checked."""


@dataclass
class _Header:
    """A case file's header as it is read: each key's value and line, the errors found."""

    path: str
    values: dict[str, str] = field(default_factory=dict)
    where: dict[str, int] = field(default_factory=dict)
    errors: list[CaseError] = field(default_factory=list)
    last: int = 0
    """The header's last comment line (where a missing key would be added)."""

    def error(self, line: int, code: str, args: Mapping[str, object] | None = None) -> None:
        self.errors.append(CaseError(self.path, line, code, dict(args or {})))

    def bad(self, key: str, code: str, /, **args: object) -> None:
        """The value of ``key`` is wrong: the error names it, at the key's line."""
        self.error(self.where[key], code, {"value": self.values[key], **args})


def read_header(path: str, levers: Sequence[str]) -> tuple[Case | None, list[CaseError]]:
    """The header of a case file: the comment lines at its top. ``levers`` are the
    catalog's keys. Returns the case, or None and the errors."""
    lines = _read_lines(path)
    if isinstance(lines, CaseError):
        return None, [lines]
    header = _scan(path, lines)
    if not header.values and not header.errors:
        return None, [CaseError(path, 1, "no_header")]
    _check_required(header)
    figures = _figures(header)
    measure = _measure(header)
    names = _lever_names(header, levers)
    options = _options(header, names, levers)
    if header.errors:
        return None, header.errors
    values = header.values
    return Case(path, values["name"], measure, figures["before"], figures["after"],
                values.get("unit", ""), names, values["source"],
                **options,  # type: ignore[arg-type]  # keys and types checked by _options
                lines=dict(header.where)), []


def _read_lines(path: str) -> list[str] | CaseError:
    """The lines of a case file, or the error that it cannot be read."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO or a device would block
            raise OSError(0, "not a regular file")
        with open(path, encoding="utf-8-sig") as fh:
            return fh.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return CaseError(path, 1, "unreadable", {"reason": exc})


def _scan(path: str, lines: Sequence[str]) -> _Header:
    """The ``# backtest.key: value`` lines of the comment block at the top; unknown,
    repeated and malformed keys are errors."""
    header = _Header(path)
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            break
        header.last = number
        m = _HEADER.match(line)
        if m is None:
            if _LOOSE.match(line):
                header.error(number, "malformed", {"text": line})
            continue
        key, value = m.group(1), m.group(2)
        if key not in KEYS:
            header.error(number, "unknown_key", {"key": key, "known": ", ".join(KEYS),
                                                 "suggestion": _suggest(key, KEYS) or "-"})
        elif key in header.values:
            header.error(number, "duplicate", {"key": key, "first": header.where[key]})
        else:
            header.values[key], header.where[key] = value, number
    return header


def _check_required(header: _Header) -> None:
    """Every required key given, and not empty. A missing key is reported at the end of
    the header, where it would be added."""
    for key in REQUIRED:
        if key not in header.values:
            header.error(header.last or 1,
                         "missing_figure" if key in ("before", "after") else "missing",
                         {"key": key})
        elif not header.values[key]:
            header.error(header.where[key], "empty", {"key": key})


def _figures(header: _Header) -> dict[str, float]:
    """The published ``before`` (positive) and ``after`` (not negative), where valid."""
    figures: dict[str, float] = {}
    for key in ("before", "after"):
        if not header.values.get(key):
            continue
        value = header.values[key]
        n = _number(value)
        if n is None:
            header.error(header.where[key], "bad_number", {"key": key, "value": value})
        elif key == "before" and n <= 0:
            header.error(header.where[key], "before_not_positive", {"value": value})
        elif key == "after" and n < 0:
            header.error(header.where[key], "after_negative", {"value": value})
        else:
            figures[key] = n
    return figures


def _measure(header: _Header) -> str:
    measure = header.values.get("measure", "").strip().lower()
    if measure and measure not in MEASURES:
        header.error(header.where["measure"], "bad_measure",
                     {"value": header.values["measure"], "known": ", ".join(MEASURES),
                      "suggestion": _suggest(measure, MEASURES) or "-"})
    return measure


def _lever_names(header: _Header, levers: Sequence[str]) -> tuple[str, ...]:
    """The case's levers (comma-separated), each one of the catalog's keys."""
    names = tuple(n.strip() for n in re.split(r"[,、，]", header.values.get("levers", ""))
                  if n.strip())
    unknown = [n for n in names if n not in levers]
    if unknown:
        header.error(header.where["levers"], "unknown_lever",
                     {"levers": ", ".join(unknown), "known": ", ".join(levers)})
    return names


@cache
def _parameters() -> Mapping[str, tuple[str, ...]]:
    """The parameters of each catalog lever a published figure can identify. (A user's
    assumptions file may change their values, never add levers or parameters: E060.)"""
    from bprkit.assumptions import catalog as assumptions

    out: dict[str, list[str]] = {}
    for key in assumptions.default().params:
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "levers" and parts[2] in FIT_PARAMETERS:
            out.setdefault(parts[1], []).append(parts[2])
    return {lever: tuple(names) for lever, names in out.items()}


def _options(header: _Header, names: Sequence[str],
             levers: Sequence[str]) -> dict[str, object]:
    """The optional keys: how the case counts (publication, weight, scored, fit) and the
    work as published (batch, fields, verify, exceptions). Adds to ``header.errors``."""
    for key in OPTIONAL:
        if key in header.values and not header.values[key]:
            header.error(header.where[key], "empty", {"key": key})
    given = {k: v for k, v in header.values.items() if v}
    out: dict[str, object] = {
        "publication": os.path.splitext(os.path.basename(header.path))[0]}
    if "publication" in given:
        out.update(_publication(header, given["publication"]))
    if "weight" in given:
        out.update(_weight(header, given["weight"]))
    if "scored" in given:
        out.update(_scored(header, given["scored"]))
    if "fit" in given:
        out.update(_fit(header, given["fit"], names, levers))
    for key in ("batch", "fields"):
        if key in given:
            out.update(_count(header, key, given[key]))
    if "verify" in given:
        out.update(_verify(header, given["verify"]))
    if "exceptions" in given:
        out.update(_exceptions(header, given["exceptions"]))
    return out


def _publication(header: _Header, value: str) -> dict[str, object]:
    if _PUBLICATION.match(value):
        return {"publication": value}
    header.bad("publication", "bad_publication")
    return {}


def _weight(header: _Header, value: str) -> dict[str, object]:
    n = _number(value)
    if n is None:
        header.bad("weight", "bad_number", key="weight")
    elif not 0 < n <= 1:
        header.bad("weight", "bad_weight")
    else:
        return {"weight": n}
    return {}


def _scored(header: _Header, value: str) -> dict[str, object]:
    """``yes``, or ``no — reason``."""
    m = _SCORED.match(value)
    if m is None:
        header.bad("scored", "bad_scored")
        return {}
    yes = m.group(1).lower() in ("yes", "はい")
    reason = m.group(2).strip()
    if yes and reason:
        header.bad("scored", "bad_scored")
    elif not yes and not reason:
        header.bad("scored", "scored_no_reason")
    else:
        return {"scored": yes, "scored_reason": reason}
    return {}


def _fit(header: _Header, value: str, names: Sequence[str],
         levers: Sequence[str]) -> dict[str, object]:
    """``lever.parameter``: a parameter a published figure can identify, of one of the
    case's levers."""
    lever, dot, parameter = value.strip().partition(".")
    known = _parameters()
    if not dot or not lever or not parameter:
        header.bad("fit", "bad_fit")
    elif lever not in levers or lever not in known:
        header.bad("fit", "fit_unknown_lever", lever=lever,
                   known=", ".join(k for k in levers if k in known))
    elif parameter not in known[lever]:
        header.bad("fit", "fit_unknown_parameter", lever=lever, parameter=parameter,
                   known=", ".join(known[lever]),
                   suggestion=_suggest(parameter, known[lever]) or "-")
    elif names and lever not in names:
        header.bad("fit", "fit_not_case_lever", lever=lever, levers=", ".join(names))
    else:
        return {"fit": f"{lever}.{parameter}"}
    return {}


def _count(header: _Header, key: str, value: str) -> dict[str, object]:
    """``batch`` or ``fields``: a whole number, at least 1."""
    n = _number(value)
    if n is None or n < 1 or n != int(n):
        header.bad(key, "not_count", key=key)
        return {}
    return {key: int(n)}


def _verify(header: _Header, value: str) -> dict[str, object]:
    word = unicodedata.normalize("NFKC", value).strip().lower()
    if word in VERIFY:
        return {"verify": VERIFY[word]}
    header.bad("verify", "bad_verify", suggestion=_suggest(word, list(VERIFY)) or "-")
    return {}


def _exceptions(header: _Header, value: str) -> dict[str, object]:
    """A share, 0 to 1."""
    n = _number(value)
    if n is None or not 0 <= n <= 1:
        header.bad("exceptions", "bad_share", key="exceptions")
        return {}
    return {"exceptions": n}


def bundled() -> str:
    """The folder of the cases shipped with the package."""
    return str(resources.files(__package__).joinpath("cases"))


# ───────────── running ─────────────

@dataclass(frozen=True)
class CaseResult:
    case: Case
    reduction: Range
    """The modelled reduction share of the case's measure."""

    @property
    def inside(self) -> bool:
        eps = 1e-9
        return self.reduction.p10 - eps <= self.case.published <= self.reduction.p90 + eps

    @property
    def distance(self) -> float:
        """|P50 − published| in percentage points."""
        return abs(self.reduction.p50 - self.case.published) * 100

    @property
    def within(self) -> bool:
        return self.distance <= WITHIN_POINTS + 1e-9


@dataclass(frozen=True)
class Report:
    results: tuple[CaseResult, ...]
    seed: int
    samples: int
    assumptions: str
    seconds: float = 0.0

    @property
    def scored(self) -> tuple[CaseResult, ...]:
        """The results that count: every case but those marked ``scored: no``."""
        return tuple(r for r in self.results if r.case.scored)

    @property
    def inside(self) -> int:
        return sum(r.inside for r in self.scored)

    @property
    def within(self) -> int:
        return sum(r.within for r in self.scored)

    def to_dict(self) -> dict[str, object]:
        def pct(x: float) -> float:
            return round(x * 100, 2)

        n = len(self.scored)
        return {
            "seed": self.seed,
            "samples": self.samples,
            "assumptions": self.assumptions,
            "cases": [{
                "file": r.case.path, "name": r.case.name, "measure": r.case.measure,
                "unit": r.case.unit, "before": r.case.before, "after": r.case.after,
                "levers": list(r.case.levers), "source": r.case.source,
                "publication": r.case.publication, "weight": r.case.weight,
                "scored": r.case.scored, "scored_reason": r.case.scored_reason,
                "fit": r.case.fit or None, "batch": r.case.batch, "fields": r.case.fields,
                "verify": r.case.verify or None, "exceptions": r.case.exceptions,
                "published_pct": pct(r.case.published),
                "expected_pct": pct(r.reduction.expected), "p10_pct": pct(r.reduction.p10),
                "p50_pct": pct(r.reduction.p50), "p90_pct": pct(r.reduction.p90),
                "inside": r.inside, "within": r.within,
                "distance_points": round(r.distance, 2)} for r in self.results],
            "totals": {
                "cases": len(self.results), "scored": n,
                "inside": self.inside, "within": self.within,
                "inside_share": round(self.inside / n, 4) if n else 0.0,
                "within_share": round(self.within / n, 4) if n else 0.0},
        }


def reduction(est: Estimate, measure: str) -> Range | None:
    """The reduction share of ``measure`` (1 − To-Be/As-Is per Monte Carlo sample)."""
    return est.reductions.get(measure)


def asis_value(est: Estimate, measure: str) -> float:
    """The As-Is figure a measure's reduction is a share of (0: the model has nothing
    to reduce)."""
    a = est.asis_metrics
    return {"staff": a.staff_minutes_per_case, "lead": a.lead_time_hours,
            "resident": a.resident_minutes_per_case,
            "wait": a.resident.waiting_minutes}[measure]


def load(paths: Sequence[str], levers: Sequence[str]) -> tuple[list[Case], CheckReport]:
    """Read every header and check every case file; raise :class:`BacktestError`
    listing every header error, or return the cases and the check report's files.
    (Errors in the ``.bpr`` itself are left in the report for the caller to show.)"""
    from bprkit.text.loader import check_files

    cases, errors = [], []
    for path in paths:
        case, found = read_header(path, levers)
        errors += found
        if case is not None:
            cases.append(case)
    if errors:
        raise BacktestError(errors)
    return cases, check_files([c.path for c in cases])


def _verify_tagged(case: Case, process: Process) -> bool:
    """The header's ``verify`` is what the model reads: the keyed steps carry its tag
    (全件確認 / 抽出確認 / 確認なし) and no other verify tag. The header says what the
    publication states; the tag is where the estimate reads it."""
    wanted = "verify_" + case.verify
    said = [t for step in process.steps() for t in step.tags
            if t.startswith("verify_")]
    return wanted in said and all(t == wanted for t in said)


def _batch_sizes(process: Process, bundle: Bundle, assumptions: Assumptions
                 ) -> tuple[float, ...]:
    """The cases each batched step gathers per run, as the model reads the body's
    ``batch`` lines: the header's ``batch`` must be one of them (the header says what
    the publication states; the body is what the estimate reads)."""
    from bprkit.analysis.records import analyze_process

    runs = analyze_process(process, bundle, assumptions=assumptions,
                           with_findings=False).graph.runs
    return tuple(r.batch_size for r in runs if r.step.batch is not None)


def run(cases: Sequence[Case], bundles: Sequence, assumptions: Assumptions, *,
        samples: int = DEFAULT_SAMPLES, seed: int | None = None) -> Report:
    """Estimate every case with only its levers. ``bundles``: the checked bundle of
    each case, in order. Raises :class:`BacktestError` when a case's model has no
    As-Is figure for its measure."""
    from bprkit.estimate import montecarlo as estimate

    seed = estimate.DEFAULT_SEED if seed is None else seed
    start = time.perf_counter()
    results, errors = [], []
    for case, bundle in zip(cases, bundles, strict=True):
        process = bundle.root.processes[0]
        if case.verify and not _verify_tagged(case, process):
            errors.append(CaseError(case.path, case.lines.get("verify", 1), "verify_untagged",
                                    {"value": case.verify, "tag": vocabulary.japanese(
                                        vocabulary.TAGS, "verify_" + case.verify)}))
            continue
        sizes = _batch_sizes(process, bundle, assumptions) if case.batch else ()
        if case.batch and not any(abs(n - case.batch) < 0.5 for n in sizes):
            errors.append(CaseError(case.path, case.lines.get("batch", 1), "batch_unmodelled",
                                    {"value": case.batch, "sizes": ", ".join(
                                        f"{n:,.0f}" for n in sizes) or "-"}))
            continue
        est = estimate.estimate(process, bundle, assumptions, levers=list(case.levers),
                                samples=samples, seed=seed)
        share = reduction(est, case.measure)
        if share is None or not asis_value(est, case.measure):
            errors.append(CaseError(case.path, case.lines.get("measure", 1), "no_asis",
                                    {"measure": case.measure, "process": process.id}))
            continue
        results.append(CaseResult(case, share))
    if errors:
        raise BacktestError(errors)
    return Report(tuple(results), seed, samples, getattr(assumptions, "source", "default"),
                  time.perf_counter() - start)


# ───────────── the table ─────────────

_width, _pad, _rpad = columns, pad, rpad


def _pct(x: float) -> str:
    return f"{x * 100:5.1f}"


def format_text(report: Report, lang: str) -> str:
    """The table: case, measure, published %, P10/P50/P90 %, inside, |P50 − published|,
    then the totals and the verdict."""
    def t(name: str, **a: object) -> str:
        return text(lang, name, **a)

    n = len(report.scored)
    names = [r.case.name for r in report.results]
    w = max([_width(t("col_case"))] + [_width(s) for s in names])
    iw = max(6, *(_width(t(k)) for k in ("col_inside", "yes", "no", "not_scored")))
    head = (f"{_pad(t('col_case'), w)}  {_pad(t('col_measure'), 8)} "
            f"{_rpad(t('col_published'), 7)} {'P10':>6} {'P50':>6} {'P90':>6}  "
            f"{_pad(t('col_inside'), iw)} {_rpad(t('col_distance'), 6)}")
    lines = [t("head", cases=len(report.results), scored=n, seed=report.seed,
               samples=report.samples, assumptions=report.assumptions), "", head,
             "-" * _width(head)]
    for r in report.results:
        mark = (t("not_scored") if not r.case.scored else t("yes") if r.inside else t("no"))
        lines.append(
            f"{_pad(r.case.name, w)}  {_pad(t('measure_' + r.case.measure), 8)} "
            f"{_pct(r.case.published):>7} {_pct(r.reduction.p10):>6} {_pct(r.reduction.p50):>6} "
            f"{_pct(r.reduction.p90):>6}  "
            f"{_pad(mark, iw)} {r.distance:6.1f}")
    lines.append("")
    unscored = [r.case for r in report.results if not r.case.scored]
    if unscored:
        lines.append(t("unscored_head", count=len(unscored)))
        lines += [f"  {c.name}: {c.scored_reason}" for c in unscored]
        lines.append("")
    share = (lambda k: k / n * 100) if n else (lambda k: 0.0)
    lines.append(t("total_inside", count=report.inside, cases=n,
                   share=f"{share(report.inside):.0f}"))
    return "\n".join(lines)


def case_files(folder: str) -> list[str]:
    """The ``.bpr`` files of a folder (recursively, sorted), or the file itself."""
    from bprkit.text.loader import find_files

    return find_files([folder]) if os.path.isdir(folder) else [folder]

# ───────────── what the band means, as measured ─────────────

@dataclass(frozen=True)
class Measured:
    """The shipped defaults' P10–P90 on the published cases (``measured.toml``)."""

    scored: int
    inside: int
    fitted_inside: int

    def text(self, lang: str) -> str:
        """One line for every output that shows a P10–P90 band."""
        from bprkit.messages import catalog as messages

        return messages.text(lang, "band_measured", inside=self.inside, scored=self.scored,
                             fitted=self.fitted_inside)

    def to_dict(self) -> dict[str, int]:
        return {"scored": self.scored, "inside": self.inside,
                "fitted_inside_out_of_sample": self.fitted_inside}


@cache
def measured() -> Measured:
    """What the backtest measured of the default bands (read from ``measured.toml``)."""
    raw = tomllib.loads(resources.files(__package__).joinpath("measured.toml")
                        .read_text(encoding="utf-8"))
    return Measured(int(raw["scored"]), int(raw["inside"]), int(raw["fitted_inside"]))
