"""Possible duplicates (重复件): matters of the same 小类 within ``radius_m`` metres and
``days`` days of each other (settings ``duplicate_radius_m``, ``duplicate_window_days``).
Merging one as a duplicate is the lifecycle action ``merge`` (``queries.lifecycle``).

Distances are metres in a projected CRS (``queries.resources.distances_m``); a matter
without coordinates is compared with those in its own cell (distance unknown).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from queries.resources import distances_m, lonlat_box, no_box
from queries.store import Store

COLUMNS = ["id", "status", "category", "category_name", "created_at", "description", "address", "lon", "lat",
           "cell", "village", "lead_department", "duplicate_of", "hours_apart", "distance_m"]


def related(store: Store, matter_id: int, *, scope: Sequence[int], radius_m: float, days: int,
            handled_by: int | None = None) -> pd.DataFrame | None:
    """The possible duplicates of ``matter_id`` the viewer may see, nearest in time first,
    with ``distance_m`` (NaN for a matter without coordinates); None when the viewer may
    not see the matter (or there is none). ``handled_by``: a department user's department,
    which sees its own matters only."""
    here = store.run("duplicates/point", scope=list(scope), handled_by=handled_by, matter_id=int(matter_id))
    if here.empty:
        return None
    lon, lat = here["lon"].iloc[0], here["lat"].iloc[0]
    placed = pd.notna(lon) and pd.notna(lat)
    box = lonlat_box(float(lon), float(lat), radius_m) if placed else no_box()
    found = store.run("duplicates/related", scope=list(scope), handled_by=handled_by, matter_id=int(matter_id),
                      days=int(days), **box)
    if placed and len(found):
        found = found.assign(distance_m=distances_m(found["lon"].to_numpy(dtype=float),
                                                    found["lat"].to_numpy(dtype=float), float(lon), float(lat)))
        found = found[found["distance_m"] <= radius_m]
    else:
        found = found.assign(distance_m=np.nan)
    return found[COLUMNS].reset_index(drop=True)
