"""Resources (DOMAIN.md §5) under ``/api/v1/resources`` (JSON).

``GET /api/v1/resources?kind=&cell=&near=lon,lat&radius_m=`` → ``{"items": […], "total": n}``:
the resources the viewer may see, of the kinds and cells given (comma lists), and with
``near`` only those within ``radius_m`` metres (default 1000), nearest first, each with its
``distance_m`` measured in a projected CRS. Bad arguments are 422 in the one error shape.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint

from dashboard.context import app_context, viewer_scope
from dashboard.http.contract import endpoint
from dashboard.http.models import ResourceQuery, Resources
from dashboard.http.replies import answer_errors, decimal_number, echo, raise_if, records, reply
from queries import resources

blueprint = answer_errors(Blueprint("api_resources", __name__))
DEFAULT_RADIUS_M = 1000.0


def _near(errors: list[dict[str, Any]], raw: str | None) -> tuple[float, float] | None:
    if raw is None:
        return None
    parts = raw.split(",")
    numbers = [decimal_number(p.strip()) for p in parts] if len(parts) == 2 else []
    if len(numbers) != 2 or any(n is None for n in numbers) or not (
            -180 <= numbers[0] <= 180 and -90 <= numbers[1] <= 90):
        errors.append({"field": "near", "problem": "lon,lat in WGS-84 degrees (e.g. 119.42,32.39)",
                       "value": echo(raw)})
        return None
    return float(numbers[0]), float(numbers[1])


def _radius(errors: list[dict[str, Any]], raw: str | None, near: tuple[float, float] | None) -> float | None:
    if raw is None:
        return DEFAULT_RADIUS_M if near is not None else None
    value = decimal_number(raw)
    if value is None or not (0 < value <= resources.MAX_RADIUS_M):
        errors.append({"field": "radius_m", "problem": f"metres, more than 0 and at most {resources.MAX_RADIUS_M}",
                       "value": echo(raw)})
        return None
    if near is None:
        errors.append({"field": "radius_m", "problem": "needs near=lon,lat", "value": echo(raw)})
    return value


@endpoint(blueprint, "GET", "/api/v1/resources", summary="the resources in the viewer's scope, nearest first "
          "with near=lon,lat", query=ResourceQuery, response=Resources, errors=(422,))
def list_resources(args: ResourceQuery):
    errors: list[dict[str, Any]] = []
    kinds, cells = args.kind, args.cell
    near = _near(errors, args.near)
    radius = _radius(errors, args.radius_m, near)
    raise_if(errors)
    frame = resources.listed(app_context().store, scope=viewer_scope(), kinds=kinds, cells=cells,
                             near=near, radius_m=radius)
    items = records(frame)
    if near is None:
        for item in items:
            item.pop("distance_m", None)
    else:
        for item in items:
            item["distance_m"] = round(item["distance_m"], 1)
    return reply({"items": items, "total": len(items)})
