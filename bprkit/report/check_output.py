"""What ``bprkit check`` prints: the diagnostics and a summary per file, as text or JSON.

Apart from the other layouts (bprkit/report/console.py) so that ``check`` loads no
portfolio or table code at start-up.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from bprkit.messages import catalog as messages

if TYPE_CHECKING:
    from bprkit.text.loader import CheckReport, FileReport


def summary(report: FileReport) -> dict[str, object]:
    processes = report.bundle.root.processes if report.bundle else ()
    return {
        "file": report.path,
        "ok": report.ok,
        "processes": len(processes),
        "lanes": sum(len(p.lanes) for p in processes),
        "steps": sum(1 for p in processes for _ in p.steps()),
        "errors": report.errors,
        "warnings": report.warnings,
    }


def print_text(report: CheckReport, lang: str) -> None:
    for d in report.diagnostics:
        print(d.render(lang))
        print()
    for file in report.files:
        s = summary(file)
        key = "summary_ok" if file.ok else "summary_failed"
        print(messages.text(lang, key, **s))
    if len(report.files) > 1:
        errors = sum(d.is_error for d in report.diagnostics)
        print(messages.text(lang, "total", files=len(report.files), errors=errors,
                            warnings=len(report.diagnostics) - errors))


def print_json(report: CheckReport, lang: str) -> None:
    doc = {
        "files": [summary(f) for f in report.files],
        "diagnostics": [d.to_dict(lang) for d in report.diagnostics],
    }
    print(json.dumps(doc, ensure_ascii=False, indent=2))
