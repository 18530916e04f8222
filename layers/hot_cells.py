"""Pure builder of the hot-cell layer: the cells the Getis-Ord Gi* statistic finds hot
(level 1–3: 90 / 95 / 99 %), filled on the warnings page's discrete scale, over the grid.
Only hot cells are drawn, so the layer reads as an overlay; a cell's level is also named in
its hover (colour is never the only sign)."""
from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from layers.analysis_layers import HOTSPOT_COLOURS, hotspot_colouring

HOT_LINE = "#7f0000"


def hot_cell_trace(geojson: dict, cell_ids: Sequence[int], levels: Sequence[int], *, labels: Sequence[str],
                   title: str, name: str, layer: str = "hot") -> go.Choroplethmap:
    """The hot cells among ``cell_ids`` (``levels`` in the same order, 0 = not hot) as one
    choropleth over ``geojson`` (features by id); hover: the level's label."""
    hot = [(int(c), int(level)) for c, level in zip(cell_ids, levels) if int(level) > 0]
    colouring = hotspot_colouring([level for _c, level in hot], labels=labels, title=title)
    colouring["showscale"] = False
    return go.Choroplethmap(
        geojson=geojson, featureidkey="id", locations=[c for c, _level in hot],
        hovertext=[labels[level] for _c, level in hot], hoverinfo="text",
        marker={"line": {"width": 1.6, "color": HOT_LINE}, "opacity": 0.75},
        name=name, showlegend=False, meta=layer, **colouring,
    )


__all__ = ["HOTSPOT_COLOURS", "hot_cell_trace"]
