"""`bprkit analyze` as a user meets it."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from .clirunner import run_cli
from .conftest import CORPUS, ROOT


def test_text_summary_in_japanese() -> None:
    r = run_cli("analyze", str(CORPUS / "juminhyo.bpr"), "--lang", "ja")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    doc = json.loads(run_cli("analyze", "--format", "json", str(CORPUS / "juminhyo.bpr")).stdout)
    count = len(doc["processes"][0]["findings_by_step"])
    assert "住民票交付 「住民票の写しの交付」" in out
    assert "年間            36,000 件: 職員 7,184 時間" in out
    assert "窓口 1 か所、来庁 1.00 回" in out
    assert "認証 「公印を押して認証」  " in out and "juminhyo.bpr:35  職員 年 600 時間" in out
    # the resident's writing: ranked by staff hours (none), its hours said as the resident's
    assert "juminhyo.bpr:18  職員 年 0 時間（住民 3,400 時間）" in out
    assert "F102 押印: 押印が必要です" in out
    assert f"指摘（{count} 件、職員の年間時間の多い順）:" in out and 5 <= count <= 10
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
                          "hours", "severity", "codes", "levers", "basis", "title",
                          "findings"}
        assert e["hours"] is None or set(e["hours"]) == {"staff", "resident", "external"}
        assert e["annual_hours"] == (e["hours"] or {}).get("staff")
        assert e["scope"] in ("step", "process") and e["codes"]
        assert [f["code"] for f in e["findings"]] == e["codes"]
        for f in e["findings"]:
            assert set(f) == {"code", "rule", "severity", "principle", "levers", "title",
                              "message"}
            assert set(f["levers"]) <= set(e["levers"])
    steps = [e["step"] for e in entries if e["scope"] == "step"]
    assert len(steps) == len(set(steps))
    assert any(e["scope"] == "process" and e["codes"] == ["F202"] for e in entries)
    hours = [tuple((e["hours"] or {}).get(k, 0) for k in ("staff", "resident", "external"))
             for e in entries]
    assert hours == sorted(hours, reverse=True)  # staff first, the others break ties


def test_csv_opens_in_excel() -> None:
    r = run_cli("analyze", "--format", "csv", str(CORPUS / "juminhyo.bpr"))
    assert r.stdout.startswith("\ufeffprocess,step,label")
    rows = list(csv.DictReader(io.StringIO(r.stdout.lstrip("\ufeff"))))
    assert [row["step"] for row in rows][:2] == ["記入", "受付"]
    # each step's hours in the column of whose they are: no column adds them up
    assert (rows[0]["staff_hours"], rows[0]["resident_hours"]) == ("", "3400.0")
    assert rows[1]["staff_hours"] and not rows[1]["resident_hours"]
    assert rows[2]["executions"] == "1.0309"
    first = rows[0]
    # the resident's writing ranks after every staff entry (0 staff hours, 3,400 resident)
    assert (first["finding_rank"], first["findings"]) == (
        "7", "in_person once_only paper handwritten")
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
    assert f"findings ({total}), most staff hours at stake first:" in r.stdout
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


INTERNAL = """process 意見照会 「主治医への意見照会」 {
  volume 120 / 年
  lane 担当 : 内部事務
  lane 医師 「主治医」 : 外部
  step 依頼 @担当 [紙] 10分
  step 意見書 @医師 [紙] 30分 wait 5日
  step 受理 @担当 [紙] 5分
}
"""


def test_external_time_on_its_own_line_and_the_lead_time_of_an_internal_flow(
        tmp_path: Path) -> None:
    """By hand: staff 10 + 5 = 15 min; the doctor's 30 min are external time (120 × 30 /
    60 = 60 h a year), never added to the staff's or the resident's. No resident
    takes part: the lead time (15 + 30 min + 5 d × 7.75 h = 39.5 h) runs to the end
    of the flow, not "until the resident has the outcome"."""
    path = tmp_path / "internal.bpr"
    path.write_text(INTERNAL, encoding="utf-8")
    en = run_cli("analyze", str(path), "--lang", "en").stdout
    assert "staff time      15.0 min per case" in en
    assert "resident time   0.0 min per case" in en
    assert "external time   30.0 min per case (60 h a year): other offices and bodies" in en
    assert "lead time       39.5 h (5.10 working days) until the end of the flow " \
           "(no resident step)" in en
    assert "until the resident has the outcome" not in en
    assert "per year        120 cases: 30 staff hours" in en  # 120 × 15 / 60, no doctor
    ja = run_cli("analyze", str(path), "--lang", "ja").stdout
    assert "外部の時間      1 件 30.0 分（年 60 時間）。" in ja
    assert "リードタイム    流れの終わりまで（住民の工程なし）39.5 時間（5.10 営業日）" in ja
    assert "住民が結果を受け取るまで" not in ja
    doc = json.loads(run_cli("analyze", str(path), "--format", "json").stdout)
    m = doc["processes"][0]["metrics"]
    assert (m["lead_ends_at"], m["external_minutes_per_case"], m["annual_external_hours"],
            m["staff_minutes_per_case"]) == ("end", 30, 60, 15)
    est = run_cli("estimate", str(path), "--lang", "ja", "--samples", "200").stdout
    assert "流れの終わりまで（住民の工程なし）" in est and "住民が結果を受け取るまで" not in est
    assert "外部の時間        年 60 →" in est
    # without volume: the external line has no yearly hours
    path.write_text(INTERNAL.replace("  volume 120 / 年\n", ""), encoding="utf-8")
    en = run_cli("analyze", str(path), "--lang", "en").stdout
    assert "external time   30.0 min per case: other offices" in en
    # a procedure the resident takes part in keeps the resident's wording, and a
    # process without external steps has no external line
    with_resident = INTERNAL.replace(
        "  lane 担当 : 内部事務\n", "  lane 住民 : 住民\n  lane 担当 : 内部事務\n").replace(
        "  step 依頼 @担当 [紙] 10分\n",
        "  step 申請 @住民 [紙] 10分\n  step 依頼 @担当 [紙] 10分\n")
    path.write_text(with_resident.replace("  step 意見書 @医師 [紙] 30分 wait 5日\n", ""),
                    encoding="utf-8")
    en = run_cli("analyze", str(path), "--lang", "en").stdout
    assert "until the resident has the outcome" in en and "external time" not in en
    doc = json.loads(run_cli("analyze", str(path), "--format", "json").stdout)
    assert doc["processes"][0]["metrics"]["lead_ends_at"] == "outcome"
