"""An estimate as ``bprkit estimate`` and ``bprkit compare`` give it: the JSON document
(with what the band measured and, with a roadmap, the procedure's part of the shared
investments) and the CSV of its steps. The text layout is ``console.print_estimate``,
which reads the same document.

Moved out of the CLI unchanged (issue 22).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from bprkit.messages import catalog as messages
from bprkit.output import SafeCsv
from bprkit.report import console

if TYPE_CHECKING:
    from bprkit.estimate.montecarlo import Estimate
    from bprkit.planning.roadmap import Shares

CSV_COLUMNS = ("id", "label", "kind", "levers", "status", "executions", "asis_minutes",
               "tobe_minutes", "asis_wait", "tobe_wait", "staff_hours_saved",
               "resident_hours_saved", "external_hours_saved")
"""The step columns of the CSV, in order (``id`` is headed "step")."""


def document(result: Estimate, shares: Shares | None = None,
             roadmap: str | None = None) -> dict[str, object]:
    """The estimate as a JSON document: ``result.to_dict()``, what the default band
    measured, and the procedure's part of the shared investments of ``roadmap``."""
    from bprkit.estimate.backtest import cases as backtest

    doc = result.to_dict()
    doc["band_measured"] = backtest.measured().to_dict()
    if shares is not None:
        doc["shared_investments"] = [{
            "lever": x.lever, "share": round(x.share, 4), "staff_hours_saved": round(
                x.hours_saved, 2), "one_off_yen": round(x.one_off_yen), "annual_yen": round(
                x.annual_yen), "procedures": x.whole.procedures,
            "payback_years": None if x.whole.payback_years is None else round(
                x.whole.payback_years, 2), "source": x.whole.investment.source,
            "peers": [{"file": console.rel(f), "process": p, "share": round(v, 4)}
                      for f, p, v in x.peers]}
            for x in shares.shares]
        doc["shared_over"] = {
            "roadmap": roadmap,
            "files": [console.rel(f) for f in shares.files],
            "added": shares.added,
            "failed": [console.rel(f) for f in shares.failed],
            "procedures": [{"file": console.rel(f), "process": p}
                           for f, p in shares.procedures]}
    return doc


def write_csv(doc: dict[str, object], lang: str, out: TextIO) -> None:
    """The document's steps as CSV (a byte-order mark first, for Excel), headed and
    worded in ``lang``; every cell through the spreadsheet guard."""
    writer = SafeCsv(out, lineterminator="\n")
    out.write("\ufeff")
    writer.writerow(console.headers(["step" if c == "id" else c for c in CSV_COLUMNS], lang))
    words = {"levers": lambda v: console.lever_words(v, lang, "+" if lang == "en" else "＋"),
             "kind": lambda v: console.kind_word(v, lang),
             "status": lambda v: v if lang == "en" or not v
             else messages.text(lang, f"status_{v}")}
    steps = doc["steps"]
    assert isinstance(steps, list)  # Estimate.to_dict's rows
    for row in steps:
        writer.writerow([words[c](row[c]) if c in words else
                         "" if row[c] is None else row[c] for c in CSV_COLUMNS])
