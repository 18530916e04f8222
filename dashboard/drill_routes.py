"""HTTP status of the drill-down pages: Dash serves every page path with its index (200)
and draws the page in the browser, so a bookmark of an unknown village, cell or matter
would look found to anything that reads statuses (a link checker, a proxy's log, a test).
This hook gives a full load of ``/area/<code>``, ``/cell/<code>`` or ``/matter/<id>`` the
status 404 when the code or id is unknown, malformed or outside the viewer's villages (one
answer for all three: existence is not revealed); the body stays the app, which shows the
same not-found page it shows on in-app navigation."""
from __future__ import annotations

import re

from flask import Flask, Response, request

from dashboard.context import app_context, current_user, viewer_department, viewer_scope
from dashboard.views import drill

_DRILL_PATH = re.compile(r"^/(area|cell|matter)/([^/]*)/?$")


def found(kind: str, key: str) -> bool:
    """Whether the viewer may see the village, cell or matter ``key``."""
    reader, scope = app_context().reader, viewer_scope()
    if kind == "area":
        return drill.find_village(reader, scope, key) is not None
    if kind == "cell":
        return drill.find_cell(reader, scope, key) is not None
    number = drill.matter_number(key)
    return number is not None and not reader.run("matters/timeline", scope=list(scope), handled_by=viewer_department(),
                                                         matter_id=number).empty


def _status(response: Response) -> Response:
    if request.method != "GET" or response.status_code != 200 or current_user() is None:
        return response
    match = _DRILL_PATH.match(request.path)
    if match and not found(match.group(1), match.group(2)):
        response.status_code = 404
    return response


def install(server: Flask) -> None:
    server.after_request(_status)
