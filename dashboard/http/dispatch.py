"""What the desk and the matter page ask about one matter before acting on it (JSON):

- ``GET /api/v1/matters/{id}/related`` → ``{"items": […], "radius_m": R, "days": T}``: the
  possible duplicates (same 小类 within R metres and T days, settings ``duplicate_radius_m``
  and ``duplicate_window_days``), each with ``distance_m`` and ``hours_apart``; merge one
  with ``POST /api/v1/matters/{id}/actions`` ``{"action": "merge", "into": ORIGINAL}``.
- ``GET /api/v1/matters/{id}/suggestion`` → ``{"candidates": […]}``: the lead departments
  proposed for its dispatch, ranked, with reason, live load and 30-day on-time rate
  (``queries.dispatch.suggest``).

An unknown matter, or one outside the viewer's scope, is 404 in the one error shape.
"""
from __future__ import annotations

from flask import Blueprint

from dashboard import clock
from dashboard.context import app_context, viewer_department, viewer_scope
from dashboard.http.contract import endpoint
from dashboard.http.models import Related, Suggestion
from dashboard.http.replies import INT64, answer_errors, echo, records, reply, whole_number
from queries import dispatch, duplicates
from queries.writepath import NotFound

blueprint = answer_errors(Blueprint("api_dispatch", __name__))


def _matter_id(text: str) -> int:
    found = whole_number(text, 1, INT64[1])
    if found is None:
        raise NotFound(f"no matter {echo(text)}")
    return found


MATTER_ID = {"type": "integer", "minimum": 1, "maximum": INT64[1], "format": "int64"}


@endpoint(blueprint, "GET", "/api/v1/matters/<matter_id>/related", summary="possible duplicates of a matter "
          "(same 小类 within the settings' radius and days)", response=Related, errors=(404,),
          path={"matter_id": MATTER_ID})
def related(matter_id: str):
    ctx = app_context()
    mid = _matter_id(matter_id)
    radius, days = ctx.settings.duplicate_radius_m, ctx.settings.duplicate_window_days
    found = duplicates.related(ctx.store, mid, scope=viewer_scope(), radius_m=radius, days=days,
                              handled_by=viewer_department())
    if found is None:
        raise NotFound(f"no matter {mid}")
    items = records(found)
    for item in items:
        if item["distance_m"] is not None:
            item["distance_m"] = round(item["distance_m"], 1)
    return reply({"matter": mid, "radius_m": radius, "days": days, "items": items, "total": len(items)})


@endpoint(blueprint, "GET", "/api/v1/matters/<matter_id>/suggestion", summary="the lead departments proposed "
          "for a matter's dispatch, ranked, with live load and 30-day on-time rate", response=Suggestion,
          errors=(404,), path={"matter_id": MATTER_ID})
def suggestion(matter_id: str):
    ctx = app_context()
    mid = _matter_id(matter_id)
    scope = viewer_scope()
    if ctx.store.run("duplicates/point", scope=scope, handled_by=viewer_department(), matter_id=mid).empty:
        raise NotFound(f"no matter {mid}")
    candidates = dispatch.suggest(ctx.store, mid, scope=scope, now=clock.now())
    return reply({"matter": mid, "candidates": candidates,
                  "reason": None if candidates else "no default department for its 小类 and no past dispatches"})
