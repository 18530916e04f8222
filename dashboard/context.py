"""The one application context: what every page, API endpoint and export reaches the app
through, built once by ``create_app`` and kept on the Flask server as
``server.extensions["township"]``, and the one ``viewer_scope()``.

Every read a person triggers is scoped to the villages they may see; that list comes from
``viewer_scope()`` and from nowhere else, so access control changes this one function.
"""
from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app, g, has_app_context

from dashboard.reader import UNPLACED, Reader
from queries.accounts import User, scope_village_ids
from queries.settings import Settings
from queries.store import Store

if TYPE_CHECKING:
    from dashboard.views.admin_import import JobBoard
    from layers.placement import LocatorCache

EXTENSION = "township"


@dataclass
class AppContext:
    settings: Settings
    store: Store
    reader: Reader
    locator: "LocatorCache | None" = None
    # The import page's jobs and folders (a test may point them elsewhere).
    jobs: "JobBoard | None" = None
    upload_dir: Path | None = None
    mappings_dir: Path | None = None
    ops_token: str | None = None           # set by `serve`: the CLI's handover endpoint
    # One warning refresh at a time for the whole server (every page and thread).
    warnings_lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self, server: Flask) -> "AppContext":
        server.extensions[EXTENSION] = self
        return self

    def import_folder(self) -> Path:
        """Where uploads wait for their import (made on first use)."""
        if self.upload_dir is None:
            self.upload_dir = Path(tempfile.mkdtemp(prefix="township-import-"))
        return self.upload_dir


def app_context() -> AppContext:
    """The context of the app serving the current request (or callback)."""
    try:
        return current_app.extensions[EXTENSION]
    except KeyError:
        raise RuntimeError("no township app context: build the app with dashboard.app.create_app "
                           "or install an AppContext on the Flask server") from None


def whole_township(store: Store) -> list[int]:
    """Every village, and the matters placed in no village (``UNPLACED``)."""
    return store.all_village_ids() + [UNPLACED]


def maybe_app_context() -> AppContext | None:
    """The context when a township app serves the current request; None outside one."""
    return current_app.extensions.get(EXTENSION) if has_app_context() else None


class NotSignedIn(RuntimeError):
    """A read or an action outside any signed-in user: a fault of ours, never shown data."""


def current_user() -> User | None:
    """The user the current request acts for (a session or a bearer token, set by the guard
    in ``dashboard.auth``), or None."""
    return g.get("user") if has_app_context() else None


def use_user(user: User | None) -> None:
    """Act for ``user`` in the current app context (the guard does it for every request;
    tests and jobs outside a request do it themselves)."""
    g.user = user


def signed_in_user() -> User:
    user = current_user()
    if user is None:
        raise NotSignedIn("no signed-in user: every page and endpoint passes the login guard")
    return user


def viewer_scope() -> list[int]:
    """The villages the current viewer may see (a bound parameter of every read query): a
    scoped user's villages; a township-wide user's every village and the matters placed in
    none (``UNPLACED``); Open311's public read (setting ``open311_public_read``) the whole
    township. Without a signed-in user there is nothing to see."""
    ctx = app_context()
    user = current_user()
    if user is None and g.get("public_read"):
        return ctx.reader.memo("whole_township", {}, lambda: whole_township(ctx.store))
    user = signed_in_user()
    if user.township_wide:
        return ctx.reader.memo("whole_township", {}, lambda: whole_township(ctx.store))
    return ctx.reader.memo("user_villages", {"codes": user.scope_codes},
                           lambda: scope_village_ids(ctx.store, user))


def viewer_department() -> int | None:
    """For a department user (部门), the department whose matters alone (lead or co-handling,
    DOMAIN.md §1: they sign for and handle what is dispatched to them) they see where matters
    are listed or opened one by one: the desk, the API's matters, Open311 with a login. None
    for every other role and for Open311's public read. A department user whose department is
    unknown sees no matter (-1). The figures of a village (tiles, analysis, indicators,
    rankings, warnings) stay those of ``viewer_scope()``."""
    user = current_user()
    if user is None or user.role != "department":
        return None
    ctx = app_context()

    def lookup() -> int:
        frame = ctx.reader.run("reference/departments")
        found = frame.loc[frame["code"] == user.dept_code, "dept_id"]
        return int(found.iloc[0]) if len(found) else -1

    return ctx.reader.memo("user_department", {"code": user.dept_code}, lookup)


def actor_name() -> str:
    """Who an action is recorded as: the signed-in user, never a field the client fills in."""
    return signed_in_user().name
