"""Intake channels: the systems allowed to post matters through Open311 (a 12345 bridge,
a WeChat mini-program). A channel's key is shown once when made; only its hash is kept."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any

from queries.store import Store, StoreError
from queries import clock

SOURCES = ("transfer", "inspection", "grid", "public")


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def add_channel(store: Store, *, name: str, source: str = "public") -> dict[str, Any]:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValueError("a channel needs a name of 1 to 100 characters")
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}")
    key = secrets.token_urlsafe(24)
    with store.write() as cur:
        if cur.execute("SELECT 1 FROM intake_channels WHERE name = ?", [name]).fetchone():
            raise StoreError(f"a channel named {name!r} exists already")
        next_id = cur.execute("SELECT coalesce(max(channel_id), 0) + 1 FROM intake_channels").fetchone()[0]
        cur.execute("INSERT INTO intake_channels VALUES (?, ?, ?, ?, ?, NULL)",
                    [next_id, name, source, _hash(key), clock.now()])
    return {"name": name, "source": source, "api_key": key}


def revoke_channel(store: Store, *, name: str) -> dict[str, Any]:
    with store.write() as cur:
        found = cur.execute("SELECT channel_id FROM intake_channels WHERE name = ? AND revoked_at IS NULL",
                            [name]).fetchone()
        if not found:
            raise StoreError(f"no active channel named {name!r}")
        cur.execute("UPDATE intake_channels SET revoked_at = ? WHERE channel_id = ?",
                    [clock.now(), found[0]])
    return {"name": name, "revoked": True}


def list_channels(store: Store) -> list[dict[str, Any]]:
    frame = store.frame("SELECT name, source, created_at, revoked_at FROM intake_channels ORDER BY channel_id")
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def channel_for_key(store: Store, key: str | None) -> dict[str, Any] | None:
    """The active channel a key belongs to, or None (compared in constant time)."""
    if not key or len(key) > 200:
        return None
    digest = _hash(key)
    frame = store.frame("SELECT name, source, key_hash FROM intake_channels WHERE revoked_at IS NULL")
    for row in frame.itertuples(index=False):
        if hmac.compare_digest(row.key_hash, digest):
            return {"name": row.name, "source": row.source}
    return None
