"""Every component id of the dashboard, made here and nowhere else.

Repeated widgets get pattern-matching ids (dicts with a ``type``), so one callback serves
all of them (``ALL``); single widgets get a constant. A typo then fails at import time,
not as a silent callback that never fires.
"""
from __future__ import annotations

from typing import Any


def _pattern(kind: str, **keys: Any) -> dict[str, Any]:
    return {"type": kind, **keys}


# app shell
URL = "app-url"
NAVBAR = "app-navbar"

# the overview page
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
    return _pattern("kpi-tile", key=key)


def kpi_value(key: str) -> dict[str, Any]:
    return _pattern("kpi-value", key=key)


def kpi_detail(key: str) -> dict[str, Any]:
    return _pattern("kpi-detail", key=key)


def lang_link(lang: str) -> dict[str, Any]:
    return _pattern("lang-link", lang=lang)


def filter_dropdown(name: str) -> dict[str, Any]:
    return _pattern("filter", name=name)


KPI_VALUE_KIND = "kpi-value"
KPI_DETAIL_KIND = "kpi-detail"
FILTER_KIND = "filter"
