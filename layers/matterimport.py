"""The ``import_matters`` operation: a matter history from CSV, CSV.gz or Excel.

Reading, checking and writing happen in ``queries.imports``; this layer adds what needs
geodata: the cell each matter's point falls in (``CellIndex`` over the store's grid, built
inside the import's transaction), and GCJ-02 → WGS-84 for exports that use it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from layers.gcj02 import gcj02_to_wgs84
from layers.geojson import geometries_from_wkb
from layers.gridimport import cell_index
from queries.imports import load as import_load
from queries.imports.mapping import load_mapping
from queries.store import Store


def cell_locator(cells: pd.DataFrame) -> import_load.Locate:
    """``locate(lon, lat) -> (cell_id, village_id)`` over the store's cells (-1: none)."""
    import geopandas as gpd

    geometry = geometries_from_wkb(cells["geom"].tolist())
    gdf = gpd.GeoDataFrame({"cell_id": cells["cell_id"].to_numpy()}, geometry=geometry.values, crs=geometry.crs)
    index = cell_index(gdf)
    cell_ids = cells["cell_id"].to_numpy(dtype=np.int64)
    village_ids = cells["village_id"].fillna(-1).to_numpy(dtype=np.int64)

    def locate(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        position = index.assign(lon, lat)
        inside = position >= 0
        at = np.maximum(position, 0)
        return np.where(inside, cell_ids[at], -1), np.where(inside, village_ids[at], -1)

    return locate


def _gcj02_points_to_wgs84(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return gcj02_to_wgs84(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))


def import_matters(store: Store, *, path: str, mapping: str | dict[str, Any],
                   rejects: str | None = None, progress: import_load.Progress | None = None) -> dict[str, Any]:
    """Import the matters of ``path`` as ``mapping`` (a TOML file's path, or its content as
    a dict) says; rejected rows go to ``rejects`` (default ``<path>.rejects.csv``)."""
    parsed = load_mapping(mapping if isinstance(mapping, dict) else Path(mapping).expanduser())
    return import_load.import_matters(store, Path(path).expanduser(), parsed, locate_factory=cell_locator,
                                  to_wgs84=_gcj02_points_to_wgs84,
                                  rejects_path=Path(rejects).expanduser() if rejects else None,
                                  progress=progress)
