"""Pure builder of the desk card's mini-map: one matter's point inside its grid cell.

Same conventions as ``maptraces``: MapLibre traces (``Scattermap``), a blank ``white-bg``
base unless a deployment configures a tile URL (the map must work offline), labels passed
in by the caller. The cell is drawn as a filled outline so the point reads in context
even without a base map.
"""
from __future__ import annotations

import geopandas as gpd
import plotly.graph_objects as go

from layers.geojson import outline_lines
from layers.maptraces import bounds_of, fit_center_zoom, tile_layers

POINT_COLOUR = "#d7301f"
POINT_HALO = "#ffffff"
CELL_LINE = "#2f6db0"
CELL_FILL = "rgba(47, 109, 176, 0.10)"
# Without a cell, how close to show the bare point (about a street block across).
POINT_ZOOM = 16.0


def cell_outline_trace(cell: gpd.GeoDataFrame, *, name: str) -> go.Scattermap:
    """The cell's rings as one filled line trace; no hover (the point carries it)."""
    lons, lats = outline_lines(cell) if len(cell) else ([], [])
    return go.Scattermap(lon=lons, lat=lats, mode="lines", fill="toself", fillcolor=CELL_FILL,
                         line={"color": CELL_LINE, "width": 2}, name=name, hoverinfo="skip",
                         showlegend=False)


def point_traces(lon: float, lat: float, *, name: str, hovertext: str,
                 colour: str = POINT_COLOUR) -> list[go.Scattermap]:
    """The matter as a dot with a white halo (MapLibre circles have no outline)."""
    return [
        go.Scattermap(lon=[lon], lat=[lat], mode="markers", marker={"size": 19, "color": POINT_HALO},
                      hoverinfo="skip", showlegend=False, name=name),
        go.Scattermap(lon=[lon], lat=[lat], mode="markers", marker={"size": 13, "color": colour},
                      hovertext=[hovertext], hoverinfo="text", showlegend=False, name=name),
    ]


def location_figure(lon: float | None, lat: float | None, cell: gpd.GeoDataFrame | None, *,
                    point_name: str, cell_name: str, hovertext: str = "", tile_url: str = "",
                    tile_attribution: str = "", width_px: int = 360, height_px: int = 250,
                    uirevision: str = "matter") -> go.Figure:
    """The matter's point (when it has coordinates) over its cell's outline (when it lies
    in one), fitted to the cell, or centred on the point when there is no cell."""
    traces: list[go.Scattermap] = []
    has_cell = cell is not None and len(cell) > 0 and not cell.geometry.is_empty.all()
    if has_cell:
        traces.append(cell_outline_trace(cell, name=cell_name))
    has_point = lon is not None and lat is not None
    if has_point:
        traces.extend(point_traces(float(lon), float(lat), name=point_name, hovertext=hovertext))
    if has_cell:
        center, zoom = fit_center_zoom(bounds_of(cell), width_px, height_px, padding=0.8)
    elif has_point:
        center, zoom = {"lon": float(lon), "lat": float(lat)}, POINT_ZOOM
    else:
        center, zoom = {"lon": 119.4, "lat": 32.4}, 9.0
    layout = go.Layout(
        map={"style": "white-bg", "center": center, "zoom": zoom,
             "layers": tile_layers(tile_url, tile_attribution)},
        margin={"l": 0, "r": 0, "t": 0, "b": 0}, showlegend=False, uirevision=uirevision,
        paper_bgcolor="rgba(0,0,0,0)", hoverlabel={"bgcolor": "white", "font": {"size": 12}},
    )
    return go.Figure(traces, layout=layout)
