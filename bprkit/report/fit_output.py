"""``bprkit fit``'s report: the figures old → new with the cases behind each, then the
log's conformance. Rows built once (:func:`rows`), laid out here for the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bprkit import units
from bprkit.columns import columns, pad, rpad
from bprkit.messages import catalog as messages

if TYPE_CHECKING:
    from bprkit.interop.logfit import Fit


def rows(fit: Fit, lang: str) -> list[tuple[str, ...]]:
    """(what, where, old, →, new, cases, kept) of each figure."""
    return [(messages.text(lang, f"fit_what_{f.what}"), f.where, f.old, "→", f.new,
             f"{f.cases:,}", messages.text(lang, "fit_kept", min=fit.min_cases)
             if f.kept else "") for f in fit.figures]


def print_text(fit: Fit, lang: str) -> None:
    print(messages.text(lang, "fit_summary", log=fit.log, cases=fit.cases,
                        events=fit.events, first=fit.first, last=fit.last))
    body = rows(fit, lang)
    head = ("", "", "", "", "", messages.text(lang, "fit_cases"), "")
    widths = [max(columns(r[k]) for r in [head, *body]) for k in range(7)]
    for row in [head, *body]:
        print("  ".join(rpad(c, w) if k in (2, 5) else pad(c, w)
                        for k, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip())
    for q in fit.queues:
        print(messages.text(lang, "fit_queue" if q.agrees else "fit_queue_differs",
                            step=q.step, measured=f"{q.measured:.3g}", model=f"{q.model:.3g}",
                            cases=q.cases, counters=units.figure(q.counters),
                            rate=f"{q.per_hour:.3g}"))
    c = fit.conformance
    print(messages.text(lang, "fit_conformance", fitting=c.fitting, cases=c.cases,
                        share=f"{c.share:.1%}"))
    for v in c.variants[:5]:
        trace = " → ".join(v.activities) or "-"
        if v.where is not None and v.where < len(v.activities):
            print(messages.text(lang, "fit_variant", cases=v.cases, trace=trace,
                                at=v.activities[v.where]))
        else:
            print(messages.text(lang, "fit_variant_end", cases=v.cases, trace=trace))
    if c.never_seen:
        print(messages.text(lang, "fit_never", steps=messages.join(lang, c.never_seen)))
    if c.not_in_procedure:
        print(messages.text(lang, "fit_unmapped",
                            activities=messages.join(lang, c.not_in_procedure)))
