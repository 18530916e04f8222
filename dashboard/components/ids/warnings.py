"""Ids of the warnings page (预测预警, ``/warnings``): its list, filters, map and acknowledging."""
from __future__ import annotations

from dashboard.components.ids import patterns

WN_LANG = "wn-lang"
WN_TICK = "wn-tick"                  # changes with the data version (a warnings refresh bumps it) or the minute
WN_INTERVAL = "wn-interval"
WN_AS_OF = "wn-as-of"
WN_LIST = "wn-list"
WN_COUNT = "wn-count"                # "showing n of m"
WN_FAMILIES = "wn-families"          # dcc.Dropdown: method families shown
WN_SEVERITIES = "wn-severities"      # dcc.Checklist
WN_UNACKNOWLEDGED = "wn-unacknowledged"
WN_NOTE = "wn-note"
WN_OUTCOME = "wn-outcome"            # the result of the last acknowledgement
WN_MAP = "wn-map"
WN_MAP_CELLS = "wn-map-cells"
WN_HOT_METRIC = "wn-hot-metric"
WN_HOT_SUMMARY = "wn-hot-summary"
WN_HOT_TABLE = "wn-hot-table"      # the hot cells, hottest first
WN_DOWNLOAD = "wn-download"


wn_kpi_value = patterns("wn-kpi-value", "key")
wn_kpi_detail = patterns("wn-kpi-detail", "key")
# The acknowledge button of the warning ``key``.
wn_ack = patterns("wn-ack", "key")
wn_export = patterns("wn-export", "format")
# the forecast panel
WN_FC_BY = "wn-fc-by"                # dcc.RadioItems: major | village
WN_FC_SERIES = "wn-fc-series"        # dcc.Dropdown: which series the fan chart shows
WN_FC_CHART = "wn-fc-chart"
WN_FC_ACCURACY = "wn-fc-accuracy"    # the backtest beside seasonal naive's, in words
WN_FC_ALT = "wn-fc-alt"              # the chart's text alternative
WN_FC_TABLE = "wn-fc-table"          # every series: the next days' total and the backtest
