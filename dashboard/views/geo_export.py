"""The GeoJSON download of grid cells or villages with their counts over a half-open period
[from, to): the counts of the counts report (received, closed, closed with a due time,
closed on time, open and overdue at the end), for the API and the overview's download."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Iterable
from urllib.parse import urlencode

from dashboard.reader import Reader
from layers import maptraces
from layers.area_geojson import areas_with_counts, village_shapes
from queries.report import COUNTS

LEVELS = ("cell", "village")


def area_counts_geojson(reader: Reader, scope: Iterable[int], level: str, start: date, end: date) -> dict[str, Any]:
    """A FeatureCollection: one feature per area of ``level`` in scope, its ``code``,
    ``name`` and the six counts over [start, end); ``period`` and ``level`` at the top."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    scope = list(scope)
    frame = reader.run("report/by_area", scope=scope, period_start=datetime.combine(start, time()),
                       period_end=datetime.combine(end, time()), level=level)
    counts = frame.rename(columns={f"{name}_count": name for name in COUNTS})
    cells = maptraces.frame_to_gdf(reader.run("reference/cells", scope=scope)).rename(columns={"cell_id": "area_id"})
    if level == "cell":
        shapes = cells
    else:
        outlines = maptraces.frame_to_gdf(reader.run("reference/outlines", scope=scope))
        shapes = village_shapes(outlines[outlines["level"] == "village"], cells)
    collection = areas_with_counts(shapes, counts.drop(columns=["village_id"]), COUNTS)
    return {"type": "FeatureCollection", "level": level,
            "period": {"from": start.isoformat(), "to": end.isoformat(), "half_open": True},
            "counts": {name: definition for name, definition in COUNT_DEFINITIONS.items()},
            "features": collection["features"]}


COUNT_DEFINITIONS = {
    "received": "matters created in [from, to)",
    "closed": "matters closed in [from, to)",
    "closed_with_due": "of those closed, the ones with a due time",
    "closed_on_time": "of those closed, the ones closed at or before their due time",
    "open_at_end": "matters created before to and neither closed nor voided before it",
    "overdue_at_end": "of those open at the end, the ones whose due time lies before to",
}


def last_days_period(today: date, days: int = 30) -> tuple[date, date]:
    """The last ``days`` days up to today, as a half-open period [from, to)."""
    return today - timedelta(days=days - 1), today + timedelta(days=1)


def geojson_href(level: str, start: date, end: date) -> str:
    return "/api/v1/areas.geojson?" + urlencode({"level": level, "from": start.isoformat(), "to": end.isoformat()})
