"""Component ids of the analysis page (``/analysis``) and the warnings page (``/warnings``),
made here and nowhere else (as ``dashboard/components/ids.py`` does for the other pages).

Repeated widgets get pattern-matching ids (dicts with a ``type``); single widgets a
constant, prefixed ``an-`` / ``wn-`` so that no page's ids meet another's.
"""
from __future__ import annotations

from typing import Any


def _pattern(kind: str, **keys: Any) -> dict[str, Any]:
    return {"type": kind, **keys}


# -- /analysis ------------------------------------------------------------------------------
AN_LANG = "an-lang"                  # dcc.Store: the page's language
AN_TICK = "an-tick"                  # dcc.Store: {"version", "as_of"}, as on the overview
AN_INTERVAL = "an-interval"
AN_AS_OF = "an-as-of"
AN_SUMMARY = "an-summary"            # the period and how many matters the panels describe
AN_DATES = "an-dates"                # dcc.DatePickerRange
AN_FILTERS = "an-filters"            # dcc.Store: the normalised filter bar (AnalysisFilters.to_data)
AN_OPTIONS = "an-options"            # dcc.Store: every dropdown's options, with parents (cells, 小类)
AN_INITIAL = "an-initial"            # dcc.Store: the dropdown values a drill-down link chose
AN_FILTER_CLEAR = "an-filter-clear"
AN_SELECTION = "an-selection"        # dcc.Store: the cross-filter {dimension: {value, label}}
AN_CHIPS = "an-chips"                # the cross-filter's chips
AN_CHIPS_CLEAR = "an-chips-clear"    # clears every chip
AN_NOTICE = "an-notice"
AN_TREND = "an-trend"
AN_GRAIN = "an-grain"
AN_BREAKDOWN = "an-breakdown"
AN_HEATMAP = "an-heatmap"
AN_CATEGORIES = "an-categories"
AN_SOURCES = "an-sources"
AN_DEPARTMENTS = "an-departments"
AN_MAP = "an-map"
AN_MAP_CELLS = "an-map-cells"        # dcc.Store: cell ids in the order of the map's features
AN_HANDLING = "an-handling"
AN_HANDLING_BY = "an-handling-by"
AN_SATISFACTION = "an-satisfaction"
AN_INDICATORS = "an-indicators"      # AG Grid
AN_INDICATORS_BY = "an-indicators-by"
AN_INDICATORS_NOTE = "an-indicators-note"
AN_RANKING = "an-ranking"            # AG Grid
AN_RANKING_NOTE = "an-ranking-note"
AN_DOWNLOAD = "an-download"


def an_filter(name: str) -> dict[str, Any]:
    """A dropdown of the filter bar: villages, cells, majors, categories, sources, depts."""
    return _pattern("an-filter", name=name)


def an_chip_clear(dim: str) -> dict[str, Any]:
    """The clear button of one cross-filter chip."""
    return _pattern("an-chip-clear", dim=dim)


def an_export(table: str, fmt: str) -> dict[str, Any]:
    """Download ``table`` (indicators, ranking) as ``fmt`` (csv, xlsx)."""
    return _pattern("an-export", table=table, format=fmt)


# -- /warnings ------------------------------------------------------------------------------
WN_LANG = "wn-lang"
WN_TICK = "wn-tick"                  # changes with the data version (a warnings refresh bumps it) or the minute
WN_INTERVAL = "wn-interval"
WN_AS_OF = "wn-as-of"
WN_LIST = "wn-list"
WN_COUNT = "wn-count"                # "showing n of m"
WN_FAMILIES = "wn-families"          # dcc.Dropdown: method families shown
WN_SEVERITIES = "wn-severities"      # dcc.Checklist
WN_UNACKNOWLEDGED = "wn-unacknowledged"
WN_ACTOR = "wn-actor"                # who acknowledges (remembered in the browser)
WN_NOTE = "wn-note"
WN_OUTCOME = "wn-outcome"            # the result of the last acknowledgement
WN_MAP = "wn-map"
WN_MAP_CELLS = "wn-map-cells"
WN_HOT_METRIC = "wn-hot-metric"
WN_HOT_SUMMARY = "wn-hot-summary"
WN_HOT_TABLE = "wn-hot-table"      # the hot cells, hottest first
WN_DOWNLOAD = "wn-download"


def wn_kpi_value(key: str) -> dict[str, Any]:
    return _pattern("wn-kpi-value", key=key)


def wn_kpi_detail(key: str) -> dict[str, Any]:
    return _pattern("wn-kpi-detail", key=key)


def wn_ack(key: str) -> dict[str, Any]:
    """The acknowledge button of the warning ``key``."""
    return _pattern("wn-ack", key=key)


def wn_export(fmt: str) -> dict[str, Any]:
    return _pattern("wn-export", format=fmt)
