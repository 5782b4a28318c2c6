"""Issue 21: one guard for every output. Every command that writes refuses, before any
work, an output that is a file the input imports — by name, through a symbolic link
and as a hard link — and the imported file keeps every byte; no temporary file is
left. Also: an extension that contradicts the format, an empty name, a folder, FIFOs
named by a file option, --jobs and --seed out of range."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .clirunner import run_cli
from .conftest import ROOT

SUB = ('process sub 「決裁」 {\n  lane 長 「課長」 : approval\n'
       '  step ok 「決裁」 @長 [紙, 押印] 3分\n}\n')
MAIN = ('import "common/sub.bpr"\n\nprocess main 「申請」 {\n  volume 100 / year\n'
        '  lane 係 : back_office\n  step 入力 「入力」 @係 [紙, 転記] 5分\n'
        '  use sub\n}\n')


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "sub.bpr").write_text(SUB, encoding="utf-8")
    (tmp_path / "main.bpr").write_text(MAIN, encoding="utf-8")
    assert run_cli("check", str(tmp_path / "main.bpr")).returncode == 0
    return tmp_path


def _target(tree: Path, how: str, ext: str) -> Path:
    """The output: the imported file itself (by name: only where the extension fits),
    a symbolic link to it, or a hard link to it."""
    sub = tree / "common" / "sub.bpr"
    if how == "name":
        return sub
    out = tree / f"out{ext}"
    if how == "symlink":
        out.symlink_to(sub)
    else:
        os.link(sub, out)
    return out


WRITERS = [
    ("render", "svg", lambda t, o: ("render", str(t / "main.bpr"), "-o", str(o))),
    ("render png", "png", lambda t, o: ("render", str(t / "main.bpr"), "-o", str(o))),
    ("redesign", "bpr", lambda t, o: ("redesign", str(t / "main.bpr"), "-o", str(o),
                                      "--force")),
    ("export bpmn", "bpmn", lambda t, o: ("export", str(t / "main.bpr"), "-o", str(o))),
    ("export xml", "xml", lambda t, o: ("export", str(t / "main.bpr"), "-o", str(o))),
    ("export xlsx", "xlsx", lambda t, o: ("export", str(t / "main.bpr"), "-o", str(o))),
    ("export mmd", "mmd", lambda t, o: ("export", str(t / "main.bpr"), "-o", str(o))),
    ("portfolio text", "txt", lambda t, o: ("portfolio", str(t), "-o", str(o))),
    ("portfolio json", "json", lambda t, o: ("portfolio", str(t), "-o", str(o))),
    ("portfolio csv", "csv", lambda t, o: ("portfolio", str(t), "-o", str(o))),
    ("portfolio xlsx", "xlsx", lambda t, o: ("portfolio", str(t), "-o", str(o))),
    ("report", "html", lambda t, o: ("report", str(t), "-o", str(o))),
]


@pytest.mark.parametrize("how", ["name", "symlink", "hardlink"])
@pytest.mark.parametrize(("name", "ext", "argv"), WRITERS, ids=[w[0] for w in WRITERS])
def test_no_output_replaces_an_imported_file(tree: Path, how: str, name: str, ext: str,
                                             argv: object) -> None:
    sub = tree / "common" / "sub.bpr"
    out = _target(tree, how, "." + ext)
    r = run_cli(*argv(tree, out), "--lang", "en")  # type: ignore[operator]
    assert r.returncode == 2, (r.stdout, r.stderr)
    # by name the .bpr extension is refused first (its own message per command); a
    # link of the right extension is refused as the imported file it is
    said = ("is a file the input consists of",) if how != "name" else (
        "consists of", "extension", "format", ".html file")
    assert any(s in r.stderr for s in said), r.stderr
    assert sub.read_text(encoding="utf-8") == SUB
    assert not [p for p in tree.rglob("*") if p.name.startswith(".bprkit-")]


def test_report_pdf_is_guarded_too(tree: Path) -> None:
    sub = tree / "common" / "sub.bpr"
    (tree / "r.pdf").symlink_to(sub)
    r = run_cli("report", str(tree), "-o", str(tree / "r.html"), "--pdf", "--lang", "en")
    assert r.returncode == 2 and "r.pdf is a file the input consists of" in r.stderr
    assert sub.read_text(encoding="utf-8") == SUB and not (tree / "r.html").exists()


def test_import_and_backtest_outputs_are_guarded(tree: Path) -> None:
    bpmn = tree / "m.bpmn"
    assert run_cli("export", str(tree / "main.bpr"), "-o", str(bpmn)).returncode == 0
    before = bpmn.read_bytes()
    (tree / "back.bpr").symlink_to(bpmn)
    r = run_cli("import", str(bpmn), "-o", str(tree / "back.bpr"), "--force", "--lang", "en")
    assert r.returncode == 2 and "is a file the input consists of" in r.stderr
    assert bpmn.read_bytes() == before
    case = tree / "cases" / "c.bpr"
    case.parent.mkdir()
    cases = Path(__file__).parents[1] / "bprkit/estimate/backtest/cases"
    shutil.copy(cases / "rpa_yokohama_id.bpr", case)
    (tree / "fit.toml").symlink_to(case)
    text = case.read_bytes()
    r = run_cli("backtest", str(case.parent), "--fit", "-o", str(tree / "fit.toml"))
    assert r.returncode == 2 and case.read_bytes() == text


def test_fmt_writes_only_the_file_it_formats(tree: Path) -> None:
    main = tree / "main.bpr"
    main.write_text(MAIN.replace("  lane 係", "lane   係"), encoding="utf-8")
    assert run_cli("fmt", str(main)).returncode == 0
    assert (tree / "common" / "sub.bpr").read_text(encoding="utf-8") == SUB
    assert run_cli("check", str(main)).returncode == 0


@pytest.mark.parametrize(("argv", "message"), [
    (("portfolio", "{d}", "--format", "csv", "-o", "{d}/x.bpr"), "has an extension"),
    (("render", "{d}/main.bpr", "-o", ""), "output name is empty"),
    (("render", "{d}/main.bpr", "-o", "{d}/common"), "is a folder"),
    (("render", "{d}/main.bpr", "-o", "{d}/nowhere/x.svg"), "cannot write"),
    (("portfolio", "{d}", "--jobs", "0"), "--jobs must be"),
    (("portfolio", "{d}", "--jobs", "100000"), "--jobs must be"),
    (("estimate", "{d}/main.bpr", "--seed", "-1"), "--seed must be"),
    (("backtest", "--seed", str(2 ** 64)), "--seed must be"),
    (("report", "{d}", "-o", "{d}/r.html", "--backtest", "{d}/nosuchdir"), "nosuchdir"),
    (("export", "{d}/main.bpr", "-o", "{d}/e.bpmn", "--process", "nosuch"), "nosuch"),
    (("export", "{d}/main.bpr", "-o", "{d}/e.bpmn", "--samples", "-1"), "--samples"),
])
def test_bad_outputs_and_options_are_said_before_the_work(tree: Path, argv: tuple[str, ...],
                                                          message: str) -> None:
    r = run_cli(*(a.format(d=tree) for a in argv), "--lang", "en")
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and not (tree / "x.bpr").exists()
    assert not (tree / "r.html").exists() and not (tree / "e.bpmn").exists()


@pytest.mark.parametrize("option", ["--assumptions", "--roadmap"])
def test_a_fifo_file_option_is_refused_by_name(tree: Path, option: str) -> None:
    fifo = tree / "pipe.toml"
    os.mkfifo(fifo)
    r = run_cli("estimate", str(tree / "main.bpr"), option, str(fifo), "--lang", "en")
    assert r.returncode == 2 and f"{fifo} is not a regular file" in r.stderr


def test_a_read_only_folder_is_found_before_the_work(tree: Path) -> None:
    """The output's folder cannot be written: said before the work. The input holds a
    file with an error, which the portfolio would report while working: the guard
    refuses first, so that report never comes. As root (CI), the command runs without
    the capabilities that let root write anywhere (setpriv drops them), so the folder's
    mode counts as it does for anyone else."""
    (tree / "bad.bpr").write_text("process bad {\n  step ?\n}\n", encoding="utf-8")
    ro = tree / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    argv = [sys.executable, "-m", "bprkit", "portfolio", str(tree), "-o", str(ro / "p.csv"),
            "--lang", "en"]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is part of every Debian system"
        drop = "-dac_override,-dac_read_search"
        argv = [setpriv, f"--bounding-set={drop}", f"--inh-caps={drop}", *argv]
    try:
        r = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120,
                           env={**os.environ, "LANG": "en_US.UTF-8"})
        assert r.returncode == 2 and "cannot write" in r.stderr and r.stdout == "", r.stderr
        assert "bad.bpr" not in r.stderr  # the work never started
        assert not (ro / "p.csv").exists()
    finally:
        ro.chmod(0o755)
