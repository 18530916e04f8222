"""The closed loop (DOMAIN.md §3): legal transitions and the replay of a matter's events.

受理 accept → 派单 dispatch → 签收 sign → 处置 → 反馈 feedback → 核查 verify (pass) or
reject (返工 rework) → 办结 close → 回访 follow_up; side paths 退回 return, 延期 extend,
缓办 suspend/resume, 督办 supervise, 作废 void, 上报 escalate, 重开 reopen, and 合并 merge (a
duplicate voided with a link to its original, which records ``merged_in``).
The current state of a matter is always the replay of its events.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Mapping

import numpy as np

from queries.workcal import WorkCalendar

KEEP = None  # the action leaves the status as it is

# action → (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str | None], str | None]] = {
    "accept": (frozenset({None}), "registered"),
    "dispatch": (frozenset({"registered", "returned"}), "dispatched"),
    "return": (frozenset({"dispatched", "handling"}), "returned"),
    "sign": (frozenset({"dispatched"}), "handling"),
    "suspend": (frozenset({"handling"}), "suspended"),
    "resume": (frozenset({"suspended"}), "handling"),
    "extend": (frozenset({"dispatched", "handling"}), KEEP),
    "supervise": (frozenset({"registered", "dispatched", "handling", "feedback", "verified",
                             "suspended", "returned", "escalated"}), KEEP),
    "feedback": (frozenset({"handling"}), "feedback"),
    "reject": (frozenset({"feedback"}), "handling"),
    "verify": (frozenset({"feedback"}), "verified"),
    "close": (frozenset({"verified", "escalated"}), "closed"),
    "follow_up": (frozenset({"closed"}), KEEP),
    "void": (frozenset({"registered", "returned"}), "voided"),
    "escalate": (frozenset({"registered", "dispatched", "handling"}), "escalated"),
    "reopen": (frozenset({"closed"}), "handling"),
    # 合并重复件: an open matter found to repeat another is voided, linked to the original.
    "merge": (frozenset({"registered", "dispatched", "handling", "feedback", "verified", "suspended",
                         "returned"}), "voided"),
}


# Actions the product writes itself, never a person: from any status, keeping it.
# 期限重算 redue: the working calendar changed under a running deadline (a holiday schedule
# loaded, office hours changed); its value is the new deadline. 并入 merged_in: a duplicate
# was merged into this matter (the other side of a merge, whatever this one's status);
# its value is the duplicate's id.
SYSTEM_ACTIONS = frozenset({"redue", "merged_in"})


class IllegalTransition(ValueError):
    pass


def next_status(action: str, status: str | None) -> str:
    if action in SYSTEM_ACTIONS and status is not None:
        return status
    if action not in TRANSITIONS:
        raise IllegalTransition(f"unknown action {action!r}")
    allowed, to = TRANSITIONS[action]
    if status not in allowed:
        raise IllegalTransition(f"cannot {action}: matter is {status}")
    return status if to is KEEP else to


def blocked(action: str, matter: dict) -> str | None:
    """What the matter's record (not its status) rules out: 回访 happens once per closing."""
    if action == "follow_up" and matter.get("followed_up_at") is not None:
        return "it was followed up (回访) already"
    return None


@dataclass
class ReplayedState:
    status: str | None = None
    lead_dept_id: int | None = None
    dispatched_at: datetime | None = None
    signed_at: datetime | None = None
    feedback_at: datetime | None = None
    closed_at: datetime | None = None
    followed_up_at: datetime | None = None
    voided_at: datetime | None = None
    escalated_at: datetime | None = None
    suspended_at: datetime | None = None
    extension_count: int = 0
    supervision_count: int = 0
    rework_count: int = 0
    return_count: int = 0
    satisfaction: str | None = None
    limit_min: int | None = None
    due_at: datetime | None = None
    remaining_min_at_suspend: int | None = None
    duplicate_of: int | None = None
    event_count: int = 0
    statuses: list[str] = field(default_factory=list)


def _w(calendar: WorkCalendar, at: datetime) -> float:
    return float(calendar.work_min_at(np.datetime64(at, "s")))


def _at(calendar: WorkCalendar, w: float) -> datetime:
    return calendar.at_work_min(w).astype(datetime)


def step(m: Mapping[str, Any], action: str, at: datetime, calendar: WorkCalendar, *,
         dept_id: int | None = None, co_dept_ids: list[int] | None = None, minutes: int | None = None,
         value: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """What one action at ``at`` does to matter ``m`` (its columns as a mapping): the
    columns it changes, and the event's own fields (dept_id, minutes, value). The one rule
    of every action: the write path applies it, ``replay`` folds it. Raises
    ``IllegalTransition`` when the lifecycle does not allow the action from ``m``'s status."""
    to = next_status(action, m["status"])
    changes: dict[str, Any] = {"status": to}
    event: dict[str, Any] = {"dept_id": None, "minutes": None, "value": None}
    due = m.get("due_at")
    if action == "dispatch":
        changes.update(lead_dept_id=dept_id, co_dept_ids=co_dept_ids or None, dispatched_at=at,
                       sign_due_at=calendar.add_work_minutes(np.datetime64(at, "s"),
                                                             calendar.day_minutes(at)).astype(datetime))
        event.update(dept_id=dept_id, value=value)     # value: whether the proposed department was taken
    elif action == "return":
        changes.update(lead_dept_id=None, return_count=m["return_count"] + 1)
        event["dept_id"] = m.get("lead_dept_id")
    elif action == "sign":
        changes["signed_at"] = at
        event["dept_id"] = m.get("lead_dept_id")
    elif action == "feedback":
        changes["feedback_at"] = at
        event["dept_id"] = m.get("lead_dept_id")
    elif action == "reject":
        changes["rework_count"] = m["rework_count"] + 1
    elif action == "close":
        changes["closed_at"] = at
    elif action == "follow_up":
        changes.update(followed_up_at=at, satisfaction=value)
        event["value"] = value
    elif action == "supervise":
        changes["supervision_count"] = m["supervision_count"] + 1
    elif action == "extend":
        minutes = int(minutes or 0)
        changes.update(extension_count=m["extension_count"] + 1, limit_min=(m.get("limit_min") or 0) + minutes)
        if due is not None:
            changes["due_at"] = _at(calendar, _w(calendar, due) + minutes)
        event["minutes"] = minutes
    elif action == "suspend":
        changes["suspended_at"] = at
        if due is not None:
            changes["remaining_min_at_suspend"] = int(round(_w(calendar, due) - _w(calendar, at)))
    elif action == "resume":
        if m.get("remaining_min_at_suspend") is not None:
            changes["due_at"] = _at(calendar, _w(calendar, at) + m["remaining_min_at_suspend"])
        changes.update(suspended_at=None, remaining_min_at_suspend=None)
    elif action == "void":
        changes["voided_at"] = at
    elif action == "merge":
        changes.update(voided_at=at, duplicate_of=int(value) if value is not None else None)
        event["value"] = value
    elif action == "merged_in":
        event["value"] = value
    elif action == "escalate":
        changes["escalated_at"] = at
    elif action == "reopen":
        changes["closed_at"] = None
        if m.get("limit_min") is not None:
            changes["due_at"] = _at(calendar, _w(calendar, at) + m["limit_min"])
    elif action == "redue":
        if value:
            changes["due_at"] = _at(calendar, _w(calendar, datetime.fromisoformat(value)))
        event["value"] = value
    return changes, event


def replay(events: Iterable[dict], *, created_at: datetime, limit_min: int | None,
           calendar: WorkCalendar) -> ReplayedState:
    """Fold events (dicts with action, occurred_at, from_status, to_status, dept_id,
    minutes, value), in order, through ``step`` into the state they imply. Raises on an
    illegal sequence."""
    s = ReplayedState(limit_min=limit_min)
    m: dict[str, Any] = {f: getattr(s, f) for f in ReplayedState.__dataclass_fields__ if f != "statuses"}
    if limit_min is not None:
        m["due_at"] = _at(calendar, _w(calendar, created_at) + limit_min)
    for e in events:
        action, at = e["action"], e["occurred_at"]
        to = next_status(action, m["status"])
        if e.get("from_status") != m["status"] or e.get("to_status") != to:
            raise IllegalTransition(f"event {action} at {at}: recorded {e.get('from_status')}→"
                                    f"{e.get('to_status')}, replay gives {m['status']}→{to}")
        changes, _ = step(m, action, at, calendar, dept_id=e.get("dept_id"), minutes=e.get("minutes"),
                          value=e.get("value"))
        m.update(changes)
        m["event_count"] += 1
        s.statuses.append(to)
    for f in ReplayedState.__dataclass_fields__:
        if f != "statuses":
            setattr(s, f, m[f])
    return s
