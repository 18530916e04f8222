"""Which grid cells are neighbours (queen contiguity: sharing an edge or a corner).

The hot-spot statistic (Getis-Ord Gi*) weighs each cell's count with its neighbours';
this is its spatial weights list.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely


def cell_adjacency(cells: gpd.GeoDataFrame) -> pd.DataFrame:
    """Pairs of row positions (a, b) of cells that share an edge or a corner, both directions.

    Tested with `intersects`, not `touches`: a grid whose neighbours overlap by a float
    hair (as digitised grids do) would lose those pairs under `touches`.
    """
    if cells.crs is None:
        raise ValueError("cells have no CRS; set it explicitly")
    geometries = np.asarray(cells.geometry.values, dtype=object)
    tree = shapely.STRtree(geometries)
    a, b = tree.query(geometries, predicate="intersects")
    distinct = a != b
    a, b = a[distinct], b[distinct]
    order = np.lexsort((b, a))
    return pd.DataFrame({"a": a[order].astype(np.int64), "b": b[order].astype(np.int64)})
