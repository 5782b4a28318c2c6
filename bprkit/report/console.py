"""What the CLI prints: analysis, estimate and portfolio results as text and CSV (check's
own printers are bprkit/report/check_output.py, light enough for its start-up).

Each layout reads the rows its result builds once (bprkit/report/rows.py): the writers
here only lay them out.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO, cast

from bprkit import units
from bprkit.columns import columns
from bprkit.messages import catalog as messages
from bprkit.output import SafeCsv
from bprkit.planning import inventory
from bprkit.report import rows

if TYPE_CHECKING:
    from bprkit.analysis.records import Analysis, QueueFigures
    from bprkit.assumptions.catalog import Assumptions
    from bprkit.planning.inventory import Portfolio
    from bprkit.planning.roadmap import Shares


def print_portfolio_as(fmt: str, result: Portfolio, years: list | None,
                       investments: list | None, lang: str) -> None:
    """The portfolio as JSON, CSV or text: its tables built once (bprkit/report/rows.py)."""
    tables = rows.portfolio(result, years, investments)
    if fmt == "json":
        doc = result.to_dict(lang)
        if tables.years is not None and tables.plan is not None:
            doc["roadmap"] = roadmap_json(tables.years, tables.plan)
            doc["investments"] = table_json(tables.investments) if tables.investments else []
        print(json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False))
    elif fmt == "csv":
        print_portfolio_csv(tables, lang)
    else:
        print_portfolio(tables, lang)
        if tables.years is not None and tables.plan is not None:
            print_roadmap(tables.years, tables.plan, lang)
        if tables.investments and tables.investments.rows:
            print_investments(tables.investments, lang)


def json_cell(column: rows.Column, value: Any) -> Any:
    """A JSON value: tuples as lists, a shared investment's shares as objects."""
    if column.kind == "shares":
        return [{"file": f, "process": p, "share": v} for f, p, v in value]
    return list(value) if isinstance(value, tuple) else value


def table_json(table: rows.Table, columns: Sequence[rows.Column] | None = None) -> list[dict]:
    """A table's rows as JSON objects, keyed by the columns' machine keys."""
    shown = table.columns if columns is None else columns
    return [{c.key: json_cell(c, r[c.key]) for c in shown} for r in table.rows]


def roadmap_json(years: rows.Table, plan: rows.Table) -> list[dict]:
    """The roadmap as JSON: each year with the procedures it takes up."""
    steps = plan.layout(omit=("year", "title", "cumulative"))
    return [{**{c.key: y[c.key] for c in years.layout(omit=("procedures",))},
             "procedures": [{c.key: json_cell(c, p[c.key]) for c in steps}
                            for p in plan.where("year", y["year"])]}
            for y in years.rows]


def print_investments(table: rows.Table, lang: str) -> None:
    t = messages.text
    print()
    print(t(lang, "investments_head"))
    for i in table.rows:
        payback = (t(lang, "portfolio_payback_years", years=table.show(i, "payback_years"))
                   if i["payback_years"] is not None else t(lang, "payback_never"))
        print("  " + t(lang, "investments_row", lever=lever_title(i["lever"], lang),
                       count=i["procedures"], hours=table.show(i, "staff_hours_saved"),
                       yen=table.show(i, "yen_saved"), one_off=table.show(i, "one_off_yen"),
                       annual=table.show(i, "annual_yen"), payback=payback))


def print_roadmap(years: rows.Table, plan: rows.Table, lang: str) -> None:
    t = messages.text
    print()
    print(t(lang, "roadmap_head"))
    for y in years.rows:
        print("  " + t(lang, "roadmap_year", year=y["year"], count=y["procedures"],
                       saved=years.show(y, "saved"), cumulative=years.show(y, "cumulative")))
        for p in plan.where("year", y["year"]):
            names = messages.join(lang, (lever_title(k, lang) for k in p["levers"]))
            print(f"      {p['process']} 「{p['title']}」: {names} "
                  f"({plan.show(p, 'hours')} h)")


def print_portfolio(tables: rows.PortfolioTables, lang: str) -> None:
    t = messages.text
    totals = tables.totals
    print(t(lang, "portfolio_head", procedures=totals["procedures"], ranked=totals["ranked"],
            failed=len(tables.result.failures)))
    print(t(lang, "portfolio_totals", hours=fmt(totals["staff_hours"], 0),
            yen=fmt(totals["yen"], 0), p10=fmt(totals["saved_p10"], 0),
            p50=fmt(totals["saved_p50"], 0), p90=fmt(totals["saved_p90"], 0),
            resident=fmt(totals["resident_hours_saved"], 0),
            visits=fmt(totals["visits_saved"], 0)))
    print("  " + band_measured(lang))
    print()
    print(t(lang, "portfolio_ranking"))
    for r in tables.ranking.rows:
        print_ranking_row(tables.ranking, r, lang)
    print()
    print(t(lang, "portfolio_by_owner"))
    owners = tables.owners
    for g in owners.rows:
        print("  " + t(lang, "portfolio_owner", owner=g["owner"] or "-", count=g["procedures"],
                       hours=owners.show(g, "staff_hours"), saved=owners.show(g, "saved_p50")))
    print()
    print(t(lang, "portfolio_by_lever"))
    for g in tables.levers.rows:
        print("  " + t(lang, "portfolio_lever", lever=lever_title(str(g["lever"]), lang),
                       count=g["procedures"],
                       saved=tables.levers.show(g, "staff_hours_saved")))
    for pid, files in tables.result.duplicates:
        print(t(lang, "portfolio_duplicate", process=pid, files=messages.join(lang, files)),
              file=sys.stderr)


def print_ranking_row(table: rows.Table, r: Mapping[str, Any], lang: str) -> None:
    """One procedure of the ranking: its place, figures, payback and first levers."""
    t = messages.text
    if r["rank"] is None:
        print(f"  {'-':>3}  {r['process']} 「{r['title']}」  {t(lang, 'portfolio_no_volume')}")
        return
    levers = ", ".join(lever_title(k, lang) for k, _ in r["levers"][:3]) or "-"
    payback = (t(lang, "portfolio_payback_years", years=table.show(r, "payback_years"))
               if r["payback_years"] is not None else t(lang, f"payback_{r['payback']}"))
    print(f"  {r['rank']:>3}. {r['process']} 「{r['title']}」 {r['owner'] or ''}")
    if r["peak_staff"] is not None:
        print("       " + t(lang, "portfolio_peak", staff=table.show(r, "peak_staff"),
                            days=f"{r['season_days'] or 0:g}", share=share(r["season_share"])))
    print("       " + t(lang, "portfolio_row", hours=table.show(r, "staff_hours"),
                        p10=table.show(r, "saved_p10"), p50=table.show(r, "saved_p50"),
                        p90=table.show(r, "saved_p90"),
                        resident=table.show(r, "resident_hours_saved"),
                        visits=table.show(r, "visits_saved"), payback=payback, levers=levers))


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


def print_portfolio_csv(tables: rows.PortfolioTables, lang: str) -> None:
    ranking = tables.ranking
    print_csv(ranking, ranking.layout(**inventory.LAYOUTS["csv"]), lang, excel=False)


def print_estimate_csv(doc: Mapping[str, Any], lang: str, out: TextIO | None = None) -> None:
    """An estimate's steps as CSV (``doc``: ``Estimate.to_dict()``), on ``out`` (default:
    standard output)."""
    steps = rows.estimate_steps(doc)
    print_csv(steps, steps.layout(**rows.ESTIMATE_CSV), lang, out=out)


def print_csv(table: rows.Table, columns: Sequence[rows.Column], lang: str, *,
              excel: bool = True, out: TextIO | None = None) -> None:
    """A table as CSV on ``out`` (default: standard output), headers from the catalog,
    every cell formula-safe (SafeCsv). ``excel``: a byte-order mark, so Excel opens the
    UTF-8 file with Japanese intact, and ``\\n`` line ends (the ranking keeps csv's
    ``\\r\\n``)."""
    stream = sys.stdout if out is None else out
    writer = SafeCsv(stream, lineterminator="\n") if excel else SafeCsv(stream)
    if excel:
        stream.write("\ufeff")
    writer.writerow([c.header(lang) for c in columns])
    for row in table.rows:
        writer.writerow([csv_value(c, row[c.key], lang) for c in columns])


def _sep(lang: str) -> str:
    """The separator of a list inside one CSV cell (the catalog's ``cell_separator``)."""
    return messages.column(lang, "cell_separator")


_CSV_WORDS: dict[str, Callable[[Any, str], object]] = {
    "ratio": lambda v, lang: f"{v:g}",
    "payback": lambda v, lang: messages.column(lang, f"value_{v}"),
    "lever_hours": lambda v, lang: _sep(lang).join(
        f"{lever_words([k], lang, _sep(lang))}:{h:.0f}" for k, h in v),
    "levers": lambda v, lang: lever_words(v, lang, _sep(lang)),
    "chain": lambda v, lang: lever_words(v, lang, messages.column(lang, "cell_chain")),
    "kind": lambda v, lang: kind_word(v, lang),
    "status": lambda v, lang: v if lang == "en" or not v
    else messages.text(lang, f"status_{v}"),
    "rules": lambda v, lang: _sep(lang).join(rule_word(r, lang) for r in v),
}
"""How a CSV cell writes a column's value, by its kind (the rest: as it is)."""


def csv_value(column: rows.Column, value: Any, lang: str) -> object:
    """A value in a CSV cell: empty for none, a figure to the column's precision, a
    word in the language (keys under en)."""
    if value is None:
        return ""
    if column.kind == "number" and column.precision is not None:
        return f"{value:.{column.precision}f}"
    word = _CSV_WORDS.get(column.kind)
    return word(value, lang) if word is not None else value


def rel(path: str) -> str:
    """A path as the user reads it: relative to the current folder when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive
        return path
    return path if rel.startswith("..") else rel


def print_shares(found: object, asis: str, lang: str) -> None:
    """Each share, with the procedures it is shared with and the files they come
    from (the same file gets another payback in another folder: say which).
    ``found``: the :class:`~bprkit.planning.roadmap.Shares` of ``asis``."""
    t = messages.text
    shares = cast("Shares", found)
    where = ", ".join(rel(f) for f in shares.where)
    print("  " + t(lang, "estimate_shares_head"))
    print("    " + t(lang, "estimate_shares_over", count=len(shares.procedures),
                     files=len(shares.files), where=where))
    if shares.added:
        print("    " + t(lang, "estimate_shares_added", file=asis))
    if shares.failed:
        print("    " + t(lang, "estimate_shares_failed", files=", ".join(shares.failed)))
    if not shares.shares:
        print("    " + t(lang, "estimate_shares_none"))
    joiner = messages.separator(lang)
    for x in shares.shares:
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
    source = doc["assumptions"]
    print(t(lang, "estimate_head", asis=doc["asis"],
            tobe=doc["tobe"] or t(lang, "estimate_in_memory"), seed=doc["seed"],
            samples=doc["samples"], assumptions=t(lang, "estimate_default_assumptions")
            if source == "default" else source))
    if tot["annual_staff_hours"]["saved"] is None:
        print("  " + t(lang, "analysis_no_volume"))
    else:
        _print_estimate_hours(tot, source, lang)
    _print_estimate_lead(tot, lang)
    steps = rows.estimate_steps(doc)
    print_estimate_steps(steps, lang, a)
    _print_refused(steps, lang, a)
    if doc["sensitivity"]:
        _print_sensitivity(doc["sensitivity"], lang, a)


def _print_estimate_hours(tot: Mapping[str, Any], source: str, lang: str) -> None:
    """Staff hours saved with their band, money and payback; the resident's and outside
    bodies' hours apart."""
    t = messages.text
    hours = tot["annual_staff_hours"]
    payback = tot["payback_years"]
    print("  " + t(lang, "estimate_hours", asis=fmt(hours["asis"], 0),
                   tobe=fmt(hours["tobe"], 0), saved=fmt(hours["saved"], 0),
                   p10=fmt(hours["saved_p10"], 0), p90=fmt(hours["saved_p90"], 0)))
    print("  " + band_measured(lang, source))
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


def _print_estimate_lead(tot: Mapping[str, Any], lang: str) -> None:
    """The lead time with its band, the touches and the digital share, the share of the
    saving that rests on assumptions."""
    t = messages.text
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


def print_estimate_steps(steps: rows.Table, lang: str, a: Assumptions) -> None:
    """Each step: its levers (or its compare status), minutes As-Is → To-Be, and the
    staff | resident | external hours a year it saves, side by side, never added."""
    t = messages.text
    print("  " + t(lang, "estimate_steps_head"))
    whose = [c.key for c in steps.columns if c.whose]
    lines = []
    for s in steps.rows:
        status = t(lang, f"status_{s['status']}") if s["status"] else "-"
        lever = messages.chain(lang, (a.lever_title(n, lang) for n in s["levers"])) or status
        hours = " | ".join(steps.show(s, k) for k in whose)
        lines.append((s["id"], lever, f"{steps.show(s, 'asis_minutes')} → "
                      f"{steps.show(s, 'tobe_minutes')}", hours))
    widths = [max((columns(line[i]) for line in lines), default=0) for i in range(3)]
    for line in lines:
        print("    " + "".join(pad(cell, widths[i] + 2) for i, cell in enumerate(line[:3]))
              + line[3])
    waits = [f"{s['id']} {steps.show(s, 'asis_wait')} → {steps.show(s, 'tobe_wait')}"
             for s in steps.rows
             if s["asis_wait"] is not None and s["tobe_wait"] is not None
             and abs(s["asis_wait"] - s["tobe_wait"]) >= 0.05]
    if waits:  # a queue's wait follows the visit (docs/queues.md), a written one its factor
        print("  " + t(lang, "estimate_waits", waits=messages.join(lang, waits)))


def _print_refused(steps: rows.Table, lang: str, a: Assumptions) -> None:
    """Where a lever was aimed at a step but the rules keep it off, and the fact why."""
    t = messages.text
    refused = [(s["id"], r) for s in steps.rows for r in s["refused"]]
    if refused:
        print("  " + t(lang, "estimate_refused_head"))
    for step, r in refused:
        fact = messages.fact(lang, r["fact"])
        key = "estimate_refused" if r["reason"] == "needs" else "estimate_refused_not"
        print(t(lang, key, step=step, lever=a.lever_title(r["lever"], lang), needs=fact,
                fact=fact))


def _print_sensitivity(sensitivity: Sequence[Mapping[str, Any]], lang: str,
                       a: Assumptions) -> None:
    """The parameters that move the saving most: the saving at their low and high."""
    print("  " + messages.text(lang, "estimate_sensitivity"))
    shown = [(row["parameter"] if lang == "en"
              else a.parameter_name(row["parameter"], lang), row)
             for row in sensitivity[:6]]
    width = max(columns(name) for name, _ in shown) + 2
    for name, row in shown:
        print(f"    {pad(name, width)}{fmt(row['low'], 0)} … {fmt(row['high'], 0)}")


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
    for a in results:
        where = a.process.span.file if a.process.span else ""
        print(f"{a.process.id} 「{a.process.title}」  {where}")
        for line in analysis_lines(a, lang):
            print(f"  {line}")
        _print_phases(a, lang)
        _print_findings(a, lang, limit)
        print()


def analysis_lines(a: Analysis, lang: str) -> list[str]:
    """A process's figures: staff, resident and external time apart, lead time, the
    year's hours, the season's peak, the flow, the touches and the resident's burden."""
    from bprkit.analysis.graph import outcome_order

    t = messages.text
    m = a.metrics
    kinds = ", ".join(f"{t(lang, 'kind_' + k)} {fmt(v)}"
                      for k, v in m.staff_minutes_by_kind.items() if v)
    # the lead time runs to the resident's outcome, or to the end of the flow
    # when no resident appears (as estimate's ends_at)
    lead_key = "analysis_lead" if outcome_order(a.graph) is not None \
        else "analysis_lead_end"
    return [
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
        *(queue_line(q, lang) for q in a.queues),
    ]


def queue_line(q: QueueFigures, lang: str) -> str:
    """A counter's queue: the mean wait, the counters and arrivals it follows from, and
    the busiest period's wait when the figures differ by day."""
    t = messages.text
    when = [*([q.busiest_day] if q.busiest_day else []), *(["peak"] if q.busiest_peak else [])]
    busiest = t(lang, "analysis_queue_busiest",
                when=messages.join(lang, (t(lang, f"queue_when_{w}") for w in when)),
                wait=fmt(q.busiest_wait), rate=fmt(q.busiest_per_hour),
                counters=units.figure(q.busiest_counters),
                utilisation=fmt(q.busiest_busy * 100, 0)) if when else ""
    own = t(lang, "analysis_queue_own", own=fmt(q.own_per_hour), rate=fmt(q.own_of)) \
        if q.own_per_hour is not None else ""
    return t(lang, "analysis_queue_inferred" if q.inferred else "analysis_queue",
             step=q.title, wait=fmt(q.wait), counters=units.figure(q.counters),
             rate=fmt(q.per_hour),
             visit=fmt(q.service_minutes), utilisation=fmt(q.busy * 100, 0),
             busiest=busiest) + own


def _print_phases(a: Analysis, lang: str) -> None:
    t = messages.text
    if not a.phases:
        return
    print(f"  {t(lang, 'analysis_phases')}")
    for ph in a.phases:
        hours = (t(lang, "analysis_phase_hours", hours=fmt(ph.annual_staff_hours, 0))
                 if ph.annual_staff_hours is not None else "")
        print("    " + t(lang, "analysis_phase", title=ph.title, steps=ph.steps,
                         staff=fmt(ph.staff_minutes_per_case),
                         wait=fmt(ph.wait_minutes / 60),
                         lead=fmt(ph.lead_minutes / 60), hours=hours))


def _print_findings(a: Analysis, lang: str, limit: int | None) -> None:
    """The findings list, one entry a step, the first ``limit`` of them."""
    t = messages.text
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


def print_analysis_csv(results: list, lang: str) -> None:
    # a step's yearly hours in the column of whose they are: a column never adds staff,
    # resident and external hours
    steps = rows.analysis_steps(results)
    print_csv(steps, steps.columns, lang)


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

