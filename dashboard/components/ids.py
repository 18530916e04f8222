"""Every component id of the dashboard, made here and nowhere else.

Repeated widgets get pattern-matching ids (dicts with a ``type``), so one callback serves
all of them (``ALL``); single widgets get a constant. A typo then fails at import time,
not as a silent callback that never fires.
"""
from __future__ import annotations

from typing import Any


def _pattern(kind: str, **keys: Any) -> dict[str, Any]:
    return {"type": kind, **keys}


# app shell
URL = "app-url"
NAVBAR = "app-navbar"

# the overview page
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


def kpi_tile(key: str) -> dict[str, Any]:
    return _pattern("kpi-tile", key=key)


def kpi_value(key: str) -> dict[str, Any]:
    return _pattern("kpi-value", key=key)


def kpi_detail(key: str) -> dict[str, Any]:
    return _pattern("kpi-detail", key=key)


def lang_link(lang: str) -> dict[str, Any]:
    return _pattern("lang-link", lang=lang)


def filter_dropdown(name: str) -> dict[str, Any]:
    return _pattern("filter", name=name)


KPI_VALUE_KIND = "kpi-value"
KPI_DETAIL_KIND = "kpi-detail"
FILTER_KIND = "filter"


# the dispatch desk (/desk)
DESK_LANG = "desk-lang"              # dcc.Store: the page's language
DESK_TICK = "desk-tick"              # dcc.Store: {"version", "as_of"}, as on the overview
DESK_INTERVAL = "desk-interval"
DESK_AS_OF = "desk-as-of"
DESK_QUEUES = "desk-queues"          # the six queues, counts and lists
DESK_QUEUE_DIGESTS = "desk-queue-digests"  # dcc.Store: what each queue list shows now, hashed
DESK_CARD_DIGEST = "desk-card-digest"      # dcc.Store: what the card shows now, hashed
DESK_SELECTED = "desk-selected"      # dcc.Store: the matter id whose card is open, or None
DESK_MATTER = "desk-matter"          # dcc.Store: {"id", "status"} of the open card; changes only with them
DESK_CARD = "desk-card"              # the card's details, light and timeline
DESK_CARD_EMPTY = "desk-card-empty"  # the hint shown before a matter is chosen
DESK_MINIMAP = "desk-minimap"
DESK_ACTIONS = "desk-actions"        # the legal actions' buttons and fields
DESK_TIMELINE = "desk-timeline"      # the matter's events
DESK_FEEDBACK = "desk-feedback"      # the outcome of the last action: done, refused, field errors


def desk_row(queue: Any, matter_id: Any) -> dict[str, Any]:
    """A matter's row in one of the desk's queues (a matter may stand in two queues); the
    matter number as text (wildcards pass through)."""
    return _pattern("desk-row", queue=queue, matter=str(matter_id) if isinstance(matter_id, int) else matter_id)


def desk_action(action: str) -> dict[str, Any]:
    return _pattern("desk-action", action=action)


def desk_field(name: str) -> dict[str, Any]:
    """An input of the card's action form: note, extend_amount, extend_unit, satisfaction."""
    return _pattern("desk-field", name=name)


def desk_dept(role: str) -> dict[str, Any]:
    """A department picker of the dispatch form: role ``department`` or ``co_departments``."""
    return _pattern("desk-dept", role=role)


def desk_field_error(name: str) -> dict[str, Any]:
    """Where a field's error shows, beside the field."""
    return _pattern("desk-field-error", name=name)


def desk_queue(queue: Any) -> dict[str, Any]:
    return _pattern("desk-queue", queue=queue)


def desk_queue_count(queue: Any) -> dict[str, Any]:
    return _pattern("desk-queue-count", queue=queue)


def desk_queue_list(queue: Any) -> dict[str, Any]:
    return _pattern("desk-queue-list", queue=queue)


DESK_ROW_KIND = "desk-row"
DESK_ACTION_KIND = "desk-action"
