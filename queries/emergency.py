"""Emergencies (应急指挥, DOMAIN.md §9): declaring one, its linkage tasks, the commander's
log, the 上报 record, alarms and closing.

One rule per action: ``step`` says what an action does to an emergency's state; ``replay``
folds an emergency's events through it, and the write path (``act``) replays the events it
has, applies ``step`` and writes the event and the rows it changed in one transaction. The
tables ``emergencies``, ``emergency_tasks``, ``emergency_log`` and ``emergency_alarm_acks``
are therefore always the replay of ``emergency_events``.

A task's clock runs in working time (the calendar's office hours) or calendar time, as the
task says. Alarms are read-time facts of the state and the clock: a task not signed for
within ``sign_alarm_min`` minutes (calendar time: an emergency does not wait for office
hours), a matter registered inside the area after the declaration; each shows until it is
acknowledged (an action with its event).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable

import numpy as np

from queries.permissions import Forbidden, require
from queries.store import Store
from queries.vocabulary import EMERGENCY_KINDS, EMERGENCY_LOG_KINDS, LEVELS, TASK_CLOCKS
from queries.workcal import WorkCalendar
from queries.writepath import ActionRefused, FieldErrors, NotFound, echo, is_text

# action → the permission it needs (queries.permissions)
ACTIONS: dict[str, str] = {
    "declare": "declare_emergency",
    "post_task": "command_emergency",
    "sign_task": "emergency_task",
    "report_task": "emergency_task",
    "close_task": "command_emergency",
    "log": "command_emergency",
    "report_up": "command_emergency",
    "reply": "command_emergency",
    "ack_alarm": "command_emergency",
    "close": "command_emergency",
}
# A task's status → the actions it allows
TASK_FLOW = {"sign_task": ("posted", "signed"), "report_task": ("signed", "reported"),
             "close_task": ("reported", "closed")}
MATTER_LEVELS_FOR_EMERGENCY = ("larger", "major", "especially_major")
MAX_TEXT = 2000
MAX_TASK_MIN = 60 * 24 * 30
DEFAULT_SIGN_ALARM_MIN = 30.0
TASK_NAMES = ("dept_code", "dept_name", "dept_name_en")      # joined for showing, not the task's own


class EmergencyRefused(ActionRefused):
    """An action the emergency's state does not allow. HTTP 409."""


@dataclass
class EmergencyState:
    emergency: dict[str, Any] | None = None
    tasks: dict[int, dict[str, Any]] = field(default_factory=dict)
    log: dict[int, dict[str, Any]] = field(default_factory=dict)
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Changes:
    """What one action changed: the emergency row (whole), task rows, new log entries, new acks."""
    emergency: dict[str, Any] | None = None
    tasks: dict[int, dict[str, Any]] = field(default_factory=dict)
    log: dict[int, dict[str, Any]] = field(default_factory=dict)
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)


def _task_due(calendar: WorkCalendar, at: datetime, clock_kind: str, minutes: int) -> datetime:
    if clock_kind == "calendar":
        return at + timedelta(minutes=minutes)
    return calendar.add_work_minutes(np.datetime64(at, "s"), minutes).astype(datetime)


def step(state: EmergencyState, action: str, at: datetime, actor: str, payload: dict[str, Any],
         calendar: WorkCalendar) -> Changes:
    """What ``action`` at ``at`` by ``actor`` with ``payload`` does to ``state``. Raises
    ``EmergencyRefused`` when the state does not allow it. Does not change ``state``."""
    e = state.emergency
    ch = Changes()
    if action == "declare":
        if e is not None:
            raise EmergencyRefused("the emergency is declared already")
        ch.emergency = {**{k: payload.get(k) for k in (
            "emergency_id", "title", "level", "kind", "commander", "matter_id", "area_kind", "radius_m",
            "area_geojson", "min_lon", "min_lat", "max_lon", "max_lat", "sign_alarm_min")},
            "status": "active", "declared_at": at, "declared_by": actor, "closed_at": None, "closing_note": None,
            "event_count": 1}
        return ch
    if e is None:
        raise NotFound("no such emergency")
    if e["status"] == "closed":
        raise EmergencyRefused(f"cannot {action}: emergency {e['emergency_id']} is closed")
    ch.emergency = {**e, "event_count": e["event_count"] + 1}
    if action == "post_task":
        no = max(state.tasks, default=0) + 1
        ch.tasks[no] = {"emergency_id": e["emergency_id"], "task_no": no, "dept_id": payload["dept_id"],
                        "what": payload["what"], "clock": payload["clock"], "limit_min": payload["minutes"],
                        "posted_at": at, "posted_by": actor,
                        "due_at": _task_due(calendar, at, payload["clock"], payload["minutes"]),
                        "status": "posted", "signed_at": None, "signed_by": None, "reported_at": None,
                        "report": None, "closed_at": None}
    elif action in TASK_FLOW:
        no = payload["task_no"]
        task = state.tasks.get(no)
        if task is None:
            raise NotFound(f"no task {no} in emergency {e['emergency_id']}")
        start, to = TASK_FLOW[action]
        if task["status"] != start:
            raise EmergencyRefused(f"cannot {action}: task {no} is {task['status']}, it must be {start}")
        task = {**task, "status": to}
        if action == "sign_task":
            task.update(signed_at=at, signed_by=actor)
        elif action == "report_task":
            task.update(reported_at=at, report=payload["text"])
        else:
            task["closed_at"] = at
        ch.tasks[no] = task
    elif action in ("log", "report_up", "reply"):
        no = max(state.log, default=0) + 1
        kind = payload.get("kind") if action == "log" else ("report" if action == "report_up" else "reply")
        reply_to = payload.get("reply_to")
        if action == "reply" and (reply_to not in state.log or state.log[reply_to]["kind"] != "report"):
            raise EmergencyRefused(f"entry {reply_to} is no report upward (上报) of this emergency")
        ch.log[no] = {"emergency_id": e["emergency_id"], "entry_no": no, "kind": kind, "logged_at": at,
                      "actor": actor, "text": payload["text"], "counterpart": payload.get("counterpart"),
                      "reply_to": reply_to if action == "reply" else None}
    elif action == "ack_alarm":
        key = payload["alarm_key"]
        if key in state.acks:
            raise EmergencyRefused(f"alarm {key} was acknowledged already")
        ch.acks[key] = {"emergency_id": e["emergency_id"], "alarm_key": key, "acked_at": at, "acked_by": actor}
    elif action == "close":
        ch.emergency.update(status="closed", closed_at=at, closing_note=payload.get("note"))
    else:
        raise EmergencyRefused(f"unknown action {action!r}")
    return ch


def fold(state: EmergencyState, ch: Changes) -> EmergencyState:
    return EmergencyState(ch.emergency if ch.emergency is not None else state.emergency,
                          {**state.tasks, **ch.tasks}, {**state.log, **ch.log}, {**state.acks, **ch.acks})


def replay(events: Iterable[dict[str, Any]], calendar: WorkCalendar) -> EmergencyState:
    """Fold an emergency's events (action, actor, occurred_at, payload as JSON text) in order."""
    state = EmergencyState()
    for ev in events:
        payload = json.loads(ev["payload"]) if isinstance(ev["payload"], str) else ev["payload"]
        state = fold(state, step(state, ev["action"], ev["occurred_at"], ev["actor"], payload, calendar))
    return state


# -- validation ---------------------------------------------------------------------------
def _text(errors, body, name, *, required=True, max_len=MAX_TEXT):
    value = body.get(name)
    if value is None or value == "":
        if required:
            errors.append({"field": name, "problem": "required", "value": value})
        return None
    if not isinstance(value, str) or len(value) > max_len or not is_text(value):
        errors.append({"field": name, "problem": f"text of at most {max_len} characters", "value": echo(value)})
        return None
    return value.strip()


def _choice(errors, body, name, allowed, default=None):
    value = body.get(name, default)
    if not isinstance(value, str) or value not in allowed:
        errors.append({"field": name, "problem": f"must be one of {', '.join(allowed)}", "value": echo(value)})
        return None
    return value


def _int(errors, body, name, lo, hi, *, required=True):
    value = body.get(name)
    if value is None:
        if required:
            errors.append({"field": name, "problem": "required", "value": None})
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        errors.append({"field": name, "problem": f"a whole number from {lo} to {hi}", "value": echo(value)})
        return None
    return value


def _known(errors, body, known):
    for name in sorted(set(body) - known):
        errors.append({"field": str(name)[:40], "problem": "unknown field", "value": None})


def _object(body):
    if not isinstance(body, dict):
        raise FieldErrors([{"field": "body", "problem": "must be a JSON object", "value": type(body).__name__}])
    if "actor" in body:
        raise FieldErrors([{"field": "actor", "problem": "actor comes from the login", "value": echo(body["actor"])}])


def check_declare(store: Store, body: Any, scope: list[int]) -> dict[str, Any]:
    """The fields of a declaration except its area (the caller builds that with ``layers.area``)."""
    _object(body)
    errors: list[dict[str, Any]] = []
    _known(errors, body, {"title", "level", "kind", "commander", "matter_id", "area", "sign_alarm_min"})
    clean = {"title": _text(errors, body, "title", max_len=200),
             "level": _choice(errors, body, "level", LEVELS),
             "kind": _choice(errors, body, "kind", EMERGENCY_KINDS),
             "commander": _text(errors, body, "commander", required=False, max_len=100),
             "matter_id": _int(errors, body, "matter_id", 1, 2**63 - 1, required=False)}
    alarm = body.get("sign_alarm_min", DEFAULT_SIGN_ALARM_MIN)
    if isinstance(alarm, bool) or not isinstance(alarm, (int, float)) or not 0.05 <= alarm <= 24 * 60:
        errors.append({"field": "sign_alarm_min", "problem": "minutes from 0.05 to 1440", "value": echo(alarm)})
    else:
        clean["sign_alarm_min"] = float(alarm)
    if errors:
        raise FieldErrors(errors)
    if clean["matter_id"] is not None:
        found = store.run("emergency/matter_for_declaring", matter_id=clean["matter_id"], scope=scope)
        if found.empty:
            raise NotFound(f"no matter {clean['matter_id']}")
        row = found.iloc[0]
        if row["level"] not in MATTER_LEVELS_FOR_EMERGENCY and not bool(row["urgent"]):
            raise ActionRefused(f"matter {clean['matter_id']} is of level {row['level']} and not urgent: an "
                                f"emergency is declared from a matter of level 较大 (larger) or above, or urgent")
    return clean


def check_action(store: Store, action: Any, body: Any) -> dict[str, Any]:
    """The fields of an action on an emergency (not ``declare``)."""
    _object(body)
    errors: list[dict[str, Any]] = []
    if not isinstance(action, str) or action not in ACTIONS or action == "declare":
        raise FieldErrors([{"field": "action", "problem": "must be one of " + ", ".join(
            a for a in ACTIONS if a != "declare"), "value": echo(action)}])
    known = {"action"}
    clean: dict[str, Any] = {}
    if action == "post_task":
        known |= {"department", "what", "minutes", "clock"}
        clean["what"] = _text(errors, body, "what", max_len=500)
        clean["minutes"] = _int(errors, body, "minutes", 1, MAX_TASK_MIN)
        clean["clock"] = _choice(errors, body, "clock", TASK_CLOCKS, default="calendar")
        dept = body.get("department")
        if dept is None or isinstance(dept, bool) or not isinstance(dept, (int, str)):
            errors.append({"field": "department", "problem": "a department id or code", "value": echo(dept)})
        else:
            found = store.run("emergency/department", key=str(dept))
            if found.empty:
                errors.append({"field": "department", "problem": "unknown department", "value": echo(dept)})
            else:
                clean["dept_id"] = int(found["dept_id"].iloc[0])
    elif action in TASK_FLOW:
        known |= {"task"} | ({"text"} if action == "report_task" else set())
        clean["task_no"] = _int(errors, body, "task", 1, 100_000)
        if action == "report_task":
            clean["text"] = _text(errors, body, "text")
    elif action == "log":
        known |= {"kind", "text"}
        clean["kind"] = _choice(errors, body, "kind", EMERGENCY_LOG_KINDS, default="note")
        clean["text"] = _text(errors, body, "text")
    elif action == "report_up":
        known |= {"text", "to"}
        clean["text"] = _text(errors, body, "text")
        clean["counterpart"] = _text(errors, body, "to", required=False, max_len=200) or "县(市)指挥中心"
    elif action == "reply":
        known |= {"text", "reply_to", "from"}
        clean["text"] = _text(errors, body, "text")
        clean["reply_to"] = _int(errors, body, "reply_to", 1, 100_000)
        clean["counterpart"] = _text(errors, body, "from", required=False, max_len=200) or "县(市)指挥中心"
    elif action == "ack_alarm":
        known |= {"alarm"}
        clean["alarm_key"] = _text(errors, body, "alarm", max_len=60)
    elif action == "close":
        known |= {"note"}
        clean["note"] = _text(errors, body, "note", required=False)
    _known(errors, body, known)
    if errors:
        raise FieldErrors(errors)
    return clean


# -- the write path -------------------------------------------------------------------------
def _state_in(store: Store, cur, emergency_id: int) -> EmergencyState:
    events = store.select_in(cur, "emergency/events", emergency_id=emergency_id)
    return replay(events, store.calendar)


def _write(store: Store, cur, emergency_id: int, seq: int, action: str, actor: str, at: datetime,
           payload: dict[str, Any], ch: Changes) -> None:
    store.execute_write(cur, "emergency/insert_event", emergency_id=emergency_id, seq=seq, action=action,
                        actor=actor, occurred_at=at, payload=json.dumps(payload, ensure_ascii=False, default=str))
    if ch.emergency is not None:
        store.execute_write(cur, "emergency/upsert", **ch.emergency)
    for task in ch.tasks.values():
        store.execute_write(cur, "emergency/upsert_task", **task)
    for entry in ch.log.values():
        store.execute_write(cur, "emergency/insert_log", **entry)
    for ack in ch.acks.values():
        store.execute_write(cur, "emergency/insert_ack", **ack)


def declare(store: Store, clean: dict[str, Any], area: dict[str, Any], *, now: datetime, by: Any,
            actor: str) -> dict[str, Any]:
    """Declare an emergency (``clean`` from ``check_declare``, ``area`` from ``layers.area``)."""
    require(by, "declare_emergency")
    now = now.replace(microsecond=0)

    def write(cur) -> dict[str, Any]:
        last = store.select_in(cur, "emergency/last_id")[0]["last"]
        emergency_id = int(last or 0) + 1
        payload = {**clean, **area, "emergency_id": emergency_id, "commander": clean.get("commander") or actor}
        ch = step(EmergencyState(), "declare", now, actor, payload, store.calendar)
        _write(store, cur, emergency_id, 1, "declare", actor, now, payload, ch)
        return {"id": emergency_id, **{k: v for k, v in ch.emergency.items() if k != "emergency_id"}}

    return _jsonable(store.transact(write))


def act(store: Store, emergency_id: int, action: str, clean: dict[str, Any], *, now: datetime, by: Any,
        actor: str, user_dept_id: int | None = None) -> dict[str, Any]:
    """Apply one validated action; returns what it changed (the emergency, a task, a log
    entry or an acknowledgement) as the API answers."""
    require(by, ACTIONS[action])
    now = now.replace(microsecond=0)

    def write(cur) -> dict[str, Any]:
        nonlocal now
        state = _state_in(store, cur, emergency_id)
        if state.emergency is None:
            raise NotFound(f"no emergency {emergency_id}")
        if action in TASK_FLOW and by is not None and by.role == "department":
            task = state.tasks.get(clean["task_no"])
            if task is not None and task["dept_id"] != user_dept_id:
                raise Forbidden(f"{action} is allowed for a department user only on its own department's tasks")
        last_at = store.select_in(cur, "emergency/last_event_at", emergency_id=emergency_id)[0]["last_at"]
        if last_at is not None and now < last_at:
            now = last_at                                 # the log never runs backwards
        ch = step(state, action, now, actor, clean, store.calendar)
        _write(store, cur, emergency_id, ch.emergency["event_count"], action, actor, now, clean, ch)
        if ch.tasks:
            return {"task": next(iter(ch.tasks.values()))}
        if ch.log:
            return {"entry": next(iter(ch.log.values()))}
        if ch.acks:
            return {"ack": next(iter(ch.acks.values()))}
        return {"emergency": ch.emergency}

    return _jsonable(store.transact(write))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value


# -- reading: the board's facts -------------------------------------------------------------
def state_of(store: Store, emergency_id: int) -> EmergencyState:
    """The emergency as its tables hold it (equal to the replay of its events)."""
    rows = store.run("emergency/detail", emergency_id=emergency_id)
    if rows.empty:
        raise NotFound(f"no emergency {emergency_id}")
    tasks = store.run("emergency/tasks", emergency_id=emergency_id)
    log = store.run("emergency/log", emergency_id=emergency_id)
    acks = store.run("emergency/acks", emergency_id=emergency_id)
    return EmergencyState(_row(rows.iloc[0].to_dict()),
                          {int(r["task_no"]): _row({k: v for k, v in r.items() if k not in TASK_NAMES})
                           for r in tasks.to_dict("records")},
                          {int(r["entry_no"]): _row(r) for r in log.to_dict("records")},
                          {r["alarm_key"]: _row(r) for r in acks.to_dict("records")})


def _row(r: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd

    out = {}
    for k, v in r.items():
        if v is None or (not isinstance(v, (list, tuple, str)) and pd.isna(v)):
            out[k] = None
        elif isinstance(v, pd.Timestamp):
            out[k] = v.to_pydatetime()
        elif hasattr(v, "item"):
            out[k] = v.item()
        else:
            out[k] = v
    return out


def time_left_min(task: dict[str, Any], now: datetime, calendar: WorkCalendar) -> float:
    """Minutes left to the task's due time on its own clock (negative: overdue)."""
    if task["clock"] == "calendar":
        return (task["due_at"] - now).total_seconds() / 60
    return float(calendar.work_min_at(np.datetime64(task["due_at"], "s"))
                 - calendar.work_min_at(np.datetime64(now, "s")))


def alarms(state: EmergencyState, now: datetime, new_matters: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The alarms for the commander at ``now``: each task not signed for within the
    emergency's ``sign_alarm_min`` (also one signed late, until acknowledged), each matter
    registered inside the area since the declaration; acknowledged ones carry who and when."""
    e = state.emergency
    limit = timedelta(minutes=float(e["sign_alarm_min"]))
    out = []
    for no, task in sorted(state.tasks.items()):
        late_at = task["posted_at"] + limit
        signed = task["signed_at"]
        if (signed is None and now >= late_at) or (signed is not None and signed > late_at):
            out.append({"key": f"task:{no}", "kind": "task_unsigned", "task_no": no, "matter_id": None,
                        "raised_at": late_at, "dept_id": task["dept_id"]})
    for m in new_matters:
        if m["created_at"] >= e["declared_at"]:
            out.append({"key": f"matter:{m['matter_id']}", "kind": "matter_inside", "task_no": None,
                        "matter_id": int(m["matter_id"]), "raised_at": m["created_at"], "dept_id": None})
    for a in out:
        ack = state.acks.get(a["key"])
        a["acked_at"] = ack["acked_at"] if ack else None
        a["acked_by"] = ack["acked_by"] if ack else None
    return out


def after_action(state: EmergencyState, events: list[dict[str, Any]],
                 matters_inside: list[dict[str, Any]]) -> dict[str, Any]:
    """The after-action summary (复盘) of a closed emergency: timeline, tasks with their
    times to sign and finish (minutes, calendar time), and the matters inside the area."""
    e = state.emergency

    def minutes(a, b):
        return None if a is None or b is None else round((b - a).total_seconds() / 60, 1)

    tasks = [{**t, "minutes_to_sign": minutes(t["posted_at"], t["signed_at"]),
              "minutes_to_finish": minutes(t["posted_at"], t["closed_at"] or t["reported_at"])}
             for _, t in sorted(state.tasks.items())]
    signed = [t["minutes_to_sign"] for t in tasks if t["minutes_to_sign"] is not None]
    done = [t["minutes_to_finish"] for t in tasks if t["minutes_to_finish"] is not None]
    return {"emergency": e, "duration_min": minutes(e["declared_at"], e["closed_at"]),
            "timeline": events, "tasks": tasks,
            "mean_minutes_to_sign": round(sum(signed) / len(signed), 1) if signed else None,
            "mean_minutes_to_finish": round(sum(done) / len(done), 1) if done else None,
            "matters_inside": matters_inside}
