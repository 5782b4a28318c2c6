"""Text fitting: where a label may break, how it wraps, how much room it takes.

Japanese has no spaces, so break points come from BudouX (a small phrase
segmenter, loaded on first use) and are then corrected by rules of our own:

- never inside a number with its unit (``3,000円``, ``1.3倍``, ``25%``), a katakana
  word (``システム``) or a run of Latin letters and digits;
- never between two kanji of a compound of up to eight (``市民税課``, ``手数料``);
- 禁則: no line starts with ``、。・）」』】ー`` or a small kana, none ends with ``（「『【``;
- no line starts with a particle that ends the word before it: ``を`` never, and
  ``から まで より へ で に が は と の も や`` not after a kanji, katakana, digit,
  letter or closing bracket (``システム|へ`` and ``」|を`` stay together);
- never inside a bracketed phrase of up to eight characters (``（写し）``);
- never between two hiragana but after a particle or a て-form (``に|なる``,
  ``して|もらう``): BudouX cuts ``あら|ためて`` inside a word (``当ては|まるか``, after a
  は that is no particle, and ``当|て``, kanji and okurigana, are not told apart from
  ``後日|あらためて`` without a dictionary);
- ``\\n`` or ``／`` in a label forces a break (the ``／`` itself is not drawn);
- spaces are break points (English labels).

A phrase longer than a line is cut by character as a last resort, still keeping
禁則. Widths are counted in display columns (a full-width character is 2) and
turned into points with per-character em factors measured from Graphviz's own
text widths, rounded up, so a box never crops its text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from bprkit.columns import columns

if TYPE_CHECKING:
    import budoux

FORCED_BREAKS = ("\n", "／")
NO_LINE_START = set("、。，．,.・）)」』】〕］]｝}ー～〜!?！？：:;；%％") | set(
    "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")
NO_LINE_END = set("（(「『【〔［[｛{")
PARTICLES = ("から", "まで", "より", "へ", "で", "に", "が", "は", "と", "の", "も", "や")
"""Particles that may not start a line after a word that is not hiragana (を: never)."""
SHORT_BRACKETED = re.compile(
    r"[（(「『【〔［\[][^（(「『【〔［\[）)」』】〕］\]\n]{1,8}[）)」』】〕］\]]")
"""A bracketed phrase of up to eight characters: never broken inside."""
_PROTECTED = re.compile(
    r"[0-9][0-9,.]*(?:-[0-9][0-9,.]*)* (?:min|h|d|w|s)\b|"
    r"[0-9０-９][0-9０-９,，.．:：]*(?:[〜~～\-–][0-9０-９][0-9０-９,，.．]*)*(?:%|％|円|分|秒|時間|日|週|倍|件|回|人|歳|年|か月|ヶ月|月|枚|通|部|h|min|d)?"
    r"|[\u30A0-\u30FFー]+(?:[・][\u30A0-\u30FFー]+)*"
    r"|[A-Za-z0-9][A-Za-z0-9\-_.+/]*")
_KANJI = re.compile(r"[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF々〆]+")
AFTER_KANA = set("てでにをがはへともの")
"""Hiragana after which a run of hiragana may break (a particle, a て-form): 1.3倍に|なる,
署名して|もらう; not あら|ためて."""
LONG_COMPOUND = 8
OVERFLOW = 4  # display columns a word may stick out rather than be cut



_EM = {**dict.fromkeys("%@mwMW", 1.0), **dict.fromkeys(" ", 0.35),
       **dict.fromkeys("ijlrtf.,:;!|'()[]", 0.45)}


def points(text: str, size: float) -> float:
    """A generous width in points of ``text`` set at ``size`` pt, from the widths
    Graphviz measures with BIZ UDPGothic: a full-width glyph one em, digits and
    capitals about 0.74, lower case about 0.6, ``%`` and ``m`` a full em."""
    return size * sum(1.0 if unicodedata.east_asian_width(c) in "WF"
                      else _EM.get(c, 0.62 if c.islower() else 0.76) for c in text)


@cache
def _parser() -> budoux.Parser:
    import budoux

    return budoux.load_default_japanese_parser()


def _has_japanese(text: str) -> bool:
    """Whether any character is CJK or full-width (code points from U+2E80 on, the
    range BudouX's Japanese model is for)."""
    return any(ord(c) >= 0x2E80 for c in text)


def breaks(text: str, particles: bool = True) -> set[int]:
    """The indexes ``i`` (0 < i < len) before which a line may break (before a particle
    too, without ``particles``)."""
    allowed: set[int] = set()
    if _has_japanese(text):
        at = 0
        for phrase in _parser().parse(text):
            at += len(phrase)
            allowed.add(at)
    for m in re.finditer(r" +", text):
        if not (m.start() and text[m.start() - 1].isdigit()
                and _has_japanese(text[m.end():m.end() + 1])):
            allowed.add(m.end())  # not between a number and the word it counts
    for m in re.finditer(r"[、。，,）)」』】・]", text):  # after closing punctuation
        allowed.add(m.end())
    for m in re.finditer(r"[（(「『【]", text):  # before opening brackets
        allowed.add(m.start())
    for m in _PROTECTED.finditer(text):
        allowed.difference_update(range(m.start() + 1, m.end()))
    for m in _KANJI.finditer(text):
        if m.end() - m.start() <= LONG_COMPOUND:
            allowed.difference_update(range(m.start() + 1, m.end()))
    for m in re.finditer(r"[0-9０-９](?=[\u3040-\u30ff\u3400-\u9fff])", text):
        allowed.discard(m.end())  # a number and the word it counts: 74項目, 第5希望
    for m in SHORT_BRACKETED.finditer(text):
        allowed.difference_update(range(m.start() + 1, m.end()))
    for i in list(allowed):  # BudouX cuts あら|ためて inside a word
        if 0 < i < len(text) and _hiragana(text[i]) and _hiragana(text[i - 1]) \
                and text[i - 1] not in AFTER_KANA:
            allowed.discard(i)  # in hiragana, only after a particle or て (に|なる)
    return {i for i in allowed if 0 < i < len(text) and _may_break(text, i, particles)}


def _hiragana(ch: str) -> bool:
    return "ぁ" <= ch <= "ゖ"


def _may_break(text: str, i: int, particles: bool = True) -> bool:
    """Whether a line may end before ``text[i]`` (禁則, and, with ``particles``, no
    particle cut from its word)."""
    if text[i] in NO_LINE_START or text[i - 1] in NO_LINE_END:
        return False
    return not particles or not (text[i] == "を" or (
        "ぁ" <= text[i] <= "ゖ" and not "ぁ" <= text[i - 1] <= "ゖ"
        and text.startswith(PARTICLES, i)))


def _atoms(piece: str, width: int) -> list[str]:
    """A piece as units that stay whole when it must be cut: numbers with units,
    katakana and Latin words, kanji compounds; other characters one by one."""
    keep = [(m.start(), m.end()) for m in _PROTECTED.finditer(piece)]
    keep += [(m.start(), m.end()) for m in _KANJI.finditer(piece)
             if m.end() - m.start() <= LONG_COMPOUND]
    keep += [(m.start(), m.end()) for m in re.finditer(r"[ぁ-ゖ]{2,6}", piece)]
    keep += [(m.start(), m.end()) for m in SHORT_BRACKETED.finditer(piece)
             if columns(m.group()) <= width + OVERFLOW]  # else by the words inside
    whole = dict(sorted(keep))
    atoms, i = [], 0
    while i < len(piece):
        end = whole.get(i, i + 1)
        atoms.append(piece[i:end])
        i = end
    return atoms


def _hard_cut(piece: str, width: int, particles: bool) -> list[str]:
    """A piece wider than a line, cut between atoms (禁則 kept), or inside an atom
    that is itself wider than a line. A run that 禁則 would never let break (a
    row of 、) is cut anyway once it is twice the width: lines stay bounded."""
    lines: list[str] = []
    line, used = "", 0
    for atom in _atoms(piece, width):
        # a unit up to two characters wider than a line stays whole (狂犬病予防担当)
        for part in ([atom] if columns(atom) <= width + OVERFLOW else list(atom)):
            w = columns(part)
            if line and used + w > width and (_may_break(line[-1] + part, 1, particles)
                                              or used >= 2 * width + OVERFLOW):
                lines.append(line.rstrip())
                line, used = "", 0
            line += part
            used += w
    return [*lines, line]


def wrap(text: str, width: int = 20, *, particles: bool = True) -> list[str]:
    """Lines of at most ``width`` display columns, broken only where ``breaks``
    allows (or forced by ``\\n`` / ``／``). ``particles=False`` lets a particle start
    a line (lane headers: see bprkit.render.layout.lane_lines)."""
    return list(_wrap(text, width, particles))


@lru_cache(maxsize=8192)
def _wrap(text: str, width: int, particles: bool) -> tuple[str, ...]:
    for mark in FORCED_BREAKS[1:]:
        text = text.replace(mark, "\n")
    lines: list[str] = []
    for para in text.split("\n"):
        para = para.strip()
        if columns(para) <= width:  # fits: no phrase analysis needed
            lines.append(para)
            continue
        cuts = sorted(breaks(para, particles))
        pieces = [para[a:b] for a, b in zip([0, *cuts], [*cuts, len(para)], strict=True)]
        line = ""
        for piece in pieces:
            if line and columns(line + piece.rstrip()) > width:
                lines.append(line.rstrip())
                line = ""
            if not line and columns(piece.rstrip()) > width:
                *full, line = _hard_cut(piece.lstrip(), width, particles)
                lines.extend(full)
                continue
            line += piece if line else piece.lstrip()
        lines.append(line.rstrip())
        if len(lines) > 1 and len(lines[-1]) == 1 and \
                columns(lines[-2] + lines[-1]) <= width + OVERFLOW:
            lines[-2:] = [lines[-2] + lines[-1]]  # no line of one character
    return tuple(lines) or ("",)


def block(lines: list[str], size: float, leading: float = 1.25) -> tuple[float, float]:
    """Width and height in points of lines set at ``size`` pt."""
    return (max((points(line, size) for line in lines), default=0.0),
            len(lines) * size * leading)
