"""What the overview page (态势总览) shows, as pure functions of the data: KPI tiles, the
grid map, the department workload chart, the open-matters table and the filter options.

Each function takes a ``Reader`` (named queries, cached) and a ``View`` (whose matters:
scope, filters, the instant, the yellow share) and returns plain data or Plotly figures,
so the page's callbacks stay thin and everything here is testable without a browser.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

import pandas as pd
import plotly.graph_objects as go

from dashboard.i18n import name_of, pick, plain, t
from dashboard.reader import UNPLACED, Reader
from dashboard.views.common import empty_figure, fmt_count, fmt_rate, map_geometry, remaining_text, trim_number
from layers import maptraces

OPEN_MATTERS_LIMIT = 500
MAP_METRICS = ("open", "overdue", "light")
LIGHT_RANK = {"red": 0, "yellow": 1, "green": 2, "paused": 3, "none": 4}
DEPT_COLOURS = {"overdue": "#d7301f", "open": "#2f6db0", "closed_30d": "#9aa8b6"}
GRAPH_CONFIG = {"displaylogo": False, "showSendToCloud": False,
                "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage"], "responsive": True}


# -- what the panels look at ---------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    """The filter bar's selection; None means "all"."""

    villages: tuple[int, ...] | None = None
    sources: tuple[str, ...] | None = None
    majors: tuple[str, ...] | None = None
    depts: tuple[int, ...] | None = None

    @classmethod
    def from_values(cls, values: dict[str, Iterable | None] | None) -> "Filters":
        values = values or {}

        def chosen(name: str, kind: type) -> tuple | None:
            items = values.get(name)
            if not items:
                return None
            if isinstance(items, (str, int)):
                items = [items]
            return tuple(sorted({kind(v) for v in items}))

        return cls(chosen("villages", int), chosen("sources", str), chosen("majors", str), chosen("depts", int))

    def to_data(self) -> dict[str, list | None]:
        return {name: (list(value) if value is not None else None) for name, value in self.params().items()}

    @classmethod
    def from_data(cls, data: dict | None) -> "Filters":
        return cls.from_values(data)

    def params(self) -> dict[str, list | None]:
        return {"villages": list(self.villages) if self.villages else None,
                "sources": list(self.sources) if self.sources else None,
                "majors": list(self.majors) if self.majors else None,
                "depts": list(self.depts) if self.depts else None}

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.villages, self.sources, self.majors, self.depts))


@dataclass(frozen=True)
class View:
    """Whose matters, which of them, and as of when."""

    scope: tuple[int, ...]
    now: datetime
    yellow_share: float
    filters: Filters = field(default_factory=Filters)

    def params(self) -> dict[str, Any]:
        return {"scope": list(self.scope), **self.filters.params(), "now": self.now,
                "yellow_share": float(self.yellow_share)}


# -- KPI tiles ---------------------------------------------------------------------------
def kpi_values(reader: Reader, view: View) -> dict[str, Any]:
    """The KPI row (kpis.sql) as plain Python values."""
    row = reader.run("overview/kpis", **view.params()).iloc[0]
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, float) and math.isnan(value):
            out[key] = None
        elif hasattr(value, "item"):
            out[key] = value.item()
        else:
            out[key] = value
    return out


def kpi_display(values: dict[str, Any], lang: str, yellow_share: float) -> dict[str, tuple[str, str]]:
    """key → (big number, detail line) for every tile."""
    no_rate = t("kpi.no_rate", lang)

    def rate(num_key: str, den_key: str, detail_key: str) -> tuple[str, str]:
        num, den = int(values[num_key] or 0), int(values[den_key] or 0)
        shown = fmt_rate(num, den)
        if shown is None:
            return no_rate, t("kpi.no_denominator", lang)
        return shown, t(detail_key, lang, num=fmt_count(num), den=fmt_count(den))

    return {
        "received_today": (fmt_count(values["received_today"]), t("kpi.today_detail", lang)),
        "closed_today": (fmt_count(values["closed_today"]), t("kpi.today_detail", lang)),
        "open": (fmt_count(values["open_count"]), t("kpi.open_detail", lang)),
        "overdue": (fmt_count(values["overdue_count"]), t("kpi.overdue_detail", lang)),
        "due_soon": (fmt_count(values["due_soon_count"]),
                     t("kpi.due_soon_detail", lang, share=trim_number(100 * yellow_share))),
        "on_time_rate": rate("closed_on_time_30d", "closed_with_due_30d", "kpi.on_time_detail"),
        "satisfaction": rate("satisfied_30d", "rated_30d", "kpi.satisfaction_detail"),
    }


def notice_kind(values: dict[str, Any], filters: Filters) -> str | None:
    """Why the page may look empty: "none" (no matter in the store at all), "filtered"
    (the filters match no open matter), or None (there is something to show)."""
    if not values.get("any_matters"):
        return "none"
    if filters.active and not values.get("open_count"):
        return "filtered"
    return None


# -- filter bar --------------------------------------------------------------------------
def filter_options(reader: Reader, scope: Iterable[int], lang: str) -> dict[str, list[dict]]:
    villages = reader.run("reference/villages", scope=list(scope))
    sources = reader.run("reference/sources")
    majors = reader.run("reference/majors")
    depts = reader.run("reference/departments")
    return {
        "villages": [{"label": plain(name), "value": int(vid)}
                     for vid, name in zip(villages["village_id"], villages["name"])],
        "sources": [{"label": name_of("source", s, lang), "value": s} for s in sources["source"]],
        "majors": [{"label": f"{code} {pick(zh, en, lang)}", "value": code}
                   for code, zh, en in zip(majors["major_code"], majors["major_name"], majors["major_name_en"])],
        "depts": [{"label": pick(zh, en, lang), "value": int(did)}
                  for did, zh, en in zip(depts["dept_id"], depts["name"], depts["name_en"])]
                 + [{"label": t("filter.unassigned", lang), "value": UNPLACED}],
    }


# -- the grid map ------------------------------------------------------------------------
def map_hovertemplate(lang: str) -> str:
    """The cell's name, code and village come from the GeoJSON's properties (sent once with
    the geometry); only the counts and the light travel with each refresh."""
    return ("<b>%{properties.name}</b><br>"
            f"{t('map.hover.code', lang)} %{{properties.code}}<br>"
            f"{t('map.hover.village', lang)} %{{properties.village_name}}<br>"
            f"{t('map.hover.open', lang)} %{{customdata[0]}} · "
            f"{t('map.hover.overdue', lang)} %{{customdata[1]}} · "
            f"{t('map.hover.due_soon', lang)} %{{customdata[2]}}<br>"
            f"{t('map.hover.light', lang)} %{{customdata[3]}}"
            "<extra></extra>")


def light_labels(lang: str) -> dict[str, str]:
    return {light: name_of("light", light, lang) for light in maptraces.LIGHTS}


def map_colouring(reader: Reader, view: View, metric: str, lang: str, cell_ids: Iterable[int]) -> dict[str, Any]:
    """What changes on the map when data, filters, metric or language change: the
    colouring, the hover data and template, in the order of ``cell_ids``."""
    metric = metric if metric in MAP_METRICS else "open"
    cells = reader.run("overview/open_by_cell", **view.params()).set_index("cell_id")
    cells = cells.reindex([int(c) for c in cell_ids])
    open_counts = cells["open_count"].fillna(0).astype(int).tolist()
    overdue = cells["overdue_count"].fillna(0).astype(int).tolist()
    due_soon = cells["due_soon_count"].fillna(0).astype(int).tolist()
    worst = [plain(w) or None for w in cells["worst_light"]]
    if metric == "light":
        colouring = maptraces.light_colouring(worst, labels=light_labels(lang), title=t("map.colorbar.light", lang))
    else:
        colouring = maptraces.count_colouring(open_counts if metric == "open" else overdue, scale=metric,
                                              title=t(f"map.colorbar.{metric}", lang))
    labels = light_labels(lang)
    customdata = [[o, d, s, labels[w or "empty"]] for o, d, s, w in zip(open_counts, overdue, due_soon, worst)]
    return {**colouring, "customdata": customdata, "hovertemplate": map_hovertemplate(lang)}


def map_figure(reader: Reader, view: View, lang: str, *, metric: str = "open", tile_url: str = "",
               tile_attribution: str = "") -> tuple[go.Figure, list[int]]:
    """The whole map: cells coloured by ``metric``, village and township outlines."""
    geometry = map_geometry(reader, view.scope)
    update = map_colouring(reader, view, metric, lang, geometry.cell_ids)
    colouring = {k: update[k] for k in ("z", "zmin", "zmax", "colorscale", "colorbar")}
    grid = maptraces.grid_choropleth(geometry.geojson, geometry.cell_ids, colouring,
                                     customdata=update["customdata"], hovertemplate=update["hovertemplate"])
    figure = go.Figure(
        [grid,
         maptraces.village_outlines(geometry.villages, t("map.villages", lang)),
         maptraces.township_outline(geometry.township, t("map.township", lang))],
        layout=maptraces.map_layout(geometry.bounds, tile_url=tile_url, tile_attribution=tile_attribution),
    )
    return figure, geometry.cell_ids


# -- department workload -----------------------------------------------------------------
def department_workload(reader: Reader, view: View, lang: str) -> pd.DataFrame:
    frame = reader.run("overview/department_workload", **view.params()).copy()
    frame["label"] = [t("dept.unassigned", lang) if int(d) == UNPLACED else pick(zh, en, lang)
                      for d, zh, en in zip(frame["dept_id"], frame["name"], frame["name_en"])]
    return frame


def department_figure(reader: Reader, view: View, lang: str) -> go.Figure:
    """Per department, most overdue on top: open matters (the overdue part in red) beside
    the matters closed in the last 30 days, on two axes sharing the departments."""
    frame = department_workload(reader, view, lang)
    if frame.empty:
        return empty_figure(t("empty.departments", lang))
    frame = frame.iloc[::-1]   # horizontal bars draw bottom-up: put the most overdue on top
    labels = frame["label"].tolist()
    open_count = frame["open_count"].astype(int)
    overdue = frame["overdue_count"].astype(int)
    closed = frame["closed_30d"].astype(int)
    # Two x axes side by side sharing the departments, laid out by hand: make_subplots
    # costs some 20 ms a refresh, a figure from a dict under 2.
    split, gap = 0.58, 0.015
    open_top = max(1, int(open_count.max()))
    closed_top = max(1, int(closed.max()))
    axis = {"gridcolor": "#e6eaef", "zeroline": False, "tickformat": "d", "rangemode": "tozero", "anchor": "y"}
    title_font = {"size": 12, "color": "#5c6b7a"}
    data = [
        {"type": "bar", "y": labels, "x": overdue.tolist(), "orientation": "h", "name": t("dept.overdue", lang),
         "marker": {"color": DEPT_COLOURS["overdue"]}, "xaxis": "x", "yaxis": "y",
         "hovertemplate": "%{y}<br>" + t("dept.overdue", lang) + " %{x}<extra></extra>"},
        {"type": "bar", "y": labels, "x": (open_count - overdue).tolist(), "orientation": "h",
         "name": t("dept.open_not_overdue", lang), "marker": {"color": DEPT_COLOURS["open"]},
         "customdata": open_count.tolist(), "xaxis": "x", "yaxis": "y",
         "text": [t("dept.open_total", lang, n=n) if n else "" for n in open_count],
         "textposition": "outside", "textfont": {"size": 11, "color": "#1d2733"}, "cliponaxis": False,
         "hovertemplate": "%{y}<br>" + t("dept.open", lang) + " %{customdata}<extra></extra>"},
        {"type": "bar", "y": labels, "x": closed.tolist(), "orientation": "h", "name": t("dept.closed_30d", lang),
         "marker": {"color": DEPT_COLOURS["closed_30d"]}, "xaxis": "x2", "yaxis": "y",
         "text": [str(n) if n else "" for n in closed], "textposition": "outside", "textfont": {"size": 11},
         "cliponaxis": False, "hovertemplate": "%{y}<br>" + t("dept.closed_30d", lang) + " %{x}<extra></extra>"},
    ]
    layout = {
        "xaxis": {**axis, "domain": [0, split - gap], "range": [0, open_top * 1.35]},
        "xaxis2": {**axis, "domain": [split + gap, 1], "range": [0, closed_top * 1.2]},
        "yaxis": {"automargin": True, "tickfont": {"size": 12}, "anchor": "x"},
        "annotations": [
            {"text": t("dept.axis.open", lang), "x": (split - gap) / 2, "y": 1.0, "xref": "paper", "yref": "paper",
             "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": title_font},
            {"text": t("dept.axis.closed", lang), "x": (split + gap + 1) / 2, "y": 1.0, "xref": "paper",
             "yref": "paper", "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": title_font},
        ],
        "barmode": "stack", "bargap": 0.3, "height": max(240, 70 + 26 * len(frame)),
        "margin": {"l": 8, "r": 16, "t": 64, "b": 20},
        "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "top", "yref": "container",
                   "traceorder": "normal", "font": {"size": 12}},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif', "size": 12},
        "uirevision": "departments",
    }
    return go.Figure({"data": data, "layout": layout})


# -- open matters table ------------------------------------------------------------------
def urgency_key(light: str | None, remaining_min: Any) -> float:
    """One number that sorts matters most urgent first: the light's rank, then the
    working minutes left (the most overdue first)."""
    rank = LIGHT_RANK.get(light or "none", 4)
    missing = remaining_min is None or (isinstance(remaining_min, float) and math.isnan(remaining_min))
    rest = 0.0 if missing else max(min(float(remaining_min), 9_999_999.0), -9_999_999.0)
    return rank * 100_000_000 + rest


def _column(frame: pd.DataFrame, name: str) -> list:
    """A column as a Python list, missing as None. (pandas 3 keeps text in Arrow arrays,
    whose element-wise iteration costs ten times a conversion to an object array.)"""
    values = frame[name].to_numpy(dtype=object, na_value=None)
    return values.tolist()


def _text_column(frame: pd.DataFrame, name: str) -> list[str]:
    return ["" if v is None else str(v) for v in _column(frame, name)]


def open_matter_rows(reader: Reader, view: View, lang: str, minutes_per_day: int,
                     limit: int = OPEN_MATTERS_LIMIT) -> list[dict[str, Any]]:
    """Rows for the table, most urgent first (runs on every refresh: column at a time)."""
    frame = reader.run("overview/open_matters", **view.params(), limit=int(limit))
    if frame.empty:
        return []
    col = {name: _column(frame, name) for name in ("remaining_min", "dept_id", "urgent", "supervision_count")}
    text = {name: _text_column(frame, name) for name in (
        "matter_id", "light", "source", "major_name", "major_name_en", "category_name", "category_name_en",
        "dept_name", "dept_name_en", "village_name", "cell_name", "cell_code", "status", "level",
        "external_ref", "description", "address")}
    created = frame["created_at"].dt.strftime("%m-%d %H:%M").fillna("").tolist()
    due = frame["due_at"].dt.strftime("%m-%d %H:%M").fillna("").tolist()
    unassigned = t("dept.unassigned", lang)
    names: dict[tuple[str, str], str] = {}

    def named(kind: str, code: str) -> str:
        if (kind, code) not in names:
            names[(kind, code)] = name_of(kind, code, lang) if code else ""
        return names[(kind, code)]

    rows = []
    for i in range(len(frame)):
        light = text["light"][i] or "none"
        rest = col["remaining_min"][i]
        rest = None if rest is None else int(rest)
        rows.append({
            "matter_id": text["matter_id"][i],
            "light": light,
            "light_label": named("light", light),
            "remaining_min": rest,
            "remaining_text": remaining_text(light, rest, minutes_per_day, lang),
            "urgency": urgency_key(light, rest),
            "source": named("source", text["source"][i]),
            "major": pick(text["major_name"][i], text["major_name_en"][i], lang),
            "category": pick(text["category_name"][i], text["category_name_en"][i], lang),
            "dept": (pick(text["dept_name"][i], text["dept_name_en"][i], lang) if col["dept_id"][i] is not None
                     else unassigned),
            "village": text["village_name"][i],
            "cell": text["cell_name"][i],
            "cell_code": text["cell_code"][i],
            "status": named("status", text["status"][i]),
            "urgent": bool(col["urgent"][i]),
            "level": named("level", text["level"][i]),
            "supervision": int(col["supervision_count"][i] or 0),
            "created_at": created[i],
            "due_at": due[i],
            "external_ref": text["external_ref"][i],
            "description": text["description"][i],
            "address": text["address"][i],
        })
    return rows


def table_columns(lang: str, cell_class_rules: dict[str, str]) -> list[dict[str, Any]]:
    """AG Grid column definitions; the light column shows the CSS light and the time left,
    sorts by urgency and filters on the light's name and the time text."""
    text_filter = {"filter": "agTextColumnFilter", "floatingFilter": True}
    return [
        {"headerName": t("table.light", lang), "colId": "light", "field": "urgency", "sort": None,
         "valueFormatter": {"function": "params.data ? params.data.remaining_text : ''"},
         "filterValueGetter": {"function": "params.data.light_label + ' ' + params.data.remaining_text"},
         "cellClassRules": cell_class_rules, "minWidth": 190, "pinned": "left",
         "tooltipValueGetter": {"function": "params.data ? params.data.light_label : ''"},
         **text_filter},
        {"headerName": t("table.matter_id", lang), "field": "matter_id", "minWidth": 130, **text_filter},
        {"headerName": t("table.source", lang), "field": "source", "minWidth": 96, **text_filter},
        {"headerName": t("table.major", lang), "field": "major", "minWidth": 96, **text_filter},
        {"headerName": t("table.category", lang), "field": "category", "minWidth": 120, **text_filter},
        {"headerName": t("table.dept", lang), "field": "dept", "minWidth": 130, **text_filter},
        {"headerName": t("table.village", lang), "field": "village", "minWidth": 96, **text_filter},
        {"headerName": t("table.cell", lang), "field": "cell", "minWidth": 120, **text_filter,
         "tooltipField": "cell_code"},
        {"headerName": t("table.status", lang), "field": "status", "minWidth": 90, **text_filter},
        {"headerName": t("table.created_at", lang), "field": "created_at", "minWidth": 110, **text_filter},
        {"headerName": t("table.due_at", lang), "field": "due_at", "minWidth": 110, **text_filter},
        {"headerName": t("table.supervision", lang), "field": "supervision", "minWidth": 70,
         "filter": "agNumberColumnFilter", "floatingFilter": True},
        {"headerName": t("table.description", lang), "field": "description", "minWidth": 220, "flex": 2,
         "tooltipField": "description", **text_filter},
        {"headerName": t("table.address", lang), "field": "address", "minWidth": 160, "flex": 1, **text_filter},
    ]
