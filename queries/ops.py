"""Writing commands that must run in the database's one writer, and how a CLI finds it.

DuckDB lets one process open a file for writing. When the server runs, it is that
process; a CLI command then hands its operation to the server, which runs the same
function on its own store. Each operation takes the store and plain JSON-able arguments
and returns a JSON-able summary. The registry of operations is ``dashboard.writeops.OPS``
(operations that need geodata live above this layer).
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from queries.store import Store, StoreError


def backup(store: Store, *, to: str) -> dict[str, Any]:
    """A consistent copy of the database file, also while the server runs and writes go on.

    Writes pause only for a CHECKPOINT (the WAL written into the file). Then, with
    checkpoints held off, the file is copied while writes continue: they go to the WAL
    alone, and DuckDB changes no block of the checkpointed state until the next checkpoint,
    so the copy is the database as of that checkpoint. The copy is checked (opened, counted)
    and its checksum of the event log returned."""
    target = Path(to).expanduser().resolve()
    if target == store.path.resolve():
        raise StoreError("backup target is the database itself")
    if target.exists():
        raise StoreError(f"{target}: exists already; choose a new file name")
    if not target.parent.is_dir():
        raise StoreError(f"{target.parent}: no such folder")
    partial = target.with_name(target.name + ".partial")
    started = time.monotonic()
    with store.checkpoints_held() as paused_s:
        try:
            _copy_in_child(store.path, partial)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    copy_s = time.monotonic() - started
    try:
        summary = describe(partial)
    except StoreError:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    return {"backup": str(target), "bytes": target.stat().st_size, **summary,
            "writes_paused_s": round(paused_s, 3), "seconds": round(copy_s, 3)}


def describe(path: Path) -> dict[str, Any]:
    """Row counts and a checksum of the event log of a database file (opened read-only)."""
    copy = Store(path, read_only=True)
    try:
        counts = copy.run("store/backup_counts").iloc[0]
        return {"matters": int(counts["matters"]), "events": int(counts["events"]),
                "schema_version": copy.schema_version, "events_checksum": str(counts["events_checksum"])}
    finally:
        copy.close()


def restore(*, source: str, db_path: str, replace: bool = False) -> dict[str, Any]:
    """Bring a backup back as ``db_path``: checked first (a township database), copied
    beside the target, then moved into place in one rename. A running server's database
    (its announcement, or a lock) is never replaced; an existing file only with ``replace``."""
    src = Path(source).expanduser().resolve()
    target = Path(db_path).expanduser().resolve()
    if not src.is_file():
        raise StoreError(f"{src}: no such backup file")
    if src == target:
        raise StoreError("the backup and the database are the same file")
    if not target.parent.is_dir():
        raise StoreError(f"{target.parent}: no such folder")
    if target.exists():
        if not replace:
            raise StoreError(f"{target}: exists already; give --replace to overwrite it (stop its server first)")
        ann = read_announcement(target)
        if ann is not None and _alive(ann.pid):
            raise StoreError(f"{target}: served by a running server (pid {ann.pid}); stop it first")
        try:
            Store(target, read_only=True).close()
        except StoreError as exc:
            if "in use" in str(exc):
                raise StoreError(f"{target}: in use by another process; stop it first") from None
    summary = describe(src)
    partial = target.with_name(target.name + ".restoring")
    try:
        shutil.copyfile(src, partial)
        with open(partial, "rb+") as fh:
            os.fsync(fh.fileno())
        Path(f"{target}.wal").unlink(missing_ok=True)    # a WAL of the old file must not replay onto the copy
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return {"restored": str(target), "from": str(src), "bytes": target.stat().st_size, **summary}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _copy_in_child(source: Path, target: Path) -> None:
    """Copy the database file in a child process, and sync it. Not here: POSIX drops every
    lock a process holds on a file when it closes any descriptor of that file, so copying
    in this process would silently release DuckDB's write lock and let a second writer in.
    The WAL is not copied: the copy is the checkpointed state."""
    script = ("import os, shutil, sys\n"
              "shutil.copyfile(sys.argv[1], sys.argv[2])\n"
              "fd = os.open(sys.argv[2], os.O_RDONLY)\n"
              "os.fsync(fd)\n"
              "os.close(fd)\n")
    done = subprocess.run([sys.executable, "-c", script, str(source), str(target)], capture_output=True,
                          text=True, timeout=3600)
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        raise StoreError(f"backup failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")


# -- how the CLI finds the running writer -----------------------------------------------
@dataclass(frozen=True)
class ServerAnnouncement:
    url: str
    token: str
    pid: int


def announcement_path(db_path: str | Path) -> Path:
    return Path(str(db_path) + ".server.json")


def announce_server(db_path: str | Path, url: str) -> ServerAnnouncement:
    """Written by the server at start: where it listens and the token for its ops endpoint.
    Readable by the owner only; removed when the server stops."""
    ann = ServerAnnouncement(url=url, token=secrets.token_urlsafe(32), pid=os.getpid())
    path = announcement_path(db_path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:     # a read-only folder: served read-only, no CLI writes through it
        print(f"warning: cannot announce the server in {path} ({exc.strerror}); writing commands "
              f"cannot reach it", file=sys.stderr, flush=True)
        return ann
    with os.fdopen(fd, "w") as fh:
        json.dump(ann.__dict__, fh)
    return ann


def read_announcement(db_path: str | Path) -> ServerAnnouncement | None:
    path = announcement_path(db_path)
    try:
        data = json.loads(path.read_text())
        return ServerAnnouncement(url=data["url"], token=data["token"], pid=int(data["pid"]))
    except (OSError, ValueError, KeyError):
        return None


def withdraw_announcement(db_path: str | Path, ann: ServerAnnouncement) -> None:
    current = read_announcement(db_path)
    if current is not None and current.token == ann.token:
        with contextlib.suppress(OSError):
            announcement_path(db_path).unlink(missing_ok=True)


# -- scheduled backups and their retention ------------------------------------------------
BACKUP_NAME = "township-%Y%m%d-%H%M%S.duckdb"


def backup_name(at: datetime) -> str:
    return at.strftime(BACKUP_NAME)


def backups_to_keep(names: list[str], keep_daily: int, keep_weekly: int) -> set[str]:
    """Of the backup files ``names`` (``BACKUP_NAME``), those retention keeps: the newest of
    each of the ``keep_daily`` latest days that have one, and the newest of each of the
    ``keep_weekly`` latest ISO weeks. Names of another pattern are never touched."""
    dated = {}
    for name in names:
        try:
            dated[name] = datetime.strptime(name, BACKUP_NAME)
        except ValueError:
            continue
    newest = sorted(dated, key=dated.get, reverse=True)
    keep: set[str] = set()
    for key, limit in ((lambda d: d.date(), keep_daily), (lambda d: d.isocalendar()[:2], keep_weekly)):
        seen = []
        for name in newest:
            period = key(dated[name])
            if period in seen:
                continue
            if len(seen) >= limit:
                break
            seen.append(period)
            keep.add(name)
    return keep


def prune_backups(folder: Path, keep_daily: int, keep_weekly: int) -> list[str]:
    """Remove the backups in ``folder`` that retention does not keep; their names."""
    names = [p.name for p in folder.iterdir() if p.is_file()]
    keep = backups_to_keep(names, keep_daily, keep_weekly)
    gone = []
    for name in names:
        try:
            datetime.strptime(name, BACKUP_NAME)
        except ValueError:
            continue
        if name not in keep:
            (folder / name).unlink(missing_ok=True)
            gone.append(name)
    return sorted(gone)
