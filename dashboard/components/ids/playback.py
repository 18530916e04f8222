"""Ids of the time control (回放): every id starts with ``pb-``; one control a page."""
from __future__ import annotations

LANG = "pb-lang"                 # dcc.Store: the page's language
URL = "pb-url"                   # dcc.Location: ?at= holds the instant
AT = "pb-at"                     # dcc.Store: the instant shown (ISO), None while live
INPUT = "pb-input"               # the instant, typed or picked
BACK = "pb-back"
PLAY = "pb-play"
FORWARD = "pb-forward"
LIVE = "pb-live"
STEP = "pb-step"
SPEED = "pb-speed"
INTERVAL = "pb-interval"         # ticks while playing
BANNER = "pb-banner"
