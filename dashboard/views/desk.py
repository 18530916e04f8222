"""What the dispatch desk (调度台) shows, as pure functions: the six queues, a matter's
card (details, light, timeline, place) and the department picker with each department's
load. What the desk does to a matter is ``dashboard/views/desk_actions.py``.

Everything takes a ``Reader`` plus plain values and returns plain data or figures, so the
page's callbacks stay thin and all of it is testable without a browser.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.i18n import name_of, pick, plain, t
from dashboard.reader import Reader
from dashboard.views.common import remaining_text, working_time_text
from dashboard.views.desk_actions import ACTION_KEYS, DESK_ACTOR
from layers import maptraces
from layers.matter_map import location_figure
from queries import dispatch

QUEUES = ("new", "sign_overdue", "verify", "due_soon", "overdue", "follow_up")
# Rows shown per queue (each says how many more wait): the top is what gets worked.
QUEUE_LIMIT = 30


# -- what the desk looks at --------------------------------------------------------------
@dataclass(frozen=True)
class DeskView:
    """Whose matters, as of when, and the desk's thresholds."""

    scope: tuple[int, ...]
    now: datetime
    yellow_share: float
    follow_up_days: int = 7
    handled_by: int | None = None      # a department user's department (viewer_department())

    def params(self) -> dict[str, Any]:
        return {"scope": list(self.scope), "handled_by": self.handled_by, "now": self.now,
                "yellow_share": float(self.yellow_share), "follow_up_days": int(self.follow_up_days)}

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


def dispatch_candidates(store: Any, scope: list[int], matter_id: int, lang: str, now: Any) -> list[dict[str, Any]]:
    """The dispatch suggestion (``queries.dispatch.suggest``) as the card words it: each
    candidate's department, why it is proposed, its live load and its 30-day on-time rate
    ("—" without closures to rate)."""
    out = []
    for c in dispatch.suggest(store, matter_id, scope=scope, now=now):
        why = []
        for r in c["reason"]:
            if r["code"] == "category_default":
                why.append(t(f"desk.suggest.reason.default.{r['source']}", lang))
            else:
                why.append(t("desk.suggest.reason.past", lang, kept=r["kept"], of=r["of"], days=r["days"]))
        rate = c["on_time_rate_30d"]
        out.append({"dept_id": c["dept_id"], "rank": c["rank"],
                    "department": pick(c["department"], c["department_en"], lang),
                    "reason": "；".join(why) if lang == "zh" else "; ".join(why),
                    "load": t("desk.dispatch.load", lang, open=c["open"], overdue=c["overdue"]),
                    "on_time": t("desk.suggest.on_time", lang,
                                 rate="—" if rate is None else f"{rate:.0%}")})
    return out


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
    detail = reader.run("matters/detail", **view.light_params(), handled_by=view.handled_by,
                        matter_id=int(matter_id))
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
        # whose matter it is (the buttons a department user is offered)
        "lead_dept_id": lead, "co_dept_ids": co_ids,
        # what lifecycle.blocked reads: no second 回访
        "followed_up_at": None if _missing(m["followed_up_at"]) else str(m["followed_up_at"]),
        "default_dept": names.get(_int_or_none(m["default_dept_id"]) or -1, ""),
        "timeline": timeline(reader, view, matter_id, lang, minutes_per_day, names),
    }


def timeline(reader: Reader, view: DeskView, matter_id: int, lang: str, minutes_per_day: int,
             names: dict[int, str]) -> list[dict[str, Any]]:
    """The matter's events in order, as the card lists them."""
    frame = reader.run("matters/timeline", scope=list(view.scope), handled_by=view.handled_by,
                       matter_id=int(matter_id))
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
            "action_label": t(f"action.{e.action}", lang) if f"action.{e.action}" in ACTION_KEYS else e.action,
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
    place = reader.run("desk/matter_place", scope=list(view.scope), handled_by=view.handled_by,
                       matter_id=int(matter_id))
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
