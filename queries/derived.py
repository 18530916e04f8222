"""The derived tables the live panels read: ``open_matters`` (current state of the open
matters), ``daily_rollup`` (daily counts) and ``indicator_rollup`` (the numerators and
denominators of the assessment indicators, 考核评价). Bulk loads rebuild them whole; the
write path of single actions keeps them in step matter by matter."""
from __future__ import annotations

import duckdb

from queries.store import Store
from queries.vocabulary import OPEN_STATUSES


def rebuild_derived(store: Store, cur: duckdb.DuckDBPyConnection) -> None:
    """Rebuild them from the matters, inside the caller's write transaction."""
    store.execute_write(cur, "derived/rebuild_open_matters", open_statuses=list(OPEN_STATUSES))
    store.execute_write(cur, "derived/rebuild_daily_rollup")
    store.execute_write(cur, "derived/rebuild_indicator_rollup")


def add_indicator_contributions(store: Store, cur: duckdb.DuckDBPyConnection, matter_ids: list[int],
                                sign: int) -> None:
    """The write path's step for the indicator rollup: ``sign=-1`` with the matters as they
    were before a change, ``sign=1`` after it, in the same transaction."""
    if sign not in (1, -1):
        raise ValueError("sign must be 1 or -1")
    store.execute_write(cur, "derived/indicator_rollup_add", matter_ids=[int(m) for m in matter_ids], sign=sign)
