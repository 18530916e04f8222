"""The store's two threads: the writer that runs queued writes in shared transactions
(group commit), and the watchdog that interrupts queries past their time limit."""
from __future__ import annotations

import contextlib
import queue
import threading
import time
from typing import Any


class Refusal(Exception):
    """A write declined before it wrote anything (bad input, an illegal action): it leaves
    the shared transaction of a group commit intact for the other writes in it."""


class Watchdog:
    """Interrupts queries that run past their time limit: one thread for the store, rather
    than a timer thread per query (starting a thread costs milliseconds on a busy machine)."""

    TICK_S = 0.05

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watched: dict[int, tuple[float, Any]] = {}
        self._next = 0
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()

    def watch(self, cursor, limit_s: float) -> int:
        with self._lock:
            self._next += 1
            self._watched[self._next] = (time.monotonic() + limit_s, cursor)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="township-watchdog", daemon=True)
                self._thread.start()
            return self._next

    def forget(self, token: int) -> None:
        with self._lock:
            self._watched.pop(token, None)

    def stop(self) -> None:
        self._stopped.set()

    def _run(self) -> None:
        # time.sleep, not Event.wait(timeout): libfaketime 0.9.10, which CI runs the suite
        # under, never returns from a timed wait on a condition variable.
        while not self._stopped.is_set():
            time.sleep(self.TICK_S)
            now = time.monotonic()
            with self._lock:
                late = [token for token, (deadline, _) in self._watched.items() if deadline <= now]
                for token in late:
                    _, cursor = self._watched.pop(token)
                    with contextlib.suppress(Exception):   # the query may have ended meanwhile
                        cursor.interrupt()


class _NothingWritten(Exception):
    """A batch of refusals only: roll back rather than commit an unchanged database."""


class _Pending:
    __slots__ = ("fn", "done", "result", "error")

    def __init__(self, fn):
        self.fn = fn
        self.done = threading.Event()
        self.result = None
        self.error: BaseException | None = None


class GroupCommit:
    """One writer thread that runs queued write functions in shared transactions."""

    MAX_BATCH = 64

    def __init__(self, store: Any) -> None:      # the queries.store.Store it writes for
        self.store = store
        self._queue: "queue.SimpleQueue[_Pending | None]" = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def submit(self, fn):
        pending = _Pending(fn)
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="township-writer", daemon=True)
                self._thread.start()
        self._queue.put(pending)
        pending.done.wait()
        if pending.error is not None:
            raise pending.error
        return pending.result

    def stop(self) -> None:
        with self._start_lock:
            if self._thread is not None and self._thread.is_alive():
                self._queue.put(None)
                self._thread.join(timeout=30)
            self._thread = None

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)
                    break
                batch.append(item)
            self._commit(batch)

    def _commit(self, batch: list[_Pending]) -> None:
        store = self.store
        try:
            with store.write() as cur:
                for item in batch:
                    try:
                        item.result = item.fn(cur)
                    except Refusal as exc:
                        item.error = exc
                if all(item.error is not None for item in batch):
                    raise _NothingWritten
        except _NothingWritten:
            pass                   # only refusals: rolled back, the data version stays
        except BaseException as exc:  # noqa: BLE001 — isolate: each alone, in its own transaction
            if len(batch) == 1 or getattr(store, "fault", None) is not None:
                # one write, or a fault of the file (a full disk): alone, each would fail the same way
                for item in batch:
                    item.error, item.result = exc, None
            else:
                for item in batch:
                    item.error = item.result = None
                    self._commit([item])
                return
        for item in batch:
            item.done.set()


class Maintenance:
    """The server's housekeeping thread, once a second: while the store is degraded, look
    whether the fault cleared (``store.probe``); else checkpoint when the WAL has grown past
    ``wal_limit_bytes`` or has waited ``interval_s`` since the last checkpoint. DuckDB keeps
    what the WAL holds in memory too (about 165 KB a write), so without checkpoints the
    server's memory grows with every write until it restarts."""

    TICK_S = 1.0

    def __init__(self, store: Any, wal_limit_bytes: int, interval_s: float) -> None:
        self.store = store
        self.wal_limit_bytes = wal_limit_bytes
        self.interval_s = interval_s
        self._stopped = threading.Event()
        self._last_checkpoint = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="township-maintenance", daemon=True)

    def start(self) -> "Maintenance":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()

    def _run(self) -> None:
        while not self._stopped.is_set():
            time.sleep(self.TICK_S)   # not Event.wait(timeout): see Watchdog._run
            if self._stopped.is_set():
                return
            with contextlib.suppress(Exception):   # a failed round is tried again the next second
                self.tick()

    def tick(self) -> None:
        store = self.store
        if store.fault is not None:
            store.probe()
            return
        wal = store.wal_bytes()
        due = time.monotonic() - self._last_checkpoint >= self.interval_s
        if wal >= self.wal_limit_bytes or (wal and due):
            try:
                store.checkpoint(attempts=1)
            finally:
                self._last_checkpoint = time.monotonic()
