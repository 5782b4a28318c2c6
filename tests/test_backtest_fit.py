"""bprkit backtest --fit: per case the value reproducing its published figure, per
parameter a predictive range, and scores out of sample (docs/backtest.md)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bprkit.assumptions import catalog as assumptions
from bprkit.assumptions.catalog import Param
from bprkit.estimate.backtest import cases as backtest
from bprkit.estimate.backtest import fit

from .clirunner import run_cli

A = assumptions.default()
CASES = Path(backtest.bundled())


def test_invert_finds_the_value_and_says_when_none_reaches() -> None:
    p = fit.invert(lambda x: 1 - x, 0.3, "levers.rpa.minutes_factor")
    assert p.value == pytest.approx(0.7, abs=1e-6)
    p = fit.invert(lambda x: min(x, 1.0), 0.25, "levers.online.adoption")
    assert p.value == pytest.approx(0.25, abs=1e-6)
    none = fit.invert(lambda x: 0.5 - 0.01 * x, 0.9, "levers.rpa.minutes_factor")
    assert none.value is None and none.reach == pytest.approx((0.5, 0.3))


def test_t_percentile() -> None:
    assert fit.t90(2) == pytest.approx(1.886, abs=0.01)
    assert fit.t90(10) == pytest.approx(1.372, abs=0.005)
    assert fit.t90(1) == pytest.approx(3.078, rel=0.05)
    assert fit.t90(1000) == pytest.approx(fit.Z80, abs=0.001)


def test_a_triangular_with_the_asked_percentiles() -> None:
    low, mode, high = fit.triangular_for(0.1, 0.25, 0.6)
    def cdf(x: float) -> float:
        if x <= mode:
            return (x - low) ** 2 / ((high - low) * (mode - low))
        return 1 - (high - x) ** 2 / ((high - low) * (high - mode))
    assert mode == 0.25 and cdf(0.1) == pytest.approx(0.1) and cdf(0.6) == pytest.approx(0.9)


def test_predictive_range_by_hand() -> None:
    catalog = Param("levers.rpa.minutes_factor", 0.01, 0.1, 0.35, "catalog")
    points = [(0.3, 1.0, "a", "p1"), (0.4, 1.0, "b", "p2"), (0.5, 1.0, "c", "p3")]
    f = fit.fit_range("levers.rpa.minutes_factor", points, catalog)
    half = fit.t90(2) * math.sqrt(0.01 * (1 + 1 / 3))  # unbiased variance 0.01, n = 3
    low, mode, high = fit.triangular_for(0.4 - half, 0.4, 0.4 + half)
    assert (f.low, f.mode, f.high) == pytest.approx((low, mode, high))
    assert f.effective == pytest.approx(3) and not f.single and f.cases == ("a", "b", "c")


def test_one_publication_counts_once_and_one_alone_keeps_the_catalog() -> None:
    catalog = Param("levers.ai_ocr.minutes_factor", 0.15, 0.4, 0.85, "catalog")
    # two cases of one publication (weights 0.5 each, as the 神奈川県 pair) and one other
    f = fit.fit_range(catalog.key, [(0.5, 0.5, "a", "p1"), (0.6, 0.5, "b", "p1"),
                                    (0.2, 1.0, "c", "p2")], catalog)
    assert f.effective == pytest.approx(8 / 3)  # weights 0.5, 0.5, 1: (Σw)² / Σw² = 4 / 1.5
    alone = fit.fit_range(catalog.key, [(0.5, 1.0, "a", "p1"), (0.6, 1.0, "b", "p1")],
                          catalog)
    assert alone.single and (alone.low, alone.mode, alone.high) == (0.15, 0.4, 0.85)


def test_interval_scores_by_hand() -> None:
    assert fit.interval_score(0.5, 0.4, 0.6) == pytest.approx(0.2)
    assert fit.interval_score(0.8, 0.4, 0.6) == pytest.approx(0.2 + 10 * 0.2)
    assert fit.weighted_interval_score(0.5, 0.4, 0.5, 0.6) == pytest.approx(0.1 * 0.2 / 1.5)
    assert fit.weighted_interval_score(0.8, 0.4, 0.5, 0.6) == pytest.approx(
        (0.5 * 0.3 + 0.1 * 2.2) / 1.5)
    assert fit.naive_band([0.1]) is None
    assert fit.naive_band([0.0, 1.0]) == pytest.approx((0.1, 0.5, 0.9))


def test_a_fitted_value_reproduces_its_case() -> None:
    paths = [str(CASES / "rpa_yokohama_id.bpr")]
    cases, report = backtest.load(paths, list(A.levers))
    case, bundle = cases[0], report.files[0].bundle
    f = fit.reduction_at(case, bundle, A)
    point = fit.invert(f, case.published, "levers." + case.fit)
    assert point.value is not None and 0 < point.value < 1
    assert f(point.value) == pytest.approx(case.published, abs=1e-5)


def test_cli_fit_writes_an_assumptions_file_and_scores_out_of_sample(tmp_path: Path) -> None:
    out = tmp_path / "fit.toml"
    r = run_cli("backtest", "--fit", "--samples", "500", "--lang", "en", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "Leave one publication out" in r.stdout and "naive band" in r.stdout
    fitted = assumptions.load(str(out))
    rpa = fitted.params["levers.rpa.minutes_factor"]
    assert rpa.source.startswith("fit (bprkit backtest --fit)")
    assert "横浜市" in rpa.source and "宜野湾市 児童手当" not in rpa.source  # unreachable: left out
    assert fitted.value("levers.rpa.exception_rate") == 0  # folded into the fitted factor
    doc = json.loads(run_cli("backtest", "--fit", "--samples", "500", "--format",
                             "json").stdout)
    scores = doc["scores"]
    # today's level, measured (docs/backtest.md): the fit is out of sample and beats the
    # naive band on the median error; the targets of issue 20 are not met yet
    assert scores["fitted"]["cases"] == scores["default"]["cases"] == 18
    assert scores["fitted"]["inside"] >= 8
    assert scores["fitted"]["median_error_points"] < scores["naive"]["median_error_points"]
    assert {c["name"] for c in doc["unreachable"]} >= {"宜野湾市 児童手当 現況届（RPA）"}


def test_cli_fit_bad_input(tmp_path: Path) -> None:
    assert run_cli("backtest", "-o", str(tmp_path / "x.toml")).returncode == 2
    case = tmp_path / "c.bpr"
    text = (CASES / "rpa_yokohama_id.bpr").read_text("utf-8")
    case.write_text("\n".join(x for x in text.splitlines() if "backtest.fit" not in x),
                    encoding="utf-8")
    r = run_cli("backtest", str(case), "--fit", "--lang", "en")
    assert r.returncode == 1 and f"{case}:" in r.stderr and "backtest.fit" in r.stderr
    r = run_cli("backtest", str(CASES / "rpa_yokohama_id.bpr"), "--fit", "-o",
                str(CASES / "rpa_yokohama_id.bpr"))
    assert r.returncode == 2  # never over an input


def test_what_the_band_measured_is_what_the_backtest_measures() -> None:
    """measured.toml is what every band output says: it must be today's backtest."""
    paths = backtest.case_files(backtest.bundled())
    cases, report = backtest.load(paths, list(A.levers))
    bundles = [f.bundle for f in report.files]
    live = backtest.run(cases, bundles, A)
    scored = [r for r in live.results if getattr(r.case, "scored", True)]
    m = backtest.measured()
    assert (m.scored, m.inside) == (len(scored), sum(r.inside for r in scored))
    from bprkit.estimate.montecarlo import DEFAULT_SEED

    fitted = fit.run(cases, bundles, A, samples=backtest.DEFAULT_SAMPLES, seed=DEFAULT_SEED)
    assert m.fitted_inside == fitted.score("fitted").inside


def test_every_band_output_says_what_it_measured(tmp_path: Path) -> None:
    from .conftest import PROCESSES

    line_ja = f"公表された結果 {backtest.measured().scored} 件のうち"
    r = run_cli("estimate", str(PROCESSES / "tenshutsu.bpr"), "--samples", "200", "--lang", "ja")
    assert line_ja in r.stdout and "10 回に 8 回" not in r.stdout
    r = run_cli("estimate", str(PROCESSES / "tenshutsu.bpr"), "--samples", "200",
                "--format", "json")
    assert json.loads(r.stdout)["band_measured"]["inside"] == backtest.measured().inside
    r = run_cli("portfolio", str(PROCESSES / "tenshutsu.bpr"), "--samples", "200", "--quiet",
                "--lang", "en")
    assert "fell inside a band fitted without them" in r.stdout
    out = tmp_path / "r.html"
    r = run_cli("report", str(PROCESSES / "tenshutsu.bpr"), "-o", str(out), "--samples", "200",
                "--no-backtest", "--quiet", "--lang", "ja")
    assert r.returncode == 0, r.stderr
    assert line_ja in out.read_text("utf-8") and "10 回に 8 回" not in out.read_text("utf-8")


def _quantile(low: float, mode: float, high: float, p: float) -> float:
    f = (mode - low) / (high - low)
    if p < f:
        return low + math.sqrt(p * (high - low) * (mode - low))
    return high - math.sqrt((1 - p) * (high - low) * (high - mode))


def test_a_range_reaching_below_zero_starts_at_zero_and_keeps_its_p90() -> None:
    """A kept share cannot fall below 0: the triangle starts there, its P90 stays on the
    interval's high end and its P10 comes as near the low end as a triangle can."""
    a, c, b = fit.bounded_triangular(-0.2, 0.25, 0.7, 0.0, 20.0)
    assert a == 0.0 and 0.0 <= c <= 0.25
    assert _quantile(a, c, b, 0.9) == pytest.approx(0.7, abs=1e-6)
    assert _quantile(a, c, b, 0.1) < 0.1
    inside = fit.bounded_triangular(0.3, 0.45, 0.7, 0.0, 20.0)
    assert inside[0] > 0 and inside == pytest.approx(fit.triangular_for(0.3, 0.45, 0.7))


def test_few_cases_borrow_the_spread_of_the_other_levers() -> None:
    """Two publications say little of their own spread: it is shrunk toward the pooled
    spread of the other time factors (by hand: degrees of freedom add up); one
    publication takes its mean with the pooled spread; a parameter with no case takes
    the pooled prior of every time-factor case."""
    rpa = Param("levers.rpa.minutes_factor", 0.01, 0.1, 0.35, "catalog")
    ocr = Param("levers.ai_ocr.minutes_factor", 0.15, 0.4, 0.85, "catalog")
    nwc = Param("levers.no_writing_counter.minutes_factor", 0.1, 0.2, 0.4, "catalog")
    by_key = {ocr.key: [(0.2, 1.0, "a", "p1"), (0.4, 1.0, "b", "p2"), (0.6, 1.0, "c", "p3")],
              rpa.key: [(0.3, 1.0, "d", "p4"), (0.32, 1.0, "e", "p5")],
              nwc.key: [(0.5, 1.0, "f", "p6")]}
    pooled = fit.pool(by_key)
    assert pooled is not None and pooled.dof == pytest.approx(3)  # 2 (AI-OCR) + 1 (RPA)
    f = fit.fit_range(rpa.key, by_key[rpa.key], rpa, pooled)
    var = (2 * 0.04 + 1 * 0.0002) / 3  # AI-OCR's 0.04 on 2 dof, RPA's own 0.0002 on 1
    half = fit.t90(3) * math.sqrt(var * (1 + 1 / 2))
    assert (f.low, f.mode, f.high) == pytest.approx(
        fit.bounded_triangular(0.31 - half, 0.31, 0.31 + half, 0.0, 20.0))
    one = fit.fit_range(nwc.key, by_key[nwc.key], nwc, pooled)
    half = fit.t90(pooled.dof) * pooled.spread * math.sqrt(2)
    assert one.single and one.pooled and one.high == pytest.approx(
        fit.bounded_triangular(0.5 - half, 0.5, 0.5 + half, 0.0, 20.0)[2])
    prior = fit.prior_range("levers.no_writing_counter.wait_factor", pooled,
                            Param("levers.no_writing_counter.wait_factor", 0.3, 0.4, 0.7, "c"))
    assert prior.pooled and prior.cases == () and prior.high > 0.6
    share = Param("levers.convenience_store.adoption", 0.02, 0.08, 0.2, "catalog")
    kept = fit.fit_range(share.key, [(0.09, 1.0, "g", "p7")], share, pooled)
    assert kept.single and not kept.pooled and (kept.low, kept.high) == (0.02, 0.2)


def test_header_facts_must_be_what_the_model_reads(tmp_path: Path) -> None:
    """backtest.verify and backtest.batch say what the publication states; the body's
    tag and batch line are what the estimate reads: a mismatch is an error naming the
    file and line, and nothing is printed on stdout."""
    text = (CASES / "aiocr_kuji_survey.bpr").read_text("utf-8")
    bad = tmp_path / "verify.bpr"
    bad.write_text(text.replace("抽出確認", "全件確認"), encoding="utf-8")
    r = run_cli("backtest", str(bad), "--lang", "en")
    assert r.returncode == 1 and r.stdout == ""
    assert f"{bad}:10: backtest.verify is sample" in r.stderr and "[抽出確認]" in r.stderr
    text = (CASES / "aiocr_kanagawa_100.bpr").read_text("utf-8")
    bad = tmp_path / "batch.bpr"
    bad.write_text(text.replace("# backtest.batch: 100", "# backtest.batch: 30"),
                   encoding="utf-8")
    r = run_cli("backtest", str(bad), "--lang", "ja")
    assert r.returncode == 1 and r.stdout == ""
    assert f"{bad}:11: backtest.batch は 30 件" in r.stderr and "1 回 100 件" in r.stderr


def test_an_unreachable_case_names_the_steps_the_lever_does_not_serve() -> None:
    doc = json.loads(run_cli("backtest", "--fit", "--samples", "200", "--format",
                             "json").stdout)
    ginowan = next(u for u in doc["unreachable"] if "児童手当" in u["name"])
    assert ginowan["line"] == 9 and ginowan["file"].endswith("rpa_ginowan_jidou_teate.bpr")
    assert {(u["step"], u["reason"], u["fact"]) for u in ginowan["unserved"]} == {
        ("受付日入力", "needs", "electronic_input"), ("台帳更新", "needs", "electronic_input")}
    text = run_cli("backtest", "--fit", "--samples", "200", "--lang", "ja").stdout
    assert "rpa_ginowan_jidou_teate.bpr:9: 宜野湾市 児童手当" in text
    assert "受付日入力: 施策が当たりません。必要な条件: 入力が電子データ" in text
