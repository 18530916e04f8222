"""What every page shares: the tick the panels refresh on, the as-of line, numbers and
working time as text, the empty figure, the map's geometry and its in-place recolouring,
and which pattern-matched button was really clicked.

Pure functions of a ``Reader`` (named queries, cached) and plain values; no HTML.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

import pandas as pd
import plotly.graph_objects as go
from dash import Patch

from dashboard.i18n import t
from dashboard.reader import Reader
from layers import maptraces
from queries.store import Store

# The mode bar of the analysis and warnings charts: no selection tools (a click selects),
# nothing sent to the cloud; Plotly's own PNG download (drawn in the browser, offline).
GRAPH_CONFIG = {"displaylogo": False, "showSendToCloud": False, "responsive": True,
                "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
                "toImageButtonOptions": {"format": "png", "scale": 2}}


def graph_config(name: str, *, png_only: bool = False, **extra) -> dict:
    """A chart's mode bar: GRAPH_CONFIG, its PNG named ``name``; ``png_only`` keeps the PNG
    button alone (small charts, where a click selects and zooming has no use)."""
    config = {**GRAPH_CONFIG, "toImageButtonOptions": {**GRAPH_CONFIG["toImageButtonOptions"], "filename": name},
              **extra}
    if png_only:
        config["modeBarButtons"] = [["toImage"]]
    return config

# -- the clock the panels refresh on ------------------------------------------------------
def day_minutes(store: Store, now: datetime) -> int:
    """Working minutes of a working day (the unit of 工作日) in the office hours the
    database counts in today (they can change from a day on: ``calendar hours``)."""
    return store.calendar.day_minutes(now)


def tick(reader: Reader, now: datetime) -> dict[str, Any]:
    """What every panel refreshes on: the data version and the minute."""
    return {"version": reader.data_version(), "as_of": now.replace(second=0, microsecond=0).isoformat()}


def as_of_from_tick(data: dict | None, fallback: datetime) -> datetime:
    if data and data.get("as_of"):
        return datetime.fromisoformat(data["as_of"])
    return fallback.replace(second=0, microsecond=0)


def as_of_text(moment: datetime, lang: str) -> str:
    return t("asof", lang, time=moment.strftime("%Y-%m-%d %H:%M"))


# -- numbers -----------------------------------------------------------------------------
def number(value: Any) -> float | None:
    """A database value as a float; missing (None, NaN, NA, NaT) or not a number: None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def percent(value: Any, digits: int = 1) -> str:
    """A share (0–1) as "12.5%"; missing as "—"."""
    value = number(value)
    return "—" if value is None else f"{100 * value:.{digits}f}%"


def day_text(value: Any) -> str:
    """A timestamp's day as "2026-11-26"; missing as ""."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def fmt_count(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "0"
    return f"{int(value):,}"


def fmt_rate(numerator: int, denominator: int) -> str | None:
    if not denominator:
        return None
    return f"{100.0 * numerator / denominator:.1f}%"


def trim_number(number: float) -> str:
    """One decimal at most, none when it is zero: 3.5, 2."""
    text = f"{number:.1f}"
    return text[:-2] if text.endswith(".0") else text


def working_time_text(minutes: float, minutes_per_day: int) -> tuple[str, str]:
    """(amount, unit) for a span of working minutes: hours under one working day,
    working days from there on."""
    minutes = abs(float(minutes))
    if minutes < minutes_per_day:
        return trim_number(minutes / 60.0), "hours"
    return trim_number(minutes / minutes_per_day), "days"


def remaining_text(light: str | None, remaining_min: Any, minutes_per_day: int, lang: str) -> str:
    """"剩余 3.5 工作时" / "超期 2 工作日" / "暂停计时 · 剩余 …" / "无办理时限"."""
    missing = remaining_min is None or (isinstance(remaining_min, float) and math.isnan(remaining_min))
    if light == "none" or (missing and light != "red"):
        return t("remaining.none", lang)
    if missing:
        return t("overdue.just", lang)
    remaining_min = float(remaining_min)
    if light == "red" or remaining_min < 0:
        if remaining_min >= 0:
            return t("overdue.just", lang)
        amount, unit = working_time_text(remaining_min, minutes_per_day)
        return t(f"overdue.{unit}", lang, n=amount)
    amount, unit = working_time_text(remaining_min, minutes_per_day)
    text = t(f"remaining.{unit}", lang, n=amount)
    if light == "paused":
        return t("remaining.paused", lang, rest=text)
    return text


# -- figures -----------------------------------------------------------------------------
def empty_figure(message: str, height: int = 260) -> go.Figure:
    figure = go.Figure(layout=go.Layout(
        height=height, margin={"l": 8, "r": 8, "t": 8, "b": 8},
        xaxis={"visible": False}, yaxis={"visible": False},
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
        annotations=[{"text": message, "showarrow": False, "xref": "paper", "yref": "paper",
                      "x": 0.5, "y": 0.5, "font": {"size": 14, "color": "#6b7785"}}],
    ))
    return figure


# -- the grid map's geometry ------------------------------------------------------------
@dataclass(frozen=True)
class MapGeometry:
    geojson: dict
    cell_ids: list[int]
    villages: Any        # GeoDataFrame
    township: Any        # GeoDataFrame
    bounds: tuple[float, float, float, float] | None


def map_geometry(reader: Reader, scope: Iterable[int]) -> MapGeometry:
    """Cells as simplified GeoJSON plus the outlines; built once per data version."""
    scope = list(scope)

    def build() -> MapGeometry:
        cells = reader.run("reference/cells", scope=scope)
        outlines = reader.run("reference/outlines", scope=scope)
        cells_gdf = maptraces.frame_to_gdf(cells)
        outlines_gdf = maptraces.frame_to_gdf(outlines)
        geojson = (maptraces.cell_geojson(cells_gdf, properties=("code", "name", "village_name")) if len(cells_gdf)
                   else {"type": "FeatureCollection", "features": []})
        return MapGeometry(
            geojson=geojson,
            cell_ids=[int(c) for c in cells_gdf["cell_id"]],
            villages=outlines_gdf[outlines_gdf["level"] == "village"],
            township=outlines_gdf[outlines_gdf["level"] == "township"],
            bounds=maptraces.bounds_of(cells_gdf, outlines_gdf),
        )

    return reader.memo("map_geometry", {"scope": scope}, build)


def map_patch(update: dict[str, Any]) -> Patch:
    """Recolour the grid trace in place: the geometry stays in the browser."""
    patch = Patch()
    for key, value in update.items():
        patch["data"][0][key] = value
    return patch


# -- which button --------------------------------------------------------------------------
def clicked(triggered_id: Any, items: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    """The pattern id of the button that was really clicked, from ``ctx.triggered_id`` and
    the callback's ``inputs_list`` entry: None when the callback fired because buttons were
    (re)drawn (their ``n_clicks`` is still 0), not clicked."""
    if not isinstance(triggered_id, dict):
        return None
    for item in items or []:
        if item.get("id") == dict(triggered_id) and item.get("value"):
            return dict(item["id"])
    return None
