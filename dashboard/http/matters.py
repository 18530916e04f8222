"""The intake and action API under ``/api/v1/matters`` (JSON).

Bad input gets 422 with every field error ({field, problem, value}); an action the matter's
state does not allow gets 409 with the reason; an unknown matter 404. A 201 or 200 means
the write is committed to the DuckDB file. ``Idempotency-Key`` makes a retried POST return
the first answer instead of a duplicate.
"""
from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from flask import Blueprint, Response, current_app, request

from dashboard import clock
from queries.intake import register_matter
from queries.writepath import ActionRefused, FieldErrors, NotFound, apply_action, check_action

blueprint = Blueprint("api_matters", __name__)
MAX_BODY_BYTES = 256 * 1024
MAX_PAGE = 500
LIGHTS = ("red", "yellow", "green", "paused", "none")
STATUSES = ("registered", "dispatched", "handling", "feedback", "verified", "closed", "voided", "suspended",
            "returned", "escalated")


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, pd.Timestamp)):
        return None if pd.isna(value) else value.isoformat(timespec="seconds") if isinstance(value, datetime) \
            else value.to_pydatetime().isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.bool_):
        return bool(value)
    raise TypeError(type(value).__name__)


def reply(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, default=_json_default), status=status,
                    mimetype="application/json")


def field_errors(errors: list[dict[str, Any]], status: int = 422) -> Response:
    return reply({"error": "invalid input", "errors": errors}, status)


def read_json_body() -> Any:
    """The request's JSON, strictly: no NaN/Infinity, no duplicate keys; FieldErrors else."""
    length = request.content_length
    if length is not None and length > MAX_BODY_BYTES:
        raise FieldErrors([{"field": "body", "problem": f"larger than {MAX_BODY_BYTES} bytes", "value": length}])
    raw = request.get_data(cache=False)
    if len(raw) > MAX_BODY_BYTES:
        raise FieldErrors([{"field": "body", "problem": f"larger than {MAX_BODY_BYTES} bytes", "value": len(raw)}])
    if not raw.strip():
        raise FieldErrors([{"field": "body", "problem": "empty; send a JSON object", "value": None}])

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        dup = sorted({k for k in keys if keys.count(k) > 1})
        if dup:
            raise ValueError(f"duplicate keys {dup}")
        return dict(pairs)

    def no_constants(name):
        raise ValueError(f"{name} is not JSON")

    try:
        text = raw.decode("utf-8")
        return json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constants)
    except UnicodeDecodeError:
        raise FieldErrors([{"field": "body", "problem": "not UTF-8 text", "value": None}]) from None
    except RecursionError:
        raise FieldErrors([{"field": "body", "problem": "nested too deeply", "value": None}]) from None
    except ValueError as exc:
        raise FieldErrors([{"field": "body", "problem": f"malformed JSON: {exc}", "value": None}]) from None


def _context():
    return (current_app.config["STORE"], current_app.config["SETTINGS"], current_app.config["READER"],
            current_app.config["LOCATOR"])


@blueprint.post("/api/v1/matters")
def create():
    store, _settings, _reader, locator = _context()
    key = request.headers.get("Idempotency-Key")
    try:
        if key is not None and not (1 <= len(key) <= 200 and key.isprintable()):
            raise FieldErrors([{"field": "Idempotency-Key", "problem": "1 to 200 printable characters",
                                "value": key[:40]}])
        result, created = register_matter(store, read_json_body(), locate=locator.place, now=clock.now(),
                                          idempotency_key=key)
    except FieldErrors as exc:
        return field_errors(exc.errors)
    except ActionRefused as exc:
        return reply({"error": str(exc)}, 409)
    return reply(result, 201 if created else 200)


@blueprint.post("/api/v1/matters/<matter_id>/actions")
def act(matter_id: str):
    store, _settings, _reader, _locator = _context()
    try:
        mid = _matter_id(matter_id)
        clean = check_action(store, read_json_body())
        return reply(apply_action(store, mid, clean, now=clock.now()))
    except FieldErrors as exc:
        return field_errors(exc.errors)
    except NotFound as exc:
        return reply({"error": str(exc)}, 404)
    except ActionRefused as exc:
        return reply({"error": str(exc)}, 409)


def _matter_id(text: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise NotFound(f"no matter {text[:40]}")
    return int(text)


def _list_arg(errors, name: str, allowed: tuple[str, ...] | None = None, kind=str):
    raw = request.args.getlist(name)
    values = [v for part in raw for v in part.split(",") if v != ""]
    if not values:
        return None
    out = []
    for v in values:
        if kind is int:
            if not v.lstrip("-").isdigit() or len(v) > 12:
                errors.append({"field": name, "problem": "must be whole numbers", "value": v})
                continue
            out.append(int(v))
        else:
            if allowed is not None and v not in allowed:
                errors.append({"field": name, "problem": f"must be among {', '.join(allowed)}", "value": v})
                continue
            if len(v) > 100:
                errors.append({"field": name, "problem": "too long", "value": v[:40]})
                continue
            out.append(v)
    return out


def _time_arg(errors, name: str) -> datetime | None:
    value = request.args.get(name)
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        errors.append({"field": name, "problem": "an ISO 8601 date or time", "value": value[:40]})
        return None


def _int_arg(errors, name: str, default: int, lo: int, hi: int) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    if not value.isdigit() or not lo <= int(value) <= hi:
        errors.append({"field": name, "problem": f"a whole number from {lo} to {hi}", "value": value[:40]})
        return default
    return int(value)


@blueprint.get("/api/v1/matters")
def list_matters():
    store, settings, reader, _locator = _context()
    errors: list[dict[str, Any]] = []
    known = {"status", "light", "cell", "village", "department", "source", "category", "created_from",
             "created_to", "limit", "offset"}
    for name in sorted(set(request.args) - known):
        errors.append({"field": name, "problem": "unknown filter", "value": request.args.get(name)[:40]})
    params = dict(
        statuses=_list_arg(errors, "status", STATUSES), lights=_list_arg(errors, "light", LIGHTS),
        cells=_list_arg(errors, "cell"), villages=_list_arg(errors, "village", kind=int),
        depts=_list_arg(errors, "department", kind=int),
        sources=_list_arg(errors, "source", ("transfer", "inspection", "grid", "public")),
        categories=_list_arg(errors, "category"),
        created_from=_time_arg(errors, "created_from"), created_to=_time_arg(errors, "created_to"),
    )
    limit = _int_arg(errors, "limit", 50, 1, MAX_PAGE)
    offset = _int_arg(errors, "offset", 0, 0, 10_000_000)
    if errors:
        return field_errors(errors)
    common = dict(scope=reader.township_scope(), now=clock.now(), yellow_share=settings.yellow_fraction, **params)
    page = store.run("matters/list", limit=limit, offset=offset, **common)
    if len(page) == 0 and offset > 0:          # past the end: the total from the first row
        page_one = store.run("matters/list", limit=1, offset=0, **common)
        total = int(page_one["total"].iloc[0]) if len(page_one) else 0
    else:
        total = int(page["total"].iloc[0]) if len(page) else 0
    items = page.drop(columns=["total"]).astype(object).where(page.drop(columns=["total"]).notna(), None)
    return reply({"items": items.to_dict("records"), "total": total, "limit": limit, "offset": offset})


@blueprint.get("/api/v1/matters/<matter_id>")
def get_matter(matter_id: str):
    store, settings, reader, _locator = _context()
    try:
        mid = _matter_id(matter_id)
    except NotFound as exc:
        return reply({"error": str(exc)}, 404)
    scope = reader.township_scope()
    detail = store.run("matters/detail", scope=scope, matter_id=mid, now=clock.now(),
                       yellow_share=settings.yellow_fraction)
    if detail.empty:
        return reply({"error": f"no matter {mid}"}, 404)
    body = detail.astype(object).where(detail.notna(), None).iloc[0].to_dict()
    timeline = store.run("matters/timeline", scope=scope, matter_id=mid)
    body["events"] = timeline.astype(object).where(timeline.notna(), None).to_dict("records")
    return reply(body)
