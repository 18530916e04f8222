"""Ids of the emergency board (应急指挥, ``/emergency/<id>``): every id starts with ``em-``."""
from __future__ import annotations

from dashboard.components.ids import patterns

LANG = "em-lang"                 # dcc.Store: the page's language
EMERGENCY = "em-id"              # dcc.Store: the emergency's id
INTERVAL = "em-interval"
HEADER = "em-header"
ALARMS = "em-alarms"
MAP = "em-map"
INSIDE = "em-inside"
TASKS = "em-tasks"
LOG = "em-log"
REPORTS = "em-reports"
SUMMARY = "em-summary"
OUTCOME = "em-outcome"
AS_OF = "em-as-of"

ack = patterns("em-ack", "key")

# the alarm strip on the desk
DESK_LANG = "em-desk-lang"
DESK_INTERVAL = "em-desk-interval"
DESK_ALARMS = "em-desk-alarms"
