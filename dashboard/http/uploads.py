"""The import page's upload: ``POST /admin/import/upload``, one plain multipart body with a
``file`` part, for administrators (``import``), with the session's form token in the
``X-CSRF-Token`` header (a bearer token needs none: no browser sends it by itself). The file
is streamed from the request to its own folder under the import folder a chunk at a time
(``dashboard.views.admin_import.save_upload_stream``: what its name says it is, at most
``upload_max_mb``), so the server never holds it in memory; the answer is the token that
names it, and the page's callbacks continue from the saved file."""
from __future__ import annotations

import hmac
from collections.abc import Iterator

from flask import Blueprint, Response, request, session
from werkzeug.sansio.multipart import Data, Epilogue, Event, File, MultipartDecoder, NeedData

from dashboard import auditing
from dashboard.context import app_context, current_user
from dashboard.http.replies import answer_errors, error_reply, reply
from dashboard.views import admin_import as logic
from queries.permissions import allowed

PATH = "/admin/import/upload"
CHUNK = 256 * 1024
STATUS = {"admin.error.suffix": 415, "admin.error.too_big": 413}      # the rest: 422
blueprint = answer_errors(Blueprint("admin_upload", __name__))


def _parts(stream, boundary: bytes) -> Iterator[Event]:
    decoder = MultipartDecoder(boundary, max_form_memory_size=4 * CHUNK)     # what one read may add
    while True:
        chunk = stream.read(CHUNK)
        decoder.receive_data(chunk or None)
        while True:
            event = decoder.next_event()
            if isinstance(event, NeedData):
                break
            if isinstance(event, Epilogue):
                return
            yield event
        if not chunk:
            return


def _file_data(events: Iterator[Event]) -> Iterator[bytes]:
    for event in events:
        if isinstance(event, Data):
            if event.data:
                yield event.data
            if not event.more_data:
                return


def _form_token_ok() -> bool:
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        return True
    expected = session.get("csrf")
    given = request.headers.get("X-CSRF-Token", "").encode("utf-8", "surrogateescape")
    return isinstance(expected, str) and hmac.compare_digest(given, expected.encode("utf-8"))


@blueprint.post(PATH)
def upload() -> Response:
    user = current_user()
    if user is None or not allowed(user.role, "import"):
        auditing.refused(PATH, f"the role {getattr(user, 'role', None)} may not import")
        return error_reply(403, "import is not allowed for this role")
    if not _form_token_ok():
        auditing.refused(PATH, "no valid form token")
        return error_reply(403, "upload from the import page itself (form token missing or wrong)")
    boundary = request.mimetype_params.get("boundary")
    if request.mimetype != "multipart/form-data" or not boundary:
        return error_reply(415, "send the file as multipart/form-data with a part named file")
    ctx = app_context()
    events = _parts(request.stream, boundary.encode("latin-1"))
    for event in events:
        if isinstance(event, File) and event.name == "file":
            try:
                token, _path = logic.save_upload_stream(ctx.import_folder(), event.filename, _file_data(events),
                                                        limit=ctx.settings.upload_max_mb * 1024 * 1024)
            except logic.UploadError as exc:
                return error_reply(STATUS.get(exc.key, 422), f"{event.filename[:100]}: {exc.key} {exc.detail}"[:300])
            for _rest in events:          # read the body to its end
                pass
            return reply({"token": token, "name": event.filename})
    return error_reply(422, "no part named file in the body")
