"""What the drill-down pages show (村/社区 ``/area/<code>``, 网格 ``/cell/<code>``, 事项
``/matter/<id>``), as pure functions of a ``Reader`` and plain values; no HTML.

Every read takes the viewer's scope: a code or id outside it finds nothing, exactly as an
unknown one does, so a page cannot tell a village that exists from one that does not. A
level's KPI tiles are the overview's (``overview.kpi_display``) over the viewer's scope
intersected with the village or the cell.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go

from dashboard.i18n import name_of, pick, plain, t
from dashboard.reader import Reader
from dashboard.views import desk, overview
from dashboard.views import warnings as warning_views
from dashboard.views.common import empty_figure, fmt_count, map_geometry, remaining_text
from layers import maptraces
from layers.focus import feature_outline, features_bounds, padded_bounds, subset_features
from layers.heat import heat_trace
from layers.hot_cells import hot_cell_trace
from layers.matter_points import POINT_LIGHTS, matter_point_traces
from queries.analysis_config import load_analysis_config

# The map layers a user can switch on and off, in the switch's order; the default set.
LAYERS = ("cells", "villages", "points", "heat", "hot")
DEFAULT_LAYERS = ("cells", "villages", "points")
OPEN_LIST_LIMIT = 200
POINTS_LIMIT = 20_000
CELL_CODE_DIGITS = 15
VILLAGE_CODE_DIGITS = 12
MAX_MATTER_DIGITS = 18


# -- where we are ------------------------------------------------------------------------
@dataclass(frozen=True)
class Village:
    village_id: int
    code: str
    name: str
    cell_count: int


@dataclass(frozen=True)
class Cell:
    cell_id: int
    code: str
    name: str
    village_id: int
    village_code: str
    village_name: str
    worker_name: str
    worker_phone: str


def _digits(text: Any, size: int) -> str | None:
    text = str(text or "").strip()
    return text if text.isascii() and text.isdigit() and len(text) == size else None


def matter_number(text: Any) -> int | None:
    """A matter id from a URL: ASCII digits only, at most 18 of them; else None."""
    text = str(text or "").strip()
    if not (text.isascii() and text.isdigit() and 0 < len(text) <= MAX_MATTER_DIGITS):
        return None
    return int(text)


def find_village(reader: Reader, scope: Iterable[int], code: Any) -> Village | None:
    """The village with this 12-digit code in the viewer's scope, or None (unknown, malformed
    or outside the scope alike)."""
    code = _digits(code, VILLAGE_CODE_DIGITS)
    if code is None:
        return None
    frame = reader.run("drill/village", scope=list(scope), code=code)
    if frame.empty:
        return None
    r = frame.iloc[0]
    return Village(int(r["village_id"]), str(r["code"]), plain(r["name"]), int(r["cell_count"]))


def _cell(r: dict) -> Cell:
    return Cell(int(r["cell_id"]), str(r["code"]), plain(r["name"]), int(r["village_id"]), plain(r["village_code"]),
                plain(r["village_name"]), plain(r["worker_name"]), plain(r["worker_phone"]))


def find_cell(reader: Reader, scope: Iterable[int], code: Any) -> Cell | None:
    """The grid cell with this 15-digit code in the viewer's scope, or None."""
    code = _digits(code, CELL_CODE_DIGITS)
    if code is None:
        return None
    frame = reader.run("drill/cells", scope=list(scope), cells=[code])
    return None if frame.empty else _cell(frame.iloc[0].to_dict())


def village_cells(reader: Reader, scope: Iterable[int], village_id: int) -> list[Cell]:
    frame = reader.run("drill/cells", scope=list(scope), cells=None)
    frame = frame[frame["village_id"] == int(village_id)]
    return [_cell(r) for r in frame.to_dict("records")]


def cell_codes(reader: Reader, scope: Iterable[int]) -> dict[int, tuple[str, str]]:
    """cell id → (cell code, its village's code), for the cells in scope (map clicks)."""
    frame = reader.run("drill/cells", scope=list(scope), cells=None)
    return {int(c): (str(code), plain(v)) for c, code, v in zip(frame["cell_id"], frame["code"], frame["village_code"])}


# -- links -------------------------------------------------------------------------------
def href(path: str, lang: str) -> str:
    """A link within the app that keeps the page's language."""
    return f"{path}?{urlencode({'lang': lang})}" if lang == "en" else path


def area_href(code: str, lang: str) -> str:
    return href(f"/area/{code}", lang)


def cell_href(code: str, lang: str) -> str:
    return href(f"/cell/{code}", lang)


def matter_href(matter_id: Any, lang: str) -> str:
    return href(f"/matter/{matter_id}", lang)


def breadcrumb(lang: str, village: Village | None = None, cell: Cell | None = None,
               matter_id: str | None = None) -> list[tuple[str, str | None]]:
    """(label, link) from the township down to where we are; the last has no link."""
    crumbs: list[tuple[str, str | None]] = [(t("drill.crumb.township", lang), href("/", lang))]
    if village is not None:
        crumbs.append((village.name, area_href(village.code, lang)))
    if cell is not None:
        crumbs.append((f"{cell.name} ({cell.code})", cell_href(cell.code, lang)))
    if matter_id is not None:
        crumbs.append((t("drill.crumb.matter", lang, id=matter_id), matter_href(matter_id, lang)))
    label, _link = crumbs[-1]
    crumbs[-1] = (label, None)
    return crumbs


def click_target(click: dict | None, codes: dict[int, tuple[str, str]], lang: str, *, level: str) -> str | None:
    """Where a click on a drill map leads: a matter point to its page; a cell to its village's
    page on the township map (``level`` "township"), to the cell's page below it."""
    points = (click or {}).get("points") or []
    if not points:
        return None
    point = points[0]
    data = point.get("customdata")
    if isinstance(data, str) and matter_number(data) is not None:
        return matter_href(data, lang)
    location = point.get("location")
    try:
        cell_id = int(location)
    except (TypeError, ValueError):
        return None
    if cell_id not in codes:
        return None
    cell_code, village_code = codes[cell_id]
    if level == "township":
        return area_href(village_code, lang) if village_code else None
    return cell_href(cell_code, lang)


# -- the KPI strip -------------------------------------------------------------------------
def kpi_tiles(reader: Reader, scope: Iterable[int], now: datetime, yellow_share: float, lang: str, *,
              village_id: int, cell_id: int | None = None) -> dict[str, tuple[str, str]]:
    """The overview's tiles (key → big number, detail) over the scope ∩ the village (∩ the cell)."""
    row = reader.run("drill/kpis", scope=list(scope), villages=[int(village_id)],
                     cell_ids=[int(cell_id)] if cell_id is not None else None, now=now,
                     yellow_share=float(yellow_share)).iloc[0]
    values = {k: (None if isinstance(v, float) and math.isnan(v) else (v.item() if hasattr(v, "item") else v))
              for k, v in row.items()}
    return overview.kpi_display(values, lang, yellow_share)


# -- lists -----------------------------------------------------------------------------------
def _column(frame: pd.DataFrame, name: str) -> list:
    return frame[name].to_numpy(dtype=object, na_value=None).tolist()


def open_matters_frame(reader: Reader, scope: Iterable[int], now: datetime, yellow_share: float, *,
                       village_id: int, cell_id: int | None = None, limit: int = OPEN_LIST_LIMIT) -> pd.DataFrame:
    return reader.run("drill/open_matters", scope=list(scope), villages=[int(village_id)],
                      cell_ids=[int(cell_id)] if cell_id is not None else None, now=now,
                      yellow_share=float(yellow_share), limit=int(limit))


def open_matter_rows(frame: pd.DataFrame, lang: str, minutes_per_day: int) -> list[dict[str, Any]]:
    """The list's rows: the light (its name and the working time left: never colour alone),
    the matter's number and link, what, where, who."""
    if frame.empty:
        return []
    col = {n: _column(frame, n) for n in frame.columns}
    rows = []
    for i in range(len(frame)):
        light = plain(col["light"][i]) or "none"
        rest = col["remaining_min"][i]
        rest = None if rest is None or (isinstance(rest, float) and math.isnan(rest)) else int(rest)
        matter_id = str(int(col["matter_id"][i]))
        rows.append({
            "matter_id": matter_id,
            "href": matter_href(matter_id, lang),
            "light": light,
            "light_label": name_of("light", light, lang),
            "remaining_text": remaining_text(light, rest, minutes_per_day, lang),
            "category": pick(col["category_name"][i], col["category_name_en"][i], lang),
            "dept": (pick(col["dept_name"][i], col["dept_name_en"][i], lang) if col["dept_id"][i] is not None
                     else t("dept.unassigned", lang)),
            "status": name_of("status", plain(col["status"][i]), lang),
            "cell": plain(col["cell_name"][i]),
            "cell_code": plain(col["cell_code"][i]),
            "description": plain(col["description"][i]),
            "address": plain(col["address"][i]),
            "created_at": desk.time_text(col["created_at"][i]),
        })
    return rows


def cell_rows(reader: Reader, scope: Iterable[int], now: datetime, yellow_share: float, village_id: int,
              lang: str) -> list[dict[str, Any]]:
    """The village's cells with their grid worker and open / overdue counts, busiest first."""
    counts = reader.run("overview/open_by_cell", scope=list(scope), villages=[int(village_id)], sources=None,
                        majors=None, depts=None, now=now, yellow_share=float(yellow_share)).set_index("cell_id")
    rows = []
    for cell in village_cells(reader, scope, village_id):
        has = cell.cell_id in counts.index
        worst = plain(counts.at[cell.cell_id, "worst_light"]) if has else ""
        rows.append({
            "code": cell.code, "name": cell.name, "href": cell_href(cell.code, lang),
            "worker": cell.worker_name, "phone": cell.worker_phone,
            "open": int(counts.at[cell.cell_id, "open_count"]) if has else 0,
            "overdue": int(counts.at[cell.cell_id, "overdue_count"]) if has else 0,
            "light": worst or "empty",
            "light_label": name_of("light", worst, lang) if worst else t("light.empty", lang),
        })
    rows.sort(key=lambda r: (-r["overdue"], -r["open"], r["code"]))
    return rows


def cell_warning_rows(reader: Reader, scope: Iterable[int], cell: Cell, matter_ids: Iterable[str], lang: str,
                      minutes_per_day: int) -> list[dict[str, Any]]:
    """The active warnings about the cell, or about a matter or address in it."""
    frame = warning_views.active_frame(reader, scope)
    if frame.empty:
        return []
    ids = {int(m) for m in matter_ids}
    in_cell = frame["cell_id"].astype("Int64") == cell.cell_id
    about_matter = frame["matter_id"].astype("Int64").isin(list(ids)) if ids else in_cell & False
    return warning_views.warning_rows(frame[(in_cell | about_matter).fillna(False)].reset_index(drop=True),
                                      lang, minutes_per_day)


# -- the 30-day history ------------------------------------------------------------------------
def trend_figure(reader: Reader, scope: Iterable[int], now: datetime, lang: str, *, village_id: int,
                 cell_id: int | None = None) -> go.Figure:
    """Matters received (bars) and closed (line) a day over the last 30 days."""
    frame = reader.run("drill/trend", scope=list(scope), villages=[int(village_id)],
                       cell_ids=[int(cell_id)] if cell_id is not None else None, now=now)
    if frame.empty or not (frame["received"].sum() or frame["closed"].sum()):
        return empty_figure(t("drill.trend.empty", lang), height=240)
    days = [d.strftime("%m-%d") for d in pd.to_datetime(frame["day"])]
    received, closed = frame["received"].astype(int).tolist(), frame["closed"].astype(int).tolist()
    return go.Figure({
        "data": [
            {"type": "bar", "x": days, "y": received, "name": t("drill.trend.received", lang),
             "marker": {"color": "#79a8d4"},
             "hovertemplate": "%{x} " + t("drill.trend.received", lang) + " %{y}<extra></extra>"},
            {"type": "scatter", "mode": "lines+markers", "x": days, "y": closed, "name": t("drill.trend.closed", lang),
             "line": {"color": "#13243a", "width": 2}, "marker": {"size": 5, "symbol": "diamond"},
             "hovertemplate": "%{x} " + t("drill.trend.closed", lang) + " %{y}<extra></extra>"},
        ],
        "layout": {"height": 240, "margin": {"l": 36, "r": 8, "t": 8, "b": 40},
                   "legend": {"orientation": "h", "x": 0, "y": 1.12},
                   "yaxis": {"tickformat": "d", "rangemode": "tozero", "gridcolor": "#e6eaef", "tick0": 0,
                             "dtick": max(1, math.ceil(max(received + closed) / 4))},
                   "xaxis": {"type": "category", "tickangle": -45, "nticks": 10},
                   "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
                   "font": {"family": '"Noto Sans CJK SC", "Noto Sans SC", sans-serif', "size": 12},
                   "uirevision": "trend"},
    })


def department_figure(reader: Reader, scope: Iterable[int], now: datetime, yellow_share: float, lang: str,
                      village_id: int) -> go.Figure:
    """The overview's department workload chart, for the village."""
    view = overview.View(scope=tuple(scope), now=now, yellow_share=yellow_share,
                         filters=overview.Filters(villages=(int(village_id),)))
    return overview.department_figure(reader, view, lang)


# -- the maps ------------------------------------------------------------------------------------
def light_labels(lang: str) -> dict[str, str]:
    return {light: name_of("light", light, lang) for light in POINT_LIGHTS}


def _hot_levels(reader: Reader, scope: list[int], now: datetime, cell_ids: list[int]) -> list[int]:
    config = load_analysis_config()
    frame = warning_views.hotspot_frame(reader, config, now, scope, warning_views.default_hot_metric(config))
    return warning_views.hotspot_levels(frame, cell_ids)[0]


def drill_map(reader: Reader, scope: Iterable[int], now: datetime, yellow_share: float, lang: str, *,
              village_id: int, cell_id: int | None = None, tile_url: str = "", tile_attribution: str = "",
              shown: Iterable[str] = DEFAULT_LAYERS,
              extra_traces: Iterable[Any] = ()) -> tuple[go.Figure, list[str | None]]:
    """The village's cells coloured by open matters (the chosen cell outlined), its open
    matters as points by light, the heat and the hot cells, then ``extra_traces`` (each with
    its layer in ``meta``: the cell page's resources); zoomed to the village, or to the
    cell. Returns the figure and each trace's layer (``LAYERS``), for the switches."""
    scope = list(scope)
    geometry = map_geometry(reader, scope)
    ids = [c.cell_id for c in village_cells(reader, scope, village_id)]
    part = subset_features(geometry.geojson, ids)
    part_ids = [int(f["id"]) for f in part["features"]]
    view = overview.View(scope=tuple(scope), now=now, yellow_share=yellow_share,
                         filters=overview.Filters(villages=(int(village_id),)))
    colouring = overview.map_colouring(reader, view, "open", lang, part_ids)
    grid = maptraces.grid_choropleth(part, part_ids, {k: colouring[k] for k in ("z", "zmin", "zmax", "colorscale",
                                                                                  "colorbar")},
                                     customdata=colouring["customdata"], hovertemplate=colouring["hovertemplate"])
    grid.update(meta="cells")
    village_outline = geometry.villages[geometry.villages["area_id"] == int(village_id)]
    outline = maptraces.village_outlines(village_outline, t("map.villages", lang))
    outline.update(meta="villages")
    matters = open_matters_frame(reader, scope, now, yellow_share, village_id=village_id, cell_id=cell_id,
                                 limit=POINTS_LIMIT)
    lons, lats = _column(matters, "lon"), _column(matters, "lat")
    hover = [f"{int(m)} · {pick(zh, en, lang)} · {name_of('light', plain(light), lang)}"
             for m, zh, en, light in zip(matters["matter_id"], _column(matters, "category_name"),
                                         _column(matters, "category_name_en"), _column(matters, "light"))]
    points = matter_point_traces(lons, lats, [plain(x) or "none" for x in _column(matters, "light")],
                                 [str(int(m)) for m in matters["matter_id"]], labels=light_labels(lang),
                                 hovertexts=hover)
    heat = heat_trace(lons, lats, name=t("drill.layer.heat", lang))
    hot = hot_cell_trace(part, part_ids, _hot_levels(reader, scope, now, part_ids),
                         labels=warning_views.level_labels(lang), title=t("drill.layer.hot", lang),
                         name=t("drill.layer.hot", lang))
    traces: list[Any] = [grid, heat, hot, outline]
    if cell_id is not None:
        traces.append(feature_outline(subset_features(geometry.geojson, [cell_id]), name=t("drill.layer.cell", lang),
                                      layer=None))
    traces.extend(points)
    traces.extend(extra_traces)
    bounds = (padded_bounds(features_bounds(subset_features(geometry.geojson, [cell_id]))) if cell_id is not None
              else features_bounds(part))
    layout = maptraces.map_layout(bounds, tile_url=tile_url, tile_attribution=tile_attribution,
                                  uirevision=f"drill-{village_id}-{cell_id}")
    layout.update(showlegend=True, legend={"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.85)",
                                           "font": {"size": 12}})
    figure = go.Figure(traces, layout=layout)
    trace_layers = [getattr(tr, "meta", None) for tr in figure.data]
    on = set(shown)
    for trace, layer in zip(figure.data, trace_layers):
        trace.visible = layer is None or layer in on
    return figure, trace_layers


# -- the matter ---------------------------------------------------------------------------------
LEAD_ACTIONS = ("dispatch", "sign", "feedback", "return", "extend", "suspend", "resume")


def matter_departments(events: pd.DataFrame, lead_dept_id: int | None, co_dept_ids: Iterable[int],
                       names: dict[int, str], lang: str) -> list[dict[str, Any]]:
    """The departments a matter involved and what each did, from its events (matters/timeline):
    the lead department (主办) of each dispatch and what happened while it led (sign, feed
    back, return, extension, clock stop), with who and when, and the co-handling (协办)
    departments of the current dispatch. Roles: lead now, lead before (a re-dispatch or a
    return took it away), co-handling."""
    order: list[int] = []
    did: dict[int, list[str]] = {}
    lead: int | None = None
    for e in events.to_dict("records"):
        action = plain(e.get("action"))
        dept = e.get("dept_id")
        if action == "dispatch" and dept is not None and not (isinstance(dept, float) and math.isnan(dept)):
            lead = int(dept)
            if lead not in did:
                order.append(lead)
                did[lead] = []
        if lead is not None and action in LEAD_ACTIONS:
            label = t(f"action.{action}", lang) if f"action.{action}" in desk.ACTION_KEYS else action
            did[lead].append(t("drill.dept.did", lang, time=desk.time_text(e.get("occurred_at"), "%m-%d %H:%M"),
                               action=label, actor=desk.actor_text(plain(e.get("actor")), lang)))
        if action == "return":
            lead = None
    co = [int(d) for d in co_dept_ids]
    for dept in co:
        if dept not in did:
            order.append(dept)
            did[dept] = []
    out = []
    for dept in order:
        role = "lead" if dept == lead_dept_id else ("co" if dept in co else "former")
        out.append({"dept_id": dept, "name": names.get(dept, str(dept)), "role": role,
                    "role_label": t(f"drill.dept.role.{role}", lang),
                    "did": did[dept] or [t("drill.dept.nothing", lang)]})
    return out


def countdown(card: dict[str, Any], lang: str) -> dict[str, str]:
    """The matter's light and its working time left (or how late), in words."""
    light = card["light"]
    return {"light": light or "", "label": name_of("light", light, lang) if light else "",
            "text": card["remaining_text"]}


def matter_counts_text(frame_rows: int, total: int, lang: str) -> str:
    return t("drill.list.count", lang, shown=fmt_count(frame_rows), total=fmt_count(total))


# -- the overview's state in its URL ---------------------------------------------------------------
FILTER_KINDS = {"villages": int, "sources": str, "majors": str, "depts": int}
MAX_FILTER_VALUES = 200


def filters_from_query(query: dict[str, Any]) -> overview.Filters:
    """The overview's filters from its query string (``villages=3,4&sources=grid``, as
    ``assets/drill.js`` writes them); values that do not parse are dropped."""
    values: dict[str, list] = {}
    for name, kind in FILTER_KINDS.items():
        raw = query.get(name)
        if isinstance(raw, (list, tuple)):
            raw = ",".join(str(r) for r in raw)
        items = []
        for part in str(raw or "").split(",")[:MAX_FILTER_VALUES]:
            part = part.strip()
            if not part or len(part) > 40:
                continue
            if kind is int:
                if not (part.isascii() and part.lstrip("-").isdigit()):
                    continue
                items.append(int(part))
            elif part.isascii() and part.replace("_", "").isalnum():
                items.append(part)
        values[name] = items
    return overview.Filters.from_values(values)


def map_view(text: Any) -> dict[str, Any] | None:
    """``view=lon,lat,zoom`` from the overview's query string as the map's centre and zoom,
    or None when absent or out of range."""
    parts = str(text or "").split(",")
    if len(parts) != 3:
        return None
    try:
        lon, lat, zoom = (float(p) for p in parts)
    except ValueError:
        return None
    if not all(math.isfinite(v) for v in (lon, lat, zoom)) or not (-180 <= lon <= 180 and -85 <= lat <= 85
                                                                    and 0 <= zoom <= 22):
        return None
    return {"center": {"lon": lon, "lat": lat}, "zoom": zoom}


# -- the overview map's switchable layers ------------------------------------------------------------
# The overview's grid (trace 0) and village outlines (trace 1) are always drawn; the other
# layers are appended to its figure when first switched on, then updated in place.
BASE_LAYERS = ("cells", "villages", None)          # grid, village outlines, township outline
EXTRA_LAYERS = ("heat", "hot", "points")
OVERVIEW_DEFAULT_LAYERS = ("cells", "villages")
OVERVIEW_POINTS_LIMIT = 20_000


def _points(reader: Reader, view: overview.View, lang: str) -> tuple[list, list, list, list, list]:
    frame = reader.run("drill/points", **view.params(), limit=OVERVIEW_POINTS_LIMIT)
    ids = [str(int(m)) for m in frame["matter_id"]]
    lights = [plain(x) or "none" for x in _column(frame, "light")]
    hover = [f"{m} · {pick(zh, en, lang)} · {name_of('light', light, lang)}"
             for m, zh, en, light in zip(ids, _column(frame, "category_name"), _column(frame, "category_name_en"),
                                         lights)]
    return _column(frame, "lon"), _column(frame, "lat"), lights, ids, hover


def overview_extra_traces(reader: Reader, view: overview.View, lang: str, cell_ids: list[int]) -> list[Any]:
    """The heat, hot-cell and point layers over the overview's matters (its filters apply),
    a point trace for every light so that later updates keep their places."""
    lons, lats, lights, ids, hover = _points(reader, view, lang)
    geometry = map_geometry(reader, view.scope)
    levels = _hot_levels(reader, list(view.scope), view.now, cell_ids)
    hot_ids = [c for c, level in zip(cell_ids, levels) if level]
    return [heat_trace(lons, lats, name=t("drill.layer.heat", lang)),
            hot_cell_trace(subset_features(geometry.geojson, hot_ids), cell_ids, levels,
                           labels=warning_views.level_labels(lang), title=t("drill.layer.hot", lang),
                           name=t("drill.layer.hot", lang)),
            *matter_point_traces(lons, lats, lights, ids, labels=light_labels(lang), hovertexts=hover,
                                 every_light=True)]


def overview_point_updates(reader: Reader, view: overview.View, lang: str) -> tuple[dict, list[dict]]:
    """What changes in the heat trace and in each point trace (``POINT_LIGHTS`` order) when
    the data or the filters change."""
    lons, lats, lights, ids, hover = _points(reader, view, lang)
    traces = matter_point_traces(lons, lats, lights, ids, labels=light_labels(lang), hovertexts=hover,
                                 every_light=True)
    heat = heat_trace(lons, lats, name="")
    keys = ("lon", "lat", "customdata", "hovertext", "name", "cluster")
    return ({"lon": list(heat.lon), "lat": list(heat.lat)},
            [{k: (tr[k].to_plotly_json() if hasattr(tr[k], "to_plotly_json") else
                  list(tr[k]) if isinstance(tr[k], tuple) else tr[k]) for k in keys} for tr in traces])
