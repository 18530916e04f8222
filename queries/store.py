"""The DuckDB store: opening a file, migrating it, running queries, writing.

One ``Store`` per process. The server holds the only read-write connection (DuckDB lets
one process write a file); every query runs on its own cursor, because a connection is not
thread-safe. Queries live one per file under ``queries/sql/<area>/<name>.sql``, opening
with ``--`` lines that say what they return (``-- returns: a, b``) and which parameters
they take (``-- params: scope, now``); the runner checks both.
"""
from __future__ import annotations

import contextlib
import secrets
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import duckdb
import pandas as pd

from queries import clock, workcal
from queries.concurrency import GroupCommit, Watchdog
from queries.settings import office_segments
from queries.sqlfiles import (
    LATEST_SCHEMA_VERSION,
    QueryError,
    all_queries,
    all_writes,
    bindable,
    check_params,
    migrations,
    split_statements,
)

T = TypeVar("T")



class StoreError(Exception):
    """A problem with the database file that a person can act on: one clear line."""


def _clear_open_error(path: Path, exc: Exception) -> StoreError:
    text = str(exc)
    if "lock" in text.lower():
        return StoreError(f"{path}: in use by another process (the server is the only writer; "
                          f"run the command through it, or stop it first)")
    if "not a valid DuckDB" in text or "database file" in text.lower() and "valid" in text.lower():
        return StoreError(f"{path}: not a DuckDB database file")
    if "Permission denied" in text or "permission" in text.lower():
        return StoreError(f"{path}: cannot read the database file (permission denied)")
    return StoreError(f"{path}: cannot open the database: {text.splitlines()[0]}")


class Store:
    """A DuckDB file with this product's schema."""

    def __init__(self, path: str | Path, *, read_only: bool = False, create: bool = False,
                 office_hours: str = "08:30-12:00,13:30-17:30",
                 query_time_limit_ms: int = 10_000) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.query_time_limit_ms = query_time_limit_ms
        self._write_lock = threading.RLock()
        self._group = GroupCommit(self)
        self._watchdog = Watchdog()
        if str(path) != ":memory:":
            if not self.path.exists() and (read_only or not create):
                raise StoreError(f"{self.path}: no such database file")
            if self.path.is_dir():
                raise StoreError(f"{self.path}: is a folder, not a database file")
            if self.path.exists():
                try:
                    with open(self.path, "rb") as fh:
                        head = fh.read(16)
                except OSError as exc:
                    raise StoreError(f"{self.path}: cannot read the database file ({exc.strerror})") from exc
                if len(head) >= 12 and head[8:12] != b"DUCK":
                    raise StoreError(f"{self.path}: not a DuckDB database file")
                if 0 < len(head) < 12:
                    raise StoreError(f"{self.path}: not a DuckDB database file")
            elif create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            raise _clear_open_error(self.path, exc) from exc
        try:
            self.schema_version = self._migrate(office_hours)
        except BaseException:
            self.con.close()       # a half-opened store must not hold the file
            raise
        self._calendar: workcal.WorkCalendar | None = None

    # -- schema ---------------------------------------------------------------------
    def _current_version(self) -> int:
        has = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
        ).fetchone()[0]
        if not has:
            tables = self.con.execute("SELECT count(*) FROM information_schema.tables").fetchone()[0]
            if tables:
                raise StoreError(f"{self.path}: a DuckDB file, but not a township database")
            return 0
        return self.con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]

    def _migrate(self, office_hours: str, up_to: int | None = None) -> int:
        version = self._current_version()
        pending = [m for m in migrations() if m[0] > version and (up_to is None or m[0] <= up_to)]
        if version > LATEST_SCHEMA_VERSION:
            raise StoreError(f"{self.path}: schema version {version} is newer than this program "
                             f"({LATEST_SCHEMA_VERSION}); upgrade the program")
        if not pending:
            return version
        if self.read_only:
            raise StoreError(f"{self.path}: schema version {version} is older than {LATEST_SCHEMA_VERSION}; "
                             f"open it once for writing to migrate it")
        for number, name, sql in pending:
            self.con.execute("BEGIN")
            try:
                if number == 1:
                    self.execute_write(self.con, "store/create_migrations_table")
                self.con.execute(sql)
                if number == 1:
                    self._load_calendar(office_hours)
                if number == 10:
                    self._seed_office_hours()
                if number == 12:         # signs the login sessions: made once, kept across restarts
                    self.set_meta(self.con, "session_secret", secrets.token_hex(32))
                self.execute_write(self.con, "store/record_migration", version=number, name=name,
                                   now=clock.now().replace(microsecond=0))
                self.con.execute("COMMIT")
            except duckdb.Error as exc:
                self.con.execute("ROLLBACK")
                raise StoreError(f"{self.path}: migration {name} failed, the file is unchanged: "
                                 f"{str(exc).splitlines()[0]}") from exc
            except Exception:
                self.con.execute("ROLLBACK")
                raise
            version = number
        return version

    def _load_calendar(self, office_hours: str) -> None:
        office_segments(office_hours)
        table = workcal.build_work_days(office_hours, workcal.read_holidays())
        self.con.register("work_days_df", table)
        self.execute_write(self.con, "store/load_work_days")
        self.con.unregister("work_days_df")

    def _seed_office_hours(self) -> None:
        """The first office-hours period: the hours the stored calendar was built with."""
        first, hours = workcal.hours_of_table(self.frame("SELECT * FROM work_days ORDER BY day"))
        self.execute_write(self.con, "calendar/seed_office_hours", from_day=first, hours=hours)

    def forget_calendar(self) -> None:
        """After ``work_days`` changed: the next ``calendar`` reads it again."""
        self._calendar = None

    @property
    def calendar(self) -> workcal.WorkCalendar:
        if self._calendar is None:
            self._calendar = workcal.WorkCalendar.from_table(self.frame("SELECT * FROM work_days ORDER BY day"))
        return self._calendar

    # -- reading --------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.con.cursor()

    def frame(self, sql: str, params: Any = None) -> pd.DataFrame:
        """Internal SQL fixed in code (schema chores); request values only ever bind."""
        cur = self.cursor()
        try:
            return cur.execute(sql, params).df() if params is not None else cur.execute(sql).df()
        finally:
            cur.close()

    def run(self, name: str, **params: Any) -> pd.DataFrame:
        """Run ``queries/sql/<name>.sql`` with bound parameters; returns a DataFrame."""
        query = all_queries().get(name)
        if query is None:
            raise QueryError(f"no query named {name!r}")
        check_params(query, params)
        if "scope" in query.params and not isinstance(params["scope"], (list, tuple)):
            raise QueryError(f"{name}: scope must be the list of villages the viewer may see")
        cur = self.cursor()
        token = self._watchdog.watch(cur, self.query_time_limit_ms / 1000)
        try:
            return cur.execute(query.sql, {k: bindable(v) for k, v in params.items()}).df()
        except duckdb.InterruptException as exc:
            raise QueryError(f"{name}: exceeded {self.query_time_limit_ms} ms") from exc
        finally:
            self._watchdog.forget(token)
            cur.close()

    def scalar(self, sql: str, params: Any = None) -> Any:
        cur = self.cursor()
        try:
            row = cur.execute(sql, params).fetchone() if params is not None else cur.execute(sql).fetchone()
            return row[0] if row else None
        finally:
            cur.close()

    def data_version(self) -> int:
        return int(self.scalar("SELECT value FROM meta WHERE key = 'data_version'"))

    def meta(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM meta WHERE key = ?", [key])

    def all_village_ids(self) -> list[int]:
        return [int(v) for v in self.frame(
            "SELECT area_id FROM areas WHERE level = 'village' ORDER BY area_id")["area_id"]]

    def grid_fingerprint(self) -> str:
        """Changes whenever the grid's cells change (an import): cheap, for caches."""
        return self.scalar("SELECT count(*) || ':' || coalesce(max(area_id), 0) || ':' || "
                           "coalesce(sum(hash(geom)), 0) FROM areas WHERE level = 'cell'")

    def cells_with_geometry(self) -> pd.DataFrame:
        return self.frame("SELECT c.area_id, c.village_id, c.code, v.name AS village_name, c.geom "
                          "FROM areas c LEFT JOIN areas v ON v.area_id = c.village_id "
                          "WHERE c.level = 'cell' ORDER BY c.area_id")

    # -- writing --------------------------------------------------------------------
    @contextmanager
    def write(self, *, bump: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction; commits with the data version bumped, or rolls back whole.
        ``bump=False``: a write no page's cached reads depend on (an audit record)."""
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only")
        with self._write_lock:
            cur = self.cursor()
            cur.execute("BEGIN")
            try:
                yield cur
                if bump:
                    self.execute_write(cur, "store/bump_data_version")
                cur.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(duckdb.Error):   # a failed COMMIT ended the transaction:
                    cur.execute("ROLLBACK")              # keep its error
                raise
            finally:
                cur.close()

    def transact(self, fn: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Run ``fn(cursor)`` in a write transaction and return its result once committed.
        Concurrent callers share one transaction and one commit (group commit): what each
        gets back is durable, and a failure other than a ``Refusal`` re-runs each alone."""
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only")
        return self._group.submit(fn)

    def execute_write(self, cur: duckdb.DuckDBPyConnection, name: str, /, **params: Any) -> None:
        """Run ``queries/writes/<name>.sql`` (one or more statements) inside ``write()``."""
        query = all_writes().get(name)
        if query is None:
            raise QueryError(f"no write statement named {name!r}")
        check_params(query, params)
        bound = {k: bindable(v) for k, v in params.items()}
        for statement in split_statements(query.sql):
            used = {k: v for k, v in bound.items() if f"${k}" in statement}
            cur.execute(statement, used) if used else cur.execute(statement)

    def select_in(self, cur: duckdb.DuckDBPyConnection, name: str, /, **params: Any) -> list[dict[str, Any]]:
        """Run ``queries/writes/<name>.sql`` inside ``write()`` and return the rows of its
        last statement, a SELECT (what the write path reads in its own transaction)."""
        query = all_writes().get(name)
        if query is None:
            raise QueryError(f"no write-path statement named {name!r}")
        check_params(query, params)
        bound = {k: bindable(v) for k, v in params.items()}
        statements = split_statements(query.sql)
        for statement in statements:
            used = {k: v for k, v in bound.items() if f"${k}" in statement}
            cur.execute(statement, used) if used else cur.execute(statement)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def set_meta(self, cur: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
        self.execute_write(cur, "store/set_meta", key=key, value=value)

    def checkpoint(self) -> None:
        self.execute_write(self.con, "store/checkpoint")

    def close(self) -> None:
        self._group.stop()
        self._watchdog.stop()
        self.con.close()
