"""The assumptions catalog: every number sourced; user files checked key by key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bprkit.assumptions import catalog as assumptions
from bprkit.errors import SourceError

from .conftest import FIXTURES

DIR = FIXTURES / "assumptions"


def test_every_default_number_has_a_source_and_sane_range() -> None:
    a = assumptions.default()
    assert len(a.levers) == 13
    assert set(a.lever_order) == set(a.levers)
    for key, p in a.params.items():
        assert p.source.strip(), key
        assert p.low <= p.mode <= p.high, key
    for name in a.levers:
        for part in assumptions.LEVER_NUMBERS:
            assert f"levers.{name}.{part}" in a.params


def test_a_user_file_overrides_parts() -> None:
    a = assumptions.load(str(DIR / "valid.toml"))
    assert a.value("cost.hourly_yen") == pytest.approx(3500)
    assert a.value("levers.online.adoption") == 0.5
    assert a.value("levers.rpa.adoption") == 1.0  # untouched
    assert a.source.endswith("valid.toml")


@pytest.mark.parametrize("path", sorted(DIR.glob("E*.toml")), ids=lambda p: p.stem)
def test_bad_files_name_the_key_and_line(path: Path) -> None:
    code, line = re.match(r"# expect: (E\d+) (\d+)", path.read_text()).groups()
    with pytest.raises(SourceError) as info:
        assumptions.load(str(path))
    found = [(d.code, d.span.line) for d in info.value.diagnostics]
    assert (code, int(line)) in found
    for d in info.value.diagnostics:
        assert d.render("ja") and d.render("en")


def test_unknown_key_suggests_the_right_one() -> None:
    with pytest.raises(SourceError) as info:
        assumptions.load(str(DIR / "E060_unknown_key.toml"))
    assert "minutes_factor" in info.value.diagnostics[0].hint("en")
