"""The report as one self-contained HTML page.

Jinja2 with autoescaping writes the page: every text from the input goes through
it. The only markup not written by the template is SVG: the charts (built with
ElementTree in :mod:`charts`) and the diagrams, which are parsed, stripped of
anything active (scripts, foreign objects, event attributes, outside links) and
serialised again before they are inlined. No script, no font or style from
outside: the page works with no network (LGWAN).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from bprkit import vocabulary
from bprkit._version import __version__
from bprkit.assumptions.catalog import Assumptions
from bprkit.messages import catalog as messages
from bprkit.report import charts, rows
from bprkit.report.build import Detail, Report

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
PAGE_SIZES = {"a4": "A4 landscape", "a3": "A3 landscape"}
DIAGRAM_MM = {"a4": 170, "a3": 250}
"""A printed diagram's height at most: its page less margins and caption."""
_ACTIVE = {"script", "foreignObject", "iframe", "object", "embed", "use", "image", "a",
           "animate", "set", "animateTransform", "animateMotion", "handler", "listener"}


def _num(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


COVERAGE_FLOOR = 0.75
"""Below this share of published figures inside the default band, the report warns
(bprkit/estimate/backtest/fit.py COVERAGE is the target)."""


def _whose(hours: dict | None, lang: str) -> str:
    """Staff hours at stake, the resident's and outside bodies' beside, never added."""
    if not hours:
        return "-"
    rest = [messages.text(lang, f"hours_{k}", hours=_num(hours[k]))
            for k in ("resident", "external") if hours[k] >= 0.5]
    beside = messages.text(lang, "hours_beside", hours=messages.separator(lang).join(
        rest)) if rest else ""
    return _num(hours["staff"]) + beside


def _yen(value: float | None, lang: str) -> str:
    """Yen as a department head reads them: 2億6,267万円 / 262.7 M yen."""
    if value is None:
        return "-"
    if lang != "ja":
        return f"{value / 1e6:,.1f} M yen"
    man = round(value / 1e4)
    oku, rest = divmod(man, 10_000)
    return (f"{oku:,}億" if oku else "") + (f"{rest:,}万円" if rest or not oku else "円")


def inline_svg(svg: str, prefix: str, title: str) -> str:
    """An SVG document as an element to put in the page: ids prefixed (several
    diagrams share one document), sized to the column, nothing active left."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", svg, count=1).encode("utf-8"))
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag.split("}")[-1] in _ACTIVE:
                parent.remove(child)
    for el in root.iter():
        for name in list(el.attrib):
            local = name.split("}")[-1]
            value = el.attrib[name]
            if local.lower().startswith("on") or local == "href" or "javascript:" in value:
                del el.attrib[name]
            elif local == "id":
                el.attrib[name] = f"{prefix}{value}"
            elif "url(#" in value:
                el.attrib[name] = value.replace("url(#", f"url(#{prefix}")
    natural = root.attrib.pop("width", "")
    root.attrib.pop("height", None)
    root.set("width", "100%")
    if natural:
        root.set("style", f"max-width:{natural}")
    root.set("role", "img")
    first = root.find(f".//{{{SVG_NS}}}title")
    if first is not None:
        first.text = title
    return ET.tostring(root, encoding="unicode")


def render(report: Report) -> str:
    """The page's text."""
    import jinja2
    from markupsafe import Markup

    lang = report.options.lang
    env = jinja2.Environment(loader=jinja2.PackageLoader("bprkit.report", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    css = resources.files("bprkit.report").joinpath("templates/report.css") \
        .read_text(encoding="utf-8")

    def t(key: str, **args: object) -> str:
        return messages.report(lang, key, **args)

    context = _context(report, t, Markup)
    from bprkit.estimate.backtest import cases as backtest

    context.update(t=t, num=_num, css=Markup(css), lang=lang, version=__version__,
                   measured=backtest.measured().text(lang),
                   page_size=PAGE_SIZES[report.options.paper],
                   diagram_mm=DIAGRAM_MM[report.options.paper])
    return env.get_template("report.html.j2").render(**context)


def _lever_title(a: Assumptions, key: str, lang: str) -> str:
    return a.lever_title(key, lang)


"""The touches a procedure loses (the ranking's ``<touch>_removed`` columns)."""


@dataclass(frozen=True)
class _Page:
    """What every part of the page reads: the report, its tables (built once,
    bprkit/report/rows.py), the language and the page's texts."""

    report: Report
    tables: rows.PortfolioTables
    t: Callable[..., str]
    safe: Callable[[str], str]

    @property
    def lang(self) -> str:
        return self.report.options.lang

    @property
    def joiner(self) -> str:
        return messages.separator(self.lang)

    @property
    def unit(self) -> str:
        return self.t("hours_a_year")

    def lever(self, key: str) -> str:
        return _lever_title(self.report.assumptions, key, self.lang)

    def levers(self, levers: Sequence[tuple[str, float]]) -> str:
        """The first three levers of a procedure, "-" for none."""
        return self.joiner.join(self.lever(k) for k, _ in levers[:3]) or "-"

    def payback(self, status: str, years: float | None) -> str:
        if years is not None:
            return messages.text(self.lang, "payback_years", years=_num(years, 1))
        return self.t(f"payback_{status}")

    @property
    def anchors(self) -> dict[tuple[str, str], str]:
        """(file, process) → the id of its section."""
        return {(d.file, d.process): f"p{n}" for n, d in enumerate(self.report.details, 1)}


def _context(report: Report, t: Callable[..., str],
             safe: Callable[[str], str]) -> dict[str, object]:
    page = _Page(report, rows.portfolio(report.portfolio, report.years, report.investments),
                 t, safe)
    ranking = _ranking(page)
    by_lever, by_owner = _lever_rows(page), _owner_rows(page)
    roadmap = _roadmap(page)
    lines = _points(page, by_lever) + roadmap.pop("points")
    by_anchor = {str(r["anchor"]): r for r in ranking if r["anchor"]}
    anchors = page.anchors
    details = [_detail(d, anchors, report, t, safe, by_anchor) for d in report.details]
    p = report.portfolio
    return {
        **_cards(page), **roadmap, **_charts(page, by_lever, by_owner),
        "summary_lines": lines, "ranking": ranking, "by_lever": by_lever,
        "by_owner": by_owner, "investments": _investments(page),
        "roadmap_file": report.options.roadmap or "",
        "duplicates": [messages.text(page.lang, "portfolio_duplicate", process=pid,
                                     files=", ".join(files)) for pid, files in p.duplicates],
        "details": details, "details_left": len(p.rows) if len(details) < len(p.rows) else 0,
        # out of sample, fewer published figures fell inside the band than the target asks
        "backtest_missed": bool(report.backtest is not None and _measured().fitted_inside
                                < COVERAGE_FLOOR * _measured().scored),
        "parameters": _parameters(report, page.lang),
        "backtest": _backtest(report, page.lang), "backtest_error": report.backtest_error,
        "failures": [{"file": f.file, "text": "\n".join(d.render(page.lang)
                                                       for d in f.diagnostics)
                      or f.message} for f in p.failures],
    }


def _cards(page: _Page) -> dict[str, object]:
    """The head of the page: what was read, the totals and the cards."""
    report, lang, t = page.report, page.lang, page.t
    a = report.assumptions
    totals = page.tables.totals
    hourly = a.value("cost.hourly_yen")
    per_fte = a.value("time.annual_hours_per_fte")
    ranked = page.tables.ranked
    failures = report.portfolio.failures
    return {
        "paths": page.joiner.join(report.paths),
        "created": report.created.strftime("%Y-%m-%d %H:%M"),
        "assumptions_source": getattr(a, "source", "default"),
        "samples": report.options.samples, "totals": totals,
        "totals_fte": totals["staff_hours"] / per_fte if per_fte else None,
        "saved_fte": totals["saved_p50"] / per_fte if per_fte else None,
        "saved_yen": totals["saved_p50"] * hourly,
        "touches": {k: sum(r[f"{k}_removed"] for r in ranked) for k in vocabulary.COUNTED_TAGS},
        "staff_yen": _yen(totals["yen"], lang),
        "saved_yen_text": _yen(totals["saved_p50"] * hourly, lang),
        "failed_share": t("failed_warning", count=len(failures), files=page.joiner.join(
            f.file for f in failures[:5]) + (" …" if len(failures) > 5 else ""))
        if failures else "",
    }


def _ranking(page: _Page) -> list[dict[str, Any]]:
    """The ranking's rows as the page shows them."""
    table = page.tables.ranking
    top = max((r["saved_p90"] or 0.0 for r in page.tables.ranked), default=0.0)
    used_by = _used_by(table.rows)
    anchors = page.anchors
    return [_ranking_row(page, table, r, top, used_by.get(r["process"], 0),
                         anchors.get((r["file"], r["process"])))
            for r in table.rows]


def _ranking_row(page: _Page, table: rows.Table, r: Mapping[str, Any], top: float,
                 used: int, anchor: str | None) -> dict[str, Any]:
    """One procedure of the ranking: its figures, its band against the largest P90."""
    def show(key: str) -> str:
        return table.show(r, key)

    ranked = r["rank"] is not None
    band = charts.band(r["saved_p10"] or 0, r["saved_p50"] or 0, r["saved_p90"] or 0, top,
                       title=f"P10 {show('saved_p10')} … P50 {show('saved_p50')} … "
                       f"P90 {show('saved_p90')}") if ranked else ""
    peak = page.t("peak", staff=show("peak_staff"), days=f"{r['season_days'] or 0:g}",
                  share=f"{(r['season_share'] or 1.0) * 100:g}%") if r["peak_staff"] else ""
    return {
        "rank": r["rank"] if ranked else "-", "ranked": ranked, "title": r["title"],
        "process": r["process"], "file": r["file"], "owner": r["owner"] or "-",
        "anchor": anchor, "peak": peak, "cases": show("cases_per_year"),
        "staff_hours": show("staff_hours"), "used": used, "saved": show("saved_p50"),
        "p10": show("saved_p10"), "p90": show("saved_p90"),
        "band": page.safe(band) if ranked else "",
        "resident": show("resident_hours_saved"), "visits": show("visits_saved"),
        "touches": _num(sum(r[f"{k}_removed"] for k in vocabulary.COUNTED_TAGS)),
        "payback": page.payback(r["payback"], r["payback_years"]),
        "levers": page.levers(r["levers"])}


def _lever_rows(page: _Page) -> list[dict[str, Any]]:
    table = page.tables.levers
    return [{"lever": page.lever(str(g["lever"])), "count": g["procedures"],
             "saved": table.show(g, "staff_hours_saved")} for g in table.rows]


def _owner_rows(page: _Page) -> list[dict[str, Any]]:
    table = page.tables.owners
    return [{"owner": g["owner"] or "-", "count": g["procedures"],
             "hours": table.show(g, "staff_hours"), "saved": table.show(g, "saved_p50")}
            for g in table.rows]


def _charts(page: _Page, by_lever: Sequence[Mapping[str, Any]],
            by_owner: Sequence[Mapping[str, Any]]) -> dict[str, object]:
    """Staff hours saved by lever and by department, as bars."""
    unit, t = page.unit, page.t
    levers = [(str(g["lever"]), float(h["staff_hours_saved"]), f"{g['saved']} {unit}")
              for g, h in zip(by_lever, page.tables.levers.rows, strict=True)]
    owners = [(str(g["owner"]), float(h["saved_p50"]), f"{g['saved']} {unit}")
              for g, h in zip(by_owner, page.tables.owners.rows, strict=True)]
    return {"lever_chart": page.safe(charts.bars(levers, title=t("by_lever"))
                                     if levers else ""),
            "owner_chart": page.safe(charts.bars(owners, title=t("by_owner"))
                                     if owners else "")}


def _points(page: _Page, by_lever: Sequence[Mapping[str, Any]]) -> list[str]:
    """The summary's points: the best procedure, the best lever, what is not ranked."""
    t = page.t
    ranked = page.tables.ranked
    rows_count = len(page.tables.ranking.rows)
    failures = page.report.portfolio.failures
    lines = []
    if ranked:
        best = ranked[0]
        lines.append(t("point_best", title=best["title"],
                       saved=page.tables.ranking.show(best, "saved_p50"),
                       levers=page.levers(best["levers"])))
    if by_lever:
        lines.append(t("point_lever", lever=by_lever[0]["lever"], count=by_lever[0]["count"],
                       saved=by_lever[0]["saved"]))
    if rows_count - len(ranked):
        lines.append(t("point_unranked", count=rows_count - len(ranked)))
    if failures:
        lines.append(t("point_failed", count=len(failures)))
    return lines


def _roadmap(page: _Page) -> dict[str, Any]:
    """The roadmap's years and chart, the levers it leaves unplanned, and its point for
    the summary (``points``)."""
    years, plan = page.tables.years, page.tables.plan
    if years is None or plan is None:
        return {"roadmap": None, "roadmap_chart": None, "roadmap_left": "", "points": []}
    t = page.t
    roadmap = [{"year": y["year"], "cumulative": years.show(y, "cumulative"),
                "procedures": [{"title": p["title"], "hours": plan.show(p, "hours"),
                                "levers": page.joiner.join(page.lever(k) for k in p["levers"])}
                               for p in plan.where("year", y["year"])]}
               for y in years.rows]
    chart = page.safe(charts.roadmap(
        [(y["year"], y["saved"], y["cumulative"], y["procedures"]) for y in years.rows],
        title=t("roadmap"), saved_label=t("roadmap_saved"),
        cumulative_label=t("roadmap_cumulative"), count_label=t("roadmap_count"),
        unit=page.unit))
    last = years.rows[-1] if years.rows else None
    points = [t("point_roadmap", year=last["year"], cumulative=years.show(last, "cumulative"))
              ] if last is not None else []
    return {"roadmap": roadmap, "roadmap_chart": chart, "roadmap_left": _unplanned(page),
            "points": points}


def _unplanned(page: _Page) -> str:
    """The levers that save time somewhere but no year of the roadmap takes up."""
    plan, levers = page.tables.plan, page.tables.levers
    planned = {k for p in (plan.rows if plan is not None else ()) for k in p["levers"]}
    left = [g for g in levers.rows if g["lever"] not in planned]
    if not left:
        return ""
    return page.t("roadmap_left", levers=page.joiner.join(
        f"{page.lever(str(g['lever']))} {levers.show(g, 'staff_hours_saved')}" for g in left),
        hours=_num(sum(g["staff_hours_saved"] for g in left)))


def _investments(page: _Page) -> list[dict[str, Any]]:
    """The shared investments (with a roadmap that buys some)."""
    table = page.tables.investments
    if table is None:
        return []
    return [{"lever": page.lever(i["lever"]), "count": i["procedures"],
             "hours": table.show(i, "staff_hours_saved"), "yen": table.show(i, "yen_saved"),
             "one_off": table.show(i, "one_off_yen"), "annual": table.show(i, "annual_yen"),
             "payback": page.payback("never", i["payback_years"]), "source": i["source"]}
            for i in table.rows]


def _detail(d: Detail, anchors: dict[tuple[str, str], str], report: Report,
            t: Callable[..., str], safe: Callable[[str], str],
            ranking: Mapping[str, Mapping[str, Any]]) -> dict[str, object]:
    lang = report.options.lang
    a = report.assumptions
    anchor = anchors[(d.file, d.process)]
    row = ranking[anchor]
    figures = [
        (t("fig_minutes"), _num(d.minutes[0], 1), _num(d.minutes[1], 1)),
        (t("fig_lead"), _num(d.lead_days[0], 1), _num(d.lead_days[1], 1)),
        (t("fig_visits"), _num(d.visits[0], 1), _num(d.visits[1], 1)),
        (t("fig_digital"), f"{d.digital[0] * 100:.0f}%", f"{d.digital[1] * 100:.0f}%"),
    ]
    unit = t("hours_a_year")
    levers = [(_lever_title(a, k, lang), v, f"{_num(v)} {unit}") for k, v in d.levers]
    lever_chart = charts.bars(levers, title=t("lever_savings"), width=640) if levers else ""
    tornado = ""
    if d.tornado and d.tornado_base is not None:
        tornado = charts.tornado(d.tornado_base, [(_param_name(a, k, lang), lo, hi)
                                                  for k, lo, hi in d.tornado],
                                 title=t("tornado"), low_label=t("tornado_low"),
                                 high_label=t("tornado_high"), ident=f"{anchor}-")
    findings = [_finding(e, a, lang) for e in d.findings]
    title = d.title
    return {
        "anchor": anchor, "rank": f"{row['rank']}. " if row["ranked"] else "",
        "title": title, "process": d.process, "file": d.file, "owner": d.owner,
        "figures": figures, "drawing_error": d.drawing_error,
        "asis_svg": safe(inline_svg(d.asis_svg, f"{anchor}-asis-", title))
        if d.asis_svg else None,
        "tobe_svg": safe(inline_svg(d.tobe_svg, f"{anchor}-tobe-", title))
        if d.tobe_svg else None,
        "findings": findings, "lever_chart": safe(lever_chart),
        "tornado_chart": safe(tornado), "tornado_base": _num(d.tornado_base),
        "p50": row["saved"],
        "refused": d.refused, "ranked": d.ranked,
        "used": row["used"],
    }


def _finding(e: Mapping[str, Any], a: Assumptions, lang: str) -> dict[str, object]:
    """One entry of a procedure's findings list: where, the hours at stake (staff, and
    the resident's and outside bodies' beside), the principles and levers."""
    joiner = messages.separator(lang)
    place = f"{e['file']}:{e['line']}" if e.get("file") else ""
    principles = joiner.join(dict.fromkeys(f["principle"] for f in e["findings"]))
    return {"heading": e["heading"], "place": place,
            "hours": _whose(e.get("hours"), lang), "findings": e["findings"],
            "principles": principles,
            "levers": joiner.join(_lever_title(a, k, lang) for k in e["levers"]) or "-",
            "basis": joiner.join(e["basis"]) or "-"}


def _used_by(ranking: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Process id → how many of the portfolio's procedures ``use`` it (a shared approval
    without a volume of its own is a part, not a procedure to rank)."""
    out: dict[str, int] = {}
    for row in ranking:
        for callee in row["uses"]:
            out[callee] = out.get(callee, 0) + 1
    return out


def _param_name(a: Assumptions, key: str, lang: str) -> str:
    return a.parameter_name(key, lang)


def _measured() -> Any:
    from bprkit.estimate.backtest import cases as backtest

    return backtest.measured()


def _parameters(report: Report, lang: str) -> list[dict[str, str]]:
    """The parameters behind the figures: the general ones, then those of each lever
    that saves time somewhere in the portfolio."""
    a = report.assumptions
    used = {k for r in report.portfolio.rows for k, _ in r.levers}
    out = []
    for key, param in a.params.items():
        parts = key.split(".")
        if parts[0] == "thresholds" or (parts[0] == "levers" and parts[1] not in used):
            continue
        digits = 0 if max(abs(param.low), abs(param.high)) >= 100 else 2
        out.append({"key": key, "name": _param_name(a, key, lang),
                    "low": _num(param.low, digits), "mode": _num(param.mode, digits),
                    "high": _num(param.high, digits), "source": param.source})
    return out


def _backtest(report: Report, lang: str) -> dict[str, object] | None:
    b = report.backtest
    if b is None:
        return None
    from bprkit.estimate.backtest import cases as backtest_module

    doc: dict[str, Any] = b.to_dict()
    a = report.assumptions
    joiner = messages.separator(lang)
    yes, no = messages.report(lang, "yes"), messages.report(lang, "no")
    unscored = backtest_module.text(lang, "not_scored")
    # a case marked `scored: no` is shown with its reason, outside the counts
    return {"inside": doc["totals"]["inside"], "count": doc["totals"]["scored"],
            "rows": [{"name": c["name"], "published": f"{c['published_pct']:.1f}%",
                      "p10": f"{c['p10_pct']:.1f}%", "p50": f"{c['p50_pct']:.1f}%",
                      "p90": f"{c['p90_pct']:.1f}%",
                      "inside": (yes if c["inside"] else no) if c["scored"]
                      else f"{unscored}: {c['scored_reason']}",
                      "levers": joiner.join(_lever_title(a, k, lang) for k in c["levers"]),
                      "source": c["source"]} for c in doc["cases"]]}
