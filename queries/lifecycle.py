"""The closed loop (DOMAIN.md §3): legal transitions and the replay of a matter's events.

受理 accept → 派单 dispatch → 签收 sign → 处置 → 反馈 feedback → 核查 verify (pass) or
reject (返工 rework) → 办结 close → 回访 follow_up; side paths 退回 return, 延期 extend,
缓办 suspend/resume, 督办 supervise, 作废 void, 上报 escalate, 重开 reopen.
The current state of a matter is always the replay of its events.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable

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
}


# Actions the product writes itself, never a person: from any status, keeping it.
# 期限重算 redue: the working calendar changed under a running deadline (a holiday schedule
# loaded, office hours changed); its value is the new deadline.
SYSTEM_ACTIONS = frozenset({"redue"})


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
    event_count: int = 0
    statuses: list[str] = field(default_factory=list)


def replay(events: Iterable[dict], *, created_at: datetime, limit_min: int | None,
           calendar: WorkCalendar) -> ReplayedState:
    """Fold events (dicts with action, occurred_at, from_status, to_status, dept_id,
    minutes, value), in order, into the state they imply. Raises on an illegal sequence."""
    s = ReplayedState(limit_min=limit_min)
    due_w = None if limit_min is None else float(calendar.work_min_at(np.datetime64(created_at, "s"))) + limit_min
    for e in events:
        action, at = e["action"], e["occurred_at"]
        to = next_status(action, s.status)
        if e.get("from_status") != s.status or e.get("to_status") != to:
            raise IllegalTransition(f"event {action} at {at}: recorded {e.get('from_status')}→"
                                    f"{e.get('to_status')}, replay gives {s.status}→{to}")
        w_at = float(calendar.work_min_at(np.datetime64(at, "s")))
        if action == "dispatch":
            s.lead_dept_id, s.dispatched_at = e.get("dept_id"), at
        elif action == "return":
            s.lead_dept_id, s.return_count = None, s.return_count + 1
        elif action == "sign":
            s.signed_at = at
        elif action == "suspend":
            s.suspended_at = at
            if due_w is not None:
                s.remaining_min_at_suspend = int(round(due_w - w_at))
        elif action == "resume":
            if due_w is not None:
                due_w = w_at + s.remaining_min_at_suspend
            s.suspended_at = s.remaining_min_at_suspend = None
        elif action == "extend":
            s.extension_count += 1
            minutes = int(e.get("minutes") or 0)
            s.limit_min = (s.limit_min or 0) + minutes
            if due_w is not None:
                due_w += minutes
        elif action == "supervise":
            s.supervision_count += 1
        elif action == "feedback":
            s.feedback_at = at
        elif action == "reject":
            s.rework_count += 1
        elif action == "close":
            s.closed_at = at
        elif action == "follow_up":
            s.followed_up_at, s.satisfaction = at, e.get("value")
        elif action == "void":
            s.voided_at = at
        elif action == "escalate":
            s.escalated_at = at
        elif action == "redue" and e.get("value"):
            due_w = float(calendar.work_min_at(np.datetime64(e["value"], "s")))
        elif action == "reopen":
            s.closed_at = None
            if s.limit_min is not None:
                due_w = w_at + s.limit_min
        s.status = to
        s.statuses.append(to)
        s.event_count += 1
    if due_w is not None:
        s.due_at = calendar.at_work_min(due_w).astype(datetime)
    return s
