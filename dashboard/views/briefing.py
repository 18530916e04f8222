"""What a briefing (情况报告) holds, as plain data: for a day, a week or a month ending on a
date, within the viewer's scope (a village's briefing holds only that village):

- the period's KPIs, each with its numerator and denominator, 环比 (against the period
  before) and 同比 (against the same days a year earlier);
- the top sub-categories and the villages that received most;
- the warnings raised in the period and what became of them;
- the department ranking with its 综合指标值;
- the overdue and the supervised (督办) matters, as the store holds them when it is made;
- the next 14 days' forecast per 大类 with its backtested error beside seasonal naive's;
- the figures (the daily trend, the source mix, the township's forecast fan) as Plotly
  figures with their text alternatives, and the map's cells with their worst light.

Pure functions of a ``Reader``; ``dashboard/brief.py`` lays it out as HTML and PDF.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Iterable

import plotly.graph_objects as go

from dashboard.i18n import name_of, pick, plain, t
from dashboard.reader import Reader
from dashboard.views import forecast as fc
from dashboard.views import overview as ov
from dashboard.views.analysis_filters import AnalysisFilters, cohort_params, indicator_filter_params
from dashboard.views.common import fmt_count, map_geometry, number, percent
from queries.analysis_config import AnalysisConfig

PERIODS = ("day", "week", "month")
FORMATS = ("pdf", "html")
TOP = 10
MATTER_ROWS = 15
FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif'
# The briefing's KPIs: matters received, then the indicators of data/analysis.toml.
RECEIVED = "received"


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date
    prev_start: date
    prev_end: date
    yoy_start: date
    yoy_end: date

    def text(self, lang: str) -> str:
        return t(f"br.period.{self.kind}", lang, start=self.start.isoformat(), end=self.end.isoformat())


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:                           # 29 February
        return day.replace(year=day.year - 1, day=28)


def period_of(kind: str, end: date) -> Period:
    """day: ``end``; week: the 7 days ending ``end``; month: the calendar month up to
    ``end``. 环比: the period before (the previous month's same days for a month); 同比: the
    same days a year earlier."""
    if kind not in PERIODS:
        raise ValueError(f"period is one of {', '.join(PERIODS)}")
    if kind == "day":
        start, prev_start, prev_end = end, end - timedelta(days=1), end - timedelta(days=1)
    elif kind == "week":
        start = end - timedelta(days=6)
        prev_start, prev_end = start - timedelta(days=7), start - timedelta(days=1)
    else:
        start = end.replace(day=1)
        last = start - timedelta(days=1)
        prev_start = last.replace(day=1)
        prev_end = last.replace(day=min(end.day, calendar.monthrange(last.year, last.month)[1]))
    return Period(kind, start, end, prev_start, prev_end, _year_before(start), _year_before(end))


@dataclass
class Briefing:
    lang: str
    title: str
    township: str
    scope_text: str
    period: Period
    made_at: datetime
    kpis: list[dict[str, Any]] = field(default_factory=list)
    top_categories: list[dict[str, Any]] = field(default_factory=list)
    top_villages: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    warning_summary: dict[str, int] = field(default_factory=dict)
    ranking: list[dict[str, Any]] = field(default_factory=list)
    overdue: list[dict[str, Any]] = field(default_factory=list)
    supervised: list[dict[str, Any]] = field(default_factory=list)
    forecasts: list[dict[str, Any]] = field(default_factory=list)
    figures: list[dict[str, Any]] = field(default_factory=list)      # key, title, figure (dict), alt
    map_cells: dict[str, Any] = field(default_factory=dict)          # geojson, lights, labels


# -- KPIs -------------------------------------------------------------------------------------
def _filters(start: date, end: date) -> AnalysisFilters:
    return AnalysisFilters(start, end)


def _received(reader: Reader, scope: list[int], start: date, end: date) -> int:
    frame = reader.run("analysis/trend", **cohort_params(scope, _filters(start, end), None), grain="month",
                       breakdown="none")
    return int(frame["received"].sum()) if len(frame) else 0


def _indicators(reader: Reader, config: AnalysisConfig, scope: list[int], start: date, end: date,
                now: datetime) -> dict[str, dict[str, Any]]:
    frame = reader.run("indicators/by_group", **indicator_filter_params(scope, _filters(start, end), None),
                       now=now, group_by="township", **config.indicator_params())
    return {r["indicator"]: r for r in frame.to_dict("records")}


def _change(now_value: float | None, before: float | None, unit: str) -> str:
    if now_value is None or before is None:
        return "—"
    if unit == "share":
        return f"{100 * (now_value - before):+.1f} pt"
    if unit == "count":
        return "—" if before == 0 else f"{100 * (now_value - before) / before:+.1f}%"
    return f"{now_value - before:+.1f}"


def _value_text(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "share":
        return percent(value)
    if unit == "count":
        return fmt_count(value)
    return f"{value:.1f}"


def kpi_rows(reader: Reader, config: AnalysisConfig, scope: list[int], period: Period, now: datetime,
             lang: str) -> list[dict[str, Any]]:
    spans = {"now": (period.start, period.end), "prev": (period.prev_start, period.prev_end),
             "yoy": (period.yoy_start, period.yoy_end)}
    received = {k: _received(reader, scope, *span) for k, span in spans.items()}
    rows = [{"key": RECEIVED, "name": t("br.kpi.received", lang), "unit": "count",
             "value": _value_text(received["now"], "count"), "numerator": fmt_count(received["now"]),
             "denominator": "—", "rule": t("br.kpi.received.rule", lang),
             "prev": _value_text(received["prev"], "count"), "mom": _change(received["now"], received["prev"], "count"),
             "yoy_value": _value_text(received["yoy"], "count"),
             "yoy": _change(received["now"], received["yoy"], "count")}]
    found = {k: _indicators(reader, config, scope, *span, now) for k, span in spans.items()}
    for ind in config.indicators:
        cur, prev, yoy = (found[k].get(ind.key, {}) for k in ("now", "prev", "yoy"))
        value, before, year = (number(r.get("value")) for r in (cur, prev, yoy))
        rows.append({"key": ind.key, "name": pick(ind.name, ind.name_en, lang), "unit": ind.unit,
                     "value": _value_text(value, ind.unit),
                     "numerator": "—" if number(cur.get("numerator")) is None else _num(cur["numerator"]),
                     "denominator": "—" if number(cur.get("denominator")) is None else _num(cur["denominator"]),
                     "rule": ind.denominator_rule, "prev": _value_text(before, ind.unit),
                     "mom": _change(value, before, ind.unit), "yoy_value": _value_text(year, ind.unit),
                     "yoy": _change(value, year, ind.unit)})
    return rows


def _num(value: Any) -> str:
    value = number(value)
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


# -- the rest ----------------------------------------------------------------------------------
def top_categories(reader: Reader, scope: list[int], period: Period, lang: str) -> list[dict[str, Any]]:
    frame = reader.run("analysis/top_categories", **cohort_params(scope, _filters(period.start, period.end), None),
                       limit=TOP)
    return [{"name": pick(plain(r["name"]), plain(r["name_en"]), lang) or t("br.none", lang),
             "major": pick(plain(r["major_name"]), plain(r["major_name_en"]), lang),
             "received": fmt_count(r["received"]), "share": percent(r["share"])} for r in frame.to_dict("records")]


def top_villages(reader: Reader, scope: list[int], period: Period, lang: str) -> list[dict[str, Any]]:
    frame = reader.run("analysis/trend", **cohort_params(scope, _filters(period.start, period.end), None),
                       grain="month", breakdown="village")
    if frame.empty:
        return []
    totals = frame.groupby(["series_key"], as_index=False).agg(received=("received", "sum"),
                                                               name=("series_name", "first"))
    total = int(totals["received"].sum())
    totals = totals.sort_values("received", ascending=False).head(TOP)
    return [{"name": plain(r["name"]) or t("br.village.none", lang), "received": fmt_count(r["received"]),
             "share": percent(r["received"] / total if total else None)} for r in totals.to_dict("records")]


def warning_rows(reader: Reader, scope: list[int], period: Period, lang: str) -> tuple[list[dict], dict[str, int]]:
    frame = reader.run("briefing/warnings", scope=scope, from_day=period.start, to_day=period.end)
    rows, summary = [], {"raised": len(frame), "acknowledged": 0, "resolved": 0, "active": 0}
    for r in frame.to_dict("records"):
        acked, resolved = plain(r["acknowledged_by"]), plain(r["resolved_at"])
        summary["acknowledged"] += bool(acked)
        summary["resolved"] += resolved is not None
        summary["active"] += resolved is None
        where = " · ".join(x for x in (plain(r["village_name"]), plain(r["cell_name"]),
                                       pick(plain(r["dept_name"]), plain(r["dept_name_en"]), lang)) if x)
        what = pick(plain(r["category_name"]), plain(r["category_name_en"]), lang) or pick(
            plain(r["major_name"]), plain(r["major_name_en"]), lang)
        if resolved is not None:
            fate = t("br.warn.resolved", lang, time=f"{r['resolved_at']:%m-%d %H:%M}")
        elif acked:
            fate = t("br.warn.acknowledged", lang, who=acked, time=f"{r['acknowledged_at']:%m-%d %H:%M}")
        else:
            fate = t("br.warn.open", lang)
        rows.append({"method": t(f"wn.method.{r['method']}", lang), "severity": t(f"wn.severity.{r['severity']}", lang),
                     "where": where or "—", "what": what or "—",
                     "observed": _num(r["observed"]), "expected": _num(r["expected"]),
                     "first_seen": f"{r['first_seen']:%m-%d %H:%M}", "fate": fate})
    return rows[:TOP * 2], summary


def ranking_rows(reader: Reader, config: AnalysisConfig, scope: list[int], period: Period, now: datetime,
                 lang: str) -> list[dict[str, Any]]:
    frame = reader.run("indicators/department_ranking",
                       **indicator_filter_params(scope, _filters(period.start, period.end), None), now=now,
                       **config.indicator_params(), **config.score_params())
    rows = []
    for r in frame.to_dict("records"):
        rows.append({"rank": "—" if number(r["rank"]) is None else str(int(r["rank"])),
                     "dept": pick(r["name"], r["name_en"], lang),
                     "score": "—" if number(r["score"]) is None else f"{float(r['score']):.1f}",
                     "volume": _num(r["volume"]),
                     "mom": "—" if number(r["mom_change"]) is None else f"{float(r['mom_change']):+.1f}",
                     "yoy": "—" if number(r["yoy_change"]) is None else f"{float(r['yoy_change']):+.1f}"})
    return rows


def matter_rows(reader: Reader, scope: list[int], now: datetime, yellow_share: float, lang: str,
                minutes_per_day: int) -> tuple[list[dict], list[dict]]:
    """(the overdue, the supervised) open matters, most urgent first."""
    rows = ov.open_matter_rows(reader, ov.View(tuple(scope), now, yellow_share), lang, minutes_per_day)

    def shown(r: dict) -> dict:
        return {"id": r["matter_id"], "light": r["light"], "light_label": r["light_label"],
                "category": r["category"], "village": r["village"], "dept": r["dept"], "status": r["status"],
                "remaining": r["remaining_text"], "supervision": str(r["supervision"]), "due": r["due_at"]}

    overdue = [shown(r) for r in rows if r["light"] == "red"]
    supervised = [shown(r) for r in rows if r["supervision"]]
    return overdue, supervised


def forecast_rows(reader: Reader, config: AnalysisConfig, scope: list[int], now: datetime, lang: str
                  ) -> tuple[list[dict], fc.Series | None]:
    majors = fc.series_list(reader, scope, now, config, "major", lang, history_days=28)
    whole = fc.series_list(reader, scope, now, config, "township", lang)
    rows = []
    for s in majors:
        a = s.accuracy
        rows.append({"name": s.name, "total": fc.total_text(s, lang), "mase": _ratio(a["mase"]),
                     "naive_mase": _ratio(a["naive_mase"]), "mape": percent(a["mape"]),
                     "naive_mape": percent(a["naive_mape"]), "points": fmt_count(a["backtest_points"])})
    return rows, (whole[0] if whole else None)


def _ratio(value: Any) -> str:
    value = number(value)
    return "—" if value is None else f"{value:.2f}"


# -- figures ---------------------------------------------------------------------------------------
def _layout(height: int, **extra: Any) -> dict[str, Any]:
    return {"height": height, "width": 680, "paper_bgcolor": "white", "plot_bgcolor": "white",
            "font": {"family": FONT, "size": 12, "color": "#1d2733"}, "margin": {"l": 48, "r": 16, "t": 16, "b": 36},
            **extra}


def trend_figure(reader: Reader, scope: list[int], period: Period, lang: str) -> tuple[dict, str]:
    """Matters received per day over the 30 days to the period's end (the period shaded)."""
    first = min(period.start, period.end - timedelta(days=29))
    frame = reader.run("analysis/trend", **cohort_params(scope, _filters(first, period.end), None), grain="day",
                       breakdown="none")
    counts = {f"{d:%Y-%m-%d}": int(n) for d, n in zip(frame["period"], frame["received"])}
    days = [(first + timedelta(days=i)).isoformat() for i in range((period.end - first).days + 1)]
    values = [counts.get(d, 0) for d in days]
    figure = {"data": [{"type": "bar", "x": days, "y": values, "marker": {"color": "#0072b2"},
                        "name": t("br.fig.received", lang)}],
              "layout": _layout(240, xaxis={"type": "date", "tickformat": "%m-%d"},
                                yaxis={"gridcolor": "#e6eaef", "rangemode": "tozero"},
                                shapes=[{"type": "rect", "xref": "x", "yref": "paper", "y0": 0, "y1": 1,
                                         "x0": (period.start - timedelta(hours=12)).isoformat(),
                                         "x1": f"{period.end.isoformat()}T12:00", "fillcolor": "rgba(213,94,0,0.12)",
                                         "line": {"width": 0}}])}
    top = max(values) if values else 0
    alt = t("br.fig.trend.alt", lang, first=days[0], last=days[-1], total=fmt_count(sum(values)), top=fmt_count(top),
            period=fmt_count(sum(v for d, v in zip(days, values) if d >= period.start.isoformat())))
    return figure, alt


def sources_figure(reader: Reader, scope: list[int], period: Period, lang: str) -> tuple[dict, str]:
    frame = reader.run("analysis/sources", **cohort_params(scope, _filters(period.start, period.end), None))
    rows = frame.to_dict("records")
    labels = [name_of("source", r["source"], lang) for r in rows]
    values = [int(r["received"]) for r in rows]
    figure = {"data": [{"type": "bar", "orientation": "h", "y": labels[::-1], "x": values[::-1],
                        "marker": {"color": "#56b4e9"}, "text": [f"{v:,} · {percent(r['share'])}"
                                                                 for v, r in zip(values[::-1], rows[::-1])],
                        "textposition": "outside", "cliponaxis": False}],
              "layout": _layout(200, xaxis={"visible": False, "range": [0, max([1, *values]) * 1.4]},
                                yaxis={"automargin": True}, margin={"l": 8, "r": 16, "t": 8, "b": 8})}
    items = zip(labels, values, rows)
    alt = ("；".join(f"{lbl} {v:,}（{percent(r['share'])}）" for lbl, v, r in items) if lang == "zh"
           else "; ".join(f"{lbl} {v:,} ({percent(r['share'])})" for lbl, v, r in items))
    return figure, t("br.fig.sources.alt", lang, list=alt or "—")


def forecast_figure(series: fc.Series | None, lang: str) -> tuple[dict, str]:
    figure = fc.fan_figure(series, lang, height=260)
    figure.update_layout(width=680, paper_bgcolor="white", plot_bgcolor="white", hovermode=False)
    return figure.to_plotly_json(), (fc.alt_text(series, lang) if series else t("wn.fc.none", lang))


def map_cells(reader: Reader, scope: list[int], now: datetime, yellow_share: float, lang: str) -> dict[str, Any]:
    """The cells (GeoJSON) with each one's worst open light now, and a text alternative."""
    geometry = map_geometry(reader, scope)
    cells = reader.run("overview/open_by_cell", **ov.View(tuple(scope), now, yellow_share).params())
    worst = {int(c): plain(w) for c, w in zip(cells["cell_id"], cells["worst_light"])}
    lights = {int(c): worst.get(int(c)) or "empty" for c in geometry.cell_ids}
    counts = {light: sum(1 for v in lights.values() if v == light) for light in ("red", "yellow", "green", "empty")}
    alt = t("br.map.alt", lang, cells=fmt_count(len(lights)), red=counts["red"], yellow=counts["yellow"],
            green=counts["green"], empty=counts["empty"])
    return {"geojson": geometry.geojson, "lights": lights, "alt": alt,
            "labels": {light: name_of("light", light, lang) for light in ("red", "yellow", "green", "paused", "none",
                                                                         "empty")}}


# -- all of it --------------------------------------------------------------------------------------
def build(reader: Reader, config: AnalysisConfig, *, scope: Iterable[int], scope_text: str, period: Period,
          now: datetime, yellow_share: float, minutes_per_day: int, township: str, lang: str) -> Briefing:
    scope = list(scope)
    brief = Briefing(lang=lang, title=t(f"br.title.{period.kind}", lang, township=township), township=township,
                     scope_text=scope_text, period=period, made_at=now)
    brief.kpis = kpi_rows(reader, config, scope, period, now, lang)
    brief.top_categories = top_categories(reader, scope, period, lang)
    brief.top_villages = top_villages(reader, scope, period, lang)
    brief.warnings, brief.warning_summary = warning_rows(reader, scope, period, lang)
    brief.ranking = ranking_rows(reader, config, scope, period, now, lang)
    brief.overdue, brief.supervised = matter_rows(reader, scope, now, yellow_share, lang, minutes_per_day)
    brief.forecasts, whole = forecast_rows(reader, config, scope, now, lang)
    for key, (figure, alt) in (("trend", trend_figure(reader, scope, period, lang)),
                               ("sources", sources_figure(reader, scope, period, lang)),
                               ("forecast", forecast_figure(whole, lang))):
        brief.figures.append({"key": key, "title": t(f"br.fig.{key}", lang), "figure": _plain(figure), "alt": alt})
    brief.map_cells = map_cells(reader, scope, now, yellow_share, lang)
    return brief


def _plain(figure: Any) -> dict:
    if isinstance(figure, go.Figure):
        return figure.to_plotly_json()
    return figure
