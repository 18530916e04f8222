"""``GET /api/v1/areas.geojson?level=cell|village&from=YYYY-MM-DD&to=YYYY-MM-DD``: the grid
cells (or villages) in the viewer's scope as GeoJSON, each with the counts report's six
counts over the half-open period [from, to); a file download (``Content-Disposition``)."""
from __future__ import annotations

import json

from flask import Blueprint, Response

from dashboard.context import app_context, viewer_scope
from dashboard.http.analysis import half_open_problems
from dashboard.http.contract import endpoint
from dashboard.http.models import AreaCountsQuery
from dashboard.http.replies import answer_errors, echo, raise_if
from dashboard.views.geo_export import LEVELS, area_counts_geojson

blueprint = answer_errors(Blueprint("api_geo_export", __name__))


@endpoint(blueprint, "GET", "/api/v1/areas.geojson", summary="the cells or villages in scope as GeoJSON with "
          "the counts report's counts over [from, to) (a file)", query=AreaCountsQuery, errors=(422,))
def areas_geojson(args: AreaCountsQuery):
    level = args.level or "cell"
    problems = half_open_problems(args.start, args.end)
    if level not in LEVELS:
        problems.insert(0, {"field": "level", "problem": f"one of {', '.join(LEVELS)}", "value": echo(level)})
    raise_if(problems)
    start, end = args.start, args.end
    body = area_counts_geojson(app_context().reader, viewer_scope(), level, start, end)
    name = f"{level}s-{start:%Y%m%d}-{end:%Y%m%d}.geojson"
    return Response(json.dumps(body, ensure_ascii=False).encode("utf-8"), mimetype="application/geo+json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
