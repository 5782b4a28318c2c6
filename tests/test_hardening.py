"""Regression tests for odd, hostile and huge inputs (issue 11): nothing hangs,
nothing crashes after a clean check, nothing is lost."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from bprkit.text.loader import check_files


def _timed_check(path: Path) -> tuple[float, list[str]]:
    start = time.perf_counter()
    report = check_files([str(path)])
    return time.perf_counter() - start, [d.code for d in report.diagnostics]


def test_a_long_run_of_blanks_is_lexed_in_linear_time(tmp_path: Path) -> None:
    """`' ' * 64000 + '$'` took 84 s: the lexer's leading blanks backtracked."""
    small, big = tmp_path / "small.bpr", tmp_path / "big.bpr"
    small.write_text(" " * 4000 + "$", encoding="utf-8")
    big.write_text(" " * 64000 + "$", encoding="utf-8")
    t_small, codes = _timed_check(small)
    t_big, codes_big = _timed_check(big)
    assert codes == codes_big == ["E003"]
    assert t_big < 1.0 and t_big < 16 * t_small + 0.2  # linear: 16× the input


# ── nothing lost ──
import os  # noqa: E402
import shutil  # noqa: E402
import stat  # noqa: E402

import pytest  # noqa: E402

from bprkit import output  # noqa: E402

from . import conftest  # noqa: E402
from .clirunner import run_cli  # noqa: E402
from .conftest import PROCESSES, needs_dot  # noqa: E402


@needs_dot
def test_dev_null_stays_a_device() -> None:
    """`-o /dev/null` replaced the device with a regular file (seen as root)."""
    r = run_cli("render", str(PROCESSES / "tenshutsu.bpr"), "--format", "dot", "-o", os.devnull)
    assert r.returncode == 0, r.stderr
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_a_fifo_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    import threading

    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    output.write_output(str(fifo), b"hello")
    reader.join(5)
    assert got == [b"hello"] and stat.S_ISFIFO(os.stat(fifo).st_mode)


@pytest.mark.parametrize("command", ["render", "redesign"])
def test_a_file_the_input_imports_is_never_overwritten(tmp_path: Path, command: str) -> None:
    shutil.copytree(PROCESSES, tmp_path / "processes")
    target = tmp_path / "processes" / "common" / "kessai.bpr"
    before = target.read_bytes()
    args = ["--format", "dot"] if command == "render" else []
    r = run_cli(command, str(tmp_path / "processes" / "kaigo_nintei.bpr"), "-o",
                str(target), *args)
    assert r.returncode == 2, r.stdout + r.stderr
    assert target.read_bytes() == before
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".bprkit-")]


def test_a_hard_link_to_the_input_is_the_input(tmp_path: Path) -> None:
    src = tmp_path / "a.bpr"
    shutil.copy(PROCESSES / "tenshutsu.bpr", src)
    link = tmp_path / "b.dot"
    os.link(src, link)
    r = run_cli("render", str(src), "-o", str(link))
    assert r.returncode == 2 and src.read_text(encoding="utf-8").startswith("# 転出届")


@needs_dot
def test_dash_writes_to_standard_output(tmp_path: Path) -> None:
    r = run_cli("render", str(PROCESSES / "tenshutsu.bpr"), "--format", "dot", "-o", "-")
    assert r.returncode == 0 and r.stdout.startswith("digraph")
    r = run_cli("redesign", str(PROCESSES / "tenshutsu.bpr"), "-o", "-", cwd=tmp_path)
    assert r.returncode == 0 and "process" in r.stdout and list(tmp_path.iterdir()) == []


@needs_dot
def test_outputs_honour_the_umask_and_follow_symlinks(tmp_path: Path) -> None:
    out = tmp_path / "t.svg"
    old = os.umask(0o027)
    try:
        output.write_output(str(out), b"<svg/>")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o640
    link = tmp_path / "link.svg"
    link.symlink_to(out)
    output.write_output(str(link), b"<svg>2</svg>")
    assert link.is_symlink() and out.read_bytes() == b"<svg>2</svg>"


def test_a_folder_is_refused_and_stale_temp_files_are_swept(tmp_path: Path) -> None:
    with pytest.raises(output.OutputError) as err:
        output.write_output(str(tmp_path), b"x")
    assert err.value.reason == "output_is_folder"
    stale = tmp_path / ".bprkit-ab12cd_9.part"  # the pattern bprkit's temp files have
    stale.write_bytes(b"half")
    os.utime(stale, (0, 0))
    fresh = tmp_path / ".bprkit-ef34gh_0.part"
    fresh.write_bytes(b"running")
    # a user's files that only look alike, however old: never touched (issue 21)
    users = [tmp_path / n for n in (".bprkit-settings.toml", ".bprkit-left",
                                    ".bprkit-ab12cd_9.part.bak", ".bprkit-ab12cd9.part")]
    for u in users:
        u.write_bytes(b"mine")
        os.utime(u, (0, 0))
    output.write_output(str(tmp_path / "x.svg"), b"<svg/>")
    assert not stale.exists() and fresh.exists()
    assert all(u.read_bytes() == b"mine" for u in users)


# ── bounded work ──
def test_a_use_chain_that_doubles_is_analysed_once_per_process(tmp_path: Path) -> None:
    """Sixteen processes, each using the next twice (1.2 KB): analyze took 65 s and
    1.6 GB. Past 2,000 expanded steps each used process is analysed once and its
    figures multiply: the same totals as the full expansion, in linear time."""
    from bprkit.analysis import graph
    from bprkit.analysis.records import analyze_process

    def chain(levels: int) -> Path:
        lines = []
        for i in range(levels):
            lines.append(f"process p{i} {{\n  volume 10 / 年\n  lane a : 窓口\n"
                         f"  step s{i} @a [紙, 転記, 定型] 1分")
            if i < levels - 1:
                lines.append(f"  use p{i + 1}\n  use p{i + 1}")
            lines.append("}")
        path = tmp_path / f"chain{levels}.bpr"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    path = chain(16)
    seconds, codes = _timed_check(path)
    assert seconds < 2 and not [c for c in codes if c.startswith("E")]
    r = run_cli("analyze", "--format", "json", str(path))
    assert r.returncode == 0, r.stderr[-300:]
    assert '"staff_minutes_per_case": 65535' in r.stdout  # 2^16 − 1 steps of 1 minute
    r = run_cli("render", "--expand", str(path), "-o", str(tmp_path / "x.svg"))
    assert r.returncode == 2 and "--expand" in r.stderr  # too large to draw expanded
    # the combined analysis gives the full expansion's figures (10 levels: 1,023 runs)
    small = chain(10)
    bundle = check_files([str(small)]).files[0].bundle
    full = analyze_process(bundle.root.processes[0], bundle)
    old, graph.COMBINE_ABOVE = graph.COMBINE_ABOVE, 10
    try:
        combined = analyze_process(bundle.root.processes[0], bundle)
    finally:
        graph.COMBINE_ABOVE = old
    assert combined.graph.combined and len(combined.graph.runs) == 10
    assert len(full.graph.runs) == 1023
    for key in ("staff_minutes_per_case", "lead_time_hours", "annual_staff_hours", "handoffs"):
        assert getattr(combined.metrics, key) == getattr(full.metrics, key), key


# ── check means check ──
def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _steps(prefix: str, lines: list[str]) -> str:
    return "process p {\n  volume 10 / 年\n  lane a : 窓口\n  lane k : 決裁\n" + prefix + \
        "\n".join(lines) + "\n}\n"


@pytest.mark.parametrize(("name", "text"), [
    ("approvals", _steps("  step s0 @a 1分\n", [f"  step k{i} @k [押印] 1分" for i in range(991)])),
    ("parallels", _steps("  step s0 @a 1分\n",
                         ["  parallel {\n    path { }\n    path { }\n  }"] * 329
                         + ["  step s1 @a 1分"])),
])
def test_long_chains_do_not_hit_the_recursion_limit(tmp_path: Path, name: str, text: str) -> None:
    """991 approval steps in a row, 329 empty parallel blocks in a row: checked
    clean, then every command ended in RecursionError (exit 3)."""
    path = _write(tmp_path, f"{name}.bpr", text)
    assert check_files([str(path)]).ok
    for command in (["analyze"], ["estimate"], ["redesign", "-o", str(tmp_path / "t.bpr")]):
        r = run_cli(*command, str(path))
        assert r.returncode == 0, (command, r.stderr[-300:])


def test_deep_use_chains_and_huge_numbers_are_diagnostics(tmp_path: Path) -> None:
    chain = "\n".join(
        f"process p{i} {{ volume 1 / 年; lane a : 窓口; step s @a 1分"
        + (f"; use p{i + 1}" if i < 1199 else "") + " }" for i in range(1200))
    report = check_files([str(_write(tmp_path, "chain.bpr", chain + "\n"))])
    assert "E051" in [d.code for d in report.diagnostics]
    huge = "process p {\n  volume 1" + "0" * 309 + " / 年\n  lane a : 窓口\n  step s @a 1分\n}\n"
    report = check_files([str(_write(tmp_path, "huge.bpr", huge))])
    assert [d.code for d in report.diagnostics if d.is_error] == ["E052"]


# ── one error root, round trips ──
def test_every_error_raised_on_purpose_is_a_bpr_error() -> None:
    from bprkit import errors
    from bprkit.analysis.graph import LoopError
    from bprkit.estimate.backtest.cases import BacktestError
    from bprkit.render.dot import RenderError
    from bprkit.render.drawing import FormatError

    for kind in (LoopError, FormatError, RenderError, output.OutputError, BacktestError):
        assert issubclass(kind, errors.BprError), kind
    assert output.OutputError("output_failed", "x").exit_code == 2
    assert LoopError("a → b").exit_code == 1


def test_numbers_are_written_in_plain_decimal() -> None:
    from bprkit.text import writer

    for value in (1e-05, 1.5e-07, 0.1, 2.5, 12345.0, 1e9, 0.000123456789):
        text = writer.number(value)
        assert "e" not in text and "inf" not in text
        assert float(text.replace(",", "")) == value


def test_a_control_character_past_4_kb_is_refused_at_its_place(tmp_path: Path) -> None:
    text = ("process p {\n  volume 10 / 年\n  lane a : 窓口\n  # " + "x" * 5000
            + "\n  step s 「ab\x07c」 @a 1分\n}\n")
    path = _write(tmp_path, "ctl.bpr", text)
    report = check_files([str(path)])
    assert [(d.code, d.span.line, d.span.column) for d in report.diagnostics] == \
        [("E003", 5, 13)]


def test_a_fifo_is_skipped_in_a_folder_and_refused_by_name(tmp_path: Path) -> None:
    shutil.copy(PROCESSES / "tenshutsu.bpr", tmp_path / "a.bpr")
    os.mkfifo(tmp_path / "pipe.bpr")
    r = run_cli("check", str(tmp_path))
    assert r.returncode == 0 and "pipe.bpr" not in r.stdout
    r = run_cli("check", str(tmp_path / "pipe.bpr"))
    assert r.returncode == 1 and "E005" in r.stdout


def test_the_grammar_cache_is_private(tmp_path: Path) -> None:
    # a process of its own: the parser (and its cache file) is made once per process;
    # lark, which keeps the cache, parses only a file with a mistake (bprkit.text.lalr)
    bad = tmp_path / "bad.bpr"
    bad.write_text("process p {\n  lane l : 窓口\n  step a @l 3分 ]\n}\n", encoding="utf-8")
    r = conftest.run_cli("check", str(bad), env={"XDG_CACHE_HOME": str(tmp_path)})
    assert r.returncode == 1 and "E0" in r.stdout + r.stderr
    folder = tmp_path / "bprkit"
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    names = [p.name for p in folder.iterdir()]
    assert any(n.startswith("grammar-") for n in names), names
    for p in folder.iterdir():  # the parsed catalogs beside it are the user's own too
        assert p.stat().st_uid == os.getuid() and not stat.S_IMODE(p.stat().st_mode) & 0o022


def test_redesign_of_a_file_holding_x_and_x_tobe_checks_clean(tmp_path: Path) -> None:
    """A file with both X and X_tobe got a second X_tobe from redesign."""
    head = "  volume 10 / 年\n  lane a : 窓口\n"
    src = _write(tmp_path, "pair.bpr",
                 "process X {\n" + head + "  step s @a [紙, 転記, 定型] 3分\n}\n"
                 "process X_tobe {\n" + head + "  step s @a [紙, 転記] 3分\n}\n")
    out = tmp_path / "out.bpr"
    r = run_cli("redesign", str(src), "-o", str(out))
    assert r.returncode == 0, r.stderr
    report = check_files([str(out)])
    assert report.ok, [d.render("en") for d in report.diagnostics]
    ids = [p.id for p in report.files[0].bundle.root.processes]
    assert len(ids) == len(set(ids)) and "X_tobe" not in ids


@needs_dot
def test_graphviz_layout_warnings_stay_off_stderr(tmp_path: Path) -> None:
    """Issue 21: "Warning: node 'b_s_s6' … size too small for label" reached the user's
    terminal. The file (found by the fuzzer) draws a To-Be beside its As-Is."""
    asis = tmp_path / "f.bpr"
    asis.write_text(GRAPHVIZ_WARNS, encoding="utf-8")
    tobe = tmp_path / "f_tobe.bpr"
    assert run_cli("redesign", str(asis), "-o", str(tobe)).returncode == 0
    dot_file = tmp_path / "f.dot"
    assert run_cli("render", str(asis), "--compare", str(tobe), "-o", str(dot_file)
                   ).returncode == 0
    raw = subprocess.run(["dot", "-Tsvg", str(dot_file)], capture_output=True, text=True)
    assert "Warning" in raw.stderr  # Graphviz does warn on this drawing
    r = run_cli("render", str(asis), "--compare", str(tobe), "-o", str(tmp_path / "f.svg"),
                "--lang", "en")
    assert r.returncode == 0 and "Warning" not in r.stderr and r.stderr == ""


GRAPHVIZ_WARNS = "\n".join([
    'process p0 「」 {',
    '  volume 14 / 日',
    '  lane l0  : back_office',
    '  document 書類0 : 紙',
    '  document 書類1 : paper',
    '  document 書類2 : 電子',
    '  step s0 「a"b\\c」 @l0 [通知, 現地調査, FAX, 押印] 11時間',
    '  step s1 "é" @l0 [交付, 現地調査, 定型] 59d',
    '  step s2  @l0 [通知, 定型, RPA] 19..58..740511h',
    '  step s3 「」 @l0 [対面, 現金, 紙, 印刷] 63319h {',
    '    note "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
    '  }',
    '  step s4 「xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx」 @l0 [定型, 突合] 2分 wait 4分 {',  # noqa: E501 (the fuzzer's text as it was)
    '    note 「受付」',
    '  }',
    '  step s5 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" @l0 [現金, 照会] 9..357618週 待ち 0..0.0005..14秒',  # noqa: E501
    '  step s6 「{x}」 @l0 [転記, routine, 押印, FAX] 8.00207min wait 40日',
    '  step s7 "ﾊﾝｶｸ" @l0 [押印] 41..43日 {',
    '    batch 10',
    '  }',
    '  step s8 「\u3000全角 空白」 @l0 [RPA, 押印, 交付, 現地調査] 0.0008..6..53分 {',
    '    uses 書類0',
    '  }',
    '  step s9 "<script>&amp;" @l0 [paper, 対面, 紙, 電話] 4.7d 待ち 7..25..48d {',
    '    note 「\u3000全角 空白」',
    '  }',
    '  step s10 「<script>&amp;」 @l0 [FAX, 照会] 7..27..52秒',
    '  branch "😀 絵文字" {',
    '    99.9% -> s2',
    '    else -> s11',
    '  }',
    '  step s11 @l0 1分',
    '}',
    '',
])
"""tests/fuzzing.py's generate(random.Random(2)): a file `dot` warns on (kept here, not
under fixtures/, whose files other tests read for findings)."""
