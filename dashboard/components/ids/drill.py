"""Ids of the drill-down pages (``/area/<code>``, ``/cell/<code>``, ``/matter/<id>``, prefix
``dr-``) and the overview's links into them (``ov-`` in ``overview``'s own module)."""
from __future__ import annotations

from dashboard.components.ids import patterns

NAV = "dr-nav"                   # dcc.Location(refresh="callback-nav"): a map click goes one level down
LANG = "dr-lang"
TICK = "dr-tick"                 # dcc.Store: {"version", "as_of"}, as on the overview
INTERVAL = "dr-interval"
PLACE = "dr-place"               # dcc.Store: {"level", "village_id", "cell_id", "matter_id"}
AS_OF = "dr-as-of"
MAP = "dr-map"
MAP_LAYERS = "dr-map-layers"     # dcc.Store: each map trace's layer name (None: always shown)
LAYER_SWITCH = "dr-layer-switch"
CELL_CODES = "dr-cell-codes"     # dcc.Store: cell id → [cell code, village code], for map clicks
TREND = "dr-trend"
DEPT_CHART = "dr-dept-chart"
OPEN_LIST = "dr-open-list"
CELL_LIST = "dr-cell-list"
WARNINGS = "dr-warnings"
# The resources panel on the cell and matter pages (and the matter page's duplicates)
RESOURCES = "dr-resources"
RES_LIST = "dr-res-list"          # the cell page: the resources, nearest first
MATTER_RES_LIST = "dr-matter-res-list"  # the matter page's (an output may belong to one callback only)
RES_RADIUS = "dr-res-radius"      # the matter page: the radius in metres
RES_MAP = "dr-res-map"            # the matter page: its point with the resources around it
DUP_LIST = "dr-dup-list"          # the matter page: possible duplicates
DUP_FEEDBACK = "dr-dup-feedback"
# the matter page
MATTER_HEAD = "dr-matter-head"
MATTER_CARD = "dr-matter-card"
MATTER_TIMELINE = "dr-matter-timeline"
MATTER_DEPTS = "dr-matter-depts"
MATTER_MAP = "dr-matter-map"
MATTER_STATE = "dr-matter-state"  # dcc.Store: what the action form depends on (id, status, depts)
MATTER_ACTIONS = "dr-matter-actions"
MATTER_FEEDBACK = "dr-matter-feedback"

kpi_value = patterns("dr-kpi-value", "key")
kpi_detail = patterns("dr-kpi-detail", "key")
# the matter page's action form: the desk's form with these ids
action = patterns("dr-action", "action")
field = patterns("dr-field", "name")
dept = patterns("dr-dept", "role")
field_error = patterns("dr-field-error", "name")
merge = patterns("dr-merge", "into")   # 合并为重复: merge this matter into that original
MATTER_PLACE = "dr-matter-place"  # dcc.Store: {"matter": id as text}
MATTER_TICK = "dr-matter-tick"
MATTER_INTERVAL = "dr-matter-interval"
MATTER_LANG = "dr-matter-lang"
MATTER_CRUMBS = "dr-matter-crumbs"
