"""lark tree → model: one method per grammar rule, with the rule's name.

Words the grammar reads as plain names (roles, tags, units, periods, kinds)
are turned into their canonical form here; an unknown word becomes a
diagnostic with a did-you-mean, and a neutral stand-in keeps the model whole.
The transformer is non-recursive, so deeply nested input cannot exhaust the stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lark import Token, Transformer_NonRecursive, Tree, v_args
from lark.exceptions import VisitError

from bprkit import vocabulary as vocab
from bprkit.errors import Diagnostic
from bprkit.model import (
    END,
    Branch,
    Case,
    Data,
    Document,
    Duration,
    Import,
    Lane,
    Parallel,
    Path,
    Process,
    Retention,
    SourceFile,
    Span,
    Step,
    Use,
    Volume,
)
from bprkit.source import SourceText


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


class _Wait(Duration):
    __slots__ = ()


_PROCESS_STATEMENTS = ("owner", "volume", "state", "based_on", "note", "lane", "document",
                       "data", "step", "branch", "parallel", "use")
_BODY_STATEMENTS = ("reads", "writes", "uses", "produces", "stores", "system", "note", "pain",
                    "basis")
_PATH_STATEMENTS = ("step", "branch", "parallel", "use")


def _unescape(token: str) -> str:
    if token.startswith("「"):
        return token[1:-1]
    body = token[1:-1]
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


class ModelBuilder(Transformer_NonRecursive):
    def __init__(self, source: SourceText) -> None:
        super().__init__(visit_tokens=False)
        self.source = source
        self.diagnostics: list[Diagnostic] = []

    # ── helpers ──
    def _span(self, meta: Any) -> Span:
        return Span(self.source.path, meta.line, meta.column, meta.end_line, meta.end_column)

    def _tok(self, tok: Token) -> Span:
        return Span(self.source.path, tok.line, tok.column, tok.end_line or tok.line,
                    tok.end_column or tok.column + len(tok))

    def _report(self, code: str, span: Span | None, **args: object) -> None:
        self.diagnostics.append(self.source.diagnostic(code, span, **args))

    def _word(self, table: Mapping[str, str], tok: Token, code: str, fallback: str) -> str:
        found = vocab.lookup(table, str(tok))
        if found is None:
            self._report(code, self._tok(tok), word=tok,
                         suggestion=vocab.suggest(str(tok), vocab.spellings(table)))
            return fallback
        return found

    def _unknown(self, item: _Unknown, allowed: tuple[str, ...]) -> None:
        self._report("E019", item.span, word=item.word, expected=", ".join(allowed),
                     suggestion=vocab.suggest(item.word, allowed))

    # ── values ──
    def label(self, children: list[Token]) -> str:
        return _unescape(str(children[0]))

    def number(self, children: list[Token]) -> _Num:
        tok = children[0]
        return _Num(float(tok.replace(",", "")), str(tok), self._tok(tok))

    def name_list(self, children: list[Token]) -> list[tuple[str, Span]]:
        return [(str(t), self._tok(t)) for t in children]

    @v_args(meta=True)
    def duration(self, meta: Any, children: list[Any]) -> Duration:
        *nums, unit_tok = children
        span = self._span(meta)
        unit = self._word(vocab.UNITS, unit_tok, "E010", "min")
        values = [n.value for n in nums]
        low, high = values[0], values[-1]
        mode = values[1] if len(values) == 3 else None
        text = "..".join(n.text for n in nums) + str(unit_tok)
        if low > high:
            self._report("E011", span, text=text, reason="low > high")
            low, high = high, low
        if mode is not None and not low <= mode <= high:
            self._report("E011", span, text=text, reason="mode outside low..high")
            mode = None
        return Duration(low, high, unit, mode, span=span)  # type: ignore[arg-type]

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
        return SourceFile(self.source.path, tuple(imports), tuple(processes))

    @v_args(meta=True)
    def import_stmt(self, meta: Any, children: list[Token]) -> Import:
        return Import(_unescape(str(children[0])), span=self._span(meta))

    @v_args(meta=True)
    def unknown(self, meta: Any, children: list[Token]) -> _Unknown:
        return _Unknown(str(children[0]), self._tok(children[0]))

    # ── process ──
    @v_args(meta=True)
    def process(self, meta: Any, children: list[Any]) -> Process:
        name, rest = children[0], children[1:]
        label = rest.pop(0) if rest and isinstance(rest[0], str) else None
        header: dict[str, _Stmt] = {}
        notes: list[str] = []
        lanes: list[Lane] = []
        documents: list[Document] = []
        data: list[Data] = []
        flow: list[Any] = []
        for item in rest:
            if isinstance(item, _Stmt):
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
        )

    @v_args(meta=True)
    def owner(self, meta: Any, children: list[str]) -> _Stmt:
        return _Stmt("owner", children[0], self._span(meta))

    @v_args(meta=True)
    def note(self, meta: Any, children: list[str]) -> _Stmt:
        return _Stmt("note", children[0], self._span(meta))

    @v_args(meta=True)
    def pain(self, meta: Any, children: list[str]) -> _Stmt:
        return _Stmt("pain", children[0], self._span(meta))

    @v_args(meta=True)
    def basis(self, meta: Any, children: list[str]) -> _Stmt:
        return _Stmt("basis", children[0], self._span(meta))

    @v_args(meta=True)
    def volume(self, meta: Any, children: list[Any]) -> _Stmt:
        count, period_tok = children[0], children[-1]
        span = self._span(meta)
        period = self._word(vocab.PERIODS, period_tok, "E015", "year")
        if count.value <= 0:
            self._report("E038", count.span, count=count.text)
        return _Stmt("volume", Volume(count.value, period, span=span), span)  # type: ignore[arg-type]

    @v_args(meta=True)
    def state(self, meta: Any, children: list[Token]) -> _Stmt:
        return _Stmt("state", self._word(vocab.STATES, children[0], "E016", "as_is"),
                     self._span(meta))

    @v_args(meta=True)
    def based_on(self, meta: Any, children: list[Token]) -> _Stmt:
        return _Stmt("based_on", str(children[0]), self._span(meta))

    @v_args(meta=True)
    def lane(self, meta: Any, children: list[Any]) -> Lane:
        name, role_tok = children[0], children[-1]
        label = children[1] if len(children) == 3 else None
        role = self._word(vocab.ROLES, role_tok, "E013", "external")
        return Lane(str(name), role, label, span=self._tok(name),  # type: ignore[arg-type]
                    role_span=self._tok(role_tok))

    @v_args(meta=True)
    def document(self, meta: Any, children: list[Any]) -> Document:
        name, kind_tok = children[0], children[-1]
        label = children[1] if len(children) == 3 else None
        kind = self._word(vocab.DOCUMENT_KINDS, kind_tok, "E014", "paper")
        return Document(str(name), kind, label, span=self._tok(name))  # type: ignore[arg-type]

    @v_args(meta=True)
    def data(self, meta: Any, children: list[Any]) -> list[Data]:
        names = children[0]
        held = len(children) == 2 and self._word(vocab.HELD, children[1], "E017", "") == "held"
        return [Data(n, held, span=s) for n, s in names]

    # ── steps ──
    @v_args(meta=True)
    def step(self, meta: Any, children: list[Any]) -> Step:
        name, rest = children[0], children[1:]
        label = rest.pop(0) if rest and not isinstance(rest[0], Token) else None
        lane_tok = rest.pop(0)
        positions: dict[str, Span] = {"lane": self._tok(lane_tok)}
        fields: dict[str, Any] = {}
        lists: dict[str, list[str]] = {k: [] for k in
                                       ("reads", "writes", "uses", "produces", "notes", "pains",
                                        "basis")}
        stores: list[Retention] = []
        for item in rest:
            if isinstance(item, _Wait):
                fields["wait"] = Duration(item.low, item.high, item.unit, item.mode,
                                          span=item.span)
            elif isinstance(item, Duration):
                fields["duration"] = item
            elif isinstance(item, tuple) and item[0] == "tags":
                for i, (_tag, span) in enumerate(item[1]):
                    positions[f"tag:{i}"] = span
                fields["tags"] = tuple(tag for tag, _ in item[1])
            elif isinstance(item, tuple) and item[0] == "target":
                fields["target"], positions["target"] = item[1], item[2]
            elif isinstance(item, tuple) and item[0] == "body":
                for stmt in item[1]:
                    if isinstance(stmt, _Unknown):
                        self._unknown(stmt, _BODY_STATEMENTS)
                    elif isinstance(stmt, Retention):
                        stores.append(stmt)
                    elif stmt.keyword == "system":
                        fields["system"], positions["system"] = stmt.value
                    elif stmt.keyword in ("note", "pain", "basis"):
                        key = {"note": "notes", "pain": "pains", "basis": "basis"}[stmt.keyword]
                        lists[key].append(stmt.value)
                    else:
                        for n, span in stmt.value:
                            positions[f"{stmt.keyword}:{len(lists[stmt.keyword])}"] = span
                            lists[stmt.keyword].append(n)
        return Step(
            id=str(name), lane=str(lane_tok), label=label, stores=tuple(stores),
            **{k: tuple(v) for k, v in lists.items()}, **fields,
            span=self._tok(name), positions=positions,
        )

    def tags(self, children: list[Token]) -> tuple[str, list[tuple[str, Span]]]:
        out = []
        for tok in children:
            tag = self._word(vocab.TAGS, tok, "E012", "")
            if tag:
                out.append((tag, self._tok(tok)))
        return ("tags", out)

    @v_args(meta=True)
    def wait(self, meta: Any, children: list[Duration]) -> _Wait:
        d = children[0]
        return _Wait(d.low, d.high, d.unit, d.mode, span=d.span)

    @v_args(meta=True)
    def target(self, meta: Any, children: list[Token]) -> tuple[str, str, Span]:
        tok = children[-1]
        return ("target", END if tok.type == "END" else str(tok), self._tok(tok))

    def step_body(self, children: list[Any]) -> tuple[str, list[Any]]:
        return ("body", children)

    def _names(self, keyword: str, meta: Any, children: list[Any]) -> _Stmt:
        return _Stmt(keyword, children[0], self._span(meta))

    @v_args(meta=True)
    def reads(self, meta: Any, children: list[Any]) -> _Stmt:
        return self._names("reads", meta, children)

    @v_args(meta=True)
    def writes(self, meta: Any, children: list[Any]) -> _Stmt:
        return self._names("writes", meta, children)

    @v_args(meta=True)
    def uses(self, meta: Any, children: list[Any]) -> _Stmt:
        return self._names("uses", meta, children)

    @v_args(meta=True)
    def produces(self, meta: Any, children: list[Any]) -> _Stmt:
        return self._names("produces", meta, children)

    @v_args(meta=True)
    def stores(self, meta: Any, children: list[Any]) -> Retention:
        names, years, unit = children
        self._word(vocab.YEARS, unit, "E018", "years")
        if years.value <= 0:
            self._report("E039", years.span, years=years.text)
        return Retention(tuple(n for n, _ in names), years.value, span=self._span(meta))

    @v_args(meta=True)
    def system(self, meta: Any, children: list[Token]) -> _Stmt:
        return _Stmt("system", (str(children[0]), self._tok(children[0])), self._span(meta))

    # ── flow ──
    @v_args(meta=True)
    def branch(self, meta: Any, children: list[Any]) -> Branch:
        label = children.pop(0) if children and isinstance(children[0], str) else None
        return Branch(tuple(children), label, span=self._span(meta))

    @v_args(meta=True)
    def case(self, meta: Any, children: list[Any]) -> Case:
        tok = children[-1]
        target = END if tok.type == "END" else str(tok)
        percent = children[0].value if isinstance(children[0], _Num) else None
        return Case(target, percent, span=self._span(meta), target_span=self._tok(tok))

    @v_args(meta=True)
    def parallel(self, meta: Any, children: list[Path]) -> Parallel:
        return Parallel(tuple(children), span=self._span(meta))

    @v_args(meta=True)
    def path(self, meta: Any, children: list[Any]) -> Path:
        label = children.pop(0) if children and isinstance(children[0], str) else None
        items = []
        for item in children:
            if isinstance(item, _Unknown):
                self._unknown(item, _PATH_STATEMENTS)
            else:
                items.append(item)
        return Path(tuple(items), label, span=self._span(meta))

    @v_args(meta=True)
    def use(self, meta: Any, children: list[Any]) -> Use:
        times = children[-1] if len(children) == 3 else None
        if times is not None and times.value <= 0:
            self._report("E037", times.span, times=times.text)
        return Use(str(children[0]), times.value if times else 1, span=self._span(meta))


def build(tree: Tree, source: SourceText) -> tuple[SourceFile, list[Diagnostic]]:
    builder = ModelBuilder(source)
    try:
        result = builder.transform(tree)
    except VisitError as exc:  # a bug in a rule method: never let it out as a lark error
        raise exc.orig_exc from None
    return result, builder.diagnostics
