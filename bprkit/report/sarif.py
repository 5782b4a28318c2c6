"""``bprkit check --format sarif``: diagnostics as SARIF 2.1.0, the format code
scanning in GitHub and CI dashboards read, and the SARIF Viewer extension of VS
Code shows in place. One run, one rule per code used (its text from the catalogs);
columns count Unicode code points, as bprkit's do."""

from __future__ import annotations

import os
import re

from bprkit._version import __version__
from bprkit.messages import catalog as messages
from bprkit.text.loader import CheckReport

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def document(report: CheckReport, lang: str, base: str | None = None) -> dict[str, object]:
    """The SARIF log of a check. Paths are relative to ``base`` (default: the
    current folder) when inside it, so a checkout elsewhere still matches."""
    base = os.path.abspath(base or os.getcwd())
    codes = sorted({d.code for d in report.diagnostics})
    rules = [{"id": code,
              "shortDescription": {"text": re.sub(r"\{\w+\}", "…", messages.diagnostic(
                  lang, code, "message", {}))},
              "help": {"text": f"docs/diagnostics.md ({code})"},
              "defaultConfiguration": {"level": "error" if code.startswith("E")
                                       else "warning"}} for code in codes]
    results = []
    for d in report.diagnostics:
        text = d.message(lang)
        hint = d.hint(lang)
        result: dict[str, object] = {
            "ruleId": d.code, "ruleIndex": codes.index(d.code),
            "level": "error" if d.is_error else "warning",
            "message": {"text": f"{text}\n{hint}" if hint else text}}
        if d.span is not None:
            s = d.span
            path = os.path.abspath(s.file)
            uri = os.path.relpath(path, base) if path.startswith(base + os.sep) else path
            region = {"startLine": s.line, "startColumn": s.column}
            if s.end_line >= s.line and (s.end_line > s.line or s.end_column > s.column):
                region.update(endLine=s.end_line, endColumn=s.end_column)
            result["locations"] = [{"physicalLocation": {
                "artifactLocation": {"uri": uri.replace(os.sep, "/")}, "region": region}}]
        results.append(result)
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "bprkit", "version": __version__, "rules": rules}},
        "columnKind": "unicodeCodePoints", "results": results}]}
