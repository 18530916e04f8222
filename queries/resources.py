"""Resources (资源, DOMAIN.md §5, §9): what the center calls on or watches, each a point in
its cell with a contact and a state. The drill-down pages and the API read them here.

Distances are measured in metres in a projected CRS, never in degrees: the UTM zone
(WGS-84) holding the point asked about, EPSG:32650 (UTM 50N) for the demo township and
Yangzhou. Within a township (a few kilometres) its scale error is below 0.05 %. A lon/lat
box a little wider than the radius narrows the rows in SQL first; the exact distance then
decides.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Sequence

import numpy as np
import pandas as pd
from pyproj import Transformer

from queries.store import Store

# Codes the store holds and the API speaks; names in ``resource_kind.*`` / ``resource_state.*``
# of ``dashboard/i18n/``.
KINDS = ("grid_worker", "emergency_team", "vehicle", "shelter", "camera", "hazard_site", "key_site")
STATES = ("available", "busy", "offline")
MAX_RADIUS_M = 50_000
_EARTH_M_PER_DEG = 111_320.0           # metres per degree of latitude (and of longitude at the equator)


def measure_crs(lon: float, lat: float) -> str:
    """The projected CRS distances around (lon, lat) are measured in: its UTM zone."""
    zone = min(60, max(1, int(math.floor((lon + 180.0) / 6.0)) + 1))
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


@lru_cache(maxsize=16)
def _to_metres(crs: str) -> Transformer:
    return Transformer.from_crs("EPSG:4326", crs, always_xy=True)


def distances_m(lon: np.ndarray, lat: np.ndarray, lon0: float, lat0: float) -> np.ndarray:
    """Metres from (lon0, lat0) to each point, in the projected CRS of (lon0, lat0)."""
    to_m = _to_metres(measure_crs(lon0, lat0))
    x, y = to_m.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    x0, y0 = to_m.transform(lon0, lat0)
    return np.hypot(np.asarray(x) - x0, np.asarray(y) - y0)


def lonlat_box(lon: float, lat: float, radius_m: float) -> dict[str, float]:
    """A lon/lat box surely holding the circle: 10 % wider than its radius."""
    dlat = radius_m * 1.1 / _EARTH_M_PER_DEG
    dlon = radius_m * 1.1 / (_EARTH_M_PER_DEG * max(math.cos(math.radians(min(abs(lat) + dlat, 89.0))), 1e-6))
    return {"min_lon": lon - dlon, "max_lon": lon + dlon, "min_lat": lat - dlat, "max_lat": lat + dlat}


def no_box() -> dict[str, None]:
    return {"min_lon": None, "max_lon": None, "min_lat": None, "max_lat": None}


def check_point(lon: float, lat: float, radius_m: float) -> None:
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError(f"({lon}, {lat}) is no WGS-84 longitude and latitude")
    if not (0 < radius_m <= MAX_RADIUS_M):
        raise ValueError(f"radius_m must lie in (0, {MAX_RADIUS_M}]")


def listed(store: Store, *, scope: Sequence[int], kinds: Sequence[str] | None = None,
           cells: Sequence[str] | None = None, near: tuple[float, float] | None = None,
           radius_m: float | None = None) -> pd.DataFrame:
    """The resources the viewer may see, of ``kinds`` and in ``cells`` (codes) when given
    (None: any). With ``near`` (lon, lat) and ``radius_m``: only those within the radius,
    with ``distance_m``, nearest first; without: by kind and name, ``distance_m`` empty."""
    kinds = list(kinds) if kinds else None
    cells = list(cells) if cells else None
    if near is None:
        frame = store.run("resources/list", scope=list(scope), kinds=kinds, cells=cells, **no_box())
        return frame.assign(distance_m=np.nan)
    lon, lat = float(near[0]), float(near[1])
    radius = float(radius_m if radius_m is not None else 1000.0)
    check_point(lon, lat, radius)
    frame = store.run("resources/list", scope=list(scope), kinds=kinds, cells=cells, **lonlat_box(lon, lat, radius))
    frame = frame.assign(distance_m=distances_m(frame["lon"].to_numpy(), frame["lat"].to_numpy(), lon, lat)
                         if len(frame) else np.array([], dtype=float))
    frame = frame[frame["distance_m"] <= radius]
    return frame.sort_values(["distance_m", "id"], kind="stable").reset_index(drop=True)


NEAR_COLUMNS = ["id", "kind", "name", "contact", "state", "lon", "lat", "cell", "distance_m"]


def near(store: Store, *, lon: float, lat: float, radius_m: float, scope: Sequence[int],
         kinds: Sequence[str] | None = None) -> pd.DataFrame:
    """Resources within ``radius_m`` metres of (lon, lat) that the viewer may see, nearest
    first: id, kind, name, contact, state, lon, lat, cell (its code), distance_m."""
    return listed(store, scope=scope, kinds=kinds, near=(lon, lat), radius_m=radius_m)[NEAR_COLUMNS]


IN_CELL_COLUMNS = ["id", "kind", "name", "contact", "state", "capacity", "note", "lon", "lat", "cell"]


def in_cell(store: Store, cell_code: str, *, scope: Sequence[int]) -> pd.DataFrame:
    """The resources in the cell ``cell_code`` that the viewer may see, by kind and name."""
    return listed(store, scope=scope, cells=[cell_code])[IN_CELL_COLUMNS]
