"""Issue 22 (first part): the catalog is consistent. Every tag the vocabulary knows has
a name in both languages (the Japanese one the vocabulary's own word), every tag a
lever adds or removes is a known tag with a name, every badge colour names a known
tag, every lever has a title in both languages and every fact its rules name is one
the rules derive or a lever provides. These are the states a contributor adding a
lever or a tag could break without any other test noticing."""

from __future__ import annotations

from bprkit import vocabulary
from bprkit.assumptions import catalog as assumptions
from bprkit.messages import catalog as messages
from bprkit.render import style

A = assumptions.default()
TAGS = set(vocabulary.TAGS.values())


def test_every_tag_has_a_name_in_both_languages() -> None:
    for lang in ("ja", "en"):
        text = messages.catalog(lang)["text"]
        missing = sorted(t for t in TAGS if f"tag_{t}" not in text)
        assert missing == [], (lang, missing)
    ja = messages.catalog("ja")["text"]
    drift = {t: ja[f"tag_{t}"] for t in TAGS
             if ja[f"tag_{t}"] != vocabulary.japanese(vocabulary.TAGS, t)}
    assert drift == {}, "the Japanese tag names are the vocabulary's words"


def test_every_fact_has_words_in_both_languages() -> None:
    """A refusal names its fact in the reader's language (messages.fact)."""
    for lang in ("ja", "en"):
        missing = sorted(set(vocabulary.LEVER_FACTS) - set(messages.catalog(lang)["fact"]))
        assert missing == [], (lang, missing)


def test_every_lever_names_known_tags_and_facts() -> None:
    facts = set(vocabulary.LEVER_FACTS)
    provided = {f for lever in A.levers.values() for f in lever.provides}
    for name, lever in A.levers.items():
        assert set(lever.tags_added) | set(lever.tags_removed) <= TAGS, name
        named = {*lever.requires, *lever.requires_any, *lever.excludes, *lever.removes,
                 *lever.targets}
        assert named <= facts | provided, (name, named - facts - provided)
        assert lever.title("ja") and lever.title("en"), name


def test_every_badge_is_a_known_tag() -> None:
    badged = set(style.FLAG_COLOURS) | set(vocabulary.DIGITAL_TAGS)
    assert badged <= TAGS, badged - TAGS


def test_every_tag_has_one_category_and_every_badge_a_colour() -> None:
    """A tag in no category draws no badge and counts nowhere (registering a lever's tag
    made its badge disappear); a flag without a colour made render fail."""
    placed = [t for tags in vocabulary.CATEGORIES.values() for t in tags]
    assert sorted(placed) == sorted(set(placed)), "a tag in two categories"
    assert set(placed) == TAGS, (TAGS - set(placed), set(placed) - TAGS)
    assert list(style.FLAG_COLOURS) == list(vocabulary.FLAG_TAGS)
    assert set(style.DIGITAL_COLOURS) == set(vocabulary.DIGITAL_TAGS)
    assert set(vocabulary.COUNTED_TAGS) <= set(vocabulary.FLAG_TAGS)
    assert set(vocabulary.FLAG_TAGS) >= vocabulary.NOT_DIGITAL


def test_every_lever_a_redesign_adds_keeps_the_file_valid(tmp_path: object) -> None:
    """The tags a lever writes into a To-Be are tags check accepts (a new lever whose
    tag the vocabulary lacks made redesign write a file check rejects)."""
    from bprkit.text.loader import check_files

    for name, lever in A.levers.items():
        tags = ", ".join(vocabulary.japanese(vocabulary.TAGS, t) for t in lever.tags_added)
        if not tags:
            continue
        path = tmp_path / f"{name}.bpr"  # type: ignore[operator]
        path.write_text(f"process p 「p」 {{\n  lane a : back_office\n"
                        f"  step s @a [{tags}] 1分\n}}\n", encoding="utf-8")
        assert check_files([str(path)]).ok, name


def test_one_home_for_the_list_separator_and_the_display_width() -> None:
    """The list separator is the catalog's, the display width bprkit/columns.py's: no
    module spells them again (issue 22 counted the separator 10 times, the width 5)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "bprkit"
    # a separator chosen by language in code: 「"、" if lang …」, 「lang == "ja" else "、"」,
    # 「("＋", "、") if lang == "ja"」 — the catalog holds list, chain and CSV-cell separators
    chosen = re.compile(r'"[、＋]"[^\n]*\blang\b|\blang == "(?:ja|en)"[^\n]*"[、＋]"')
    again = {f"{p.relative_to(root)}:{n}" for p in root.rglob("*.py")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if chosen.search(line)}
    assert again == set(), again
    assert chosen.search('plus, comma = ("＋", "、") if lang == "ja" else (" + ", ", ")')
    assert messages.chain("ja", ["AI-OCR", "RPA"]) == "AI-OCR＋RPA"
    assert messages.chain("en", ["AI-OCR", "RPA"]) == "AI-OCR + RPA"
    width = {str(p.relative_to(root)) for p in root.rglob("*.py")
             if "east_asian_width(c) in" in p.read_text(encoding="utf-8")
             and p.name != "columns.py"}
    assert width <= {"render/textfit.py"}, width  # textfit's points() weighs glyphs
    assert messages.join("ja", ["紙", "押印"]) == "紙、押印"
    assert messages.join("en", ["paper", "seal"]) == "paper, seal"


def test_one_toml_reader_takes_a_byte_order_mark(tmp_path: object) -> None:
    """A roadmap saved by Notepad (with a BOM) was refused while an assumptions file
    with one was read: both go through bprkit/tomlfile.py now."""
    from bprkit.planning import roadmap

    path = tmp_path / "plan.toml"  # type: ignore[operator]
    path.write_bytes(b"\xef\xbb\xbfstart = 2027\ncapacity = 3\n")
    assert roadmap.load(str(path)).start == 2027
    other = tmp_path / "a.toml"  # type: ignore[operator]
    other.write_bytes("\ufeff[cost.hourly_yen]\nvalue = 3000\nsource = \"test\"\n"
                      .encode("utf-8"))
    assert assumptions.load(str(other)).value("cost.hourly_yen") == 3000


def test_one_home_for_units() -> None:
    """Units, their spellings, names and minutes live in bprkit/units.py; the working
    day the parser assumes is the assumptions' default."""
    import re
    from pathlib import Path

    from bprkit import units

    assert A.value("time.hours_per_day") == units.DEFAULT_HOURS_PER_DAY
    assert A.value("time.working_days_per_year") == units.DEFAULT_WORKING_DAYS
    assert set(vocabulary.UNITS.values()) == set(units.UNITS)
    assert set(vocabulary.PERIODS.values()) == set(units.PERIODS)
    assert units.minutes("day", 7.75) == 465 and units.minutes("week", 7.75) == 2325
    assert units.duration_text([3, 5], "min", "ja") == "3〜5分"
    assert units.duration_text([3, 5], "min", "en") == "3-5 min"
    root = Path(__file__).resolve().parents[1] / "bprkit"
    tables = {str(p.relative_to(root)) for p in root.rglob("*.py")
              if re.search(r'"hour":\s*(60|"h"|"時間")', p.read_text(encoding="utf-8"))
              and p.name != "units.py"}
    assert tables == set(), tables


def test_f207_reads_the_inquiry_fact_of_the_lever_rules() -> None:
    """F207 (paper inquiry) fires exactly where the lever rules see an inquiry on
    paper, post, fax or a printout: the fact has one home, levers.facts_of."""
    from bprkit.analysis import levers
    from bprkit.analysis.findings import PAPER_WAYS

    from .test_findings import _every_analysis

    checked = 0
    for a in _every_analysis():
        fired = {f.step for f in a.findings if f.code == "F207"}
        for r in a.graph.runs:
            held = {d.id for d in r.process.data if d.held}
            facts = levers.facts_of(r.step, r.kind, r.lane.role if r.lane else None,
                                    held=held)
            expected = bool(facts.get("inquiry")) and bool(PAPER_WAYS & set(r.step.tags))
            if expected:
                checked += 1
                assert r.step.id in fired or r.id in fired, (a.id, r.id)
    assert checked > 5


def test_which_to_be_has_one_home(tmp_path: object) -> None:
    """The To-Be a compare or a drawing pairs with an As-Is: Bundle.tobe_of, the
    process based on it, else the file's first (it was written out four times)."""
    import re
    from pathlib import Path

    from bprkit.text.loader import check_files

    root = Path(__file__).resolve().parents[1] / "bprkit"
    again = {str(p.relative_to(root)) for p in root.rglob("*.py")
             if re.search(r"based_on == \w+\.id\), own\[0\]", p.read_text(encoding="utf-8"))
             and p.name != "model.py"}
    assert again == set(), again
    path = tmp_path / "t.bpr"  # type: ignore[operator]
    path.write_text("process x 「x」 {\n  lane a : back_office\n  step s @a 1分\n}\n"
                    "process y 「y」 {\n  state to_be\n  based_on p\n  lane a : back_office\n"
                    "  step s @a 1分\n}\n"
                    "process p 「p」 {\n  lane a : back_office\n  step s @a 2分\n}\n",
                    encoding="utf-8")
    report = check_files([str(path)])
    assert report.ok, [d.render("en") for d in report.diagnostics]
    bundle = report.files[0].bundle
    assert bundle is not None
    asis = bundle.process("p")
    assert asis is not None and bundle.tobe_of(asis).id == "y"
    other = bundle.process("x")
    assert other is not None and bundle.tobe_of(other).id == "x"  # none based on it


def test_every_text_key_the_code_names_is_in_both_catalogs() -> None:
    """A literal key passed to the catalog (``messages.text(lang, "key")``, ``t(lang, "key")``,
    ``messages.column``, ``messages.report``, ``messages.backtest``) exists in ja and en: a
    missing one is a KeyError, exit 3, at the moment a user meets it."""
    import re
    from pathlib import Path

    calls = {
        "text": re.compile(r"(?:\bmessages\.text|[^\w.]t)"
                           r"\(\s*[\w.]+,\s*\"([a-z0-9_]+)\"\s*[,)]"),
        "csv": re.compile(r"\bmessages\.column\(\s*[\w.]+,\s*\"([a-z0-9_]+)\"\s*[,)]"),
        "report": re.compile(r"\bmessages\.report\(\s*[\w.]+,\s*\"([a-z0-9_]+)\"\s*[,)]"),
        "backtest": re.compile(r"(?:\bmessages\.backtest|\bbacktest\.text|[^\w.]text)"
                               r"\(\s*[\w.]+,\s*\"([a-z0-9_]+)\"\s*[,)]"),
    }
    root = Path(__file__).resolve().parent.parent / "bprkit"
    missing: list[str] = []
    found = 0
    for path in sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for table, pattern in calls.items():
            for key in pattern.findall(source):
                if table == "backtest" and "backtest" not in str(path) and \
                        "backtest" not in source:
                    continue
                found += 1
                for lang in ("ja", "en"):
                    entries = messages.catalog(lang).get(table, {})
                    if key not in entries and not (table == "backtest"
                                                   and key in messages.catalog(lang)["text"]):
                        missing.append(f"{path.relative_to(root)}: [{table}] {key} ({lang})")
    assert found > 120, found
    assert missing == [], missing
