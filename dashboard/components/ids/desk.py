"""Ids of the dispatch desk (调度台, ``/desk``): its queues, the matter card and its action form."""
from __future__ import annotations

from typing import Any

from dashboard.components.ids import pattern, patterns

DESK_LANG = "desk-lang"              # dcc.Store: the page's language
DESK_TICK = "desk-tick"              # dcc.Store: {"version", "as_of"}, as on the overview
DESK_INTERVAL = "desk-interval"
DESK_AS_OF = "desk-as-of"
DESK_STORE_BANNER = "desk-store-banner"  # shown while the store cannot write (a full disk), with why
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
    return pattern("desk-row", queue=queue, matter=str(matter_id) if isinstance(matter_id, int) else matter_id)


desk_action = patterns("desk-action", "action")
# An input of the card's action form: note, extend_amount, extend_unit, satisfaction.
desk_field = patterns("desk-field", "name")
# A department picker of the dispatch form: role ``department`` or ``co_departments``.
desk_dept = patterns("desk-dept", "role")
# Where a field's error shows, beside the field.
desk_field_error = patterns("desk-field-error", "name")
desk_queue = patterns("desk-queue", "queue")
desk_queue_count = patterns("desk-queue-count", "queue")
desk_queue_list = patterns("desk-queue-list", "queue")
# A candidate of the dispatch suggestion: one click puts its department in the picker.
desk_suggest = patterns("desk-suggest", "dept")
