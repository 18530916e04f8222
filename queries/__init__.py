"""The DuckDB store: schema and migrations, the one query runner, the write path,
and the working calendar. Never imports ``dash`` or ``layers``."""
from queries.store import OPEN_STATUSES, CLOSED_STATUSES, Store, StoreError, QueryError  # noqa: F401
