"""Lever ranges fitted to the published cases, and scored on cases they were not fitted
to (docs/backtest.md, "The fit" and "Out of sample").

**Per case, the value that reproduces it.** A case names the one lever parameter its
published figure identifies (``# backtest.fit: rpa.minutes_factor``). With every other
figure at its expected value, the case's deterministic reduction is a monotone function
of that parameter; bisection finds the value at which it equals the published
reduction. A figure no value in the parameter's domain reaches is said so, with the
reduction the domain's ends give.

**Per parameter, a predictive range.** The values of the cases that identify one
parameter (a share of time kept, a share of cases) are taken on their own scale, their
weighted mean *m* and spread *s* (cases of one publication weighted together,
``backtest.weight``), and the range for a new case is the predictive interval
m ± t · s · √(1 + 1/n), clipped to the parameter's domain, with Student's t at 80 % for
n − 1 degrees of freedom (n: the effective number of cases): few cases, a wide range.
(A log or logit scale was tried: with kept shares near 0 — 横浜市 0.009 — it stretches
the interval to factors above 1.) It is written as the
triangular low/mode/high whose P10 and P90 are the interval's ends and whose mode is
the centre. A parameter with fewer than two cases keeps its catalog range (``single``).

**Out of sample.** Each publication's cases are predicted with the ranges fitted on the
other publications' cases only (leave one publication out), and scored: whether the
published figure falls inside P10–P90, the interval score of the 80 % band with its
median (a weighted interval score, an approximation of CRPS that rewards a band both
right and narrow), and |P50 − published|; beside them the same scores of the shipped
defaults and of a naive band with no model (P10/P50/P90 of the other cases' published
reductions for the same lever).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from bprkit.assumptions.catalog import Assumptions, Param
from bprkit.estimate.backtest.cases import Case
from bprkit.model import Bundle

ALPHA = 0.2
"""The band scored: P10–P90, a central 80 % interval."""
Z80 = 1.2815515655446004
"""The standard normal's 90th percentile."""
SHARES = ("adoption", "exception_rate")
"""Parameters that are shares of cases (0–1); the others are time factors or minutes."""
BISECTIONS = 40
ROUNDS = 8
"""At most this many rounds of fitting until the chain cases' values settle."""

COVERAGE = (0.75, 0.90)
"""The out-of-sample share of published figures inside P10–P90 a band must reach, and
not exceed (a band that covers everything says as little as one that covers little)."""
WIS_BELOW_DEFAULTS = 0.85
"""The mean weighted interval score must be at least 15 % below the defaults'."""
MEDIAN_ERROR = 12.0
"""The median |P50 − published| at most, in points."""
WITHIN15_SHARE = 0.5
"""At least this share of the cases with P50 within 15 points."""


# ───────────── per case: the value that reproduces the published figure ─────────────

@dataclass(frozen=True)
class Point:
    """What one case says about its parameter."""

    key: str
    """``levers.<lever>.<parameter>``"""
    value: float | None
    """The parameter value reproducing the published reduction; None when none does."""
    reach: tuple[float, float] = (0.0, 0.0)
    """The reductions at the two ends of the parameter's domain (for the message)."""
    unserved: tuple[tuple[str, str, str], ...] = ()
    """When no value reaches the figure: the steps the lever does not serve, each with
    the rule that keeps it off (step id, "needs" | "not_for" | "", fact)."""


def domain(key: str) -> tuple[float, float]:
    """Where a parameter may lie: a share in 0–1, a time factor in 0–20 (a lever may
    make a step slower: 久慈市 収納 took 10 times as long), set-up minutes in 0–600."""
    name = key.rsplit(".", 1)[-1]
    if name in SHARES:
        return 0.0, 1.0
    if name == "setup_minutes":
        return 0.0, 600.0
    return 0.0, 20.0


def with_value(assumptions: Assumptions, key: str, value: float,
               source: str = "fit") -> Assumptions:
    """The assumptions with one parameter set to a single value (or kept as a range
    through :func:`with_range`)."""
    return with_range(assumptions, key, value, value, value, source)


def with_range(assumptions: Assumptions, key: str, low: float, mode: float, high: float,
               source: str) -> Assumptions:
    """The assumptions with one parameter's range replaced."""
    params = dict(assumptions.params)
    params[key] = Param(key, low, mode, high, source)
    return replace(assumptions, params=params)


def invert(reduction: Callable[[float], float], target: float, key: str) -> Point:
    """The parameter value whose reduction is ``target`` (bisection: the reduction is
    monotone in the parameter)."""
    lo, hi = domain(key)
    r_lo, r_hi = reduction(lo), reduction(hi)
    if not (min(r_lo, r_hi) - 1e-9 <= target <= max(r_lo, r_hi) + 1e-9):
        return Point(key, None, (r_lo, r_hi))
    increasing = r_hi > r_lo
    for _ in range(BISECTIONS):
        mid = (lo + hi) / 2
        r = reduction(mid)
        if abs(r - target) < 1e-7:
            break
        if (r < target) == increasing:
            lo = mid
        else:
            hi = mid
    return Point(key, (lo + hi) / 2, (r_lo, r_hi))


# ───────────── per parameter: a predictive range ─────────────

@dataclass(frozen=True)
class Fitted:
    """The fitted range of one parameter and the cases behind it."""

    key: str
    low: float
    mode: float
    high: float
    cases: tuple[str, ...]
    """The case names it rests on."""
    effective: float
    """The effective number of cases (weights and publications counted)."""
    single: bool = False
    """Cases from fewer than two publications: the catalog's range is kept, or (a time
    factor, ``pooled``) the pooled spread of the other time factors is borrowed."""
    pooled: bool = False

    def source(self, publications: Sequence[str]) -> str:
        if self.single and self.pooled:
            return ("fit (bprkit backtest --fit): one publication only, so its mean with the "
                    "spread pooled from the levers fitted on two or more publications, "
                    "80 % predictive interval: " + "; ".join(publications))
        if self.single:
            return ("fit: one publication only, the catalog's range kept (" + "; ".join(
                self.cases) + ")")
        return (f"fit (bprkit backtest --fit): {len(self.cases)} published cases, "
                f"effective n = {self.effective:.1f}, 80 % predictive interval: "
                + "; ".join(publications))


def t90(dof: float) -> float:
    """Student's t 90th percentile (a Cornish–Fisher expansion; exact to 0.01 for
    dof ≥ 2, within 2 % at 1)."""
    if dof <= 0:
        return math.inf
    z = Z80
    g1 = (z ** 3 + z) / 4
    g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96
    g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384
    return z + g1 / dof + g2 / dof ** 2 + g3 / dof ** 3


def triangular_for(p10: float, p50: float, p90: float) -> tuple[float, float, float]:
    """The triangular (low, mode, high) whose 10th and 90th percentiles are p10 and p90
    and whose mode is p50 (clipped into the band)."""
    mode = min(max(p50, p10), p90)
    if p90 - p10 < 1e-12:
        return p10, p10, p10

    def quantiles(a: float, b: float) -> tuple[float, float]:
        def q(p: float) -> float:
            f = (mode - a) / (b - a)
            if p < f:
                return a + math.sqrt(p * (b - a) * (mode - a))
            return b - math.sqrt((1 - p) * (b - a) * (b - mode))
        return q(0.1), q(0.9)

    # widen both ends by the same factor of their distance to the mode until the
    # percentiles land on p10 and p90 (two nested bisections; monotone in each end)
    a, b = p10, p90
    for _ in range(60):
        lo_q, hi_q = quantiles(a, b)
        a -= (lo_q - p10)
        b += (p90 - hi_q)
        if abs(lo_q - p10) < 1e-10 and abs(hi_q - p90) < 1e-10:
            break
    return a, mode, b


def bounded_triangular(p10: float, p50: float, p90: float, lo: float, hi: float
                       ) -> tuple[float, float, float]:
    """The triangular range for an interval p10..p90 inside the domain lo..hi. Where the
    triangle whose percentiles fall on the interval's ends would reach past the domain
    (a kept share below 0: the lever takes all of the work in some cases), it starts at
    the domain's end instead and its mode moves toward that end until its P10 and P90
    fall on the interval's ends again, as near as a triangle starting there can: the
    band's ends come first, as for :func:`triangular_for`, and the median moves (a
    triangle keeping the median and P90 instead was measured too: docs/backtest.md)."""
    a, c, b = triangular_for(max(p10, lo), min(max(p50, lo), hi), min(p90, hi))
    if a >= lo - 1e-12 or p90 <= lo:
        return max(a, lo), min(max(c, max(a, lo)), min(b, hi)), min(b, hi)
    target10 = max(p10, lo)

    def q(a_: float, c_: float, b_: float, p: float) -> float:
        f = (c_ - a_) / (b_ - a_)
        if p < f:
            return a_ + math.sqrt(p * (b_ - a_) * (c_ - a_))
        return b_ - math.sqrt((1 - p) * (b_ - a_) * (b_ - c_))

    def high_for(c_: float) -> float:  # the high end that puts P90 on p90
        top_lo, top_hi = max(c_, p90), max(c_, p90) + 20 * (p90 - lo) + 1.0
        for _ in range(80):
            mid = (top_lo + top_hi) / 2
            if q(lo, c_, mid, 0.9) < p90:
                top_lo = mid
            else:
                top_hi = mid
        return (top_lo + top_hi) / 2

    c_lo, c_hi = lo, min(max(p50, lo), p90)
    if q(lo, c_lo, high_for(c_lo), 0.1) >= target10:  # even a mode at the end is above
        return lo, lo, min(high_for(lo), hi)
    for _ in range(60):  # P10 rises with the mode
        mid = (c_lo + c_hi) / 2
        if q(lo, mid, high_for(mid), 0.1) < target10:
            c_lo = mid
        else:
            c_hi = mid
    c = (c_lo + c_hi) / 2
    return lo, c, min(high_for(c), hi)


POOLED = ("minutes_factor", "staff_minutes_factor", "wait_factor")
"""Time factors, which share one pooled spread: a parameter whose cases come from one
publication borrows the spread the other time factors show between publications."""


@dataclass(frozen=True)
class Pool:
    """What the time factors with cases from two or more publications say together:
    the pooled spread within a parameter, and every case value (for a parameter with no
    case of its own, a prior: a lever is assumed to keep a share like the others)."""

    spread: float
    """The pooled standard deviation of a case about its parameter's mean."""
    dof: float
    values: tuple[tuple[float, float], ...]
    """(value, weight) of every time-factor case, each publication counted once."""
    parts: tuple[tuple[str, float, float], ...] = ()
    """(parameter, variance, degrees of freedom) of each parameter pooled."""

    def without(self, key: str) -> Pool | None:
        """The pool of the other parameters (a parameter's own spread is not its prior)."""
        rest = [(k, v, d) for k, v, d in self.parts if k != key]
        dof = sum(d for _, _, d in rest)
        if dof <= 0:
            return None
        return Pool(math.sqrt(sum(v * d for _, v, d in rest) / dof), dof, self.values,
                    tuple(rest))


def _weights(points: Sequence[tuple[float, float, str, str]]) -> list[float]:
    """A publication counts once: its cases' weights add up to at most 1."""
    per_pub: dict[str, float] = {}
    for _, w, _, pub in points:
        per_pub[pub] = per_pub.get(pub, 0.0) + w
    return [w / max(per_pub[pub], 1.0) for _, w, _, pub in points]


def _moments(points: Sequence[tuple[float, float, str, str]]) -> tuple[float, float, float]:
    """Weighted mean, unbiased variance and effective number of cases."""
    weights = _weights(points)
    total = sum(weights)
    n = total ** 2 / sum(w * w for w in weights) if total > 0 else 0.0
    y = [v for v, _, _, _ in points]
    m = sum(w * v for w, v in zip(weights, y, strict=True)) / total
    var = sum(w * (v - m) ** 2 for w, v in zip(weights, y, strict=True)) / total
    return m, (var * n / (n - 1) if n > 1 else math.nan), n


def pool(by_key: Mapping[str, Sequence[tuple[float, float, str, str]]]) -> Pool | None:
    """The pooled spread of the time factors fitted from two or more publications."""
    parts: list[tuple[str, float, float]] = []
    values: list[tuple[float, float]] = []
    for key, points in by_key.items():
        if key.rsplit(".", 1)[-1] not in POOLED:
            continue
        values += [(v, w) for (v, _, _, _), w in zip(points, _weights(points), strict=True)]
        if len({pub for _, _, _, pub in points}) < 2:
            continue
        _, var, n = _moments(points)
        if n >= 1.5 and math.isfinite(var):
            parts.append((key, var, n - 1))
    dof = sum(d for _, _, d in parts)
    if dof <= 0:
        return None
    return Pool(math.sqrt(sum(v * d for _, v, d in parts) / dof), dof, tuple(values),
                tuple(parts))


def fit_range(key: str, points: Sequence[tuple[float, float, str, str]],
              catalog: Param, pooled: Pool | None = None) -> Fitted:
    """A parameter's range from its cases: (value, weight, case name, publication).
    Two or more publications: its own mean and spread. One publication: a time factor
    takes its mean with the pooled spread of the others (``pooled``); any other
    parameter keeps its catalog range."""
    names = tuple(name for _, _, name, _ in points)
    publications = {pub for _, _, _, pub in points}
    m, var, n = _moments(points)
    lo, hi = domain(key)
    if len(publications) >= 2 and n >= 1.5:
        dof = n - 1
        if pooled is not None and key.rsplit(".", 1)[-1] in POOLED:
            # few cases say little about their own spread: it is shrunk toward the
            # spread of the other time factors (a scaled inverse-χ² prior with the
            # other parameters' degrees of freedom), and the t takes both
            others = pooled.without(key)
            if others is not None:
                var = (others.dof * others.spread ** 2 + dof * var) / (others.dof + dof)
                dof = others.dof + dof
        half = t90(dof) * math.sqrt(var * (1 + 1 / n))
    elif pooled is not None and key.rsplit(".", 1)[-1] in POOLED:
        half = t90(pooled.dof) * pooled.spread * math.sqrt(1 + 1 / max(n, 1.0))
        a, c, b = bounded_triangular(m - half, m, m + half, lo, hi)
        return Fitted(key, a, c, b, names, n, single=True, pooled=True)
    else:
        return Fitted(key, catalog.low, catalog.mode, catalog.high, names, n, single=True)
    a, c, b = bounded_triangular(m - half, m, m + half, lo, hi)
    return Fitted(key, a, c, b, names, n)


def prior_range(key: str, pooled: Pool | None, catalog: Param) -> Fitted:
    """The range of a parameter none of the fitting cases identifies (out of sample: the
    held-out publication was its only one). A time factor takes the pooled prior: the
    weighted mean and spread of every other time-factor case (a lever with no case of
    its own keeps a share like the levers with cases); any other parameter keeps its
    catalog range."""
    if pooled is None or key.rsplit(".", 1)[-1] not in POOLED or len(pooled.values) < 2:
        return Fitted(key, catalog.low, catalog.mode, catalog.high, (), 0.0, single=True)
    weights = [w for _, w in pooled.values]
    total = sum(weights)
    n = total ** 2 / sum(w * w for w in weights)
    m = sum(v * w for v, w in pooled.values) / total
    var = sum(w * (v - m) ** 2 for v, w in pooled.values) / total * n / max(n - 1, 1e-9)
    half = t90(max(n - 1, 1.0)) * math.sqrt(var * (1 + 1 / n))
    lo, hi = domain(key)
    a, c, b = bounded_triangular(m - half, m, m + half, lo, hi)
    return Fitted(key, a, c, b, (), n, single=True, pooled=True)


# ───────────── scores ─────────────

def interval_score(y: float, low: float, high: float, alpha: float = ALPHA) -> float:
    """The interval score of a central (1 − alpha) band: its width, plus 2/alpha times
    how far outside it the published figure falls."""
    return (high - low) + (2 / alpha) * max(low - y, 0.0) + (2 / alpha) * max(y - high, 0.0)


def weighted_interval_score(y: float, p10: float, p50: float, p90: float) -> float:
    """The weighted interval score of a median and one 80 % band (Bracher et al. 2021):
    (½·|y − median| + α/2 · IS_α) / 1.5, in the figure's units."""
    return (0.5 * abs(y - p50) + ALPHA / 2 * interval_score(y, p10, p90)) / 1.5


def naive_band(others: Sequence[float]) -> tuple[float, float, float] | None:
    """P10/P50/P90 of other cases' published reductions: the band with no model."""
    if len(others) < 2:
        return None
    q = np.quantile(np.asarray(others, dtype=float), [0.1, 0.5, 0.9])
    return float(q[0]), float(q[1]), float(q[2])


@dataclass(frozen=True)
class Score:
    """Scores over a set of predicted cases (reductions as shares 0–1)."""

    cases: int
    inside: int
    wis: float
    """Mean weighted interval score, in percentage points."""
    median_error: float
    """Median |P50 − published|, in percentage points."""
    within15: int

    @classmethod
    def of(cls, rows: Sequence[tuple[float, float, float, float]]) -> Score:
        """rows: (published, p10, p50, p90)."""
        if not rows:
            return cls(0, 0, math.nan, math.nan, 0)
        inside = sum(lo - 1e-9 <= y <= hi + 1e-9 for y, lo, _, hi in rows)
        wis = float(np.mean([weighted_interval_score(y, lo, m, hi) for y, lo, m, hi in rows]))
        errors = [abs(m - y) for y, _, m, _ in rows]
        return cls(len(rows), inside, wis * 100, float(np.median(errors)) * 100,
                   sum(e <= 0.15 + 1e-9 for e in errors))


# ───────────── the run: fit, predict, score ─────────────

def _key(case: Case) -> str:
    return "levers." + case.fit


def _publication(case: Case) -> str:
    return case.publication or case.path


def _scored(case: Case) -> bool:
    return case.scored


def folded(assumptions: Assumptions, key: str) -> Assumptions:
    """A time factor is fitted with its lever's exception share at 0: a published
    reduction already includes the cases staff finished by hand, so the fitted factor
    is the share of time kept over all the cases the lever meets (the catalog's RPA
    source says as much). The fitted file writes that 0 beside the factor."""
    lever, name = key.split(".")[1], key.rsplit(".", 1)[-1]
    exception = f"levers.{lever}.exception_rate"
    if name.endswith("minutes_factor") and exception in assumptions.params:
        return with_value(assumptions, exception, 0.0, FOLDED_SOURCE)
    return assumptions


FOLDED_SOURCE = ("fit: folded into the fitted time factor (a published reduction includes "
                 "the cases finished by hand)")


def reduction_at(case: Case, bundle: Bundle, assumptions: Assumptions
                 ) -> Callable[[float], float]:
    """The case's deterministic reduction as a function of its fitted parameter."""
    from bprkit.estimate import montecarlo as estimate

    process = bundle.root.processes[0]
    key = _key(case)
    base = folded(assumptions, key)

    def f(x: float) -> float:
        est = estimate.estimate(process, bundle, with_value(base, key, x),
                                levers=list(case.levers), samples=1)
        return float(est.reductions[case.measure].expected)
    return f


def band_of(case: Case, bundle: Bundle, assumptions: Assumptions, *, samples: int,
            seed: int) -> tuple[float, float, float]:
    """P10/P50/P90 of the case's reduction under ``assumptions``."""
    from bprkit.estimate import montecarlo as estimate

    process = bundle.root.processes[0]
    est = estimate.estimate(process, bundle, assumptions,
                            levers=list(case.levers), samples=samples,
                            seed=seed)
    r = est.reductions[case.measure]
    return float(r.p10), float(r.p50), float(r.p90)


def unserved(case: Case, bundle: Bundle, assumptions: Assumptions
             ) -> tuple[tuple[str, str, str], ...]:
    """The case's steps its fitted lever does not serve, with the rule that keeps it
    off where one does (a step the lever is not aimed at has none)."""
    from bprkit.analysis import levers as lever_module
    from bprkit.analysis.records import analyze_process

    lever = case.fit.split(".")[0]
    runs = analyze_process(bundle.root.processes[0], bundle, assumptions=assumptions,
                           with_findings=False).graph.runs
    out = []
    for run, plan in zip(runs, lever_module.plan_runs(runs, assumptions, list(case.levers)),
                         strict=True):
        if lever in plan.plan.chain:
            continue
        why = lever_module.why_not(assumptions.levers[lever], plan.plan.facts)
        out.append((run.step.id, *(why or ("", ""))))
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class Row:
    """One scored case: its published reduction and three bands (shares 0–1)."""

    case: Case
    published: float
    point: Point
    default: tuple[float, float, float]
    """The shipped defaults' band (in sample: the defaults cite these cases)."""
    fitted: tuple[float, float, float]
    """The band with ranges fitted on the other publications' cases (out of sample)."""
    naive: tuple[float, float, float] | None
    """The other cases' published reductions for the same lever (no model)."""


@dataclass(frozen=True)
class FitReport:
    """The fit on every case, and the leave-one-publication-out scores."""

    fitted: tuple[Fitted, ...]
    rows: tuple[Row, ...]
    unscored: tuple[Case, ...]
    unreachable: tuple[tuple[Case, Point], ...]
    samples: int
    seed: int

    def to_dict(self) -> dict[str, object]:
        def pct(band: tuple[float, float, float] | None) -> list[float] | None:
            return None if band is None else [round(x * 100, 2) for x in band]

        return {
            "samples": self.samples, "seed": self.seed,
            "fitted": [{"key": f.key, "low": round(f.low, 6), "mode": round(f.mode, 6),
                        "high": round(f.high, 6), "cases": list(f.cases),
                        "effective_cases": round(f.effective, 3), "single": f.single}
                       for f in self.fitted],
            "cases": [{"file": r.case.path, "name": r.case.name,
                       "published_pct": round(r.published * 100, 2),
                       "fitted_value": None if r.point.value is None
                       else round(r.point.value, 6),
                       "default_pct": pct(r.default), "out_of_sample_pct": pct(r.fitted),
                       "naive_pct": pct(r.naive)} for r in self.rows],
            "unscored": [{"file": c.path, "name": c.name,
                          "reason": c.scored_reason} for c in self.unscored],
            "unreachable": [{"file": c.path, "line": c.lines.get("fit", 1), "name": c.name,
                             "key": p.key, "unserved": [
                                 {"step": st, "reason": k or None, "fact": f or None}
                                 for st, k, f in p.unserved],
                             "reach_pct": [round(x * 100, 2) for x in p.reach]}
                            for c, p in self.unreachable],
            "scores": {which: {"cases": s.cases, "inside": s.inside,
                               "mean_interval_score_points": _finite(s.wis),
                               "median_error_points": _finite(s.median_error),
                               "within_15_points": s.within15}
                       for which in ("default", "fitted", "naive")
                       for s in (self.score(which),)},
            "targets": {"coverage": list(COVERAGE), "interval_score_below_defaults":
                        WIS_BELOW_DEFAULTS, "median_error_points": MEDIAN_ERROR,
                        "within_15_share": WITHIN15_SHARE, "missed": self.missed(),
                        "met": not self.missed()},
        }

    def missed(self) -> list[str]:
        """The targets the out-of-sample scores miss (empty when all hold): coverage,
        interval_score, median_error, within15."""
        fitted, default, naive = (self.score(w) for w in ("fitted", "default", "naive"))
        out = []
        n = fitted.cases
        if n == 0 or not COVERAGE[0] * n - 1e-9 <= fitted.inside <= COVERAGE[1] * n + 1e-9:
            out.append("coverage")
        better = fitted.wis <= WIS_BELOW_DEFAULTS * default.wis and (
            math.isnan(naive.wis) or fitted.wis < naive.wis)
        if not better:  # NaN compares False: an empty score misses too
            out.append("interval_score")
        if not fitted.median_error <= MEDIAN_ERROR:
            out.append("median_error")
        if n == 0 or fitted.within15 < WITHIN15_SHARE * n - 1e-9:
            out.append("within15")
        return out

    def score(self, which: str) -> Score:
        if which == "naive":
            return Score.of([(r.published, *r.naive) for r in self.rows if r.naive])
        return Score.of([(r.published, *getattr(r, which)) for r in self.rows])


def _finite(x: float) -> float | None:
    return None if math.isnan(x) else round(x, 3)


def _fit_all(items: Sequence[tuple[Case, Point]], assumptions: Assumptions,
             keys: Sequence[str] = ()) -> dict[str, Fitted]:
    """Every parameter's range from the cases' values; ``keys`` no case identifies get
    their prior (:func:`prior_range`)."""
    by_key: dict[str, list[tuple[float, float, str, str]]] = {}
    for case, point in items:
        if point.value is None:
            continue
        by_key.setdefault(point.key, []).append(
            (point.value, case.weight, case.name,
             _publication(case)))
    pooled = pool(by_key)
    out = {key: fit_range(key, pts, assumptions.params[key], pooled)
           for key, pts in by_key.items()}
    for key in keys:
        if key not in out:
            out[key] = prior_range(key, pooled, assumptions.params[key])
    return out


def with_fitted(assumptions: Assumptions, fits: Mapping[str, Fitted], source: str
                ) -> Assumptions:
    """The assumptions with every fitted range laid over them (a time factor's lever
    with its exception share folded in)."""
    out = assumptions
    for key, f in fits.items():
        out = with_range(folded(out, key), key, f.low, f.mode, f.high, source)
    return out


def baseline() -> Assumptions:
    """The defaults before the fit (``baseline.toml``): the yardstick of the targets."""
    from importlib import resources

    from bprkit.assumptions import catalog as assumptions_module

    baseline = resources.files("bprkit.estimate.backtest").joinpath("baseline.toml")
    with resources.as_file(baseline) as p:
        return assumptions_module.load(str(p))


def run(cases: Sequence[Case], bundles: Sequence[Bundle], assumptions: Assumptions, *,
        samples: int, seed: int, before: Assumptions | None = None) -> FitReport:
    """Fit every parameter on all scored cases; score each publication's cases with
    ranges fitted on the others. ``before``: the defaults the targets are measured
    against (:func:`baseline`); the "default" row scores them."""
    scored = [(c, b) for c, b in zip(cases, bundles, strict=True) if _scored(c)]
    unscored = tuple(c for c in cases if not _scored(c))
    items, fitted, base = _fit_rounds(scored, assumptions)
    yardstick = assumptions if before is None else before
    rows = _rows(scored, items, assumptions, yardstick, samples=samples, seed=seed)
    by_case = {id(c): b for c, b in scored}
    unreachable = tuple((c, replace(p, unserved=unserved(c, by_case[id(c)], base)))
                        for c, p in items if p.value is None)
    return FitReport(tuple(fitted[k] for k in sorted(fitted)), tuple(rows), unscored,
                     unreachable, samples, seed)


def _fit_rounds(scored: Sequence[tuple[Case, Bundle]], assumptions: Assumptions
                ) -> tuple[list[tuple[Case, Point]], dict[str, Fitted], Assumptions]:
    """A chain case's value depends on the other lever's range (AI-OCR's on RPA's),
    which the fit itself gives: fit, lay the ranges over, fit again until nothing moves
    (at most ROUNDS times). Returns the last round's points and ranges, and the
    assumptions that round inverted the cases on."""
    base = assumptions
    previous: dict[str, Fitted] = {}
    for _ in range(ROUNDS):
        items = [(case, invert(reduction_at(case, bundle, base), case.published, _key(case)))
                 for case, bundle in scored]
        fitted = _fit_all(items, assumptions)
        if previous and _settled(previous, fitted):
            break
        previous = fitted
        base = with_fitted(assumptions, fitted, "fit")
    return items, fitted, base


def _settled(previous: Mapping[str, Fitted], fitted: Mapping[str, Fitted]) -> bool:
    """The same parameters, and no range moved by 1e-6 or more."""
    return all(abs(getattr(f, k) - getattr(previous[key], k)) < 1e-6
               for key, f in fitted.items() if key in previous
               for k in ("low", "mode", "high")) and previous.keys() == fitted.keys()


def _rows(scored: Sequence[tuple[Case, Bundle]], items: Sequence[tuple[Case, Point]],
          assumptions: Assumptions, yardstick: Assumptions, *, samples: int,
          seed: int) -> list[Row]:
    """Each scored case with its band under the yardstick, its band out of sample (every
    range refitted without its publication) and the naive band of the others."""
    keys = sorted({_key(c) for c, _ in items})
    rows = []
    held: dict[str, dict[str, Fitted]] = {}
    for (case, bundle), (_, point) in zip(scored, items, strict=True):
        pub = _publication(case)
        others = [(c, p) for c, p in items if _publication(c) != pub]
        if pub not in held:  # every fitted range refitted without this publication
            held[pub] = _fit_all(others, assumptions, keys)
        a_out = with_fitted(assumptions, held[pub], "fit, out of sample")
        lever = _key(case).split(".")[1]
        naive = naive_band([c.published for c, _ in others
                            if _key(c).split(".")[1] == lever])
        rows.append(Row(case, case.published, point,
                        band_of(case, bundle, yardstick, samples=samples, seed=seed),
                        band_of(case, bundle, a_out, samples=samples, seed=seed), naive))
    return rows


def to_toml(report: FitReport, cases: Sequence[Case]) -> str:
    """The fitted ranges as an assumptions file (``--assumptions``): every range with
    a source naming its cases and their publications."""
    by_name = {case.name: case for case in cases}
    lines = ["# Lever ranges fitted to the published backtest cases (docs/backtest.md, "
             "\"The fit\").",
             "# Written by: bprkit backtest --fit -o FILE. The shipped copy is",
             "# bprkit/assumptions/fitted.toml, laid over default.toml; regenerate",
             "# it with",
             "#   make fit",
             "# Each source names the cases behind the range. A parameter whose cases come",
             "# from one publication only and is not a time factor keeps its catalog range",
             "# and is not written here.", ""]
    by_lever: dict[str, list[Fitted]] = {}
    for f in report.fitted:
        if f.single and not f.pooled:
            continue
        by_lever.setdefault(f.key.split(".")[1], []).append(f)
    for lever, fits in sorted(by_lever.items()):
        lines.append(f"[levers.{lever}]")
        if any(f.key.endswith("minutes_factor") for f in fits):
            lines.append(f'exception_rate = {{ value = 0, source = "{FOLDED_SOURCE}" }}')
        for f in fits:
            behind = [f"{name} — {by_name[name].source}" for name in f.cases
                      if name in by_name]
            source = f.source(behind).replace("\\", "\\\\").replace('"', "'")
            lines.append(f"{f.key.rsplit('.', 1)[-1]} = {{ low = {f.low:.6g}, mode = "
                         f"{f.mode:.6g}, high = {f.high:.6g}, source = \"{source}\" }}")
        lines.append("")
    return "\n".join(lines)


def format_text(report: FitReport, lang: str) -> str:
    """The fitted ranges with their cases, the out-of-sample table and its scores
    against the shipped defaults and the naive band."""
    from bprkit.estimate.backtest.cases import _pad, _rpad, _width, text

    def t(name: str, **a: object) -> str:
        return text(lang, name, **a)

    def pct(x: float) -> str:
        return f"{x * 100:6.1f}"

    lines = [t("fit_head", cases=len(report.rows), samples=report.samples, seed=report.seed),
             ""]
    for f in report.fitted:
        which = (t("fit_pooled") if f.pooled else t("fit_single") if f.single
                 else t("fit_range", n=f"{f.effective:.1f}"))
        lines.append(f"  {f.key}: {f.low:.3g} .. {f.mode:.3g} .. {f.high:.3g}  ({which})")
        lines.extend(f"      {name}" for name in f.cases)
    for case, point in report.unreachable:
        lines.append("  " + t("fit_unreachable", case=case.name, key=point.key,
                              file=case.path, line=case.lines.get("fit", 1),
                              low=pct(min(point.reach)).strip(),
                              high=pct(max(point.reach)).strip()))
        lines.extend("      " + _unserved_text(step, kind, fact, lang)
                     for step, kind, fact in point.unserved)
    for case in report.unscored:
        lines.append("  " + t("fit_unscored", case=case.name,
                              reason=case.scored_reason or "-"))
    names = [r.case.name for r in report.rows]
    w = max([_width(t("col_case"))] + [_width(s) for s in names])
    head = (f"{_pad(t('col_case'), w)}  {_rpad(t('col_published'), 6)}  "
            f"{_pad(t('fit_col_default'), 20)}  {_pad(t('fit_col_fitted'), 20)}  "
            f"{t('fit_col_naive')}")
    lines += ["", t("fit_table_head"), "", head, "-" * _width(head)]

    def band(b: tuple[float, float, float] | None, y: float) -> str:
        if b is None:
            return _pad("-", 20)
        mark = "*" if b[0] - 1e-9 <= y <= b[2] + 1e-9 else " "
        return _pad(f"{pct(b[0])}{pct(b[1])}{pct(b[2])}{mark}", 20)

    for r in report.rows:
        lines.append(f"{_pad(r.case.name, w)}  {pct(r.published)}  "
                     f"{band(r.default, r.published)}  {band(r.fitted, r.published)}  "
                     f"{band(r.naive, r.published).rstrip()}")
    lines.append("")
    lines.append(format_scores(report, lang))
    return "\n".join(lines)


def _unserved_text(step: str, kind: str, fact: str, lang: str) -> str:
    from bprkit.estimate.backtest.cases import text
    from bprkit.messages import catalog as messages

    if not kind:
        return text(lang, "fit_unserved_untargeted", step=step)
    return text(lang, "fit_unserved_" + kind, step=step, fact=messages.fact(lang, fact))


def format_scores(report: FitReport, lang: str) -> str:
    """The three bands' scores, what they mean, and the verdict on the targets."""
    from bprkit.estimate.backtest.cases import text
    from bprkit.messages import catalog as messages

    def t(name: str, **a: object) -> str:
        return text(lang, name, **a)

    lines = []
    for which in ("default", "fitted", "naive"):
        s = report.score(which)
        lines.append(t("fit_score", which=t(f"fit_col_{which}"), inside=s.inside,
                       cases=s.cases, wis=f"{s.wis:.1f}", error=f"{s.median_error:.1f}",
                       within=s.within15))
    lines.append(t("fit_note"))
    missed = report.missed()
    lines.append(t("verdict_met") if not missed else
                 t("verdict_missed", which=messages.separator(lang).join(
                     t("target_" + m) for m in missed)))
    return "\n".join(lines)
