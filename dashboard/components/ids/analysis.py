"""Ids of the analysis page (分析研判, ``/analysis``): its filter bar, chips, charts and tables."""
from __future__ import annotations

from typing import Any

from dashboard.components.ids import pattern

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
    return pattern("an-filter", name=name)


def an_chip_clear(dim: str) -> dict[str, Any]:
    """The clear button of one cross-filter chip."""
    return pattern("an-chip-clear", dim=dim)


def an_export(table: str, fmt: str) -> dict[str, Any]:
    """Download ``table`` (indicators, ranking) as ``fmt`` (csv, xlsx)."""
    return pattern("an-export", table=table, format=fmt)
