"""The fixed words of the language and their Japanese aliases.

The grammar reads roles, tags, units, periods and document kinds as plain
names; this module turns them into their canonical form, so a misspelt word
gets a did-you-mean instead of a bare syntax error.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from functools import cache
from types import MappingProxyType


def _table(entries: dict[str, tuple[str, ...]]) -> Mapping[str, str]:
    """canonical → aliases  ⇒  every spelling (lower-cased) → canonical."""
    table: dict[str, str] = {}
    for canonical, aliases in entries.items():
        for word in (canonical, *aliases):
            table[word.lower()] = canonical
    return MappingProxyType(table)


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

UNITS = _table({
    "sec": ("s", "秒"),
    "min": ("分",),
    "hour": ("h", "hr", "時間"),
    "day": ("d", "days", "日"),
    "week": ("w", "週"),
})

PERIODS = _table({
    "year": ("年",),
    "month": ("月",),
    "week": ("週",),
    "day": ("日",),
})

DOCUMENT_KINDS = _table({
    "paper": ("紙",),
    "electronic": ("電子",),
})

STATES = _table({
    "as_is": ("現状",),
    "to_be": ("見直し後",),
})

HELD = _table({"held": ("保有",)})

YEARS = _table({"years": ("year", "年")})

STATEMENTS: tuple[str, ...] = (
    "import", "process", "owner", "volume", "state", "based_on", "note",
    "lane", "document", "data", "step", "branch", "parallel", "path", "use",
    "reads", "writes", "uses", "produces", "stores", "system", "pain", "basis",
    "lever", "replaces", "batch", "phase",
)

NO_LEVER = "none"

# What the lever rules know of a step (bprkit/levers.py derives them; the catalog
# names them in requires / requires_any / excludes / provides / removes).
LEVER_FACTS: Mapping[str, str] = {
    "paper_input": "the work's input is on paper (paper, handwritten, postal or fax)",
    "electronic_input": "the work's input is electronic",
    "handwritten": "someone fills a form by hand",
    "person_present": "the resident is there in person (in_person at a resident or counter lane)",
    "resident_facing": "the resident does the step or meets staff for it",
    "staff": "staff time (counter, back office, approval, storage)",
    "counter": "counter work",
    "resident": "the resident's own work",
    "approval": "an approval",
    "storage": "filing and retrieval",
    "keying": "data keyed from one document or system into another (transcribe)",
    "checking": "a manual cross-check (check)",
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
}



@cache
def levers() -> Mapping[str, str]:
    """Lever names for ``lever …`` lines: the catalog's keys and their ``aliases``
    (bprkit/assumptions/default.toml is their one home), and ``none`` (なし)."""
    import tomllib
    from importlib import resources

    text = resources.files("bprkit.assumptions").joinpath("default.toml").read_text("utf-8")
    catalog = tomllib.loads(text).get("levers", {})
    return _table({name: tuple(entry.get("aliases", ())) for name, entry in catalog.items()}
                  | {NO_LEVER: ("なし",)})


def lookup(table: Mapping[str, str], word: str) -> str | None:
    """The canonical form of ``word``, or None when the table does not know it."""
    return table.get(word.lower())


def spellings(table: Mapping[str, str]) -> list[str]:
    """Canonical names first, then the aliases, for hints."""
    canon = list(dict.fromkeys(table.values()))
    return canon + [w for w in table if w not in canon]


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """The known name closest to ``word``, when one is close enough."""
    pool = list(dict.fromkeys(candidates))
    lowered = {c.lower(): c for c in pool}
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    if match:
        return lowered[match[0]]
    # Japanese names are short: one differing character of two is still a likely typo.
    if len(word) <= 3:
        for c in pool:
            if len(c) == len(word) and sum(a != b for a, b in zip(c, word, strict=False)) == 1:
                return c
    return None
