"""The write path: creating matters and acting on them (DOMAIN.md §3).

Every action is one transaction: the matter's row, its new event, the current-state table
and the daily rollup change together or not at all. Validation comes first and reports
every field problem at once; a legal-transition check then refuses what the lifecycle
does not allow, with the reason a person needs. The API, the desk's buttons and the
simulator all come through here.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from queries import clock, incremental, lifecycle
from queries.bodies import EXTENSION_UNITS, MatterAction, NewMatter
from queries.concurrency import Refusal
from queries.contract import NOT_TEXT, FieldErrors, check_fields, echo, is_text  # noqa: F401 (their home was here)
from queries.dispatch import proposed_department
from queries.indicator_rollup import apply_indicator_change
from queries.permissions import Forbidden, require, require_on_matter
from queries.store import Store
from queries.vocabulary import SATISFACTION
from queries.workcal import limit_minutes

STATUS_ZH = {"registered": "已受理", "dispatched": "已派单", "handling": "处置中", "feedback": "已反馈",
             "verified": "已核查", "closed": "已办结", "voided": "已作废", "suspended": "缓办",
             "returned": "已退回", "escalated": "已上报", None: "未受理"}
ACTION_ZH = {"accept": "受理", "dispatch": "派单", "sign": "签收", "feedback": "反馈", "verify": "核查通过",
             "reject": "核查不通过(返工)", "close": "办结", "follow_up": "回访", "supervise": "督办",
             "extend": "延期", "suspend": "缓办", "resume": "恢复", "return": "退回", "void": "作废",
             "escalate": "上报", "reopen": "重开", "merge": "合并(重复件)", "merged_in": "并入重复件"}
# What an action needs first, said to the person who tried it.
NEEDS = {"close": "it must pass verification (核查) first", "verify": "it has no feedback (反馈) yet",
         "feedback": "it must be signed for (签收) first", "sign": "it has not been dispatched (派单)",
         "follow_up": "it is not closed (办结) yet", "reject": "it has no feedback (反馈) to reject",
         "resume": "its clock is not stopped (缓办)", "reopen": "only a closed matter can be reopened",
         "dispatch": "only a new or returned matter can be dispatched",
         "merge": "only an open matter can be merged as a duplicate"}
NOTE_REQUIRED = {"supervise", "extend", "suspend", "return", "void", "reject", "escalate", "reopen"}
MAX_EXTENSION_MIN = 60 * 24 * 30
ID_API_OFFSET = 50_000       # demo matters use 1…49,999 of a day; the API takes 50,001…
UPDATABLE = frozenset({"status", "updated_at", "event_count", "lead_dept_id", "co_dept_ids", "dispatched_at",
                       "sign_due_at", "return_count", "signed_at", "feedback_at", "rework_count", "closed_at",
                       "followed_up_at", "satisfaction", "supervision_count", "extension_count", "limit_min",
                       "due_at", "suspended_at", "remaining_min_at_suspend", "voided_at", "escalated_at",
                       "duplicate_of"})


class ActionRefused(Refusal, ValueError):
    """A legal request that the matter's state does not allow. HTTP 409."""


class NotFound(Refusal, LookupError):
    """No such matter. HTTP 404."""


@dataclass(frozen=True)
class Placement:
    """Where a new matter lies: from ``layers`` (cell lookup) via the caller, with the
    cell's code and village's name when the caller has them (saves a look-up)."""
    lon: float | None
    lat: float | None
    cell_id: int | None
    village_id: int | None
    cell_code: str | None = None
    village_name: str | None = None


def check_new_matter(store: Store, body: Any) -> dict[str, Any]:
    """Validate a creation request against ``bodies.NewMatter`` and the store's categories;
    returns the clean fields or raises FieldErrors with every problem."""
    if not isinstance(body, dict):
        raise FieldErrors([{"field": "body", "problem": "must be a JSON object", "value": type(body).__name__}])
    clean, errors = check_fields(NewMatter, body)
    failed = {e["field"] for e in errors}
    code, category = clean.get("category"), None
    if code is not None:
        with store.reading() as cur:
            found = cur.execute("SELECT category_id, code, major_code, default_dept_id, limit_value, limit_unit, "
                                "urgency FROM categories WHERE code = ?", [code]).fetchone()
        if found is None:
            errors.append({"field": "category", "problem": "unknown category code", "value": code})
        else:
            category = dict(zip(("category_id", "code", "major_code", "default_dept_id", "limit_value",
                                 "limit_unit", "urgency"), found))
    lon, lat = clean.get("lon"), clean.get("lat")
    if (lon is None) != (lat is None) and not failed & {"lon", "lat"}:
        errors.append({"field": "lon" if lon is None else "lat", "problem": "lon and lat go together",
                       "value": None})
    if lon is None and lat is None and not clean.get("address") and not failed & {"lon", "lat"}:
        errors.append({"field": "lon", "problem": "give lon and lat, or an address", "value": None})
    if errors:
        raise FieldErrors(errors)
    return {**clean, "category": category, "actor": clean["actor"] or "API"}


def request_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def create_matter(store: Store, clean: dict[str, Any], placement: Placement, *, now: datetime,
                  idempotency_key: str | None = None, body_hash: str | None = None,
                  by: Any = None, scope: list[int] | None = None) -> tuple[dict, bool]:
    """Register (受理) a matter. Returns (the matter as the API shows it, created?); with an
    idempotency key already used for the same body, the first answer and False. ``by``: the
    signed-in user a request acts for, checked against ``queries.permissions`` (``register``);
    None only for the callers that act for no person (an Open311 channel with its key, the
    demo generator, the benchmarks). ``scope``: the villages the user may see; a matter
    placed outside them is refused (``Forbidden``), since its answer would show that place."""
    if by is not None:
        require(by, "register")
    if scope is not None and _village_key(placement.village_id) not in scope:
        raise Forbidden("register is allowed only for a place in the villages you may see")
    cat = clean["category"]
    calendar = store.calendar
    limit = int(limit_minutes(cat["limit_value"], cat["limit_unit"], calendar.day_minutes(now)))
    now = now.replace(microsecond=0)
    due = calendar.add_work_minutes(np.datetime64(now, "s"), limit).astype(datetime)

    def write(cur) -> tuple[dict, bool]:
        if idempotency_key is not None:
            first = store.select_in(cur, "matters/idempotent_answer", key=idempotency_key)
            if first:
                if first[0]["request_hash"] != body_hash:
                    raise FieldErrors([{"field": "Idempotency-Key", "problem":
                                        "already used for a different request", "value": idempotency_key}])
                return json.loads(first[0]["response"]), False
        day = now.year * 10000 + now.month * 100 + now.day
        lo = day * 100000 + ID_API_OFFSET
        last = store.select_in(cur, "matters/last_api_id", lo=lo, hi=(day + 1) * 100000)[0]["last"]
        matter_id = (last or lo) + 1
        if matter_id >= (day + 1) * 100000:
            raise ActionRefused("more than 49,999 matters registered today through the API")
        row = {"matter_id": matter_id, "source": clean["source"], "external_ref": clean["external_ref"],
               "category_id": int(cat["category_id"]), "major_code": cat["major_code"],
               "description": clean["description"], "address": clean["address"], "reporter": clean["reporter"],
               "lon": placement.lon, "lat": placement.lat, "cell_id": placement.cell_id,
               "village_id": placement.village_id, "level": clean["level"],
               "urgent": bool(cat["urgency"] == "urgent" or clean["level"] in ("major", "especially_major")),
               "status": "registered", "created_at": now, "limit_min": limit, "due_at": due, "updated_at": now,
               "supervision_count": 0, "lead_dept_id": None}
        store.execute_write(cur, "matters/insert", **{k: v for k, v in row.items()
                                                       if k not in ("supervision_count", "lead_dept_id")})
        store.execute_write(cur, "matters/insert_event", matter_id=matter_id, seq=1, action="accept",
                            actor=clean["actor"], occurred_at=now, from_status=None, to_status="registered",
                            dept_id=None, minutes=None, value=None, note=None)
        incremental.apply_rollup_change(store, cur, None, row)
        apply_indicator_change(store, cur, None, row, was_suspended=False)
        incremental.sync_open_matter(store, cur, row, is_new=True)
        known = (cat["code"], placement.cell_code, placement.village_name)
        result = _matter_json(store, cur, row, known if placement.cell_code or placement.cell_id is None else None)
        if idempotency_key is not None:
            store.execute_write(cur, "matters/remember_answer", key=idempotency_key, request_hash=body_hash,
                                matter_id=matter_id, response=json.dumps(result, ensure_ascii=False), now=now)
        return result, True

    return store.transact(write)


def _matter_json(store: Store, cur, m: dict[str, Any], names: tuple | None = None) -> dict[str, Any]:
    """The matter as the API answers after a write, from the row in hand (and the names of
    its category, cell and village when the caller knows them)."""
    names = names or tuple(store.select_in(cur, "matters/names", category_id=m.get("category_id"),
                                           cell_id=m.get("cell_id"), village_id=m.get("village_id"))[0].values())
    out = {"id": m["matter_id"], "status": m["status"], "source": m["source"], "category": names[0],
           "department_id": m.get("lead_dept_id"), "cell": names[1], "village": names[2], "lon": m.get("lon"),
           "lat": m.get("lat"), "level": m.get("level"), "created_at": m["created_at"], "due_at": m.get("due_at"),
           "limit_min": m.get("limit_min"), "updated_at": m["updated_at"]}
    for k in ("created_at", "due_at", "updated_at"):
        out[k] = out[k].isoformat(timespec="seconds") if out[k] else None
    return out


# -- actions ------------------------------------------------------------------------
def check_action(store: Store, body: Any) -> dict[str, Any]:
    """Validate an action request against ``bodies.MatterAction`` and the store's
    departments (not yet its legality for the matter)."""
    if not isinstance(body, dict):
        raise FieldErrors([{"field": "body", "problem": "must be a JSON object", "value": type(body).__name__}])
    fields, errors = check_fields(MatterAction, body, unknown_value=False, ignore=frozenset(EXTENSION_UNITS))
    if "action" not in fields:
        raise FieldErrors([e for e in errors if e["field"] == "action"])
    action = fields["action"]
    clean: dict[str, Any] = {"action": action, "actor": fields.get("actor") or "API", "note": fields.get("note")}
    if action in NOTE_REQUIRED and "note" in fields and clean["note"] is None:
        errors.append({"field": "note", "problem": "required", "value": body.get("note")})
    if action == "dispatch":
        if "department" in fields:
            clean["dept_id"] = _department(store, errors, fields["department"], "department", required=True)
        clean["co_dept_ids"] = [d for d in (_department(store, errors, x, "co_departments")
                                            for x in fields.get("co_departments") or []) if d is not None]
    if action == "extend":
        given = {k: body[k] for k in EXTENSION_UNITS if body.get(k) is not None}
        if len(given) != 1:
            errors.append({"field": "minutes", "problem": "give exactly one of minutes, hours, work_days",
                           "value": {k: echo(v) for k, v in given.items()} or None})
        else:
            (unit, value), = given.items()
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value <= 0:
                errors.append({"field": unit, "problem": "must be a positive number", "value": echo(value)})
            else:
                per = {"minutes": 1, "hours": 60, "work_days": store.calendar.day_minutes(clock.now())}[unit]
                most = MAX_EXTENSION_MIN / per
                # Compared in the unit given, before multiplying: 1e308 hours is no float in minutes.
                if value > most:
                    errors.append({"field": unit, "problem": f"longer than 30 days of working time: "
                                   f"at most {most:g} {unit}", "value": echo(value)})
                else:
                    clean["minutes"] = int(round(value * per))
    if action == "merge":
        if fields.get("into") is None:
            if "into" not in {e["field"] for e in errors}:
                errors.append({"field": "into", "problem": "required: the id of the original matter",
                               "value": echo(body.get("into"))})
        else:
            clean["into"] = fields["into"]
    if action == "follow_up":
        if fields.get("satisfaction", "") is None:
            errors.append({"field": "satisfaction", "problem": f"must be one of {', '.join(SATISFACTION)}",
                           "value": None})
        clean["satisfaction"] = fields.get("satisfaction")
    if errors:
        raise FieldErrors(errors)
    return clean


def _department(store: Store, errors, value, field: str, required: bool = False) -> int | None:
    """The id of the department ``value`` (an id or a code the model let through) names."""
    if value is None:
        if required:
            errors.append({"field": field, "problem": "required", "value": None})
        return None
    found = store.scalar("SELECT dept_id FROM departments WHERE dept_id = TRY_CAST(? AS INTEGER) OR code = ?",
                        [str(value), str(value)])
    if found is None:
        errors.append({"field": field, "problem": "unknown department", "value": echo(value)})
    return found


def _village_key(village_id: Any) -> int:
    """A matter's village as scopes list it: placed in none is -1 (``UNPLACED``)."""
    return -1 if village_id is None else int(village_id)


def apply_action(store: Store, matter_id: int, clean: dict[str, Any], *, now: datetime,
                 by: Any = None, scope: list[int] | None = None) -> dict[str, Any]:
    """Apply one validated action to a matter; returns the new state as the API shows it.
    ``by``: the signed-in user (``queries.accounts.User``) the request acts for, checked
    against ``queries.permissions`` before anything is written (``Forbidden``, HTTP 403); a
    department user only on its own department's matters. None only for in-process callers
    that act for no person (the demo generator, tests of the lifecycle). ``scope``: the
    villages the user may see (``viewer_scope()``); a matter outside them is no matter
    (``NotFound``), so an action tells nothing of another village."""
    action = clean["action"]
    if by is not None:
        require(by, action)
    now = now.replace(microsecond=0)
    # What the dispatch suggestion proposes, read before the write: the event records
    # whether the department chosen is the one proposed.
    proposed = proposed_department(store, matter_id) if action == "dispatch" else None

    def write(cur) -> dict[str, Any]:
        rows = store.select_in(cur, "matters/row", matter_id=matter_id)
        if not rows:
            raise NotFound(f"no matter {matter_id}")
        m = rows[0]
        if scope is not None and _village_key(m["village_id"]) not in scope:
            raise NotFound(f"no matter {matter_id}")
        if by is not None and by.dept_code is not None:
            dept = store.select_in(cur, "accounts/dept_id", code=by.dept_code)
            require_on_matter(by, action, m, dept[0]["dept_id"] if dept else None)
        elif by is not None:
            require_on_matter(by, action, m, None)
        status = m["status"]
        try:
            lifecycle.next_status(action, status)
        except lifecycle.IllegalTransition:
            need = NEEDS.get(action, "the lifecycle does not allow it")
            raise ActionRefused(f"cannot {action} ({ACTION_ZH[action]}): matter {matter_id} is "
                                f"{status} ({STATUS_ZH.get(status, status)}); {need}") from None
        reason = lifecycle.blocked(action, m)
        if reason is not None:
            raise ActionRefused(f"cannot {action} ({ACTION_ZH[action]}): matter {matter_id} is "
                                f"{status} ({STATUS_ZH.get(status, status)}); {reason}")
        if action == "merge":
            return _merge(store, cur, m, clean, now)
        value = clean.get("satisfaction")
        if action == "dispatch":
            value = suggestion_outcome(proposed, clean.get("dept_id"))
        after = _step_and_write(store, cur, m, action, now, clean, value=value)
        return _matter_json(store, cur, after)

    return store.transact(write)


def _step_and_write(store: Store, cur, m: dict[str, Any], action: str, now: datetime, clean: dict[str, Any], *,
                    value: str | None) -> dict[str, Any]:
    """Apply ``lifecycle.step`` to the matter row ``m`` and write it: the row, its event, the
    rollups and the current-state table. Returns the row after."""
    matter_id = m["matter_id"]
    status = m["status"]
    if now < m["updated_at"]:
        now = m["updated_at"]                           # the log never runs backwards
    to = lifecycle.next_status(action, status)
    changes, event = lifecycle.step(m, action, now, store.calendar, dept_id=clean.get("dept_id"),
                                    co_dept_ids=clean.get("co_dept_ids"), minutes=clean.get("minutes"),
                                    value=value)
    set_: dict[str, Any] = {**changes, "updated_at": now, "event_count": m["event_count"] + 1}
    # 缓办 leaves both sides of 结案率: the indicator rollup needs whether the clock was
    # ever stopped, before this action (so asked before its event is written) and after.
    stopped_before = m["suspended_at"] is not None or bool(
        store.select_in(cur, "matters/ever_suspended", matter_id=matter_id)[0]["stopped"])
    unknown = set(set_) - UPDATABLE
    if unknown:
        raise AssertionError(f"not an updatable column: {unknown}")
    after = {**m, **set_}
    store.execute_write(cur, "matters/update_state", matter_id=matter_id,
                        **{k: after[k] for k in sorted(UPDATABLE)})
    store.execute_write(cur, "matters/insert_event", matter_id=matter_id, seq=m["event_count"] + 1,
                        action=action, actor=clean["actor"], occurred_at=now, from_status=status,
                        to_status=to, note=clean["note"], **event)
    incremental.apply_rollup_change(store, cur, m, after)
    apply_indicator_change(store, cur, m, after, was_suspended=stopped_before or action == "suspend",
                           was_suspended_before=stopped_before)
    incremental.sync_open_matter(store, cur, after)
    return after


def _merge(store: Store, cur, copy: dict[str, Any], clean: dict[str, Any], now: datetime) -> dict[str, Any]:
    """合并重复件: void ``copy`` with a link to the original (``into``), and record the merge
    on the original too (``merged_in``, its status unchanged), in the one transaction."""
    into = clean["into"]
    if into == copy["matter_id"]:
        raise FieldErrors([{"field": "into", "problem": "a matter cannot be merged into itself", "value": into}])
    rows = store.select_in(cur, "matters/row", matter_id=into)
    if not rows:
        raise FieldErrors([{"field": "into", "problem": "no such matter", "value": into}])
    original = rows[0]
    if original["status"] == "voided":
        raise ActionRefused(f"cannot merge into matter {into}: it is voided ({STATUS_ZH['voided']})"
                            + (f", itself a duplicate of {original['duplicate_of']}"
                               if original.get("duplicate_of") is not None else ""))
    after = _step_and_write(store, cur, copy, "merge", now, clean, value=str(into))
    _step_and_write(store, cur, original, "merged_in", max(now, after["updated_at"]),
                    {"actor": clean["actor"], "note": clean["note"]}, value=str(copy["matter_id"]))
    out = _matter_json(store, cur, after)
    out["duplicate_of"] = into
    return out


def suggestion_outcome(proposed: int | None, dept_id: int | None) -> str | None:
    """What a dispatch records of the proposal (``queries.dispatch``): ``suggestion_taken``
    when the lead department is the one proposed first, ``suggestion_declined`` when another,
    None when there was nothing to propose."""
    if proposed is None:
        return None
    return "suggestion_taken" if dept_id is not None and int(dept_id) == int(proposed) else "suggestion_declined"
