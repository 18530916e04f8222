"""The HTTP API beside the pages: the KPI summary and health check (``summary``), intake
and actions (``matters``), analysis and warnings (``analysis``) and Open311 GeoReport v2
(``open311``); ``replies`` holds what they share: the one JSON encoder, body and argument
parsing, and the one shape of an error."""
from __future__ import annotations

from typing import Callable

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from dashboard.http import (
    analysis,
    briefing,
    dispatch,
    emergencies,
    forecasts,
    geo_export,
    matters,
    open311,
    openapi,
    playback,
    resources,
    summary,
    uploads,
)
from dashboard.http.replies import error_reply, open311_error_reply

BLUEPRINTS = (summary.blueprint, matters.blueprint, analysis.blueprint, forecasts.blueprint, briefing.blueprint,
              geo_export.blueprint,
              open311.blueprint, resources.blueprint, dispatch.blueprint, openapi.blueprint, uploads.blueprint,
              playback.blueprint, emergencies.blueprint)
# Below these, a path is the API's: what no endpoint serves is a JSON 404, not the Dash
# page that the app's catch-all route would answer with status 200.
PREFIXES: dict[str, Callable[..., Response]] = {"/api": error_reply, "/open311": open311_error_reply}


def install(server: Flask) -> None:
    """Serve the API on the Dash app's Flask server."""
    for blueprint in BLUEPRINTS:
        server.register_blueprint(blueprint)
    server.before_request(_answer_what_no_endpoint_serves)


def _answer_what_no_endpoint_serves() -> Response | None:
    path = request.path
    render = next((r for prefix, r in PREFIXES.items() if path == prefix or path.startswith(prefix + "/")), None)
    if render is None or request.blueprint in _names():
        return None
    routing = request.routing_exception
    if routing is not None and not isinstance(routing, (MethodNotAllowed, NotFound)):
        return None                                 # a redirect, say: werkzeug's own answer
    allowed = _methods_of_ours(path)       # GET of a POST endpoint reaches the catch-all
    if allowed:
        return render(405, f"{request.method} is not allowed here; use {', '.join(allowed)}", None,
                      {"Allow": ", ".join(allowed)})
    return render(404, f"no endpoint {path[:200]}")


def _names() -> set[str]:
    return {b.name for b in BLUEPRINTS}


def _methods_of_ours(path: str) -> list[str]:
    """The methods our endpoints take at ``path`` (the Dash catch-all takes GET anywhere)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    ours = []
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            endpoint, _ = adapter.match(path, method=method)
        except HTTPException:
            continue
        if endpoint.split(".", 1)[0] in _names():
            ours.append(method)
    return ours
