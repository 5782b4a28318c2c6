"""What the CLI prints: check, analysis, estimate and portfolio results as text and CSV.

Moved out of the CLI unchanged (issue 22); each layout is to read the rows its result
builds once (bprkit/report/rows.py).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bprkit.columns import columns
from bprkit.messages import catalog as messages
from bprkit.model import WHOSE
from bprkit.output import SafeCsv

if TYPE_CHECKING:
    from bprkit.assumptions.catalog import Assumptions
    from bprkit.text.loader import CheckReport, FileReport


def print_portfolio_as(fmt: str, result: object, years: list | None,
                        investments: list | None, lang: str) -> None:
    if fmt == "json":
        doc = result.to_dict(lang)  # type: ignore[attr-defined]
        if years is not None:
            doc["roadmap"] = [{"year": y.year, "saved": y.saved, "cumulative": y.cumulative,
                               "procedures": [{"file": r.file, "process": r.process,
                                               "levers": list(levers), "hours": h}
                                              for r, levers, h in y.procedures]}
                              for y in years]
            doc["investments"] = [{
                "lever": i.lever, "one_off_yen": i.investment.one_off_yen,
                "annual_yen": i.investment.annual_yen, "source": i.investment.source,
                "procedures": i.procedures, "staff_hours_saved": i.hours_saved,
                "yen_saved": i.yen_saved, "payback_years": i.payback_years,
                "shares": [{"file": f, "process": p, "share": v}
                           for (f, p), v in i.shares.items()]} for i in investments or ()]
        print(json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False))
    elif fmt == "csv":
        print_portfolio_csv(result, lang)
    else:
        print_portfolio(result, lang)
        if years is not None:
            print_roadmap(years, lang)
        if investments:
            print_investments(investments, lang)


def print_investments(investments: list, lang: str) -> None:
    t = messages.text
    print()
    print(t(lang, "investments_head"))
    for i in investments:
        payback = (t(lang, "portfolio_payback_years", years=fmt(i.payback_years, 1))
                   if i.payback_years is not None else t(lang, "payback_never"))
        print("  " + t(lang, "investments_row", lever=lever_title(i.lever, lang),
                       count=i.procedures, hours=fmt(i.hours_saved, 0),
                       yen=fmt(i.yen_saved, 0), one_off=fmt(i.investment.one_off_yen, 0),
                       annual=fmt(i.investment.annual_yen, 0), payback=payback))


def print_roadmap(years: list, lang: str) -> None:
    t = messages.text
    print()
    print(t(lang, "roadmap_head"))
    for y in years:
        print("  " + t(lang, "roadmap_year", year=y.year, count=len(y.procedures),
                       saved=fmt(y.saved, 0), cumulative=fmt(y.cumulative, 0)))
        for row, levers, hours in y.procedures:
            names = ", ".join(lever_title(k, lang) for k in levers)
            print(f"      {row.process} 「{row.title}」: {names} ({fmt(hours, 0)} h)")


def print_portfolio(result: object, lang: str) -> None:
    t = messages.text
    totals = result.totals()  # type: ignore[attr-defined]
    print(t(lang, "portfolio_head", procedures=totals["procedures"], ranked=totals["ranked"],
            failed=len(result.failures)))  # type: ignore[attr-defined]
    print(t(lang, "portfolio_totals", hours=fmt(totals["staff_hours"], 0),
            yen=fmt(totals["yen"], 0), p10=fmt(totals["saved_p10"], 0),
            p50=fmt(totals["saved_p50"], 0), p90=fmt(totals["saved_p90"], 0),
            resident=fmt(totals["resident_hours_saved"], 0),
            visits=fmt(totals["visits_saved"], 0)))
    print("  " + band_measured(lang))
    print()
    print(t(lang, "portfolio_ranking"))
    for n, r in enumerate(result.rows, 1):  # type: ignore[attr-defined]
        if not r.ranked:
            print(f"  {'-':>3}  {r.process} 「{r.title}」  {t(lang, 'portfolio_no_volume')}")
            continue
        levers = ", ".join(lever_title(k, lang) for k, _ in r.levers[:3]) or "-"
        payback = (t(lang, "portfolio_payback_years", years=fmt(r.payback_years, 1))
                   if r.payback_years is not None else t(lang, f"payback_{r.payback}"))
        print(f"  {n:>3}. {r.process} 「{r.title}」 {r.owner or ''}")
        if r.peak_staff is not None:
            print("       " + t(lang, "portfolio_peak", staff=fmt(r.peak_staff, 1),
                                days=f"{r.season_days or 0:g}",
                                share=share(r.season_share)))
        print("       " + t(lang, "portfolio_row", hours=fmt(r.staff_hours, 0),
                            p10=fmt(r.saved_p10, 0), p50=fmt(r.saved_p50, 0),
                            p90=fmt(r.saved_p90, 0),
                            resident=fmt(r.resident_hours_saved, 0),
                            visits=fmt(r.visits_saved, 0), payback=payback, levers=levers))
    print()
    print(t(lang, "portfolio_by_owner"))
    for g in result.by_owner():  # type: ignore[attr-defined]
        print("  " + t(lang, "portfolio_owner", owner=g["owner"] or "-", count=g["procedures"],
                       hours=fmt(g["staff_hours"], 0), saved=fmt(g["saved_p50"], 0)))
    print()
    print(t(lang, "portfolio_by_lever"))
    for g in result.by_lever():  # type: ignore[attr-defined]
        print("  " + t(lang, "portfolio_lever", lever=lever_title(str(g["lever"]), lang),
                       count=g["procedures"], saved=fmt(g["staff_hours_saved"], 0)))
    for pid, files in result.duplicates:  # type: ignore[attr-defined]
        print(t(lang, "portfolio_duplicate", process=pid, files=", ".join(files)),
              file=sys.stderr)


def band_measured(lang: str, assumptions: str = "default") -> str:
    """What the P10–P90 band measured in the backtest (never a promise); with a user's
    assumptions file, that only the default band was measured."""
    from bprkit.estimate.backtest import cases as backtest

    line = backtest.measured().text(lang)
    if assumptions != "default":
        line += messages.text(lang, "band_measured_other", source=assumptions)
    return line


def lever_title(key: str, lang: str) -> str:
    from bprkit.assumptions import catalog as assumptions

    return assumptions.default().lever_title(key, lang)


def print_portfolio_csv(result: object, lang: str) -> None:

    writer = SafeCsv(sys.stdout)
    writer.writerow(headers(["rank", "file", "process", "title", "owner", "cases_per_year",
                              "staff_hours", "yen", "saved_p10", "saved_p50", "saved_p90",
                              "resident_hours_saved", "visits_saved", "paper_removed",
                              "seal_removed", "in_person_removed", "payback",
                              "payback_years", "levers", "peak_staff", "season_days",
                              "season_share"], lang))
    sep = " " if lang == "en" else "、"
    for n, r in enumerate(result.rows, 1):  # type: ignore[attr-defined]
        writer.writerow([n if r.ranked else "", r.file, r.process, r.title, r.owner or "",
                         *(csv_num(v) for v in (r.cases_per_year, r.staff_hours, r.yen,
                                                 r.saved_p10, r.saved_p50, r.saved_p90,
                                                 r.resident_hours_saved, r.visits_saved,
                                                 r.touches_removed["paper"],
                                                 r.touches_removed["seal"],
                                                 r.touches_removed["in_person"])),
                         messages.column(lang, f"value_{r.payback}"),
                         csv_num(r.payback_years),
                         sep.join(f"{lever_words([k], lang, sep)}:{v:.0f}"
                                  for k, v in r.levers),
                         csv_num(r.peak_staff),
                         "" if r.season_days is None else f"{r.season_days:g}",
                         "" if r.season_share is None else f"{r.season_share:g}"])


def csv_num(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def rel(path: str) -> str:
    """A path as the user reads it: relative to the current folder when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive
        return path
    return path if rel.startswith("..") else rel


def print_shares(shares: object, asis: str, lang: str) -> None:
    """Each share, with the procedures it is shared with and the files they come
    from (the same file gets another payback in another folder: say which)."""
    t = messages.text
    where = ", ".join(rel(f) for f in shares.where)  # type: ignore[attr-defined]
    print("  " + t(lang, "estimate_shares_head"))
    print("    " + t(lang, "estimate_shares_over", count=len(shares.procedures),  # type: ignore[attr-defined]
                     files=len(shares.files), where=where))  # type: ignore[attr-defined]
    if shares.added:  # type: ignore[attr-defined]
        print("    " + t(lang, "estimate_shares_added", file=asis))
    if shares.failed:  # type: ignore[attr-defined]
        print("    " + t(lang, "estimate_shares_failed", files=", ".join(shares.failed)))  # type: ignore[attr-defined]
    if not shares.shares:  # type: ignore[attr-defined]
        print("    " + t(lang, "estimate_shares_none"))
    joiner = messages.separator(lang)
    for x in shares.shares:  # type: ignore[attr-defined]
        payback = (t(lang, "portfolio_payback_years", years=fmt(x.whole.payback_years, 1))
                   if x.whole.payback_years is not None else t(lang, "payback_never"))
        print("    " + t(lang, "estimate_share", lever=lever_title(x.lever, lang),
                         share=f"{x.share * 100:.1f}%", hours=fmt(x.hours_saved, 0),
                         one_off=fmt(x.one_off_yen, 0), annual=fmt(x.annual_yen, 0),
                         count=x.whole.procedures, payback=payback))
        peers = joiner.join(f"{p} ({rel(f)}) {v * 100:.1f}%" for f, p, v in x.peers)
        print("      " + (t(lang, "estimate_share_peers", peers=peers) if peers
                          else t(lang, "estimate_share_alone")))


def print_estimate(doc: dict, lang: str, a: Assumptions) -> None:
    t = messages.text
    tot = doc["totals"]
    hours = tot["annual_staff_hours"]
    source = doc["assumptions"]
    print(t(lang, "estimate_head", asis=doc["asis"],
            tobe=doc["tobe"] or t(lang, "estimate_in_memory"), seed=doc["seed"],
            samples=doc["samples"], assumptions=t(lang, "estimate_default_assumptions")
            if source == "default" else source))
    payback = tot["payback_years"]
    if hours["saved"] is None:
        print("  " + t(lang, "analysis_no_volume"))
    else:
        print("  " + t(lang, "estimate_hours", asis=fmt(hours["asis"], 0),
                       tobe=fmt(hours["tobe"], 0), saved=fmt(hours["saved"], 0),
                       p10=fmt(hours["saved_p10"], 0), p90=fmt(hours["saved_p90"], 0)))
        print("  " + band_measured(lang, doc["assumptions"]))
        print("  " + t(lang, "estimate_money", fte=fmt(tot["fte_saved"], 2),
                       yen=fmt(tot["yen_saved"], 0),
                       payback=t(lang, "payback_years", years=fmt(payback, 1))
                       if payback is not None else t(lang, f"payback_{tot['payback']}")))
        resident = tot["annual_resident_hours"]
        if resident["asis"]:  # an internal procedure has no resident line
            print("  " + t(lang, "estimate_resident_band", hours=fmt(resident["saved"], 0),
                           p10=fmt(resident["saved_p10"], 0),
                           p90=fmt(resident["saved_p90"], 0),
                           visits_asis=fmt(tot["visits"]["asis"], 2),
                           visits_tobe=fmt(tot["visits"]["tobe"], 2)))
        external = tot["annual_external_hours"]
        if external["asis"]:
            print("  " + t(lang, "estimate_external", asis=fmt(external["asis"], 0),
                           tobe=fmt(external["tobe"], 0)))
    lead = tot["lead_time_days"]
    print("  " + t(lang, "estimate_lead_band", asis=fmt(lead["asis"], 2),
                   tobe=fmt(lead["tobe"], 2), p10=fmt(lead["tobe_p10"], 2),
                   p90=fmt(lead["tobe_p90"], 2),
                   until=t(lang, f"lead_until_{lead['ends_at']}")))
    ca, cb = tot["counts"]["asis"], tot["counts"]["tobe"]
    print("  " + t(lang, "estimate_counts", paper=f"{ca['paper']:.1f} → {cb['paper']:.1f}",
                   seal=f"{ca['seal']:.1f} → {cb['seal']:.1f}",
                   in_person=f"{ca['in_person']:.1f} → {cb['in_person']:.1f}",
                   digital=f"{tot['digital_completion_rate']['asis'] * 100:.0f}% → "
                           f"{tot['digital_completion_rate']['tobe'] * 100:.0f}%"))
    if tot["assumption_share"] is not None:
        print("  " + t(lang, "estimate_assumption_share",
                       share=f"{tot['assumption_share'] * 100:.0f}%"))

    def title(name: str) -> str:
        return a.lever_title(name, lang)

    print("  " + t(lang, "estimate_steps_head"))
    joiner = "＋" if lang == "ja" else " + "
    rows = []
    for s in doc["steps"]:
        status = t(lang, f"status_{s['status']}") if s["status"] else "-"
        lever = joiner.join(title(n) for n in s["levers"]) or status
        hours = " | ".join("-" if s[k] is None else fmt(s[k], 0) for k in
                           ("staff_hours_saved", "resident_hours_saved",
                            "external_hours_saved"))
        rows.append((s["id"], lever,
                     f"{fmt(s['asis_minutes'])} → {fmt(s['tobe_minutes'])}", hours))
    widths = [max((columns(row[i]) for row in rows), default=0) for i in range(3)]
    for row in rows:
        print("    " + "".join(pad(cell, widths[i] + 2) for i, cell in enumerate(row[:3]))
              + row[3])
    refused = [(s["id"], r) for s in doc["steps"] for r in s["refused"]]
    if refused:
        print("  " + t(lang, "estimate_refused_head"))
        for step, r in refused:
            fact = messages.fact(lang, r["fact"])
            key = "estimate_refused" if r["reason"] == "needs" else "estimate_refused_not"
            print(t(lang, key, step=step, lever=title(r["lever"]), needs=fact, fact=fact))
    if doc["sensitivity"]:
        print("  " + t(lang, "estimate_sensitivity"))
        shown = [(row["parameter"] if lang == "en"
                  else a.parameter_name(row["parameter"], lang), row)
                 for row in doc["sensitivity"][:6]]
        width = max(columns(name) for name, _ in shown) + 2
        for name, row in shown:
            print(f"    {pad(name, width)}{fmt(row['low'], 0)} … {fmt(row['high'], 0)}")


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


def pad(text: str, width: int) -> str:
    """Left-align in a terminal: full-width (Japanese) characters take two columns."""
    return text + " " * max(width - columns(text), 1)


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def share(share: float | None) -> str:
    """A season's share of the cases as written: 60%, 33.3%."""
    return "-" if share is None else f"{share * 100:g}%"


def print_analysis(results: list, lang: str, limit: int | None = None) -> None:
    """The text report; ``limit``: how many findings entries to print (None: all)."""
    from bprkit.analysis.graph import outcome_order

    t = messages.text
    for a in results:
        m = a.metrics
        where = a.process.span.file if a.process.span else ""
        print(f"{a.process.id} 「{a.process.title}」  {where}")
        kinds = ", ".join(f"{t(lang, 'kind_' + k)} {fmt(v)}"
                          for k, v in m.staff_minutes_by_kind.items() if v)
        # the lead time runs to the resident's outcome, or to the end of the flow
        # when no resident appears (as estimate's ends_at)
        lead_key = "analysis_lead" if outcome_order(a.graph) is not None \
            else "analysis_lead_end"
        lines = [
            t(lang, "analysis_staff", minutes=fmt(m.staff_minutes_per_case), kinds=kinds or "-"),
            t(lang, "analysis_resident", minutes=fmt(m.resident_minutes_per_case)),
            # external bodies' time: on its own line, never added to staff or resident time
            *([t(lang, "analysis_external", minutes=fmt(m.external_minutes_per_case),
                 hours=t(lang, "analysis_external_hours",
                         hours=fmt(m.annual_external_hours, 0))
                 if m.annual_external_hours is not None else "")]
              if m.external_minutes_per_case > 0 else []),
            t(lang, lead_key, hours=fmt(m.lead_time_hours),
              days=fmt(m.lead_time_days, 2), waiting=fmt(m.waiting_share * 100, 0),
              after=fmt(m.back_office_after_hours)),
            t(lang, "analysis_annual", cases=fmt(m.cases_per_year, 0),
              hours=fmt(m.annual_staff_hours, 0), fte=fmt(m.fte, 2),
              yen=fmt(m.annual_cost_yen, 0), resident_hours=fmt(m.annual_resident_hours, 0))
            if m.cases_per_year is not None else t(lang, "analysis_no_volume"),
            *([t(lang, "analysis_peak", cases=fmt(m.peak_cases_per_day, 0),
                 staff=fmt(m.peak_staff, 1), fte=fmt(m.fte, 2),
                 days=f"{a.process.volume.season_days:g}",
                 share=share(a.process.volume.season_share))]
              if m.peak_staff is not None and a.process.volume is not None else []),
            t(lang, "analysis_flow", handoffs=fmt(m.handoffs), depth=m.approval_depth,
              digital=fmt(m.digital_completion_rate * 100, 0)),
            t(lang, "analysis_counts", paper=fmt(m.counts.paper), seal=fmt(m.counts.seal),
              in_person=fmt(m.counts.in_person)),
            t(lang, "analysis_burden", items=fmt(m.resident.items_handwritten),
              waiting=fmt(m.resident.waiting_minutes, 0), counters=m.resident.counters,
              visits=fmt(m.resident.visits, 2)),
        ]
        for line in lines:
            print(f"  {line}")
        if a.phases:
            print(f"  {t(lang, 'analysis_phases')}")
            for ph in a.phases:
                hours = (t(lang, "analysis_phase_hours", hours=fmt(ph.annual_staff_hours, 0))
                         if ph.annual_staff_hours is not None else "")
                print("    " + t(lang, "analysis_phase", title=ph.title, steps=ph.steps,
                                 staff=fmt(ph.staff_minutes_per_case),
                                 wait=fmt(ph.wait_minutes / 60),
                                 lead=fmt(ph.lead_minutes / 60), hours=hours))
        entries = a.findings_by_step()
        if not entries:
            print(f"  {t(lang, 'analysis_no_findings')}")
        else:
            print(f"  {t(lang, 'analysis_findings', count=len(entries))}")
        shown = entries if limit is None else entries[:limit]
        width = len(str(len(shown)))
        for rank, entry in enumerate(shown, 1):
            head, *rest = entry.lines(lang)
            print(f"    {rank:>{width}}. {head}")
            for line in rest:
                print(f"    {'':>{width}}  {line}")
        if len(shown) < len(entries):
            more = {"count": len(entries) - len(shown)}
            print(f"    {messages.finding(lang, 'list', more, part='more')}")
        print()


def print_analysis_csv(results: list, lang: str) -> None:

    writer = SafeCsv(sys.stdout, lineterminator="\n")
    sys.stdout.write("\ufeff")  # so Excel opens the UTF-8 file with Japanese intact
    # a step's yearly hours in the column of whose they are: a column never adds staff,
    # resident and external hours
    writer.writerow(headers(["process", "step", "label", "lane", "kind", "executions",
                              "minutes", "wait_minutes", "staff_hours", "resident_hours",
                              "external_hours", "findings", "file", "line", "finding_rank",
                              "levers"], lang))
    sep = " " if lang == "en" else "、"
    for a in results:
        # a step's row carries its entry of the findings list (process-wide findings,
        # which belong to no row, are in the text and JSON output)
        ranked = {e.step: (rank, e) for rank, e in enumerate(a.findings_by_step(), 1)
                  if e.scope == "step"}
        for s in a.steps:
            rank, entry = ranked.get(s.id, (None, None))
            whose = WHOSE.get(s.kind or "")
            writer.writerow([a.id, s.id, s.label, s.lane, kind_word(s.kind, lang),
                             f"{s.executions:.4f}", f"{s.minutes:.2f}", f"{s.wait:.2f}",
                             *("" if s.annual_hours is None or whose != column
                               else f"{s.annual_hours:.1f}"
                               for column in ("staff", "resident", "external")),
                             sep.join(rule_word(f.rule, lang) for f in entry.findings)
                             if entry else "",
                             s.file or "", s.line or "", rank or "",
                             lever_words(entry.levers, lang, sep) if entry else ""])


def headers(keys: Sequence[str], lang: str) -> list[str]:
    """CSV headers from the catalogs' ``[csv]`` table: the keys under en, Japanese
    under ja (one home for the header texts)."""
    return [messages.column(lang, k) for k in keys]


def kind_word(kind: str | None, lang: str) -> str:
    """A step's kind in a CSV cell: the key under en (back_office), the role's
    name under ja (内部事務)."""
    if not kind:
        return ""
    return kind if lang == "en" else messages.text(lang, f"role_{kind}")


def rule_word(rule: str, lang: str) -> str:
    """A finding rule in a CSV cell: its key under en, its title under ja."""
    return rule if lang == "en" else messages.finding(lang, rule, {}, part="title")


def lever_words(keys: Sequence[str], lang: str, sep: str) -> str:
    """Levers in a CSV cell: catalog keys under en, their titles under ja."""
    return sep.join(k if lang == "en" else lever_title(k, lang) for k in keys)

