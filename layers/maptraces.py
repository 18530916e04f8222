"""Pure builders of the overview map's Plotly traces and layout (MapLibre: ``layout.map``).

The grid is one ``Choroplethmap`` over the cells' GeoJSON, matched by feature id; its
colouring (``z``, scale, colour bar) is a separate dict, so a page can send the geometry
once and later replace only the colouring. Village and township outlines are
``Scattermap`` line traces. The base map is blank (``white-bg``) unless a deployment
configures a raster tile URL: the map must work with no internet.

Nothing here knows about languages: every label comes in as an argument.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from layers.geojson import geometries_from_wkb, outline_lines, to_feature_collection

# Lights, best to worst; "empty" is a cell without open matters. The z value of a cell
# coloured by light is the position of its worst light here.
LIGHTS = ("empty", "none", "paused", "green", "yellow", "red")
LIGHT_COLOURS = {
    "empty": "#eef1f5",
    "none": "#b8c2cc",
    "paused": "#7a8aa0",
    "green": "#2f9e55",
    "yellow": "#f0b400",
    "red": "#d7301f",
}
# Sequential scales for counts: zero stays pale so that busy cells stand out.
COUNT_SCALES = {
    "open": [[0.0, "#f3f6fa"], [0.01, "#dbe7f3"], [0.35, "#79a8d4"], [0.7, "#2f6db0"], [1.0, "#0b3a75"]],
    "overdue": [[0.0, "#f7f4f2"], [0.01, "#fbd3c4"], [0.35, "#f2846a"], [0.7, "#d03a2c"], [1.0, "#7f0d0d"]],
}
CELL_LINE = "rgba(255,255,255,0.95)"
VILLAGE_LINE = "#5c6b7a"
TOWNSHIP_LINE = "#1d2733"
# MapLibre draws the world 512 px wide at zoom 0.
_WORLD_PX = 512


def frame_to_gdf(frame: pd.DataFrame, geom_column: str = "geom") -> gpd.GeoDataFrame:
    """Rows read from the store with WKB geometry → a GeoDataFrame in EPSG:4326."""
    geometry = geometries_from_wkb(frame[geom_column].tolist())
    return gpd.GeoDataFrame(frame.drop(columns=[geom_column]).reset_index(drop=True),
                            geometry=geometry.values, crs=geometry.crs)


def cell_geojson(cells: gpd.GeoDataFrame, id_column: str = "cell_id",
                 properties: Sequence[str] = ("code", "name"), simplify_m: float | None = 2.0) -> dict:
    """The cells as a FeatureCollection whose feature ids are the cell ids."""
    return to_feature_collection(cells, id_column, properties=tuple(properties), simplify_m=simplify_m)


def count_colouring(values: Sequence[float], *, scale: str, title: str) -> dict:
    """Colouring of the grid by a count (open or overdue matters per cell)."""
    z = [int(v) for v in values]
    top = max([1, *z])
    return {
        "z": z,
        "zmin": 0,
        "zmax": top,
        "colorscale": COUNT_SCALES[scale],
        "colorbar": {"title": {"text": title}, "thickness": 12, "len": 0.6, "x": 1.0,
                     "tickformat": "d", "nticks": min(top + 1, 6)},
    }


def light_colouring(lights: Sequence[str | None], *, labels: dict[str, str], title: str) -> dict:
    """Colouring of the grid by each cell's worst light, on a discrete scale; a cell
    without open matters (None) is "empty"."""
    position = {light: i for i, light in enumerate(LIGHTS)}
    z = [position.get(light or "empty", 0) for light in lights]
    n = len(LIGHTS)
    scale = []
    for i, light in enumerate(LIGHTS):
        scale.append([i / n, LIGHT_COLOURS[light]])
        scale.append([(i + 1) / n, LIGHT_COLOURS[light]])
    return {
        "z": z,
        "zmin": -0.5,
        "zmax": n - 0.5,
        "colorscale": scale,
        "colorbar": {"title": {"text": title}, "thickness": 12, "len": 0.6, "x": 1.0,
                     "tickvals": list(range(n)), "ticktext": [labels[light] for light in LIGHTS]},
    }


def grid_choropleth(geojson: dict, cell_ids: Sequence[int], colouring: dict, *,
                    customdata: Sequence[Sequence] | None = None, hovertemplate: str | None = None,
                    name: str = "grid") -> go.Choroplethmap:
    """The grid cells filled by ``colouring`` (from ``count_colouring``/``light_colouring``),
    matched to features by id; hover shows ``hovertemplate`` over ``customdata``."""
    return go.Choroplethmap(
        geojson=geojson,
        featureidkey="id",
        locations=list(cell_ids),
        customdata=[list(row) for row in customdata] if customdata is not None else None,
        hovertemplate=hovertemplate,
        marker={"line": {"width": 0.6, "color": CELL_LINE}, "opacity": 0.88},
        name=name,
        showlegend=False,
        **colouring,
    )


def outline_trace(areas: gpd.GeoDataFrame, *, name: str, color: str, width: float) -> go.Scattermap:
    """Outlines of polygons as one line trace (rings broken by gaps); no hover."""
    lons, lats = outline_lines(areas) if len(areas) else ([], [])
    return go.Scattermap(lon=lons, lat=lats, mode="lines", line={"color": color, "width": width},
                         name=name, hoverinfo="skip", showlegend=False)


def village_outlines(villages: gpd.GeoDataFrame, name: str) -> go.Scattermap:
    return outline_trace(villages, name=name, color=VILLAGE_LINE, width=1.4)


def township_outline(township: gpd.GeoDataFrame, name: str) -> go.Scattermap:
    return outline_trace(township, name=name, color=TOWNSHIP_LINE, width=2.6)


def fit_center_zoom(bounds: Sequence[float], width_px: int = 640, height_px: int = 480,
                    padding: float = 0.92) -> tuple[dict, float]:
    """Centre and zoom that show ``bounds`` (min lon, min lat, max lon, max lat) whole in a
    map of the given size, on Web Mercator."""
    min_lon, min_lat, max_lon, max_lat = (float(b) for b in bounds)
    if not all(math.isfinite(b) for b in (min_lon, min_lat, max_lon, max_lat)):
        return {"lon": 0.0, "lat": 0.0}, 1.0

    def merc_y(lat: float) -> float:
        lat = max(min(lat, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    y_mid = (merc_y(min_lat) + merc_y(max_lat)) / 2
    center = {"lon": (min_lon + max_lon) / 2, "lat": math.degrees(2 * math.atan(math.exp(y_mid)) - math.pi / 2)}
    span_lon = max(max_lon - min_lon, 1e-6)
    span_y = max(merc_y(max_lat) - merc_y(min_lat), 1e-8)
    zoom_x = math.log2(width_px * padding * 360.0 / (_WORLD_PX * span_lon))
    zoom_y = math.log2(height_px * padding * 2 * math.pi / (_WORLD_PX * span_y))
    return center, round(max(min(zoom_x, zoom_y, 20.0), 0.0), 2)


def tile_layers(tile_url: str, attribution: str = "") -> list[dict]:
    """A raster base layer under the traces from an XYZ URL template; none when empty."""
    if not tile_url:
        return []
    layer = {"sourcetype": "raster", "source": [tile_url], "below": "traces"}
    if attribution:
        layer["sourceattribution"] = attribution
    return [layer]


def map_layout(bounds: Sequence[float] | None, *, tile_url: str = "", tile_attribution: str = "",
               width_px: int = 640, height_px: int = 480, uirevision: str = "map") -> go.Layout:
    """A blank (or tiled) MapLibre map fitted to ``bounds``; keeps the viewer's pan and
    zoom across updates through ``uirevision``."""
    if bounds is None or any(b is None or (isinstance(b, float) and math.isnan(b)) for b in bounds):
        center, zoom = {"lon": 119.4, "lat": 32.4}, 9.0
    else:
        center, zoom = fit_center_zoom(bounds, width_px, height_px)
    return go.Layout(
        map={"style": "white-bg", "center": center, "zoom": zoom, "layers": tile_layers(tile_url, tile_attribution)},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        showlegend=False,
        uirevision=uirevision,
        paper_bgcolor="rgba(0,0,0,0)",
        hoverlabel={"bgcolor": "white", "font": {"size": 12}},
    )


def bounds_of(*frames: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    """Joint bounds of non-empty GeoDataFrames, or None."""
    boxes = [f.total_bounds for f in frames if f is not None and len(f)]
    if not boxes:
        return None
    stacked = np.vstack(boxes)
    return (float(stacked[:, 0].min()), float(stacked[:, 1].min()),
            float(stacked[:, 2].max()), float(stacked[:, 3].max()))
