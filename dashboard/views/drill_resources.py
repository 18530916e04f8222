"""Resources (资源) and possible duplicates (重复件) on the drill-down pages, as pure
functions of a ``Reader`` and plain values; no HTML.

The cell page lists the resources inside the cell or within ``CELL_REACH_M`` metres of it
(distance to the cell's outline, 0 inside); the matter page those within a chosen radius of
the matter's point, nearest first, and the matters of the same 小类 nearby in space and time
that this one may repeat. Every read takes the viewer's scope."""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import pandas as pd

from dashboard.i18n import name_of, plain, t
from dashboard.reader import Reader
from layers import maptraces
from layers.proximity import area_reach, distances_to_area_m
from layers.resource_layer import resource_traces
from queries import duplicates, lifecycle, resources

CELL_REACH_M = 500
RADII_M = (200, 500, 1000, 2000)
DEFAULT_RADIUS_M = 500
RESOURCE_LAYER = "resources"
COLUMNS = ["id", "kind", "name", "contact", "state", "lon", "lat", "cell", "distance_m"]


def kind_labels(lang: str) -> dict[str, str]:
    return {kind: t(f"resource_kind.{kind}", lang) for kind in resources.KINDS}


def cell_resources(reader: Reader, scope: Iterable[int], cell_code: str) -> pd.DataFrame:
    """The resources filed in the cell (distance 0) and those within ``CELL_REACH_M`` metres
    of its outline, nearest first (then by kind and name)."""
    scope = list(scope)
    inside = resources.in_cell(reader.store, cell_code, scope=scope).assign(distance_m=0.0)[COLUMNS]
    cells = reader.run("reference/cells", scope=scope)
    cells = cells[cells["code"] == cell_code]
    if cells.empty:
        return inside.iloc[0:0]
    area = maptraces.frame_to_gdf(cells).geometry
    lon, lat, reach = area_reach(area, CELL_REACH_M)
    around = resources.near(reader.store, lon=lon, lat=lat, radius_m=min(reach, resources.MAX_RADIUS_M), scope=scope)
    around = around[~around["id"].isin(inside["id"])]
    if len(around):
        around = around.assign(distance_m=distances_to_area_m(around["lon"].to_numpy(), around["lat"].to_numpy(),
                                                              area))
        around = around[around["distance_m"] <= CELL_REACH_M]
    found = pd.concat([inside, around[COLUMNS]], ignore_index=True) if len(around) else inside
    order = {k: i for i, k in enumerate(resources.KINDS)}
    return (found.assign(_kind=found["kind"].map(order))
            .sort_values(["distance_m", "_kind", "name", "id"], kind="stable")
            .drop(columns="_kind").reset_index(drop=True))


def radius_of(value: Any) -> int:
    """The radius chosen, one of ``RADII_M`` (anything else: the default)."""
    try:
        radius = int(value)
    except (TypeError, ValueError):
        return DEFAULT_RADIUS_M
    return radius if radius in RADII_M else DEFAULT_RADIUS_M


def matter_visible(reader: Reader, scope: Iterable[int], matter_id: int, handled_by: int | None = None) -> bool:
    return not reader.run("desk/matter_place", scope=list(scope), handled_by=handled_by,
                          matter_id=int(matter_id)).empty


def matter_point(reader: Reader, scope: Iterable[int], matter_id: int,
                 handled_by: int | None = None) -> tuple[float, float] | None:
    """The matter's point, None when it has none or lies outside the scope."""
    place = reader.run("desk/matter_place", scope=list(scope), handled_by=handled_by, matter_id=int(matter_id))
    if place.empty or pd.isna(place["lon"].iloc[0]) or pd.isna(place["lat"].iloc[0]):
        return None
    return float(place["lon"].iloc[0]), float(place["lat"].iloc[0])


def matter_resources(reader: Reader, scope: Iterable[int], matter_id: int, radius_m: Any) -> pd.DataFrame | None:
    """The resources within the radius of the matter's point, nearest first; None when the
    matter has no point (or is outside the scope)."""
    point = matter_point(reader, scope, matter_id)
    if point is None:
        return None
    return resources.near(reader.store, lon=point[0], lat=point[1], radius_m=radius_of(radius_m), scope=list(scope))


def distance_text(metres: float, lang: str) -> str:
    if metres is None or pd.isna(metres):
        return "—"
    if metres < 1:
        return t("drill.res.inside", lang)
    return f"{metres / 1000:.2f} km" if metres >= 1000 else f"{int(round(metres))} m"


def resource_rows(frame: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    labels = kind_labels(lang)
    return [{"id": int(r["id"]), "kind": r["kind"], "kind_label": labels.get(r["kind"], r["kind"]),
             "name": plain(r["name"]) or "", "contact": plain(r["contact"]) or "",
             "state": r["state"], "state_label": name_of("resource_state", plain(r["state"]) or "", lang),
             "distance_m": float(r["distance_m"]), "distance_text": distance_text(r["distance_m"], lang)}
            for r in frame.to_dict("records")]


def resource_map_traces(frame: pd.DataFrame, lang: str) -> list[Any]:
    """The resource layer (one legend entry per kind), each trace tagged ``RESOURCE_LAYER``."""
    rows = resource_rows(frame, lang)
    hover = pd.Series([" · ".join(x for x in (r["name"], r["kind_label"], r["state_label"], r["contact"],
                                              r["distance_text"]) if x) for r in rows], index=frame.index,
                      dtype=object)
    traces = resource_traces(frame, labels=kind_labels(lang), hover=hover)
    for trace in traces:
        trace.update(meta=RESOURCE_LAYER)
    return traces


def with_resources(figure: Any, frame: pd.DataFrame, point: tuple[float, float], radius_m: Any, lang: str,
                   *, matter_id: int, width_px: int = 600, height_px: int = 320) -> Any:
    """The matter's mini-map with the resource layer, fitted to the circle of the radius (a
    new radius refits it; a pan or zoom stays until then)."""
    radius = radius_of(radius_m)
    figure.add_traces(resource_map_traces(frame, lang))
    box = resources.lonlat_box(point[0], point[1], radius / 1.1)
    center, zoom = maptraces.fit_center_zoom((box["min_lon"], box["min_lat"], box["max_lon"], box["max_lat"]),
                                             width_px, height_px)
    figure.update_layout(showlegend=True, uirevision=f"matter-res-{int(matter_id)}-{radius}",
                         map={"center": center, "zoom": zoom},
                         legend={"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.85)", "font": {"size": 11}})
    return figure


# -- possible duplicates ------------------------------------------------------------------------
MERGEABLE = lifecycle.TRANSITIONS["merge"][0]


def may_merge(status: str | None) -> bool:
    """Whether a matter in ``status`` can still be merged into another as its duplicate."""
    return status in MERGEABLE


def duplicate_rows(reader: Reader, scope: Iterable[int], matter_id: int, *, radius_m: float, days: int,
                   lang: str) -> list[dict[str, Any]] | None:
    """This matter's possible duplicates (same 小类 within ``radius_m`` and ``days``), nearest
    in time first; None when the viewer may not see the matter."""
    found = duplicates.related(reader.store, int(matter_id), scope=list(scope), radius_m=radius_m, days=days)
    if found is None:
        return None
    rows = []
    for r in found.to_dict("records"):
        rows.append({"id": str(int(r["id"])), "status": r["status"],
                     "status_label": name_of("status", plain(r["status"]) or "", lang),
                     "category": plain(r["category_name"]) or plain(r["category"]) or "",
                     "created_at": pd.Timestamp(r["created_at"]).strftime("%Y-%m-%d %H:%M"),
                     "address": plain(r["address"]) or "", "description": plain(r["description"]) or "",
                     "distance_text": distance_text(r["distance_m"], lang) if not pd.isna(r["distance_m"])
                     else t("drill.dup.same_cell", lang),
                     "hours_apart": None if pd.isna(r["hours_apart"]) else float(np.round(r["hours_apart"], 1)),
                     "voided": plain(r["status"]) == "voided"})
    return rows
