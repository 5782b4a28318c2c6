"""The backtest: the bundled cases against their published figures, the header the
tool reads, bad input (file:line, nothing written) and the CLI's exit codes."""

from __future__ import annotations

import functools
import json
import tomllib
import zipfile
from pathlib import Path

import pytest

from bprkit.assumptions import catalog as assumptions
from bprkit.estimate import montecarlo as estimate
from bprkit.estimate.backtest import cases as backtest
from bprkit.estimate.backtest import fit

from .clirunner import run_cli

A = assumptions.default()
LEVERS = list(A.levers)
CASES = Path(backtest.bundled())

HEADER = """# backtest.name: 試験 入力（RPA）
# backtest.measure: staff
# backtest.before: 1,200
# backtest.after： 300
# backtest.unit: h/year
# backtest.levers: rpa、ai_ocr
# backtest.source: test
#
# a free comment
"""
# a process no lever can touch: its reduction is 0 whatever the catalog says
UNTOUCHED = """process p 「試験」 {
  volume 1,000 / year
  lane 事務 「担当」 : back_office
  step 判断 「内容を判断」 @事務 [判断] 10min
}
"""


def _case(folder: Path, name: str, header: str, body: str = UNTOUCHED) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(header + "\n" + body, encoding="utf-8")
    return path


def _header(**values: str) -> str:
    fields = {"name": "試験", "measure": "staff", "before": "100", "after": "100",
              "unit": "h/year", "levers": "rpa", "source": "test"} | values
    return "".join(f"# backtest.{k}: {v}\n" for k, v in fields.items() if v is not None)


# ───────────── the bundled cases ─────────────

def test_bundled_cases_model_the_sources() -> None:
    """At least 12 cases, each with its figures and source, over the levers and
    measures sources.md has published figures for."""
    files = sorted(CASES.glob("*.bpr"))
    assert len(files) >= 12
    cases = []
    for path in files:
        case, errors = backtest.read_header(str(path), LEVERS)
        assert not errors, [e.render("en") for e in errors]
        assert "sources.md" in case.source, path.name
        cases.append(case)
    levers = {lever for c in cases for lever in c.levers}
    assert {"rpa", "ai_ocr", "no_writing_counter", "e_approval", "convenience_store",
            "online"} <= levers
    assert {"staff", "lead", "wait", "resident"} <= {c.measure for c in cases}
    assert any(set(c.levers) == {"ai_ocr", "rpa"} for c in cases)
    report = backtest.load([str(p) for p in files], LEVERS)[1]
    assert report.ok, [d.render("en") for d in report.diagnostics]


def test_bundled_cases_say_how_they_count() -> None:
    """Every bundled case names its publication and the parameter its figure identifies;
    cases of one publication share the id; one datum counted twice is weighted half; a
    case left out of the scores says why (issue 20)."""
    cases = {Path(c.path).stem: c for c in (
        backtest.read_header(str(p), LEVERS)[0] for p in sorted(CASES.glob("*.bpr")))}
    for stem, case in cases.items():
        assert "publication" in case.lines and "fit" in case.lines, stem
        assert case.fit.split(".")[0] in case.levers, stem
        assert case.scored or case.scored_reason, stem
    by_publication: dict[str, set[str]] = {}
    for stem, case in cases.items():
        by_publication.setdefault(case.publication, set()).add(stem)
    for pair in (("aiocr_kanagawa_100", "aiocr_kanagawa_1000"),
                 ("counter_kagoshima_wait", "counter_kagoshima_taniyama_wait"),
                 ("aiocr_kuji_survey", "aiocr_rpa_kuji_tax"),
                 ("aiocr_otawara_survey", "aiocr_rpa_otawara_kenshin"),
                 ("rpa_ginowan_jidou_teate", "aiocr_rpa_ginowan_shugaku")):
        assert cases[pair[0]].publication == cases[pair[1]].publication, pair
    # the 1,000-sheet figure is a projection from the same 30-sheet timing as the 100
    assert cases["aiocr_kanagawa_100"].weight == cases["aiocr_kanagawa_1000"].weight == 0.5
    assert {s for s, c in cases.items() if c.weight != 1} == {
        "aiocr_kanagawa_100", "aiocr_kanagawa_1000"}
    assert {s for s, c in cases.items() if not c.scored} == {
        "approval_kyoto_pref", "counter_kyoto_branch", "online_fukuroi_gakudo_share",
        "counter_kagoshima_queue", "counter_kagoshima_taniyama_queue"}
    assert cases["aiocr_rpa_kuji_tax"].verify == "all"
    assert cases["aiocr_kuji_survey"].verify == "sample"
    # the 現況届 come by post: the steps read paper (沖縄タイムス), not electronic data
    text = (CASES / "rpa_ginowan_jidou_teate.bpr").read_text(encoding="utf-8")
    assert "[紙, 郵送, 転記, 定型]" in text and "沖縄タイムス" in cases[
        "rpa_ginowan_jidou_teate"].source


def _bundled() -> backtest.Report:
    cases, report = backtest.load(backtest.case_files(str(CASES)), LEVERS)
    return backtest.run(cases, [f.bundle for f in report.files], A)


def _bundled_cases() -> tuple[list, list]:
    cases, report = backtest.load(backtest.case_files(str(CASES)), LEVERS)
    return cases, [f.bundle for f in report.files]


@functools.cache
def _out_of_sample() -> fit.FitReport:
    cases, bundles = _bundled_cases()
    return fit.run(cases, bundles, A, samples=backtest.DEFAULT_SAMPLES,
                   seed=estimate.DEFAULT_SEED, before=fit.baseline())


@pytest.mark.xfail(strict=True, reason=(
    "NOT MET (issue 20): scored leave one publication out, 13 of the 18 scored cases fall "
    "inside the fitted P10-P90 (target 75-90 %: 14), the mean interval score is 62.8 points "
    "against 68.3 for the defaults before the fit (target 15 % below: 58.1), the median "
    "|P50 - published| is 17.0 points (target 12), 8 within 15 points (target 9). Three "
    "cases no range reaches (久慈市 収納 -912 %, 宜野湾市 児童手当 0 % modelled, 岩見沢市 "
    "above the lever's reach) and 久慈市 収納's interval score alone (about 50 of the 62.8) "
    "decide it; docs/backtest.md, 'Where the targets stand'. "
    "strict: this test fails the suite the day the targets hold, so the mark comes off."))
def test_bundled_cases_meet_the_targets_out_of_sample() -> None:
    """The goal of the backtest, scored on cases the ranges were not fitted to: coverage
    of P10-P90 between 75 % and 90 %, a mean weighted interval score 15 % below the
    defaults' and below the naive band's, a median |P50 - published| of at most 12 points
    and half of the cases within 15. A miss is fixed in the model or the defaults with a
    source, never by shaping a case."""
    scores = _out_of_sample()
    assert scores.missed() == [], fit.format_scores(scores, "en")


def test_bundled_cases_do_not_fall_below_today() -> None:
    """A guard while the targets are not met: a change of the defaults or of the
    lever rules may not make the backtest worse than it is (of the 23 cases, 18 scored:
    14 inside the shipped, fitted band; out of sample 13 inside, mean interval score
    62.8 against 68.3 for the defaults before the fit, 8 within 15 points)."""
    result = _bundled()
    table = backtest.format_text(result, "en")
    assert (len(result.results), len(result.scored)) == (23, 18), table
    assert result.inside >= 14, table
    scores = _out_of_sample()
    fitted, before = scores.score("fitted"), scores.score("default")
    text = fit.format_scores(scores, "en")
    assert fitted.inside >= 13 and fitted.within15 >= 8, text
    assert fitted.wis <= 63.0 and before.wis == pytest.approx(68.3, abs=0.1), text


def test_the_shipped_ranges_are_the_fit() -> None:
    """fitted.toml is what `make fit` writes now: a change of the cases or the model
    that moves the fit fails here until the file is regenerated."""

    from bprkit.assumptions import catalog as assumptions

    scores = _out_of_sample()
    cases, _ = _bundled_cases()
    written = tomllib.loads(fit.to_toml(scores, cases))
    shipped = tomllib.loads((Path(assumptions.__file__).parent / "fitted.toml")
                            .read_text(encoding="utf-8"))
    assert written.keys() == shipped.keys() == {"levers"}
    assert written["levers"].keys() == shipped["levers"].keys()
    for lever, params in written["levers"].items():
        assert params.keys() == shipped["levers"][lever].keys(), lever
        for name, p in params.items():
            for k in ("low", "mode", "high", "value"):
                if k in p:
                    assert shipped["levers"][lever][name][k] == pytest.approx(
                        p[k], abs=1e-3), (lever, name, k)
            assert shipped["levers"][lever][name]["source"] == p["source"]
    live = assumptions.default()
    for f in scores.fitted:
        if not f.single or f.pooled:
            assert live.params[f.key].source.startswith("fit"), f.key


def test_the_targets_by_hand() -> None:
    """Coverage is two-sided: a band holding every case misses as one holding few."""
    def report(inside: int, wis: float) -> fit.FitReport:
        rows = tuple(fit.Row(None, 0.5, fit.Point("k", 0.5), (0.0, 0.5, 1.0),
                             (0.4, 0.5, 0.6) if k < inside else (0.6, 0.7, 0.8),
                             (0.0, 0.5, 1.0)) for k in range(10))
        return fit.FitReport((), rows, (), (), 100, 1)

    assert "coverage" not in report(8, 0.0).missed()
    assert "coverage" in report(10, 0.0).missed() and "coverage" in report(7, 0.0).missed()
    assert "median_error" in report(4, 0.0).missed()  # six P50s 20 points off


def test_backtest_json_lists_every_case() -> None:
    r = run_cli("backtest", "--format", "json")  # its speed: benchmarks/bench_backtest.py
    assert r.returncode == 1, r.stderr  # the targets miss (see above): exit 1 says so
    assert len(json.loads(r.stdout)["cases"]) >= 12


# ───────────── the header ─────────────

def test_header_is_read(tmp_path: Path) -> None:
    path = _case(tmp_path, "c.bpr", HEADER)
    case, errors = backtest.read_header(str(path), LEVERS)
    assert errors == []
    assert case.name == "試験 入力（RPA）"
    assert case.measure == "staff"
    assert (case.before, case.after) == (1200.0, 300.0)  # 1,200 and a full-width colon
    assert case.published == pytest.approx(0.75)
    assert case.levers == ("rpa", "ai_ocr")  # 、 separates too
    assert case.unit == "h/year" and case.source == "test"
    assert case.lines["before"] == 3 and case.lines["source"] == 7
    # the optional keys' defaults: its own publication, full weight, scored, no fit
    assert (case.publication, case.weight, case.scored, case.scored_reason, case.fit) == (
        "c", 1.0, True, "", "")
    assert (case.batch, case.fields, case.verify, case.exceptions) == (None, None, "", None)


def test_optional_keys_are_read(tmp_path: Path) -> None:
    path = _case(tmp_path, "c.bpr", _header(
        levers="ai_ocr, rpa", publication="kanagawa-aiocr-2020", weight="0.5",
        scored="no — 目標であって実績ではない", fit="ai_ocr.minutes_factor", batch="1,000",
        fields="１２", verify="全件", exceptions="0.487"))
    case, errors = backtest.read_header(str(path), LEVERS)
    assert errors == []
    assert (case.publication, case.weight, case.fit) == (
        "kanagawa-aiocr-2020", 0.5, "ai_ocr.minutes_factor")
    assert case.scored is False and case.scored_reason == "目標であって実績ではない"
    assert (case.batch, case.fields, case.verify, case.exceptions) == (1000, 12, "all", 0.487)
    for value, word in (("sample", "sample"), ("抽出", "sample"), ("なし", "none"),
                        ("None", "none")):
        path = _case(tmp_path, "v.bpr", _header(verify=value))
        assert backtest.read_header(str(path), LEVERS)[0].verify == word
    for value, scored in (("yes", True), ("はい", True), ("いいえ：理由", False),
                          ("No - reason", False)):
        path = _case(tmp_path, "s.bpr", _header(scored=value))
        assert backtest.read_header(str(path), LEVERS)[0].scored is scored


@pytest.mark.parametrize(("values", "key"), [
    ({"publication": "two words"}, "bad_publication"),
    ({"publication": ""}, "empty"),
    ({"weight": "half"}, "bad_number"),
    ({"weight": "0"}, "bad_weight"),
    ({"weight": "1.5"}, "bad_weight"),
    ({"scored": "maybe"}, "bad_scored"),
    ({"scored": "yes — but"}, "bad_scored"),
    ({"scored": "no"}, "scored_no_reason"),
    ({"fit": "rpa"}, "bad_fit"),
    ({"fit": "robot.minutes_factor"}, "fit_unknown_lever"),
    ({"fit": "rpa.minute_factor"}, "fit_unknown_parameter"),
    ({"fit": "rpa.one_off_yen"}, "fit_unknown_parameter"),
    ({"fit": "ai_ocr.minutes_factor"}, "fit_not_case_lever"),
    ({"batch": "0"}, "not_count"),
    ({"batch": "2.5"}, "not_count"),
    ({"fields": "many"}, "not_count"),
    ({"verify": "some"}, "bad_verify"),
    ({"exceptions": "1.2"}, "bad_share"),
    ({"exceptions": "48%"}, "bad_share"),
])
def test_bad_optional_keys(tmp_path: Path, values: dict, key: str) -> None:
    """Each bad optional value is an error at its own line (the 8th, after the seven
    keys of _header), in Japanese and English."""
    path = _case(tmp_path, "c.bpr", _header(**values))
    case, errors = backtest.read_header(str(path), LEVERS)
    assert case is None
    assert [(e.key, e.line) for e in errors] == [(key, 8)]
    for lang in ("en", "ja"):
        text = errors[0].render(lang)
        assert text.startswith(f"{path}:8: ") and "{" not in text, text


def test_bad_fit_says_what_is_known(tmp_path: Path) -> None:
    path = _case(tmp_path, "c.bpr", _header(fit="rpa.minute_factor"))
    (error,) = backtest.read_header(str(path), LEVERS)[1]
    assert "did you mean: minutes_factor" in error.render("en")
    assert "exception_rate" in error.render("en")
    path = _case(tmp_path, "c.bpr", _header(fit="ai_ocr.minutes_factor"))
    (error,) = backtest.read_header(str(path), LEVERS)[1]
    assert "not among the case's backtest.levers (rpa)" in error.render("en")


def test_header_unit_is_optional(tmp_path: Path) -> None:
    path = _case(tmp_path, "c.bpr", _header(unit=None))
    case, errors = backtest.read_header(str(path), LEVERS)
    assert errors == [] and case.unit == ""


@pytest.mark.parametrize("missing", ["before", "after"])
def test_missing_figure_names_the_line(tmp_path: Path, missing: str) -> None:
    path = _case(tmp_path, "c.bpr", _header(**{missing: None}))
    case, errors = backtest.read_header(str(path), LEVERS)
    assert case is None
    (error,) = errors
    assert error.key == "missing_figure" and error.line == 6  # the header's last line
    text = error.render("en")
    assert text.startswith(f"{path}:6: backtest.{missing} is missing")
    assert "published figures" in text
    assert "公表された" in error.render("ja")


@pytest.mark.parametrize(("values", "key", "line"), [
    ({"before": "約200"}, "bad_number", 3),
    ({"before": "0"}, "before_not_positive", 3),
    ({"after": "-5"}, "after_negative", 4),
    ({"measure": "staf"}, "bad_measure", 2),
    ({"levers": "rpa, robot"}, "unknown_lever", 6),
    ({"source": ""}, "empty", 7),
])
def test_bad_header_values(tmp_path: Path, values: dict, key: str, line: int) -> None:
    path = _case(tmp_path, "c.bpr", _header(**values))
    case, errors = backtest.read_header(str(path), LEVERS)
    assert case is None
    assert [(e.key, e.line) for e in errors] == [(key, line)]


def test_unknown_duplicate_and_malformed_keys(tmp_path: Path) -> None:
    header = _header() + "# backtest.befor: 3\n# backtest.name: again\n# backtest name\n"
    path = _case(tmp_path, "c.bpr", header)
    _, errors = backtest.read_header(str(path), LEVERS)
    assert [(e.key, e.line) for e in errors] == [
        ("unknown_key", 8), ("duplicate", 9), ("malformed", 10)]
    assert "did you mean: before" in errors[0].render("en")
    assert "line 1" in errors[1].render("en")


def test_a_file_without_a_header(tmp_path: Path) -> None:
    path = _case(tmp_path, "c.bpr", "# just a comment\n")
    _, errors = backtest.read_header(str(path), LEVERS)
    assert [(e.key, e.line) for e in errors] == [("no_header", 1)]


def test_header_stops_at_the_first_statement(tmp_path: Path) -> None:
    """`backtest.` lines after the process starts are not read: the header is at the top."""
    path = _case(tmp_path, "c.bpr", _header(after=None),
                 UNTOUCHED + "# backtest.after: 5\n")
    _, errors = backtest.read_header(str(path), LEVERS)
    assert [e.key for e in errors] == ["missing_figure"]


# ───────────── the run and its table ─────────────

def test_untouched_case_matches_a_zero_reduction(tmp_path: Path) -> None:
    path = _case(tmp_path, "c.bpr", _header(before="100", after="100"))
    cases, report = backtest.load([str(path)], LEVERS)
    result = backtest.run(cases, [f.bundle for f in report.files], A, samples=500)
    (r,) = result.results
    assert r.reduction.p10 == pytest.approx(0) and r.reduction.p90 == pytest.approx(0)
    assert r.inside and r.within
    doc = result.to_dict()
    assert doc["totals"]["inside"] == 1
    assert doc["cases"][0]["published_pct"] == 0.0


def test_an_unscored_case_is_shown_not_counted(tmp_path: Path) -> None:
    """`scored: no`: the case is in the table and the JSON with its reason, outside the
    totals and the targets."""
    good = _case(tmp_path, "a.bpr", _header(before="100", after="100"))
    off = _case(tmp_path, "b.bpr", _header(name="目標の事例", before="100", after="1",
                                           scored="no — a target, not a result"))
    cases, report = backtest.load([str(good), str(off)], LEVERS)
    result = backtest.run(cases, [f.bundle for f in report.files], A, samples=300)
    assert len(result.results) == 2 and len(result.scored) == 1
    assert (result.inside, result.within) == (1, 1)
    table = backtest.format_text(result, "en")
    assert "2 cases, 1 scored" in table and "in sample): 1 of 1" in table
    assert "目標の事例: a target, not a result" in table and "unscored" in table
    assert "対象外" in backtest.format_text(result, "ja")
    doc = result.to_dict()
    assert doc["totals"]["cases"] == 2 and doc["totals"]["scored"] == 1
    entry = doc["cases"][1]
    assert entry["scored"] is False and entry["scored_reason"] == "a target, not a result"
    assert {"publication", "weight", "fit", "batch", "fields", "verify",
            "exceptions"} <= set(entry)
    assert entry["publication"] == "b" and entry["fit"] is None


def test_a_case_without_the_measure_in_its_model(tmp_path: Path) -> None:
    """wait needs a queue before a counter step: a model without one is an error at the
    measure's line, not a silent 0."""
    path = _case(tmp_path, "c.bpr", _header(measure="wait"))
    cases, report = backtest.load([str(path)], LEVERS)
    with pytest.raises(backtest.BacktestError) as info:
        backtest.run(cases, [f.bundle for f in report.files], A, samples=200)
    (error,) = info.value.errors
    assert (error.key, error.line) == ("no_asis", 2)


def test_texts_exist_in_both_languages() -> None:
    """The backtest's texts are a table of the one catalog, the same keys in both languages."""
    from bprkit.messages import catalog as messages

    ja, en = messages.catalog("ja")["backtest"], messages.catalog("en")["backtest"]
    assert set(ja) == set(en)
    assert all(ja[k].strip() and en[k].strip() for k in ja)


# ───────────── the CLI ─────────────

def test_cli_without_fit_says_it_cannot_judge_the_targets(tmp_path: Path) -> None:
    _case(tmp_path / "cases", "a.bpr", _header())
    r = run_cli("backtest", str(tmp_path / "cases"), "--lang", "en", "--samples", "300")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "inside P10–P90 (default assumptions, in sample): 1 of 1" in r.stdout
    assert "a.bpr:" in r.stdout and "no backtest.fit" in r.stdout
    r = run_cli("backtest", str(tmp_path / "cases"), "--format", "json", "--samples", "300")
    assert json.loads(r.stdout)["out_of_sample"] is None


def test_cli_exit_1_when_the_targets_are_missed(tmp_path: Path) -> None:
    r = run_cli("backtest", "--lang", "en", "--samples", "500")
    assert r.returncode == 1
    assert "Leave one publication out" in r.stdout
    assert "Targets missed: " in r.stdout and "median |P50 − published| at most 12" in r.stdout
    assert "within 10 points" not in r.stdout  # the old target is gone
    r = run_cli("backtest", "--lang", "ja", "--samples", "500", "--format", "json")
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert "median_error" in doc["out_of_sample"]["targets"]["missed"]
    assert "targets" not in doc


def test_cli_bad_case_writes_nothing(tmp_path: Path) -> None:
    """A case without its published figures: the error names file and line on stderr,
    no table is written and no case is estimated."""
    good = _case(tmp_path / "cases", "a.bpr", _header())
    bad = _case(tmp_path / "cases", "b.bpr", _header(after=None))
    before = {p: p.read_bytes() for p in (good, bad)}
    r = run_cli("backtest", str(tmp_path / "cases"), "--lang", "en")
    assert r.returncode == 1
    assert r.stdout == ""
    assert f"{bad}:6: backtest.after is missing" in r.stderr
    assert "the backtest was not run" in r.stderr
    assert sorted(p.name for p in (tmp_path / "cases").iterdir()) == ["a.bpr", "b.bpr"]
    assert {p: p.read_bytes() for p in (good, bad)} == before


def test_cli_bad_bpr_in_a_case(tmp_path: Path) -> None:
    _case(tmp_path / "cases", "a.bpr", _header(), "process p {\n  stepp x\n}\n")
    r = run_cli("backtest", str(tmp_path / "cases"), "--lang", "en")
    assert r.returncode == 1 and r.stdout == ""
    assert "E019" in r.stderr


def test_cli_usage_errors(tmp_path: Path) -> None:
    assert run_cli("backtest", str(tmp_path / "nowhere")).returncode == 2
    (tmp_path / "empty").mkdir()
    assert run_cli("backtest", str(tmp_path / "empty")).returncode == 2
    assert run_cli("backtest", "--samples", "0").returncode == 2
    assert run_cli("backtest", "--format", "csv").returncode == 2


def test_cli_language_follows_the_locale(tmp_path: Path) -> None:
    _case(tmp_path / "cases", "a.bpr", _header())
    r = run_cli("backtest", str(tmp_path / "cases"), "--samples", "200",
                env={"LANG": "ja_JP.UTF-8"})
    assert r.returncode == 1, r.stderr  # a case without fit: the targets are not judged
    assert "バックテスト" in r.stdout and "目標の判定をしていません" in r.stdout
    r = run_cli("backtest", str(tmp_path / "cases"), "--samples", "200")
    assert "Backtest" in r.stdout


def test_cli_one_case_file(tmp_path: Path) -> None:
    path = _case(tmp_path, "a.bpr", _header())
    r = run_cli("backtest", str(path), "--samples", "200", "--format", "json")
    assert r.returncode == 1, r.stderr  # no fit header: no verdict on the targets
    assert json.loads(r.stdout)["totals"]["cases"] == 1


@pytest.mark.slow
def test_wheel_carries_the_cases(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "bprkit/estimate/backtest/cases.py" in names
    assert "bprkit/estimate/backtest/measured.toml" in names
    shipped = {n for n in names if n.startswith("bprkit/estimate/backtest/cases/")}
    assert shipped == {f"bprkit/estimate/backtest/cases/{p.name}" for p in CASES.glob("*.bpr")}
