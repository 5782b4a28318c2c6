"""bprkit portfolio: many procedures estimated in a pool and ranked."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

import bprkit
from bprkit.planning import inventory

from .clirunner import run_cli
from .conftest import PROCESSES


def test_the_library_is_ranked_by_hours_saved() -> None:
    result = inventory.build([str(PROCESSES)], samples=300, jobs=2)
    ranked = [r for r in result.rows if r.ranked]
    assert len(ranked) >= 14 and not result.failures
    saved = [r.saved_p50 for r in ranked]
    assert saved == sorted(saved, reverse=True)
    assert all(r.saved_p10 <= r.saved_p50 <= r.saved_p90 for r in ranked)
    assert "転出届_tobe" not in {r.process for r in result.rows}  # To-Be files are not ranked
    unranked = [r for r in result.rows if not r.ranked]
    assert {r.process for r in unranked} == {"課長決裁", "部長決裁"}  # no volume: listed
    totals = result.totals()
    assert abs(totals["saved_p50"] - sum(saved)) < 1e-6
    by_lever = result.by_lever()
    assert by_lever[0]["staff_hours_saved"] >= by_lever[-1]["staff_hours_saved"]
    assert sum(g["procedures"] for g in result.by_owner()) == len(result.rows)


def test_pool_and_single_process_agree() -> None:
    one = inventory.build([str(PROCESSES)], samples=200, jobs=1)
    pool = inventory.build([str(PROCESSES)], samples=200, jobs=2)
    assert [(r.process, r.saved_p50) for r in one.rows] == \
        [(r.process, r.saved_p50) for r in pool.rows]


def test_cli_reports_bad_files_and_still_ranks_the_rest(tmp_path: Path) -> None:
    shutil.copy(PROCESSES / "tenshutsu.bpr", tmp_path / "a.bpr")
    shutil.copy(PROCESSES / "inu_toroku.bpr", tmp_path / "b.bpr")
    (tmp_path / "bad.bpr").write_text("process p {\n  step s @nowhere 3分\n}\n", encoding="utf-8")
    r = run_cli("portfolio", str(tmp_path), "--format", "json", "--samples", "200",
                "--quiet")
    assert r.returncode == 1  # some failed
    doc = json.loads(r.stdout)
    assert {row["process"] for row in doc["ranking"]} == {"転出届", "犬の登録"}
    assert doc["failed"][0]["file"].endswith("bad.bpr")
    assert "bad.bpr:2" in r.stderr
    r = run_cli("portfolio", str(tmp_path / "a.bpr"), str(tmp_path / "b.bpr"), "--format",
                "csv", "--samples", "200")
    assert r.returncode == 0
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [row["rank"] for row in rows] == ["1", "2"] and rows[0]["levers"]


def test_duplicate_ids_and_an_empty_folder(tmp_path: Path) -> None:
    shutil.copy(PROCESSES / "inu_toroku.bpr", tmp_path / "a.bpr")
    shutil.copy(PROCESSES / "inu_toroku.bpr", tmp_path / "b.bpr")
    r = run_cli("portfolio", str(tmp_path), "--samples", "200", "--lang", "en")
    assert r.returncode == 0 and "several files" in r.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run_cli("portfolio", str(empty), "--lang", "en")
    assert r.returncode == 2 and "Traceback" not in r.stderr


# ── roadmap (工程表) ──
import datetime  # noqa: E402

from bprkit.planning import roadmap  # noqa: E402

TODAY = datetime.date(2026, 12, 1)


def _roadmap(tmp_path: Path, text: str) -> roadmap.Roadmap:
    path = tmp_path / "roadmap.toml"
    path.write_text(text, encoding="utf-8")
    return roadmap.load(str(path), today=TODAY)


def test_the_plan_respects_years_and_capacity(tmp_path: Path) -> None:
    plan_file = _roadmap(tmp_path, 'start = 2027\ncapacity = 3\n[capacity_by_year]\n2028 = 5\n'
                                   '[available]\n"電子決裁" = 2027\nai_ocr = 2028\nrpa = 2028\n')
    result = inventory.build([str(PROCESSES)], samples=200, jobs=1)
    years = roadmap.plan(result, plan_file)
    assert years[0].year == 2027
    seen: set[tuple[str, str]] = set()
    cumulative = 0.0
    for y in years:
        assert len(y.procedures) <= plan_file.capacity_by_year.get(y.year, plan_file.capacity)
        for row, levers, hours in y.procedures:
            assert hours > 0
            for lever in levers:
                assert plan_file.available[lever] <= y.year  # only levers available then
                assert (row.file + row.process, lever) not in seen  # each lever once
                seen.add((row.file + row.process, lever))
        cumulative += y.saved
        assert y.cumulative == pytest.approx(cumulative)
    first = {row.process for row, _, _ in years[0].procedures}
    assert all(levers == ("e_approval",) for _, levers, _ in years[0].procedures), first


@pytest.mark.parametrize(("text", "message"), [
    ('capacity = 3\n[available]\nblockchain = 2027\n', "roadmap.toml:3: unknown lever"),
    ('capacity = 3\n[available]\nrpa = 2019\n', "roadmap.toml:3: 'rpa' needs a fiscal year"),
    ('start = 2010\ncapacity = 3\n', "roadmap.toml:1: start must be"),
    ('capacity = 0\n', "roadmap.toml:1: capacity must be"),
    ('capacity = 2\nbudget = 5\n', "roadmap.toml:2: unknown key 'budget'"),
    ('capacity = [\n', "not a readable TOML file"),
])
def test_bad_roadmaps_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(roadmap.RoadmapError) as err:
        _roadmap(tmp_path, text)
    assert message in str(err.value)


def test_cli_roadmap(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(f'start = {datetime.date.today().year}\ncapacity = 2\n[available]\n'
                    f'rpa = {datetime.date.today().year}\n', encoding="utf-8")
    r = run_cli("portfolio", str(PROCESSES), "--roadmap", str(path), "--format", "json",
                "--samples", "200", "--quiet")
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)["roadmap"]
    assert plan and all(p["levers"] == ["rpa"] for y in plan for p in y["procedures"])
    path.write_text("capacity = 2\n[available]\nblockchain = 2030\n", encoding="utf-8")
    r = run_cli("portfolio", str(PROCESSES), "--roadmap", str(path), "--lang", "en")
    assert r.returncode == 2 and "unknown lever 'blockchain'" in r.stderr


def test_shared_investments_are_spread_by_hours(tmp_path: Path) -> None:
    plan_file = _roadmap(tmp_path, 'capacity = 3\n[available]\nai_ocr = 2027\n'
                                   '[investments.ai_ocr]\none_off_yen = 5_000_000\n'
                                   'annual_yen = 1_000_000\nsource = "a quote"\n')
    result = portfolio_build()
    (shared,) = roadmap.shared(result, plan_file, 3300.0)
    users = [r for r in result.rows if dict(r.levers).get("ai_ocr", 0) > 0]
    assert shared.procedures == len(users) >= 5
    assert sum(shared.shares.values()) == pytest.approx(1.0)
    hours = sum(dict(r.levers)["ai_ocr"] for r in users)
    assert shared.hours_saved == pytest.approx(hours)
    assert shared.payback_years == pytest.approx(5_000_000 / (hours * 3300.0 - 1_000_000))


def portfolio_build() -> inventory.Portfolio:
    return inventory.build([str(PROCESSES)], samples=200, jobs=1)


@pytest.mark.parametrize(("text", "message"), [
    ('capacity = 1\n[investments.blockchain]\none_off_yen = 1\nsource = "x"\n',
     "roadmap.toml:2: unknown lever 'blockchain'"),
    ('capacity = 1\n[investments.rpa]\none_off_yen = 1\n', "needs a source"),
    ('capacity = 1\n[investments.rpa]\none_off_yen = -5\nsource = "x"\n', "0 or more"),
])
def test_bad_investments(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(roadmap.RoadmapError) as err:
        _roadmap(tmp_path, text)
    assert message in str(err.value)


def test_xlsx_workbook_has_the_ranking_totals_and_roadmap(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "ranking.xlsx"
    r = run_cli("portfolio", str(PROCESSES), "--roadmap", str(PROCESSES / "roadmap.toml"),
                "-o", str(out), "--samples", "300", "--quiet", "--lang", "ja")
    assert r.returncode == 0, r.stderr
    wb = load_workbook(out)
    assert wb.sheetnames == ["優先順位", "所管別", "施策別", "工程表", "前提条件"]
    ws = wb["優先順位"]
    assert ws.freeze_panes == "D2" and ws.auto_filter.ref == "A1:S17"
    header = [c.value for c in ws[1]]
    assert header[:4] == ["順位", "手続ID", "手続", "所管"]
    saved = header.index("削減 P50 時間/年") + 1
    values = [ws.cell(row=k, column=saved).value for k in range(2, 16)]
    assert values == sorted(values, reverse=True)  # ranked by P50
    total = ws.cell(row=18, column=saved)
    assert ws.cell(row=18, column=1).value == "合計"
    assert total.value == f"=SUM({total.column_letter}2:{total.column_letter}17)"
    assert total.number_format == "#,##0"
    doc = json.loads(run_cli("portfolio", str(PROCESSES), "--format", "json", "--samples",
                             "300", "--quiet").stdout)
    assert abs(sum(v for v in values) - doc["totals"]["saved_p50"]) < 1e-6
    sources = [row[4].value for row in wb["前提条件"].iter_rows(min_row=2)]
    assert all(sources)  # every parameter keeps its source
    r = run_cli("portfolio", str(PROCESSES), "--format", "xlsx")
    assert r.returncode == 2 and "-o" in r.stderr
    r = run_cli("portfolio", str(PROCESSES), "-o", str(tmp_path / "x.docx"))
    assert r.returncode == 2 and not (tmp_path / "x.docx").exists()


def test_estimate_shows_the_procedures_share_of_a_shared_investment(tmp_path: Path) -> None:
    r = run_cli("estimate", str(PROCESSES / "shishutsu_meirei.bpr"), "--roadmap",
                str(PROCESSES / "roadmap.toml"), "--format", "json", "--samples", "500")
    assert r.returncode == 0, r.stderr
    shares = {x["lever"]: x for x in json.loads(r.stdout)["shared_investments"]}
    assert set(shares) == {"e_approval", "ai_ocr"}
    port = json.loads(run_cli("portfolio", str(PROCESSES), "--roadmap",
                              str(PROCESSES / "roadmap.toml"), "--format", "json",
                              "--quiet").stdout)
    for inv in port["investments"]:
        mine = next(s for s in inv["shares"] if s["process"] == "支出命令")
        assert abs(shares[inv["lever"]]["share"] - mine["share"]) < 1e-3
        assert abs(shares[inv["lever"]]["one_off_yen"] - inv["one_off_yen"] * mine["share"]) \
            < inv["one_off_yen"] * 1e-3 + 1
    r = run_cli("estimate", str(PROCESSES / "shishutsu_meirei.bpr"), "--roadmap",
                str(PROCESSES / "roadmap.toml"), "--samples", "500", "--lang", "en")
    assert "this procedure carries" in r.stdout
    # a roadmap whose portfolio folder does not exist is refused with its line
    bad = tmp_path / "r.toml"
    bad.write_text('capacity = 1\nportfolio = ["nowhere"]\n', encoding="utf-8")
    r = run_cli("estimate", str(PROCESSES / "inu_toroku.bpr"), "--roadmap", str(bad))
    assert r.returncode == 2 and "r.toml:2" in r.stderr and "nowhere" in r.stderr


def test_roadmap_errors_speak_the_users_language(tmp_path: Path) -> None:
    path = tmp_path / "roadmap.toml"
    path.write_text("capacity = 2\n[available]\nteleport = 2028\n", encoding="utf-8")
    ja = run_cli("portfolio", str(PROCESSES), "--roadmap", str(path), "--lang", "ja")
    en = run_cli("portfolio", str(PROCESSES), "--roadmap", str(path), "--lang", "en")
    assert ja.returncode == en.returncode == 2
    assert "roadmap.toml:3: 知らない施策「teleport」" in ja.stderr and "電子決裁" in ja.stderr
    assert "roadmap.toml:3: unknown lever 'teleport'" in en.stderr


def test_estimate_names_the_procedures_it_shares_an_investment_with(tmp_path: Path) -> None:
    """The same file's share depends on the folder the roadmap shares over: estimate
    says which files and procedures those are, and refuses two files with one id."""
    investment = ('capacity = 1\n[investments.ai_ocr]\none_off_yen = 1_000_000\n'
                  'annual_yen = 0\nsource = "test"\n')
    alone, pair = tmp_path / "alone", tmp_path / "pair"
    for folder in (alone, pair):
        folder.mkdir()
        (folder / "roadmap.toml").write_text(investment, encoding="utf-8")
        shutil.copy(PROCESSES / "shishutsu_meirei.bpr", folder / "a.bpr")
    shutil.copy(PROCESSES / "bunsho_hozon.bpr", pair / "b.bpr")

    def estimate(folder: Path, *extra: str) -> dict:
        r = run_cli("estimate", str(folder / "a.bpr"), "--roadmap", str(folder / "roadmap.toml"),
                    "--samples", "200", *extra)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout) if "json" in extra else {"text": r.stdout}

    one = estimate(alone, "--format", "json")
    (share,) = one["shared_investments"]
    assert share["share"] == 1 and share["peers"] == [] and share["procedures"] == 1
    assert [Path(f).name for f in one["shared_over"]["files"]] == ["a.bpr"]
    two = estimate(pair, "--format", "json")
    (share,) = two["shared_investments"]
    (peer,) = share["peers"]
    assert Path(peer["file"]).name == "b.bpr" and peer["process"] == "文書保存"
    assert share["share"] + peer["share"] == pytest.approx(1, abs=1e-3)
    assert share["procedures"] == 2 and two["shared_over"]["added"] is False
    assert {Path(f).name for f in two["shared_over"]["files"]} == {"a.bpr", "b.bpr"}
    text = estimate(pair, "--lang", "en")["text"]
    assert "shared over the 2 procedures with a volume in 2 files" in text
    assert f"shared with: 文書保存 ({pair / 'b.bpr'}) {peer['share'] * 100:.1f}%" in text
    assert "分け合う手続: ほかになし" in estimate(alone, "--lang", "ja")["text"]
    # a copy of a.bpr beside it: the procedure would share with itself, refused
    shutil.copy(PROCESSES / "shishutsu_meirei.bpr", pair / "copy.bpr")
    for lang, words in (("en", "is in more than one file"), ("ja", "複数のファイルにあります")):
        r = run_cli("estimate", str(pair / "a.bpr"), "--roadmap", str(pair / "roadmap.toml"),
                    "--samples", "200", "--lang", lang)
        assert r.returncode == 2 and words in r.stderr and "支出命令" in r.stderr
        assert "a.bpr" in r.stderr and "copy.bpr" in r.stderr and "Traceback" not in r.stderr


def test_a_portfolio_on_dask_equals_the_process_pools_bit_for_bit(tmp_path: Path) -> None:
    """Issue 26, item 6: one task a file on a dask.distributed LocalCluster of 2 workers,
    with the same seeds: every row equals the process pool's, bit for bit; the ranking
    written as Parquet reads back."""
    pytest.importorskip("dask.distributed")
    files = [str(p) for p in sorted(PROCESSES.glob("*.bpr"))]
    pooled = bprkit.inventory(*files, samples=300, jobs=2)
    dasked = bprkit.inventory(*files, samples=300, jobs=2, dask="local")
    assert len(dasked.rows) == len(pooled.rows) >= 14  # As-Is procedures (a To-Be is not one)
    assert json.dumps(dasked.to_dict(), sort_keys=True) == \
        json.dumps(pooled.to_dict(), sort_keys=True)
    pd = pytest.importorskip("pandas")
    out = tmp_path / "ranking.parquet"
    from bprkit.report import parquet

    out.write_bytes(parquet.ranking(dasked))
    frame = pd.read_parquet(out)
    assert len(frame) == len(dasked.rows) and frame["rank"].iloc[0] == 1
    r = run_cli("portfolio", str(PROCESSES), "--samples", "300", "--jobs", "1", "--format",
                "csv")
    header = next(csv.reader(io.StringIO(r.stdout)))
    assert len(frame.columns) == len(header)  # the CSV's table, typed
