"""An estimate as ``bprkit estimate`` and ``bprkit compare`` give it: the JSON document
(with what the band measured and, with a roadmap, the procedure's part of the shared
investments). Its text and CSV layouts are ``console.print_estimate`` and
``console.print_estimate_csv``, which read the same document.

Moved out of the CLI unchanged (issue 22).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bprkit.report import console

if TYPE_CHECKING:
    from bprkit.estimate.montecarlo import Estimate
    from bprkit.planning.roadmap import Shares



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
