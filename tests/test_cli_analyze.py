"""`bprkit analyze` as a user meets it."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from .conftest import CORPUS, ROOT, run_cli


def test_text_summary_in_japanese() -> None:
    r = run_cli("analyze", str(CORPUS / "juminhyo.bpr"), "--lang", "ja")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    doc = json.loads(run_cli("analyze", "--format", "json", str(CORPUS / "juminhyo.bpr")).stdout)
    count = len(doc["processes"][0]["findings_by_step"])
    assert "住民票交付 「住民票の写しの交付」" in out
    assert "年間            36,000 件: 職員 7,184 時間" in out
    assert "窓口 1 か所、来庁 1.00 回" in out
    assert "認証 「公印を押して認証」  " in out and "juminhyo.bpr:35  年 600 時間" in out
    assert "F102 押印: 押印が必要です" in out
    assert f"指摘（{count} 件、年間時間の多い順）:" in out and 5 <= count <= 10
    assert "（-）" not in out


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
    entries = p["findings_by_step"]
    assert [e["rank"] for e in entries] == list(range(1, len(entries) + 1))
    for e in entries:
        assert set(e) == {"rank", "scope", "step", "label", "file", "line", "annual_hours",
                          "severity", "codes", "levers", "basis", "title", "findings"}
        assert e["scope"] in ("step", "process") and e["codes"]
        assert [f["code"] for f in e["findings"]] == e["codes"]
        for f in e["findings"]:
            assert set(f) == {"code", "rule", "severity", "principle", "levers", "title",
                              "message"}
            assert set(f["levers"]) <= set(e["levers"])
    steps = [e["step"] for e in entries if e["scope"] == "step"]
    assert len(steps) == len(set(steps))
    assert any(e["scope"] == "process" and e["codes"] == ["F202"] for e in entries)
    hours = [e["annual_hours"] or 0 for e in entries]
    assert hours == sorted(hours, reverse=True)


def test_csv_opens_in_excel() -> None:
    r = run_cli("analyze", "--format", "csv", str(CORPUS / "juminhyo.bpr"))
    assert r.stdout.startswith("\ufeffprocess,step,label")
    rows = list(csv.DictReader(io.StringIO(r.stdout.lstrip("\ufeff"))))
    assert [row["step"] for row in rows][:2] == ["記入", "受付"]
    assert rows[2]["executions"] == "1.0309"
    first = rows[0]
    assert (first["finding_rank"], first["findings"]) == (
        "1", "in_person once_only paper handwritten")
    assert first["levers"].split() == ["online", "no_writing_counter"]
    ranks = [int(row["finding_rank"]) for row in rows if row["finding_rank"]]
    assert len(ranks) == len(set(ranks))


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


def _entries(out: str) -> list[str]:
    """The numbered entry lines of a text report."""
    return [line for line in out.splitlines() if re.match(r"    +\d+\. ", line)]


def test_top_ten_by_default_and_all_on_request() -> None:
    path = str(ROOT / "processes" / "douro_senyou.bpr")
    full = json.loads(run_cli("analyze", "--format", "json", path).stdout)
    total = len(full["processes"][0]["findings_by_step"])
    assert total > 10
    r = run_cli("analyze", path, "--lang", "en")
    assert r.returncode == 0, r.stderr
    shown = _entries(r.stdout)
    assert len(shown) == 10
    assert shown[0].lstrip().startswith("1. ") and shown[-1].lstrip().startswith("10. ")
    assert f"findings ({total}), most hours at stake first:" in r.stdout
    assert f"{total - 10} more: use --all" in r.stdout
    ja = run_cli("analyze", path, "--lang", "ja").stdout
    assert f"ほか {total - 10} 件: --all ですべて表示します" in ja
    everything = run_cli("analyze", path, "--lang", "en", "--all").stdout
    assert len(_entries(everything)) == total
    assert "more: use --all" not in everything
    # the ranking is the same: the summary is the head of the full list
    assert _entries(everything)[:10] == shown


def test_a_short_list_has_no_more_line() -> None:
    path = str(CORPUS / "juminhyo.bpr")
    total = len(json.loads(run_cli("analyze", "--format", "json", path).stdout)
                ["processes"][0]["findings_by_step"])
    assert total <= 10
    r = run_cli("analyze", path, "--lang", "en")
    assert len(_entries(r.stdout)) == total and "more: use --all" not in r.stdout


def test_each_step_is_listed_once() -> None:
    r = run_cli("analyze", str(ROOT / "processes" / "tenshutsu.bpr"), "--lang", "en", "--all")
    heads = [re.sub(r"^ +\d+\. ", "", line).split("  ")[0] for line in _entries(r.stdout)]
    steps = [h for h in heads if h != "whole process"]
    assert len(steps) == len(set(steps)) and "記入 「住民異動届を記入」" in steps
    assert r.stdout.count("記入 「住民異動届を記入」  ") == 1
