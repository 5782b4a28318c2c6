"""Declared extension points, proved with dummies (issue 22, point 4).

A render backend, an exporter, an importer and a lever that writes a new tag are
registered for one test each, then every command that should reach them is run through
``bprkit.cli.main``. Round 2 failed here: a lever with a new tag passed check and
estimate, then redesign wrote a file check rejected, the tag's badge disappeared, and a
badge without words made render exit 3.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from bprkit import vocabulary
from bprkit.assumptions import catalog as assumptions
from bprkit.cli import main
from bprkit.interop import registry
from bprkit.messages import catalog as messages
from bprkit.render import backends, style

PHONE = """process toiawase 「問い合わせ」 {
  volume 1200/年
  lane jumin : resident
  lane madoguchi : counter
  step denwa 「電話で問い合わせる」 @jumin [電話] 10分
  step kaito 「電話で答える」 @madoguchi [電話, 定型] 8分
}
"""

CHATBOT = """
[levers.chatbot]
title_ja = "チャットボット"
title_en = "chatbot"
aliases = ["チャットボット"]
requires = ["resident_facing"]
requires_any = ["phone"]
excludes = []
provides = ["electronic_input"]
removes = ["phone"]
targets = []
tags_removed = ["phone"]
tags_added = ["chatbot"]
removes_step = false
queue_wait_only = false
minutes_factor = { low = 0.3, mode = 0.5, high = 0.7, source = "assumption: a test lever" }
wait_factor = { value = 1.0, source = "assumption: a test lever" }
adoption = { value = 0.5, source = "assumption: a test lever" }
exception_rate = { value = 0.1, source = "assumption: a test lever" }
one_off_yen = { value = 0, source = "assumption" }
annual_yen = { value = 0, source = "assumption" }
per_case_yen = { value = 0, source = "assumption" }
"""


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def phone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "toiawase.bpr"
    path.write_text(PHONE, encoding="utf-8")
    return path


@contextmanager
def chatbot() -> Iterator[None]:
    """A lever that writes a tag the language does not ship, registered as the
    extension points say: the tag, its colour, its words, the lever."""
    vocabulary.register_tag("chatbot", ("チャットボット",), "digital")
    style.DIGITAL_COLOURS["chatbot"] = "#6d4c41"
    messages.add("text", "tag_chatbot", {"ja": "チャットボット", "en": "chatbot"})
    assumptions.register_levers(CHATBOT)
    try:
        yield
    finally:
        assumptions.unregister_levers()
        messages.remove("text", "tag_chatbot")
        del style.DIGITAL_COLOURS["chatbot"]
        vocabulary.unregister_tag("chatbot")


def test_a_lever_with_a_new_tag_goes_through_every_command(phone: Path) -> None:
    with chatbot():
        assert run("check", str(phone))[0] == 0
        code, out, _ = run("estimate", str(phone), "--levers", "chatbot", "--format", "json",
                           "--samples", "500", "--lang", "ja")
        assert code == 0
        steps = {s["id"]: s for s in json.loads(out)["steps"]}
        assert steps["denwa"]["levers"] == ["chatbot"]
        assert json.loads(out)["totals"]["annual_resident_hours"]["saved"] > 0
        code, _, err = run("redesign", str(phone), "--levers", "chatbot", "-o", "tobe.bpr",
                           "--lang", "ja")
        assert code == 0, err
        tobe = Path("tobe.bpr").read_text(encoding="utf-8")
        assert "チャットボット" in tobe
        assert run("check", "tobe.bpr")[0] == 0, "redesign wrote what check rejects"
        code, _, err = run("render", "tobe.bpr", "-o", "tobe.svg", "--lang", "ja")
        assert code == 0, err
        svg = Path("tobe.svg").read_text(encoding="utf-8")
        assert svg.count("チャットボット") >= 2, "a badge on the step and a legend line"
        code, _, err = run("render", "tobe.bpr", "-o", "tobe_en.svg", "--lang", "en")
        assert code == 0 and "chatbot" in Path("tobe_en.svg").read_text(encoding="utf-8")
        for out_file in ("tobe.bpmn", "tobe.xlsx", "tobe.mmd"):
            assert run("export", "tobe.bpr", "-o", out_file)[0] == 0, out_file
        assert run("analyze", "tobe.bpr", "--format", "json")[0] == 0
        assert run("portfolio", ".", "--format", "json", "--jobs", "1")[0] == 0
    assert run("check", "tobe.bpr")[0] == 1, "the tag is gone with its registration"


class TextBackend:
    """A backend that writes a page as plain text: its steps, one a line."""

    FORMATS = ("txt",)

    @staticmethod
    def graph(page: object) -> object:
        scene = page.scene  # type: ignore[attr-defined]
        return [n.title for b in scene.blocks for n in b.nodes.values() if n.kind == "step"]

    @staticmethod
    def run(graph: object, fmt: str) -> bytes:
        return "\n".join(graph).encode("utf-8")  # type: ignore[call-overload]


def test_a_new_render_backend_is_one_registration(phone: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    module = types.ModuleType("bprkit_test_text_backend")
    module.FORMATS, module.graph, module.run = (  # type: ignore[attr-defined]
        TextBackend.FORMATS, TextBackend.graph, TextBackend.run)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    backends.register(module.__name__)
    try:
        code, _, err = run("render", str(phone), "-o", "flow.txt")
        assert code == 0, err
        assert Path("flow.txt").read_text(encoding="utf-8").splitlines() == \
            ["電話で問い合わせる", "電話で答える"]
        code, _, err = run("render", str(phone), "--format", "txt", "-o", "flow2.txt")
        assert code == 0, err
    finally:
        backends.unregister(("txt",))
    code, _, err = run("render", str(phone), "-o", "flow3.txt")
    assert code == 2 and not os.path.exists("flow3.txt")


class StepList:
    """An exporter: the steps of the first process, one a line."""

    name = "steps"
    extensions = (".steps",)
    many_files = False
    estimates = False

    def export(self, job: registry.ExportJob) -> bytes:
        bundle = job.report.files[0].bundle
        assert bundle is not None
        process = bundle.own(job.process)
        assert process is not None
        return "".join(f"{s.id}\n" for s in process.steps()).encode("utf-8")


class StepImporter:
    """An importer: a list of step names becomes a one-lane procedure."""

    name = "steps"
    extensions = (".steps",)
    folder = False

    def check_size(self, path: str, size: int) -> None:
        pass

    def read(self, path: str, data: bytes, lang: str) -> registry.Imported:
        steps = "".join(f"  step {s} @a 1分\n" for s in data.decode("utf-8").split())
        text = f"process p 「p」 {{\n  lane a : back_office\n{steps}}}\n"
        return registry.Imported({"p": text}, processes=1)


def test_a_new_exporter_and_importer_are_one_registration(phone: Path) -> None:
    registry.register_exporter(StepList())
    registry.register_importer(StepImporter())
    try:
        code, _, err = run("export", str(phone), "-o", "flow.steps")
        assert code == 0, err
        assert Path("flow.steps").read_text(encoding="utf-8") == "denwa\nkaito\n"
        code, _, err = run("export", str(phone), "--to", "steps", "-o", "flow2.steps")
        assert code == 0, err
        code, _, err = run("import", "flow.steps", "-o", "back.bpr")
        assert code == 0, err
        assert run("check", "back.bpr")[0] == 0
        code, _, err = run("export", str(phone), "-o", "flow.unknown")
        assert code == 2 and ".steps" in err, "the refusal lists the registered formats"
        code, _, err = run("import", "flow.unknown", "-o", "x.bpr")
        assert code == 2 and ".steps" in err
    finally:
        registry.EXPORTERS.pop("steps")
        registry.IMPORTERS.pop("steps")
    assert run("export", str(phone), "-o", "flow3.steps")[0] == 2
