"""The HTTP API beside the pages: a health check for operators and the KPI summary for
other systems (a big screen, the county center).

``GET /healthz`` → 200 ``{"status": "ok", "matters": n, "schema_version": v, "writable":
true}``; 200 ``{"status": "degraded", "writable": false, "reason": …, "since": …}`` while the
store reads but cannot write (a full disk, a read-only file, a vanished folder); 503 with a
reason when the store cannot answer at all. ``GET /api/v1/summary`` → the overview's KPI
tiles for the whole township now, rates with their numerators and denominators.
"""
from __future__ import annotations

import logging

from flask import Blueprint

from dashboard import clock
from dashboard.context import app_context, viewer_scope
from dashboard.http.contract import endpoint
from dashboard.http.models import Summary
from dashboard.http.replies import answer_errors, reply
from dashboard.views import overview as panels

log = logging.getLogger(__name__)
blueprint = answer_errors(Blueprint("api", __name__))


@blueprint.get("/healthz")
def healthz():
    store = app_context().store
    try:
        row = store.run("overview/health").iloc[0]
        body = {"status": "ok", "matters": int(row["matters"]), "schema_version": int(store.schema_version),
                "data_version": int(row["data_version"])}
        writing = store.status()
        body["writable"] = writing["writable"]
        if store.fault is not None:
            body.update(status="degraded", reason=writing["reason"], since=writing["since"])
    except Exception as exc:  # noqa: BLE001 — any failure to answer is "unhealthy", said in one line
        log.warning("health check failed: %s", exc)
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return reply({"status": "unavailable", "reason": reason}, 503)
    return reply(body)


def summary_body(reader, settings, now) -> dict:
    """The KPI tiles as JSON: counts, and each rate with its numerator and denominator."""
    view = panels.View(scope=tuple(viewer_scope()), now=now, yellow_share=settings.yellow_fraction)
    values = panels.kpi_values(reader, view)

    def rate(num_key: str, den_key: str) -> dict:
        num, den = int(values[num_key] or 0), int(values[den_key] or 0)
        return {"value": (num / den) if den else None, "numerator": num, "denominator": den}

    return {
        "as_of": now.isoformat(),
        "data_version": reader.data_version(),
        "received_today": int(values["received_today"]),
        "closed_today": int(values["closed_today"]),
        "open": int(values["open_count"]),
        "overdue": int(values["overdue_count"]),
        "due_soon": int(values["due_soon_count"]),
        "on_time_closure_rate_30d": rate("closed_on_time_30d", "closed_with_due_30d"),
        "satisfaction_rate_30d": rate("satisfied_30d", "rated_30d"),
        "yellow_share": settings.yellow_fraction,
    }


@endpoint(blueprint, "GET", "/api/v1/summary", summary="the KPI tiles, rates with numerator and denominator",
          response=Summary)
def summary():
    body = summary_body(app_context().reader, app_context().settings, clock.now())
    return reply(body)
