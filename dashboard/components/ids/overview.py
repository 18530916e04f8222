"""Ids of the overview page (态势总览, ``/``): its stores, map, chart, table, KPI tiles and filter bar."""
from __future__ import annotations

from dashboard.components.ids import patterns

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
# Drilling down and sharing: a map click or a row opens the level below (ov-nav); the filters
# and the map view are written to the query string (ov-url-state); the view a URL asked for.
NAV = "ov-nav"
URL_STATE = "ov-url-state"
MAP_VIEW = "ov-map-view"
LAYER_SWITCH = "ov-layer-switch"  # which map layers are on
MAP_LAYERS = "ov-map-layers"      # dcc.Store: each map trace's layer, once the extra layers are drawn


kpi_tile = patterns("kpi-tile", "key")
kpi_value = patterns("kpi-value", "key")
kpi_detail = patterns("kpi-detail", "key")
filter_dropdown = patterns("filter", "name")
