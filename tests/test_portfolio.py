"""bprkit portfolio: many procedures estimated in a pool and ranked."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from bprkit import portfolio

from .conftest import PROCESSES, run_cli


def test_the_library_is_ranked_by_hours_saved() -> None:
    result = portfolio.build([str(PROCESSES)], samples=300, jobs=2)
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
    one = portfolio.build([str(PROCESSES)], samples=200, jobs=1)
    pool = portfolio.build([str(PROCESSES)], samples=200, jobs=2)
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
