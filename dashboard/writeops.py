"""The operations that write the database, by name: run here by the CLI when no server
holds the file, or by the running server when a CLI hands one over (``dashboard.server``).
Each takes the store and JSON-able keyword arguments and returns a JSON-able summary."""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from queries import accounts, audit, calendar_ops, channels, dispatch, ops, report
from queries.store import Store, StoreError


# The imports need geodata (geopandas, GDAL): loaded when one runs, not with every command.
def import_grid(store, **kwargs: Any) -> dict[str, Any]:
    from layers.gridimport import import_grid as run

    return run(store, **kwargs)


def import_matters(store, **kwargs: Any) -> dict[str, Any]:
    from layers.matterimport import import_matters as run

    return run(store, **kwargs)


def import_resources(store, **kwargs: Any) -> dict[str, Any]:
    from layers.resourceimport import import_resources as run

    return run(store, **kwargs)


COMMAND_LINE = "(command line)"          # who a command is audited as: a person with the machine's shell


def audited(what: str, op: Callable[..., dict[str, Any]], target: str = "name") -> Callable[..., dict[str, Any]]:
    """``op`` recorded in the audit log (``queries.audit``) with its outcome, whoever runs it."""
    @wraps(op)
    def run(store, **kwargs: Any) -> dict[str, Any]:
        aim = kwargs.get(target)
        aim = str(aim) if aim is not None else None
        name = getattr(op, "__name__", what)
        try:
            result = op(store, **kwargs)
        except Exception as exc:
            audit.record(store, what, user_name=COMMAND_LINE, target=aim, outcome="failed",
                         detail=f"{name}: {str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__}")
            raise
        audit.record(store, what, user_name=COMMAND_LINE, target=aim, detail=name)
        return result

    return run


def audit_prune(store, **kwargs: Any) -> dict[str, Any]:
    """The audit log's one removal; a done prune records itself, a refused one is recorded here."""
    try:
        return audit.prune(store, **kwargs)
    except (TypeError, ValueError) as exc:
        audit.record(store, "prune", user_name=COMMAND_LINE, target=str(kwargs.get("before"))[:40],
                     outcome="refused", detail=str(exc).splitlines()[0][:200])
        raise


OPS: dict[str, Callable[..., dict[str, Any]]] = {
    "backup": ops.backup,
    "channel_add": channels.add_channel,
    "channel_revoke": channels.revoke_channel,
    "calendar_load": calendar_ops.load_schedule,
    "calendar_hours": calendar_ops.change_office_hours,
    # the imports (file paths and options as JSON-able arguments)
    "import_grid": audited("import", import_grid, "path"),
    "import_matters": audited("import", import_matters, "path"),
    "import_resources": audited("import", import_resources, "path"),
    # the dispatch suggestion's defaults per 小类 (the center edits them)
    "dispatch_default_set": audited("action", dispatch.set_default, "category"),
    "dispatch_default_list": dispatch.list_defaults,
    # accounts: passwords travel as JSON to the loopback endpoint, never as arguments
    "user_add": audited("user_change", accounts.add_user),
    "user_disable": audited("user_change", accounts.disable_user),
    "user_reset": audited("user_change", accounts.reset_password),
    "user_token": audited("token", accounts.new_token),
    "user_revoke": audited("token", accounts.revoke_tokens),
    # the audit log's one removal (records at least queries.audit.KEEP_DAYS old); it records itself
    "audit_prune": audit_prune,
    # read-only, listed so that `report` and `user list` reach a server holding the file
    "report": audited("report", report.report, "start"),
    "user_list": lambda store: {"users": accounts.list_users(store)},
}


class CommandError(Exception):
    pass


def run_write_op(db_path: str, op_name: str, /, *, progress: Callable[[str, float], None] | None = None,
                 **kwargs: Any) -> dict[str, Any]:
    """Run operation ``op_name`` in the database's writer: here, or in the running server.
    ``progress`` (an import's step hook) is heard only here: a server runs it unobserved."""
    try:
        store = Store(db_path)
    except StoreError as exc:
        ann = ops.read_announcement(db_path)
        if ann is None or "in use" not in str(exc):
            raise
        return _remote_op(ann, op_name, kwargs)
    try:
        return OPS[op_name](store, **kwargs, **({"progress": progress} if progress is not None else {}))
    finally:
        store.close()


def _remote_op(ann: ops.ServerAnnouncement, name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    import requests

    try:
        response = requests.post(f"{ann.url}/internal/v1/ops/{name}", json=kwargs,
                                 headers={"X-Township-Token": ann.token}, timeout=3600)
    except requests.RequestException as exc:
        raise CommandError(f"the database is held by a server at {ann.url} that does not answer "
                           f"({exc.__class__.__name__})") from exc
    try:
        body = response.json()
    except ValueError:       # never an HTML page as the error: the status and the reason
        body = {"error": f"{response.status_code} {response.reason} (not a JSON answer)"}
    if not isinstance(body, dict):
        body = {"error": f"{response.status_code} {response.reason}"}
    if response.status_code != 200:
        raise CommandError(f"server at {ann.url}: {body.get('error', response.status_code)}")
    body["via_server"] = ann.url
    return body
