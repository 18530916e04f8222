"""The charts of the analysis page (分析研判, ``/analysis``), as pure functions of the data:
the trend, the hour-of-week heatmap, the top sub-categories, the source mix, the
departments, handling-time distributions, satisfaction and the grid map.

Every ``*_frame`` takes a ``Reader`` (named queries, cached on the data version) and an
``AnalysisView`` (whose matters, which filters and cross-filter, as of when); every
``*_figure`` turns a frame into a Plotly figure. Charts carry the value a click selects in
their ``customdata`` (``[value, label]``), which ``analysis_filters.click_selection`` reads back.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.i18n import name_of, pick, t
from dashboard.reader import UNPLACED, Reader
from dashboard.views import analysis_filters as af
from dashboard.views.analysis_filters import (
    BREAKDOWN_DIM,
    OTHER,
    AnalysisView,
    series_label,
    week_hour_label,
    weekday_label,
)
from dashboard.views.common import empty_figure, fmt_count, map_geometry, percent
from layers import maptraces
from layers.analysis_layers import highlight_marker
from queries.analysis_config import AnalysisConfig

GRAINS = ("day", "week", "month")
BREAKDOWNS = ("none", "major", "source", "department", "village")
HANDLING_GROUPS = ("major", "department", "source")
TOP_CATEGORIES = 12
TREND_SERIES = 8              # more series than this: the smallest are summed as "other"
FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif'
PALETTE = ("#2f6db0", "#e07b00", "#2f9e55", "#6a51a3", "#d7301f", "#17a2b8", "#8c6d31", "#c2185b",
           "#7a8aa0")
SATISFACTION_COLOURS = {"satisfied": "#2f9e55", "basic_satisfied": "#a6d96a", "unsatisfied": "#d7301f"}
SELECTED_COLOUR = "#13243a"
BAR_COLOUR = "#2f6db0"
DIMMED = 0.35


def _layout(**extra: Any) -> dict[str, Any]:
    base = {"paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
            "font": {"family": FONT, "size": 12}, "margin": {"l": 8, "r": 12, "t": 8, "b": 8},
            "hoverlabel": {"font": {"family": FONT}}, "clickmode": "event"}
    base.update(extra)
    return base


def _empty(lang: str, height: int = 260) -> go.Figure:
    return empty_figure(t("an.empty.cohort", lang), height)


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


def _hbar_layout(n: int, name: str, **extra: Any) -> dict:
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
             "text": [f"{int(r['received']):,} · {percent(r['share'])}" for r in rows], "textposition": "outside",
             "cliponaxis": False, "textfont": {"size": 11},
             "hovertemplate": "%{customdata[1]} (%{customdata[2]})<br>" + t("an.received", lang)
                              + " %{x}<extra></extra>"}
    top = max(int(r["received"]) for r in rows)
    return go.Figure({"data": [trace], "layout": _hbar_layout(len(rows), "categories",
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
             "text": [f"{int(r['received']):,} · {percent(r['share'])}" for r in rows], "textposition": "outside",
             "cliponaxis": False, "textfont": {"size": 11},
             "hovertemplate": "%{y}<br>" + t("an.received", lang) + " %{x}<extra></extra>"}
    return go.Figure({"data": [trace], "layout": _hbar_layout(len(rows), "sources",
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
    layout = _hbar_layout(len(rows), "departments", barmode="stack",
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
                n=fmt_count(r["handled"]), share=percent(r["handled_on_time"] / r["handled"], 0)) for r in rows]
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
