"""The resources layer, built from hand-made points: one legend entry per kind present,
each kind its own mark, offline (no icons) unless asked."""
from __future__ import annotations

import pandas as pd

from layers.resource_layer import MARKS, OFFLINE_OPACITY, resource_traces
from queries.resources import KINDS

POINTS = pd.DataFrame({
    "kind": ["camera", "shelter", "camera", "grid_worker"],
    "name": ["探头1", "避难所", "探头2", "网格员 甲"],
    "lon": [119.40, 119.41, 119.42, 119.43],
    "lat": [32.40, 32.41, 32.42, 32.43],
    "state": ["available", "available", "offline", "available"],
})
LABELS = {"camera": "视频监控", "shelter": "避难场所", "grid_worker": "网格员"}


def test_one_legend_entry_per_kind_in_kind_order():
    traces = resource_traces(POINTS, labels=LABELS)
    shown = [t for t in traces if t.showlegend is not False]
    assert [t.name for t in shown] == ["网格员", "避难场所", "视频监控"]     # KINDS order, only those present
    camera = next(t for t in shown if t.meta == "camera")
    assert list(camera.lon) == [119.40, 119.42] and list(camera.hovertext) == ["探头1", "探头2"]
    assert list(camera.marker.opacity) == [1.0, OFFLINE_OPACITY]          # the off-line camera faded
    assert all(t.type == "scattermap" for t in traces)


def test_kinds_have_distinct_marks_and_rings_sit_beneath():
    marks = {(m.colour, m.size, m.ring) for m in MARKS.values()}
    assert len(marks) == len(KINDS)
    assert len({m.colour for m in MARKS.values()}) == len(KINDS)
    traces = resource_traces(POINTS, labels=LABELS)
    shelter = [t for t in traces if t.meta == "shelter"]
    assert len(shelter) == 2 and shelter[0].hoverinfo == "skip"           # the halo first, under the dot
    assert shelter[0].marker.size > shelter[1].marker.size and shelter[0].marker.color == MARKS["shelter"].ring


def test_icons_when_the_style_has_a_sprite_and_empty_input():
    traces = resource_traces(POINTS, labels=LABELS, icons=True)
    assert [t.marker.symbol for t in traces] == [MARKS[k].icon for k in ("grid_worker", "shelter", "camera")]
    assert resource_traces(POINTS.iloc[0:0], labels=LABELS) == []
