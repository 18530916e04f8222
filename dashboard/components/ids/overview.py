"""Ids of the overview page (态势总览, ``/``): its stores, map, chart, table, KPI tiles and filter bar."""
from __future__ import annotations

from typing import Any

from dashboard.components.ids import pattern

LANG = "ov-lang"                 # dcc.Store: the page's language
TICK = "ov-tick"                 # dcc.Store: {"version", "as_of"} shared by every panel
INTERVAL = "ov-interval"
FILTERS = "ov-filters"           # dcc.Store: the normalised filter values
FILTER_CLEAR = "ov-filter-clear"
AS_OF = "ov-as-of"
NOTICE = "ov-notice"             # the empty / filtered-empty explanation
MAP = "ov-map"
MAP_CELLS = "ov-map-cells"       # dcc.Store: cell ids in the order of the map's features
MAP_METRIC = "ov-map-metric"
DEPT_CHART = "ov-dept-chart"
TABLE = "ov-table"


def kpi_tile(key: str) -> dict[str, Any]:
    return pattern("kpi-tile", key=key)


def kpi_value(key: str) -> dict[str, Any]:
    return pattern("kpi-value", key=key)


def kpi_detail(key: str) -> dict[str, Any]:
    return pattern("kpi-detail", key=key)


def filter_dropdown(name: str) -> dict[str, Any]:
    return pattern("filter", name=name)
