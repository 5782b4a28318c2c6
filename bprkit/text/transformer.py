"""lark → model: one method per grammar rule, with the rule's name.

The methods run inside lark's LALR parser as its callbacks (``Lark(transformer=…)``),
so no parse tree is built: a 10,000-step file costs half the time it would
otherwise. Positions come from tokens: keywords that a message points at are
named terminals in the grammar, so they reach the methods.

Words the grammar reads as plain names (roles, tags, units, periods, kinds)
are turned into their canonical form here; an unknown word becomes a
diagnostic with a did-you-mean, and a neutral stand-in keeps the model whole.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar, cast, get_args

from bprkit import vocabulary as vocab
from bprkit.errors import Diagnostic
from bprkit.model import (
    END,
    Batch,
    Branch,
    Case,
    Data,
    Document,
    DocumentKind,
    Duration,
    Import,
    Lane,
    Parallel,
    Path,
    Period,
    Phase,
    Process,
    Queue,
    QueueLine,
    Retention,
    Role,
    SourceFile,
    Span,
    Step,
    Unit,
    Use,
    Volume,
    iter_steps,
    iter_uses,
)
from bprkit.text.scan import Token
from bprkit.text.source import SourceText

_NUMBER = re.compile(r"[0-9][0-9,]*(?:\.[0-9]+)?")
MAX_NUMBER = 1e9
"""The largest number a file may write (cases a year, minutes, times, batch sizes):
well above any procedure's, far below where sums and samples lose precision."""


def _holds_work(item: object) -> bool:
    """A flow statement with a step or a ``use`` in it (a branch holds neither)."""
    return isinstance(item, Step | Use) or (isinstance(item, Parallel) and (
        next(iter_steps((item,)), None) is not None or next(iter_uses((item,)), None)
        is not None))


_Word = TypeVar("_Word", bound=str)
_ROLES: tuple[Role, ...] = get_args(Role)
_PERIODS: tuple[Period, ...] = get_args(Period)
_DOCUMENT_KINDS: tuple[DocumentKind, ...] = get_args(DocumentKind)


def _one_of(words: tuple[_Word, ...], word: str) -> _Word:
    """``word`` as one of a model type's words (``words``: the Literal's values). The
    vocabulary's canonical words are those; anything else is a bug, said here."""
    for known in words:
        if known == word:
            return known
    raise ValueError(f"{word!r} is not one of {words}")


def _short(text: str) -> str:
    return text if len(text) <= 24 else text[:12] + "…" + text[-6:]
_WORD = re.compile(r"[^\W\d_]+")
_ITEM = re.compile(r"[^\s,\[\]]+")  # a tag in a tag list, a name in a name list


@dataclass(frozen=True, slots=True)
class _Num:
    value: float
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class _Stmt:
    """A header or body line: its keyword, value and span."""

    keyword: str
    value: Any
    span: Span


@dataclass(frozen=True, slots=True)
class _Unknown:
    word: str
    span: Span


@dataclass(frozen=True, slots=True)
class _Body:
    items: list[Any]


_PROCESS_STATEMENTS = ("owner", "volume", "state", "based_on", "note", "lane", "document",
                       "data", "phase", "step", "branch", "parallel", "use")
_BODY_STATEMENTS = ("reads", "writes", "uses", "produces", "stores", "system", "note", "pain",
                    "basis", "lever", "replaces", "batch", "arrivals", "counters")
_PATH_STATEMENTS = ("step", "branch", "parallel", "use")


@cache
def _japanese_keywords() -> dict[str, str]:
    """The statements the grammar also reads in Japanese, from its terminals (施策 →
    lever for ``LEVER_JA: "施策"``): read only when a statement is not known (E019)."""
    from bprkit.text.parser import grammar

    return {word: name.lower() for name, word in
            re.findall(r'^([A-Z]+)_JA\d*:\s*"([^"]+)"', grammar(), re.MULTILINE)}
_LIST_KEYS = ("reads", "writes", "uses", "produces", "replaces")


def _unescape(token: str) -> str:
    if token.startswith("「"):
        return token[1:-1]
    body = token[1:-1]
    if "\\" not in body:
        return body
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


_LABEL_TYPES = frozenset({"STRING", "JSTRING"})
_TAG_LIST = dict(zip(("known", "known_ja"), vocab.listing(vocab.TAGS), strict=True))
"""E012's list of every tag, from the vocabulary (the one home of the tags)."""


def _is_label(item: object) -> bool:
    return isinstance(item, Token) and item.type in _LABEL_TYPES


def _text(item: Token) -> str:
    """A label's text, or a name as written."""
    return _unescape(str(item)) if item.type in _LABEL_TYPES else str(item)


def _where(tok: Token) -> tuple[int, int, int, int]:
    """A token's line, column, end line and end column (bprkit's lexer sets them all;
    lark types them optional)."""
    return (tok.line or 0, tok.column or 0, tok.end_line or 0, tok.end_column or 0)


def _line_of(span: Span | None) -> int:
    return span.line if span is not None else 0


class ModelBuilder:
    """The parser's callbacks. ``begin(source)`` before each parse. One instance
    serves the one cached parser, so parsing is single-threaded per process."""

    def __init__(self) -> None:
        self.begin(SourceText("<none>", "", ""))

    def begin(self, source: SourceText) -> None:
        self.source = source
        self.file = source.path
        self.diagnostics: list[Diagnostic] = []
        self._durations: dict[str, tuple[float, float, Unit, float | None]] = {}

    # ── helpers ──
    def _tok(self, tok: Token) -> Span:
        return Span(self.file, *_where(tok))

    def _within(self, tok: Token, start: int, stop: int) -> Span:
        """A span inside a one-line token, by character offsets."""
        line, column, _, _ = _where(tok)
        return Span(self.file, line, column + start, line, column + stop)

    def _report(self, code: str, span: Span | None, **args: object) -> None:
        self.diagnostics.append(self.source.diagnostic(code, span, **args))

    def _word(self, table: Mapping[str, str], word: str, span: Span, code: str,
              fallback: str, **extra: object) -> str:
        found = vocab.lookup(table, word)
        if found is None:
            self._report(code, span, word=word,
                         suggestion=vocab.suggest(word, vocab.spellings(table)), **extra)
            return fallback
        return found

    def _unknown(self, item: _Unknown, allowed: tuple[str, ...]) -> None:
        """E019, with the statements allowed here and their Japanese keywords: 到差 is
        taken for 到着, not left without a suggestion."""
        words = (*allowed, *(ja for ja, en in _japanese_keywords().items() if en in allowed))
        self._report("E019", item.span, word=item.word, expected=", ".join(words),
                     suggestion=vocab.suggest(item.word, words))

    # ── tokens the rules take apart ──
    def _take_label(self, rest: list[Any]) -> str | None:
        """Pop and return a leading label, if there is one."""
        return _unescape(str(rest.pop(0))) if rest and _is_label(rest[0]) else None

    def _number(self, tok: Token) -> _Num:
        value = float(tok.replace(",", ""))
        if not value <= MAX_NUMBER:  # also inf (310 digits)
            self._report("E052", self._tok(tok), number=_short(str(tok)),
                         limit=f"{MAX_NUMBER:,.0f}")
            value = MAX_NUMBER
        return _Num(value, str(tok), self._tok(tok))

    def _typed(self, tok: Token) -> str:
        """A token as the file writes it (３〜５分, not the lexer's 3~5分)."""
        typed = self.source.text[tok.start_pos:tok.end_pos]
        return typed if len(typed) == len(tok) else str(tok)

    def _names(self, tok: Token) -> list[tuple[str, Span]]:
        return [(m.group(), self._within(tok, m.start(), m.end())) for m in _ITEM.finditer(tok)]

    def _duration(self, tok: Token) -> Duration:
        text = str(tok)
        span = self._tok(tok)
        known = self._durations.get(text)
        if known is not None:  # the same text again (5分 …): no new diagnostics
            return Duration(*known, span=span)
        reported = len(self.diagnostics)
        numbers = list(_NUMBER.finditer(text))
        values = [float(m.group().replace(",", "")) for m in numbers]
        for m, value in zip(numbers, values, strict=True):
            if not value <= MAX_NUMBER:
                self._report("E052", self._within(tok, m.start(), m.end()),
                             number=_short(m.group()), limit=f"{MAX_NUMBER:,.0f}")
        values = [min(v, MAX_NUMBER) for v in values]
        unit_match = _WORD.search(text, numbers[-1].end())
        if unit_match is None:
            line, _, _, end = _where(tok)
            self._report("E009", Span(self.file, line, end, line, end + 1),
                         number=self._typed(tok).strip())
            unit: Unit = "min"
        else:
            unit = cast(Unit, self._word(vocab.UNITS, unit_match.group(),
                                         self._within(tok, unit_match.start(),
                                                      unit_match.end()), "E010", "min"))
        low, high = values[0], values[-1]
        mode = values[1] if len(values) == 3 else None
        if low > high:
            self._report("E011", span, text=self._typed(tok), reason="low > high",
                         reason_ja="低 > 高")
            low, high = high, low
        if mode is not None and not low <= mode <= high:
            self._report("E011", span, text=self._typed(tok), reason="mode outside low..high",
                         reason_ja="最頻値が 低..高 の外")
            mode = None
        if len(self.diagnostics) == reported:
            self._durations[text] = (low, high, unit, mode)
        return Duration(low, high, unit, mode, span=span)

    # ── file ──
    def start(self, children: list[Any]) -> SourceFile:
        imports, processes = [], []
        for item in children:
            if isinstance(item, Import):
                imports.append(item)
            elif isinstance(item, Process):
                processes.append(item)
            else:
                self._unknown(item, ("import", "process"))
        return SourceFile(self.file, tuple(imports), tuple(processes))

    def import_stmt(self, children: list[Token]) -> Import:
        keyword, path = children
        return Import(_unescape(str(path)), span=Span(self.file, *_where(keyword)[:2],
                                                       *_where(path)[2:]))

    def unknown(self, children: list[Token]) -> _Unknown:
        return _Unknown(str(children[0]), self._tok(children[0]))

    # ── process ──
    def process(self, children: list[Any]) -> Process:
        name, rest = children[0], children[1:]
        label = self._take_label(rest)
        header: dict[str, _Stmt] = {}
        notes: list[str] = []
        lanes: list[Lane] = []
        documents: list[Document] = []
        data: list[Data] = []
        flow: list[Any] = []
        marks: list[tuple[Phase, int]] = []  # each phase line and where the flow stood
        for item in rest:
            if isinstance(item, Phase):
                marks.append((item, len(flow)))
            elif isinstance(item, _Stmt):
                if item.keyword == "note":
                    notes.append(item.value)
                elif item.keyword in header:
                    self._report("E035", item.span, keyword=item.keyword,
                                 first=header[item.keyword].span.line)
                else:
                    header[item.keyword] = item
            elif isinstance(item, Lane):
                lanes.append(item)
            elif isinstance(item, Document):
                documents.append(item)
            elif isinstance(item, list):
                data.extend(item)
            elif isinstance(item, _Unknown):
                self._unknown(item, _PROCESS_STATEMENTS)
            else:
                flow.append(item)

        def value(key: str) -> Any:
            return header[key].value if key in header else None

        return Process(
            id=str(name), label=label, owner=value("owner"), volume=value("volume"),
            state=value("state") or "as_is", based_on=value("based_on"), notes=tuple(notes),
            lanes=tuple(lanes), documents=tuple(documents), data=tuple(data), flow=tuple(flow),
            span=self._tok(name),
            positions={k: s.span for k, s in header.items()},
            phases=self._phases(marks, flow),
        )

    def _phases(self, marks: list[tuple[Phase, int]], flow: list[Any]) -> tuple[Phase, ...]:
        """Each phase with the first statement after its line that holds work (a
        step, a use, a parallel block with either) and its first own step; a
        repeated id is E049, a phase that holds no work before the next one W013."""
        out: list[Phase] = []
        seen: dict[str, Phase] = {}
        for n, (phase, at) in enumerate(marks):
            if phase.id in seen:
                self._report("E049", phase.span, name=phase.id,
                             first=_line_of(seen[phase.id].span))
                continue
            seen[phase.id] = phase
            until = marks[n + 1][1] if n + 1 < len(marks) else len(flow)
            start = next((i for i in range(at, until) if _holds_work(flow[i])), None)
            first = next(iter_steps(tuple(flow[at:until])), None)
            if start is None:
                self._report("W013", phase.span, name=phase.id)
            out.append(Phase(phase.id, phase.label, first.id if first else None,
                             span=phase.span, start=start))
        return tuple(out)

    def phase(self, children: list[Any]) -> Phase:
        name, rest = children[1], children[2:]
        label = self._take_label(rest)
        return Phase(str(name), label, span=self._tok(name))

    def _line(self, children: list[Any]) -> _Stmt:
        """``keyword value`` lines (owner, note, pain, basis, based_on)."""
        keyword, value = children[0], children[-1]
        return _Stmt(keyword.lower(), _text(value), self._tok(keyword))

    owner = note = pain = basis = based_on = _line

    def volume(self, children: list[Any]) -> _Stmt:
        season = children.pop() if isinstance(children[-1], tuple) else None
        keyword, count, period_tok = children[0], self._number(children[1]), children[-1]
        span = self._tok(keyword)
        period = self._word(vocab.PERIODS, str(period_tok), self._tok(period_tok), "E015", "year")
        if count.value <= 0:
            self._report("E038", count.span, count=count.text)
        days, share = None, 1.0
        if season is not None:
            days, days_span, unit, unit_span, percent = season
            limit = {"year": 243, "month": 21, "week": 5, "day": 1}[period]
            if unit not in ("day", "days", "日", "営業日"):  # 15 日に, 15 日間: the word
                self._report("E053", unit_span, period=period, limit=limit, unit=unit,
                             period_ja=vocab.japanese(vocab.PERIODS, period),
                             variant="unit")
            elif not 1 <= days <= limit:
                self._report("E053", days_span, period=period, limit=limit,
                             period_ja=vocab.japanese(vocab.PERIODS, period))
                days = None
            if percent is not None:
                if 0 < percent.value <= 100:
                    share = percent.value / 100
                else:
                    self._report("E054", percent.span, share=percent.text)
        return _Stmt("volume", Volume(count.value, _one_of(_PERIODS, period), span=span,
                                      season_days=days, season_share=share), span)

    def season(self, children: list[Token]) -> tuple[float, Span, str, Span, _Num | None]:
        number = self._number(children[1])
        percent = None
        if len(children) == 5:  # within 15 days 60%
            percent = self._number(children[3])
            percent = _Num(percent.value, percent.text, Span(
                self.file, *_where(children[3])[:2], *_where(children[4])[2:]))
        return number.value, number.span, str(children[2]), self._tok(children[2]), percent

    def state(self, children: list[Token]) -> _Stmt:
        keyword, word = children
        return _Stmt("state", self._word(vocab.STATES, str(word), self._tok(word), "E016",
                                         "as_is"), self._tok(keyword))

    def lane(self, children: list[Any]) -> Lane:
        name, role_tok = children[0], children[-1]
        label = _text(children[1]) if len(children) == 3 else None
        role = self._word(vocab.ROLES, str(role_tok), self._tok(role_tok), "E013", "external")
        return Lane(str(name), _one_of(_ROLES, role), label, span=self._tok(name),
                    role_span=self._tok(role_tok))

    def document(self, children: list[Any]) -> Document:
        name, kind_tok = children[0], children[-1]
        label = _text(children[1]) if len(children) == 3 else None
        kind = self._word(vocab.DOCUMENT_KINDS, str(kind_tok), self._tok(kind_tok), "E014",
                          "paper")
        return Document(str(name), _one_of(_DOCUMENT_KINDS, kind), label, span=self._tok(name))

    def data(self, children: list[Any]) -> list[Data]:
        names = self._names(children[0])
        held = len(children) == 2 and self._word(
            vocab.HELD, str(children[1]), self._tok(children[1]), "E017", "") == "held"
        return [Data(n, held, span=s) for n, s in names]

    # ── steps ──
    def step(self, children: list[Any]) -> Step:
        name, rest = children[0], list(children[1:])
        label = self._take_label(rest)
        lane_tok = rest.pop(0)
        lane = lane_tok[1:].lstrip(" \t")
        positions: dict[str, Span] = {
            "lane": self._within(lane_tok, len(lane_tok) - len(lane), len(lane_tok))}
        fields: dict[str, Any] = {}
        lists: dict[str, list[str]] = {}
        stores: list[Retention] = []
        items = iter(rest)
        for item in items:
            kind = item.type if isinstance(item, Token) else None
            if kind == "DURATION":
                fields["duration"] = self._duration(item)
            elif kind in ("WAIT", "WAIT_JA"):
                fields["wait"] = self._duration(next(items))
            elif kind == "TAGS":
                tags = self._tags(item)
                for i, (_, span) in enumerate(tags):
                    positions[f"tag:{i}"] = span
                fields["tags"] = tuple(tag for tag, _ in tags)
            elif kind == "ARROW":
                tok = next(items)
                fields["target"] = END if tok.type == "END" else str(tok)
                positions["target"] = self._tok(tok)
            else:
                self._body(item, fields, lists, stores, positions)
        if stores:
            fields["stores"] = tuple(stores)
        self._queue(fields)
        fields.update((key, tuple(names)) for key, names in lists.items())  # disjoint keys
        return Step(id=str(name), lane=lane, label=label, **fields,
                    span=self._tok(name), positions=positions)

    def _body(self, body: _Body, fields: dict[str, Any], lists: dict[str, list[str]],
              stores: list[Retention], positions: dict[str, Span]) -> None:
        for stmt in body.items:
            if isinstance(stmt, _Unknown):
                self._unknown(stmt, _BODY_STATEMENTS)
            elif isinstance(stmt, Retention):
                stores.append(stmt)
            elif isinstance(stmt, Batch):
                fields["batch"] = stmt
            elif stmt.keyword == "lever":
                chosen = lists.setdefault("levers", [])
                for n, span in stmt.value:
                    if n != vocab.NO_LEVER:  # lever none: the empty tuple
                        positions[f"levers:{len(chosen)}"] = span
                        chosen.append(n)
            elif stmt.keyword == "system":
                fields["system"], positions["system"] = stmt.value
            elif stmt.keyword in ("arrivals", "counters"):
                fields.setdefault(stmt.keyword, []).append(stmt.value)
            elif stmt.keyword in _LIST_KEYS:
                names = lists.setdefault(stmt.keyword, [])
                for n, span in stmt.value:
                    positions[f"{stmt.keyword}:{len(names)}"] = span
                    names.append(n)
            else:  # note, pain, basis
                key = {"note": "notes", "pain": "pains"}.get(stmt.keyword, stmt.keyword)
                lists.setdefault(key, []).append(stmt.value)

    def _tags(self, tok: Token) -> list[tuple[str, Span]]:
        out = []
        for m in _ITEM.finditer(tok):
            span = self._within(tok, m.start(), m.end())
            tag = self._word(vocab.TAGS, m.group(), span, "E012", "", **_TAG_LIST)
            if tag:
                out.append((tag, span))
        return out

    def step_body(self, children: list[Any]) -> _Body:
        return _Body(children)

    def _listing(self, children: list[Token]) -> _Stmt:
        """``reads|writes|uses|produces a, b, …``"""
        keyword, names = children
        return _Stmt(keyword.type.lower().removesuffix("_ja"), self._names(names),
                     self._tok(keyword))

    reads = writes = uses = produces = replaces = _listing

    def lever(self, children: list[Token]) -> _Stmt:
        """``lever ai_ocr, rpa`` or ``lever none``: names in their canonical form."""
        keyword, names_tok = children
        table = vocab.levers()
        names: list[tuple[str, Span]] = []
        for word, span in self._names(names_tok):
            name = self._word(table, word, span, "E046", "",
                              **dict(zip(("known", "known_ja"), vocab.listing(table),
                                         strict=True)))
            if name:
                names.append((name, span))
        if len(names) > 1 and any(n == vocab.NO_LEVER for n, _ in names):
            self._report("E047", self._tok(keyword))
            names = [(n, s) for n, s in names if n != vocab.NO_LEVER]
        return _Stmt("lever", names, self._tok(keyword))

    def batch(self, children: list[Token]) -> Batch:
        keyword, value = children[0], children[1]
        span = self._tok(keyword)
        shared = True
        last = children[-1]
        if len(children) > 2 and last.type == "NAME":  # the kind: shared 一括 / each 個別
            kind = vocab.lookup(vocab.BATCH_KINDS, str(last))
            if kind is None:
                self._report("E058", self._tok(last), value=str(last),
                             suggestion=vocab.suggest(str(last),
                                                      vocab.spellings(vocab.BATCH_KINDS)))
            shared = kind != "each"
        if value.type == "NUMBER":
            count = self._number(value)
            if count.value < 1:
                self._report("E048", count.span, value=count.text)
                return Batch(span=span, shared=shared)
            return Batch(cases=count.value, span=span, shared=shared)
        period = vocab.lookup(vocab.PERIODS, str(value))
        if period is None:  # つき → 月: a reading left unconverted gets its word
            self._report("E048", self._tok(value), value=str(value),
                         suggestion=vocab.suggest(str(value), vocab.spellings(vocab.PERIODS)))
            return Batch(span=span, shared=shared)
        return Batch(period=_one_of(_PERIODS, period), span=span, shared=shared)

    def arrivals(self, children: list[Token]) -> _Stmt:
        """``arrivals 26 / hour [mon, peak]`` (``到着 26 件 / 時 [月曜, 繁忙期]``)."""
        when, children = self._when(children)
        keyword, count, period_tok = children[0], self._number(children[1]), children[-1]
        period = self._word(vocab.RATE_PERIODS, str(period_tok), self._tok(period_tok),
                            "E074", "")
        bad = count.value <= 0
        if bad:
            self._report("E075", count.span, count=count.text)
        if when is None or bad or not period:  # reported: the queue is left out
            return _Stmt("arrivals", None, self._tok(keyword))
        days, peak = when
        return _Stmt("arrivals", QueueLine(count.value, days, peak, period,
                                           span=self._tok(keyword)), self._tok(keyword))

    def counters(self, children: list[Token]) -> _Stmt:
        """``counters 4 [peak]`` (``窓口数 4 [繁忙期]``): the counters that serve the queue."""
        when, children = self._when(children)
        keyword, count = children[0], self._number(children[1])
        if count.value <= 0:
            self._report("E076", count.span, count=count.text)
        if when is None or count.value <= 0:  # reported: the queue is left out
            return _Stmt("counters", None, self._tok(keyword))
        days, peak = when
        return _Stmt("counters", QueueLine(count.value, days, peak, span=self._tok(keyword)),
                     self._tok(keyword))

    def _when(self, children: list[Token]
              ) -> tuple[tuple[tuple[str, ...], bool] | None, list[Token]]:
        """The days and season a queue's line is for (its last token, when NAMES); None
        when a word is no day nor the season (reported)."""
        if children[-1].type != "NAMES":
            return ((), False), children
        days: list[str] = []
        peak, known = False, True
        for word, span in self._names(children[-1]):
            found = self._word(vocab.QUEUE_WHEN, word, span, "E083", "",
                               **dict(zip(("known", "known_ja"), vocab.listing(vocab.QUEUE_WHEN),
                                          strict=True)))
            if found == "peak":
                peak = True
            elif not found:
                known = False
            elif found not in days:
                days.append(found)
        if not known:
            return None, children[:-1]
        return (tuple(d for d in vocab.WEEKDAYS if d in days), peak), children[:-1]

    def _queue(self, fields: dict[str, Any]) -> None:
        """The step's queue from its ``arrivals`` and ``counters`` lines: one line of
        each without days is the rest of the time (E082); counters without arrivals are
        E077; arrivals without counters are the observed wait's (the validator checks)."""
        arrivals, counters = fields.pop("arrivals", []), fields.pop("counters", [])
        if None in arrivals or None in counters:  # a line reported: no queue, no more noise
            return
        if not arrivals:
            if counters:
                self._report("E077", counters[0].span)
            return
        base = self._base(arrivals, "arrivals")
        if base is None:
            return
        kept = self._base(counters, "counters") if counters else None
        fields["queue"] = Queue(
            base.value, base.period, kept.value if kept is not None else None,
            arrivals_on=tuple(x for x in arrivals if x is not base),
            counters_on=tuple(x for x in counters if x is not kept),
            span=base.span, counters_span=(kept or counters[0]).span if counters else None)

    def _base(self, lines: list[QueueLine], what: str) -> QueueLine | None:
        """The one line without days or season (E082 when there is none, or two; or two
        lines for the same days)."""
        seen: set[tuple[tuple[str, ...], bool]] = set()
        for x in lines:
            if (x.days, x.peak) in seen and (x.days or x.peak):
                self._report("E082", x.span, variant="_".join(
                    v for v in ("counters" if what == "counters" else "", "same") if v))
                return None
            seen.add((x.days, x.peak))
        plain = [x for x in lines if not x.days and not x.peak]
        if len(plain) != 1:
            variant = "_".join(x for x in ("counters" if what == "counters" else "",
                                           "twice" if plain else "") if x)
            self._report("E082", (plain[1] if plain else lines[0]).span, variant=variant)
            return None
        return plain[0]

    def stores(self, children: list[Any]) -> Retention:
        keyword, names_tok, years_tok, unit = children
        names, years = self._names(names_tok), self._number(years_tok)
        self._word(vocab.YEARS, str(unit), self._tok(unit), "E018", "years")
        if years.value <= 0:
            self._report("E039", years.span, years=years.text)
        return Retention(tuple(n for n, _ in names), years.value, span=self._tok(keyword))

    def system(self, children: list[Token]) -> _Stmt:
        keyword, name = children
        return _Stmt("system", (str(name), self._tok(name)), self._tok(keyword))

    # ── flow ──
    def branch(self, children: list[Any]) -> Branch:
        keyword, rest = children[0], children[1:]
        label = self._take_label(rest)
        return Branch(tuple(rest), label, span=self._tok(keyword))

    def case(self, children: list[Any]) -> Case:
        first, tok = children[0], children[-1]
        target = END if tok.type == "END" else str(tok)
        if first.type == "NUMBER":
            percent, start = self._number(first).value, self._tok(first)
        else:
            percent, start = None, self._tok(first)
        return Case(target, percent, span=start, target_span=self._tok(tok))

    def parallel(self, children: list[Any]) -> Parallel:
        return Parallel(tuple(c for c in children[1:] if isinstance(c, Path)),
                        span=self._tok(children[0]))

    def path(self, children: list[Any]) -> Path:
        keyword, rest = children[0], children[1:]
        label = self._take_label(rest)
        items = []
        for item in rest:
            if isinstance(item, _Unknown):
                self._unknown(item, _PATH_STATEMENTS)
            else:
                items.append(item)
        return Path(tuple(items), label, span=self._tok(keyword))

    def use(self, children: list[Any]) -> Use:
        keyword, name = children[0], children[1]
        batch = children.pop() if isinstance(children[-1], Batch) else None
        times = self._number(children[-1]) if len(children) == 4 else None
        if times is not None and times.value <= 0:
            self._report("E037", times.span, times=times.text)
        return Use(str(name), times.value if times else 1, batch, span=self._tok(keyword))
