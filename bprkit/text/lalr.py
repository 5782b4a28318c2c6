"""The grammar's LALR tables run without lark: how ``bprkit check`` parses a good file.

Importing lark and loading its analysed grammar cost every start of ``bprkit check``
about 50 ms, more than the rest of the command. lark still analyses the grammar, once,
when the grammar changes: ``python -m bprkit.text.lalr`` writes what its LALR parser
runs on (the parse table, each rule's callback and the children it keeps, the
terminals) to :mod:`bprkit.text.lalr_tables`, and ``tests/test_lalr.py`` fails when
that file is not what lark gives today. This module runs those tables with the same
scanners as lark's plugin (:mod:`bprkit.text.scan`) and calls the same model builder,
step for step as lark's parser does.

It handles only what parses. At the first token it cannot lex or the table does not
take, it raises :class:`NotParsed` and the caller parses with lark, which gives the
exact error; a file with a mistake pays for lark, a good one does not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from bprkit.text import scan

Include = tuple[tuple[int, bool], ...] | None
"""The children a rule keeps, each (index, spliced): a spliced child is an inlined
rule's list of children. None: all, as they are."""


class NotParsed(Exception):
    """The text is not one this parser takes: lark must parse it."""


def fingerprint(grammar: str) -> str:
    """What the tables were made from: the grammar's text. (Not lark's version: the LALR
    automaton of a grammar is the same whichever lark computes it, and the states are
    numbered in an order of their own; ``tests/test_lalr.py`` compares the whole file.)"""
    import hashlib

    return hashlib.sha256(grammar.encode("utf-8")).hexdigest()[:16]


def _spec(row: tuple[Any, ...]) -> scan.Spec:
    """A scanner's spec as the tables write it (a tuple, its ``unworded`` one nested)."""
    pattern, types, keywords, name_ok, blank_led, unworded = row
    return scan.Spec(pattern, types, keywords, name_ok, blank_led,
                     None if unworded is None else _spec(unworded))


@cache
def _scanners() -> tuple[scan.Scanners, int, int, tuple[dict[str, int], ...]]:
    from bprkit.text import lalr_tables as t

    specs = t.SCANNERS
    return (scan.Scanners(dict(enumerate(t.STATE_SCANNERS)), lambda i: _spec(specs[i])),
            t.START, t.END, t.ACTIONS)


class Parser:
    """The tables bound to a model builder: one object whose methods, named after the
    grammar's rules, lark would call (``Lark(transformer=builder)``)."""

    def __init__(self, builder: object) -> None:
        from bprkit.text import lalr_tables as t

        self.rules: list[tuple[str, int, Callable[[list[Any]], Any] | None, Include]] = [
            (origin, size, getattr(builder, call) if call else None, include)
            for origin, size, call, include in t.RULES]

    def parse(self, text: str) -> Any:
        """What the builder makes of ``text``; NotParsed when it does not parse here."""
        scanners, start, end_state, actions = _scanners()
        rules = self.rules
        states: list[int] = [start]
        values: list[Any] = []
        pos, line, line_start, end = 0, 1, 0, len(text)
        last: scan.Token | None = None
        while True:
            if pos < end:
                found = scan.match(scanners[states[-1]], text, pos, end, line, line_start)
                if found is None:
                    raise NotParsed(pos)
                token, line, line_start = found
                pos, kind, last = token.end_pos, token.type, token
            else:
                kind, token = "$END", None
            while True:  # reduce until the token shifts (or the end is reached)
                action = actions[states[-1]].get(kind)
                if action is None:
                    raise NotParsed(last.start_pos if last is not None else 0)
                if action >= 0:
                    if token is None:
                        raise NotParsed(end)
                    states.append(action)
                    values.append(token)
                    break
                origin, size, call, include = rules[~action]
                children = values[-size:] if size else []
                if size:
                    del states[-size:]
                    del values[-size:]
                if include is not None:
                    children = _kept(children, include)
                states.append(actions[states[-1]][origin])
                values.append(call(children) if call is not None else children)
                if token is None and states[-1] == end_state:
                    return values[-1]


def _kept(children: list[Any], include: Sequence[tuple[int, bool]]) -> list[Any]:
    """lark's child filter (``ChildFilterLALR_NoPlaceholders``): the kept children, an
    inlined rule's spliced in (the first one's list reused, as lark does)."""
    out: list[Any] = []
    for index, spliced in include:
        if not spliced:
            out.append(children[index])
        elif out:
            out += children[index]
        else:
            out = children[index]
    return out


def generate() -> str:
    """The text of :mod:`bprkit.text.lalr_tables`, from lark's analysis of the grammar
    with the model builder as its transformer."""
    import lark
    from lark.parse_tree_builder import ChildFilterLALR_NoPlaceholders
    from lark.parsers.lalr_analysis import Shift

    from bprkit.text import lexer
    from bprkit.text.parser import grammar
    from bprkit.text.transformer import ModelBuilder

    builder = ModelBuilder()
    parser = lark.Lark(grammar(), parser="lalr", lexer="contextual",
                       maybe_placeholders=False, transformer=builder)
    inner = parser.parser.parser.parser
    table = inner.parse_table
    rules = list(inner.callbacks)
    index = {rule: i for i, rule in enumerate(rules)}
    rows = []
    for rule in rules:
        callback = inner.callbacks[rule]
        include: Include = None
        if isinstance(callback, ChildFilterLALR_NoPlaceholders):
            include = tuple((i, bool(spliced)) for i, spliced in callback.to_include)
            callback = callback.node_builder
        name = getattr(callback, "__name__", None)
        if getattr(callback, "__self__", None) is not builder or name is None:
            name = None  # lark builds a tree: an inlined rule, which its parent splices
            if not rule.origin.name.startswith("_"):
                raise ValueError(f"rule {rule.origin.name} has no method in ModelBuilder")
        rows.append((str(rule.origin.name), len(rule.expansion), name, include))
    (start,), (end,) = table.start_states.values(), table.end_states.values()
    # lark numbers its states in an order that varies from run to run (it follows sets
    # of objects): they are numbered again here, breadth first from the start, symbols
    # in order, so that the same grammar always gives the same file
    number = {start: 0}
    order = [start]
    for state in order:
        for _, (kind, target) in sorted(table.states[state].items()):
            if kind is Shift and target not in number:
                number[target] = len(order)
                order.append(target)
    if len(order) != len(table.states):
        raise ValueError("lark's parse table has states the start does not reach")
    actions = [{str(symbol): (number[target] if kind is Shift else ~index[target])
                for symbol, (kind, target) in sorted(table.states[state].items())}
               for state in order]
    start, end = number[start], number[end]
    # each state's scanner worked out here, as lark's plugin works it out, so that a
    # start compiles only the alternations of the states the file meets
    by_name = {t.name: lexer.terminal(t) for t in parser.terminals}
    ignore = tuple(parser.lexer_conf.ignore)
    specs: dict[scan.Spec, int] = {}
    state_scanners = [specs.setdefault(scan.spec(frozenset(row), by_name, ignore), len(specs))
                      for row in actions]
    out = [
        '"""The grammar\'s LALR tables, written by ``python -m bprkit.text.lalr`` from',
        "lark's analysis of grammar/bpr.lark: do not edit (tests/test_lalr.py checks it is",
        'today\'s)."""',
        "",
        "# ruff: noqa: E501",
        "",
        "from typing import Any",
        "",
        f"FINGERPRINT = {fingerprint(grammar())!r}",
        f"START = {start!r}",
        f"END = {end!r}",
        "# each scanner: (pattern, types, keywords, name_ok, blank_led, unworded), as",
        "# bprkit.text.scan.Spec; the scanner of each state",
        "SCANNERS: tuple[tuple[Any, ...], ...] = (",
        *(f"    {_plain(row)!r}," for row in specs),
        ")",
        f"STATE_SCANNERS: tuple[int, ...] = {tuple(state_scanners)!r}",
        "RULES: tuple[tuple[str, int, str | None, tuple[tuple[int, bool], ...] | None], ...] = (",
        *(f"    {row!r}," for row in rows),
        ")",
        "ACTIONS: tuple[dict[str, int], ...] = (",
        *(f"    {row!r}," for row in actions),
        ")",
        "",
    ]
    return "\n".join(out)


def _plain(spec: scan.Spec | None) -> tuple[Any, ...] | None:
    """A spec as a plain tuple (its repr then needs no import)."""
    return None if spec is None else (*spec[:5], _plain(spec.unworded))


def main() -> None:
    """Write :mod:`bprkit.text.lalr_tables` afresh."""
    import os

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lalr_tables.py")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(generate())
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
