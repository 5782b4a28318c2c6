"""Files → models: read, parse, transform, resolve imports, validate.

Imports are resolved relative to the importing file. Each file is read and
parsed once per :class:`Loader`, however many files import it. A missing file
or a cycle is reported at the import line with the chain of files.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bprkit import collector, vocabulary
from bprkit.errors import Diagnostic
from bprkit.model import Bundle, Process, SourceFile, Use
from bprkit.text import parser, source, validate
from bprkit.text.source import SourceText


@dataclass
class _Loaded:
    text: SourceText | None
    file: SourceFile | None
    diagnostics: list[Diagnostic]


@dataclass(frozen=True)
class FileReport:
    """What ``check`` found in one file given on the command line."""

    path: str
    bundle: Bundle | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> int:
        return sum(d.is_error for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(not d.is_error for d in self.diagnostics)

    @property
    def ok(self) -> bool:
        return self.errors == 0


@dataclass(frozen=True)
class CheckReport:
    files: tuple[FileReport, ...]
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    """Every diagnostic once, sorted by file and position (an imported file's
    diagnostics appear once even when several checked files import it)."""

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


def _key(path: str) -> str:
    return os.path.normcase(os.path.realpath(path))


def parse_fragment(declarations: Iterable[str], body: str) -> Process | None:
    """A process made of ``declarations`` (``document …``, ``data …`` lines) and one
    step whose block is ``body`` (``reads a; note 「…」``), as the parser reads them;
    None when they do not parse. For statements kept outside a ``.bpr`` file (a BPMN
    export's ``bprkit:`` attributes)."""
    lines = "".join(f"  {line.strip()}\n" for line in declarations if line.strip())
    text = f"process p {{\n  lane l : back_office\n{lines}  step s @l {{ {body} }}\n}}\n"
    decoded, _ = source.decode("<fragment>", text.encode("utf-8"))
    model = build_model(decoded)[0] if decoded is not None else None
    return model.processes[0] if model is not None and model.processes else None


def build_model(text: SourceText) -> tuple[SourceFile | None, list[Diagnostic]]:
    """Parse and transform one decoded file. The model is None when the file has
    syntax errors (the diagnostics then also hold what the rest of it says)."""
    with collector.paused():
        model, syntax, found = parser.parse(text)
    if syntax:  # the model of a text with lines blanked out: report, do not validate
        return None, syntax + found
    return model, found


_BUILT: OrderedDict[tuple[str, str, int], tuple[SourceFile | None, list[Diagnostic]]] = \
    OrderedDict()
_BUILT_LOCK = threading.Lock()
"""``bprkit serve`` checks from a pool of threads: the cache is read and trimmed under it."""
BUILT_KEPT = 32
"""Files whose model a process keeps between checks (the most recently used, each at most
``BUILT_SIZE`` characters): a portfolio worker checks hundreds of files that import the
same few (``common/kessai.bpr``), and the model of a text is the same however often it
is read."""
BUILT_SIZE = 65_536


def _built(text: SourceText) -> tuple[SourceFile | None, list[Diagnostic]]:
    """:func:`build_model` of a file, from the process's cache when the file's path (as
    written: the model's places name it so) and its text are those of a file already
    built with the same vocabulary (the model is immutable; the file is read every time,
    so an edited file is built again, and a tag registered or removed since makes it be
    built again too)."""
    entry = (text.path, text.text, vocabulary.generation())
    with _BUILT_LOCK:
        kept = _BUILT.get(entry)
        if kept is not None:
            _BUILT.move_to_end(entry)  # the least recently used goes first
            return kept[0], list(kept[1])
    model, found = build_model(text)
    if len(text.text) <= BUILT_SIZE:
        with _BUILT_LOCK:
            _BUILT[entry] = (model, list(found))
            while len(_BUILT) > BUILT_KEPT:
                _BUILT.popitem(last=False)
    return model, found


class Loader:
    """Reads and parses each file once; resolves imports."""

    def __init__(self) -> None:
        self._files: dict[str, _Loaded] = {}

    def parsed(self, path: str) -> _Loaded:
        key = _key(path)
        if key not in self._files:
            self._files[key] = self._parse(path)
        return self._files[key]

    @staticmethod
    def _parse(path: str) -> _Loaded:
        text, diags = source.read(path)
        if text is None:
            return _Loaded(None, None, diags)
        model, found = _built(text)
        return _Loaded(text, model, diags + found)


    def bundle(self, path: str) -> tuple[Bundle | None, list[Diagnostic]]:
        """The file and everything it imports, with the diagnostics of reading
        and of resolving imports (each file's own diagnostics included)."""
        diagnostics: list[Diagnostic] = []
        files: list[SourceFile] = []
        done: set[str] = set()
        # depth-first, iterative: (path, chain of paths that led here)
        todo: list[tuple[str, tuple[str, ...]]] = [(path, ())]
        while todo:
            current, chain = todo.pop()
            key = _key(current)
            if key in done:
                continue
            done.add(key)
            loaded = self.parsed(current)
            diagnostics.extend(loaded.diagnostics)
            if loaded.file is None:
                continue
            files.append(loaded.file)
            here = (*chain, current)
            folder = os.path.dirname(current)
            for imp in reversed(loaded.file.imports):
                target = os.path.normpath(os.path.join(folder, imp.path))
                line = loaded.text.line(imp.span.line) if loaded.text and imp.span else None
                if _key(target) in {_key(p) for p in here}:
                    cycle = " → ".join((*here, target))
                    diagnostics.append(Diagnostic.make("E041", imp.span, line, chain=cycle))
                elif not os.path.isfile(target):
                    diagnostics.append(Diagnostic.make(
                        "E040", imp.span, line, path=imp.path, folder=folder or ".",
                        chain=" → ".join((*here, target))))
                else:
                    todo.append((target, here))
        root = self.parsed(path).file
        return (Bundle(root, tuple(files)) if root else None), diagnostics

    def source_text(self, path: str) -> SourceText | None:
        return self.parsed(path).text


def _known(bundle: Bundle, loader: Loader) -> tuple[dict[str, Process], list[Diagnostic]]:
    """Processes by id; a second definition is E020 at the second one."""
    known: dict[str, Process] = {}
    found: list[Diagnostic] = []
    for file in bundle.files:
        text = loader.source_text(file.path)
        for p in file.processes:
            if p.id in known:
                first = known[p.id].span
                where = f"{first.file}:{first.line}" if first else "?"
                found.append(text.diagnostic("E020", p.span, name=p.id, first=where)
                             if text else Diagnostic.make("E020", p.span, name=p.id, first=where))
            else:
                known[p.id] = p
    return known, found


def check_files(paths: Sequence[str]) -> CheckReport:
    """Check files together: each with its imports, all diagnostics once."""
    with collector.paused():  # the models are long-lived and hold no cycles
        return _check_files(paths)


def _check_files(paths: Sequence[str]) -> CheckReport:
    loader = Loader()
    bundles = {p: loader.bundle(p) for p in paths}
    together: dict[str, Process] = {}
    used: set[str] = set()
    for bundle, _ in bundles.values():
        if bundle:
            for proc in bundle.processes:
                together.setdefault(proc.id, proc)
                used.update(i.process for i in validate.walk(proc.flow)
                            if isinstance(i, Use))
    roots = {_key(p) for p in paths}
    validated: dict[str, list[Diagnostic]] = {}
    reports = []
    seen: set[Diagnostic] = set()
    everything: list[Diagnostic] = []
    for path, (bundle, diags) in bundles.items():
        found = list(diags)
        if bundle is not None:
            known, duplicates = _known(bundle, loader)
            found += duplicates
            for file in bundle.files:
                key = _key(file.path)
                if key not in validated:
                    text = loader.source_text(file.path)
                    assert text is not None
                    # a file that is only imported is a library: its processes need no volume
                    library = set() if key in roots else {p.id for p in file.processes}
                    validated[key] = validate.validate(file, text, known=known,
                                                       checked_together=together,
                                                       used=used | library)
                found += validated[key]
        unique = sorted(set(found), key=Diagnostic.sort_key)
        reports.append(FileReport(path, bundle, tuple(unique)))
        for d in unique:
            if d not in seen:
                seen.add(d)
                everything.append(d)
    everything.sort(key=Diagnostic.sort_key)
    return CheckReport(tuple(reports), tuple(everything))


def find_files(paths: Iterable[str]) -> list[str]:
    """Expand folders into their ``*.bpr`` files (recursively, sorted)."""
    out: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for folder, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                out.extend(os.path.join(folder, n) for n in sorted(names) if n.endswith(".bpr")
                           and os.path.isfile(os.path.join(folder, n)))  # no FIFOs
        else:
            out.append(path)
    return out
