"""Audit records from a request: who (the signed-in user, ``dashboard.context``), from where
(the client's address) and what came of it, written by ``queries.audit.record``. A failure
to write the record is logged, never turned into a failure of what was audited."""
from __future__ import annotations

import logging
from typing import Any

from flask import has_request_context, request

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
