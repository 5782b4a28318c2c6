"""`bprkit analyze` as a user meets it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from .conftest import CORPUS, run_cli


def test_text_summary_in_japanese() -> None:
    r = run_cli("analyze", str(CORPUS / "juminhyo.bpr"), "--lang", "ja")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "住民票交付 「住民票の写しの交付」" in out
    assert "年間            36,000 件: 職員 7,184 時間" in out
    assert "窓口 1 か所、来庁 1.00 回" in out
    assert "F102 押印: 「公印を押して認証」で押印が必要です" in out
    assert "juminhyo.bpr:35" in out


def test_text_summary_in_english_without_volume() -> None:
    r = run_cli("analyze", str(CORPUS / "common" / "kessai.bpr"), "--lang", "en")
    assert r.returncode == 0
    assert "per year        - (no volume" in r.stdout
    assert "Seal" in r.stdout


def test_json_shape() -> None:
    r = run_cli("analyze", "--format", "json", str(CORPUS / "tennyu.bpr"))
    doc = json.loads(r.stdout)
    (p,) = doc["processes"]
    assert p["id"] == "転入"
    assert set(p["metrics"]) >= {
        "staff_minutes_per_case", "resident_minutes_per_case", "lead_time_hours",
        "lead_time_days", "annual_staff_hours", "fte", "annual_cost_yen", "handoffs",
        "approval_depth", "digital_completion_rate", "counts", "resident"}
    assert p["metrics"]["resident"] == {"items_handwritten": 12.0, "waiting_minutes": 70.0,
                                        "counters": 3, "visits": 1.0}
    assert set(p["steps"][0]) >= {"id", "lane", "kind", "executions", "minutes", "annual_hours"}
    assert any(f["rule"] == "one_stop" for f in p["findings"])


def test_csv_opens_in_excel() -> None:
    r = run_cli("analyze", "--format", "csv", str(CORPUS / "juminhyo.bpr"))
    assert r.stdout.startswith("\ufeffprocess,step,label")
    rows = list(csv.DictReader(io.StringIO(r.stdout.lstrip("\ufeff"))))
    assert [row["step"] for row in rows][:2] == ["記入", "受付"]
    assert rows[2]["executions"] == "1.0309"


@pytest.mark.parametrize("body,code", [
    ("  step a @l 1min\n  step b @l 1min -> a\n", "E033"),   # every path loops forever
    ("  step a @l 1min\n  use p\n", "E042"),                  # a use cycle
])
def test_bad_processes_are_diagnostics_not_tracebacks(tmp_path: Path, body: str,
                                                     code: str) -> None:
    path = tmp_path / "bad.bpr"
    path.write_text(f"process p {{\n  volume 10 / year\n  lane l : counter\n{body}}}\n",
                    encoding="utf-8")
    r = run_cli("analyze", str(path))
    assert r.returncode == 1
    assert f"error[{code}]" in r.stdout and "Traceback" not in r.stdout + r.stderr


def test_volume_zero_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "zero.bpr"
    path.write_text("process p {\n  volume 0 / year\n  lane l : counter\n  step a @l 1min\n}\n",
                    encoding="utf-8")
    r = run_cli("analyze", str(path))
    assert r.returncode == 1 and "error[E038]" in r.stdout


def test_lane_without_steps_still_analyses(tmp_path: Path) -> None:
    path = tmp_path / "lane.bpr"
    path.write_text("process p {\n  volume 10 / year\n  lane l : counter\n  lane m : approval\n"
                    "  step a @l 1min\n}\n", encoding="utf-8")
    r = run_cli("analyze", "--format", "json", str(path))
    assert r.returncode == 0
    assert json.loads(r.stdout)["processes"][0]["metrics"]["staff_minutes_per_case"] == 1.0


def test_warnings_go_to_stderr(tmp_path: Path) -> None:
    path = tmp_path / "warn.bpr"
    path.write_text("process p {\n  volume 10 / year\n  lane l : counter\n  lane m : approval\n"
                    "  step a @l 1min\n}\n", encoding="utf-8")
    r = run_cli("analyze", "--format", "json", str(path))
    assert "warning[W005]" in r.stderr
    json.loads(r.stdout)
