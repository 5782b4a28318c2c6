"""Imports point down only (docs/architecture.md draws the layers).

Every import of every module is read with ``ast``, in all its forms: ``import bprkit.x``,
``from bprkit.x import y``, ``from bprkit import x`` (a submodule) and imports inside
functions. A module may import its own layer or a lower one, never a higher one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "bprkit"

LAYERS: list[tuple[str, ...]] = [
    # 0: facts every layer reads
    ("bprkit._version", "bprkit.errors", "bprkit.model", "bprkit.units", "bprkit.columns",
     "bprkit.vocabulary", "bprkit.messages", "bprkit.collector"),
    # 1: the language, and writing files
    ("bprkit.text", "bprkit.tomlfile", "bprkit.output", "bprkit.guard"),
    # 2: the assumptions catalog (working time, thresholds, levers), read from analysis up
    ("bprkit.assumptions",),
    # 3: analysis of a loaded process, with the lever rules
    ("bprkit.analysis",),
    # 4: estimates, redesign, backtest
    ("bprkit.estimate",),
    # 5: drawings and portfolio planning
    ("bprkit.render", "bprkit.planning"),
    # 6: presentation and files for other tools
    ("bprkit.report", "bprkit.interop", "bprkit.notebook"),
    # 7: the facade
    ("bprkit",),
    # 8: its clients
    ("bprkit.cli", "bprkit.serve", "bprkit.__main__"),
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> int:
    """The layer of a module: its longest matching prefix in LAYERS."""
    best, found = -1, -1
    for rank, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), rank
    assert found >= 0, f"{module} is in no layer: add it to LAYERS"
    return found


def imports(path: Path) -> set[str]:
    """The bprkit modules a file imports, ``from bprkit import render`` read as bprkit.render."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] == "bprkit":
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "bprkit"}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: a relative import (write bprkit.… in full)"
    return found


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    upward = sorted(m for m in imports(MODULES[module]) if layer(m) > layer(module))
    assert not upward, f"{module} (layer {layer(module)}) imports {upward}"


def test_the_reader_sees_every_form(tmp_path: Path) -> None:
    source = tmp_path / "x.py"
    source.write_text("import bprkit.cli\nfrom bprkit import render\n"
                      "def f():\n    from bprkit.estimate.montecarlo import estimate\n")
    assert imports(source) == {"bprkit.cli", "bprkit.render", "bprkit.estimate.montecarlo"}


def test_package_init_files_hold_no_logic() -> None:
    """A package's ``__init__.py`` hands names on: a docstring and imports, nothing else
    (the facade, ``bprkit/__init__.py``, is the one exception)."""
    for module, path in MODULES.items():
        if path.name != "__init__.py" or module == "bprkit":
            continue
        body = ast.parse(path.read_text(encoding="utf-8")).body
        logic = [type(n).__name__ for n in body
                 if not isinstance(n, ast.Import | ast.ImportFrom)
                 and not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
                 and not (isinstance(n, ast.Assign) and n.targets
                          and isinstance(n.targets[0], ast.Name)
                          and n.targets[0].id == "__all__")]
        assert not logic, f"{path}: {logic}"


def test_one_home_for_the_garbage_collector() -> None:
    """Only bprkit/collector.py turns the cyclic collector off or freezes objects for it;
    every other module asks it (paused, keep, release)."""
    import re

    calls = re.compile(r"\bgc\.(disable|enable|freeze|unfreeze)\(")
    found = [name for name, path in MODULES.items()
             if name != "bprkit.collector" and calls.search(path.read_text(encoding="utf-8"))]
    assert not found, found


def test_the_cli_leaves_a_program_s_own_frozen_objects_alone(tmp_path: Path) -> None:
    """bprkit's main() freezes the models it loads and unfreezes them when it returns;
    a program that embeds it and froze objects of its own keeps them frozen."""
    import gc
    import io
    from contextlib import redirect_stdout

    from bprkit import collector
    from bprkit.cli import main

    path = tmp_path / "a.bpr"
    path.write_text("process p 「手続」 {\n  lane a 「窓口」 : 窓口\n"
                    "  step s 「受付」 @a 5min\n}\n", encoding="utf-8")
    gc.freeze()
    try:
        ours = gc.get_freeze_count()
        with redirect_stdout(io.StringIO()):
            assert main(["analyze", str(path)]) == 0
        # still frozen (freed objects leave the count, so not all of them)
        assert gc.get_freeze_count() > ours // 2 > 0
    finally:
        gc.unfreeze()
    with redirect_stdout(io.StringIO()):  # alone, it freezes and unfreezes its own
        assert main(["analyze", str(path)]) == 0
    assert gc.get_freeze_count() == 0 and not collector._kept
