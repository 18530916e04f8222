"""Security audit (安全审计): the append-only log of logins, logouts, matter actions,
permission refusals, exports, reports, imports, and user and token changes (DOMAIN.md §1).

``record`` is the one way a record is written (``queries/writes/audit/record.sql``, an
INSERT). Nothing in the application updates or deletes a record; ``prune`` (the admin
command ``python -m dashboard audit prune --db PATH --before YYYY-MM-DD``, run by the server
when one holds the file) removes records older than a date at least ``KEEP_DAYS`` ago.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from queries import clock
from queries.store import Store

log = logging.getLogger(__name__)
WHATS = ("login", "login_failed", "logout", "action", "refused", "export", "report", "import", "user_change",
         "token", "prune")
OUTCOMES = ("ok", "refused", "failed")
KEEP_DAYS = 183           # records are kept at least 6 months
MAX_TEXT = 500
MAX_ROWS = 5000           # the page and its CSV: the newest this many of a filter


def _cut(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def record(store: Store, what: str, *, user: Any = None, user_name: str | None = None, source_ip: str | None = None,
           target: Any = None, outcome: str = "ok", detail: Any = None, now: datetime | None = None) -> None:
    """Append one record: ``user`` (a ``queries.accounts.User``) or ``user_name`` for who,
    ``what`` one of ``WHATS``, ``outcome`` one of ``OUTCOMES``. A store opened read-only
    (a test's or a replica's) keeps no log: the record goes to the server log instead."""
    if what not in WHATS or outcome not in OUTCOMES:
        raise ValueError(f"audit: unknown what {what!r} or outcome {outcome!r}")
    name = getattr(user, "name", None) or user_name
    role = getattr(user, "role", None)
    params = dict(occurred_at=(now or clock.now()).replace(tzinfo=None), user_name=_cut(name), role=role,
                  source_ip=_cut(source_ip), what=what, target=_cut(target), outcome=outcome, detail=_cut(detail))
    if store.read_only:
        log.info("audit (read-only store, not kept): %s", params)
        return
    with store.write(bump=False) as cur:      # no page's cached reads change
        store.execute_write(cur, "audit/record", **params)


def records(store: Store, *, user_name: str | None = None, what: str | None = None, outcome: str | None = None,
            start: date | None = None, end: date | None = None, limit: int = MAX_ROWS) -> pd.DataFrame:
    """The records that match, newest first (``end`` is inclusive: the whole day)."""
    return store.run("audit/records", user_name=user_name or None, what=what or None, outcome=outcome or None,
                     start=datetime.combine(start, datetime.min.time()) if start else None,
                     end=datetime.combine(end + timedelta(days=1), datetime.min.time()) if end else None,
                     limit=int(limit))


def user_names(store: Store) -> list[str]:
    return [str(n) for n in store.run("audit/users")["user_name"]]


def prune(store: Store, *, before: str, now: datetime | None = None) -> dict[str, Any]:
    """Remove the records older than ``before`` (YYYY-MM-DD), which must lie at least
    ``KEEP_DAYS`` days before today; the prune itself is recorded."""
    try:
        day = date.fromisoformat(before) if isinstance(before, str) and len(before) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise ValueError("--before takes a date, YYYY-MM-DD")
    now = now or clock.now()
    youngest = now.date() - timedelta(days=KEEP_DAYS)
    if day > youngest:
        raise ValueError(f"audit records are kept at least {KEEP_DAYS} days: --before must be {youngest} or "
                         f"earlier")
    cutoff = datetime.combine(day, datetime.min.time())
    with store.write() as cur:
        count = int(store.select_in(cur, "audit/count_before", before=cutoff)[0]["n"])
        store.execute_write(cur, "audit/prune", before=cutoff)
        store.execute_write(cur, "audit/record", occurred_at=now.replace(tzinfo=None), user_name="(command line)",
                            role="admin", source_ip=None, what="prune", target=f"before {day}", outcome="ok",
                            detail=f"{count} records removed")
    return {"before": str(day), "pruned": count}
