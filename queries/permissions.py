"""Who may do what (DOMAIN.md §1): the one permission table, checked on the server by the
write path (``queries.writepath``, the warning acknowledgement) and by the guard of pages,
Dash callbacks and endpoints (``dashboard.permit``). The desk offers only the buttons this
table allows, but hiding a button is never the check.

A permission is a matter action of the lifecycle (``dispatch``, ``sign``…), ``register``
(受理: a new matter), ``acknowledge`` (a warning), ``read`` and ``export`` (pages, API reads,
exports and reports, always within the user's village scope), ``import``, ``users`` and
``audit`` (the administrator's). A department user's matter actions are allowed only on
matters whose lead department or a co-handling department is the user's own.
"""
from __future__ import annotations

from typing import Any

from queries import lifecycle
from queries.concurrency import Refusal
from queries.vocabulary import ROLES

MATTER_ACTIONS = frozenset(a for a in lifecycle.TRANSITIONS if a != "accept")
READS = frozenset({"read", "export"})
# merge (合并重复件): seat operators spot duplicates as they register; the commander too.
CENTER = frozenset({"register", "dispatch", "verify", "reject", "close", "follow_up", "acknowledge", "merge"})
# Emergencies: declaring and commanding one (tasks, log, 上报, alarms, closing) is the duty
# commander's; a department signs for and reports on its own linkage tasks.
EMERGENCY_COMMAND = frozenset({"declare_emergency", "command_emergency", "emergency_task"})
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": MATTER_ACTIONS | READS | CENTER | EMERGENCY_COMMAND | {"import", "users", "audit"},
    "commander": MATTER_ACTIONS | READS | CENTER | EMERGENCY_COMMAND,
    "operator": READS | CENTER,
    "department": READS | {"sign", "feedback", "return", "emergency_task"},
    "leader": READS,
    "analyst": READS,
    "viewer": READS,
}
# Matter actions a department user takes only on its own department's matters.
OWN_DEPARTMENT_ONLY = frozenset({"department"})
assert set(PERMISSIONS) == set(ROLES)


class Forbidden(Refusal, PermissionError):
    """The user's role does not allow this (or not on this matter). HTTP 403."""


def allowed(role: str | None, what: str) -> bool:
    return what in PERMISSIONS.get(role or "", frozenset())


def require(user: Any, what: str) -> None:
    """Raise ``Forbidden`` unless ``user`` (a ``queries.accounts.User``) may do ``what``."""
    if user is None or not allowed(user.role, what):
        role = getattr(user, "role", None) or "nobody"
        raise Forbidden(f"{what} is not allowed for the role {role}")


def own_matter(user_dept_id: int | None, matter: dict[str, Any]) -> bool:
    """Whether a matter is dispatched to the department ``user_dept_id`` (lead or co-handling)."""
    if user_dept_id is None:
        return False
    co = matter.get("co_dept_ids")
    co_ids = [int(d) for d in co] if co is not None else []
    lead = matter.get("lead_dept_id")
    return (lead is not None and int(lead) == int(user_dept_id)) or int(user_dept_id) in co_ids


def require_on_matter(user: Any, action: str, matter: dict[str, Any], user_dept_id: int | None) -> None:
    """``require`` plus, for a department user, the matter being its department's."""
    require(user, action)
    if user.role in OWN_DEPARTMENT_ONLY and not own_matter(user_dept_id, matter):
        raise Forbidden(f"{action} is allowed for a department user only on its own department's matters")


def offered(user: Any, actions: tuple[str, ...], matter: dict[str, Any] | None = None,
            user_dept_id: int | None = None) -> tuple[str, ...]:
    """Of ``actions``, those ``user`` may take (the desk's buttons; same table)."""
    if user is None:
        return ()
    out = tuple(a for a in actions if allowed(user.role, a))
    if user.role in OWN_DEPARTMENT_ONLY and (matter is None or not own_matter(user_dept_id, matter)):
        return ()
    return out
