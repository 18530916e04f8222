"""Hardening: what every request passes before the login guard and what
every answer carries, installed once by ``create_app``.

- **Host** — the ``Host`` header must name one of setting ``allowed_hosts`` (a comma list;
  ``*`` turns the check off), else 400: a page on a rebound DNS name reaches nothing.
- **Size** — a request body above ``api_max_body_kb`` is 413 before it is read (Flask's
  ``MAX_CONTENT_LENGTH``); Dash's callbacks, which carry the import page's uploads as base64,
  have their own bound from ``upload_max_mb``.
- **Cross-site writes** — a POST/PUT/PATCH/DELETE under ``/api/`` or to Dash's callbacks
  must say ``Content-Type: application/json``, and unless it carries a bearer token (which no
  other site can make a browser send) its ``Origin`` must be this site's; the login form's
  POST, when it has an ``Origin``, too. Else 403. Open311 POST (its channel ``api_key``, no
  cookies) and the loopback ops endpoint (its own token) are left to their own checks.
- **Rate limits** — login POSTs per client address and per user name (``login_rate_per_min``)
  and intake ``POST /api/v1/matters`` per token or address (``intake_rate_per_min``), in this
  server's memory over a sliding minute of ``time.monotonic``; above them 429 with
  ``Retry-After``.
- **Headers** — a Content-Security-Policy (scripts only from this site and Dash's own inline
  scripts by their hashes; styles may be inline, Plotly sets them), ``frame-ancestors`` from
  setting ``frame_ancestors`` (with ``X-Frame-Options: DENY`` while that is ``'none'``),
  ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin``.
"""
from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

from dashboard.http.replies import error_reply
from dashboard.i18n import language_from_search, t
from queries.settings import Settings

if TYPE_CHECKING:
    from dash import Dash

WRITES = ("POST", "PUT", "PATCH", "DELETE")
DASH_CALLBACKS = "/_dash-update-component"
INTAKE = "/api/v1/matters"
UPLOAD = "/admin/import/upload"          # the import page's file (dashboard.http.uploads)
SCREEN = "/screen"
WINDOW_S = 60.0


# -- rate limits ------------------------------------------------------------------------------
class RateLimiter:
    """At most ``limit`` events per key in any ``window_s`` seconds (a sliding log)."""

    def __init__(self, limit: int, window_s: float = WINDOW_S, clock=time.monotonic):
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._last_sweep = clock()

    def hit(self, key: str) -> float | None:
        """Count one event of ``key``; None when allowed, else seconds until one would be."""
        now = self.clock()
        with self._lock:
            if now - self._last_sweep > self.window_s:
                self._sweep(now)
            log = self._events.setdefault(key, deque())
            while log and now - log[0] >= self.window_s:
                log.popleft()
            if len(log) >= self.limit:
                return max(self.window_s - (now - log[0]), 0.0)
            log.append(now)
            return None

    def _sweep(self, now: float) -> None:
        self._events = {k: v for k, v in self._events.items() if v and now - v[-1] < self.window_s}
        self._last_sweep = now


# -- settings read once --------------------------------------------------------------------------
def allowed_hosts(settings: Settings) -> set[str] | None:
    """The host names the Host header may carry (lower case), or None: any."""
    names = {h.strip().lower().strip("[]") for h in settings.allowed_hosts.split(",") if h.strip()}
    if "*" in names:
        return None
    return names | {"127.0.0.1", "localhost", "::1", settings.host.lower().strip("[]")}


def content_security_policy(settings: Settings, script_hashes: list[str], frame_ancestors: str | None = None) -> str:
    """``frame_ancestors``: the big screen's own (setting ``screen_frame_ancestors``); else
    setting ``frame_ancestors``."""
    tiles = _origin_of(settings.map_tile_url)
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],      # Plotly and Dash set style attributes
        "img-src": ["'self'", "data:", "blob:", *tiles],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'", *tiles],
        "worker-src": ["'self'", "blob:"],               # the map's tile workers
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": [(frame_ancestors if frame_ancestors is not None else settings.frame_ancestors).strip()
                            or "'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def _origin_of(url: str) -> list[str]:
    parts = urlsplit(url.replace("{", "").replace("}", "")) if url else None
    return [f"{parts.scheme}://{parts.netloc}"] if parts and parts.scheme in ("http", "https") and parts.netloc else []


# -- the checks -----------------------------------------------------------------------------------
def _hostname(host: str) -> str:
    try:
        return (urlsplit("//" + host).hostname or "").lower()
    except ValueError:
        return ""


def _same_origin(origin: str) -> bool:
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and parts.netloc.lower() == request.host.lower()


def _client_ip() -> str:
    return request.remote_addr or "?"


def _too_many(retry_after: float, json: bool, default_lang: str = "zh") -> Response:
    seconds = str(max(1, int(retry_after + 0.999)))
    if json:
        return error_reply(429, f"too many requests; try again in {seconds} s", headers={"Retry-After": seconds})
    lang = language_from_search(request.query_string.decode("latin-1"), default_lang)
    return Response(t("login.too_many", lang, seconds=seconds), status=429, mimetype="text/plain",
                    headers={"Retry-After": seconds, "Cache-Control": "no-store"})


class Hardening:
    def __init__(self, app: "Dash", settings: Settings):
        self.app, self.settings = app, settings
        self.hosts = allowed_hosts(settings)
        self.api_max = settings.api_max_body_kb * 1024
        # base64 is 4/3 of the file, plus the rest of the callback's JSON
        self.callback_max = settings.upload_max_mb * 1024 * 1024 * 4 // 3 + 1024 * 1024
        self.upload_max = settings.upload_max_mb * 1024 * 1024 + 1024 * 1024     # the file and its multipart
        self.login_by_ip = RateLimiter(settings.login_rate_per_min)
        self.login_by_name = RateLimiter(settings.login_rate_per_min)
        self.intake = RateLimiter(settings.intake_rate_per_min)
        self._csp: str | None = None
        self._screen_csp: str | None = None
        self._csp_lock = threading.Lock()

    def install(self, server: Flask) -> None:
        server.config["MAX_CONTENT_LENGTH"] = self.api_max
        # first of all, before Dash's own hooks (its first request reads the body to lay out pages)
        server.before_request_funcs.setdefault(None, []).insert(0, self.check)
        server.after_request(self.headers)

    # before every request, before the login guard
    def check(self) -> Response | None:
        if self.hosts is not None and _hostname(request.host) not in self.hosts:
            return error_reply(400, "this server does not answer for that Host")
        path, method = request.path, request.method
        limit = {DASH_CALLBACKS: self.callback_max, UPLOAD: self.upload_max}.get(path, self.api_max)
        request.max_content_length = limit
        if request.content_length is not None and request.content_length > limit:
            return error_reply(413, f"the request body is larger than {limit} bytes")
        if method not in WRITES:
            return None
        if path == "/login":
            return self._login(method)
        if path.startswith(("/api/", "/_dash-")) and request.url_rule is not None:   # else a 404 or 405
            refused = self._cross_site()
            if refused is not None:
                return refused
            if path == INTAKE and method == "POST":
                key = _bearer_key() or "ip:" + _client_ip()
                wait = self.intake.hit(key)
                if wait is not None:
                    return _too_many(wait, json=True)
        return None

    def _cross_site(self) -> Response | None:
        bearer = _bearer_key() is not None
        if not bearer and current_app.session_interface.get_cookie_name(current_app) not in request.cookies:
            return None                         # nobody signed in: the login guard answers 401
        if request.mimetype != "application/json":
            return error_reply(403, "a write must be sent as Content-Type: application/json")
        if bearer:
            return None
        origin = request.headers.get("Origin")
        if origin is None or not _same_origin(origin):
            return error_reply(403, "a write with a session must come from this site's own pages (Origin)")
        return None

    def _login(self, method: str) -> Response | None:
        origin = request.headers.get("Origin")
        if origin is not None and not _same_origin(origin):
            return error_reply(403, "sign in from this site's own login page (Origin)")
        if method != "POST":
            return None
        wait = self.login_by_ip.hit("ip:" + _client_ip())
        name = request.form.get("name")
        if wait is None and name:
            wait = self.login_by_name.hit("name:" + name.strip().lower()[:64])
        return None if wait is None else _too_many(wait, json=False, default_lang=self.settings.language)

    # after every answer
    def headers(self, response: Response) -> Response:
        h = response.headers
        screen = request.path == SCREEN
        h.setdefault("Content-Security-Policy", self.csp(screen))
        ancestors = self.settings.screen_frame_ancestors if screen else self.settings.frame_ancestors
        if ancestors.strip() in ("", "'none'"):
            h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")
        return response

    def csp(self, screen: bool = False) -> str:
        """Made on first use: Dash knows its inline scripts once every page is registered.
        ``screen``: the big screen's, framed by setting ``screen_frame_ancestors``."""
        if self._csp is None:
            with self._csp_lock:
                if self._csp is None:
                    hashes = list(self.app.csp_hashes())
                    self._screen_csp = content_security_policy(self.settings, hashes,
                                                               self.settings.screen_frame_ancestors)
                    self._csp = content_security_policy(self.settings, hashes)
        return self._screen_csp if screen else self._csp


def _bearer_key() -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return "token:" + hashlib.sha256(value.strip().encode("utf-8", "replace")).hexdigest()[:32]


def install(app: "Dash", settings: Settings) -> Hardening:
    hardening = Hardening(app, settings)
    hardening.install(app.server)
    return hardening
