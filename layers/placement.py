"""Placing points in the township's grid as the store holds it: point → (cell, village)."""
from __future__ import annotations

import threading
import time

import geopandas as gpd
import numpy as np

from layers.assign import CellIndex
from layers.geojson import geometries_from_wkb
from queries.store import Store


class GridLocator:
    """The store's cells with a fast point index; ``locate`` answers area ids."""

    def __init__(self, cells: gpd.GeoDataFrame) -> None:
        self.cells = cells.reset_index(drop=True)
        self._cell_ids = self.cells["area_id"].to_numpy(dtype=np.int64)
        self._village_ids = self.cells["village_id"].to_numpy(dtype=np.int64)
        self._index = CellIndex(self.cells) if len(self.cells) else None

    @classmethod
    def from_store(cls, store: Store) -> "GridLocator":
        frame = store.cells_with_geometry()
        geometry = geometries_from_wkb(frame["geom"].tolist())
        return cls(gpd.GeoDataFrame(frame.drop(columns="geom"), geometry=geometry.values, crs="EPSG:4326"))

    def locate(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """Cell and village area ids for each point; -1 where a point lies in no cell."""
        lon = np.atleast_1d(np.asarray(lon, dtype=np.float64))
        lat = np.atleast_1d(np.asarray(lat, dtype=np.float64))
        if self._index is None:
            none = np.full(len(lon), -1, dtype=np.int64)
            return none, none.copy()
        pos = self._index.assign(lon, lat)
        inside = pos >= 0
        cell = np.where(inside, self._cell_ids[np.maximum(pos, 0)], -1)
        village = np.where(inside, self._village_ids[np.maximum(pos, 0)], -1)
        return cell, village

    def place(self, lon: float, lat: float) -> tuple[int, int, str, str | None] | None:
        """(cell id, village id, cell code, village name) of one point, or None outside."""
        if self._index is None:
            return None
        pos = int(self._index.assign(np.array([lon], dtype=np.float64), np.array([lat], dtype=np.float64))[0])
        if pos < 0:
            return None
        row = self.cells.iloc[pos]
        name = row["village_name"] if "village_name" in row and isinstance(row["village_name"], str) else None
        return int(row["area_id"]), int(row["village_id"]), str(row["code"]), name


class LocatorCache:
    """One locator per grid: rebuilt when the grid in the store changes (an import). The
    grid is looked at again at most every ``recheck_s``, not on every intake request."""

    def __init__(self, store: Store, recheck_s: float = 1.0) -> None:
        self.store = store
        self.recheck_s = recheck_s
        self._lock = threading.Lock()
        self._fingerprint: str | None = None
        self._locator: GridLocator | None = None
        self._checked_at = float("-inf")

    def place(self, lon: float, lat: float) -> tuple[int, int, str, str | None] | None:
        """``GridLocator.place`` on the store's current grid."""
        return self.get().place(lon, lat)

    def get(self) -> GridLocator:
        now = time.monotonic()
        if self._locator is not None and now - self._checked_at < self.recheck_s:
            return self._locator
        fingerprint = self.store.grid_fingerprint()
        self._checked_at = now
        with self._lock:
            if self._locator is None or fingerprint != self._fingerprint:
                self._locator = GridLocator.from_store(self.store)
                self._fingerprint = fingerprint
            return self._locator
