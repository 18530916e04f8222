"""GeoJSON for Plotly map traces, and WKB for the store.

Plotly's `Choroplethmap` takes a FeatureCollection and matches rows to features by
`featureidkey` ("id" or "properties.<id>"); `Scattermap` draws outlines from flat
coordinate lists broken by None. Geometry is simplified and rounded once here, so the
figures sent to the browser stay small.

The store keeps geometry as WKB BLOBs in EPSG:4326; `geometries_to_wkb` and
`geometries_from_wkb` are the only way in and out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

STORE_CRS = "EPSG:4326"
MEASURE_CRS = "EPSG:32650"  # UTM 50N: simplification tolerances are in metres


def _require_crs(gdf: gpd.GeoDataFrame) -> None:
    if gdf.crs is None:
        raise ValueError("GeoDataFrame has no CRS; set it explicitly (EPSG:4326 for lon/lat)")


def _json_value(value):
    # numpy scalars and pandas missing values are not JSON; the browser needs plain types.
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def to_feature_collection(
    gdf: gpd.GeoDataFrame,
    id_column: str,
    properties: Sequence[str] = (),
    simplify_m: float | None = None,
    decimals: int = 5,
) -> dict:
    """A GeoJSON FeatureCollection of `gdf` in EPSG:4326, one Feature per row.

    Each feature carries the row's `id_column` value both as the Feature `id` and as
    `properties[id_column]`, so Plotly can match on either; `properties` lists extra
    columns to copy. With `simplify_m`, shared edges are simplified once for the whole
    coverage (in metres, in EPSG:32650), so neighbouring cells still meet without gaps
    and no cell disappears. Coordinates are rounded to `decimals` (5 ≈ 1 m).
    """
    _require_crs(gdf)
    if not gdf[id_column].is_unique:
        raise ValueError(f"{id_column!r} must be unique to identify features")
    geometry = gdf.geometry
    if simplify_m is not None and simplify_m > 0:
        geometry = geometry.to_crs(MEASURE_CRS).simplify_coverage(simplify_m)
    geometry = geometry.to_crs(STORE_CRS)
    rounded = shapely.transform(np.asarray(geometry.values, dtype=object), lambda xy: np.round(xy, decimals))
    rounded = shapely.remove_repeated_points(rounded)
    geometries_json = shapely.to_geojson(rounded)

    columns = [id_column, *[c for c in properties if c != id_column]]
    records = gdf[columns].to_dict(orient="records")
    features = []
    for record, geometry_json in zip(records, geometries_json):
        props = {key: _json_value(value) for key, value in record.items()}
        features.append(
            {
                "type": "Feature",
                "id": props[id_column],
                "properties": props,
                "geometry": json.loads(geometry_json) if geometry_json is not None else None,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def outline_lines(gdf: gpd.GeoDataFrame) -> tuple[list, list]:
    """Every ring of every polygon as (lons, lats) lists, rings separated by None.

    The shape a `Scattermap(mode="lines")` trace wants: one trace draws all outlines.
    """
    _require_crs(gdf)
    geometries = np.asarray(gdf.geometry.to_crs(STORE_CRS).values, dtype=object)
    lines = shapely.get_parts(shapely.boundary(geometries[~shapely.is_empty(geometries)]))
    lons: list = []
    lats: list = []
    for line in lines:
        xy = shapely.get_coordinates(line)
        lons.extend(xy[:, 0].tolist())
        lats.extend(xy[:, 1].tolist())
        lons.append(None)
        lats.append(None)
    return lons, lats


def geometries_to_wkb(gdf: gpd.GeoDataFrame) -> list[bytes]:
    """The geometries of `gdf` as WKB in EPSG:4326, as the store keeps them."""
    _require_crs(gdf)
    geometries = gdf.geometry.to_crs(STORE_CRS).values
    return [bytes(b) if b is not None else None for b in shapely.to_wkb(np.asarray(geometries, dtype=object))]


def geometries_from_wkb(blobs: Iterable[bytes | None]) -> gpd.GeoSeries:
    """Geometries read back from the store's WKB BLOBs, as a GeoSeries in EPSG:4326."""
    blobs = [bytes(b) if b is not None else None for b in blobs]
    return gpd.GeoSeries(shapely.from_wkb(np.asarray(blobs, dtype=object)), crs=STORE_CRS)
