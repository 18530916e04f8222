"""Areas with their counts as one GeoJSON FeatureCollection (EPSG:4326), for download: grid
cells (网格) with their own polygons, villages (村/社区) with their stored outline or, where
none is stored, the union of their cells."""
from __future__ import annotations

from typing import Sequence

import geopandas as gpd
import pandas as pd

from layers.geojson import to_feature_collection


def village_shapes(villages: gpd.GeoDataFrame, cells: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``area_id`` and geometry of each village: its stored outline, else its cells' union.
    ``villages`` has ``area_id``; ``cells`` has ``village_id``; both in one CRS."""
    if villages.crs != cells.crs and len(villages) and len(cells):
        raise ValueError(f"CRS differ: villages {villages.crs}, cells {cells.crs}")
    stored = villages[["area_id", "geometry"]][villages.geometry.notna() & ~villages.geometry.is_empty]
    missing = cells[~cells["village_id"].isin(stored["area_id"])]
    dissolved = (missing[["village_id", "geometry"]].dissolve(by="village_id").reset_index()
                 .rename(columns={"village_id": "area_id"})[["area_id", "geometry"]])
    crs = cells.crs or villages.crs
    return gpd.GeoDataFrame(pd.concat([stored, dissolved], ignore_index=True), geometry="geometry", crs=crs)


def areas_with_counts(shapes: gpd.GeoDataFrame, counts: pd.DataFrame, count_columns: Sequence[str],
                      properties: Sequence[str] = ("code", "name")) -> dict:
    """One feature per row of ``counts`` (keyed ``area_id``) that has a shape, its
    properties the area's ``properties`` and its counts; geometry rounded to ~1 m."""
    joined = shapes[["area_id", "geometry"]].merge(counts, on="area_id", how="inner")
    joined = gpd.GeoDataFrame(joined, geometry="geometry", crs=shapes.crs)
    joined = joined[joined.geometry.notna()].reset_index(drop=True)
    for column in count_columns:
        joined[column] = joined[column].astype(int)
    return to_feature_collection(joined, "area_id", properties=(*properties, *count_columns))
