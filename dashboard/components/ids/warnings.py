"""Ids of the warnings page (预测预警, ``/warnings``): its list, filters, map and acknowledging."""
from __future__ import annotations

from typing import Any

from dashboard.components.ids import pattern

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
    return pattern("wn-kpi-value", key=key)


def wn_kpi_detail(key: str) -> dict[str, Any]:
    return pattern("wn-kpi-detail", key=key)


def wn_ack(key: str) -> dict[str, Any]:
    """The acknowledge button of the warning ``key``."""
    return pattern("wn-ack", key=key)


def wn_export(fmt: str) -> dict[str, Any]:
    return pattern("wn-export", format=fmt)
