"""The fixed words of the language and their Japanese aliases.

The grammar reads roles, tags, units, periods and document kinds as plain
names; this module turns them into their canonical form, so a misspelt word
gets a did-you-mean instead of a bare syntax error.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from bprkit import units

_WRITTEN: dict[int, Mapping[str, tuple[str, ...]]] = {}
"""Each table's aliases as written (FAX, AI-OCR), by the table's id: for hints."""
_ENTRIES: dict[int, dict[str, str]] = {}
"""Each table's spellings, by the table's id: what :func:`register_tag` adds to."""


def _table(entries: dict[str, tuple[str, ...]]) -> Mapping[str, str]:
    """canonical → aliases  ⇒  every spelling (lower-cased) → canonical."""
    table: dict[str, str] = {}
    for canonical, aliases in entries.items():
        for word in (canonical, *aliases):
            table[word.lower()] = canonical
    proxy = MappingProxyType(table)
    _WRITTEN[id(proxy)] = MappingProxyType(dict(entries))
    _ENTRIES[id(proxy)] = table
    return proxy


ROLES = _table({
    "resident": ("住民",),
    "counter": ("窓口",),
    "back_office": ("内部事務",),
    "approval": ("決裁",),
    "storage": ("保存",),
    "system": ("システム",),
    "external": ("外部",),
})

TAGS = _table({
    "paper": ("紙",),
    "handwritten": ("手書き",),
    "seal": ("押印",),
    "in_person": ("対面",),
    "transcribe": ("転記",),
    "check": ("突合",),
    # how the output of a reading (AI-OCR) is checked by eye: every field, a sample, none
    "verify_all": ("全件確認",),
    "verify_sample": ("抽出確認",),
    "verify_none": ("確認なし",),
    "print": ("印刷",),
    "postal": ("郵送",),
    "fax": ("FAX",),
    "phone": ("電話",),
    "cash": ("現金",),
    "online": ("オンライン",),
    "rpa": ("RPA",),
    "ai_ocr": ("AI-OCR", "ai-ocr", "aiocr"),
    "e_approval": ("電子決裁",),
    "e_storage": ("電子保存",),
    "cashless": ("キャッシュレス",),
    "auto": ("自動",),
    # what kind of work a step is and what it delivers (the lever rules read these)
    "routine": ("定型",),
    "judgement": ("判断", "judgment"),
    "issue": ("交付",),
    "notice": ("通知",),
    "inquiry": ("照会",),
    "survey": ("現地調査",),
    "counter": ("窓口",),
    "back_office": ("内部事務",),
    "approval": ("決裁",),
    "storage": ("保存",),
})

_TAG_ORDER = {tag: n for n, tag in enumerate(dict.fromkeys(TAGS.values()))}
TAG_ORDER: Mapping[str, int] = MappingProxyType(_TAG_ORDER)
"""The canonical order of tags in a list (紙, 手書き, 押印, 対面 …): fmt writes it and
redesign's To-Be steps follow it."""

# What each tag is: the one home of the tag categories (the diagram's badges, the
# digital-completion rate, the counts every figure reports read them here).
FLAG_TAGS: tuple[str, ...] = ("seal", "in_person", "paper", "handwritten", "transcribe", "check",
                              "print", "postal", "fax", "phone", "cash")
"""Analogue work a finding flags; drawn as a badge in its own colour, in this order (the
first a step carries colours the step)."""
DIGITAL_TAGS: tuple[str, ...] = ("online", "rpa", "ai_ocr", "e_approval", "e_storage",
                                 "cashless", "auto")
"""Digital handling; drawn as a green badge."""
VERIFY_TAGS: tuple[str, ...] = ("verify_all", "verify_sample", "verify_none")
"""How the output of a reading (AI-OCR) is checked by eye."""
WORK_TAGS: tuple[str, ...] = ("routine", "judgement", "issue", "notice", "inquiry", "survey",
                              "counter", "back_office", "approval", "storage")
"""What kind of work a step is and what it delivers (the lever rules read these)."""
COUNTED_TAGS: tuple[str, ...] = ("paper", "seal", "in_person")
"""The three touches every figure counts (紙・押印・対面): analyses, estimates, the
portfolio, the report and the survey workbook."""
NOT_DIGITAL: frozenset[str] = frozenset({"paper", "seal", "in_person", "handwritten", "postal",
                                         "fax", "cash"})
"""A step carrying one of these is not digitally complete (the digital-completion rate)."""
CATEGORIES: dict[str, tuple[str, ...]] = {"flag": FLAG_TAGS, "digital": DIGITAL_TAGS,
                                          "verify": VERIFY_TAGS, "work": WORK_TAGS}
"""Every tag is in exactly one category (tests/test_catalog.py)."""


_generation = 0
"""Bumped by every change to the words the language knows (a tag, a lever name)."""


def generation() -> int:
    """Which state of the vocabulary this is: a model built from a file holds in the same
    generation only (bprkit.text.loader keeps models by it)."""
    return _generation


def _changed() -> None:
    global _generation
    _generation += 1


def category(tag: str) -> str | None:
    """The category of a tag: flag, digital, verify or work."""
    return next((name for name, tags in CATEGORIES.items() if tag in tags), None)


def register_tag(name: str, aliases: tuple[str, ...], category: str) -> None:
    """Add a tag to the language (a lever that writes a new tag needs it, or ``check``
    refuses what ``redesign`` writes). Its words in the catalogs (``tag_<name>``) and,
    for a flag, its colour (``render.style.FLAG_COLOURS``) go with it;
    tests/test_catalog.py fails while one is missing. ``unregister_tag`` undoes it."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown tag category {category!r}: {', '.join(CATEGORIES)}")
    for word in (name, *aliases):
        _ENTRIES[id(TAGS)][word.lower()] = name
    written = dict(_WRITTEN[id(TAGS)])
    written[name] = aliases
    _WRITTEN[id(TAGS)] = MappingProxyType(written)
    _TAG_ORDER.setdefault(name, len(_TAG_ORDER))
    CATEGORIES[category] = (*CATEGORIES[category], name)
    _refresh_categories()
    _changed()


def unregister_tag(name: str) -> None:
    """Remove a tag :func:`register_tag` added."""
    table = _ENTRIES[id(TAGS)]
    for word in [w for w, tag in table.items() if tag == name]:
        del table[word]
    written = dict(_WRITTEN[id(TAGS)])
    written.pop(name, None)
    _WRITTEN[id(TAGS)] = MappingProxyType(written)
    _TAG_ORDER.pop(name, None)
    for key, tags in CATEGORIES.items():
        CATEGORIES[key] = tuple(t for t in tags if t != name)
    _refresh_categories()
    _changed()


def _refresh_categories() -> None:
    global FLAG_TAGS, DIGITAL_TAGS, VERIFY_TAGS, WORK_TAGS
    FLAG_TAGS, DIGITAL_TAGS = CATEGORIES["flag"], CATEGORIES["digital"]
    VERIFY_TAGS, WORK_TAGS = CATEGORIES["verify"], CATEGORIES["work"]

UNITS = _table(dict(units.SPELLINGS))
"""Spellings of the units of a duration (bprkit/units.py is their one home)."""

PERIODS = _table(dict(units.PERIOD_SPELLINGS))
RATE_PERIODS = _table(dict(units.RATE_PERIOD_SPELLINGS))
QUEUE_WHEN = _table({
    "mon": ("monday", "月曜", "月曜日"), "tue": ("tuesday", "火曜", "火曜日"),
    "wed": ("wednesday", "水曜", "水曜日"), "thu": ("thursday", "木曜", "木曜日"),
    "fri": ("friday", "金曜", "金曜日"), "peak": ("season", "繁忙期"),
})
"""When a queue's own line applies: a working day of the week, or the filing season
(the volume's ``within N days``)."""
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")

DOCUMENT_KINDS = _table({
    "paper": ("紙",),
    "electronic": ("電子",),
})

STATES = _table({
    "as_is": ("現状",),
    "to_be": ("見直し後",),
})

HELD = _table({"held": ("保有",)})

BATCH_KINDS = _table({"shared": ("一括",), "each": ("個別",)})
"""The last word of a batch: the work is shared by the batch, or stays per case."""

# How the Japanese words above are read: an IME user who leaves a word
# unconverted (てがき, かみ, or テガキ in katakana) is told the word they meant.
# Used only for suggestions, never accepted as the word itself.
READINGS: Mapping[str, str] = MappingProxyType({
    # tags
    "かみ": "紙", "てがき": "手書き", "おういん": "押印", "たいめん": "対面", "てんき": "転記",
    "とつごう": "突合", "ぜんけんかくにん": "全件確認", "ちゅうしゅつかくにん": "抽出確認",
    "かくにんなし": "確認なし", "いんさつ": "印刷", "ゆうそう": "郵送", "ふぁっくす": "FAX",
    "ふぁくす": "FAX", "でんわ": "電話", "げんきん": "現金", "おんらいん": "オンライン",
    "あーるぴーえー": "RPA", "えーあいおーしーあーる": "AI-OCR", "でんしけっさい": "電子決裁",
    "でんしほぞん": "電子保存", "きゃっしゅれす": "キャッシュレス", "じどう": "自動",
    "ていけい": "定型", "はんだん": "判断", "こうふ": "交付", "つうち": "通知",
    "しょうかい": "照会", "げんちちょうさ": "現地調査",
    # roles (and the kind tags of the same names)
    "じゅうみん": "住民", "まどぐち": "窓口", "ないぶじむ": "内部事務", "けっさい": "決裁",
    "ほぞん": "保存", "しすてむ": "システム", "がいぶ": "外部",
    # document kinds, units, periods, states, held
    "でんし": "電子", "びょう": "秒", "ふん": "分", "ぷん": "分", "じかん": "時間",
    "にち": "日", "ひ": "日", "しゅう": "週", "ねん": "年", "つき": "月", "げつ": "月",
    "げんじょう": "現状", "みなおしご": "見直し後", "ほゆう": "保有",
    # batch kinds
    "こべつ": "個別", "いっかつ": "一括",
})


def hiragana(word: str) -> str:
    """Katakana folded to hiragana (ー kept): テガキ → てがき."""
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in word)

YEARS = _table({"years": ("year", "年")})

STATEMENTS: tuple[str, ...] = (
    "import", "process", "owner", "volume", "state", "based_on", "note",
    "lane", "document", "data", "step", "branch", "parallel", "path", "use",
    "reads", "writes", "uses", "produces", "stores", "system", "pain", "basis",
    "lever", "replaces", "batch", "phase",
)

NO_LEVER = "none"


@dataclass(frozen=True, slots=True)
class LabelCue:
    """Words in a step's label that say what a tag says (W014 when the tag is missing).

    ``unless``: patterns (regular expressions) of phrases in which the word means
    something else; a word inside such a phrase says nothing (交付申請 is an
    application, not a hand-over). ``kinds``: the step kinds the tag belongs to
    (a resident's 通知書を受け取る is not the staff's notice; 審査 at an approval step
    is the approval itself). ``moot``: tags that already say the work is of another
    sort (定型 is rule-based, not judgement; AI-OCR and RPA do the keying)."""

    tag: str
    words: tuple[str, ...]
    unless: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ("counter", "back_office", "system", "external")
    moot: tuple[str, ...] = ()


_STAFF = ("counter", "back_office", "external")
LABEL_CUES: tuple[LabelCue, ...] = (
    LabelCue("issue", ("交付",), unless=(
        r"交付(?:の|を)?(?:申請|請求|申込|申し込|受付)",   # an application for issue (再交付の受付)
        r"交付(?:金|税|簿|決定|予定|日|準備|手数料)",   # a grant, the register, the date …
        r"交付を受け")),                              # the resident receives it
    LabelCue("notice", ("通知",), unless=(
        r"通知(?:書|文|票)?(?:を|の)?(?:受け|受理|受領|収受)",   # a notice received
        # a notice drafted or printed, not yet sent (… を作成し郵送 sends it)
        r"通知(?:書|文|票)?(?:を|の)?(?:作成|起案|印刷)(?![し・、])")),
    LabelCue("inquiry", ("照会",), unless=(
        r"照会先",                                              # whom to ask
        r"照会(?:が|の)?(?:要る|要否|必要)",                     # whether to ask
        r"(?:不備|申請者|申請人|届出人|本人)[^、。]*?照会"),      # asking the applicant
        kinds=_STAFF),
    LabelCue("judgement", ("審査", "判断"), unless=(
        r"形式(?:的な)?審査",                                    # a routine check
        r"審査(?:会|請求|結果|待ち)", r"審査(?:を|の)?依頼", r"判断を仰"),
        kinds=_STAFF, moot=("routine", "auto", "rpa", "e_approval")),
    LabelCue("survey", ("現地調査", "実地調査"), unless=(
        r"(?:現地|実地)調査(?:の)?(?:日程|日時|予約|依頼|結果|票|記録|写真)",),
        kinds=_STAFF),
    LabelCue("transcribe", ("入力", "転記"), unless=(
        r"(?:入力|転記)(?:内容|結果|漏れ|もれ|ミス|誤り|済|画面|項目)", r"未入力",
        r"自動(?:入力|転記)", r"(?:入力|転記)を?依頼"),
        kinds=("counter", "back_office", "approval", "storage", "external"),
        moot=("ai_ocr", "rpa", "auto")),
)
"""What a label says that the lever rules read only from tags: the one home of
these words (bprkit/text/validate.py reads them; docs/language.md lists them)."""

# What the lever rules know of a step (bprkit/analysis/levers.py derives them; the catalog
# names them in requires / requires_any / excludes / provides / removes).
LEVER_FACTS: Mapping[str, str] = {
    "paper_input": "the work's input is on paper (paper, handwritten, postal or fax)",
    "electronic_input": "the work's input is electronic",
    "handwritten": "someone fills a form by hand",
    "person_present": "the resident is there in person (in_person at a resident or counter lane)",
    "resident_facing": "the resident does the step or meets staff for it (in person, or on the "
                       "phone at a counter)",
    "staff": "staff time (counter, back office, approval, storage)",
    "counter": "counter work",
    "resident": "the resident's own work",
    "external": "an outside body's work (an external lane: a bank, another municipality, a doctor)",
    "approval": "an approval",
    "storage": "filing and retrieval",
    "keying": "data keyed from one document or system into another (transcribe)",
    "checking": "a manual cross-check (check)",
    "verify_all": "every field read by a machine is checked by eye (verify_all)",
    "verify_sample": "a sample of the fields read by a machine is checked by eye (verify_sample)",
    "verify_none": "what a machine read is not checked by eye (verify_none)",
    "rule_based": "rule-based work: routine, or keying/checking not marked judgement",
    "judgement": "judgement work (judgement tag)",
    "seal": "a seal is required",
    "cash": "a cash payment",
    "print": "a document is printed",
    "postal": "post is sent or received",
    "phone": "a telephone call",
    "issue": "the outcome is handed over (issue tag)",
    "notice": "the outcome is notified (notice tag)",
    "inquiry": "an inquiry to another department or body (inquiry tag, or a paper, post or "
               "fax answer about held data from an external lane)",
    "survey": "a field survey (survey tag)",
    "queue_wait": "the step's wait is a queue (shorter than the visit break), not time at home",
    "written_at_counter": "a counter step taking what the resident just wrote by hand "
                          "at the counter",
    "outside_inquiry": "an inquiry answered by an outside body (it or the next step is in an "
                       "external lane)",
    "approval_route": "an approval, or the drafting printed for the approvals that follow it "
                      "(起案)",
}



_REGISTERED_LEVERS: dict[str, tuple[str, ...]] = {}
"""Levers registered at run time (assumptions.catalog.register_levers tells them here)."""


@cache
def levers() -> Mapping[str, str]:
    """Lever names for ``lever …`` lines: the catalog's keys and their ``aliases``
    (bprkit/assumptions/default.toml is their one home; read here, not through the
    catalog module, so ``check`` stays light), the registered ones, and ``none`` (なし)."""
    from bprkit.messages import cache as user_cache

    text = user_cache.package_text("bprkit.assumptions", "default.toml")
    catalog = user_cache.toml("assumptions-default.cache", text).get("levers", {})
    return _table({name: tuple(entry.get("aliases", ())) for name, entry in catalog.items()}
                  | _REGISTERED_LEVERS | {NO_LEVER: ("なし",)})


def register_lever_names(names: Mapping[str, tuple[str, ...]]) -> None:
    """Lever names and aliases a run-time catalog adds (None of them: clear)."""
    _REGISTERED_LEVERS.clear() if not names else _REGISTERED_LEVERS.update(names)
    levers.cache_clear()
    _changed()


def lookup(table: Mapping[str, str], word: str) -> str | None:
    """The canonical form of ``word``, or None when the table does not know it."""
    return table.get(word.lower())


def japanese(table: Mapping[str, str], canonical: str) -> str:
    """The word's Japanese alias (its first non-ASCII one; else its first alias, as
    FAX or RPA; else the word itself)."""
    aliases = _WRITTEN.get(id(table), {}).get(canonical, ())
    return next((w for w in aliases if not w.isascii()), aliases[0] if aliases else canonical)


def listing(table: Mapping[str, str]) -> tuple[str, str]:
    """Every word of a table for a hint: ``paper 紙, handwritten 手書き, …`` and
    ``紙, 手書き, …``."""
    words = list(dict.fromkeys(table.values()))
    pairs = [(w, japanese(table, w)) for w in words]
    return (", ".join(w if w == j else f"{w} {j}" for w, j in pairs),
            ", ".join(j for _, j in pairs))


def spellings(table: Mapping[str, str]) -> list[str]:
    """Canonical names first, then the aliases, for hints."""
    canon = list(dict.fromkeys(table.values()))
    return canon + [w for w in table if w not in canon]


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """The known name closest to ``word``, when one is close enough; a word in kana
    is also matched against the readings of the Japanese names (てがき → 手書き)."""
    pool = list(dict.fromkeys(candidates))
    lowered = {c.lower(): c for c in pool}
    kana = hiragana(word)
    read = {r: w for r, w in READINGS.items() if w.lower() in lowered}
    if kana in read and word.lower() not in lowered:
        return read[kana]
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    if match:
        return lowered[match[0]]
    match = difflib.get_close_matches(kana, list(read), n=1, cutoff=0.6)
    if match:
        return read[match[0]]
    # Japanese names are short: one differing character of two is still a likely typo
    # (of one, every one-character name would do: no suggestion is better than a guess).
    if 2 <= len(word) <= 3:
        for c in pool:
            if len(c) == len(word) and sum(a != b for a, b in zip(c, word, strict=False)) == 1:
                return c
    return None
