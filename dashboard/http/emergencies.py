"""Emergencies over HTTP (应急指挥).

``POST /api/v1/emergencies`` declares one (201): ``title``, ``level``, ``kind``, optional
``matter_id`` (a matter of level 较大 or above, or urgent), optional ``commander``,
``sign_alarm_min`` (default 30) and ``area``: ``{"points": [[lon, lat], …], "radius_m": R}``,
``{"polygon": geometry}`` or ``{"geojson": …}`` (without it, 500 m around the matter).
``POST /api/v1/emergencies/{id}/actions`` with ``{"action": "post_task"|"sign_task"|
"report_task"|"close_task"|"log"|"report_up"|"reply"|"ack_alarm"|"close", …}``.
``GET /api/v1/emergencies`` the list; reads and actions see the emergencies of the viewer's
villages only (``views.emergency.in_scope``: its area touches them, or its matter lies in them);
``GET /api/v1/emergencies/{id}`` the board's data;
``GET /api/v1/emergencies/{id}/summary`` the after-action summary, ``…/summary.csv`` and
``…/summary.xlsx`` its export. Every write goes through the write path with its event, the
actor is the signed-in user, and each is audited; errors in the one shape.
"""
from __future__ import annotations

from flask import Blueprint, Response, request

from dashboard import auditing, clock
from dashboard.context import actor_name, app_context, current_user, viewer_scope
from dashboard.export import MEDIA_TYPES
from dashboard.http.contract import endpoint
from dashboard.http.matters import audited
from dashboard.http.models import (
    Emergency,
    EmergencyActed,
    EmergencyAction,
    EmergencyBoard,
    EmergencyDeclaration,
    EmergencyList,
    EmergencySummary,
)
from dashboard.http.replies import INT32, answer_errors, echo, read_json_body, reply, whole_number
from dashboard.i18n import language_from_search
from dashboard.views import emergency as views
from layers.area import build_area
from queries import emergency as em
from queries.permissions import require
from queries.writepath import NotFound

blueprint = answer_errors(Blueprint("api_emergencies", __name__))


EMERGENCY_ID = {"type": "integer", "minimum": 1, "maximum": INT32[1]}


def _id(text: str) -> int:
    found = whole_number(text, 1, INT32[1])
    if found is None:
        raise NotFound(f"no emergency {echo(text)}")
    return found


def _user_dept_id(store) -> int | None:
    user = current_user()
    if user is None or user.dept_code is None:
        return None
    found = store.run("accounts/department_id", code=user.dept_code)
    return int(found["dept_id"].iloc[0]) if len(found) else None


@endpoint(blueprint, "POST", "/api/v1/emergencies", summary="declare an emergency", body=EmergencyDeclaration,
          response=Emergency, status=201, errors=(404, 409, 422))
def declare():
    store = app_context().store
    require(current_user(), "declare_emergency")
    body = read_json_body()
    with audited("declare", "new emergency"):
        clean = em.check_declare(store, body, viewer_scope())
        point = None
        if clean["matter_id"] is not None:
            row = store.run("emergency/matter_for_declaring", matter_id=clean["matter_id"], scope=viewer_scope())
            if len(row) and row["lon"].notna().iloc[0]:
                point = (float(row["lon"].iloc[0]), float(row["lat"].iloc[0]))
        area = build_area(body.get("area"), default_point=point)
        result = em.declare(store, clean, area, now=clock.now(), by=current_user(), actor=actor_name())
    auditing.note("action", target=f"emergency {result['id']}", detail="declare")
    return reply(result, 201)


@endpoint(blueprint, "POST", "/api/v1/emergencies/<emergency_id>/actions", summary="an action on an emergency",
          body=EmergencyAction, response=EmergencyActed, errors=(404, 409, 422), path={"emergency_id": EMERGENCY_ID})
def act(emergency_id: str):
    require(current_user(), "emergency_task")   # every emergency action needs at least this
    store = app_context().store
    eid = _id(emergency_id)
    views.scoped_state(store, eid, viewer_scope())
    body = read_json_body()
    action = body.get("action") if isinstance(body, dict) else None
    if isinstance(action, str) and action in em.ACTIONS:
        require(current_user(), em.ACTIONS[action])
    with audited(action if isinstance(action, str) else "?", f"emergency {eid}"):
        clean = em.check_action(store, action, body)
        now = clock.now()
        if action == "ack_alarm":
            views.check_raised(store, eid, viewer_scope(), clean["alarm_key"], now)
        result = em.act(store, eid, action, clean, now=now, by=current_user(), actor=actor_name(),
                        user_dept_id=_user_dept_id(store))
    auditing.note("action", target=f"emergency {eid}", detail=action)
    return reply(result)


@endpoint(blueprint, "GET", "/api/v1/emergencies", summary="the emergencies", response=EmergencyList)
def list_emergencies():
    require(current_user(), "read")
    return reply({"items": views.emergency_list(app_context().store, viewer_scope())})


@endpoint(blueprint, "GET", "/api/v1/emergencies/<emergency_id>", summary="an emergency's board",
          response=EmergencyBoard,
          errors=(404,), path={"emergency_id": EMERGENCY_ID})
def board(emergency_id: str):
    require(current_user(), "read")
    return reply(views.board(app_context().store, _id(emergency_id), viewer_scope(), clock.now()))


@endpoint(blueprint, "GET", "/api/v1/emergencies/<emergency_id>/summary", summary="the after-action summary",
          response=EmergencySummary, errors=(404,), path={"emergency_id": EMERGENCY_ID})
def summary(emergency_id: str):
    require(current_user(), "read")
    return reply(views.summary(app_context().store, _id(emergency_id), viewer_scope()))


@endpoint(blueprint, "GET", "/api/v1/emergencies/<emergency_id>/summary.<fmt>", summary="the after-action summary "
          "as a CSV or Excel file", errors=(404,), path={"emergency_id": EMERGENCY_ID,
                                                    "fmt": {"type": "string", "enum": ["csv", "xlsx"]}})
def summary_file(emergency_id: str, fmt: str):
    require(current_user(), "export")
    if fmt not in MEDIA_TYPES:
        raise NotFound(f"no export format {echo(fmt)}; csv or xlsx")
    eid = _id(emergency_id)
    lang = language_from_search(request.query_string.decode("latin-1"))
    content, name = views.summary_export(app_context().store, eid, viewer_scope(), fmt, lang)
    auditing.note("export", target=f"emergency {eid}", detail=name)
    return Response(content, mimetype=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
