"""The grammar's terminals matched with one regular expression per parser state, without
lark: what both of bprkit's parsers lex with.

A parser state accepts a few terminals; its scanner is one alternation of their patterns,
led by the blanks it skips. Words are matched once and then resolved to a keyword of
the state or to NAME. lark's plugin (:mod:`bprkit.text.lexer`) and the table-driven
parser (:mod:`bprkit.text.lalr`) both call :func:`match`; neither writes a pattern: the
terminals come from the grammar, through lark (:class:`Terminal`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Hashable
from typing import Any, NamedTuple

WORD_TERMINAL = "NAME"
"""The grammar's word: keywords are the NAME-shaped literals."""


class Token(str):
    """A token: its text, its terminal's name and its place, with the attributes of
    lark's Token (both parsers hand these to the model builder). Lines and columns count
    from 1; positions are offsets in the text parsed."""

    type: str
    value: str
    start_pos: int
    line: int
    column: int
    end_line: int
    end_column: int
    end_pos: int

    def __new__(cls, type: str, value: str, start_pos: int, line: int, column: int,
                end_line: int, end_column: int, end_pos: int) -> Token:
        self = super().__new__(cls, value)
        self.type, self.value, self.start_pos = type, value, start_pos
        self.line, self.column = line, column
        self.end_line, self.end_column, self.end_pos = end_line, end_column, end_pos
        return self

    @classmethod
    def of(cls, token: Any) -> Token:
        """A token of lark's, as one of these (its place as lark set it)."""
        return cls(token.type, str(token), token.start_pos, token.line, token.column,
                   token.end_line, token.end_column, token.end_pos)

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Token, (self.type, self.value, self.start_pos, self.line, self.column,
                        self.end_line, self.end_column, self.end_pos))


class Terminal(NamedTuple):
    """A terminal of the grammar as a scanner needs it."""

    name: str
    regexp: str
    priority: int
    max_width: int
    value: str
    """As the grammar writes it: a string's text, or a pattern's source."""
    literal: bool
    """Whether the grammar writes it as a string (else as a pattern)."""


class Spec(NamedTuple):
    """What a scanner compiles, worked out from the terminals it accepts (by
    :func:`spec`; :mod:`bprkit.text.lalr_tables` keeps those of the grammar's states)."""

    pattern: str
    """The alternation of the terminals, each a group, led by the blanks it skips."""
    types: tuple[str, ...]
    """The terminal of each group, in order."""
    keywords: tuple[tuple[str, str], ...]
    """(word, terminal): the keywords a matched word may be."""
    name_ok: bool
    """Whether a word that is no keyword is a NAME here."""
    blank_led: tuple[str, ...]
    """The terminals whose token holds the blanks before it (line ends, as in lark)."""
    unworded: Spec | None
    """The scanner for a word that is neither a keyword nor a name here: the same
    terminals without NAME, keywords matched as plain strings, which is how lark's lexer
    reads it (``x`` of ``use sub x 2`` is TIMES)."""


def spec(accepts: Collection[str], by_name: dict[str, Terminal], ignore: Collection[str],
         *, words: bool = True) -> Spec:
    """The scanner of a parser state that accepts ``accepts``; terminals in ``ignore``
    (the blanks) are skipped by every pattern instead. Terminals are tried in lark's
    order: priority, then the longest possible match, then the longest pattern."""
    word = re.compile(by_name[WORD_TERMINAL].regexp)
    keywords: dict[str, str] = {}
    name_ok = words and WORD_TERMINAL in accepts
    chosen: list[Terminal] = []
    for name in accepts:
        term = by_name.get(name)
        if term is None or name in ignore or name == WORD_TERMINAL:
            continue
        if words and term.literal and word.fullmatch(term.value):
            keywords[term.value] = name
        else:
            chosen.append(term)
    unworded = None
    if keywords or name_ok:
        chosen.append(by_name[WORD_TERMINAL])
        if not name_ok:
            unworded = spec(accepts, by_name, ignore, words=False)
    chosen.sort(key=lambda t: (-t.priority, -t.max_width, -len(t.value), t.name))
    groups = "|".join(f"({t.regexp})" for t in chosen)
    return Spec(f"[ \\t]*+(?:{groups})" if chosen else "",  # possessive: no backtracking
                tuple(t.name for t in chosen), tuple(sorted(keywords.items())), name_ok,
                tuple(t.name for t in chosen if re.match(t.regexp, " \n") is not None),
                unworded)


class StateScanner:
    """A :class:`Spec`, compiled (its ``unworded`` scanner only when first needed)."""

    __slots__ = ("_unworded", "blank_led", "keywords", "match", "name_ok", "types")

    def __init__(self, spec: Spec) -> None:
        self.types = spec.types
        self.keywords = dict(spec.keywords)
        self.name_ok = spec.name_ok
        self.blank_led = frozenset(spec.blank_led)
        self._unworded: StateScanner | Spec | None = spec.unworded
        if spec.pattern:
            compiled = re.compile(spec.pattern)
            assert compiled.groups == len(spec.types), "terminal patterns must not capture"
            self.match: Callable[[str, int, int], re.Match[str] | None] | None = compiled.match
        else:
            self.match = None

    @property
    def unworded(self) -> StateScanner | None:
        if isinstance(self._unworded, Spec):
            self._unworded = StateScanner(self._unworded)
        return self._unworded


class Scanners(dict[int, StateScanner]):
    """The scanner of each parser state, each compiled when its state is first met (a
    small file meets a few of the grammar's states, and compiling the alternations of
    all of them cost every start-up of ``bprkit check`` several milliseconds), and shared
    by the states of one ``key``."""

    def __init__(self, keys: dict[int, Hashable], spec_of: Callable[[Any], Spec]) -> None:
        super().__init__()
        self._keys, self._spec_of = keys, spec_of
        self._shared: dict[Hashable, StateScanner] = {}

    @classmethod
    def of_terminals(cls, states: dict[int, Collection[str]], always_accept: Collection[str],
                     by_name: dict[str, Terminal], ignore: Collection[str]) -> Scanners:
        """Scanners worked out from the terminals each state accepts (lark's plugin)."""
        return cls({state: frozenset(accepts) | frozenset(always_accept)
                    for state, accepts in states.items()},
                   lambda accepts: spec(accepts, by_name, ignore))

    def __missing__(self, state: int) -> StateScanner:
        key = self._keys[state]  # KeyError for a state the parser does not have
        scanner = self._shared.get(key)
        if scanner is None:
            scanner = self._shared[key] = StateScanner(self._spec_of(key))
        self[state] = scanner
        return scanner


def match(scanner: StateScanner, text: str, pos: int, end: int, line: int,
          line_start: int) -> tuple[Token, int, int] | None:
    """The token at ``pos`` that ``scanner`` accepts, with the line number and the line's
    start after it; None when none of its terminals matches there (or a word that is
    neither a keyword of the state nor a name it accepts). A line end's token holds the
    blanks before it, as lark's does; other tokens start after them."""
    m = scanner.match(text, pos, end) if scanner.match else None
    if m is None:
        return None
    index = m.lastindex or 0  # every alternative is a group: never 0
    kind = scanner.types[index - 1]
    value = m.group(index)
    if kind == WORD_TERMINAL:
        kind = scanner.keywords.get(value) or (kind if scanner.name_ok else "")
        if not kind:
            unworded = scanner.unworded
            return None if unworded is None else match(unworded, text, pos, end, line,
                                                       line_start)
    start = m.start() if kind in scanner.blank_led else m.start(index)
    if start != m.start(index):
        value = text[start:m.end()]
    first, first_start = line, line_start
    if "\n" in value:  # a line end (in _NL, or after "{")
        line += value.count("\n")
        line_start = start + value.rindex("\n") + 1
    stop = m.end()
    return (Token(kind, value, start, first, start - first_start + 1, line,
                  stop - line_start + 1, stop), line, line_start)
