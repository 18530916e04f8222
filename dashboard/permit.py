"""The role guard of pages and Dash callbacks (``queries.permissions`` is the table): after
the login guard (``dashboard.auth``) has found who asks, a page or a callback that needs a
permission the user's role lacks is refused, 403, and the refusal is audited.

Pages are named by path; a page's callbacks by the prefix of the ids they write (every id
of the import page starts ``adm-``, of the audit page ``aud-``: ``dashboard.components.ids``).
The API's writes are checked by the write path itself and answer 403 there.
"""
from __future__ import annotations

from flask import Flask, Response, g, request
from markupsafe import escape

from dashboard import auditing
from dashboard.context import maybe_app_context
from dashboard.http.replies import error_reply
from dashboard.i18n import language_from_search, t
from queries.permissions import allowed

PAGES = {"/admin/import": "import", "/audit": "audit"}
CALLBACK_PREFIXES = {"adm-": "import", "aud-": "audit"}
CALLBACK_PATH = "/_dash-update-component"


def install(server: Flask) -> None:
    server.before_request(check)


def _page_need(path: str) -> str | None:
    path = path.rstrip("/") or "/"
    return PAGES.get(path)


def _output_ids(body: object) -> list[str]:
    """The ids a Dash callback request writes (constant ids and pattern ids' ``type``)."""
    if not isinstance(body, dict):
        return []
    outputs = body.get("outputs")
    items = outputs if isinstance(outputs, list) else [outputs]
    found: list[str] = []
    for item in items:
        for one in (item if isinstance(item, list) else [item]):
            ident = one.get("id") if isinstance(one, dict) else None
            if isinstance(ident, dict):
                ident = ident.get("type")
            if isinstance(ident, str):
                found.append(ident)
    output = body.get("output")
    if isinstance(output, str):
        found.extend(part.split(".", 1)[0] for part in output.strip(".").split("..") if part)
    return found


def _callback_need(body: object) -> str | None:
    for ident in _output_ids(body):
        for prefix, need in CALLBACK_PREFIXES.items():
            if ident.startswith(prefix):
                return need
    return None


def check() -> Response | None:
    user = g.get("user")
    if user is None:
        return None                       # open paths; the login guard has answered the rest
    if request.path == CALLBACK_PATH:
        need = _callback_need(request.get_json(silent=True))
        if need is not None and not allowed(user.role, need):
            auditing.refused(f"callback of {need}", f"the role {user.role} may not {need}")
            return error_reply(403, f"{need} is not allowed for the role {user.role}")
        return None
    need = _page_need(request.path)
    if need is not None and not allowed(user.role, need):
        auditing.refused(request.path, f"the role {user.role} may not {need}")
        ctx = maybe_app_context()
        lang = language_from_search(request.query_string.decode("latin-1"), ctx.settings.language if ctx else "zh")
        text = t("login.forbidden", lang, role=t(f"login.role.{user.role}", lang))
        page = (f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
                f'<title>403 · {escape(t("app.title", lang))}</title></head><body><main>'
                f'<h1>403</h1><p role="alert">{escape(text)}</p><p><a href="/">{escape(t("login.home", lang))}'
                f'</a></p></main></body></html>')
        return Response(page, status=403, mimetype="text/html", headers={"Cache-Control": "no-store"})
    return None


def layout_refused(need: str) -> bool:
    """Whether a page needing ``need`` refuses the signed-in user (its layout asks). Without
    a user it is Dash building its validation layout at start-up (every page's ids, no
    data): every real request carries a user, since the login guard answers the rest."""
    user = g.get("user")
    return user is not None and not allowed(user.role, need)
