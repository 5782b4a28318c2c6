"""Issue 21, "check that means check": whatever `bprkit check` accepts, every later
command handles; what they could not handle is a `check` error with its place. Each
test runs the CLI (clirunner.run_cli, in this process) on real files in tmp_path."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bprkit.messages import catalog as messages

from .clirunner import Result as Run
from .clirunner import run_cli
from .conftest import needs_dot

BARE = re.compile(r"^bprkit: [^\s:]+(?:, [^\s:]+)*$", re.M)
"""A message that is nothing but step ids (``bprkit: s1``)."""

UNREACHED_LOOP = """process p 「手続」 {
  volume 100 / 年
  lane a 「窓口」 : 窓口
  step s0 「受付」 @a 3min
  branch {
    100% -> end
  }
  step s1 「確認」 @a 5min -> s1
}
"""
ROUNDED_EXIT = """process p 「手続」 {
  volume 100 / 年
  lane a 「窓口」 : 窓口
  step s0 「受付」 @a 3min
  branch {
    99.999999999999999% -> s0
    0.0000000001% -> end
  }
}
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path




def _no_bare_ids(r: Run) -> None:
    out = r.stdout + r.stderr
    assert not BARE.search(out), out
    assert "Traceback" not in out and "internal error" not in out, out


def _every_command(path: Path, tmp_path: Path) -> dict[str, Run]:
    runs = {
        "analyze": run_cli("analyze", "--format", "json", str(path)),
        "estimate": run_cli("estimate", "--samples", "200", str(path)),
        "render": run_cli("render", str(path), "-o", str(tmp_path / "d.svg")),
        "redesign": run_cli("redesign", str(path), "-o", str(tmp_path / "tobe.bpr")),
        "bpmn": run_cli("export", str(path), "-o", str(tmp_path / "x.bpmn")),
        "mermaid": run_cli("export", str(path), "-o", str(tmp_path / "x.mmd")),
        "xlsx": run_cli("export", str(path), "-o", str(tmp_path / "x.xlsx")),
    }
    for r in runs.values():
        _no_bare_ids(r)
    return runs


# ── 1. loops: unreached ones get no cases, uncountable ones are E071 ──
def test_an_unreached_loop_is_a_warning_and_every_command_gives_it_no_cases(
        tmp_path: Path) -> None:
    path = _write(tmp_path, "loop.bpr", UNREACHED_LOOP)
    r = run_cli("check", str(path))
    assert r.returncode == 0 and "warning[W001]" in r.stdout and "error[" not in r.stdout
    runs = _every_command(path, tmp_path)
    for name, r in runs.items():
        assert r.returncode == 0, (name, r.stderr)
    steps = {s["id"]: s for s in json.loads(runs["analyze"].stdout)["processes"][0]["steps"]}
    assert steps["s1"]["executions"] == 0 and steps["s0"]["executions"] == 1
    ET.fromstring((tmp_path / "d.svg").read_bytes())
    assert run_cli("check", str(tmp_path / "tobe.bpr"), str(path)).returncode == 0


@pytest.mark.parametrize("lang,words", [("en", "rounds to 0%"), ("ja", "0% に丸められ")])
def test_a_way_out_that_rounds_to_nothing_is_e071_at_the_loop(tmp_path: Path, lang: str,
                                                               words: str) -> None:
    path = _write(tmp_path, "tiny.bpr", ROUNDED_EXIT)
    r = run_cli("check", "--lang", lang, str(path))
    assert r.returncode == 1
    assert f"{path}:4:8: " in r.stdout and "[E071]" in r.stdout and words in r.stdout
    assert "99.999999999999999%" in r.stdout  # the hint says why
    for name, r in _every_command(path, tmp_path).items():
        assert r.returncode == 1 and "[E071]" in r.stdout + r.stderr, name
    assert not (tmp_path / "d.svg").exists() and not (tmp_path / "tobe.bpr").exists()


def test_a_loop_gone_round_ten_million_times_is_e071(tmp_path: Path) -> None:
    path = _write(tmp_path, "many.bpr", ROUNDED_EXIT.replace(
        "99.999999999999999% -> s0\n    0.0000000001% -> end", "99.99999% -> s0\n    else -> end"))
    r = run_cli("check", str(path))
    assert r.returncode == 1 and "error[E071]" in r.stdout
    assert "10,000,000 times on average" in r.stdout and "1,000,000" in r.stdout


def test_a_loop_with_a_small_but_countable_way_out_still_analyses(tmp_path: Path) -> None:
    path = _write(tmp_path, "rework.bpr", ROUNDED_EXIT.replace(
        "99.999999999999999% -> s0\n    0.0000000001% -> end", "99.9% -> s0\n    else -> end"))
    assert run_cli("check", str(path)).returncode == 0
    r = run_cli("analyze", "--format", "json", str(path))
    assert r.returncode == 0
    step = json.loads(r.stdout)["processes"][0]["steps"][0]
    assert step["executions"] == pytest.approx(1000, rel=1e-6)


def test_a_loop_error_is_a_sentence_not_a_list_of_ids() -> None:
    from bprkit.analysis.graph import LoopError

    exc = LoopError("s1")
    assert str(exc) == messages.text("en", "loop_error", steps="s1") != "s1"
    assert exc.text("ja") == messages.text("ja", "loop_error", steps="s1")


# ── 2. fmt reads what check reads, writes UTF-8 with LF ──
def test_fmt_reads_a_shift_jis_file_and_writes_it_as_utf8(tmp_path: Path) -> None:
    text = ("process p 「住民票」 {\n  volume 100 / 年\n  lane a 「窓口」 : 窓口\n"
            "      step s0 「受付」 @a 3分   # 本人確認\n}\n")
    path = tmp_path / "sjis.bpr"
    path.write_bytes(text.encode("cp932"))
    r = run_cli("check", str(path))
    assert r.returncode == 0 and "warning[W004]" in r.stdout
    r = run_cli("fmt", "--check", str(path))
    assert r.returncode == 1 and "sjis.bpr" in r.stdout and "Traceback" not in r.stderr
    r = run_cli("fmt", str(path))
    assert r.returncode == 0, r.stderr
    assert path.read_bytes().decode("utf-8") == (
        "process p 「住民票」 {\n  volume 100 / 年\n  lane a 「窓口」 : 窓口\n"
        "  step s0 「受付」 @a 3分  # 本人確認\n}\n")
    r = run_cli("check", str(path))
    assert r.returncode == 0 and "W004" not in r.stdout
    assert run_cli("fmt", "--check", str(path)).returncode == 0


@pytest.mark.parametrize("end", ["\r", "\r\n"])
def test_fmt_reads_cr_and_crlf_line_ends_and_writes_lf(tmp_path: Path, end: str) -> None:
    lines = ["# 手続", "process p 「手続」 {", "    volume 100 / 年   # 件数", "  lane a : 窓口",
             "  step s0 @a 3分", "}", ""]
    path = tmp_path / "ends.bpr"
    path.write_bytes(end.join(lines).encode("utf-8"))
    assert run_cli("check", str(path)).returncode == 0
    r = run_cli("fmt", "--check", str(path))
    assert r.returncode == 1 and "ends.bpr" in r.stdout and "meaning" not in r.stderr
    r = run_cli("fmt", str(path))
    assert r.returncode == 0, r.stderr
    assert path.read_bytes() == ("# 手続\nprocess p 「手続」 {\n  volume 100 / 年  # 件数\n"
                                 "  lane a : 窓口\n  step s0 @a 3分\n}\n").encode()
    assert run_cli("fmt", "--check", str(path)).returncode == 0


# ── 3. what a diagram cannot draw is a check error at its place ──
def _lane_label(label: str) -> str:
    return (f"process p 「手続」 {{\n  volume 100 / 年\n  lane a 「{label}」 : 窓口\n"
            "  step s0 「受付」 @a 3min\n}\n")


def test_a_label_of_2500_characters_is_e072_and_nothing_is_drawn(tmp_path: Path) -> None:
    path = _write(tmp_path, "lane.bpr", _lane_label("あ" * 2500))
    r = run_cli("check", str(path))
    assert r.returncode == 1
    assert f"{path}:3:10: error[E072]: this label is 2,500 characters long" in r.stdout
    r = run_cli("check", "--lang", "ja", str(path))
    assert "[E072]" in r.stdout and "2,500 文字" in r.stdout and "上限 200 文字" in r.stdout
    out = tmp_path / "lane.svg"
    r = run_cli("render", str(path), "-o", str(out))
    assert r.returncode == 1 and "[E072]" in r.stdout + r.stderr and not out.exists()


def test_a_label_of_200_characters_is_drawn_201_is_not(tmp_path: Path) -> None:
    assert run_cli("check", str(_write(tmp_path, "a.bpr", _lane_label("あ" * 200)))
                   ).returncode == 0
    r = run_cli("check", str(_write(tmp_path, "b.bpr", _lane_label("あ" * 201))))
    assert r.returncode == 1 and "201 characters" in r.stdout


def test_a_long_name_is_e072_once(tmp_path: Path) -> None:
    name = "受付" * 150
    path = _write(tmp_path, "name.bpr", "process p {\n  volume 100 / 年\n  lane a : 窓口\n"
                  f"  step {name} @a 3min\n  step b @a 1min\n}}\n")
    r = run_cli("check", str(path))
    assert r.returncode == 1
    assert r.stdout.count("error[E072]") == 1
    assert f"{path}:4:8: error[E072]: this name is 300 characters long" in r.stdout


@needs_dot
def test_many_lanes_with_long_labels_are_drawn(tmp_path: Path) -> None:
    """Each label within the limit, 40 of them: the background that holds the lanes'
    titles passes Graphviz's 16 KB string limit, so it is written in pieces. (One step
    has a note: a note on each widened the PNG to 30 s of Graphviz, testing no more.)"""
    lanes = "".join(f"  lane l{i} 「{'レ' * 200}」 : 窓口\n" for i in range(40))
    steps = "".join(f"  step s{i} 「{'ス' * 200}」 @l{i} 3min\n" for i in range(1, 40))
    steps = f"  step s0 「{'ス' * 200}」 @l0 3min {{\n    note 「{'メ' * 200}」\n  }}\n" + steps
    path = _write(tmp_path, "wide.bpr", f"process p 「{'手' * 200}」 {{\n"
                  f"  owner 「{'課' * 200}」\n  volume 100 / 年\n{lanes}{steps}}}\n")
    assert run_cli("check", str(path)).returncode == 0
    r = run_cli("render", str(path), "--format", "dot", "-o", "-")
    assert r.returncode == 0, r.stderr
    (background,) = [ln for ln in r.stdout.splitlines() if "_background" in ln]
    assert len(background.encode("utf-8")) > 16_384 and '" + "' in background  # the case
    quoted = re.findall(r'"((?:[^"\\]|\\.)*)"', r.stdout)
    assert max(len(q.encode("utf-8")) for q in quoted) <= 16_384
    for ext in ("svg", "png"):
        r = run_cli("render", str(path), "-o", str(tmp_path / f"wide.{ext}"))
        assert r.returncode == 0, r.stderr
    svg = ET.fromstring((tmp_path / "wide.svg").read_bytes())
    assert svg.tag.endswith("svg")
    assert (tmp_path / "wide.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("ref,char", [("&#xFFFF;", "U+FFFF"), ("&#1;", "U+0001"),
                                      ("&#xD800;", "U+D800"), ("&#1114112;", "> U+10FFFF"),
                                      ("&#x0000000000000000000041;", None)])
def test_a_character_reference_xml_cannot_hold_is_e073(tmp_path: Path, ref: str,
                                                       char: str | None) -> None:
    text = ("process p 「手続」 {\n  volume 100 / 年\n  lane a : 窓口\n  step s0 @a 3min {\n"
            f"    note 「注意 {ref}」\n  }}\n}}\n")
    path = _write(tmp_path, "note.bpr", text)
    r = run_cli("check", str(path))
    if char is None:  # U+0041, written with many zeros: a letter
        assert r.returncode == 0, r.stdout
        return
    assert r.returncode == 1
    assert f"{path}:5:14: error[E073]: '{ref}' is a character reference to {char}" in r.stdout
    out = tmp_path / "note.svg"
    r = run_cli("render", str(path), "-o", str(out))
    assert r.returncode == 1 and not out.exists()


@needs_dot
def test_other_references_are_drawn_as_typed_in_well_formed_svg(tmp_path: Path) -> None:
    text = ("process p 「手続 &amp; 確認」 {\n  owner 「市民課 &#x41;」\n  volume 100 / 年\n"
            "  lane a 「窓口 &lt;1&gt;」 : 窓口\n"
            "  step s0 「受付 &#x1F600;」 @a 3min {\n    note 「&#x1F600; &nbsp; &foo; a & b」\n"
            "    pain 「&#65;」\n  }\n  branch 「可否 &#9;」 {\n    50% -> s0\n"
            "    else -> end\n  }\n}\n")
    path = _write(tmp_path, "refs.bpr", text)
    assert run_cli("check", str(path)).returncode == 0
    out = tmp_path / "refs.svg"
    r = run_cli("render", str(path), "-o", str(out))
    assert r.returncode == 0, r.stderr
    root = ET.fromstring(out.read_bytes())
    shown = "".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    for typed in ("&#x1F600;", "&nbsp;", "&foo; a & b", "&#65;", "&lt;1&gt;", "&amp;"):
        assert typed in shown, typed
    assert "\U0001F600" not in shown  # never decoded


def test_an_svg_that_is_not_xml_is_never_written(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The last guard: whatever Graphviz gives back is parsed before it is kept."""
    from bprkit.render import dot

    path = _write(tmp_path, "ok.bpr", _lane_label("窓口"))
    out = tmp_path / "ok.svg"
    monkeypatch.setattr(dot, "run", lambda g, fmt: b"<svg><text>&#xFFFF;</text></svg>")
    r = run_cli("render", str(path), "-o", str(out))  # in this process: the patch holds
    assert r.returncode == 1
    assert "not well-formed XML" in r.stderr and "nothing was written" in r.stderr
    assert not out.exists()


@needs_dot
def test_graphviz_refusing_a_drawing_is_an_error_not_a_silent_success() -> None:
    """Graphviz stopping before it has read the drawing (a string over 16 KB) was a
    broken pipe the CLI took for a closed stdout: exit 0 and no file."""
    import graphviz

    from bprkit.errors import RenderError
    from bprkit.render import dot

    g = graphviz.Digraph(engine="neato")
    g.node("a", label="x" * 20_000)
    g.node("b", label="y" * 200_000)
    with pytest.raises(RenderError, match="Graphviz failed"):
        dot.run(g, "svg")
