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
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from queries.store import Store, StoreError


def backup(store: Store, *, to: str) -> dict[str, Any]:
    """A consistent copy of the database file: checkpoint, then copy while no write runs."""
    target = Path(to).expanduser().resolve()
    if target == store.path.resolve():
        raise StoreError("backup target is the database itself")
    if target.exists():
        raise StoreError(f"{target}: exists already; choose a new file name")
    if not target.parent.is_dir():
        raise StoreError(f"{target.parent}: no such folder")
    with store._write_lock:
        store.checkpoint()
        _copy_in_child(store.path, target)
    copy = Store(target, read_only=True)
    try:
        matters = copy.scalar("SELECT count(*) FROM matters")
        version = copy.schema_version
    finally:
        copy.close()
    return {"backup": str(target), "bytes": target.stat().st_size, "matters": matters,
            "schema_version": version}


def _copy_in_child(source: Path, target: Path) -> None:
    """Copy the database (and its WAL, should a reader have delayed the checkpoint) in a
    child process. Not here: POSIX drops every lock a process holds on a file when it
    closes any descriptor of that file, so copying in this process would silently release
    DuckDB's write lock and let a second writer in."""
    script = ("import shutil, sys, os\n"
              "shutil.copyfile(sys.argv[1], sys.argv[2])\n"
              "wal = sys.argv[1] + '.wal'\n"
              "if os.path.exists(wal) and os.path.getsize(wal):\n"
              "    shutil.copyfile(wal, sys.argv[2] + '.wal')\n")
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
