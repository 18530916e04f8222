"""Ids of the big screen (大屏, ``/screen``): every one starts ``scr-`` (a kiosk token reaches
only callbacks that write these, ``dashboard.auth``)."""
from __future__ import annotations

from dashboard.components.ids import patterns

PREFIX = "scr-"
LANG = "scr-lang"
TICK = "scr-tick"                # dcc.Store: {"version", "as_of"}, changes with the data or the minute
BEAT = "scr-beat"                # dcc.Store: the server's answer to every poll (the connection light)
BEAT_SEEN = "scr-beat-seen"      # the clientside callback's output (unused)
INTERVAL = "scr-interval"
VIEWPORT = "scr-viewport"
CANVAS = "scr-canvas"
TITLE = "scr-title"
DATE = "scr-date"
CLOCK = "scr-clock"
AS_OF = "scr-as-of"
CONN = "scr-conn"
MAP = "scr-map"
MAP_CELLS = "scr-map-cells"
ALERTS = "scr-alerts"
TICKER = "scr-ticker"
RANKING = "scr-ranking"
TREND = "scr-trend"
TREND_ALT = "scr-trend-alt"
SOURCES = "scr-sources"
ROTATE = "scr-rotate"            # the rotation period in ms (0: none), read by assets/screen.js

kpi_value = patterns("scr-kpi-value", "key")
kpi_detail = patterns("scr-kpi-detail", "key")
