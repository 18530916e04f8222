"""The intake and action API under ``/api/v1/matters`` (JSON).

Bad input gets 422 with every field error ({field, problem, value}); an action the matter's
state does not allow gets 409 with the reason; an unknown matter 404 (the shape of every
error: ``dashboard.http.replies``). A 201 or 200 means the write is committed to the
DuckDB file. ``Idempotency-Key`` makes a retried POST return the first answer instead of
a duplicate.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from flask import Blueprint, request

from dashboard import auditing, clock
from dashboard.context import actor_name, app_context, current_user, viewer_department, viewer_scope
from dashboard.http.contract import endpoint
from dashboard.http.models import Matter, MatterDetail, MatterFilters, MatterPage
from dashboard.http.replies import INT64, answer_errors, classify, echo, read_json_body, records, reply, whole_number
from queries.bodies import MatterAction, NewMatter
from queries.intake import register_matter
from queries.permissions import MATTER_ACTIONS, Forbidden, require
from queries.writepath import FieldErrors, NotFound, apply_action, check_action

blueprint = answer_errors(Blueprint("api_matters", __name__))
MATTER_ID = {"type": "integer", "minimum": 1, "maximum": INT64[1], "format": "int64"}


def _context():
    return (app_context().store, app_context().settings, app_context().reader,
            app_context().locator)


@endpoint(blueprint, "POST", "/api/v1/matters", summary="register (受理) a matter", body=NewMatter,
          body_hides=("actor",), response=Matter, status=201, also=(200,), errors=(409, 413, 422, 429),
          description="`Idempotency-Key` (1 to 200 printable characters) makes a retry answer 200 "
                      "with the first answer instead of registering twice.")
def create():
    store, _settings, _reader, locator = _context()
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (1 <= len(key) <= 200 and key.isprintable()):
        raise FieldErrors([{"field": "Idempotency-Key", "problem": "1 to 200 printable characters",
                            "value": key[:40]}])
    require(current_user(), "register")
    with audited("accept", "new matter"):
        result, created = register_matter(store, with_login_actor(read_json_body()), locate=locator.place,
                                          now=clock.now(), idempotency_key=key, by=current_user(),
                                          scope=viewer_scope())
    auditing.note("action", target=f"matter {result['id']}", detail="accept" if created else "accept (repeated)")
    return reply(result, 201 if created else 200)


@endpoint(blueprint, "POST", "/api/v1/matters/<matter_id>/actions", summary="act on a matter",
          body=MatterAction, body_hides=("actor",), response=Matter, errors=(404, 409, 413, 422),
          path={"matter_id": MATTER_ID})
def act(matter_id: str):
    store = app_context().store
    mid = _matter_id(matter_id)
    body = read_json_body()
    action = body.get("action") if isinstance(body, dict) else None
    if isinstance(action, str) and action in MATTER_ACTIONS:
        require(current_user(), action)        # a refused role learns nothing of its input or the matter
    with audited(action if isinstance(action, str) else "?", f"matter {mid}"):
        clean = check_action(store, with_login_actor(body))
        result = apply_action(store, mid, clean, now=clock.now(), by=current_user(), scope=viewer_scope())
    auditing.note("action", target=f"matter {mid}", detail=clean["action"])
    return reply(result)


@contextmanager
def audited(action: str, target: str) -> Iterator[None]:
    """An action that fails (bad input, refused by the lifecycle, unknown matter) is audited
    with its reason and raised on; a permission refusal is audited by the error handler."""
    try:
        yield
    except Forbidden:
        raise
    except Exception as exc:
        status, message, _errors = classify(exc)
        auditing.note("action", target=target, outcome="refused" if status == 409 else "failed",
                      detail=f"{action[:40]}: {status} {message}")
        raise


def with_login_actor(body: Any) -> Any:
    """The body with the signed-in user as its actor; an ``actor`` the client sends is refused."""
    if not isinstance(body, dict):
        return body                        # the write path says what is wrong with it
    if "actor" in body:
        raise FieldErrors([{"field": "actor", "problem": "actor comes from the login", "value": echo(body["actor"])}])
    return {**body, "actor": actor_name()}


def _matter_id(text: str) -> int:
    found = whole_number(text, 1, INT64[1])
    if found is None:
        raise NotFound(f"no matter {echo(text)}")
    return found


@endpoint(blueprint, "GET", "/api/v1/matters", summary="the matters in the viewer's scope, filtered and paged",
          query=MatterFilters, response=MatterPage, errors=(422,))
def list_matters(args: MatterFilters):
    store, settings, reader, _locator = _context()
    params = dict(statuses=args.status, lights=args.light, cells=args.cell, villages=args.village,
                  depts=args.department, sources=args.source, categories=args.category,
                  created_from=args.created_from, created_to=args.created_to)
    limit, offset = args.limit, args.offset
    common = dict(scope=viewer_scope(), handled_by=viewer_department(), now=clock.now(),
                  yellow_share=settings.yellow_fraction, **params)
    page = store.run("matters/list", limit=limit, offset=offset, **common)
    if len(page) == 0 and offset > 0:          # past the end: the total from the first row
        page_one = store.run("matters/list", limit=1, offset=0, **common)
        total = int(page_one["total"].iloc[0]) if len(page_one) else 0
    else:
        total = int(page["total"].iloc[0]) if len(page) else 0
    return reply({"items": records(page.drop(columns=["total"])), "total": total, "limit": limit, "offset": offset})


@endpoint(blueprint, "GET", "/api/v1/matters/<matter_id>", summary="a matter with its event timeline",
          response=MatterDetail, errors=(404,), path={"matter_id": MATTER_ID})
def get_matter(matter_id: str):
    store, settings, reader, _locator = _context()
    mid = _matter_id(matter_id)
    scope = viewer_scope()
    detail = store.run("matters/detail", scope=scope, handled_by=viewer_department(), matter_id=mid, now=clock.now(),
                       yellow_share=settings.yellow_fraction)
    if detail.empty:
        raise NotFound(f"no matter {mid}")
    body = records(detail)[0]
    body["events"] = records(store.run("matters/timeline", scope=scope, handled_by=viewer_department(),
                                                 matter_id=mid))
    return reply(body)
