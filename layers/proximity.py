"""Distances from points to an area (a grid cell), in metres in a projected CRS: the UTM
zone of the area's centroid (``queries.resources.measure_crs``), never degrees."""
from __future__ import annotations

import geopandas as gpd
import numpy as np

from queries.resources import measure_crs


def area_reach(area: gpd.GeoSeries, metres: float) -> tuple[float, float, float]:
    """(lon, lat, radius_m) of a circle around the area's centroid holding every point
    within ``metres`` of the area: the farthest corner of the area plus ``metres``."""
    centre = area.union_all().centroid
    crs = measure_crs(centre.x, centre.y)
    projected = area.to_crs(crs)
    c = gpd.GeoSeries([centre], crs=area.crs).to_crs(crs).iloc[0]
    hull = projected.union_all().convex_hull
    corners = np.asarray(hull.exterior.coords) if hasattr(hull, "exterior") else np.asarray(hull.coords)
    farthest = float(np.hypot(corners[:, 0] - c.x, corners[:, 1] - c.y).max()) if len(corners) else 0.0
    return float(centre.x), float(centre.y), farthest + float(metres)


def distances_to_area_m(lon: np.ndarray, lat: np.ndarray, area: gpd.GeoSeries) -> np.ndarray:
    """Metres from each (lon, lat) to the area (0 inside it)."""
    if area.crs is None:
        raise ValueError("the area carries no CRS")
    centre = area.union_all().centroid
    crs = measure_crs(centre.x, centre.y)
    shape = area.to_crs(crs).union_all()
    points = gpd.GeoSeries(gpd.points_from_xy(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)),
                           crs="EPSG:4326").to_crs(crs)
    return points.distance(shape).to_numpy(dtype=float)
