"""``GET /api/v1/openapi.json``: the OpenAPI 3.1 document of the JSON API, built from the
register of endpoints (``dashboard.http.contract``) and their pydantic models, with the two
ways to sign in and the one error shape, which every 4xx and 5xx answer refers to.

Outside the document: Open311 GeoReport v2 under ``/open311/v2`` (its own specification
and its own error list), ``/healthz`` (an operator's probe) and the pages.
"""
from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from flask import Blueprint
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from dashboard.http import contract
from dashboard.http.contract import COMMON_ERRORS, OPERATIONS, Operation
from dashboard.http.models import ErrorBody
from dashboard.http.replies import answer_errors, reply

blueprint = answer_errors(Blueprint("api_openapi", __name__))
REF = "#/components/schemas/{model}"
SESSION_COOKIE = "township_session"
ERROR_TEXT = {
    400: "a Host header outside allowed_hosts",
    401: "no session and no valid bearer token",
    403: "the role may not do this, or a cross-site write (not application/json, or a session "
         "without this site's Origin)",
    404: "an unknown matter, warning or path",
    405: "a method the endpoint does not take",
    409: "a refusal: what the matter's state does not allow, with the reason",
    413: "a body above api_max_body_kb",
    422: "bad input: every field problem at once; nothing is written",
    429: "over a rate limit; Retry-After says when to try again",
    500: "a fault of ours, logged; never the answer to bad input",
    503: "the store cannot write",
}
DESCRIPTION = """The JSON API of the township command and dispatch center (乡镇指挥调度中心).

Every request needs a signed-in user: `Authorization: Bearer <token>` (`python -m dashboard
user token NAME`) or the session cookie of `/login`. A write with the session cookie must
come from this site's own pages (its `Origin`); every write is `Content-Type: application/json`.
Every error answers one shape (`Error`). Reads are scoped to the user's villages.

Not described here: Open311 GeoReport v2 under `/open311/v2` (its own specification and
error list), `/healthz` and the pages."""


VALUES = ("examples", "example", "default", "enum", "const")   # data, not schemas: kept as they are


def _strip_titles(schema: Any) -> Any:
    """The schema without pydantic's generated titles (an example's field named title stays)."""
    if isinstance(schema, dict):
        return {k: v if k in VALUES else _strip_titles(v) for k, v in schema.items()
                if k != "title" or not isinstance(v, str)}
    if isinstance(schema, list):
        return [_strip_titles(v) for v in schema]
    return schema


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema without its null branch (an absent argument is the null)."""
    branches = [b for b in schema.get("anyOf", []) if b.get("type") != "null"]
    if len(branches) == 1 and "anyOf" in schema:
        rest = {k: v for k, v in schema.items() if k != "anyOf" and not (k == "default" and v is None)}
        return {**rest, **branches[0]}
    return schema


def _parameters(op: Operation, defs: dict[str, Any]) -> list[dict[str, Any]]:
    params = [{"name": name, "in": "path", "required": True, "schema": schema}
              for name, schema in ((n, op.path.get(n, {"type": "string"}))
                                   for n in contract.path_names(op.rule))]
    if op.query is not None:
        schema = op.query.model_json_schema(by_alias=True, ref_template=REF)
        defs.update(schema.pop("$defs", {}))
        required = set(schema.get("required", []))
        for name, prop in schema["properties"].items():
            prop = _not_null(prop)
            prop = _strip_titles(prop)
            param = {"name": name, "in": "query", "required": name in required, "schema": prop}
            if prop.get("description"):
                param["description"] = prop["description"]
            if prop.get("type") == "array":
                param.update(style="form", explode=True,
                             description=(prop.get("description", "") + " (repeated, or comma-separated)").strip())
            params.append(param)
    return params


def _body_schema(op: Operation, schemas: dict[str, Any], names: dict[type[BaseModel], str]) -> dict[str, Any]:
    name = names[op.body]
    if op.body_hides:
        hidden = copy.deepcopy(schemas[name])
        for field in op.body_hides:
            hidden["properties"].pop(field, None)
            if field in hidden.get("required", []):
                hidden["required"].remove(field)
        schemas[name] = hidden
    return {"$ref": REF.format(model=name)}


def _responses(op: Operation, names: dict[type[BaseModel], str]) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": op.summary}
    if op.response is not None:
        ok["content"] = {"application/json": {"schema": {"$ref": REF.format(model=names[op.response])}}}
    out = {str(status): ok for status in (op.status, *op.also)}
    statuses = sorted({*COMMON_ERRORS, *op.errors, *((413,) if op.method == "POST" else ())})
    if op.method != "GET":
        statuses.append(405)
    error = {"application/json": {"schema": {"$ref": REF.format(model=names[ErrorBody])}}}
    for status in statuses:
        out[str(status)] = {"description": ERROR_TEXT.get(status, "an error"), "content": error}
    if 429 in statuses:
        out["429"]["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}}
    return out


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    """The OpenAPI document of every registered endpoint."""
    models: list[tuple[type[BaseModel], str]] = [(ErrorBody, "serialization")]
    for op in OPERATIONS:
        if op.body is not None:
            models.append((op.body, "validation"))
        if op.response is not None:
            models.append((op.response, "serialization"))
    keys, top = models_json_schema(list(dict.fromkeys(models)), by_alias=True, ref_template=REF)
    schemas: dict[str, Any] = dict(top.get("$defs", {}))
    names = {model: keys[(model, mode)]["$ref"].rsplit("/", 1)[1] for model, mode in dict.fromkeys(models)}
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        item: dict[str, Any] = {"operationId": op.view.replace(".", "_"), "summary": op.summary,
                                "tags": [op.tag], "responses": _responses(op, names)}
        if op.description:
            item["description"] = op.description
        params = _parameters(op, schemas)
        if params:
            item["parameters"] = params
        if op.body is not None:
            item["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": _body_schema(op, schemas, names)}}}
        paths.setdefault(op.path_template, {})[op.method.lower()] = item
    return {
        "openapi": "3.1.0",
        "info": {"title": "乡镇(街道)指挥调度中心 API · Township command and dispatch API", "version": "1",
                 "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        "components": {
            "schemas": _strip_titles(schemas),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "an API token: `python -m dashboard user token NAME`"},
                "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE,
                            "description": "the session of /login; a write with it needs this site's Origin"},
            },
        },
    }


@contract.endpoint(blueprint, "GET", "/api/v1/openapi.json", summary="this document", tag="contract")
def openapi():
    return reply(document())
