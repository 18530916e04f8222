"""Pure builder of the resources layer: one legend entry per kind, each kind its own mark.

Same conventions as ``maptraces``: MapLibre traces (``Scattermap``) over the blank
``white-bg`` base, labels passed in by the caller (the page's language). Offline there is
no sprite sheet and no glyph server, so icon symbols and text marks would not draw: each
kind is a circle of its own colour, size and ring (a halo circle beneath, white or dark)
— shapes a person tells apart without a base map. With ``icons=True`` (a deployment whose
tile style carries the Maki sprite) the kinds use their Maki icon instead.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import pandas as pd
import plotly.graph_objects as go

from queries.resources import KINDS


@dataclass(frozen=True)
class KindMark:
    colour: str
    size: int          # the inner circle's diameter, px
    ring: str | None   # the halo's colour (None: no halo)
    icon: str          # the Maki icon, where a sprite is available


MARKS: dict[str, KindMark] = {
    "grid_worker": KindMark("#2b8cbe", 9, None, "pitch"),
    "emergency_team": KindMark("#e31a1c", 12, "#ffffff", "fire-station"),
    "vehicle": KindMark("#ff7f00", 10, "#ffffff", "car"),
    "shelter": KindMark("#33a02c", 14, "#ffffff", "shelter"),
    "camera": KindMark("#6a3d9a", 7, None, "attraction"),
    "hazard_site": KindMark("#000000", 11, "#fdbf6f", "danger"),
    "key_site": KindMark("#b15928", 12, "#1f1f1f", "town-hall"),
}
RING_PX = 5             # how much wider the halo is than the circle
OFFLINE_OPACITY = 0.55  # an off-line resource (a dead camera) is drawn faded
assert set(MARKS) == set(KINDS)


def resource_traces(resources: pd.DataFrame, *, labels: Mapping[str, str], icons: bool = False,
                    hover: pd.Series | None = None) -> list[go.Scattermap]:
    """Traces of ``resources`` (columns kind, name, lon, lat, and optionally state), kinds
    in ``KINDS`` order, only kinds present; ``labels`` names each kind in the legend;
    ``hover`` (aligned with ``resources``) the hover text, default the name."""
    traces: list[go.Scattermap] = []
    if hover is None:
        hover = resources["name"].astype(str) if len(resources) else pd.Series([], dtype=object)
    for kind in KINDS:
        rows = resources["kind"] == kind if len(resources) else pd.Series([], dtype=bool)
        if not rows.any():
            continue
        part = resources[rows]
        mark = MARKS[kind]
        lon, lat = part["lon"].astype(float).tolist(), part["lat"].astype(float).tolist()
        label = labels.get(kind, kind)
        offline = (part["state"] == "offline").tolist() if "state" in part else [False] * len(part)
        opacity = [OFFLINE_OPACITY if o else 1.0 for o in offline]
        if icons:
            traces.append(go.Scattermap(lon=lon, lat=lat, mode="markers", name=label, legendgroup=kind,
                                        marker={"symbol": mark.icon, "size": mark.size + 4},
                                        hovertext=hover[rows].tolist(), hoverinfo="text", meta=kind))
            continue
        if mark.ring is not None:
            traces.append(go.Scattermap(lon=lon, lat=lat, mode="markers", name=label, legendgroup=kind,
                                        marker={"size": mark.size + RING_PX, "color": mark.ring,
                                                "opacity": opacity},
                                        hoverinfo="skip", showlegend=False, meta=kind))
        traces.append(go.Scattermap(lon=lon, lat=lat, mode="markers", name=label, legendgroup=kind,
                                    marker={"size": mark.size, "color": mark.colour, "opacity": opacity},
                                    hovertext=hover[rows].tolist(), hoverinfo="text", meta=kind))
    return traces
