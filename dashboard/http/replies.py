"""What every HTTP endpoint shares: the one JSON encoder, strict body and argument parsing,
and the one shape of an error.

Every error under ``/api/`` answers one JSON object::

    {"status": 422, "error": "invalid input",
     "errors": [{"field": "source", "problem": "must be one of …", "value": 5}]}

``status`` repeats the HTTP status, ``error`` says in one line what went wrong and
``errors`` lists every field problem (empty unless the status is 422). Field errors are
422, a write the user's role does not allow 403 (``queries.permissions``), an unknown
matter, warning or path 404, a wrong method 405, a refusal of the
matter's state (an illegal transition, a conflict) 409, a store that cannot write 503.

Open311 answers the same errors in the shape its GeoReport v2 spec fixes, a list of
``{"code", "description"}``, with the spec's statuses (400 for bad input): its clients
parse that and nothing else.
"""
from __future__ import annotations

import json
import logging
import math
import re
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any, Callable

import numpy as np
import pandas as pd
from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from queries.permissions import Forbidden
from queries.store import StoreError
from queries.warnings import WarningNotFound
from queries.writepath import NOT_TEXT, ActionRefused, FieldErrors, NotFound, echo  # noqa: F401 (the views' echo)

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 256 * 1024
FieldError = dict[str, Any]
# What the store's integer columns hold: ids of villages and departments are INTEGER,
# matter ids BIGINT. A number beyond them is no id of anything (and DuckDB refuses the cast).
INT32 = (-2**31, 2**31 - 1)
INT64 = (-2**63, 2**63 - 1)
# The times an argument may name: wide enough for any matter, narrow enough that a span
# or a time zone added to them stays a date Python and DuckDB can hold.
EARLIEST, LATEST = datetime(1900, 1, 1), datetime(2999, 12, 31, 23, 59, 59)
TIME_RANGE = f"from {EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d}"
WHOLE = re.compile(r"-?[0-9]{1,20}")
DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,4})?")


# -- the one JSON encoder ----------------------------------------------------------------
def plain(value: Any) -> Any:
    """``value`` as JSON can hold it: numpy and pandas scalars as Python's, missing values
    (None, NaN, NaT) as null, times as ISO 8601 to the second, containers item by item."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(v) for v in value]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating, Decimal)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().isoformat(timespec="seconds")
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    raise TypeError(f"{type(value).__name__} is not JSON")


def reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer; Chinese as it is, not escaped. Text that UTF-8 cannot carry (a lone
    surrogate a client sent as a JSON escape) is answered as U+FFFD, never as a failure."""
    text = json.dumps(plain(body), ensure_ascii=False, allow_nan=False)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        data = NOT_TEXT.sub("\ufffd", text).encode("utf-8")
    return Response(data, status=status, mimetype="application/json", headers=headers)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as JSON objects."""
    return [plain(row) for row in frame.to_dict("records")]


# -- the one shape of an error -------------------------------------------------------------
def error_body(status: int, message: str, errors: list[FieldError] | None = None) -> dict[str, Any]:
    return {"status": status, "error": message, "errors": list(errors or [])}


def error_reply(status: int, message: str, errors: list[FieldError] | None = None,
                headers: dict[str, str] | None = None) -> Response:
    return reply(error_body(status, message, errors), status, headers)


def open311_error_reply(status: int, message: str, errors: list[FieldError] | None = None,
                        headers: dict[str, str] | None = None) -> Response:
    """The same error as GeoReport v2 says it: bad input is 400, a refusal too (the spec
    has no 409 or 422), and the fields carry Open311's names."""
    names = {"category": "service_code", "lon": "long", "address": "address_string"}
    if errors:
        message = "; ".join(f"{names.get(e['field'], e['field'])}: {e['problem']}" for e in errors)
    code = 400 if status in (409, 422) else status
    return reply([{"code": code, "description": message}], code, headers)


def classify(exc: BaseException) -> tuple[int, str, list[FieldError]]:
    """(status, message, field errors) of whatever an endpoint raised."""
    if isinstance(exc, FieldErrors):
        return 422, "invalid input", exc.errors
    if isinstance(exc, Forbidden):
        return 403, str(exc), []
    if isinstance(exc, (NotFound, WarningNotFound)):
        return 404, str(exc), []
    if isinstance(exc, ActionRefused):
        return 409, str(exc), []
    if isinstance(exc, StoreError):
        return 503, str(exc).splitlines()[0] if str(exc) else "the store cannot answer", []
    if isinstance(exc, HTTPException):
        return exc.code or 500, (exc.description or exc.name).splitlines()[0], []
    return 500, "internal error", []


def answer_errors(blueprint: Blueprint, render: Callable[..., Response] = error_reply) -> Blueprint:
    """Have every exception a view of ``blueprint`` raises answered in ``render``'s shape."""

    def handle(exc: Exception) -> Response:
        status, message, errors = classify(exc)
        if status == 403:
            from dashboard import auditing

            auditing.refused(f"{request.method} {request.path[:200]}", message)
        if status == 500:
            log.exception("%s %s failed", request.method, request.path)
        headers = None
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            headers = {"Allow": ", ".join(exc.valid_methods)}
        return render(status, message, errors, headers)

    blueprint.register_error_handler(Exception, handle)
    return blueprint


# -- bodies and arguments ------------------------------------------------------------------
def read_json_body(max_bytes: int = MAX_BODY_BYTES) -> Any:
    """The request's JSON, strictly: no NaN/Infinity, no duplicate keys; FieldErrors else."""
    length = request.content_length
    if length is not None and length > max_bytes:
        raise FieldErrors([{"field": "body", "problem": f"larger than {max_bytes} bytes", "value": length}])
    raw = request.get_data(cache=False)
    if len(raw) > max_bytes:
        raise FieldErrors([{"field": "body", "problem": f"larger than {max_bytes} bytes", "value": len(raw)}])
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


def read_json_object(max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    body = read_json_body(max_bytes)
    if not isinstance(body, dict):
        raise FieldErrors([{"field": "body", "problem": "must be a JSON object", "value": type(body).__name__}])
    return body


def whole_number(text: str, lo: int, hi: int) -> int | None:
    """``text`` as an integer from ``lo`` to ``hi``, or None: ASCII digits only (``²`` and
    ``٣`` pass ``str.isdigit``; the first then fails ``int``, the second reads as 3)."""
    if not WHOLE.fullmatch(text):
        return None
    value = int(text)
    return value if lo <= value <= hi else None


def decimal_number(text: str) -> float | None:
    """``text`` as a float, or None: ASCII decimal notation only (``float`` also takes
    ``nan``, ``inf``, ``1_0`` and other scripts' digits)."""
    return float(text) if DECIMAL.fullmatch(text) else None


def parse_time(text: str, zone: tzinfo | None = None) -> datetime:
    """An ISO 8601 date or time from EARLIEST to LATEST as naive time: an offset, when the
    text has one, converted to ``zone`` or (without a zone) dropped. ValueError else."""
    value = datetime.fromisoformat(text)
    if not EARLIEST <= value.replace(tzinfo=None) <= LATEST:
        raise ValueError(f"not {TIME_RANGE}")
    if value.tzinfo is not None and zone is not None:
        value = value.astimezone(zone)
    return value.replace(tzinfo=None)


def period_problems(start: date, end: date, max_days: int) -> list[FieldError]:
    """What is wrong with a period of days ``start`` to ``end`` (both parsed): from ≤ to,
    at most ``max_days`` days."""
    if start > end:
        return [{"field": "to", "problem": "must not be before from", "value": end.isoformat()}]
    if (end - start).days + 1 > max_days:
        return [{"field": "to", "problem": f"the period may span at most {max_days} days", "value": end.isoformat()}]
    return []


def raise_if(errors: list[FieldError]) -> None:
    if errors:
        raise FieldErrors(errors)
