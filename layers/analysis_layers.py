"""Pure builders of the analysis and warning maps' grid colourings (the grid itself is
``layers.maptraces.grid_choropleth``; these dicts replace its colouring and outline).

* ``hotspot_colouring``: each cell's Getis-Ord Gi* level (0 = not hot, 1/2/3 = hot at
  90 / 95 / 99 %) on a discrete scale, warm colours for hotter;
* ``highlight_marker``: the grid's outline with one cell (the cross-filter's) drawn
  thick and dark, so the chosen cell stays visible while the others are recoloured.

Nothing here knows about languages: labels come in as arguments.
"""
from __future__ import annotations

from collections.abc import Sequence

from layers.maptraces import CELL_LINE

# Gi* z-values at which a cell is hot at 90, 95 and 99 % (one-sided normal quantiles).
HOTSPOT_LEVELS = ((1, 1.645), (2, 1.960), (3, 2.576))
HOTSPOT_COLOURS = ("#eef1f5", "#fdd49e", "#fc8d59", "#b30000")
SELECTED_LINE = "#13243a"


def hotspot_level(z: float | None) -> int:
    """0 when not hot (or unknown), else the highest level whose z it reaches."""
    if z is None or z != z:
        return 0
    level = 0
    for value, threshold in HOTSPOT_LEVELS:
        if z >= threshold:
            level = value
    return level


def hotspot_colouring(levels: Sequence[int], *, labels: Sequence[str], title: str) -> dict:
    """Colouring of the grid by hot-spot level on a discrete four-step scale; ``labels``
    names the levels 0–3 for the colour bar."""
    n = len(HOTSPOT_COLOURS)
    if len(labels) != n:
        raise ValueError(f"hotspot_colouring needs {n} labels, one per level")
    scale = []
    for i, colour in enumerate(HOTSPOT_COLOURS):
        scale.append([i / n, colour])
        scale.append([(i + 1) / n, colour])
    return {
        "z": [max(0, min(int(v), n - 1)) for v in levels],
        "zmin": -0.5,
        "zmax": n - 0.5,
        "colorscale": scale,
        "colorbar": {"title": {"text": title}, "thickness": 12, "len": 0.6, "x": 1.0,
                     "tickvals": list(range(n)), "ticktext": list(labels)},
    }


def highlight_marker(cell_ids: Sequence[int], selected: int | None, *, opacity: float = 0.88) -> dict:
    """The grid trace's ``marker``: thin white outlines, the ``selected`` cell's thick and
    dark (per-cell arrays, in the order of ``cell_ids``)."""
    if selected is None:
        return {"line": {"width": 0.6, "color": CELL_LINE}, "opacity": opacity}
    chosen = [int(c) == int(selected) for c in cell_ids]
    return {"line": {"width": [3.0 if c else 0.6 for c in chosen],
                     "color": [SELECTED_LINE if c else CELL_LINE for c in chosen]},
            "opacity": opacity}
