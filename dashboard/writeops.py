"""The operations that write the database, by name: run here by the CLI when no server
holds the file, or by the running server when a CLI hands one over (``dashboard.server``).
Each takes the store and JSON-able keyword arguments and returns a JSON-able summary."""
from __future__ import annotations

from typing import Any, Callable

from queries import calendar_ops, channels, ops, report


# The imports need geodata (geopandas, GDAL): loaded when one runs, not with every command.
def import_grid(store, **kwargs: Any) -> dict[str, Any]:
    from layers.gridimport import import_grid as run

    return run(store, **kwargs)


def import_matters(store, **kwargs: Any) -> dict[str, Any]:
    from layers.matterimport import import_matters as run

    return run(store, **kwargs)


OPS: dict[str, Callable[..., dict[str, Any]]] = {
    "backup": ops.backup,
    "channel_add": channels.add_channel,
    "channel_revoke": channels.revoke_channel,
    "calendar_load": calendar_ops.load_schedule,
    "calendar_hours": calendar_ops.change_office_hours,
    # issue 4: imports (file paths and options as JSON-able arguments)
    "import_grid": import_grid,
    "import_matters": import_matters,
    # read-only, listed so that `report` reaches a server holding the file
    "report": report.report,
}
