"""What the dispatch desk (调度台) lets an operator do to a matter, as pure functions: the
actions its state allows, the request body a button sends, and acting through the same
write path as the API (``check_action`` + ``apply_action``), with the outcome told in the
page's language, field errors beside the inputs they concern.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

from dashboard import auditing
from dashboard.i18n import name_of, plain, t
from queries import lifecycle
from queries.permissions import Forbidden
from queries.store import Store, StoreError
from queries.writepath import NEEDS, NOTE_REQUIRED, ActionRefused, FieldErrors, NotFound, apply_action, check_action

# The order the card offers actions in: the loop forward first, then the side paths.
ACTION_ORDER = ("dispatch", "sign", "feedback", "verify", "reject", "close", "follow_up", "reopen",
                "supervise", "extend", "suspend", "resume", "return", "escalate", "void")
# Actions the card offers no button for: merge (合并重复件) names its original, chosen from
# the matter's possible duplicates (``GET /api/v1/matters/{id}/related``), not from a form.
NOT_ON_THE_CARD = frozenset({"accept", "merge"})
# The form's extension units (a number input beside a radio), as the API names them.
EXTEND_UNITS = ("hours", "work_days")
# Who the event log named for actions taken at the desk before logins existed (old events).
DESK_ACTOR = "调度台"
# The write path's field names → the form's error slot (beside the input it concerns).
ERROR_SLOT = {"note": "note", "department": "department", "co_departments": "co_departments",
              "minutes": "extend_amount", "hours": "extend_amount", "work_days": "extend_amount",
              "satisfaction": "satisfaction"}
# i18n keys that exist: an action's name, and what an action needs first (its refusal).
ACTION_KEYS = frozenset(f"action.{a}" for a in (*lifecycle.TRANSITIONS, *lifecycle.SYSTEM_ACTIONS))
_NEED_KEYS = frozenset(f"need.{a}" for a in NEEDS)


# -- legal actions -------------------------------------------------------------------------
def legal_actions(status: str | None, matter: dict | None = None) -> tuple[str, ...]:
    """The actions the lifecycle allows from ``status`` (queries.lifecycle.TRANSITIONS) and
    the matter's record (``lifecycle.blocked``: no second 回访), in the card's order; never
    ``accept`` (registering happens at intake)."""
    allowed = {action for action, (starts, _to) in lifecycle.TRANSITIONS.items()
               if status in starts and action not in NOT_ON_THE_CARD
               and (matter is None or lifecycle.blocked(action, matter) is None)}
    return tuple(a for a in ACTION_ORDER if a in allowed)


def needs_note(action: str) -> bool:
    return action in NOTE_REQUIRED


# -- acting ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """What an action came to: done (with the new status), refused (409: why), or invalid
    input (422: a message per form slot, and any not tied to a slot in ``message``)."""

    kind: str                                   # done | refused | invalid | not_found | forbidden | unavailable
    message: str
    field_errors: dict[str, str] = field(default_factory=dict)
    status: str | None = None

    @property
    def ok(self) -> bool:
        return self.kind == "done"


def _number(value: Any) -> Any:
    """A form's number as the API would receive it: numbers stay, numeric text becomes a
    number, anything else is passed on for the write path to refuse."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    return value


def action_body(action: str, fields: dict[str, Any], depts: dict[str, Any], actor: str) -> dict[str, Any]:
    """The API request body an action button sends, from the form's current values, by
    ``actor`` (the signed-in user)."""
    body: dict[str, Any] = {"action": action, "actor": actor}
    note = fields.get("note")
    if isinstance(note, str) and note.strip():
        body["note"] = note.strip()
    if action == "dispatch":
        lead = depts.get("department")
        body["department"] = lead
        co = [d for d in (depts.get("co_departments") or []) if d != lead]
        if co:
            body["co_departments"] = co
    elif action == "extend":
        unit = fields.get("extend_unit") if fields.get("extend_unit") in EXTEND_UNITS else "hours"
        amount = _number(fields.get("extend_amount"))
        if amount is not None:
            body[unit] = amount
    elif action == "follow_up":
        body["satisfaction"] = fields.get("satisfaction")
    return body


_PROBLEMS = (
    ("required", "problem.required"),
    ("must be a positive number", "problem.positive"),
    ("give exactly one of", "problem.extend_amount"),
    ("longer than 30 days", "problem.extension_too_long"),
    ("longer than", "problem.too_long"),
    ("contains characters", "problem.not_text"),
    ("must be one of", "problem.choose"),
    ("unknown department", "problem.unknown_department"),
    ("a department id or code", "problem.unknown_department"),
    ("must be a list", "problem.not_a_list"),
)


def problem_text(problem: str, lang: str) -> str:
    """A write-path field problem in the page's language (unknown ones as they are)."""
    for prefix, key in _PROBLEMS:
        if problem.startswith(prefix):
            return t(key, lang)
    return t("problem.unknown", lang, problem=problem)


def field_error_texts(errors: Iterable[dict[str, Any]], lang: str) -> tuple[dict[str, str], list[str]]:
    """FieldErrors' items → (slot → message, messages for no slot)."""
    slots: dict[str, str] = {}
    loose: list[str] = []
    for error in errors:
        name = str(error.get("field"))
        slot = ERROR_SLOT.get(name)
        text = problem_text(str(error.get("problem", "")), lang)
        if slot is None:
            loose.append(t("desk.field_error", lang, field=name, problem=text))
        elif slot not in slots:
            slots[slot] = text
    return slots, loose


def current_status(store: Store, scope: list[int], matter_id: int) -> str | None | bool:
    """The matter's status now, or False when there is no such matter in the scope."""
    found = store.run("matters/timeline", scope=scope, handled_by=None, matter_id=int(matter_id))
    if found.empty:
        return False
    return plain(found["to_status"].iloc[-1])


def perform(store: Store, scope: list[int], matter_id: int, body: dict[str, Any], *, now: datetime,
            lang: str, by: Any = None) -> Outcome:
    """Act on a matter exactly as ``POST /api/v1/matters/{id}/actions`` does (the same
    ``check_action`` and ``apply_action``, for the signed-in user ``by``), and say what came
    of it in ``lang``; a role that may not act is told so and nothing is written."""
    action = body.get("action")
    action_label = t(f"action.{action}", lang) if f"action.{action}" in ACTION_KEYS else str(action)
    outcome = _perform(store, scope, matter_id, body, now=now, lang=lang, by=by, action_label=action_label)
    detail = f"{str(action)[:40]} (desk): {outcome.kind}"
    if outcome.kind == "forbidden":
        auditing.refused(f"matter {matter_id}", detail)
    else:
        auditing.note("action", target=f"matter {matter_id}", detail=detail,
                      outcome={"done": "ok", "refused": "refused"}.get(outcome.kind, "failed"))
    return outcome


def _perform(store: Store, scope: list[int], matter_id: int, body: dict[str, Any], *, now: datetime,
             lang: str, by: Any, action_label: str) -> Outcome:
    action = body.get("action")
    if current_status(store, scope, matter_id) is False:
        return Outcome("not_found", t("desk.not_found", lang, id=matter_id))
    try:
        clean = check_action(store, body)
        result = apply_action(store, int(matter_id), clean, now=now, by=by, scope=scope)
    except Forbidden:
        return Outcome("forbidden", t("desk.forbidden", lang, action=action_label, id=matter_id))
    except FieldErrors as exc:
        slots, loose = field_error_texts(exc.errors, lang)
        return Outcome("invalid", " ".join([t("desk.fix_fields", lang), *loose]), slots)
    except NotFound:
        return Outcome("not_found", t("desk.not_found", lang, id=matter_id))
    except StoreError as exc:       # the store cannot write now (a full disk): nothing was written
        return Outcome("unavailable", t("desk.store.write_failed", lang, action=action_label, id=matter_id,
                                        reason=str(exc).splitlines()[0] if str(exc) else ""))
    except ActionRefused:
        status = current_status(store, scope, matter_id)
        need_key = f"need.{action}" if f"need.{action}" in _NEED_KEYS else "need.default"
        return Outcome("refused", t("desk.refused", lang, action=action_label, id=matter_id,
                                    status=name_of("status", status or "", lang), need=t(need_key, lang)),
                       status=status or None)
    status = result["status"]
    return Outcome("done", t("desk.done", lang, action=action_label, id=matter_id,
                             status=name_of("status", status, lang)), status=status)



# -- the form ------------------------------------------------------------------------------
def form_values(items: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """``{name: value}`` from a ``states_list`` entry of pattern-matched inputs whose ids
    carry the name under ``key``."""
    return {item["id"][key]: item.get("value") for item in items}
