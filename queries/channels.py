"""Intake channels: the systems allowed to post matters through Open311 (a 12345 bridge,
a WeChat mini-program). A channel's key is shown once when made; only its hash is kept."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from queries import clock
from queries.store import Store, StoreError
from queries.vocabulary import SOURCES


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
        found = store.select_in(cur, "channels/find", name=name)[0]
        if found["channel_id"] is not None:
            raise StoreError(f"a channel named {name!r} exists already")
        store.execute_write(cur, "channels/add", channel_id=found["next_id"], name=name, source=source,
                            key_hash=_hash(key), now=clock.now())
    return {"name": name, "source": source, "api_key": key}


def revoke_channel(store: Store, *, name: str) -> dict[str, Any]:
    with store.write() as cur:
        found = store.select_in(cur, "channels/find", name=name)[0]
        if found["channel_id"] is None or found["revoked_at"] is not None:
            raise StoreError(f"no active channel named {name!r}")
        store.execute_write(cur, "channels/revoke", channel_id=found["channel_id"], now=clock.now())
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
