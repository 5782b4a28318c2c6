"""The ja and en catalogs say the same things."""

from __future__ import annotations

import re
import string

from bprkit.messages import catalog as messages


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def _flat(table: dict, prefix: str = "") -> dict[str, str]:
    out = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def test_same_keys_and_placeholders() -> None:
    ja, en = _flat(messages.catalog("ja")), _flat(messages.catalog("en"))
    assert ja.keys() == en.keys()
    for key, text in en.items():
        strip = {re.sub(r"_ja$", "", f) for f in _fields(ja[key])}
        assert strip == _fields(text), key


def test_every_finding_rule_has_texts() -> None:
    from bprkit.analysis.findings import RULES

    for lang in messages.LANGUAGES:
        for r in RULES:
            assert messages.catalog(lang)["finding"][r.name]["title"], (lang, r.name)


def test_codes_are_stable_and_well_formed() -> None:
    for code in messages.codes():
        assert re.fullmatch(r"[EW]\d{3}", code)
        assert messages.catalog("en")[code]["message"]
        assert messages.catalog("en")[code]["hint"]


def test_japanese_texts_are_japanese() -> None:
    for code in messages.codes():
        assert re.search(r"[ぁ-んァ-ヶ一-龯]", messages.catalog("ja")[code]["message"]), code


def test_default_language_from_locale() -> None:
    assert messages.default_language({"LANG": "ja_JP.UTF-8"}) == "ja"
    assert messages.default_language({"LANG": "en_US.UTF-8"}) == "en"
    assert messages.default_language({"LC_ALL": "ja_JP.UTF-8", "LANG": "C"}) == "ja"
    assert messages.default_language({}) == "en"
    # no ja/en locale: the language of the labels
    assert messages.default_language({"LANG": "C.UTF-8"}, ["step a 「受付」"]) == "ja"
    assert messages.default_language({}, ["step a \"receive\""]) == "en"
    assert messages.default_language({"LANG": "de_DE.UTF-8"}, ["lane 窓口"]) == "ja"
    assert messages.default_language({"LANG": "en_GB.UTF-8"}, ["lane 窓口"]) == "en"


def test_every_code_is_documented() -> None:
    from .conftest import ROOT

    doc = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    for code in messages.codes():
        assert f"| {code} |" in doc, code
