"""Pure builder of the open-matters point layer: one ``Scattermap`` trace per light, so each
light keeps its colour and its name in the legend (offline maps draw no text labels, and a
light is never told by colour alone: the legend and the hover name it). When a trace holds
many points it is clustered (``Scattermap.cluster``): MapLibre groups close points into one
bubble sized by count, which keeps a township of thousands of open matters readable.

Nothing here knows about languages: the light names come in as arguments.
"""
from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from layers.maptraces import LIGHT_COLOURS

# The order the legend lists the lights in: the worst first.
POINT_LIGHTS = ("red", "yellow", "green", "paused", "none")
# A light with more points than this is clustered.
CLUSTER_FROM = 150
# From this zoom on (street level) every point stands alone, clustered or not.
CLUSTER_MAX_ZOOM = 15


def cluster_settings(count: int, colour: str, *, cluster_from: int = CLUSTER_FROM) -> dict:
    """The ``cluster`` of a light's trace: on when it holds more than ``cluster_from`` points;
    bubbles in the light's colour, bigger by steps of 10 and 100 points."""
    if count <= cluster_from:
        return {"enabled": False}
    return {"enabled": True, "color": colour, "opacity": 0.85, "maxzoom": CLUSTER_MAX_ZOOM,
            "size": [14, 20, 28], "step": [-1, 10, 100]}


def matter_point_traces(lons: Sequence[float | None], lats: Sequence[float | None], lights: Sequence[str | None],
                        matter_ids: Sequence[str], *, labels: dict[str, str], hovertexts: Sequence[str],
                        cluster_from: int = CLUSTER_FROM, layer: str = "points",
                        every_light: bool = False) -> list[go.Scattermap]:
    """One trace per light present (``POINT_LIGHTS`` order), named by ``labels[light]``, its
    points' ``customdata`` the matter ids (a click finds its matter). Points without
    coordinates are left out. ``meta`` names the layer, so a switch can find its traces.
    ``every_light``: a trace for every light, empty ones too (fixed positions in a figure
    that is later updated in place)."""
    groups: dict[str, list[int]] = {light: [] for light in POINT_LIGHTS}
    for i, (lon, lat, light) in enumerate(zip(lons, lats, lights)):
        if lon is None or lat is None or lon != lon or lat != lat:
            continue
        groups[light if light in groups else "none"].append(i)
    traces = []
    for light in POINT_LIGHTS:
        rows = groups[light]
        if not rows and not every_light:
            continue
        colour = LIGHT_COLOURS[light]
        traces.append(go.Scattermap(
            lon=[float(lons[i]) for i in rows], lat=[float(lats[i]) for i in rows], mode="markers",
            marker={"size": 10, "color": colour, "opacity": 0.95},
            cluster=cluster_settings(len(rows), colour, cluster_from=cluster_from),
            customdata=[str(matter_ids[i]) for i in rows], hovertext=[hovertexts[i] for i in rows],
            hoverinfo="text", name=f"{labels[light]} ({len(rows)})", legendgroup=light, showlegend=True,
            meta=layer,
        ))
    return traces
