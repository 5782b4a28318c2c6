"""Issue 26: procedures fitted to the office's own event logs (bprkit/interop/eventlog.py,
bprkit/interop/logfit.py), and logs simulated from any .bpr to check the fit on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import bprkit
from bprkit.interop import eventlog, logfit
from bprkit.model import Duration, Process

from .clirunner import run_cli
from .conftest import PROCESSES

FILES = sorted(PROCESSES.glob("*.bpr"))


def _fitted(path: Path, cases: int = 2000, seed: int = 7) -> tuple[Process, logfit.Fit]:
    process = bprkit.load(str(path)).root.processes[0]
    text = eventlog.write_csv(eventlog.simulate(process, cases, seed))
    log = eventlog.read_csv("sim.csv", text.encode("utf-8"))
    return process, logfit.fit(process, path.read_text(encoding="utf-8"), log, path=str(path))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_a_simulated_log_gives_back_the_files_figures(path: Path) -> None:
    """On 2,000 simulated cases of every file of processes/: each step's median time and
    wait within 5 % of the file's (steps with 100 cases or more), each branch's share within
    2 points, the volume within 1 %, and every case a path the procedure allows."""
    process, fit = _fitted(path)
    steps = {s.id: s for s in process.steps()}
    checked = 0
    for f in fit.figures:
        if f.what == "time" and f.cases >= 100 and f.measured is not None:
            true = eventlog.draw(steps[f.where].duration, 0.5, 7.75)
            if true > 0:
                assert abs(f.measured - true) <= 0.05 * true, (f.where, f.measured, true)
                checked += 1
        elif f.what == "wait" and f.cases >= 100 and f.measured is not None:
            true = eventlog.draw(steps[f.where].wait, 0.5, 7.75)  # inside parallel
            if true > 0:  # blocks too: from the path's own step before (3.8 % at worst)
                assert abs(f.measured - true) <= 0.05 * true, (f.where, f.measured, true)
        elif f.what == "share" and f.cases >= 100 and f.measured is not None:
            assert abs(f.measured - float(f.old.rstrip("%"))) <= 2.0, f
        elif f.what == "volume":
            assert abs(float(f.new.split(" ")[0].replace(",", "")) - 2000) <= 20, f
    assert checked >= 3
    assert fit.conformance.share == 1.0 and fit.conformance.variants == []
    bprkit.parse(fit.text, path="fitted.bpr")  # the file written checks


def test_the_fit_writes_each_figure_with_its_source_and_keeps_the_rest(tmp_path: Path) -> None:
    path = PROCESSES / "inkan_shomei.bpr"
    _, fit = _fitted(path)
    before = path.read_text(encoding="utf-8").splitlines()
    after = fit.text.splitlines()
    comments = [line.strip() for line in after if line.strip().startswith("# source: log")]
    assert comments and all("sim.csv" in c and "cases" in c and "2025-04-01" in c
                            for c in comments)
    assert "P10/P50/P90" in "\n".join(comments)
    # every line of the file is still there but the figures changed: comments kept
    kept = [line for line in before if line.strip().startswith("#")]
    assert all(line in after for line in kept)
    assert len(after) == len(before) + len(comments)
    # a second fit replaces the first's comments instead of adding more
    again = logfit.fit(bprkit.parse(fit.text, path="f.bpr").processes[0], fit.text,
                       eventlog.read_csv("sim.csv", eventlog.write_csv(eventlog.simulate(
                           bprkit.load(str(path)).root.processes[0], 2000, 7)).encode()),
                       path="f.bpr")
    assert len(again.text.splitlines()) == len(after)


def test_a_swapped_or_skipped_step_is_named_by_conformance() -> None:
    path = PROCESSES / "tenshutsu.bpr"
    process = bprkit.load(str(path)).root.processes[0]
    events = list(eventlog.simulate(process, 300, 3))
    titles = [s.title for s in process.steps()]
    first, second = titles[1], titles[2]
    swapped = [eventlog.Event(e.case, second if e.activity == first else
                              first if e.activity == second else e.activity,
                              e.end, e.start, e.resource) for e in events]
    log = eventlog.read_csv("s.csv", eventlog.write_csv(swapped).encode("utf-8"))
    fit = logfit.fit(process, path.read_text(encoding="utf-8"), log, path=str(path))
    assert fit.conformance.share < 0.5
    worst = fit.conformance.variants[0]
    assert worst.where is not None and worst.activities[worst.where] in {
        s.id for s in process.steps() if s.title in (first, second)}
    last = titles[-1]
    skipped = [e for e in events if e.activity != last]
    log = eventlog.read_csv("k.csv", eventlog.write_csv(skipped).encode("utf-8"))
    fit = logfit.fit(process, path.read_text(encoding="utf-8"), log, path=str(path))
    assert fit.conformance.share == 0.0
    assert next(s for s in process.steps() if s.title == last).id in fit.conformance.never_seen


def test_a_core_systems_csv_with_japanese_columns_and_wareki_dates(tmp_path: Path) -> None:
    """Japanese headers, 和暦 and slashed dates, full-width digits, Shift_JIS."""
    rows = ["受付番号,処理内容,着手日時,完了日時,担当課",
            "Ａ００１,交付申請書を記入,令和7年4月1日 9時00分,令和7年4月1日 9時03分,住民",
            "Ａ００１,登録証と申請書の記載を確認,R7.4.1 9:10,R7.4.1 9:12,窓口",
            "Ａ００１,証明書と登録証を渡す,２０２５／４／１　９：２０,2025-04-01T09:21:00,窓口"]
    path = tmp_path / "core.csv"
    path.write_bytes("\n".join(rows).encode("cp932"))
    log = eventlog.read(str(path))
    (case,) = log.cases.values()
    assert next(e.activity for e in case) == "交付申請書を記入"
    assert case[0].start is not None and case[0].start.isoformat() == "2025-04-01T09:00:00"
    assert case[1].end.isoformat() == "2025-04-01T09:12:00"
    assert case[2].start is not None and case[2].start.hour == 9 and case[0].case == "A001"


def test_an_xes_log_written_by_pm4py_is_read(tmp_path: Path) -> None:
    pm4py = pytest.importorskip("pm4py")  # the logs extra: make test installs it
    import pandas as pd

    process = bprkit.load(str(PROCESSES / "inu_toroku.bpr")).root.processes[0]
    events = list(eventlog.simulate(process, 60, 2))
    frame = pd.DataFrame({"case:concept:name": [e.case for e in events],
                          "concept:name": [e.activity for e in events],
                          "time:timestamp": [pd.Timestamp(e.end) for e in events],
                          "org:resource": [e.resource for e in events]})
    out = tmp_path / "log.xes"
    pm4py.write_xes(frame, str(out))
    log = eventlog.read(str(out))
    assert len(log.cases) == 60 and log.events == len(events)
    fit = logfit.fit(process, (PROCESSES / "inu_toroku.bpr").read_text(encoding="utf-8"),
                     log, path="inu_toroku.bpr")
    assert fit.conformance.share == 1.0  # completions only: no times, the flow still


@pytest.mark.parametrize(("rows", "said"), [
    (["処理,完了日時", "受付,2025-04-01 09:00"], "case"),
    (["案件番号,処理", "1,受付"], "end"),
    (["案件番号,処理,開始日時,完了日時", "1,受付,2025-04-01 10:00,2025-04-01 09:00"],
     "2025-04-01 10:00"),
    (["案件番号,処理,完了日時", "1,受付,きのう"], "きのう"),
])
def test_bad_logs_are_refused_naming_the_column_or_row(tmp_path: Path, rows: list[str],
                                                        said: str) -> None:
    log = tmp_path / "bad.csv"
    log.write_text("\n".join(rows), encoding="utf-8")
    out = tmp_path / "out.bpr"
    r = run_cli("fit", str(PROCESSES / "inkan_shomei.bpr"), "--log", str(log), "-o", str(out),
                "--lang", "en")
    assert r.returncode == 1 and said in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()
    if len(rows) > 1 and ":" in rows[1]:
        assert f"{log}:2" in r.stderr or said in ("case", "end")


def test_an_activity_two_steps_share_is_refused(tmp_path: Path) -> None:
    bpr = tmp_path / "two.bpr"
    bpr.write_text("process 二つ {\n  lane 窓口 : 窓口\n"
                   "  step a 「確認」 @窓口 1分\n  step b 「確認」 @窓口 1分\n}\n",
                   encoding="utf-8")
    log = tmp_path / "l.csv"
    log.write_text("案件番号,処理,完了日時\n1,確認,2025-04-01 09:00\n", encoding="utf-8")
    r = run_cli("fit", str(bpr), "--log", str(log), "--lang", "en")
    assert r.returncode == 1 and "「確認」" in r.stderr and "a、b" in r.stderr


def test_a_log_of_three_cases_changes_nothing_and_says_so(tmp_path: Path) -> None:
    path = PROCESSES / "inkan_shomei.bpr"
    process = bprkit.load(str(path)).root.processes[0]
    log = tmp_path / "three.csv"
    log.write_text(eventlog.write_csv(eventlog.simulate(process, 3, 1)), encoding="utf-8")
    out = tmp_path / "out.bpr"
    r = run_cli("fit", str(path), "--log", str(log), "-o", str(out), "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert "kept: fewer than 30 cases" in r.stdout
    assert out.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")


def test_the_cli_simulates_and_fits_and_never_writes_over_its_input(tmp_path: Path) -> None:
    path = PROCESSES / "kaigo_nintei.bpr"
    log = tmp_path / "kaigo.csv"
    r = run_cli("simulate", str(path), "-o", str(log), "--cases", "400", "--seed", "5")
    assert r.returncode == 0 and log.read_text(encoding="utf-8").startswith("案件番号,処理")
    r = run_cli("fit", str(path), "--log", str(log), "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert "400 of 400 cases (100.0%)" in r.stdout and "nothing written" in r.stdout
    r = run_cli("fit", str(path), "--log", str(log), "-o", str(path), "--lang", "en")
    assert r.returncode == 2 and "it is not overwritten" in r.stderr
    assert "-o -" not in r.stderr  # fit writes its table to stdout: the file cannot go there
    out = tmp_path / "fitted.bpr"
    r = run_cli("fit", str(path), "--log", str(log), "-o", str(out), "--lang", "en")
    assert r.returncode == 0 and "# source: log kaigo.csv, 400 cases" in out.read_text(
        encoding="utf-8")
    assert bprkit.check(str(out)).ok


def test_the_working_calendar_counts_working_minutes() -> None:
    import datetime as dt

    c = eventlog.CALENDAR
    friday = dt.datetime(2026, 4, 3, 16, 0)
    assert c.advance(friday, 120) == dt.datetime(2026, 4, 6, 9, 15)  # over the weekend
    assert c.between(friday, dt.datetime(2026, 4, 6, 9, 15)) == pytest.approx(120)
    assert c.between(friday, c.advance(friday, 3 * 465)) == pytest.approx(3 * 465)
    # the lunch hour is off: a working day is the assumptions' 7.75 hours
    from bprkit import units

    assert c.day_minutes == units.DEFAULT_HOURS_PER_DAY * 60
    monday = dt.datetime(2026, 4, 6, 11, 0)
    assert c.advance(monday, 90) == dt.datetime(2026, 4, 6, 13, 30)
    assert c.between(monday, dt.datetime(2026, 4, 6, 12, 40)) == pytest.approx(60)
    assert c.between(monday, dt.datetime(2026, 4, 7, 11, 0)) == pytest.approx(465)


def test_the_triangular_range_has_the_logs_percentiles() -> None:
    for low, mode, high in [(1, 2, 5), (5, 15, 40), (10, 15, 20), (0, 0, 10)]:
        d = Duration(low, high, "min", mode)
        q = [eventlog.draw(d, u, 7.75) for u in (0.1, 0.5, 0.9)]
        assert logfit.triangular(*q) == pytest.approx((low, mode, high), abs=1e-3)


def test_a_time_study_workbook_is_read_as_a_log(tmp_path: Path) -> None:
    """Issue 26, item 4: a タイムスタディ sheet (a title row, 日付, 案件番号, 作業, 開始時刻
    and 終了時刻 as times of day, 担当者) reads as a log; a cell that is no time is named
    by sheet and row."""
    from openpyxl import Workbook

    process = bprkit.load(str(PROCESSES / "inu_toroku.bpr")).root.processes[0]
    events = list(eventlog.simulate(process, 40, 4))
    wb = Workbook()
    ws = wb.active
    ws.title = "タイムスタディ"
    ws.append(["令和7年度 タイムスタディ（市民課）"])
    ws.append(["日付", "案件番号", "作業", "開始時刻", "終了時刻", "担当者"])
    for e in events:
        assert e.start is not None
        ws.append([e.start.date(), e.case, e.activity, e.start.time(), e.end.time()
                   if e.end.date() == e.start.date() else e.end, e.resource])
    path = tmp_path / "study.xlsx"
    wb.save(path)
    log = eventlog.read(str(path))
    assert len(log.cases) == 40 and log.events == len(events)
    first = log.cases[events[0].case][0]
    assert first.start is not None and events[0].start is not None
    assert abs((first.start - events[0].start).total_seconds()) < 1
    fit = logfit.fit(process, (PROCESSES / "inu_toroku.bpr").read_text(encoding="utf-8"),
                     log, path="inu_toroku.bpr")
    assert fit.conformance.share == 1.0
    ws.cell(row=3, column=5).value = "ひる"
    wb.save(path)
    with pytest.raises(eventlog.LogError) as caught:
        eventlog.read(str(path))
    assert "タイムスタディ!3" in str(caught.value) and "ひる" in str(caught.value)


def test_discover_drafts_a_procedure_from_a_log(tmp_path: Path) -> None:
    """Issue 26, item 3: a first procedure from a log when none exists: the flow by
    pm4py's inductive miner through bprkit's own importer, a lane a resource with its role
    guessed and said, the figures measured in the same log; the draft checks and the
    log conforms to it."""
    pytest.importorskip("pm4py")
    out = tmp_path / "draft.bpr"
    log = PROCESSES / "logs" / "inu_toroku_2025.csv"
    r = run_cli("discover", str(log), "-o", str(out), "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert "100.0% of the log's cases" in r.stdout and "窓口: counter" in r.stdout
    report = bprkit.check(str(out))
    assert report.ok
    process = report.files[0].bundle.root.processes[0]
    assert {lane.label for lane in process.lanes} == {"飼い主", "窓口", "事務", "書庫"}
    original = bprkit.load(str(PROCESSES / "inu_toroku.bpr")).root.processes[0]
    assert {s.title for s in process.steps()} == {s.title for s in original.steps()}
    text = out.read_text(encoding="utf-8")
    assert "# source: log inu_toroku_2025.csv" in text
    volume = re.search(r"# source: log inu_toroku_2025.csv, 400 cases.*\n  volume (\d+) / 年", text)
    assert volume and abs(int(volume.group(1)) - 400) <= 4  # 400 cases in fiscal 2025
    assert "Welcome to" not in r.stdout + r.stderr  # pm4py's banner is not shown


def test_a_shift_jis_procedure_is_fitted(tmp_path: Path) -> None:
    """check accepts a file saved as Shift_JIS (W004): fit reads it as load() does."""
    path = tmp_path / "inu_sjis.bpr"
    text = (PROCESSES / "inu_toroku.bpr").read_text(encoding="utf-8")
    path.write_bytes(text.encode("cp932", errors="replace"))
    out = tmp_path / "fitted.bpr"
    r = run_cli("fit", str(path), "--log", str(PROCESSES / "logs" / "inu_toroku_2025.csv"),
                "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert bprkit.check(str(out)).ok and "# source: log" in out.read_text(encoding="utf-8")
