"""Serving: the production WSGI server (waitress, threads) and the ops endpoint through
which CLI writing commands reach the running server, the database's one writer."""
from __future__ import annotations

import hmac
import ipaddress
import logging
import signal
import sys

from flask import Blueprint, jsonify, request

from dashboard.context import EXTENSION, app_context
from dashboard.http.replies import error_reply
from dashboard.writeops import OPS
from queries import calendar_ops, clock, ops
from queries.concurrency import Maintenance
from queries.settings import Settings
from queries.store import Store, StoreError

log = logging.getLogger("township.server")
ops_blueprint = Blueprint("ops", __name__)


@ops_blueprint.post("/internal/v1/ops/<name>")
def run_op(name: str):
    """Loopback only, with the token the server announced next to the database file; every
    refusal in the API's one error shape."""
    try:
        remote = ipaddress.ip_address(request.remote_addr or "0.0.0.0")
    except ValueError:
        remote = None
    if remote is None or not remote.is_loopback:
        return error_reply(403, "the ops endpoint answers the loopback address only")
    expected = app_context().ops_token
    # bytes, so that a non-ASCII token is a wrong one (compare_digest refuses such str)
    given = request.headers.get("X-Township-Token", "").encode("utf-8", "surrogateescape")
    if not expected or not hmac.compare_digest(given, expected.encode("utf-8")):
        return error_reply(403, "the ops token is missing or wrong")
    op = OPS.get(name)
    if op is None:
        return error_reply(404, f"unknown operation {name[:60]!r}")
    args = request.get_json(silent=True)
    if not isinstance(args, dict):
        return error_reply(422, "arguments must be a JSON object")
    try:
        return jsonify(op(app_context().store, **args))
    except TypeError as exc:
        return error_reply(422, f"bad arguments: {exc}")
    except StoreError as exc:
        return error_reply(503 if app_context().store.fault else 409, str(exc))
    except ValueError as exc:
        return error_reply(409, str(exc))
    except Exception as exc:      # the CLI prints one line, never an HTML page
        log.exception("operation %s failed", name)
        return error_reply(500, f"{name} failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")


def serve(settings: Settings) -> None:
    from waitress import create_server

    from queries.settings import SettingsError

    # Requests drive every query of this process: DuckDB may touch no file but the
    # database's own. A file that cannot be opened for writing (a read-only file system, a
    # full disk) is served read-only, degraded, until it can (store.probe).
    store = Store.open_degraded(settings.db_path, office_hours=settings.office_hours,
                                query_time_limit_ms=settings.query_time_limit_ms, external_access=False)
    built_in = store.meta("timezone")
    if built_in and built_in != settings.timezone:
        store.close()
        raise SettingsError(f"{settings.db_path} keeps the wall-clock times of {built_in}, but the setting "
                            f"timezone is {settings.timezone}: serving it would shift every light and "
                            f"deadline; set TOWNSHIP_TIMEZONE={built_in}")
    for line in calendar_ops.notices(store, settings.office_hours, clock.now().date()):
        print(f"warning: {line}", file=sys.stderr, flush=True)
    from dashboard.app import create_app

    app = create_app(settings, store)
    app.server.register_blueprint(ops_blueprint)
    # Slow clients must not starve the desk: waitress hands a thread only a whole request,
    # but every open connection counts against its limit (100 by default, where about 99
    # idle half-sent connections stopped it answering). A higher limit, and idle or
    # half-sent connections closed after server_channel_timeout_s (looked for every 2 s).
    server = create_server(app.server, host=settings.host, port=settings.port,
                           threads=settings.server_threads, ident="township",
                           connection_limit=settings.server_connection_limit,
                           channel_timeout=settings.server_channel_timeout_s, cleanup_interval=2,
                           backlog=1024, asyncore_use_poll=True)
    maintenance = Maintenance(store, wal_limit_bytes=int(settings.checkpoint_wal_mb * 1024 * 1024),
                              interval_s=settings.checkpoint_interval_s).start()
    url = f"http://{settings.host}:{server.effective_port}"
    ann = ops.announce_server(settings.db_path, url)
    app.server.extensions[EXTENSION].ops_token = ann.token

    def stop(signum, frame):  # noqa: ARG001
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    print(f"serving {settings.db_path} at {url}", flush=True)
    try:
        server.run()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        ops.withdraw_announcement(settings.db_path, ann)
        maintenance.stop()
        server.close()
        store.close()
    sys.exit(0)
