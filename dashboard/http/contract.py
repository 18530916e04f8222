"""The register of the API's endpoints: each is declared once, with what it takes (path
parameters, a query model, a body model) and what it answers (a response model and the
error statuses it may give), and ``/api/v1/openapi.json`` (``dashboard.http.openapi``) is
built from this register alone.

    @endpoint(blueprint, "GET", "/api/v1/matters", query=MatterFilters, response=MatterPage,
              summary="…")
    def list_matters(args: MatterFilters): ...

The view gets its query arguments parsed into the model (``args``); a bad one is 422 with
every problem (``queries.contract``). Bodies are read by the view (the write path checks
them against the same models); the register only names their model for the document.
"""
from __future__ import annotations

import functools
import re
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Blueprint, request
from pydantic import BaseModel

from queries.contract import FieldErrors, check_fields

# The statuses every endpoint may answer whatever it does (hardening, the login guard,
# a fault of ours); each endpoint adds its own.
COMMON_ERRORS = (400, 401, 403, 500)


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str                                   # Flask's: /api/v1/matters/<matter_id>
    view: str                                   # blueprint.endpoint
    summary: str
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    body_hides: tuple[str, ...] = ()            # fields of the body model the API refuses
    response: type[BaseModel] | None = None
    status: int = 200
    also: tuple[int, ...] = ()                  # other success statuses with the same answer
    errors: tuple[int, ...] = ()
    path: dict[str, dict[str, Any]] = field(default_factory=dict)   # path parameter → JSON schema
    description: str = ""
    tag: str = "api"

    @property
    def path_template(self) -> str:
        """The rule as OpenAPI writes it: /api/v1/matters/{matter_id}."""
        return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", self.rule)


OPERATIONS: list[Operation] = []


def endpoint(blueprint: Blueprint, method: str, rule: str, *, summary: str, **declared: Any) -> Callable:
    """Serve the view at ``rule`` on ``blueprint`` and register it for the document."""

    def wrap(view: Callable) -> Callable:
        operation = Operation(method=method, rule=rule, view=f"{blueprint.name}.{view.__name__}",
                              summary=summary, **declared)
        OPERATIONS.append(operation)

        @functools.wraps(view)
        def run(**kwargs: Any):
            if operation.query is not None:
                kwargs["args"] = parse_args(operation.query)
            return view(**kwargs)

        blueprint.add_url_rule(rule, endpoint=view.__name__, view_func=run, methods=[method])
        return run

    return wrap


def path_names(rule: str) -> list[str]:
    """The path parameters of a Flask rule, in order."""
    return re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", rule)


def is_list(annotation: Any) -> bool:
    """Whether a field holds a list (also inside Optional and Annotated)."""
    origin = typing.get_origin(annotation)
    if origin is list:
        return True
    if origin is typing.Annotated:
        return is_list(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return any(is_list(a) for a in typing.get_args(annotation))
    return False


def parse_args(model: type[BaseModel]) -> BaseModel:
    """The request's query arguments as ``model``: a list argument repeated or
    comma-separated (``?status=a,b&status=c``), an empty one absent; FieldErrors else."""
    data: dict[str, Any] = {}
    lists = {info.alias or name for name, info in model.model_fields.items() if is_list(info.annotation)}
    for name in request.args:
        if name in lists:
            values = [v for part in request.args.getlist(name) for v in part.split(",") if v != ""]
            if values:
                data[name] = values
        else:
            data[name] = request.args.get(name)
    clean, errors = check_fields(model, data, unknown="unknown argument")
    if errors:
        raise FieldErrors(errors)
    return model.model_construct(**clean)
