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
from typing import Any, cast

from lark.lexer import ContextualLexer, LexerState, PatternStr, TerminalDef

from bprkit.text import scan
from bprkit.text.scan import Token

LINE_ENDS = frozenset({"_NL", "_LBRACE"})
"""The terminals made of line ends, the only tokens that hold comments."""


def terminal(term: TerminalDef) -> scan.Terminal:
    """A terminal of lark's analysed grammar, as :mod:`bprkit.text.scan` matches it."""
    return scan.Terminal(term.name, term.pattern.to_regexp(), term.priority,
                         term.pattern.max_width, term.pattern.value,
                         isinstance(term.pattern, PatternStr))


class FastContextualLexer(ContextualLexer):
    """Drop-in for lark's ContextualLexer (``Lark(_plugins={"ContextualLexer": …})``).
    Its tokens are :class:`bprkit.text.scan.Token`, also those lark's lexer makes."""

    def __init__(self, conf: Any, states: dict[int, Collection[str]],
                 always_accept: Collection[str] = ()) -> None:
        super().__init__(conf, states, always_accept)
        by_name = {t.name: terminal(t) for t in conf.terminals}
        self.scanners: dict[int, scan.StateScanner] = scan.Scanners.of_terminals(
            states, always_accept, by_name, conf.ignore)

    def lex(self, lexer_state: LexerState, parser_state: Any) -> Iterator[Any]:
        """bprkit's Tokens, which lark's parser reads as its own (the same attributes)."""
        text = lexer_state.text.text
        end = lexer_state.text.end
        counter = lexer_state.line_ctr
        while True:
            found = scan.match(self.scanners[parser_state.position], text, counter.char_pos,
                               end, counter.line, counter.line_start_pos)
            if found is None:
                # lark's own lexer: the token, or the error lark would raise
                token = next(super().lex(lexer_state, parser_state), None)
                if token is None:
                    return
                yield scan.Token.of(token)
                continue
            ours, line, line_start = found
            counter.char_pos, counter.line = ours.end_pos, line
            counter.line_start_pos, counter.column = line_start, ours.end_column
            lexer_state.last_token = cast(Any, ours)
            yield ours


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
