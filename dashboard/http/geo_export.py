"""``GET /api/v1/areas.geojson?level=cell|village&from=YYYY-MM-DD&to=YYYY-MM-DD``: the grid
cells (or villages) in the viewer's scope as GeoJSON, each with the counts report's six
counts over the half-open period [from, to); a file download (``Content-Disposition``)."""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, request

from dashboard.context import app_context, viewer_scope
from dashboard.http.analysis import half_open_period
from dashboard.http.replies import answer_errors, raise_if
from dashboard.views.geo_export import LEVELS, area_counts_geojson

blueprint = answer_errors(Blueprint("api_geo_export", __name__))


@blueprint.get("/api/v1/areas.geojson")
def areas_geojson():
    errors: list[dict[str, Any]] = []
    start, end = half_open_period(errors)
    level = request.args.get("level", "cell")
    if level not in LEVELS:
        errors.append({"field": "level", "problem": f"one of {', '.join(LEVELS)}", "value": level[:40]})
    raise_if(errors)
    body = area_counts_geojson(app_context().reader, viewer_scope(), level, start, end)
    name = f"{level}s-{start:%Y%m%d}-{end:%Y%m%d}.geojson"
    return Response(json.dumps(body, ensure_ascii=False).encode("utf-8"), mimetype="application/geo+json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
