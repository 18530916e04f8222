"""Storing the grid's cell adjacency (the spatial weights of the Gi* hot-spot statistic).

Computed once from the geometry wherever a grid is written (the demo generator, the grid
import) and kept in the ``cell_adjacency`` table, so that queries never touch geometry.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.adjacency import cell_adjacency
from layers.geojson import geometries_from_wkb
from queries.store import Store


def adjacency_pairs(cells: gpd.GeoDataFrame, id_column: str = "area_id") -> pd.DataFrame:
    """(cell_id, neighbor_id) pairs, both directions, by the cells' ids in ``id_column``."""
    if id_column not in cells.columns:
        raise ValueError(f"cells need their area ids in a column {id_column!r}")
    pairs = cell_adjacency(cells)
    ids = cells[id_column].to_numpy().astype(np.int64)
    return pd.DataFrame({"cell_id": ids[pairs["a"].to_numpy()], "neighbor_id": ids[pairs["b"].to_numpy()]})


def store_cell_adjacency(store: Store, cur, cells: gpd.GeoDataFrame, id_column: str = "area_id") -> int:
    """Replace the stored adjacency with that of ``cells`` (every cell of the grid, with its
    area id), inside the caller's write transaction ``cur``. Returns the number of pairs."""
    pairs = adjacency_pairs(cells, id_column)
    store.execute_write(cur, "adjacency/replace_cell_adjacency",
                        cell_ids=pairs["cell_id"].astype(int).tolist(),
                        neighbor_ids=pairs["neighbor_id"].astype(int).tolist())
    return len(pairs)


def backfill_cell_adjacency(store: Store) -> int:
    """For a database whose grid was written before the adjacency table existed: compute it
    from the stored cell geometry when the table is empty. Returns the pairs written (0 when
    there was nothing to do)."""
    if int(store.run("reference/adjacency_count").iloc[0]["pairs"]):
        return 0
    cells = store.run("reference/cell_geometry")
    if cells.empty:
        return 0
    frame = gpd.GeoDataFrame({"area_id": cells["area_id"]},
                             geometry=geometries_from_wkb(cells["geom"]).values, crs="EPSG:4326")
    with store.write() as cur:
        return store_cell_adjacency(store, cur, frame)
