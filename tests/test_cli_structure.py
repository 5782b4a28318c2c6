"""The CLI is a client like any other (issue 22): ``bprkit/cli/`` imports the public API
and the presentation layer only, one module a command, one registry, each shared option
defined once, and ``main`` gives an exit code of :class:`bprkit.errors.Exit`.

Imports are read with ``ast`` in every form: ``import bprkit.x``, ``from bprkit.x import
y``, ``from bprkit import x`` (a submodule, or a name of the facade) and imports inside
functions.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import re
import signal
import sys
from pathlib import Path

import pytest

from bprkit.cli import main, registry
from bprkit.cli.command import Command
from bprkit.errors import Exit

PACKAGE = Path(__file__).resolve().parent.parent / "bprkit"
CLI = PACKAGE / "cli"
PROCESSES = PACKAGE.parent / "processes"

ALLOWED = ("bprkit", "bprkit.report", "bprkit.errors", "bprkit.messages.catalog",
           "bprkit._version", "bprkit.output", "bprkit.guard", "bprkit.render.backends",
           "bprkit.interop.registry", "bprkit.cli", "bprkit.collector")
"""What the CLI may import: the facade (exactly ``bprkit``), these modules and what is
under them (``bprkit.report.*``, the CLI's own ``bprkit.cli.*``). ``bprkit.collector``
is the process's policy for the garbage collector, which the application sets."""

EXCEPTIONS = {"commands/serve.py": {"bprkit.serve"}}
"""``bprkit.serve`` is a client of the facade itself (tests/test_layers.py puts it in
the CLI's layer), so the facade cannot hand it on: ``bprkit serve`` imports it."""

FILES = sorted(CLI.rglob("*.py"))


def _is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports(path: Path) -> set[str]:
    """The bprkit modules a file imports; ``bprkit`` for a name of the facade."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: a relative import (write bprkit.… in full)"
            if node.module and node.module.split(".")[0] == "bprkit":
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    found.add(sub if _is_module(sub) else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "bprkit"}
    return found


def allowed(module: str) -> bool:
    return module == "bprkit" or any(module == a or module.startswith(a + ".")
                                     for a in ALLOWED if a != "bprkit")


def test_the_reader_sees_every_form(tmp_path: Path) -> None:
    source = tmp_path / "x.py"
    source.write_text("import bprkit\nimport bprkit.text.loader\nfrom bprkit import guard, check\n"
                      "from bprkit.render import backends\n"
                      "def f():\n    from bprkit.estimate.montecarlo import estimate\n")
    assert imports(source) == {"bprkit", "bprkit.text.loader", "bprkit.guard",
                               "bprkit.render.backends", "bprkit.estimate.montecarlo"}
    assert not allowed("bprkit.text.loader") and not allowed("bprkit.reporting")
    assert allowed("bprkit.report.console") and allowed("bprkit")


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CLI)))
def test_the_cli_imports_only_the_public_api(path: Path) -> None:
    extra = EXCEPTIONS.get(path.relative_to(CLI).as_posix(), set())
    inside = sorted(m for m in imports(path) if not allowed(m) and m not in extra)
    assert not inside, f"{path} imports {inside}: give the facade (bprkit/__init__.py) a verb"


def test_the_cli_package_is_one_module_a_command() -> None:
    assert not (PACKAGE / "cli.py").exists()
    modules = {p.stem for p in (CLI / "commands").glob("*.py")} - {"__init__"}
    named = {c.name.replace("import", "import_") for c in registry.COMMANDS}
    assert modules == named, "one module a command in bprkit/cli/commands/, each registered"


@pytest.mark.parametrize("command", registry.COMMANDS, ids=lambda c: c.name)
def test_every_command_has_a_module_and_help_in_both_languages(command: Command) -> None:
    import importlib

    name = command.name.replace("import", "import_")
    module = importlib.import_module(f"bprkit.cli.commands.{name}")
    assert module.command is command
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    text = command.help
    if text:  # shown in bprkit --help: English, then Japanese
        english, _, japanese = text.partition(" / ")
        assert re.search("[A-Za-z]", english) and japanese, text
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", japanese), text


def _run(argv: list[str]) -> tuple[object, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def test_every_command_appears_in_the_help() -> None:
    code, out, _ = _run(["--help"])
    assert code is Exit.OK
    listed = re.findall(r"^ {4}(\S+)", out, re.M)
    assert listed == [c.name for c in registry.COMMANDS]


@pytest.mark.parametrize(("argv", "expected"), [
    (["check", str(PROCESSES / "tenshutsu.bpr")], Exit.OK),
    (["check", "--lang", "en", "{bad}"], Exit.ERRORS),
    (["check", "no/such/file.bpr"], Exit.USAGE),
    (["check", "--format", "xml", str(PROCESSES / "tenshutsu.bpr")], Exit.USAGE),
    (["estimate", str(PROCESSES / "tenshutsu.bpr"), "--samples", "0"], Exit.USAGE),
    (["render", str(PROCESSES / "tenshutsu.bpr"), "--process", "nope", "-o", "{out}"],
     Exit.USAGE),
])
def test_main_returns_an_exit_member(tmp_path: Path, argv: list[str], expected: Exit) -> None:
    bad = tmp_path / "bad.bpr"
    bad.write_text("process p {\n  step\n", encoding="utf-8")
    argv = [a.replace("{bad}", str(bad)).replace("{out}", str(tmp_path / "x.svg")) for a in argv]
    code, _, err = _run(argv)
    assert type(code) is Exit and code is expected, err


def test_main_leaves_nothing_behind(tmp_path: Path) -> None:
    """Re-entrant: the SIGTERM handler put back, sys.stdout not replaced, the same
    answer twice."""
    handler, stdout = signal.getsignal(signal.SIGTERM), sys.stdout
    out = tmp_path / "ranking.txt"
    for _ in range(2):
        code, _, err = _run(["portfolio", str(PROCESSES / "tenshutsu.bpr"), "--samples", "50",
                             "--jobs", "1", "--quiet", "-o", str(out), "--lang", "en"])
        assert code is Exit.OK, err
        assert signal.getsignal(signal.SIGTERM) is handler and sys.stdout is stdout
    assert out.read_text(encoding="utf-8")


def _option_definitions(flag: str) -> list[str]:
    """Where ``add_argument(flag, …)`` is called in bprkit/cli (any position of the flag)."""
    found = []
    for path in FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "add_argument" \
                    and any(isinstance(a, ast.Constant) and a.value == flag for a in node.args):
                found.append(f"{path.relative_to(CLI)}:{node.lineno}")
    return found


@pytest.mark.parametrize("flag", ["--lang", "--assumptions", "--levers", "--samples", "--seed",
                                  "--output", "--process", "--jobs", "--format", "--quiet",
                                  "--roadmap"])
def test_shared_options_are_defined_once(flag: str) -> None:
    where = _option_definitions(flag)
    assert len(where) == 1 and where[0].startswith("options.py"), where


def test_no_exit_code_is_a_literal() -> None:
    """Every exit code is a member of Exit: no ``return 1``, no 130, no EXIT_* constant."""
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\bEXIT_[A-Z]+\b|return\s+(?:0|1|2|3|130)\b", text), path
        for node in ast.walk(ast.parse(text)):
            assert not (isinstance(node, ast.Constant) and node.value == 130), path


def test_every_keyed_usage_error_is_in_both_catalogs() -> None:
    """``UsageError(key="…")`` (what the facade raises, said in the user's language when
    shown) names a ``[text]`` key of ja and en: tests/test_catalog.py reads the
    ``messages.text(lang, "…")`` form only."""
    from bprkit.messages import catalog as messages

    keys = set()
    for path in [*FILES, PACKAGE / "__init__.py", PACKAGE / "errors.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                keys |= {k.value.value for k in node.keywords if k.arg == "key"
                         and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)}
    assert {"render_unknown_process", "render_expand_too_large"} <= keys
    for lang in messages.LANGUAGES:
        assert keys <= set(messages.catalog(lang)["text"]), lang
