"""GCJ-02 ("Mars coordinates", 火星坐标) ↔ WGS-84.

Gaode/Tencent web maps and DataV boundary files publish GCJ-02: WGS-84 shifted by a
deliberately irregular offset of a few hundred metres inside mainland China. The
product stores WGS-84 only, so anything in GCJ-02 goes through `gcj02_to_wgs84` once,
on the way in.

The forward transform is the widely published one (Krasovsky ellipsoid constants). It
has no closed-form inverse, so `gcj02_to_wgs84` iterates a fixed point; the offset
changes slowly with position, so a few steps reach millimetres.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

# Krasovsky 1940 semi-major axis and first eccentricity squared, as used by GCJ-02.
_A = 6378245.0
_EE = 0.00669342162296594323

# The rectangle GCJ-02 applies to; outside it the published transform is the identity.
_CHINA_LON = (72.004, 137.8347)
_CHINA_LAT = (0.8293, 55.8271)

# 1e-10° is ~1 cm; the inversion normally gets there in 3–4 steps.
_INVERSE_TOLERANCE_DEG = 1e-10
_INVERSE_MAX_STEPS = 30


def _outside_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (
        (lon < _CHINA_LON[0]) | (lon > _CHINA_LON[1]) | (lat < _CHINA_LAT[0]) | (lat > _CHINA_LAT[1])
    )


def _offset_deg(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 minus WGS-84, in degrees, at a WGS-84 position (zero outside China)."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0

    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
    d_lat += common
    d_lat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    d_lat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0

    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
    d_lon += common
    d_lon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    d_lon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0

    rad_lat = np.radians(lat)
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)

    outside = _outside_china(lon, lat)
    return np.where(outside, 0.0, d_lon), np.where(outside, 0.0, d_lat)


def _as_float_arrays(lon, lat) -> tuple[np.ndarray, np.ndarray, bool]:
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    lon_arr, lat_arr = np.broadcast_arrays(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return lon_arr, lat_arr, scalar


def _shape_like_input(lon: np.ndarray, lat: np.ndarray, scalar: bool):
    if scalar:
        return float(lon), float(lat)
    return lon, lat


def wgs84_to_gcj02(lon, lat):
    """WGS-84 → GCJ-02 for scalars or arrays (degrees); unchanged outside China."""
    lon_arr, lat_arr, scalar = _as_float_arrays(lon, lat)
    d_lon, d_lat = _offset_deg(lon_arr, lat_arr)
    return _shape_like_input(lon_arr + d_lon, lat_arr + d_lat, scalar)


def gcj02_to_wgs84(lon, lat):
    """GCJ-02 → WGS-84 for scalars or arrays (degrees); unchanged outside China.

    Solves wgs + offset(wgs) = gcj by fixed-point iteration, to ~1 cm.
    """
    gcj_lon, gcj_lat, scalar = _as_float_arrays(lon, lat)
    wgs_lon = gcj_lon.copy()
    wgs_lat = gcj_lat.copy()
    for _ in range(_INVERSE_MAX_STEPS):
        d_lon, d_lat = _offset_deg(wgs_lon, wgs_lat)
        next_lon = gcj_lon - d_lon
        next_lat = gcj_lat - d_lat
        step = max(
            float(np.max(np.abs(next_lon - wgs_lon), initial=0.0)),
            float(np.max(np.abs(next_lat - wgs_lat), initial=0.0)),
        )
        wgs_lon, wgs_lat = next_lon, next_lat
        if step < _INVERSE_TOLERANCE_DEG:
            break
    # The rectangle test is on the GCJ-02 input: a point the caller gave outside China
    # is returned exactly as given, not nudged by a near-border iteration.
    outside = _outside_china(gcj_lon, gcj_lat)
    wgs_lon = np.where(outside, gcj_lon, wgs_lon)
    wgs_lat = np.where(outside, gcj_lat, wgs_lat)
    return _shape_like_input(wgs_lon, wgs_lat, scalar)


def _gcj02_coords_to_wgs84(coords: np.ndarray) -> np.ndarray:
    lon, lat = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
    return np.column_stack([lon, lat])


def gcj02_geometry_to_wgs84(geom):
    """A shapely geometry (or array of them) in GCJ-02 → the same in WGS-84."""
    return shapely.transform(geom, _gcj02_coords_to_wgs84)


def gdf_gcj02_to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A GeoDataFrame whose lon/lat are GCJ-02 → a copy in WGS-84, CRS EPSG:4326.

    GeoJSON cannot declare GCJ-02, so such files arrive labelled EPSG:4326 (or with no
    CRS); any other declared CRS means the caller has the wrong file.
    """
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        raise ValueError(f"expected GCJ-02 lon/lat labelled EPSG:4326 or no CRS, got {gdf.crs}")
    geometry = gcj02_geometry_to_wgs84(np.asarray(gdf.geometry.values, dtype=object))
    converted = gdf.copy()
    converted[gdf.geometry.name] = gpd.GeoSeries(geometry, index=gdf.index, crs="EPSG:4326")
    return converted.set_crs("EPSG:4326", allow_override=True)
