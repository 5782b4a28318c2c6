"""Editor support: the TextMate grammar of editors/vscode run by vscode-textmate and
vscode-oniguruma (VS Code's own engine) on every corpus file, the extension's
manifest, and diagnostics as SARIF."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from bprkit import vocabulary
from bprkit.text.loader import check_files

from .clirunner import run_cli
from .conftest import PROCESSES, ROOT

EDITOR = ROOT / "editors" / "vscode"
GRAMMAR = EDITOR / "syntaxes" / "bpr.tmLanguage.json"
FILES = sorted(p for p in [*PROCESSES.rglob("*.bpr"), *(ROOT / "tests" / "fixtures").rglob("*.bpr")]
               if check_files([str(p)]).ok)  # the corpus: every file that checks clean
KEYWORDS = {"process", "lane", "document", "data", "step", "phase", "import", "branch",
            "parallel", "path", "use", "else", "wait", "owner", "volume", "state",
            "based_on", "note", "pain", "basis", "reads", "writes", "uses", "produces",
            "stores", "system", "lever", "施策", "replaces", "置き換え", "batch", "まとめて",
            "within", "集中", "フェーズ", "段階", "待ち", "arrivals", "到着", "counters", "窓口数"}


def tokenize(paths: list[Path]) -> dict[str, dict]:
    done = subprocess.run(["node", str(ROOT / "tests" / "js" / "textmate_check.mjs"),
                           str(GRAMMAR), *map(str, paths)],
                          capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout)


def test_every_token_of_every_corpus_file_is_scoped() -> None:
    result = tokenize(FILES)
    assert len(result) == len(FILES) > 30
    tags = set(vocabulary.TAGS) | set(vocabulary.TAGS.values())
    seen_keywords: set[str] = set()
    for file, found in result.items():
        assert found["unscoped"] == [], (file, found["unscoped"][:3])
        for line, text, scopes in found["tokens"]:
            assert "invalid" not in scopes, (file, line, text, scopes)
            if text in KEYWORDS and scopes.split(" ")[-1].startswith(
                    ("storage.type", "keyword")):
                seen_keywords.add(text)
            if "meta.tags" in scopes and text not in "[],、":
                assert "entity.name.tag" in scopes, (file, line, text)
                assert text.lower() in tags or text in tags, (file, line, text)
            if text.startswith("#"):
                assert scopes.startswith("comment"), (file, line, text)
    source_words = {w for f in FILES for w in re.findall(r"(?<![\w・ー々])[\w・ー々]+",
                                                         f.read_text(encoding="utf-8",
                                                                     errors="replace"))}
    # every keyword the corpus uses as a keyword is coloured as one somewhere
    assert KEYWORDS & source_words - {"data", "path", "system", "note"} <= seen_keywords | {
        "data", "path", "system", "note"}
    assert {"step", "lane", "process", "branch", "parallel", "use", "施策"} <= seen_keywords


def test_keywords_tags_and_strings_on_one_line() -> None:
    sample = ROOT / "tests" / "fixtures" / "editor_sample.bpr"
    tokens = tokenize([sample])[str(sample)]["tokens"]
    scopes = {text: s for _, text, s in tokens}
    assert scopes["step"] == "storage.type.bpr"
    assert scopes["施策"] == "keyword.other.bpr"
    assert scopes["@窓口"] == "variable.other.lane.bpr"
    assert "entity.name.tag.bpr" in scopes["押印"]
    assert scopes["3..5分"] == "constant.numeric.duration.bpr"
    assert scopes["待ち"] == scopes["else"] == "keyword.control.bpr"
    assert scopes["1日"] == "constant.numeric.duration.bpr"
    assert scopes["70%"] == "constant.numeric.percent.bpr"
    assert scopes["->"] == "keyword.operator.arrow.bpr"
    assert scopes["# 差戻し"].startswith("comment")
    assert "string.quoted.double" in scopes['"本人 # ではない"'.strip('"')] or any(
        "string.quoted.double" in s for t, s in scopes.items() if "ではない" in t)


def test_extension_manifest_names_the_grammar_and_language() -> None:
    manifest = json.loads((EDITOR / "package.json").read_text(encoding="utf-8"))
    lang = manifest["contributes"]["languages"][0]
    assert lang["extensions"] == [".bpr"]
    grammar = manifest["contributes"]["grammars"][0]
    assert (EDITOR / grammar["path"]).resolve() == GRAMMAR.resolve()
    config = json.loads((EDITOR / lang["configuration"]).read_text(encoding="utf-8"))
    assert config["comments"]["lineComment"] == "#"
    assert ["「", "」"] in config["brackets"] and ["{", "}"] in config["brackets"]
    matcher = manifest["contributes"]["problemMatchers"][0]["pattern"]
    r = run_cli("check", str(ROOT / "tests" / "fixtures" / "diagnostics"), "--lang", "en")
    lines = [line for line in r.stdout.splitlines() if "error[" in line or "warning[" in line]
    assert lines and all(re.match(matcher["regexp"], line) for line in lines)


def test_sarif(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bpr"
    bad.write_text("process p {\n  step s @nowhere 3分\n}\n", encoding="utf-8")
    r = run_cli("check", str(bad), str(PROCESSES / "tenshutsu.bpr"), "--format", "sarif",
                "--lang", "en", cwd=tmp_path)
    assert r.returncode == 1
    log = json.loads(r.stdout)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert rules == sorted(rules) and "E024" in rules
    error = next(x for x in run["results"] if x["ruleId"] == "E024")
    assert error["level"] == "error" and rules[error["ruleIndex"]] == "E024"
    place = error["locations"][0]["physicalLocation"]
    assert place["artifactLocation"]["uri"] == "bad.bpr"  # relative to the folder run in
    assert place["region"] == {"startLine": 2, "startColumn": 11, "endLine": 2,
                               "endColumn": 18}
    assert "nowhere" in error["message"]["text"]
