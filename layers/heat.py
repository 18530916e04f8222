"""Pure builder of the heat layer: a ``Densitymap`` (MapLibre heatmap) of points, for where
matters gather regardless of cell borders. Transparent where nothing is, so the grid under
it stays readable; no colour bar (the heat is a shape, not a number to read off)."""
from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

HEAT_SCALE = [[0.0, "rgba(255,255,178,0)"], [0.25, "rgba(254,204,92,0.55)"], [0.5, "rgba(253,141,60,0.7)"],
              [0.75, "rgba(240,59,32,0.8)"], [1.0, "rgba(189,0,38,0.9)"]]
# Pixels each point spreads over.
HEAT_RADIUS_PX = 14


def heat_trace(lons: Sequence[float | None], lats: Sequence[float | None], *, name: str,
               weights: Sequence[float] | None = None, radius_px: int = HEAT_RADIUS_PX,
               layer: str = "heat") -> go.Densitymap:
    """The points (those with coordinates) as a heat layer, optionally weighted; no hover."""
    keep = [i for i, (lon, lat) in enumerate(zip(lons, lats))
            if lon is not None and lat is not None and lon == lon and lat == lat]
    return go.Densitymap(
        lon=[float(lons[i]) for i in keep], lat=[float(lats[i]) for i in keep],
        z=[float(weights[i]) for i in keep] if weights is not None else None,
        radius=radius_px, colorscale=HEAT_SCALE, showscale=False, hoverinfo="skip", opacity=0.8,
        name=name, meta=layer,
    )
