"""The DuckDB store: opening a file, migrating it, running queries, writing.

One ``Store`` per process. The server holds the only read-write connection (DuckDB lets
one process write a file); every query runs on its own cursor, because a connection is not
thread-safe.

Faults of the file (a full disk, a read-only file system, a vanished folder) make the store
*degraded*: writes raise ``StoreError`` with the reason (the API's 503) while reads go on
from the last good data, and the store heals itself once the fault clears. DuckDB (1.4)
must not be used again after a failed COMMIT or CHECKPOINT: the connection then still
holds pieces of the failed transaction, and the next commit writes them into new rows (and
a WAL that no longer replays). So after any such failure the store closes the database and
opens it again, read-write if it can, else read-only, and tries writing again at most once
a second (``probe``). Queries live one per file under ``queries/sql/<area>/<name>.sql``, opening
with ``--`` lines that say what they return (``-- returns: a, b``) and which parameters
they take (``-- params: scope, now``); the runner checks both.
"""
from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
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
log = logging.getLogger("township.store")
# What a file fault says in DuckDB's messages: the disk, the file system, the file itself.
FILE_FAULT = re.compile(r"could not (write|open|read|sync|truncate|create|fsync)|no space|read-only file system|"
                        r"permission denied|i/o error|io error|invalidated|no such file|disk quota|"
                        r"failed to (write|create|open)", re.IGNORECASE)
PROBE_EVERY_S = 1.0


@dataclass(frozen=True)
class Fault:
    """Why the store cannot write now, in one line, and since when (the center's clock)."""
    reason: str
    since: datetime


def is_file_fault(exc: BaseException) -> bool:
    """A fault of the disk or the file rather than of the statement (and so a 503). A file
    access the sandbox refuses (external access off) is the statement's fault."""
    if "disabled by configuration" in str(exc):
        return False
    return isinstance(exc, (duckdb.IOException, duckdb.FatalException, duckdb.PermissionException,
                            OSError)) or bool(FILE_FAULT.search(str(exc)))


def fault_reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if re.search(r"no space|disk quota", text, re.IGNORECASE):
        return f"the disk is full: {text}"
    if re.search(r"read-only|permission denied", text, re.IGNORECASE):
        return f"the database file is read-only: {text}"
    return f"the database file cannot be written: {text}"

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
    """A DuckDB file with this product's schema.

    ``external_access=False`` (the server's store): DuckDB may read or write no file but the
    database's own (no ``read_csv('/etc/passwd')`` in any query); it is a setting of the
    whole database, fixed when it opens, so it holds for every cursor of the process. The
    imports (read in Python, handed over as frames) and backups (a copy of the file) need no
    more.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False, create: bool = False,
                 office_hours: str = "08:30-12:00,13:30-17:30",
                 query_time_limit_ms: int = 10_000, external_access: bool = True) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.query_time_limit_ms = query_time_limit_ms
        self.external_access = external_access
        self._write_lock = threading.RLock()
        self._group = GroupCommit(self)
        self._watchdog = Watchdog()
        # The connection may be swapped (closed and opened again) after a fault: readers
        # count themselves in under _gate, and a swap waits until none is left.
        self._gate = threading.Lock()
        self._readers: dict[int, duckdb.DuckDBPyConnection] = {}
        self._reader_seq = 0
        self._swapping = False
        self.fault: Fault | None = None
        self.writable = not read_only          # False while the file is open read-only after a fault
        self._next_probe = 0.0
        self._file_id: tuple[int, int] | None = None
        self.checkpoints = 0
        self._checkpoints_held = 0
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
            self.con: duckdb.DuckDBPyConnection | None = self._connect(read_only)
        except duckdb.Error as exc:
            raise _clear_open_error(self.path, exc) from exc
        try:
            self.schema_version = self._migrate(office_hours)
        except BaseException:
            self.con.close()       # a half-opened store must not hold the file
            raise
        self._file_id = self._current_file_id()
        self._calendar: workcal.WorkCalendar | None = None

    @classmethod
    def open_degraded(cls, path: str | Path, **kwargs: Any) -> "Store":
        """The store of a server whose file cannot be opened for writing (a read-only file
        system, a full disk that stops the WAL's replay): read-only, degraded with the
        reason, healing itself (``probe``) once the file can be written."""
        try:
            return cls(path, **kwargs)
        except StoreError as exc:
            if not is_file_fault(exc.__cause__ or exc):
                raise                    # in use, not a database, too old: no read-only fallback
            first = exc
        try:
            store = cls(path, **{**kwargs, "read_only": True})
        except StoreError:
            raise first from None
        store.read_only = False          # it writes again once it can: probe reopens it
        store.writable = False
        store.fault = Fault(fault_reason(first.__cause__ or first), clock.now())
        log.warning("serving read-only: %s", store.fault.reason)
        return store

    def _connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        config = {} if self.external_access else {"enable_external_access": False}
        return duckdb.connect(str(self.path), read_only=read_only, config=config)

    def _current_file_id(self) -> tuple[int, int] | None:
        if str(self.path) == ":memory:":
            return None
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

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
        """A cursor the caller closes; prefer ``reading()``, which a reopening waits for."""
        con = self.con
        if con is None:
            raise StoreError(self._unavailable())
        return con.cursor()

    def _unavailable(self) -> str:
        return self.fault.reason if self.fault else f"{self.path}: the database is not open"

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of the current connection, counted in so that reopening the database
        (after a fault) never closes it under a running query."""
        while True:
            with self._gate:
                if not self._swapping:
                    if self.con is None:
                        raise StoreError(self._unavailable())
                    cur = self.con.cursor()
                    self._reader_seq += 1
                    token = self._reader_seq
                    self._readers[token] = cur
                    break
            time.sleep(0.005)
        try:
            yield cur
        except duckdb.Error as exc:
            if is_file_fault(exc):
                raise StoreError(fault_reason(exc)) from exc
            raise
        finally:
            with self._gate:
                self._readers.pop(token, None)
            with contextlib.suppress(duckdb.Error):
                cur.close()

    def frame(self, sql: str, params: Any = None) -> pd.DataFrame:
        """Internal SQL fixed in code (schema chores); request values only ever bind."""
        with self.reading() as cur:
            return cur.execute(sql, params).df() if params is not None else cur.execute(sql).df()

    def run(self, name: str, **params: Any) -> pd.DataFrame:
        """Run ``queries/sql/<name>.sql`` with bound parameters; returns a DataFrame."""
        query = all_queries().get(name)
        if query is None:
            raise QueryError(f"no query named {name!r}")
        check_params(query, params)
        if "scope" in query.params and not isinstance(params["scope"], (list, tuple)):
            raise QueryError(f"{name}: scope must be the list of villages the viewer may see")
        with self.reading() as cur:
            token = self._watchdog.watch(cur, self.query_time_limit_ms / 1000)
            try:
                return cur.execute(query.sql, {k: bindable(v) for k, v in params.items()}).df()
            except duckdb.InterruptException as exc:
                raise QueryError(f"{name}: exceeded {self.query_time_limit_ms} ms") from exc
            finally:
                self._watchdog.forget(token)

    def scalar(self, sql: str, params: Any = None) -> Any:
        with self.reading() as cur:
            row = cur.execute(sql, params).fetchone() if params is not None else cur.execute(sql).fetchone()
            return row[0] if row else None

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
        ``bump=False``: a write no page's cached reads depend on (an audit record).
        A fault of the file raises ``StoreError`` with the reason; a failed COMMIT (of any
        kind) closes the database and opens it again before the error goes on."""
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only")
        with self._write_lock:
            self._ready_to_write()
            cur = self.con.cursor()
            try:
                cur.execute("BEGIN")
                yield cur
                if bump:
                    self.execute_write(cur, "store/bump_data_version")
            except BaseException as exc:
                with contextlib.suppress(duckdb.Error):
                    cur.execute("ROLLBACK")
                with contextlib.suppress(duckdb.Error):
                    cur.close()
                if isinstance(exc, duckdb.Error) and is_file_fault(exc):
                    self._fail(exc)
                raise
            try:
                cur.execute("COMMIT")
            except duckdb.Error as exc:
                with contextlib.suppress(duckdb.Error):
                    cur.close()
                self._fail(exc, always_reopen=True)
                raise
            with contextlib.suppress(duckdb.Error):
                cur.close()
            if self.fault is not None:
                self._healed()

    def _ready_to_write(self) -> None:
        """Raise ``StoreError`` while the file cannot be written; once a second, while
        degraded, look again (and reopen the database read-write when it is back)."""
        if self.fault is not None or not self.writable or self.con is None:
            if time.monotonic() < self._next_probe:
                raise StoreError(self._unavailable())
            self._next_probe = time.monotonic() + PROBE_EVERY_S
            if not self.writable or self.con is None or self._current_file_id() != self._file_id:
                if self._current_file_id() is None or not self._file_writable():
                    raise StoreError(self._unavailable())
                self._reopen()
                if not self.writable:
                    raise StoreError(self._unavailable())
        elif self._file_id is not None and self._current_file_id() != self._file_id:
            # the folder or the file went away (or was replaced): writes would go nowhere
            self.fault = Fault(f"{self.path}: the database file is gone (its folder removed or the file "
                               f"replaced); writes wait until it is back", clock.now())
            log.error("%s", self.fault.reason)
            self._next_probe = time.monotonic() + PROBE_EVERY_S
            raise StoreError(self.fault.reason)

    def _file_writable(self) -> bool:
        """Whether the file and its folder (the WAL goes there) take writes: a cheap look
        before reopening the database read-write (closing it stalls the reads)."""
        return os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)

    def _fail(self, exc: BaseException, *, always_reopen: bool = False) -> None:
        """After a failed COMMIT or a fault of the file: never reuse the connection. A file
        fault becomes the store's fault and a ``StoreError`` (raised from ``exc``)."""
        fault = is_file_fault(exc)
        if fault:
            self.fault = Fault(fault_reason(exc), clock.now())
            self._next_probe = time.monotonic() + PROBE_EVERY_S
            log.error("write failed, database reopened: %s", self.fault.reason)
        if fault or always_reopen:
            self._reopen()
        if fault:
            raise StoreError(self.fault.reason) from exc

    def _healed(self) -> None:
        log.warning("the database is writable again (was: %s)", self.fault.reason if self.fault else "?")
        self.fault = None

    def _reopen(self) -> None:
        """Close the database and open it again, read-write if the file allows, else
        read-only (reads go on from the last good data). Waits for running reads; after the
        query time limit, interrupts them."""
        with self._write_lock:
            with self._gate:
                self._swapping = True
            try:
                waited_until = time.monotonic() + self.query_time_limit_ms / 1000
                given_up = waited_until + 5       # a reader that runs no query (it waits) holds none
                while True:
                    with self._gate:
                        busy = list(self._readers.values())
                    if not busy or time.monotonic() > given_up:
                        break
                    if time.monotonic() > waited_until:
                        for cur in busy:
                            with contextlib.suppress(Exception):
                                cur.interrupt()
                    time.sleep(0.005)
                if self._current_file_id() is None:
                    # nothing to open again: the folder or the file is gone. The old
                    # connection keeps serving reads (the last good data); no more writes.
                    self.writable = False
                    return
                old, self.con = self.con, None
                if old is not None:
                    with contextlib.suppress(Exception):
                        old.close()
                try:
                    self.con, self.writable = self._connect(False), True
                except duckdb.Error as exc:
                    log.warning("reopening read-write failed (%s); opening read-only", exc)
                    if self.fault is None:
                        self.fault = Fault(fault_reason(exc), clock.now())
                    try:
                        self.con, self.writable = self._connect(True), False
                    except duckdb.Error as exc2:
                        log.error("reopening the database failed: %s", exc2)
                        self.con = None
                        return
                self._file_id = self._current_file_id()
            finally:
                with self._gate:
                    self._swapping = False

    def probe(self) -> Fault | None:
        """While degraded, try a tiny write (at most once a second); the fault that stands."""
        if self.fault is None or self.read_only:
            return self.fault
        with contextlib.suppress(StoreError, duckdb.Error), self.write(bump=False) as cur:
            self.set_meta(cur, "write_probe", clock.now().isoformat(timespec="seconds"))
        return self.fault

    def status(self) -> dict[str, Any]:
        """What ``/healthz`` and the desk's banner say about writing."""
        fault = self.fault
        return {"writable": fault is None and self.writable and not self.read_only,
                "reason": fault.reason if fault else (f"{self.path}: opened read-only" if self.read_only else None),
                "since": fault.since.isoformat(timespec="seconds") if fault else None}

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

    def checkpoint(self, attempts: int = 20) -> None:
        """Write the WAL into the database file. Another transaction that wrote and has not
        ended makes DuckDB refuse ("other write transactions active"): try again shortly.
        A failed CHECKPOINT of another kind reopens the database (as a failed COMMIT)."""
        with self._write_lock:
            self._ready_to_write()
            if self._checkpoints_held:
                return                  # a backup copies the file: its state must not change
            for attempt in range(attempts):
                try:
                    self.execute_write(self.con, "store/checkpoint")
                    self.checkpoints += 1
                    return
                except duckdb.Error as exc:
                    if "other write transactions" in str(exc) and attempt + 1 < attempts:
                        time.sleep(0.05)
                        continue
                    if "other write transactions" in str(exc):
                        raise StoreError("cannot checkpoint now: other write transactions are active; "
                                         "try again") from exc
                    self._fail(exc, always_reopen=True)
                    raise

    @contextmanager
    def checkpoints_held(self) -> Iterator[float]:
        """CHECKPOINT now (writes wait for it alone), then hold every checkpoint off, ours
        and DuckDB's automatic one, until the block ends: the database file keeps its
        checkpointed state unchanged (writes go to the WAL) while a backup copies it.
        Yields how long writes waited."""
        asked = time.monotonic()
        with self._write_lock:
            self.checkpoint()
            paused_s = time.monotonic() - asked
            self._checkpoints_held += 1
            self.execute_write(self.con, "store/hold_checkpoints")
        try:
            yield paused_s
        finally:
            with self._write_lock:
                self._checkpoints_held -= 1
                if not self._checkpoints_held and self.con is not None:
                    with contextlib.suppress(duckdb.Error):
                        self.execute_write(self.con, "store/release_checkpoints")

    def wal_bytes(self) -> int:
        try:
            return os.path.getsize(f"{self.path}.wal")
        except OSError:
            return 0

    def close(self) -> None:
        self._group.stop()
        self._watchdog.stop()
        if self.con is not None:
            self.con.close()
