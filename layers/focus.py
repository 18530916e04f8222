"""Pure helpers of the drill-down maps: a part of the grid's GeoJSON (one village's cells,
one cell and its neighbours), the bounds of a part to zoom to, and the thick outline that
marks the chosen area."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import plotly.graph_objects as go

SELECTED_LINE = "#13243a"


def subset_features(geojson: dict, ids: Iterable[int]) -> dict:
    """The features of ``geojson`` whose id is in ``ids``, in the collection's order."""
    wanted = {int(i) for i in ids}
    return {"type": "FeatureCollection",
            "features": [f for f in geojson.get("features", []) if int(f["id"]) in wanted]}


def _coordinates(geometry: dict | None) -> list[tuple[float, float]]:
    if not geometry:
        return []
    kind, coords = geometry["type"], geometry["coordinates"]
    rings = {"Polygon": coords, "MultiPolygon": [ring for poly in coords for ring in poly]}.get(kind, [])
    return [(float(x), float(y)) for ring in rings for x, y in ring]


def features_bounds(geojson: dict) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) of every feature, or None when there is none."""
    points = [xy for f in geojson.get("features", []) for xy in _coordinates(f.get("geometry"))]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return (min(lons), min(lats), max(lons), max(lats))


def feature_outline(geojson: dict, *, name: str, color: str = SELECTED_LINE, width: float = 3.0,
                    layer: str = "focus") -> go.Scattermap:
    """The outer rings of the features as one line trace (rings broken by gaps); no hover."""
    lons: list = []
    lats: list = []
    for feature in geojson.get("features", []):
        geometry = feature.get("geometry") or {}
        polygons = {"Polygon": [geometry.get("coordinates", [])],
                    "MultiPolygon": geometry.get("coordinates", [])}.get(geometry.get("type"), [])
        for polygon in polygons:
            for ring in polygon[:1]:
                lons.extend(float(x) for x, _y in ring)
                lats.extend(float(y) for _x, y in ring)
                lons.append(None)
                lats.append(None)
    return go.Scattermap(lon=lons, lat=lats, mode="lines", line={"color": color, "width": width},
                         name=name, hoverinfo="skip", showlegend=False, meta=layer)


def layer_visibility(trace_layers: Sequence[str | None], shown: Iterable[str]) -> list[bool]:
    """Per trace (its ``meta`` layer name, None for always-on traces): whether it is visible
    with the layers ``shown`` switched on."""
    on = set(shown)
    return [layer is None or layer in on for layer in trace_layers]


def padded_bounds(bounds: tuple[float, float, float, float] | None,
                  share: float = 0.6) -> tuple[float, float, float, float] | None:
    """``bounds`` grown by ``share`` of their size on each side: a cell with its neighbours
    around it, so the map shows where it lies."""
    if bounds is None:
        return None
    min_lon, min_lat, max_lon, max_lat = bounds
    dx, dy = (max_lon - min_lon) * share, (max_lat - min_lat) * share
    return (min_lon - dx, min_lat - dy, max_lon + dx, max_lat + dy)
