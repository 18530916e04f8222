"""Signing in: the ``/login`` page, the session, and the guard every request passes.

A request acts for a user from a signed Flask session (the secret is the database's
``meta.session_secret``, made once, so a restart keeps sessions valid) or from an
``Authorization: Bearer <token>`` header; ``dashboard.context.current_user()`` returns that
user. Without one, pages redirect to ``/login?next=…`` and the API and Dash's callbacks
answer 401 in the API's one error shape. Open without a login: ``/healthz``, ``/login``,
static assets and Dash's component scripts, Open311 GET (setting ``open311_public_read``)
and POST (it keeps its channel ``api_key``), and the loopback ops endpoint (its own token).

A session ends after ``session_idle_min`` minutes without use; the pages' own periodic
refreshes (``n_intervals``) do not count as use, so an unattended screen signs out.
"""
from __future__ import annotations

import hmac
import secrets
from dataclasses import replace
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit

from flask import Flask, Response, g, redirect, request, session
from markupsafe import escape

from dashboard import auditing, permit
from dashboard.context import app_context
from dashboard.http.replies import error_reply
from dashboard.i18n import language_from_search, t
from queries import clock
from queries.accounts import LoginRefused, User, is_kiosk_token, user_for_token, user_named, verify_password

SESSION_USER = "user"
SESSION_SEEN = "seen"
SESSION_CSRF = "csrf"          # the session's own token: the sign-out form posts it back
CSRF_FIELD = "csrf_token"
# Reached without a login (besides the prefixes below and the Open311 rules).
OPEN_PATHS = {"/healthz", "/login", "/logout", "/_favicon.ico", "/favicon.ico"}
OPEN_PREFIXES = ("/assets/", "/_dash-component-suites/", "/internal/v1/ops/")
JSON_PREFIXES = ("/api/", "/_dash-", "/open311/")
# A kiosk (the big screen on a wall, ``/screen?kiosk=TOKEN``) reaches the screen, Dash's
# own requests, and only the callbacks that write the screen's ids (``scr-``), Dash's page
# router (``_pages_``) and the app's top bar; it reads as a viewer whatever its user's role.
SESSION_KIOSK = "kiosk"
KIOSK_PAGE = "/screen"
KIOSK_PATHS = {KIOSK_PAGE, "/_dash-layout", "/_dash-dependencies", "/_dash-update-component", "/_reload-hash"}
KIOSK_OUTPUT_PREFIXES = ("scr-", "_pages_", "app-nav")


def install(server: Flask) -> None:
    ctx = app_context_of(server)
    server.secret_key = ctx.store.meta("session_secret")
    if not server.secret_key:
        raise RuntimeError(f"{ctx.settings.db_path}: no session secret (a schema older than 12?)")
    server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict",
                         SESSION_COOKIE_SECURE=bool(ctx.settings.behind_https),
                         SESSION_COOKIE_NAME="township_session", SESSION_REFRESH_EACH_REQUEST=False)
    auditing.install(server)       # the bound on records of requests without a login
    server.before_request(guard)
    permit.install(server)         # then what the user's role may reach (queries.permissions)
    server.add_url_rule("/login", "login", login_page, methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", logout, methods=["GET", "POST"])


def app_context_of(server: Flask):
    with server.app_context():
        return app_context()


# -- who asks -------------------------------------------------------------------------------
def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _from_session(now: datetime) -> tuple[User | None, bool]:
    """(the session's user, whether an idle session just ended)."""
    name = session.get(SESSION_USER)
    if not isinstance(name, str):
        return None, False
    try:
        seen = datetime.fromisoformat(session.get(SESSION_SEEN, ""))
    except (TypeError, ValueError):
        session.clear()
        return None, True
    if now - seen > timedelta(minutes=app_context().settings.session_idle_min):
        session.clear()
        return None, True
    user = user_named(app_context().store, name)
    if user is None:                      # disabled or gone since signing in
        session.clear()
        return None, False
    if not _only_periodic_refresh() and now - seen >= timedelta(seconds=30):
        session[SESSION_SEEN] = now.isoformat()
    return user, False


def _only_periodic_refresh() -> bool:
    """A Dash callback fired by a timer alone (a page left open), not by a person."""
    if request.path != "/_dash-update-component":
        return False
    body = request.get_json(silent=True)
    changed = body.get("changedPropIds") if isinstance(body, dict) else None
    return bool(changed) and all(isinstance(c, str) and c.endswith(".n_intervals") for c in changed)


def _is_open(path: str, method: str) -> bool:
    if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
        return True
    if path.startswith("/open311/"):
        if method == "POST":
            return True                   # a channel's api_key is checked by the endpoint
        return method in ("GET", "HEAD") and bool(app_context().settings.open311_public_read)
    return False


def guard() -> Response | None:
    g.user = None
    path, now = request.path, clock.now()
    if _is_open(path, request.method):
        # answered for anyone: no need to know who asks. Open311's public read sees what
        # the public sees, the whole township (``viewer_scope``).
        g.public_read = path.startswith("/open311/")
        return None
    kiosk = _kiosk()
    if kiosk is not None:
        return kiosk if isinstance(kiosk, Response) else None
    token = _bearer()
    if token is not None:
        if is_kiosk_token(token):
            return error_reply(401, "a kiosk token opens the big screen (/screen?kiosk=…) and nothing else",
                               headers={"WWW-Authenticate": 'Bearer realm="township"'})
        g.user = user_for_token(app_context().store, token)
        if g.user is None:
            auditing.unauthenticated("a bearer token that is not valid")
            return error_reply(401, "the token is not valid (unknown, revoked, or its user disabled)",
                               headers={"WWW-Authenticate": 'Bearer realm="township"'})
        return None
    g.user, expired = _from_session(now)
    if g.user is not None:
        return None
    if path.startswith(JSON_PREFIXES):
        auditing.unauthenticated("the session ended after idling" if expired else "no session and no token")
        return error_reply(401, "sign in first (a session from /login, or Authorization: Bearer <token>)",
                           headers={"WWW-Authenticate": 'Bearer realm="township"'})
    target = request.full_path.rstrip("?") if request.query_string else path
    query = {"next": target, **({"expired": "1"} if expired else {})}
    lang = request.args.get("lang")
    if lang:
        query["lang"] = lang
    return redirect(f"/login?{urlencode(query)}", 302)


# -- the kiosk -------------------------------------------------------------------------------
def _kiosk() -> Response | bool | None:
    """None: not a kiosk request. True: a kiosk, allowed (``g.user`` set, read-only). A
    Response: a kiosk refused (revoked token, or a path beyond the screen)."""
    given = request.args.get("kiosk") if request.path == KIOSK_PAGE else None
    token = given if given is not None else session.get(SESSION_KIOSK)
    if not isinstance(token, str):
        return None
    user = user_for_token(app_context().store, token) if is_kiosk_token(token) else None
    if user is None:
        session.clear()
        if request.path.startswith(JSON_PREFIXES):
            return error_reply(401, "the kiosk token is not valid (unknown, revoked, or its user disabled)")
        return Response("401: the kiosk token is not valid (unknown, revoked, or its user disabled)", status=401,
                        mimetype="text/plain", headers={"Cache-Control": "no-store"})
    if given is not None and session.get(SESSION_KIOSK) != given:
        session.clear()
        session[SESSION_KIOSK] = given
    g.user, g.kiosk = replace(user, role="viewer"), True
    if request.path not in KIOSK_PATHS:
        return error_reply(403, "a kiosk shows the big screen (/screen) alone")
    if request.method not in ("GET", "HEAD") and request.path != "/_dash-update-component":
        return error_reply(403, "a kiosk is read-only")
    if request.path == "/_dash-update-component":
        outputs = _callback_outputs(request.get_json(silent=True))
        if not outputs or not all(o.startswith(KIOSK_OUTPUT_PREFIXES) for o in outputs):
            return error_reply(403, "a kiosk reaches the big screen's callbacks alone")
    return True


def _callback_outputs(body: object) -> list[str]:
    """The ids (a pattern id's ``type``) a callback request writes, from its ``outputs``."""
    outputs = body.get("outputs") if isinstance(body, dict) else None
    items = outputs if isinstance(outputs, list) else [outputs]
    found = []
    for item in items:
        for one in (item if isinstance(item, list) else [item]):
            ident = one.get("id") if isinstance(one, dict) else None
            ident = ident.get("type") if isinstance(ident, dict) else ident
            found.append(ident if isinstance(ident, str) else "")
    return found


# -- the page --------------------------------------------------------------------------------
def _safe_next(value: str | None) -> str:
    """Only a path of this site (never ``//other`` or ``https://other``)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else "/"


def login_page() -> Response:
    lang = language_from_search(request.query_string.decode("latin-1"), app_context().settings.language)
    next_path = _safe_next(request.values.get("next"))
    message = ""
    status = 200
    if request.method == "POST":
        ctx = app_context()
        try:
            user = verify_password(ctx.store, request.form.get("name"), request.form.get("password"),
                                   max_failures=ctx.settings.login_max_failures,
                                   lockout_min=ctx.settings.login_lockout_min)
        except LoginRefused as refused:
            auditing.note("login_failed", target=str(request.form.get("name") or "")[:64], outcome="refused",
                          detail=refused.reason)
            status = 401
            message = (t("login.locked", lang, time=f"{refused.locked_until:%H:%M}")
                       if refused.reason == "locked" and refused.locked_until else t("login.bad", lang))
        else:
            session.clear()
            session[SESSION_USER] = user.name
            session[SESSION_SEEN] = clock.now().isoformat()
            session[SESSION_CSRF] = secrets.token_urlsafe(32)
            auditing.note("login", user=user, target=user.name)
            return redirect(next_path, 303)
    elif request.args.get("expired"):
        message = t("login.expired", lang)
    elif request.args.get("out"):
        message = t("login.logged_out", lang)
    return Response(_page(lang, next_path, message, request.form.get("name", "")), status=status,
                    mimetype="text/html", headers={"Cache-Control": "no-store"})


def _page(lang: str, next_path: str, message: str, name: str) -> str:
    action = "/login?" + urlencode({"lang": lang}) if lang != app_context().settings.language else "/login"
    other = "en" if lang == "zh" else "zh"
    switch = "/login?" + urlencode({"lang": other, "next": next_path})
    note = f'<p class="login-message" role="alert">{escape(message)}</p>' if message else ""
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(t("login.title", lang))} · {escape(t("app.title", lang))}</title>
<link rel="stylesheet" href="/assets/login.css"></head>
<body class="login-body"><main class="login-card">
<h1>{escape(t("app.title", lang))}</h1><h2>{escape(t("login.title", lang))}</h2>{note}
<form method="post" action="{escape(action)}">
<input type="hidden" name="next" value="{escape(next_path)}">
<label>{escape(t("login.name", lang))}<input id="login-name" name="name" autocomplete="username" required
 maxlength="64" value="{escape(name)}"></label>
<label>{escape(t("login.password", lang))}<input id="login-password" name="password" type="password"
 autocomplete="current-password" required maxlength="1024"></label>
<button id="login-submit" type="submit">{escape(t("login.submit", lang))}</button></form>
<p class="login-lang"><a href="{escape(switch)}">{escape(t(f"lang.{other}", lang))}</a></p>
</main></body></html>"""


def csrf_token() -> str:
    """The signed-in session's form token (the sign-out form carries it); empty without a
    session (a bearer token has nothing to sign out of)."""
    if not isinstance(session.get(SESSION_USER), str):
        return ""
    if not isinstance(session.get(SESSION_CSRF), str):
        session[SESSION_CSRF] = secrets.token_urlsafe(32)
    return session[SESSION_CSRF]


def logout() -> Response:
    """POST only, with the session's form token: a link or an image of another site cannot
    sign a user out. A GET is 405 (answered here: else Dash's catch-all would serve a page)."""
    if request.method != "POST":
        return error_reply(405, "sign out with POST, the page's sign-out button", headers={"Allow": "POST"})
    name = session.get(SESSION_USER)
    expected = session.get(SESSION_CSRF)
    given = request.form.get(CSRF_FIELD, "")
    if isinstance(name, str) and not (isinstance(expected, str) and hmac.compare_digest(
            given.encode("utf-8", "surrogateescape"), expected.encode("utf-8"))):
        auditing.note("refused", user_name=name, target="/logout", outcome="refused", detail="no valid form token")
        return error_reply(403, "sign out with the page's own sign-out button (form token missing or wrong)")
    if isinstance(name, str):
        auditing.note("logout", user_name=name, target=name)
    session.clear()
    lang = request.args.get("lang")
    return redirect("/login?" + urlencode({"out": "1", **({"lang": lang} if lang in ("zh", "en") else {})}), 303)


def describe(user: User | None, lang: str) -> str:
    """The navbar's line for the signed-in user: name and role."""
    if user is None:
        return ""
    return t("login.user", lang, name=user.name, role=t(f"login.role.{user.role}", lang))

