"""What the big screen (大屏, ``/screen``) shows, as pure functions of the data: the
township's name, the KPI numbers (the overview's, with their definitions), the grid map in
lights with the Gi* hot cells outlined, the matters that call for the desk (new red or
urgent ones), the rolling list of the latest matters and warnings, the department ranking
(综合指标值), the 7-day trend with the next 7 days' forecast and its band, and the source mix.

Everything is drawn for a dark room: light ink on a dark ground, colours from the
Okabe–Ito set (told apart with red-green colour blindness, see ``LIGHT_COLOURS``), and
every light also carries its name. No HTML here (``dashboard/pages/screen.py`` lays out).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterable

import pandas as pd
import plotly.graph_objects as go

from dashboard.i18n import name_of, pick, plain, t
from dashboard.reader import Reader
from dashboard.views import forecast as fc
from dashboard.views import overview as ov
from dashboard.views.analysis_filters import AnalysisFilters, AnalysisView, cohort_params
from dashboard.views.analysis_tables import ranking_frame
from dashboard.views.common import map_geometry, number, percent
from dashboard.views.warnings import hotspot_frame
from layers import maptraces
from queries.analysis_config import AnalysisConfig

FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif'
INK, MUTED, GRID = "#e8eef5", "#9fb0c3", "rgba(255,255,255,0.12)"
GROUND = "#0b1626"
# The lights on the dark map: vermillion, yellow and bluish green of the Okabe–Ito set
# (distinct under deuteranopia and protanopia: ``tests/test_screen.py`` checks the
# simulated colours' distances), greys for paused, no limit and empty cells.
LIGHT_COLOURS = {"empty": "#1d2c40", "none": "#5a6b80", "paused": "#8a9bb0",
                 "green": "#009e73", "yellow": "#f0e442", "red": "#d55e00"}
# Every light also has its shape and its word: colour is never the only sign.
LIGHT_ICONS = {"red": "▲", "yellow": "◆", "green": "●", "paused": "Ⅱ", "none": "○", "warning": "⚑"}
HOT_LINE = "#ffffff"
RANKING_ROWS = 7
TICKER_MATTERS = 16
TICKER_WARNINGS = 8
ALERT_LIMIT = 6
MAP_SIZE = (760, 736)        # px on the 1920×1080 canvas


# -- header ---------------------------------------------------------------------------------
def township_name(reader: Reader, scope: Iterable[int], lang: str) -> str:
    outlines = reader.run("reference/outlines", scope=list(scope))
    names = [plain(n) for n, lvl in zip(outlines["name"], outlines["level"]) if lvl == "township"]
    return names[0] if names else t("app.title", lang)


# -- KPIs -----------------------------------------------------------------------------------
SCREEN_KPIS = ("received_today", "closed_today", "open", "overdue", "due_soon", "on_time_rate", "satisfaction")


def kpis(reader: Reader, scope: Iterable[int], now: datetime, yellow_share: float, lang: str) -> dict[str, Any]:
    """key → (number, detail line with its definition: numerator / denominator)."""
    view = ov.View(scope=tuple(scope), now=now, yellow_share=yellow_share)
    shown = ov.kpi_display(ov.kpi_values(reader, view), lang, yellow_share)
    for key in ("on_time_rate", "satisfaction"):
        shown[key] = (shown[key][0], t("scr.kpi.last30", lang, detail=shown[key][1]))
    return shown


# -- the map --------------------------------------------------------------------------------
def _light_colouring(lights: list[str | None], lang: str) -> dict[str, Any]:
    colouring = maptraces.light_colouring(lights, labels=ov.light_labels(lang), title=t("map.colorbar.light", lang))
    n = len(maptraces.LIGHTS)
    scale = []
    for i, light in enumerate(maptraces.LIGHTS):
        scale += [[i / n, LIGHT_COLOURS[light]], [(i + 1) / n, LIGHT_COLOURS[light]]]
    colouring["colorscale"] = scale
    colouring["colorbar"] = {**colouring["colorbar"], "tickfont": {"color": INK, "size": 16},
                             "title": {"text": t("map.colorbar.light", lang), "font": {"color": INK, "size": 16}},
                             "len": 0.5, "thickness": 14, "x": 0.99, "bgcolor": "rgba(11,22,38,0.6)"}
    return colouring


def map_colouring(reader: Reader, scope: Iterable[int], now: datetime, yellow_share: float, lang: str,
                  cell_ids: list[int]) -> dict[str, Any]:
    """The grid trace's colouring by the worst light of each cell, with hover text."""
    view = ov.View(scope=tuple(scope), now=now, yellow_share=yellow_share)
    update = ov.map_colouring(reader, view, "light", lang, cell_ids)
    light_of = {v: k for k, v in ov.light_labels(lang).items()}
    lights = [light_of.get(row[3]) for row in update["customdata"]]
    lights = [None if light == "empty" else light for light in lights]
    return {**_light_colouring(lights, lang), "customdata": update["customdata"],
            "hovertemplate": update["hovertemplate"]}


def hot_cells(reader: Reader, config: AnalysisConfig, now: datetime, scope: Iterable[int]) -> list[int]:
    """Cells hot at 95 % or more (Gi* z ≥ 1.96) today."""
    frame = hotspot_frame(reader, config, now, scope, config.warnings.get("gi_metric", "count"))
    if frame.empty:
        return []
    return sorted(int(c) for c, z in zip(frame["cell_id"], frame["statistic"]) if float(z) >= 1.96)


def _ground_layer(bounds: tuple[float, float, float, float] | None) -> list[dict[str, Any]]:
    """A dark rectangle under the traces: the map's offline style is white."""
    if bounds is None:
        return []
    x0, y0, x1, y1 = bounds
    dx, dy = (x1 - x0) * 4 + 0.5, (y1 - y0) * 4 + 0.5
    ring = [[x0 - dx, y0 - dy], [x1 + dx, y0 - dy], [x1 + dx, y1 + dy], [x0 - dx, y1 + dy], [x0 - dx, y0 - dy]]
    return [{"sourcetype": "geojson", "source": {"type": "Feature", "properties": {},
                                                   "geometry": {"type": "Polygon", "coordinates": [ring]}},
             "type": "fill", "color": GROUND, "below": "traces"}]


def map_figure(reader: Reader, config: AnalysisConfig, scope: Iterable[int], now: datetime, yellow_share: float,
               lang: str, *, tile_url: str = "", tile_attribution: str = "") -> tuple[go.Figure, list[int]]:
    scope = list(scope)
    geometry = map_geometry(reader, scope)
    update = map_colouring(reader, scope, now, yellow_share, lang, geometry.cell_ids)
    colouring = {k: update[k] for k in ("z", "zmin", "zmax", "colorscale", "colorbar")}
    grid = maptraces.grid_choropleth(geometry.geojson, geometry.cell_ids, colouring,
                                     customdata=update["customdata"], hovertemplate=update["hovertemplate"])
    grid.marker.line.color = "rgba(11,22,38,0.9)"
    hot = hot_cells(reader, config, now, scope)
    hot_trace = go.Choroplethmap(
        geojson=geometry.geojson, featureidkey="id", locations=hot, z=[1] * len(hot),
        colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale=False, hoverinfo="skip",
        marker={"line": {"width": 3.5, "color": HOT_LINE}}, name=t("scr.map.hot", lang), showlegend=False)
    layout = maptraces.map_layout(geometry.bounds, tile_url=tile_url, tile_attribution=tile_attribution,
                                  width_px=MAP_SIZE[0], height_px=MAP_SIZE[1], uirevision="screen-map")
    if not tile_url:
        layout.map.layers = _ground_layer(geometry.bounds)
    layout.hoverlabel = {"bgcolor": GROUND, "font": {"size": 16, "color": INK}}
    figure = go.Figure([grid, hot_trace,
                        maptraces.outline_trace(geometry.villages, name=t("map.villages", lang), color="#9fb0c3",
                                                width=1.6),
                        maptraces.outline_trace(geometry.township, name=t("map.township", lang), color=INK,
                                                width=3.0)], layout=layout)
    return figure, geometry.cell_ids


def map_update(reader: Reader, config: AnalysisConfig, scope: Iterable[int], now: datetime, yellow_share: float,
               lang: str, cell_ids: list[int]) -> dict[int, dict[str, Any]]:
    """What a refresh changes on the map, trace by trace (grid colouring, hot cells)."""
    hot = hot_cells(reader, config, now, scope)
    return {0: map_colouring(reader, scope, now, yellow_share, lang, cell_ids),
            1: {"locations": hot, "z": [1] * len(hot)}}


# -- the desk's attention: new red or urgent matters -------------------------------------------
def alerts(reader: Reader, scope: Iterable[int], now: datetime, yellow_share: float, lang: str,
           minutes_per_day: int) -> list[dict[str, Any]]:
    """Open matters that call for the desk and have not had its answer yet: an urgent
    matter not yet dispatched (still 受理), or an overdue (red) matter not yet supervised
    (督办). Either stays highlighted until the desk dispatches or supervises it."""
    view = ov.View(scope=tuple(scope), now=now, yellow_share=yellow_share)
    rows = ov.open_matter_rows(reader, view, lang, minutes_per_day)
    status_registered = name_of("status", "registered", lang)
    out = []
    for row in rows:
        urgent_new = row["urgent"] and row["status"] == status_registered
        red_unsupervised = row["light"] == "red" and not row["supervision"]
        if urgent_new or red_unsupervised:
            out.append({"id": row["matter_id"], "light": row["light"], "light_label": row["light_label"],
                        "kind": t("scr.alert.urgent" if urgent_new else "scr.alert.red", lang),
                        "text": f"{row['category']} · {row['village']} {row['cell']}",
                        "when": row["remaining_text"], "dept": row["dept"]})
    # newest urgent first, then the most overdue (rows come most urgent first)
    return out[:ALERT_LIMIT]


# -- the rolling list -------------------------------------------------------------------------
def ticker(reader: Reader, scope: Iterable[int], now: datetime, yellow_share: float, lang: str,
           handled_by: int | None = None) -> list[dict]:
    """The latest matters (newest first) and the active warnings, interleaved by time;
    ``handled_by``: a department user's department, whose matters alone it lists."""
    scope = list(scope)
    matters = reader.run("matters/list", scope=scope, handled_by=handled_by, statuses=None, lights=None, cells=None,
                         villages=None,
                         depts=None, sources=None, categories=None, created_from=now - timedelta(days=7),
                         created_to=now, now=now, yellow_share=float(yellow_share), limit=TICKER_MATTERS, offset=0)
    items = []
    for r in matters.to_dict("records"):
        light = plain(r["light"]) or ("closed" if r["status"] in ("closed", "voided") else "none")
        items.append({"key": f"m-{r['id']}", "kind": "matter", "at": pd.Timestamp(r["created_at"]),
                      "kind_label": name_of("source", r["source"], lang),
                      "light": light if light != "closed" else "none",
                      "light_label": name_of("status", r["status"], lang) if light == "closed"
                      else name_of("light", light, lang),
                      "text": " · ".join(x for x in (plain(r["category_name"]), plain(r["village"]),
                                                      plain(r["address"])) if x)})
    warnings = reader.run("warnings/active", scope=scope, methods=None, severities=None).head(TICKER_WARNINGS)
    for r in warnings.to_dict("records"):
        where = plain(r["cell_name"]) or plain(r["village_name"]) or pick(plain(r["dept_name"]),
                                                                           plain(r["dept_name_en"]), lang)
        what = pick(plain(r["category_name"]), plain(r["category_name_en"]), lang) or pick(
            plain(r["major_name"]), plain(r["major_name_en"]), lang)
        items.append({"key": f"w-{r['warning_key']}", "kind": "warning", "at": pd.Timestamp(r["last_seen"]),
                      "kind_label": t("scr.ticker.warning", lang), "light": "warning",
                      "light_label": t(f"wn.method.{r['method']}", lang),
                      "text": " · ".join(x for x in (where, what) if x)})
    items.sort(key=lambda i: i["at"], reverse=True)
    for item in items:
        item["at"] = item["at"].strftime("%m-%d %H:%M")
    return items


# -- ranking, trend and sources ----------------------------------------------------------------
def ranking(reader: Reader, config: AnalysisConfig, scope: Iterable[int], now: datetime, lang: str,
            days: int = 30) -> list[dict[str, str]]:
    """The best departments of the last ``days`` days by 综合指标值, with 环比."""
    view = AnalysisView(tuple(scope), AnalysisFilters(now.date() - timedelta(days=days - 1), now.date()), now)
    frame = ranking_frame(reader, view, config)
    rows = []
    for r in frame.head(RANKING_ROWS).to_dict("records"):
        change = number(r["mom_change"])
        rows.append({"rank": "—" if number(r["rank"]) is None else str(int(r["rank"])),
                     "dept": pick(r["name"], r["name_en"], lang),
                     "score": "—" if number(r["score"]) is None else f"{float(r['score']):.1f}",
                     "change": "—" if change is None else f"{change:+.1f}",
                     "trend": "up" if change and change > 0 else "down" if change and change < 0 else "flat"})
    return rows


def _dark_layout(height: int, **extra: Any) -> dict[str, Any]:
    return {"height": height, "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
            "font": {"family": FONT, "size": 18, "color": INK}, "margin": {"l": 8, "r": 24, "t": 8, "b": 8},
            **extra}


def trend_figure(reader: Reader, config: AnalysisConfig, scope: Iterable[int], now: datetime, lang: str,
                 height: int = 240) -> tuple[go.Figure, str]:
    """The last 7 days received and the next 7 days' forecast with its band; and the
    chart's text alternative."""
    series = fc.series_list(reader, list(scope), now, config, "township", lang, horizon_days=7, history_days=7)
    one = series[0] if series else None
    figure = fc.fan_figure(one, lang, dark=True, height=height, font_size=16)
    figure.update_layout(margin={"l": 48, "r": 16, "t": 8, "b": 36}, hovermode=False,
                         legend={"font": {"size": 13}, "y": 1.0, "yanchor": "bottom"})
    return figure, (fc.alt_text(one, lang) if one else t("wn.fc.none", lang))


def sources_figure(reader: Reader, scope: Iterable[int], now: datetime, lang: str, days: int = 30,
                   height: int = 260) -> go.Figure:
    view = AnalysisView(tuple(scope), AnalysisFilters(now.date() - timedelta(days=days - 1), now.date()), now)
    frame = reader.run("analysis/sources", **cohort_params(view.scope, view.filters, None))
    rows = frame.to_dict("records")[::-1]
    labels = [name_of("source", r["source"], lang) for r in rows]
    values = [int(r["received"]) for r in rows]
    top = max([1, *values])
    trace = {"type": "bar", "orientation": "h", "y": labels, "x": values, "marker": {"color": "#56b4e9"},
             "text": [f"{v:,} · {percent(r['share'])}" for v, r in zip(values, rows)], "textposition": "outside",
             "cliponaxis": False, "textfont": {"size": 20, "color": INK}, "hoverinfo": "skip"}
    layout = _dark_layout(height, xaxis={"visible": False, "range": [0, top * 1.45]},
                          yaxis={"tickfont": {"size": 22, "color": INK}, "automargin": True},
                          bargap=0.35, uirevision="screen-sources")
    return go.Figure({"data": [trace], "layout": layout})
