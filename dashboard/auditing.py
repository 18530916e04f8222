"""Audit records from a request: who (the signed-in user, ``dashboard.context``), from where
(the client's address) and what came of it, written by ``queries.audit.record``. A failure
to write the record is logged, never turned into a failure of what was audited."""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import current_app, has_request_context, request

from dashboard.context import current_user, maybe_app_context
from queries import audit

log = logging.getLogger(__name__)


def source_ip() -> str | None:
    return request.remote_addr if has_request_context() else None


def note(what: str, *, target: Any = None, outcome: str = "ok", detail: Any = None, user: Any = None,
         user_name: str | None = None) -> None:
    """Record ``what`` for the current request's user (or ``user`` / ``user_name``)."""
    ctx = maybe_app_context()
    if ctx is None:
        return
    try:
        audit.record(ctx.store, what, user=user or current_user(), user_name=user_name, source_ip=source_ip(),
                     target=target, outcome=outcome, detail=detail)
    except Exception:            # the audited request has its own outcome
        log.exception("audit record %s failed", what)


def refused(target: Any, detail: Any) -> None:
    """A permission refusal (HTTP 403, a desk button the role may not press, a page)."""
    note("refused", target=target, outcome="refused", detail=detail)


# Requests without a valid login are recorded at most once a source address a minute, so
# that a flood of them cannot fill the log (the server's memory holds one entry an address).
UNAUTHENTICATED = "township_unauthenticated"
ONCE_PER_S = 60.0


class OncePerMinute:
    """Whether a key's event is the first within ``ONCE_PER_S`` seconds (monotonic time)."""

    def __init__(self) -> None:
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def first(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            if len(self._last) > 10_000:
                self._last = {k: t for k, t in self._last.items() if now - t < ONCE_PER_S}
            last = self._last.get(key)
            if last is not None and now - last < ONCE_PER_S:
                return False
            self._last[key] = now
            return True


def install(server) -> None:
    server.extensions[UNAUTHENTICATED] = OncePerMinute()


def unauthenticated(detail: str, *, who: str | None = None, kind: str = "login") -> None:
    """A request refused for want of a valid session, token or key (HTTP 401, an unknown
    channel key): a ``refused`` record with no user and the detail "no valid login: …",
    unless this address had one recorded within the minute."""
    bound = current_app.extensions.get(UNAUTHENTICATED) if has_request_context() else None
    if bound is None or not bound.first(f"{kind}:{source_ip() or '?'}"):
        return
    note("refused", target=f"{request.method} {request.path[:200]}", outcome="refused",
         detail=f"no valid login: {detail}", user_name=who)
