"""The command line as a user meets it: exit codes, formats, languages, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .clirunner import run_cli
from .conftest import CORPUS, FIXTURES, PROCESSES, ROOT


def test_check_processes_folder_is_clean() -> None:
    r = run_cli("check", "processes/")
    assert r.returncode == 0, r.stdout
    lines = r.stdout.strip().splitlines()
    files = sorted(PROCESSES.rglob("*.bpr"))
    assert len([ln for ln in lines if ": ok (" in ln]) == len(files)
    assert lines[-1] == f"files checked: {len(files)}, errors: 0, warnings: 0"


def test_summary_line_counts() -> None:
    r = run_cli("check", str(CORPUS / "juminhyo.bpr"))
    assert r.returncode == 0
    assert r.stdout.strip().endswith(
        "juminhyo.bpr: ok (processes: 1, lanes: 5, steps: 7, warnings: 1)")  # W014 on 交付


def test_errors_exit_1_with_caret_and_hint() -> None:
    r = run_cli("check", str(FIXTURES / "diagnostics" / "E024_unknown_lane.bpr"))
    assert r.returncode == 1
    assert "E024_unknown_lane.bpr:4:11: error[E024]: unknown lane '窓ロ'" in r.stdout
    assert "^^" in r.stdout and "hint: did you mean '窓口'?" in r.stdout
    assert "Traceback" not in r.stdout + r.stderr


def test_japanese_from_the_locale_and_from_the_flag() -> None:
    path = str(FIXTURES / "diagnostics" / "E024_unknown_lane.bpr")
    r = run_cli("check", path, env={"LANG": "ja_JP.UTF-8"})
    assert "エラー[E024]: レーン「窓ロ」は宣言されていません" in r.stdout
    r = run_cli("check", path, "--lang", "en", env={"LANG": "ja_JP.UTF-8"})
    assert "error[E024]" in r.stdout


def test_json_format() -> None:
    r = run_cli("check", "--format", "json", str(FIXTURES / "diagnostics"))
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    d = next(d for d in doc["diagnostics"] if d["code"] == "E024")
    assert set(d) == {"code", "severity", "file", "line", "column", "message", "hint"}
    assert (d["severity"], d["line"], d["column"]) == ("error", 4, 11)
    summary = next(f for f in doc["files"] if f["file"].endswith("W003_no_volume.bpr"))
    assert summary == {"file": summary["file"], "ok": True, "processes": 1, "lanes": 1,
                       "steps": 1, "errors": 0, "warnings": 1}


def test_missing_file_is_a_usage_error() -> None:
    r = run_cli("check", "no/such/file.bpr")
    assert r.returncode == 2
    assert "no such file or folder" in r.stderr and "Traceback" not in r.stderr


def test_folder_without_bpr_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    r = run_cli("check", str(tmp_path), "--lang", "ja")
    assert r.returncode == 2
    assert ".bpr ファイルがありません" in r.stderr


def test_bad_flag_is_a_usage_error() -> None:
    r = run_cli("check", "--format", "xml", "processes")
    assert r.returncode == 2 and "invalid choice" in r.stderr


def test_bad_inputs_never_write_anything(tmp_path: Path) -> None:
    (tmp_path / "bin.bpr").write_bytes(b"\x00\x01\x02")
    (tmp_path / "empty.bpr").write_text("")
    before = sorted(p.name for p in tmp_path.iterdir())
    r = run_cli("check", str(tmp_path))
    assert r.returncode == 1
    assert "E004" in r.stdout and "E006" in r.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_check_does_not_import_heavy_modules() -> None:
    code = (
        "import sys\n"
        "from bprkit.cli import main\n"
        "rc = main(['check', 'processes/'])\n"
        "heavy = sorted(m for m in ('numpy', 'graphviz', 'pandas', 'matplotlib', 'networkx')"
        " if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert "HEAVY []" in r.stdout


def test_imported_library_processes_need_no_volume() -> None:
    r = run_cli("check", "processes/kokuho_kanyu.bpr")
    assert r.returncode == 0 and "W003" not in r.stdout  # 部長決裁 in common/ is not used here
    r = run_cli("check", "processes/common/kessai.bpr")
    assert "W003" in r.stdout  # checked on its own, the file is no library
