"""Open311 GeoReport v2 at ``/open311/v2`` (JSON, and XML through ``open311_xml``):
services, service definitions, service requests (GET with filters; POST form-encoded with
an intake channel's api_key) and one request. Our 小类 categories are the services, our
states map to open/closed, our due time is ``expected_datetime`` and the lead department
``agency_responsible``. Errors take the spec's shape, ``[{"code", "description"}]``
(``replies.open311_error_reply``)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd
from flask import Blueprint, request

from dashboard import auditing, clock
from dashboard.context import app_context, viewer_department, viewer_scope
from dashboard.http import open311_xml
from dashboard.http.replies import (
    INT64,
    TIME_RANGE,
    answer_errors,
    decimal_number,
    echo,
    parse_time,
    reply,
    whole_number,
)
from dashboard.http.replies import open311_error_reply as error
from queries.channels import channel_for_key
from queries.intake import register_matter

blueprint = answer_errors(Blueprint("open311", __name__, url_prefix="/open311/v2"), error)
blueprint.after_request(open311_xml.as_xml_when_asked)
CHINA = timezone(timedelta(hours=8))
MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000


def w3(value) -> str | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).to_pydatetime().replace(tzinfo=CHINA).isoformat(timespec="seconds")


def parse_w3(text: str) -> datetime:
    """A w3 datetime (2010-01-01T00:00:00Z or with an offset) as naive local (UTC+8) time,
    within ``replies.TIME_RANGE``; ValueError else."""
    return parse_time(text.strip().replace("Z", "+00:00").replace(" ", "+"), CHINA)


def request_id(text: str) -> int | None:
    """A service_request_id (a matter id, BIGINT) in ASCII digits, or None."""
    return whole_number(text, 1, INT64[1])


def _check_format(fmt: str):
    if fmt not in ("json", "xml"):
        return error(400, "the formats served are json and xml")
    return None


@blueprint.get("/services.<fmt>")
def services(fmt: str):
    if (bad := _check_format(fmt)) is not None:
        return bad
    frame = app_context().store.run("open311/services")
    return reply([{"service_code": r.service_code, "service_name": r.service_name, "description": r.description,
                   "metadata": False, "type": "realtime", "keywords": r.keywords, "group": r.group_name}
                  for r in frame.itertuples(index=False)])


@blueprint.get("/services/<code>.<fmt>")
def service_definition(code: str, fmt: str):
    if (bad := _check_format(fmt)) is not None:
        return bad
    frame = app_context().store.run("open311/services")
    if code not in set(frame["service_code"]):
        return error(404, f"no service {code[:40]}")
    return reply({"service_code": code, "attributes": []})


def _requests_body(frame: pd.DataFrame) -> list[dict]:
    out = []
    for r in frame.itertuples(index=False):
        out.append({
            "service_request_id": str(r.service_request_id), "status": r.status,
            "status_notes": r.status_notes if isinstance(r.status_notes, str) else None,
            "service_name": r.service_name, "service_code": r.service_code, "description": r.description,
            "agency_responsible": r.agency_responsible if isinstance(r.agency_responsible, str) else None,
            "service_notice": None, "requested_datetime": w3(r.requested_datetime),
            "updated_datetime": w3(r.updated_datetime), "expected_datetime": w3(r.expected_datetime),
            "address": r.address if isinstance(r.address, str) else None, "address_id": None, "zipcode": None,
            "lat": None if pd.isna(r.lat) else float(r.lat), "long": None if pd.isna(r.long) else float(r.long),
            "media_url": None})
    return out


def _run_requests(**filters):
    return app_context().store.run("open311/requests", scope=viewer_scope(), handled_by=viewer_department(),
                                    limit=MAX_RESULTS, **filters)


@blueprint.get("/requests.<fmt>")
def get_requests(fmt: str):
    if (bad := _check_format(fmt)) is not None:
        return bad
    args = request.args
    ids_text = args.get("service_request_id")
    if ids_text:
        ids = [request_id(x.strip()) for x in ids_text.split(",") if x.strip()]
        if not ids or None in ids:
            return error(400, "service_request_id: comma-separated request ids")
        # The spec: service_request_id overrides every other argument.
        frame = _run_requests(ids=ids, service_codes=None, start_date=None, end_date=None, status=None)
        return reply(_requests_body(frame))
    codes = [c.strip() for c in args.get("service_code", "").split(",") if c.strip()] or None
    status = args.get("status")
    if status is not None and status not in ("open", "closed"):
        return error(400, "status: open or closed")
    times: dict[str, datetime | None] = {}
    for name in ("start_date", "end_date"):
        try:
            times[name] = parse_w3(args[name]) if args.get(name) else None
        except ValueError:
            return error(400, f"{name}: a w3 datetime {TIME_RANGE}, e.g. 2026-01-01T00:00:00+08:00")
    start, end = times["start_date"], times["end_date"]
    now = clock.now()
    if start is None and end is None:
        end, start = now, now - MAX_SPAN
    elif start is None:
        start = end - MAX_SPAN
    elif end is None:
        end = min(now, start + MAX_SPAN)
    if end < start:
        return error(400, "end_date is before start_date")
    if end - start > MAX_SPAN:
        return error(400, "start_date to end_date may not span more than 90 days")
    frame = _run_requests(ids=None, service_codes=codes, start_date=start, end_date=end, status=status)
    return reply(_requests_body(frame))


@blueprint.get("/requests/<text>.<fmt>")
def get_request(text: str, fmt: str):
    if (bad := _check_format(fmt)) is not None:
        return bad
    found = request_id(text)
    if found is None:
        return error(404, f"no request {echo(text)}")
    frame = _run_requests(ids=[found], service_codes=None, start_date=None, end_date=None, status=None)
    if frame.empty:
        return error(404, f"no request {found}")
    return reply(_requests_body(frame))


@blueprint.post("/requests.<fmt>")
def post_request(fmt: str):
    """Form-encoded per the spec; the api_key names the intake channel (and the source)."""
    if (bad := _check_format(fmt)) is not None:
        return bad
    store = app_context().store
    if (request.content_length or 0) > 64 * 1024:
        return error(400, "request body larger than 64 KB")
    form = request.form
    channel = channel_for_key(store, form.get("api_key"))
    if channel is None:
        auditing.unauthenticated("Open311: api_key missing, unknown or revoked", who="Open311", kind="open311")
        return error(403, "api_key missing, unknown or revoked")
    who = f"Open311 {channel['name']}"
    problems = []

    def number(name):
        text = form.get(name)
        if text in (None, ""):
            return None
        value = decimal_number(text)
        if value is None:
            problems.append(f"{name}: not a number")
        return value

    lat, lon = number("lat"), number("long")
    reporter = " ".join(x for x in (form.get("last_name", ""), form.get("first_name", "")) if x).strip() or None
    body = {"source": channel["source"], "category": form.get("service_code"),
            "description": form.get("description"), "address": form.get("address_string") or None,
            "reporter": reporter, "actor": f"Open311 {channel['name']}"}
    if lat is not None or lon is not None:
        body.update(lat=lat, lon=lon)
    if problems:
        auditing.note("action", target="new matter", outcome="failed", detail=f"accept: 400 {'; '.join(problems)}",
                      user_name=who)
        return error(400, "; ".join(problems))
    try:
        result, _created = register_matter(store, body, locate=app_context().locator.place, now=clock.now())
    except Exception as exc:
        auditing.note("action", target="new matter", outcome="failed", detail=f"accept: {exc}"[:200],
                      user_name=who)
        raise
    auditing.note("action", target=f"matter {result['id']}", detail="accept (Open311)", user_name=who)
    return reply([{"service_request_id": str(result["id"]), "service_notice": f"已受理，限 {result['due_at']} 前处置",
                   "account_id": None}], 201)
