"""What the emergency board (/emergency/<id>) and its API show, as plain data: the
emergency, the area with the cells, matters and hazard sites inside it, the task board with
each task's time left on its own clock, the commander's log, the 上报 record, the alarms;
and the after-action summary with its CSV/Excel export. No HTML here.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pandas as pd

from dashboard.context import whole_township
from dashboard.export import Column, export_file
from dashboard.i18n import name_of, pick, t
from layers import area as areas
from layers import maptraces
from queries import emergency as em
from queries.store import Store
from queries.writepath import NotFound


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return pd.Timestamp(value).to_pydatetime().isoformat(timespec="seconds")
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _plain_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in row.items()}


def in_scope(store: Store, e: dict[str, Any], scope: list[int]) -> bool:
    """Whether a viewer of ``scope`` sees the emergency ``e`` (its row, with ``area_geojson``
    and ``matter_id``): a township-wide viewer sees every one; a village's viewer those whose
    affected area touches a cell of its villages, or that are declared from a matter in them.
    The area decides, not a list kept at declaring: an area drawn over two villages is both
    villages' emergency, and the answer follows the grid as it is."""
    if set(whole_township(store)) <= set(scope):
        return True
    if e.get("matter_id") is not None and not pd.isna(e["matter_id"]) and not store.run(
            "emergency/matter_for_declaring", matter_id=int(e["matter_id"]), scope=scope).empty:
        return True
    cells = store.run("reference/cells", scope=scope)
    return bool(len(cells)) and not areas.cells_touching(e["area_geojson"], maptraces.frame_to_gdf(cells)).empty


def scoped_state(store: Store, emergency_id: int, scope: list[int]) -> em.EmergencyState:
    """The emergency's state when the viewer sees it; NotFound otherwise (as an unknown id)."""
    state = em.state_of(store, emergency_id)
    if not in_scope(store, state.emergency, scope):
        raise NotFound(f"no emergency {emergency_id}")
    return state


def inside(store: Store, e: dict[str, Any], scope: list[int]) -> dict[str, Any]:
    """The matters, cells and resources (hazard sites among them) inside the area."""
    box = {k: float(e[k]) for k in ("min_lon", "min_lat", "max_lon", "max_lat")}
    matters = store.run("emergency/matters_in_box", scope=scope, since=e["declared_at"], **box)
    if len(matters):
        matters = matters[areas.points_inside(e["area_geojson"], matters["lon"], matters["lat"])]
    resources = store.run("emergency/resources_in_box", scope=scope, **box)
    if len(resources):
        resources = resources[areas.points_inside(e["area_geojson"], resources["lon"], resources["lat"])]
    cells = store.run("reference/cells", scope=scope)
    touched = areas.cells_touching(e["area_geojson"], maptraces.frame_to_gdf(cells)) if len(cells) else cells
    return {"matters": [_plain_row(r) for r in matters.to_dict("records")],
            "resources": [_plain_row(r) for r in resources.to_dict("records")],
            "cells": [{"cell_id": int(r["cell_id"]), "code": r["code"], "name": r["name"],
                       "village_name": r["village_name"]} for r in touched.drop(columns="geom", errors="ignore")
                      .to_dict("records")] if len(touched) else []}


def board(store: Store, emergency_id: int, scope: list[int], now: datetime) -> dict[str, Any]:
    """Everything the board shows at ``now``, as JSON-ready data."""
    state = scoped_state(store, emergency_id, scope)
    e = state.emergency
    found = inside(store, e, scope)
    new = [{"matter_id": m["matter_id"], "created_at": pd.Timestamp(m["created_at"]).to_pydatetime()}
           for m in found["matters"]]
    alarms = em.alarms(state, now, new)
    tasks = store.run("emergency/tasks", emergency_id=emergency_id)
    task_rows = []
    for r in tasks.to_dict("records"):
        row = em._row(r)
        row["time_left_min"] = (None if row["status"] in ("reported", "closed")
                                else round(em.time_left_min(row, now, store.calendar), 1))
        task_rows.append(_plain_row(row))
    log = [_plain_row(em._row(r)) for r in store.run("emergency/log", emergency_id=emergency_id).to_dict("records")]
    return {"emergency": {**_plain_row(e), "area": json.loads(e["area_geojson"])},
            "as_of": now.isoformat(timespec="seconds"),
            "tasks": task_rows,
            "log": [r for r in log if r["kind"] in ("note", "decision", "call", "system")],
            "reports": [r for r in log if r["kind"] in ("report", "reply")],
            "alarms": [_plain_row(a) for a in alarms],
            "open_alarms": sum(1 for a in alarms if a["acked_at"] is None),
            "inside": found,
            # Nearest resources by distance come from queries/resources.py (another part of
            # the product); the board lists them here once it exists.
            "nearest_resources": []}


def summary(store: Store, emergency_id: int, scope: list[int]) -> dict[str, Any]:
    """The after-action summary (复盘): timeline, tasks with times to sign and finish,
    matters inside the area."""
    state = scoped_state(store, emergency_id, scope)
    timeline = [_plain_row(r) for r in store.run("emergency/timeline", emergency_id=emergency_id).to_dict("records")]
    for row in timeline:
        row["payload"] = json.loads(row["payload"])
        row["payload"].pop("area_geojson", None)
    found = inside(store, state.emergency, scope)
    out = em.after_action(state, timeline, found["matters"])
    out["emergency"] = _plain_row({k: v for k, v in out["emergency"].items() if k != "area_geojson"})
    out["tasks"] = [_plain_row(r) for r in out["tasks"]]
    return out


def summary_columns(lang: str) -> list[Column]:
    keys = ("section", "at", "what", "who", "department", "minutes_to_sign", "minutes_to_finish", "detail")
    return [Column(k, t(f"em.summary.col.{k}", lang)) for k in keys]


def summary_rows(data: dict[str, Any], store: Store, lang: str) -> list[dict[str, Any]]:
    """The summary as one table: the timeline, then the tasks, then the matters inside."""
    depts = {int(r["dept_id"]): pick(r["name"], r["name_en"], lang)
             for r in store.run("reference/departments").to_dict("records")}
    rows = []
    for ev in data["timeline"]:
        rows.append({"section": t("em.summary.section.timeline", lang), "at": ev["occurred_at"],
                     "what": name_of("em.action", ev["action"], lang), "who": ev["actor"],
                     "detail": _detail(ev["payload"])})
    for task in data["tasks"]:
        rows.append({"section": t("em.summary.section.task", lang), "at": task["posted_at"], "what": task["what"],
                     "who": task["signed_by"], "department": depts.get(task["dept_id"], str(task["dept_id"])),
                     "minutes_to_sign": task["minutes_to_sign"], "minutes_to_finish": task["minutes_to_finish"],
                     "detail": name_of("em.task", task["status"], lang)})
    for m in data["matters_inside"]:
        rows.append({"section": t("em.summary.section.matter", lang), "at": m["created_at"],
                     "what": str(m["matter_id"]),
                     "detail": f"{pick(m['category_name'], m['category_name_en'], lang) or ''} · "
                               f"{name_of('status', m['status'], lang)}"})
    return rows


def _detail(payload: dict[str, Any]) -> str:
    keep = {k: v for k, v in payload.items() if k in ("text", "what", "task_no", "alarm_key", "note", "kind",
                                                     "counterpart", "title", "level")}
    return "; ".join(f"{k}={v}" for k, v in keep.items() if v is not None)


def summary_export(store: Store, emergency_id: int, scope: list[int], fmt: str, lang: str) -> tuple[bytes, str]:
    data = summary(store, emergency_id, scope)
    return export_file(summary_columns(lang), summary_rows(data, store, lang), fmt,
                       name=f"emergency-{emergency_id}-summary", sheet=t("em.summary.title", lang))


def emergency_list(store: Store, scope: list[int]) -> list[dict[str, Any]]:
    """The emergencies the viewer sees (``in_scope``)."""
    rows = store.run("emergency/list").to_dict("records")
    return [_plain_row({k: v for k, v in r.items() if k not in ("matter_id", "area_geojson")})
            for r in rows if in_scope(store, r, scope)]



def check_raised(store: Store, emergency_id: int, scope: list[int], key: str, now: datetime) -> None:
    """NotFound unless ``key`` names an alarm the board shows at ``now`` (acknowledged or
    not): an acknowledgement of an alarm that was never raised is refused, nothing written."""
    state = scoped_state(store, emergency_id, scope)
    if key not in {a["key"] for a in _alarms_of(store, state, scope, now)}:
        raise NotFound(f"no alarm {key!r} on emergency {emergency_id}")


def _alarms_of(store: Store, state: em.EmergencyState, scope: list[int], now: datetime) -> list[dict[str, Any]]:
    found = inside(store, state.emergency, scope)
    new = [{"matter_id": m["matter_id"], "created_at": pd.Timestamp(m["created_at"]).to_pydatetime()}
           for m in found["matters"]]
    return em.alarms(state, now, new)


def open_alarms(store: Store, scope: list[int], now: datetime) -> list[dict[str, Any]]:
    """The unacknowledged alarms of every active emergency (for the desk), newest first."""
    out = []
    for e in store.run("emergency/list").to_dict("records"):
        if e["status"] != "active":
            continue
        state = em.state_of(store, int(e["emergency_id"]))
        if not in_scope(store, state.emergency, scope):
            continue
        for a in _alarms_of(store, state, scope, now):
            if a["acked_at"] is None:
                out.append({**_plain_row(a), "emergency_id": int(e["emergency_id"]), "title": e["title"]})
    return sorted(out, key=lambda a: a["raised_at"], reverse=True)
