"""The derived tables the live panels read: ``open_matters`` (current state of the open
matters) and ``daily_rollup`` (daily counts). Bulk loads rebuild them whole; the write
path of single actions keeps them in step matter by matter."""
from __future__ import annotations

import duckdb

from queries.store import OPEN_STATUSES, Store


def rebuild_derived(store: Store, cur: duckdb.DuckDBPyConnection) -> None:
    """Rebuild both from the matters, inside the caller's write transaction."""
    store.execute_write(cur, "derived/rebuild_open_matters", open_statuses=list(OPEN_STATUSES))
    store.execute_write(cur, "derived/rebuild_daily_rollup")
