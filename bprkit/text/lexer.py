"""A faster contextual lexer for lark, plugged in through lark's own hook.

lark's contextual lexer matches whitespace as a token of its own and spends
several Python calls on every token; on a 10,000-step file that is half the
parse time. This lexer does the same job with one regular expression per
parser state, built from the grammar's own terminals (nothing is written
twice): leading blanks are skipped inside the match, and words are matched
once and then resolved to a keyword of the state or to NAME.

Whenever it cannot match, it hands the position to lark's lexer, which then
produces the token or the exact error lark would give: bad input takes the
well-trodden path, good input the fast one.

Comments are tokens of the grammar (COMMENT) that the parser meets only inside a line
end (_NL, _LBRACE: blanks, a comment or none, a newline or ";"), so no lexer here ever
matches one alone; :func:`comments` cuts them out of a line end for whoever keeps them
(bprkit fmt, through bprkit.text.parser.tokens).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import Any

from lark.lexer import ContextualLexer, LexerState, PatternStr, TerminalDef, Token

_WORD_TERMINAL = "NAME"  # the grammar's word: keywords are the NAME-shaped literals
LINE_ENDS = frozenset({"_NL", "_LBRACE"})
"""The terminals made of line ends, the only tokens that hold comments."""


class _StateScanner:
    """One compiled alternation for one set of acceptable terminals."""

    __slots__ = ("blank_led", "keywords", "match", "name_ok", "types")

    def __init__(self, accepts: Collection[str], by_name: dict[str, TerminalDef],
                 ignore: Collection[str]) -> None:
        word = re.compile(by_name[_WORD_TERMINAL].pattern.to_regexp())
        self.keywords: dict[str, str] = {}
        self.name_ok = _WORD_TERMINAL in accepts
        chosen: list[TerminalDef] = []
        for name in accepts:
            term = by_name.get(name)
            if term is None or name in ignore:
                continue
            if isinstance(term.pattern, PatternStr) and word.fullmatch(term.pattern.value):
                self.keywords[term.pattern.value] = name
            elif name != _WORD_TERMINAL:
                chosen.append(term)
        if self.keywords or self.name_ok:
            chosen.append(by_name[_WORD_TERMINAL])
        chosen.sort(key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value),
                                   t.name))
        self.types = [t.name for t in chosen]
        # terminals that take the blanks before them (a line end does, as in lark)
        self.blank_led = {t.name for t in chosen
                          if re.match(t.pattern.to_regexp(), " \n") is not None}
        groups = "|".join(f"({t.pattern.to_regexp()})" for t in chosen)
        compiled = re.compile(f"[ \\t]*+(?:{groups})")  # possessive: no backtracking
        assert compiled.groups == len(chosen), "terminal patterns must not capture"
        self.match = compiled.match if chosen else None


class _Scanners(dict[int, _StateScanner]):
    """The scanner of each parser state, each compiled when its state is first met: a
    small file meets a few of the grammar's states, and compiling the alternations of
    all of them cost every start-up of ``bprkit check`` several milliseconds."""

    def __init__(self, states: dict[int, Collection[str]], always_accept: Collection[str],
                 by_name: dict[str, TerminalDef], ignore: Collection[str]) -> None:
        super().__init__()
        self._keys = {state: frozenset(accepts) | frozenset(always_accept)
                      for state, accepts in states.items()}
        self._shared: dict[frozenset[str], _StateScanner] = {}
        self._by_name, self._ignore = by_name, ignore

    def __missing__(self, state: int) -> _StateScanner:
        key = self._keys[state]  # KeyError for a state the parser does not have
        scanner = self._shared.get(key)
        if scanner is None:
            scanner = self._shared[key] = _StateScanner(key, self._by_name, self._ignore)
        self[state] = scanner
        return scanner


class FastContextualLexer(ContextualLexer):
    """Drop-in for lark's ContextualLexer (``Lark(_plugins={"ContextualLexer": …})``)."""

    def __init__(self, conf: Any, states: dict[int, Collection[str]],
                 always_accept: Collection[str] = ()) -> None:
        super().__init__(conf, states, always_accept)
        by_name = {t.name: t for t in conf.terminals}
        self.scanners: dict[int, _StateScanner] = _Scanners(states, always_accept, by_name,
                                                            conf.ignore)

    def lex(self, lexer_state: LexerState, parser_state: Any) -> Iterator[Token]:
        text = lexer_state.text.text
        end = lexer_state.text.end
        counter = lexer_state.line_ctr
        while True:
            scanner = self.scanners[parser_state.position]
            m = scanner.match(text, counter.char_pos, end) if scanner.match else None
            if m is not None:
                index = m.lastindex or 0  # every alternative is a group: never 0
                kind = scanner.types[index - 1]
                value = m.group(index)
                if kind == _WORD_TERMINAL:
                    kind = scanner.keywords.get(value) or (kind if scanner.name_ok else "")
            if m is None or not kind:
                # lark's own lexer: the token, or the error lark would raise
                token = next(super().lex(lexer_state, parser_state), None)
                if token is None:
                    return
                yield token
                continue
            start = m.start() if kind in scanner.blank_led else m.start(index)
            if start != m.start(index):
                value = text[start:m.end()]
            line, line_start = counter.line, counter.line_start_pos
            token = Token(kind, value, start, line, start - line_start + 1)
            if "\n" in value:  # a line end (in _NL, or after "{")
                line += value.count("\n")
                line_start = start + value.rindex("\n") + 1
            stop = m.end()
            token.end_line, token.end_column, token.end_pos = line, stop - line_start + 1, stop
            counter.char_pos, counter.line = stop, line
            counter.line_start_pos, counter.column = line_start, stop - line_start + 1
            lexer_state.last_token = token
            yield token


def comments(text: str, line_end: Token, comment: re.Pattern[str]) -> Iterator[Token]:
    """The COMMENT tokens inside a line-end token of ``text`` (the text it was lexed
    from), with their places; ``comment`` is the grammar's COMMENT, compiled. In a line
    end a # can only start a comment, so each match is one."""
    start, stop, line = line_end.start_pos, line_end.end_pos, line_end.line
    if start is None or stop is None or line is None:
        raise ValueError(f"a token without its place: {line_end!r}")
    for m in comment.finditer(text, start, stop):
        line += text.count("\n", start, m.start())
        start = m.start()
        column = start - text.rfind("\n", 0, start)
        yield Token("COMMENT", m.group(), start, line, column, line, column + len(m.group()),
                    m.end())
