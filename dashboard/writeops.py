"""The operations that write the database, by name: run here by the CLI when no server
holds the file, or by the running server when a CLI hands one over (``dashboard.server``).
Each takes the store and JSON-able keyword arguments and returns a JSON-able summary."""
from __future__ import annotations

from typing import Any, Callable

from queries import channels, ops

OPS: dict[str, Callable[..., dict[str, Any]]] = {
    "backup": ops.backup,
    "channel_add": channels.add_channel,
    "channel_revoke": channels.revoke_channel,
}
