"""What the dispatch desk (调度台) shows and does, as pure functions: the six queues, a
matter's card (details, light, timeline, place), the actions its state allows, the
department picker with each department's load, and acting on a matter through the same
write path as the API (``check_action`` + ``apply_action``), with the outcome told in the
page's language.

Everything takes a ``Reader`` or a ``Store`` plus plain values and returns plain data or
figures, so the page's callbacks stay thin and all of it is testable without a browser.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

import pandas as pd
import plotly.graph_objects as go

from dashboard.i18n import name_of, pick, plain, t
from dashboard.overview_panels import remaining_text, working_time_text
from dashboard.reader import Reader
from layers import maptraces
from layers.matter_map import location_figure
from queries import lifecycle
from queries.store import Store
from queries.writepath import (NEEDS, NOTE_REQUIRED, ActionRefused, FieldErrors, NotFound, apply_action,
                               check_action)

QUEUES = ("new", "sign_overdue", "verify", "due_soon", "overdue", "follow_up")
# Rows shown per queue (each says how many more wait): the top is what gets worked.
QUEUE_LIMIT = 30
# The order the card offers actions in: the loop forward first, then the side paths.
ACTION_ORDER = ("dispatch", "sign", "feedback", "verify", "reject", "close", "follow_up", "reopen",
                "supervise", "extend", "suspend", "resume", "return", "escalate", "void")
# The form's extension units (a number input beside a radio), as the API names them.
EXTEND_UNITS = ("hours", "work_days")
# Who the event log names for actions taken at the desk (no logins yet).
DESK_ACTOR = "调度台"
# The write path's field names → the form's error slot (beside the input it concerns).
ERROR_SLOT = {"note": "note", "department": "department", "co_departments": "co_departments",
              "minutes": "extend_amount", "hours": "extend_amount", "work_days": "extend_amount",
              "satisfaction": "satisfaction"}
# i18n keys that exist: an action's name, and what an action needs first (its refusal).
_ACTION_KEYS = frozenset(f"action.{a}" for a in (*lifecycle.TRANSITIONS, *lifecycle.SYSTEM_ACTIONS))
_NEED_KEYS = frozenset(f"need.{a}" for a in NEEDS)


# -- what the desk looks at --------------------------------------------------------------
@dataclass(frozen=True)
class DeskView:
    """Whose matters, as of when, and the desk's thresholds."""

    scope: tuple[int, ...]
    now: datetime
    yellow_share: float
    follow_up_days: int = 7

    def params(self) -> dict[str, Any]:
        return {"scope": list(self.scope), "now": self.now, "yellow_share": float(self.yellow_share),
                "follow_up_days": int(self.follow_up_days)}

    def light_params(self) -> dict[str, Any]:
        return {"scope": list(self.scope), "now": self.now, "yellow_share": float(self.yellow_share)}


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _int_or_none(value: Any) -> int | None:
    return None if _missing(value) else int(value)


def _int_list(value: Any) -> list[int]:
    """A list column (INTEGER[]) as ints; missing reads as empty."""
    if value is None or isinstance(value, (float, str)) or value is pd.NA:
        return []
    try:
        return [int(v) for v in value if not _missing(v)]
    except TypeError:
        return []


def time_text(value: Any, fmt: str = "%m-%d %H:%M") -> str:
    if _missing(value):
        return ""
    return pd.Timestamp(value).strftime(fmt)


def limit_text(minutes: Any, minutes_per_day: int, lang: str) -> str:
    """A span of working minutes as 工作时 (under a day) or 工作日."""
    if _missing(minutes):
        return t("remaining.none", lang)
    amount, unit = working_time_text(float(minutes), minutes_per_day)
    return t(f"desk.limit.{unit}", lang, n=amount)


# -- the queues --------------------------------------------------------------------------
@dataclass
class Queue:
    key: str
    total: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)


def sign_late_text(wait_min: Any, minutes_per_day: int, lang: str) -> str:
    if _missing(wait_min) or float(wait_min) <= 0:
        return t("desk.sign_late.just", lang)
    amount, unit = working_time_text(float(wait_min), minutes_per_day)
    return t(f"desk.sign_late.{unit}", lang, n=amount)


def queues(reader: Reader, view: DeskView, lang: str, minutes_per_day: int,
           limit: int = QUEUE_LIMIT) -> dict[str, Queue]:
    """The six queues in ``QUEUES`` order, each most urgent first (desk/queues.sql)."""
    frame = reader.run("desk/queues", **view.params(), limit=int(limit))
    out = {key: Queue(key) for key in QUEUES}
    for r in frame.itertuples(index=False):
        queue = out.get(r.queue)
        if queue is None:
            continue
        queue.total = int(r.queue_total)
        light = plain(r.light) or None
        remaining = _int_or_none(r.remaining_min)
        if r.queue == "follow_up":
            when = t("desk.closed_at", lang, time=time_text(r.closed_at))
        elif r.queue == "sign_overdue":
            when = sign_late_text(r.wait_min, minutes_per_day, lang)
        else:
            when = remaining_text(light or "none", remaining, minutes_per_day, lang)
        village, cell = plain(r.village_name), plain(r.cell_name)
        queue.rows.append({
            "matter_id": str(r.matter_id),
            "light": light,
            "light_label": name_of("light", light, lang) if light else name_of("status", r.status, lang),
            "when": when,
            "status": name_of("status", r.status, lang),
            "category": pick(r.category_name, r.category_name_en, lang),
            "place": cell or village or plain(r.address),
            "dept": pick(r.dept_name, r.dept_name_en, lang) if not _missing(r.dept_id) else "",
            "urgent": bool(r.urgent) if not _missing(r.urgent) else False,
            "supervision": _int_or_none(r.supervision_count) or 0,
            "description": plain(r.description),
        })
    return out


def digest(*parts: Any) -> str:
    """A short fingerprint of what a panel shows, to skip re-sending an unchanged one."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def queue_digest(queue: Queue, selected: str | None) -> str:
    """What a queue list shows: its rows, its size, and the selection when it is one of them."""
    shown = selected if any(r["matter_id"] == selected for r in queue.rows) else None
    return digest(queue.total, queue.rows, shown)


def queue_hint(key: str, lang: str, yellow_share: float, follow_up_days: int) -> str:
    share = f"{100 * yellow_share:.1f}".rstrip("0").rstrip(".")
    return t(f"desk.queue.{key}.hint", lang, share=share, days=follow_up_days) if key in (
        "due_soon", "follow_up") else t(f"desk.queue.{key}.hint", lang)


# -- legal actions -------------------------------------------------------------------------
def legal_actions(status: str | None, matter: dict | None = None) -> tuple[str, ...]:
    """The actions the lifecycle allows from ``status`` (queries.lifecycle.TRANSITIONS) and
    the matter's record (``lifecycle.blocked``: no second 回访), in the card's order; never
    ``accept`` (registering happens at intake)."""
    allowed = {action for action, (starts, _to) in lifecycle.TRANSITIONS.items()
               if status in starts and action != "accept"
               and (matter is None or lifecycle.blocked(action, matter) is None)}
    return tuple(a for a in ACTION_ORDER if a in allowed)


def needs_note(action: str) -> bool:
    return action in NOTE_REQUIRED


# -- the department picker -------------------------------------------------------------------
def department_options(reader: Reader, view: DeskView, lang: str,
                       suggested: int | None) -> list[dict[str, Any]]:
    """Every department as a picker option labelled with its current load (open · overdue),
    the category's default department first and marked as the suggestion."""
    depts = reader.run("reference/departments")
    load = reader.run("desk/department_load", **view.light_params()).set_index("dept_id")
    options = []
    for dept_id, zh, en in zip(depts["dept_id"], depts["name"], depts["name_en"]):
        dept_id = int(dept_id)
        open_count = int(load.at[dept_id, "open_count"]) if dept_id in load.index else 0
        overdue = int(load.at[dept_id, "overdue_count"]) if dept_id in load.index else 0
        label = f"{pick(zh, en, lang)} — {t('desk.dispatch.load', lang, open=open_count, overdue=overdue)}"
        if dept_id == suggested:
            label = f"{label} ({t('desk.dispatch.suggested', lang)})"
        options.append({"label": label, "value": dept_id})
    options.sort(key=lambda o: 0 if o["value"] == suggested else 1)
    return options


# -- the card ----------------------------------------------------------------------------------
def department_names(reader: Reader, lang: str) -> dict[int, str]:
    depts = reader.run("reference/departments")
    return {int(d): pick(zh, en, lang) for d, zh, en in zip(depts["dept_id"], depts["name"], depts["name_en"])}


def actor_text(actor: str, lang: str) -> str:
    return t("actor.desk", lang) if actor == DESK_ACTOR else plain(actor)


def matter_card(reader: Reader, view: DeskView, matter_id: int, lang: str,
                minutes_per_day: int) -> dict[str, Any] | None:
    """The card's content for one matter (matters/detail + matters/timeline, the API's
    own queries), or None when it does not exist or lies outside the scope."""
    detail = reader.run("matters/detail", **view.light_params(), matter_id=int(matter_id))
    if detail.empty:
        return None
    m = detail.iloc[0]
    names = department_names(reader, lang)
    status = plain(m["status"])
    is_open = not _missing(m["light"])
    light = plain(m["light"]) if is_open else None
    remaining = _int_or_none(m["remaining_min"])
    lead = _int_or_none(m["department_id"])
    co_ids = _int_list(m["co_dept_ids"])
    village, cell, code = plain(m["village"]), plain(m["cell_name"]), plain(m["cell"])
    place = " · ".join(p for p in (village, cell) if p)
    if code:
        place = f"{place} ({code})" if place else code
    worker = " ".join(p for p in (plain(m["worker_name"]), plain(m["worker_phone"])) if p)
    satisfaction = plain(m["satisfaction"])
    counts = " / ".join(str(_int_or_none(m[k]) or 0) for k in
                        ("supervision_count", "extension_count", "rework_count", "return_count"))
    fields = [
        ("desk.field.source", name_of("source", m["source"], lang)),
        ("desk.field.category", f"{plain(m['major_name'])} · {pick(m['category_name'], m['category_name_en'], lang)}"
         if lang == "zh" else pick(m["category_name"], m["category_name_en"], lang)),
        ("desk.field.level", name_of("level", m["level"], lang)),
        ("desk.field.place", place),
        ("desk.field.address", plain(m["address"])),
        ("desk.field.worker", worker),
        ("desk.field.reporter", plain(m["reporter"])),
        ("desk.field.external_ref", plain(m["external_ref"])),
        ("desk.field.dept", names.get(lead, plain(m["department"])) if lead is not None else
         t("dept.unassigned", lang)),
        ("desk.field.co_depts", "、".join(names.get(d, str(d)) for d in co_ids) if lang == "zh"
         else ", ".join(names.get(d, str(d)) for d in co_ids)),
        ("desk.field.created_at", time_text(m["created_at"], "%Y-%m-%d %H:%M")),
        ("desk.field.dispatched_at", time_text(m["dispatched_at"], "%Y-%m-%d %H:%M")),
        ("desk.field.sign_due_at", time_text(m["sign_due_at"], "%Y-%m-%d %H:%M")
         if _missing(m["signed_at"]) else ""),
        ("desk.field.due_at", time_text(m["due_at"], "%Y-%m-%d %H:%M")),
        ("desk.field.closed_at", time_text(m["closed_at"], "%Y-%m-%d %H:%M")),
        ("desk.field.limit", limit_text(m["limit_min"], minutes_per_day, lang)),
        ("desk.field.counts", counts),
        ("desk.field.satisfaction", name_of("satisfaction", satisfaction, lang) if satisfaction else ""),
    ]
    return {
        "id": str(int(m["id"])),
        "status": status,
        "status_label": name_of("status", status, lang),
        "light": light,
        "remaining_text": (remaining_text(light, remaining, minutes_per_day, lang) if is_open
                           else t("desk.card.finished", lang)),
        "category": pick(m["category_name"], m["category_name_en"], lang),
        "description": plain(m["description"]),
        "urgent": bool(m["urgent"]) if not _missing(m["urgent"]) else False,
        "supervision_count": _int_or_none(m["supervision_count"]) or 0,
        "fields": [(t(key, lang), value) for key, value in fields if value],
        "default_dept_id": _int_or_none(m["default_dept_id"]),
        # what lifecycle.blocked reads: no second 回访
        "followed_up_at": None if _missing(m["followed_up_at"]) else str(m["followed_up_at"]),
        "default_dept": names.get(_int_or_none(m["default_dept_id"]) or -1, ""),
        "timeline": timeline(reader, view, matter_id, lang, minutes_per_day, names),
    }


def timeline(reader: Reader, view: DeskView, matter_id: int, lang: str, minutes_per_day: int,
             names: dict[int, str]) -> list[dict[str, Any]]:
    """The matter's events in order, as the card lists them."""
    frame = reader.run("matters/timeline", scope=list(view.scope), matter_id=int(matter_id))
    rows = []
    for e in frame.itertuples(index=False):
        details = []
        dept = _int_or_none(e.dept_id)
        if dept is not None:
            details.append(t("desk.timeline.dept", lang, dept=names.get(dept, plain(e.department))))
        if not _missing(e.minutes):
            details.append(t("desk.timeline.extend", lang, amount=limit_text(e.minutes, minutes_per_day, lang)))
        if plain(e.value) and e.action == "follow_up":
            details.append(name_of("satisfaction", e.value, lang))
        rows.append({
            "seq": int(e.seq),
            "time": time_text(e.occurred_at, "%Y-%m-%d %H:%M"),
            "action": e.action,
            "action_label": t(f"action.{e.action}", lang) if f"action.{e.action}" in _ACTION_KEYS else e.action,
            "from_status": name_of("status", e.from_status, lang),
            "to_status": name_of("status", e.to_status, lang),
            "actor": t("desk.timeline.by", lang, actor=actor_text(plain(e.actor), lang)),
            "details": " · ".join(details),
            "note": plain(e.note),
        })
    return rows



# -- the mini-map ---------------------------------------------------------------------------------
def minimap_figure(reader: Reader, view: DeskView, matter_id: int, lang: str, *, tile_url: str = "",
                   tile_attribution: str = "") -> go.Figure | None:
    """The matter's point in its grid cell, or None when it has neither point nor cell."""
    place = reader.run("desk/matter_place", scope=list(view.scope), matter_id=int(matter_id))
    if place.empty:
        return None
    p = place.iloc[0]
    lon, lat = (None if _missing(p["lon"]) else float(p["lon"])), (None if _missing(p["lat"]) else float(p["lat"]))
    cell = None
    if not _missing(p["cell_id"]) and p["cell_geom"] is not None:
        cell = maptraces.frame_to_gdf(pd.DataFrame({"geom": [p["cell_geom"]]}))
    if lon is None and cell is None:
        return None
    hover = " · ".join(x for x in (plain(p["village_name"]), plain(p["cell_name"]), plain(p["cell_code"])) if x)
    return location_figure(lon, lat, cell, point_name=t("desk.map.point", lang), cell_name=t("desk.map.cell", lang),
                           hovertext=hover, tile_url=tile_url, tile_attribution=tile_attribution,
                           uirevision=f"matter-{int(matter_id)}")


# -- acting ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """What an action came to: done (with the new status), refused (409: why), or invalid
    input (422: a message per form slot, and any not tied to a slot in ``message``)."""

    kind: str                                   # done | refused | invalid | not_found
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


def action_body(action: str, fields: dict[str, Any], depts: dict[str, Any]) -> dict[str, Any]:
    """The API request body an action button sends, from the form's current values."""
    body: dict[str, Any] = {"action": action, "actor": DESK_ACTOR}
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
    found = store.run("matters/timeline", scope=scope, matter_id=int(matter_id))
    if found.empty:
        return False
    return plain(found["to_status"].iloc[-1])


def perform(store: Store, scope: list[int], matter_id: int, body: dict[str, Any], *, now: datetime,
            lang: str) -> Outcome:
    """Act on a matter exactly as ``POST /api/v1/matters/{id}/actions`` does (the same
    ``check_action`` and ``apply_action``), and say what came of it in ``lang``."""
    action = body.get("action")
    action_label = t(f"action.{action}", lang) if f"action.{action}" in _ACTION_KEYS else str(action)
    if current_status(store, scope, matter_id) is False:
        return Outcome("not_found", t("desk.not_found", lang, id=matter_id))
    try:
        clean = check_action(store, body)
        result = apply_action(store, int(matter_id), clean, now=now)
    except FieldErrors as exc:
        slots, loose = field_error_texts(exc.errors, lang)
        return Outcome("invalid", " ".join([t("desk.fix_fields", lang), *loose]), slots)
    except NotFound:
        return Outcome("not_found", t("desk.not_found", lang, id=matter_id))
    except ActionRefused:
        status = current_status(store, scope, matter_id)
        need_key = f"need.{action}" if f"need.{action}" in _NEED_KEYS else "need.default"
        return Outcome("refused", t("desk.refused", lang, action=action_label, id=matter_id,
                                    status=name_of("status", status or "", lang), need=t(need_key, lang)),
                       status=status or None)
    status = result["status"]
    return Outcome("done", t("desk.done", lang, action=action_label, id=matter_id,
                             status=name_of("status", status, lang)), status=status)



# -- which button --------------------------------------------------------------------------
def clicked(triggered_id: Any, items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The pattern id of the button that was really clicked, from ``ctx.triggered_id`` and
    the callback's ``inputs_list`` entry: None when the callback fired because buttons were
    (re)drawn (their ``n_clicks`` is still 0), not clicked."""
    if not isinstance(triggered_id, dict):
        return None
    for item in items:
        if item.get("id") == dict(triggered_id) and item.get("value"):
            return dict(item["id"])
    return None


def form_values(items: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """``{name: value}`` from a ``states_list`` entry of pattern-matched inputs whose ids
    carry the name under ``key``."""
    return {item["id"][key]: item.get("value") for item in items}
