"""An emergency's affected area: a buffer of R metres around points, or a polygon drawn on
the map or uploaded as GeoJSON; and what lies inside it.

Buffers are drawn in a projected CRS (UTM 50N, EPSG:32650, metres over Yangzhou), never in
degrees; the area is kept in WGS-84 (EPSG:4326) as GeoJSON, with its bounding box for the
stores' box queries.
"""
from __future__ import annotations

import json
from typing import Any, Iterable

import geopandas as gpd
import numpy as np
import plotly.graph_objects as go
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

from layers.geojson import outline_lines
from layers.maptraces import fit_center_zoom, map_layout
from queries.writepath import FieldErrors, echo

DRAW_CRS = "EPSG:4326"
MEASURE_CRS = "EPSG:32650"        # UTM 50N: metres over Yangzhou
MAX_RADIUS_M = 20_000
MAX_POINTS = 200
MAX_VERTICES = 5_000
MIN_AREA_M2 = 1.0              # a drawn polygon smaller than this is a slip of the hand


def _bad(problem: str, value: Any = None, name: str = "area") -> FieldErrors:
    return FieldErrors([{"field": name, "problem": problem, "value": echo(value)}])


def buffer_points(points: Iterable[tuple[float, float]], radius_m: float):
    """The union of discs of ``radius_m`` metres around WGS-84 points, in WGS-84."""
    pts = gpd.GeoSeries(gpd.points_from_xy(*zip(*points)), crs=DRAW_CRS).to_crs(MEASURE_CRS)
    return gpd.GeoSeries([pts.buffer(radius_m, quad_segs=24).union_all()], crs=MEASURE_CRS).to_crs(DRAW_CRS).iloc[0]


def area_size_m2(geometry) -> float:
    return float(gpd.GeoSeries([geometry], crs=DRAW_CRS).to_crs(MEASURE_CRS).area.iloc[0])


def _point(value: Any) -> tuple[float, float]:
    if (not isinstance(value, (list, tuple)) or len(value) != 2
            or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in value)
            or not (-180 <= value[0] <= 180 and -90 <= value[1] <= 90)):
        raise _bad("each point is [lon, lat] in degrees (WGS-84)", value, "area.points")
    return float(value[0]), float(value[1])


def _polygonal(geojson: Any):
    """A Polygon or MultiPolygon from a GeoJSON geometry, Feature or FeatureCollection."""
    if isinstance(geojson, str):
        try:
            geojson = json.loads(geojson)
        except ValueError:
            raise _bad("not GeoJSON text", geojson) from None
    if not isinstance(geojson, dict):
        raise _bad("a GeoJSON object", geojson)
    kind = geojson.get("type")
    if kind == "FeatureCollection":
        features = geojson.get("features")
        if not isinstance(features, list) or not features:
            raise _bad("a FeatureCollection with features", kind)
        parts = [_polygonal(f) for f in features]
        geometry = shapely.union_all(parts)
    elif kind == "Feature":
        geometry = _polygonal(geojson.get("geometry"))
    elif kind in ("Polygon", "MultiPolygon"):
        try:
            geometry = shape(geojson)
        except Exception:  # noqa: BLE001 — shapely raises several kinds on malformed coordinates
            raise _bad("malformed polygon coordinates", kind) from None
    else:
        raise _bad("a Polygon or MultiPolygon (geometry, Feature or FeatureCollection)", kind)
    if not isinstance(geometry, (Polygon, MultiPolygon)) or geometry.is_empty:
        raise _bad("the area must be a polygon", kind)
    if shapely.get_num_coordinates(geometry) > MAX_VERTICES:
        raise _bad(f"more than {MAX_VERTICES} vertices", kind)
    lon0, lat0, lon1, lat1 = geometry.bounds
    if lon0 < -180 or lon1 > 180 or lat0 < -90 or lat1 > 90:
        raise _bad("coordinates must be WGS-84 longitude and latitude in degrees", kind)
    if not geometry.is_valid:
        geometry = _polygons_of(shapely.make_valid(geometry))
    if geometry is None or _degenerate(geometry):
        raise _bad(f"the polygon encloses no area (under {MIN_AREA_M2:g} m²): its points lie on a line "
                   "or on one spot", kind)
    return geometry


def _degenerate(geometry) -> bool:
    """No real extent: under MIN_AREA_M2, or a ring folded onto a line: its area next to
    nothing against its perimeter squared (a 1 m × 1 km strip still has 2.5e-4). The shape
    test is on the drawn coordinates: projected, a line straight in degrees bends a little
    and encloses a sliver."""
    if geometry.area <= 1e-9 * geometry.length ** 2:
        return True
    return area_size_m2(geometry) < MIN_AREA_M2


def _polygons_of(geometry):
    """The polygonal part of what ``make_valid`` gives (lines of a collapsed ring dropped)."""
    if isinstance(geometry, (Polygon, MultiPolygon)):
        return None if geometry.is_empty else geometry
    parts = [g for g in getattr(geometry, "geoms", []) if isinstance(g, (Polygon, MultiPolygon)) and not g.is_empty]
    return shapely.union_all(parts) if parts else None


def build_area(spec: Any, *, default_point: tuple[float, float] | None = None,
               default_radius_m: float = 500.0) -> dict[str, Any]:
    """The area fields of an emergency from a request's ``area``: ``{"points": [[lon, lat],
    …], "radius_m": R}``, ``{"polygon": geometry}`` (drawn on the map) or ``{"geojson": …}``
    (an uploaded file). Without one, a buffer of ``default_radius_m`` around ``default_point``
    (the matter it is declared from). Raises FieldErrors."""
    if spec is None:
        if default_point is None:
            raise _bad("required: points with radius_m, a polygon or geojson", None)
        spec = {"points": [list(default_point)], "radius_m": default_radius_m}
    if not isinstance(spec, dict):
        raise _bad("an object with points and radius_m, a polygon or geojson", spec)
    given = [k for k in ("points", "polygon", "geojson") if k in spec]
    if len(given) != 1 or set(spec) - {"points", "radius_m", "polygon", "geojson"}:
        raise _bad("give exactly one of points (with radius_m), polygon, geojson", sorted(spec))
    if given == ["points"]:
        points = spec["points"]
        if not isinstance(points, list) or not 1 <= len(points) <= MAX_POINTS:
            raise _bad(f"a list of 1 to {MAX_POINTS} points", points, "area.points")
        radius = spec.get("radius_m")
        if isinstance(radius, bool) or not isinstance(radius, (int, float)) or not 1 <= radius <= MAX_RADIUS_M:
            raise _bad(f"metres from 1 to {MAX_RADIUS_M}", radius, "area.radius_m")
        geometry = buffer_points([_point(p) for p in points], float(radius))
        kind, radius_m = "buffer", float(radius)
    else:
        if "radius_m" in spec:
            raise _bad("radius_m goes with points only", spec["radius_m"], "area.radius_m")
        geometry = _polygonal(spec[given[0]])
        kind, radius_m = "polygon", None
    lon0, lat0, lon1, lat1 = geometry.bounds
    return {"area_kind": kind, "radius_m": radius_m, "area_geojson": json.dumps(mapping(geometry)),
            "min_lon": lon0, "min_lat": lat0, "max_lon": lon1, "max_lat": lat1}


def area_geometry(area_geojson: str):
    return shape(json.loads(area_geojson))


def points_inside(area_geojson: str, lons: Iterable[float], lats: Iterable[float]) -> np.ndarray:
    """Which WGS-84 points lie inside (or on the edge of) the area."""
    geometry = area_geometry(area_geojson)
    lons, lats = np.asarray(list(lons), dtype=float), np.asarray(list(lats), dtype=float)
    if lons.size == 0:
        return np.zeros(0, dtype=bool)
    return shapely.intersects(geometry, shapely.points(lons, lats))


def cells_touching(area_geojson: str, cells: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The cells (a GeoDataFrame in EPSG:4326) that the area overlaps."""
    if cells.crs is None or cells.crs.to_string() != DRAW_CRS:
        raise ValueError(f"cells must be in {DRAW_CRS}, got {cells.crs}")
    geometry = area_geometry(area_geojson)
    return cells[cells.intersects(geometry)]


# -- the board's map ------------------------------------------------------------------------
AREA_LINE = "#c0392b"
AREA_FILL = "rgba(192,57,43,0.12)"
MATTER_COLOUR = "#2f6db0"
RESOURCE_COLOUR = "#7b3fa0"


def area_figure(area_geojson: str, matters: list[dict], resources: list[dict], *, names: dict[str, str],
                tile_url: str = "", tile_attribution: str = "", width_px: int = 640, height_px: int = 420):
    """The affected area (outlined and filled) with the matters and resources inside it as
    dots, fitted to the area. ``names``: the traces' labels (area, matters, resources)."""
    geometry = area_geometry(area_geojson)
    frame = gpd.GeoDataFrame(geometry=[geometry], crs=DRAW_CRS)
    lons, lats = outline_lines(frame)
    traces = [go.Scattermap(lon=lons, lat=lats, mode="lines", fill="toself", fillcolor=AREA_FILL,
                            line={"color": AREA_LINE, "width": 3}, name=names["area"], hoverinfo="name")]
    for rows, colour, label in ((matters, MATTER_COLOUR, names["matters"]),
                                (resources, RESOURCE_COLOUR, names["resources"])):
        if rows:
            traces.append(go.Scattermap(lon=[r["lon"] for r in rows], lat=[r["lat"] for r in rows], mode="markers",
                                        marker={"size": 10, "color": colour}, name=label,
                                        hovertext=[str(r.get("matter_id") or r.get("name")) for r in rows],
                                        hoverinfo="text"))
    layout = map_layout(geometry.bounds, tile_url=tile_url, tile_attribution=tile_attribution,
                        width_px=width_px, height_px=height_px, uirevision="emergency")
    center, zoom = fit_center_zoom(geometry.bounds, width_px, height_px, padding=0.8)
    layout.map.center, layout.map.zoom = center, zoom
    return go.Figure(traces, layout)
