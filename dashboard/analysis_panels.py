"""What the analysis page (分析研判, ``/analysis``) shows, as pure functions of the data:
the trend, the hour-of-week heatmap, the top sub-categories, the source mix, the
departments, the grid map, handling-time distributions, satisfaction, the indicators
table and the department ranking, and their CSV/Excel exports.

Every function takes a ``Reader`` (named queries, cached on the data version) and an
``AnalysisView`` (whose matters, which filters and cross-filter, as of when) and returns
plain data or Plotly figures; the page's callbacks only pass values through. Charts carry
the value a click selects in their ``customdata`` (``[value, label]``), which
``click_selection`` reads back.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable

import pandas as pd
import plotly.graph_objects as go

from dashboard import analysis_filters as af
from dashboard.export import Column
from dashboard.i18n import name_of, pick, plain, t
from dashboard.reader import UNPLACED, Reader
from dashboard.views import common
from dashboard.views.common import empty_figure, fmt_count, map_geometry
from layers import maptraces
from layers.analysis_layers import highlight_marker
from queries.analysis_config import AnalysisConfig

GRAINS = ("day", "week", "month")
BREAKDOWNS = ("none", "major", "source", "department", "village")
BREAKDOWN_DIM = {"major": "major", "source": "source", "department": "dept", "village": "village"}
INDICATOR_GROUPS = ("township", "department", "village", "source", "major", "category", "cell")
HANDLING_GROUPS = ("major", "department", "source")
TOP_CATEGORIES = 12
TREND_SERIES = 8              # more series than this: the smallest are summed as "other"
OTHER = "__other__"
FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif'
PALETTE = ("#2f6db0", "#e07b00", "#2f9e55", "#6a51a3", "#d7301f", "#17a2b8", "#8c6d31", "#c2185b",
           "#7a8aa0")
SATISFACTION_COLOURS = {"satisfied": "#2f9e55", "basic_satisfied": "#a6d96a", "unsatisfied": "#d7301f"}
SELECTED_COLOUR = "#13243a"
BAR_COLOUR = "#2f6db0"
DIMMED = 0.35


@dataclass(frozen=True)
class AnalysisView:
    """Whose matters, through which filters and clicks, as of when."""

    scope: tuple[int, ...]
    filters: af.AnalysisFilters
    now: datetime
    selection: dict = field(default_factory=dict)

    def cohort(self, own: Iterable[str] = ()) -> dict[str, Any]:
        return af.cohort_params(self.scope, self.filters, self.selection, own)

    def indicator_filters(self) -> dict[str, Any]:
        return af.indicator_filter_params(self.scope, self.filters, self.selection)


# -- names ---------------------------------------------------------------------------------
def dimension_label(dim: str, lang: str) -> str:
    return t(f"an.dim.{dim}", lang)


def weekday_label(dow: int, lang: str) -> str:
    return t(f"an.dow.{int(dow)}", lang)


def week_hour_label(value: int, lang: str) -> str:
    dow, hour = af.from_week_hour(value)
    return t("an.week_hour", lang, day=weekday_label(dow, lang), hour=hour, next=hour + 1)


def series_label(kind: str, key: Any, name: Any, name_en: Any, lang: str) -> str:
    """The name of a trend series or a table group: departments, villages, 大类, sources,
    小类, cells; -1 / '' (none) in words."""
    key = plain(key)
    if kind in ("all", "none", "township"):
        return t("an.township", lang)
    if kind == "source":
        return name_of("source", key, lang)
    if key in ("-1", ""):
        return t(f"an.none.{kind}", lang)
    return pick(name, name_en, lang) or key


def _layout(**extra: Any) -> dict[str, Any]:
    base = {"paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
            "font": {"family": FONT, "size": 12}, "margin": {"l": 8, "r": 12, "t": 8, "b": 8},
            "hoverlabel": {"font": {"family": FONT}}, "clickmode": "event"}
    base.update(extra)
    return base


def _empty(lang: str, height: int = 260) -> go.Figure:
    return empty_figure(t("an.empty.cohort", lang), height)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _pct(value: Any, digits: int = 1) -> str:
    value = _number(value)
    return "—" if value is None else f"{100 * value:.{digits}f}%"


# -- clicks → the cross-filter --------------------------------------------------------------------
# Which dimension a click on each chart selects; the trend's depends on its breakdown.
CLICK_DIMENSIONS = {"categories": "category", "sources": "source", "departments": "dept",
                    "heatmap": "week_hour", "map": "cell"}


def click_selection(chart: str, click: dict | None, *, breakdown: str | None = None) -> tuple[str, Any, str] | None:
    """(dimension, value, label) from a chart's ``clickData``; None when the click selects
    nothing (the trend without a breakdown, "other", the map's outlines)."""
    points = (click or {}).get("points") or []
    if not points:
        return None
    point = points[0]
    dim = BREAKDOWN_DIM.get(breakdown or "") if chart == "trend" else CLICK_DIMENSIONS.get(chart)
    if dim is None:
        return None
    if chart == "map":
        location = point.get("location")
        return (dim, int(location), "") if location is not None else None
    if chart == "heatmap":       # the Graph passes a heatmap's x and y, not its customdata
        x, y = point.get("x"), point.get("y")
        if not isinstance(x, (int, float)) or not isinstance(y, (int, float)) or not (0 <= x < 24 and 0 <= y < 7):
            return None
        return dim, af.week_hour(int(y) + 1, int(x)), ""
    data = point.get("customdata")
    if not isinstance(data, (list, tuple)) or len(data) < 2 or data[0] in (None, OTHER):
        return None
    try:
        value = af.selection_value(dim, data[0])
    except (TypeError, ValueError):
        return None
    return dim, value, str(data[1])


# -- the trend -----------------------------------------------------------------------------
def trend_frame(reader: Reader, view: AnalysisView, grain: str, breakdown: str) -> pd.DataFrame:
    grain = grain if grain in GRAINS else "day"
    breakdown = breakdown if breakdown in BREAKDOWNS else "none"
    own = [BREAKDOWN_DIM[breakdown]] if breakdown in BREAKDOWN_DIM else []
    return reader.run("analysis/trend", **view.cohort(own), grain=grain, breakdown=breakdown)


def trend_figure(frame: pd.DataFrame, grain: str, breakdown: str, selection: dict | None, lang: str) -> go.Figure:
    """Stacked bars per period, one colour per series (the largest TREND_SERIES, the rest
    as "other"); the series selected by a click stands out, the others fade."""
    if frame.empty:
        return _empty(lang, 300)
    kind = {"department": "department", "none": "all"}.get(breakdown, breakdown)
    frame = frame.assign(series_key=frame["series_key"].astype(str))
    totals = frame.groupby("series_key")["received"].sum().sort_values(ascending=False)
    keep = list(totals.index[:TREND_SERIES]) if len(totals) > TREND_SERIES + 1 else list(totals.index)
    names = frame.drop_duplicates("series_key").set_index("series_key")
    dim = BREAKDOWN_DIM.get(breakdown)
    chosen = af.selected(selection, dim) if dim else None
    chosen = str(chosen) if chosen is not None else None
    periods = sorted(frame["period"].unique())
    table = frame.pivot_table(index="period", columns="series_key", values="received", aggfunc="sum",
                              fill_value=0).reindex(periods, fill_value=0)
    data = []
    hover_x = {"day": "%{x|%Y-%m-%d}", "week": t("an.trend.week_of", lang, day="%{x|%Y-%m-%d}"),
               "month": "%{x|%Y-%m}"}[grain if grain in GRAINS else "day"]
    for i, key in enumerate(keep + ([OTHER] if len(keep) < len(totals) else [])):
        if key == OTHER:
            values = table[[c for c in table.columns if c not in keep]].sum(axis=1)
            label = t("an.other", lang)
        else:
            values = table[key]
            label = series_label(kind, key, names.at[key, "series_name"], names.at[key, "series_name_en"], lang)
        faded = chosen is not None and key != chosen
        data.append({
            "type": "bar", "x": [pd.Timestamp(p).isoformat() for p in periods], "y": [int(v) for v in values],
            "name": label, "customdata": [[key, label]] * len(periods),
            "marker": {"color": PALETTE[i % len(PALETTE)] if key != OTHER else "#b8c2cc",
                       "opacity": DIMMED if faded else 1.0},
            "hovertemplate": f"{hover_x}<br>{label} %{{y}}<extra></extra>",
        })
    tick = {"day": "%m-%d", "week": "%m-%d", "month": "%Y-%m"}[grain if grain in GRAINS else "day"]
    layout = _layout(barmode="stack", height=300, bargap=0.15,
                     xaxis={"type": "date", "tickformat": tick, "gridcolor": "#eef1f5"},
                     yaxis={"title": {"text": t("an.trend.axis", lang)}, "gridcolor": "#e6eaef", "rangemode": "tozero",
                            "tickformat": "d"},
                     showlegend=breakdown != "none",
                     legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "font": {"size": 11}},
                     margin={"l": 8, "r": 12, "t": 34 if breakdown != "none" else 8, "b": 8},
                     uirevision=f"trend-{grain}-{breakdown}")
    return go.Figure({"data": data, "layout": layout})


# -- the hour-of-week heatmap -------------------------------------------------------------------
def heatmap_frame(reader: Reader, view: AnalysisView) -> pd.DataFrame:
    return reader.run("analysis/hour_of_week", **view.cohort(["week_hour"]))


def heatmap_matrix(frame: pd.DataFrame) -> list[list[int]]:
    """7 rows (Monday … Sunday) × 24 hours, zero where nothing arrived."""
    z = [[0] * 24 for _ in range(7)]
    for dow, hour, n in zip(frame["dow"], frame["hour"], frame["received"]):
        z[int(dow) - 1][int(hour)] = int(n)
    return z


def heatmap_figure(frame: pd.DataFrame, selection: dict | None, lang: str) -> go.Figure:
    z = heatmap_matrix(frame)
    if not any(any(row) for row in z):
        return _empty(lang, 250)
    days = [weekday_label(d, lang) for d in range(1, 8)]
    labels = [[week_hour_label(af.week_hour(d, h), lang) for h in range(24)] for d in range(1, 8)]
    custom = [[[af.week_hour(d, h), labels[d - 1][h]] for h in range(24)] for d in range(1, 8)]
    trace = {"type": "heatmap", "z": z, "x": list(range(24)), "y": list(range(7)), "customdata": custom,
             "colorscale": [[0, "#f3f6fa"], [0.15, "#c6dbef"], [0.5, "#4f8fc8"], [1, "#0b3a75"]], "zmin": 0,
             "xgap": 1, "ygap": 1, "colorbar": {"thickness": 10, "len": 0.9, "title": {"text": ""}},
             "hovertemplate": "%{customdata[1]}<br>" + t("an.received", lang) + " %{z}<extra></extra>"}
    shapes = []
    chosen = af.selected(selection, "week_hour")
    if chosen is not None:
        dow, hour = af.from_week_hour(chosen)
        shapes.append({"type": "rect", "x0": hour - 0.5, "x1": hour + 0.5, "y0": dow - 1.5, "y1": dow - 0.5,
                       "line": {"color": SELECTED_COLOUR, "width": 3}, "fillcolor": "rgba(0,0,0,0)"})
    layout = _layout(height=250, shapes=shapes,
                     xaxis={"tickvals": list(range(0, 24, 2)), "ticktext": [str(h) for h in range(0, 24, 2)],
                            "title": {"text": t("an.heatmap.hour", lang), "font": {"size": 11}}, "showgrid": False},
                     yaxis={"tickvals": list(range(7)), "ticktext": days, "autorange": "reversed", "showgrid": False},
                     margin={"l": 8, "r": 8, "t": 8, "b": 8}, uirevision="heatmap")
    return go.Figure({"data": [trace], "layout": layout})


# -- bars: top sub-categories, sources, departments --------------------------------------------
def _bar_colours(keys: list, chosen: Any) -> dict:
    if chosen is None:
        return {"color": BAR_COLOUR}
    return {"color": [SELECTED_COLOUR if k == chosen else BAR_COLOUR for k in keys],
            "opacity": [1.0 if k == chosen else DIMMED for k in keys]}


def _hbar_layout(n: int, lang: str, name: str, **extra: Any) -> dict:
    settings = {"height": max(170, 40 + 24 * n), "bargap": 0.25, "showlegend": False, "uirevision": name,
                "xaxis": {"gridcolor": "#e6eaef", "rangemode": "tozero", "tickformat": "d"},
                "yaxis": {"automargin": True, "tickfont": {"size": 12}}}
    settings.update(extra)
    return _layout(**settings)


def top_categories_frame(reader: Reader, view: AnalysisView, limit: int = TOP_CATEGORIES) -> pd.DataFrame:
    return reader.run("analysis/top_categories", **view.cohort(["category"]), limit=int(limit))


def category_label(row: dict, lang: str) -> str:
    if int(row["category_id"]) == UNPLACED:
        return t("an.none.category", lang)
    return pick(row["name"], row["name_en"], lang)


def top_categories_figure(frame: pd.DataFrame, selection: dict | None, lang: str) -> go.Figure:
    if frame.empty:
        return _empty(lang)
    rows = frame.to_dict("records")[::-1]          # horizontal bars draw bottom-up: most on top
    keys = [int(r["category_id"]) for r in rows]
    labels = [category_label(r, lang) for r in rows]
    majors = [pick(r["major_name"], r["major_name_en"], lang) for r in rows]
    trace = {"type": "bar", "orientation": "h", "y": labels, "x": [int(r["received"]) for r in rows],
             "customdata": [[k, lbl, m] for k, lbl, m in zip(keys, labels, majors)],
             "marker": _bar_colours(keys, af.selected(selection, "category")),
             "text": [f"{int(r['received']):,} · {_pct(r['share'])}" for r in rows], "textposition": "outside",
             "cliponaxis": False, "textfont": {"size": 11},
             "hovertemplate": "%{customdata[1]} (%{customdata[2]})<br>" + t("an.received", lang)
                              + " %{x}<extra></extra>"}
    top = max(int(r["received"]) for r in rows)
    return go.Figure({"data": [trace], "layout": _hbar_layout(len(rows), lang, "categories",
                                                                xaxis={"gridcolor": "#e6eaef", "tickformat": "d",
                                                                       "range": [0, top * 1.3]})})


def sources_frame(reader: Reader, view: AnalysisView) -> pd.DataFrame:
    return reader.run("analysis/sources", **view.cohort(["source"]))


def sources_figure(frame: pd.DataFrame, selection: dict | None, lang: str) -> go.Figure:
    if frame.empty or int(frame["received"].sum()) == 0:
        return _empty(lang, 200)
    rows = frame.to_dict("records")[::-1]
    keys = [r["source"] for r in rows]
    labels = [name_of("source", k, lang) for k in keys]
    top = max(int(r["received"]) for r in rows)
    trace = {"type": "bar", "orientation": "h", "y": labels, "x": [int(r["received"]) for r in rows],
             "customdata": [[k, lbl] for k, lbl in zip(keys, labels)],
             "marker": _bar_colours(keys, af.selected(selection, "source")),
             "text": [f"{int(r['received']):,} · {_pct(r['share'])}" for r in rows], "textposition": "outside",
             "cliponaxis": False, "textfont": {"size": 11},
             "hovertemplate": "%{y}<br>" + t("an.received", lang) + " %{x}<extra></extra>"}
    return go.Figure({"data": [trace], "layout": _hbar_layout(len(rows), lang, "sources",
                                                                xaxis={"gridcolor": "#e6eaef", "tickformat": "d",
                                                                       "range": [0, top * 1.35]})})


def departments_frame(reader: Reader, view: AnalysisView) -> pd.DataFrame:
    return reader.run("analysis/departments", **view.cohort(["dept"]))


def department_label(dept_id: Any, name: Any, name_en: Any, lang: str) -> str:
    return t("dept.unassigned", lang) if int(dept_id) == UNPLACED else pick(name, name_en, lang)


def departments_figure(frame: pd.DataFrame, selection: dict | None, lang: str) -> go.Figure:
    """Per lead department, the cohort's matters: closed (on time and late) and still open."""
    if frame.empty:
        return _empty(lang)
    rows = frame.to_dict("records")[::-1]
    keys = [int(r["dept_id"]) for r in rows]
    labels = [department_label(r["dept_id"], r["name"], r["name_en"], lang) for r in rows]
    custom = [[k, lbl] for k, lbl in zip(keys, labels)]
    chosen = af.selected(selection, "dept")
    opacity = [1.0 if chosen is None or k == chosen else DIMMED for k in keys]
    parts = (("on_time", [int(r["closed_on_time"]) for r in rows], "#2f9e55"),
             ("late", [int(r["closed"]) - int(r["closed_on_time"]) for r in rows], "#f0b400"),
             ("open", [int(r["received"]) - int(r["closed"]) for r in rows], "#2f6db0"))
    data = [{"type": "bar", "orientation": "h", "y": labels, "x": values, "name": t(f"an.dept.{part}", lang),
             "customdata": custom, "marker": {"color": colour, "opacity": opacity,
                                              "line": {"width": [2 if k == chosen else 0 for k in keys],
                                                       "color": SELECTED_COLOUR}},
             "hovertemplate": "%{y}<br>" + t(f"an.dept.{part}", lang) + " %{x}<extra></extra>"}
            for part, values, colour in parts]
    layout = _hbar_layout(len(rows), lang, "departments", barmode="stack",
                          legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "font": {"size": 11}},
                          margin={"l": 8, "r": 12, "t": 30, "b": 8})
    layout["showlegend"] = True
    layout["height"] = max(200, 60 + 24 * len(rows))
    return go.Figure({"data": data, "layout": layout})


# -- handling time -----------------------------------------------------------------------------
def handling_frame(reader: Reader, view: AnalysisView, group_by: str) -> pd.DataFrame:
    group_by = group_by if group_by in HANDLING_GROUPS else "major"
    return reader.run("analysis/handling_time", **view.cohort(), group_by=group_by)


def handling_figure(frame: pd.DataFrame, group_by: str, lang: str, max_groups: int = 15) -> go.Figure:
    """Working hours from dispatch to feedback per group, as boxes: 25–75 % box, median
    line, whiskers at 10 and 90 %, the mean dashed; the label counts and the on-time share."""
    frame = frame[frame["handled"] > 0].head(max_groups) if not frame.empty else frame
    if frame.empty:
        return _empty(lang)
    kind = {"department": "department"}.get(group_by, group_by)
    rows = frame.to_dict("records")[::-1]
    labels = [t("an.handling.label", lang,
                name=series_label(kind, r["group_key"], r["group_name"], r["group_name_en"], lang),
                n=fmt_count(r["handled"]), share=_pct(r["handled_on_time"] / r["handled"], 0)) for r in rows]
    r2 = lambda key: [round(float(r[key]), 2) for r in rows]  # noqa: E731
    trace = {"type": "box", "orientation": "h", "y": labels, "q1": r2("p25"), "median": r2("p50"), "q3": r2("p75"),
             "lowerfence": r2("p10"), "upperfence": r2("p90"), "mean": r2("mean_hours"),
             "boxmean": True, "fillcolor": "rgba(47,109,176,0.25)", "line": {"color": BAR_COLOUR, "width": 1.5},
             "name": t("an.handling.hours", lang), "hoverinfo": "x+y"}
    top = max(r2("p90")) if rows else 1
    layout = _layout(height=max(200, 40 + 30 * len(rows)), showlegend=False, uirevision=f"handling-{group_by}",
                     xaxis={"title": {"text": t("an.handling.hours", lang), "font": {"size": 11}},
                            "gridcolor": "#e6eaef", "rangemode": "tozero", "range": [0, top * 1.08]},
                     yaxis={"automargin": True, "tickfont": {"size": 11.5}})
    return go.Figure({"data": [trace], "layout": layout})


# -- satisfaction --------------------------------------------------------------------------------
SATISFACTION_MEASURES = ("satisfied", "basic_satisfied", "unsatisfied")


def satisfaction_frame(reader: Reader, view: AnalysisView, grain: str) -> pd.DataFrame:
    return reader.run("analysis/satisfaction", **view.cohort(), grain=grain if grain in GRAINS else "week")


def satisfaction_rate(row: dict[str, Any], config: AnalysisConfig) -> tuple[float, float]:
    """(numerator, denominator) of 满意率 by the configured rule (基本满意 counts as configured)."""
    rule = config.indicator("satisfaction_rate")
    measures = {**{m: float(row.get(m) or 0) for m in SATISFACTION_MEASURES}}
    measures["rated"] = sum(measures[m] for m in SATISFACTION_MEASURES)
    side = lambda coefs: sum(c * measures.get(m, 0.0) for m, c in coefs.items())  # noqa: E731
    return side(rule.numerator), side(rule.denominator)


def satisfaction_figure(frame: pd.DataFrame, grain: str, config: AnalysisConfig, lang: str) -> go.Figure:
    """Per period (by the day received): the follow-up answers stacked, and the 满意率 line."""
    if frame.empty or int(frame[list(SATISFACTION_MEASURES)].to_numpy().sum()) == 0:
        return empty_figure(t("an.satisfaction.none", lang), 260)
    x = [pd.Timestamp(p).isoformat() for p in frame["period"]]
    rows = frame.to_dict("records")
    data = [{"type": "bar", "x": x, "y": [int(r[m]) for r in rows], "name": t(f"an.satisfaction.{m}", lang),
             "marker": {"color": SATISFACTION_COLOURS[m]},
             "hovertemplate": "%{x|%Y-%m-%d}<br>" + t(f"an.satisfaction.{m}", lang) + " %{y}<extra></extra>"}
            for m in SATISFACTION_MEASURES]
    rates = []
    for r in rows:
        num, den = satisfaction_rate(r, config)
        rates.append(round(100 * num / den, 1) if den > 0 else None)
    data.append({"type": "scatter", "mode": "lines+markers", "x": x, "y": rates, "yaxis": "y2",
                 "name": t("an.satisfaction.rate", lang), "line": {"color": SELECTED_COLOUR, "width": 2},
                 "marker": {"size": 5}, "connectgaps": False,
                 "hovertemplate": "%{x|%Y-%m-%d}<br>" + t("an.satisfaction.rate", lang) + " %{y}%<extra></extra>"})
    tick = {"day": "%m-%d", "week": "%m-%d", "month": "%Y-%m"}.get(grain, "%m-%d")
    layout = _layout(barmode="stack", height=260, bargap=0.2, uirevision=f"satisfaction-{grain}",
                     xaxis={"type": "date", "tickformat": tick},
                     yaxis={"title": {"text": t("an.satisfaction.axis", lang), "font": {"size": 11}},
                            "gridcolor": "#e6eaef", "rangemode": "tozero", "tickformat": "d"},
                     yaxis2={"overlaying": "y", "side": "right", "range": [0, 105], "ticksuffix": "%",
                             "tickmode": "array", "tickvals": [0, 25, 50, 75, 100], "showgrid": False},
                     legend={"orientation": "h", "y": -0.12, "yanchor": "top", "x": 0, "font": {"size": 11}},
                     margin={"l": 8, "r": 8, "t": 8, "b": 8})
    return go.Figure({"data": data, "layout": layout})


# -- the grid map ---------------------------------------------------------------------------------
def map_hovertemplate(lang: str) -> str:
    return ("<b>%{properties.name}</b><br>"
            f"{t('map.hover.code', lang)} %{{properties.code}}<br>"
            f"{t('map.hover.village', lang)} %{{properties.village_name}}<br>"
            f"{t('an.received', lang)} %{{z}}<extra></extra>")


def map_colouring(reader: Reader, view: AnalysisView, cell_ids: list[int], lang: str) -> dict[str, Any]:
    """The grid's colouring by the cohort's matters per cell (not narrowed by the clicked
    cell, which is outlined instead), in the order of ``cell_ids``."""
    counts = reader.run("analysis/cells", **view.cohort(["cell"])).set_index("cell_id")["received"]
    values = counts.reindex([int(c) for c in cell_ids]).fillna(0).astype(int).tolist()
    colouring = maptraces.count_colouring(values, scale="open", title=t("an.map.colorbar", lang))
    return {**colouring, "marker": highlight_marker(cell_ids, af.selected(view.selection, "cell")),
            "hovertemplate": map_hovertemplate(lang)}


def map_figure(reader: Reader, view: AnalysisView, lang: str, *, tile_url: str = "",
               tile_attribution: str = "") -> tuple[go.Figure, list[int]]:
    geometry = map_geometry(reader, view.scope)
    update = map_colouring(reader, view, geometry.cell_ids, lang)
    colouring = {k: update[k] for k in ("z", "zmin", "zmax", "colorscale", "colorbar")}
    grid = maptraces.grid_choropleth(geometry.geojson, geometry.cell_ids, colouring,
                                     hovertemplate=update["hovertemplate"])
    grid.marker = update["marker"]
    layout = maptraces.map_layout(geometry.bounds, tile_url=tile_url, tile_attribution=tile_attribution,
                                  height_px=420, uirevision="analysis-map")
    layout.clickmode = "event"
    figure = go.Figure([grid, maptraces.village_outlines(geometry.villages, t("map.villages", lang)),
                        maptraces.township_outline(geometry.township, t("map.township", lang))], layout=layout)
    return figure, geometry.cell_ids


def click_label(reader: Reader, scope: Iterable[int], dim: str, value: Any, lang: str) -> str:
    """The chip's text for a clicked value whose chart does not carry its name."""
    if dim == "cell":
        return cell_label(reader, scope, value)
    if dim == "week_hour":
        return week_hour_label(value, lang)
    return str(value)


def cell_label(reader: Reader, scope: Iterable[int], cell_id: int) -> str:
    """A cell's name and village, for its chip."""
    for feature in map_geometry(reader, scope).geojson.get("features", []):
        if int(feature.get("id", -999)) == int(cell_id):
            props = feature.get("properties", {})
            return f"{plain(props.get('name'))} ({plain(props.get('code'))})"
    return str(cell_id)


# -- filter options ----------------------------------------------------------------------------------
def filter_options(reader: Reader, scope: Iterable[int], lang: str) -> dict[str, list[dict]]:
    """Every dropdown's options; cells and 小类 carry their village / 大类 for narrowing."""
    scope = list(scope)
    villages = reader.run("reference/villages", scope=scope)
    cells = reader.run("reference/cells", scope=scope)
    majors = reader.run("reference/majors")
    categories = reader.run("analysis/category_tree")
    depts = reader.run("reference/departments")
    return {
        "villages": [{"label": plain(n), "value": int(v)} for v, n in zip(villages["village_id"], villages["name"])],
        "cells": [{"label": f"{plain(n)} · {plain(c)[-3:]}", "value": int(i), "village": int(v)}
                  for i, n, c, v in zip(cells["cell_id"], cells["name"], cells["code"], cells["village_id"])],
        "majors": [{"label": f"{code} {pick(zh, en, lang)}", "value": code}
                   for code, zh, en in zip(majors["major_code"], majors["major_name"], majors["major_name_en"])],
        "categories": [{"label": f"{code} {pick(zh, en, lang)}", "value": int(cid), "major": major}
                       for cid, code, zh, en, major in zip(categories["category_id"], categories["code"],
                                                           categories["name"], categories["name_en"],
                                                           categories["major_code"])],
        "sources": [{"label": name_of("source", s, lang), "value": s}
                    for s in reader.run("reference/sources")["source"]],
        "depts": [{"label": pick(zh, en, lang), "value": int(d)}
                  for d, zh, en in zip(depts["dept_id"], depts["name"], depts["name_en"])]
                 + [{"label": t("filter.unassigned", lang), "value": UNPLACED}],
    }


def narrow_options(options: list[dict], parent_key: str, parents: list | None) -> list[dict]:
    """The tree: cells of the chosen villages, 小类 of the chosen 大类 (all when none is
    chosen); the parent key is dropped (a dropdown option takes label and value)."""
    chosen = set(parents or [])
    return [{"label": o["label"], "value": o["value"]} for o in options
            if not chosen or o.get(parent_key) in chosen]


def shown_options(options: dict[str, list[dict]], chosen: dict[str, list | None]) -> dict[str, list[dict]]:
    """What each dropdown lists given the values chosen: the tree narrowed, parents dropped."""
    plain_options = lambda items: [{"label": o["label"], "value": o["value"]} for o in items]  # noqa: E731
    return {
        "villages": plain_options(options["villages"]), "majors": plain_options(options["majors"]),
        "sources": plain_options(options["sources"]), "depts": plain_options(options["depts"]),
        "cells": narrow_options(options["cells"], "village", chosen.get("villages")),
        "categories": narrow_options(options["categories"], "major", chosen.get("majors")),
    }


def prune_values(values: list | None, options: list[dict]) -> list:
    """The chosen values still among ``options`` (a village unticked drops its cells)."""
    allowed = {o["value"] for o in options}
    return [v for v in (values or []) if v in allowed]


# -- the indicators table --------------------------------------------------------------------------
def indicators_frame(reader: Reader, view: AnalysisView, config: AnalysisConfig, group_by: str) -> pd.DataFrame:
    group_by = group_by if group_by in INDICATOR_GROUPS else "township"
    return reader.run("indicators/by_group", **view.indicator_filters(), now=view.now, group_by=group_by,
                      **config.indicator_params())


def _count_text(value: Any) -> str:
    value = _number(value)
    if value is None:
        return ""
    return f"{value:,.0f}" if abs(value - round(value)) < 1e-9 else f"{value:,.1f}"


def indicator_value_text(value: Any, unit: str, lang: str) -> str:
    value = _number(value)
    if value is None:
        return t("an.ind.no_denominator", lang)
    if unit == "work_hours":
        return t("an.ind.hours", lang, n=f"{value:.1f}")
    return f"{100 * value:.1f}%"


def indicator_rows(frame: pd.DataFrame, config: AnalysisConfig, group_by: str, lang: str) -> list[dict[str, Any]]:
    """One row per group × indicator: the value beside its numerator, denominator and the
    rule of the denominator (DOMAIN.md §7: show them beside each rate)."""
    kind = {"department": "department", "township": "all"}.get(group_by, group_by)
    known = {i.key: i for i in config.indicators}
    rows = []
    for r in frame.to_dict("records"):
        ind = known.get(r["indicator"])
        if ind is None:
            continue
        value = _number(r["value"])
        rows.append({
            "group_key": plain(r["group_key"]),
            "group": series_label(kind, r["group_key"], r["group_name"], r["group_name_en"], lang),
            "indicator_key": ind.key,
            "indicator": pick(ind.name, ind.name_en, lang),
            "value": None if value is None else round(value, 6),
            "value_text": indicator_value_text(value, ind.unit, lang),
            "unit": t(f"an.unit.{ind.unit}", lang),
            "numerator": round(float(r["numerator"]), 3),
            "denominator": round(float(r["denominator"]), 3),
            "numerator_text": _count_text(r["numerator"]),
            "denominator_text": _count_text(r["denominator"]),
            "rule": ind.denominator_rule,
        })
    return rows


def indicator_columns(lang: str) -> list[dict[str, Any]]:
    text = {"filter": "agTextColumnFilter", "floatingFilter": True}
    number = {"filter": "agNumberColumnFilter", "type": "rightAligned"}
    return [
        {"headerName": t("an.ind.group", lang), "field": "group", "minWidth": 130, "pinned": "left", **text},
        {"headerName": t("an.ind.indicator", lang), "field": "indicator", "minWidth": 130, **text},
        {"headerName": t("an.ind.value", lang), "field": "value", "minWidth": 100,
         "valueFormatter": {"function": "params.data ? params.data.value_text : ''"}, **number},
        {"headerName": t("an.ind.numerator", lang), "field": "numerator", "minWidth": 90,
         "valueFormatter": {"function": "params.data ? params.data.numerator_text : ''"}, **number},
        {"headerName": t("an.ind.denominator", lang), "field": "denominator", "minWidth": 90,
         "valueFormatter": {"function": "params.data ? params.data.denominator_text : ''"}, **number},
        {"headerName": t("an.ind.rule", lang), "field": "rule", "minWidth": 180, "flex": 1, **text},
    ]


def indicator_export_columns(lang: str) -> list[Column]:
    return [Column("group", t("an.ind.group", lang)), Column("indicator", t("an.ind.indicator", lang)),
            Column("value", t("an.ind.value_raw", lang)), Column("unit", t("an.ind.unit", lang)),
            Column("numerator", t("an.ind.numerator", lang)), Column("denominator", t("an.ind.denominator", lang)),
            Column("rule", t("an.ind.rule", lang))]


# -- the department ranking ---------------------------------------------------------------------------
def ranking_frame(reader: Reader, view: AnalysisView, config: AnalysisConfig) -> pd.DataFrame:
    return reader.run("indicators/department_ranking", **view.indicator_filters(), now=view.now,
                      **config.indicator_params(), **config.score_params())


def _day(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _round(value: Any, digits: int = 1) -> float | None:
    value = _number(value)
    return None if value is None else round(value, digits)


def _int(value: Any) -> int | None:
    value = _number(value)
    return None if value is None else int(value)


def ranking_rows(frame: pd.DataFrame, config: AnalysisConfig, lang: str) -> list[dict[str, Any]]:
    """Departments best first: rank, score, its terms' rates, volume; 环比 and 同比 as the
    previous and last year's score and rank, and the change of score."""
    rows = []
    for r in frame.to_dict("records"):
        terms = {term["indicator"]: term for term in (r["terms"] if r["terms"] is not None else [])}
        row = {"dept_id": int(r["dept_id"]), "dept": pick(r["name"], r["name_en"], lang),
               "rank": _int(r["rank"]), "score": _round(r["score"]), "volume": _int(r["volume"]),
               "volume_score": _round(r["volume_score"]),
               "prev_rank": _int(r["prev_rank"]), "prev_score": _round(r["prev_score"]),
               "mom_change": _round(r["mom_change"]),
               "yoy_rank": _int(r["yoy_rank"]), "yoy_score": _round(r["yoy_score"]),
               "yoy_change": _round(r["yoy_change"])}
        for term in config.score_terms:
            item = terms.get(term.indicator) or {}
            row[f"term_{term.indicator}"] = _round(item.get("value"), 4)
            row[f"term_{term.indicator}_text"] = _pct(item.get("value"))
        rows.append(row)
    return rows


def ranking_periods(frame: pd.DataFrame) -> dict[str, str]:
    if frame.empty:
        return {}
    first = frame.iloc[0]
    return {"prev": f"{_day(first['prev_from'])} – {_day(first['prev_to'])}",
            "yoy": f"{_day(first['yoy_from'])} – {_day(first['yoy_to'])}"}


CHANGE_CLASSES = {"change-up": "params.value > 0", "change-down": "params.value < 0"}


def ranking_columns(config: AnalysisConfig, lang: str) -> list[dict[str, Any]]:
    number = {"filter": "agNumberColumnFilter", "type": "rightAligned"}
    signed = {"valueFormatter": {"function": "params.value == null ? '—' : (params.value > 0 ? '+' : '') "
                                             "+ params.value.toFixed(1)"},
              "cellClassRules": CHANGE_CLASSES, **number}
    columns: list[dict[str, Any]] = [
        {"headerName": t("an.rank.rank", lang), "field": "rank", "minWidth": 64, "pinned": "left", **number},
        {"headerName": t("an.rank.dept", lang), "field": "dept", "minWidth": 150, "pinned": "left",
         "filter": "agTextColumnFilter", "tooltipField": "dept"},
        {"headerName": t("an.rank.score", lang), "field": "score", "minWidth": 90,
         "valueFormatter": {"function": "params.value == null ? '—' : params.value.toFixed(1)"}, **number},
    ]
    for term in config.score_terms:
        ind = config.indicator(term.indicator)
        columns.append({"headerName": pick(ind.name, ind.name_en, lang), "field": f"term_{term.indicator}",
                        "minWidth": 100,
                        "valueFormatter": {"function": f"params.data ? params.data['term_{term.indicator}_text'] : ''"},
                        "headerTooltip": t("an.rank.weight", lang, weight=f"{term.weight:g}"), **number})
    columns += [
        {"headerName": t("an.rank.volume", lang), "field": "volume", "minWidth": 80, **number},
        {"headerName": t("an.rank.prev_score", lang), "field": "prev_score", "minWidth": 90,
         "valueFormatter": {"function": "params.value == null ? '—' : params.value.toFixed(1)"}, **number},
        {"headerName": t("an.rank.mom", lang), "field": "mom_change", "minWidth": 80, **signed},
        {"headerName": t("an.rank.yoy_score", lang), "field": "yoy_score", "minWidth": 90,
         "valueFormatter": {"function": "params.value == null ? '—' : params.value.toFixed(1)"}, **number},
        {"headerName": t("an.rank.yoy", lang), "field": "yoy_change", "minWidth": 80, **signed},
        {"headerName": t("an.rank.prev_rank", lang), "field": "prev_rank", "minWidth": 80, **number},
        {"headerName": t("an.rank.yoy_rank", lang), "field": "yoy_rank", "minWidth": 80, **number},
    ]
    return columns


def ranking_export_columns(config: AnalysisConfig, lang: str) -> list[Column]:
    columns = [Column("rank", t("an.rank.rank", lang)), Column("dept", t("an.rank.dept", lang)),
               Column("score", t("an.rank.score", lang))]
    columns += [Column(f"term_{term.indicator}", pick(config.indicator(term.indicator).name,
                                                      config.indicator(term.indicator).name_en, lang))
                for term in config.score_terms]
    columns += [Column("volume", t("an.rank.volume", lang)), Column("volume_score", t("an.rank.volume_score", lang)),
                Column("prev_rank", t("an.rank.prev_rank", lang)), Column("prev_score", t("an.rank.prev_score", lang)),
                Column("mom_change", t("an.rank.mom", lang)), Column("yoy_rank", t("an.rank.yoy_rank", lang)),
                Column("yoy_score", t("an.rank.yoy_score", lang)), Column("yoy_change", t("an.rank.yoy", lang))]
    return columns


# -- exports --------------------------------------------------------------------------------------------
EXPORT_TABLES = ("indicators", "ranking")


def export_table(reader: Reader, view: AnalysisView, config: AnalysisConfig, table: str, lang: str, *,
                 group_by: str = "township") -> tuple[list[Column], list[dict[str, Any]], str]:
    """(columns, rows, file stem) of a table as the page shows it now."""
    period = f"{view.filters.from_day:%Y%m%d}-{view.filters.to_day:%Y%m%d}"
    if table == "indicators":
        rows = indicator_rows(indicators_frame(reader, view, config, group_by), config, group_by, lang)
        return indicator_export_columns(lang), rows, f"indicators-{group_by}-{period}"
    if table == "ranking":
        rows = ranking_rows(ranking_frame(reader, view, config), config, lang)
        return ranking_export_columns(config, lang), rows, f"department-ranking-{period}"
    raise ValueError(f"no table {table!r}")


# -- what the page says ------------------------------------------------------------------------------
def summary_text(reader: Reader, view: AnalysisView, lang: str) -> str:
    """"2026-10-28 – 2026-11-26 · 受理 8,553 件" for the toolbar."""
    total = int(reader.run("analysis/sources", **view.cohort())["received"].sum())
    return t("an.summary", lang, start=view.filters.from_day.isoformat(), end=view.filters.to_day.isoformat(),
             n=fmt_count(total))


def week_hour_note(selection: dict | None, lang: str) -> str | None:
    """The indicator tables count by day: an hour-of-week click cannot narrow them."""
    return t("an.ind.week_hour_note", lang) if af.selected(selection, "week_hour") is not None else None



def notice_kind(reader: Reader, view: AnalysisView) -> str | None:
    """Why the panels may be empty: "filtered" (the filters or clicks match nothing), "none"
    (nothing was received in the period at all), or None."""
    if int(reader.run("analysis/sources", **view.cohort())["received"].sum()) > 0:
        return None
    if view.filters.active or view.selection:
        return "filtered"
    return "none"


def ranking_note(frame: pd.DataFrame, selection: dict | None, lang: str) -> str:
    """Which periods 环比 and 同比 compare with (and the hour-of-week caveat)."""
    periods = ranking_periods(frame)
    parts = [t("an.rank.periods", lang, prev=periods["prev"], yoy=periods["yoy"])] if periods else []
    note = week_hour_note(selection, lang)
    if note:
        parts.append(note)
    return " · ".join(parts)


# -- the cross-filter's state machine ------------------------------------------------------------
def next_selection(selection: dict | None, triggered_id: Any, clicks: dict[str, dict | None],
                   chip_inputs: list[dict[str, Any]], breakdown: str | None, *, graph_ids: dict[str, str],
                   clear_all_id: str, label_of: Callable[[str, Any], str]) -> dict | None:
    """The cross-filter after one event: a chart click toggles its value, a chip's button
    clears its dimension, the clear-all button everything. None: nothing changes."""
    selection = dict(selection or {})
    if triggered_id == clear_all_id:
        return {} if selection else None
    if isinstance(triggered_id, dict):
        button = common.clicked(triggered_id, chip_inputs)
        if button is None or button.get("dim") not in selection:
            return None
        return af.clear(selection, button["dim"])
    chart = next((name for name, id_ in graph_ids.items() if id_ == triggered_id), None)
    if chart is None:
        return None
    picked = click_selection(chart, clicks.get(chart), breakdown=breakdown)
    if picked is None:
        return None
    dim, value, label = picked
    return af.toggle(selection, dim, value, label or label_of(dim, value))
