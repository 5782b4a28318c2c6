"""Reading `.bpr` bytes into text the grammar can lex.

Japanese editors save files with a byte-order mark, CRLF line ends, full-width
digits and punctuation, ideographic spaces, and sometimes in Shift_JIS. This
module accepts all of that, keeping every character at its line and column,
so diagnostics point at the place the analyst sees in the editor.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from functools import cached_property

from bprkit.errors import Diagnostic
from bprkit.model import Span

MAX_BYTES = 2 * 1024 * 1024
"""A procedure is a few hundred lines; 2 MiB is some 30,000 steps."""

# Outside labels and comments: full-width ASCII (U+FF01–FF5E) → ASCII, the
# ideographic space → space, 、 → comma, 〜 (wave dash) → tilde. One character
# for one, so positions do not move.
_WIDE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDE.update({0x3000: ord(" "), ord("、"): ord(","), ord("〜"): ord("~")})
_ANY_WIDE = re.compile("[\uff01-\uff5e\u3000、〜]")
_PLAIN = re.compile(r'"(?:[^"\\\n]|\\.)*"?|「[^」\n]*」?|#[^\n]*|[^"「#]+')


@dataclass(frozen=True)
class SourceText:
    """A decoded file: ``text`` as written (for source lines in messages) and
    ``normalized`` for the lexer, character for character the same positions."""

    path: str
    text: str
    normalized: str

    @cached_property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def line(self, number: int) -> str:
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""

    def diagnostic(self, code: str, span: Span | None, **args: object) -> Diagnostic:
        """A diagnostic that shows its source line."""
        line = self.line(span.line) if span else None
        return Diagnostic.make(code, span, line, **args)


def normalize(text: str) -> str:
    """Full-width forms to ASCII outside labels and comments (see the module doc)."""
    if text.isascii() or not _ANY_WIDE.search(text):
        return text
    out = []
    for m in _PLAIN.finditer(text):
        chunk = m.group()
        out.append(chunk if chunk[0] in '"「#' else chunk.translate(_WIDE))
    return "".join(out)


def text_of(data: bytes) -> tuple[str | None, str]:
    """Bytes as text: UTF-8 (with or without BOM), else Shift_JIS (``"cp932"`` said);
    None and why for UTF-16, binary data, or bytes neither reads (the byte where UTF-8
    failed). The one reading of a file's encoding: ``.bpr`` files and event logs."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, "UTF-16"
    if b"\x00" in data:
        return None, "binary data"
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError as exc:
        try:
            text = data.decode("cp932")
        except UnicodeDecodeError:
            return None, f"not UTF-8 at byte {exc.start}"
    if _looks_binary(text):
        return None, "binary data"
    return text, "cp932"


def decode(path: str, data: bytes, size: int | None = None
           ) -> tuple[SourceText | None, list[Diagnostic]]:
    """Bytes → SourceText, with the diagnostics of size and encoding. ``size`` is
    the file's size when ``data`` holds only its first ``MAX_BYTES + 1`` bytes."""
    here = Span(path, 1, 1, 1, 1)
    if len(data) > MAX_BYTES:
        mib = 1024 * 1024
        return None, [Diagnostic.make("E007", here, size=f"{(size or len(data)) / mib:.1f}",
                                      limit=f"{MAX_BYTES / mib:.0f}")]
    text, problem = text_of(data)
    if text is None:
        at = int(problem.rsplit(" ", 1)[-1]) if problem.startswith("not UTF-8") else 0
        line = data[:at].count(b"\n") + 1
        return None, [Diagnostic.make("E004", Span(path, line, 1, line, 1), reason=problem)]
    notes: list[Diagnostic] = []
    if problem == "cp932":
        notes.append(Diagnostic.make("W004", here))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _looks_binary(text):
        return None, [Diagnostic.make("E004", here, reason="control characters")]
    bad = _NOT_XML.search(text)
    if bad is not None:  # past the first 4 KB, or a form feed: refused where it stands
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        return None, [Diagnostic.make("E003", Span(path, line, column, line, column + 1),
                                      char=f"U+{ord(bad.group()):04X}")]
    return SourceText(path, text, normalize(text)), notes


# Characters no SVG, XML or terminal output can carry (XML 1.0 allows tab, line
# feed and carriage return below U+0020, and nothing of U+FFFE, U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls > 0


def read_bytes(path: str) -> tuple[bytes | None, int, list[Diagnostic]]:
    """A file's first ``MAX_BYTES + 1`` bytes and its size; an unreadable file is a
    diagnostic (E005), not an exception."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO or device would block
            return None, 0, [Diagnostic.make("E005", Span(path, 1, 1, 1, 1),
                                             reason="not a regular file")]
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return None, 0, [Diagnostic.make("E005", Span(path, 1, 1, 1, 1), reason=reason)]
    return data, size, []


def read(path: str) -> tuple[SourceText | None, list[Diagnostic]]:
    """Read and decode a file; an unreadable file is a diagnostic, not an exception.
    ``bprkit fmt`` reads through here too (bprkit.text.fmt.format_file)."""
    data, size, problems = read_bytes(path)
    if data is None:
        return None, problems
    return decode(path, data, size)
