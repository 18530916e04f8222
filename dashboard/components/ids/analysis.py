"""Ids of the analysis page (分析研判, ``/analysis``): its filter bar, chips, charts and tables."""
from __future__ import annotations

from dashboard.components.ids import patterns

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


# A dropdown of the filter bar: villages, cells, majors, categories, sources, depts.
an_filter = patterns("an-filter", "name")
# The clear button of one cross-filter chip.
an_chip_clear = patterns("an-chip-clear", "dim")
# Download ``table`` (indicators, ranking) in ``format`` (csv, xlsx).
an_export = patterns("an-export", "table", "format")
