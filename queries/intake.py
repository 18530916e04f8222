"""Intake (受理): the one way a new matter comes in, whatever the channel (the matters API,
Open311). Validation, placing the point on the grid and the write happen here once; the
channels only translate their own request into a body and the answer back."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from queries.permissions import require
from queries.store import Store
from queries.writepath import FieldErrors, Placement, check_new_matter, create_matter, request_hash

# (lon, lat) -> (cell id, village id, cell code, village name), or None outside the grid.
Locate = Callable[[float, float], "tuple[int, int, str, str | None] | None"]


def place(locate: Locate, clean: dict[str, Any]) -> Placement:
    """The cell and village of a new matter; a point outside the township is an input error."""
    if clean["lon"] is None:
        return Placement(None, None, None, None)
    found = locate(clean["lon"], clean["lat"])
    if found is None:
        raise FieldErrors([{"field": "lon", "problem": "the point lies outside the township's grid",
                            "value": [clean["lon"], clean["lat"]]}])
    return Placement(clean["lon"], clean["lat"], *found)


def register_matter(store: Store, body: Any, *, locate: Locate, now: datetime,
                    idempotency_key: str | None = None, by: Any = None,
                    scope: list[int] | None = None) -> tuple[dict[str, Any], bool]:
    """Register ``body`` (the fields of ``check_new_matter``) as a new matter. Returns (the
    matter as the API shows it, created?); a retry with the same idempotency key and body
    gets the first answer and False. Raises FieldErrors, or ActionRefused when the day's
    ids are used up; ``Forbidden`` when ``by`` (the signed-in user) may not register, or
    the matter lies outside ``scope`` (the user's villages)."""
    if by is not None:
        require(by, "register")
    clean = check_new_matter(store, body)
    return create_matter(store, clean, place(locate, clean), now=now, idempotency_key=idempotency_key,
                         body_hash=request_hash(body) if idempotency_key is not None else None, by=by,
                         scope=scope)
