"""Small hand-made townships for the analysis tests: a grid of square cells with its stored
adjacency, two departments, two categories, and matters written as rows."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Iterable

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from layers.adjacency_store import store_cell_adjacency
from layers.geojson import geometries_to_wkb
from queries.derived import rebuild_derived
from queries.store import Store

VILLAGE = 100
DEPT_A, DEPT_B = 1, 2
CAT_MANHOLE, CAT_GARBAGE = 1, 2          # 小类 0101 (大类 01, dept A), 0401 (大类 04, dept B)
MATTER_COLUMNS = ("matter_id", "source", "category_id", "major_code", "address", "cell_id", "village_id",
                  "status", "lead_dept_id", "created_at", "dispatched_at", "signed_at", "sign_due_at",
                  "feedback_at", "closed_at", "followed_up_at", "voided_at", "escalated_at", "limit_min",
                  "due_at", "suspended_at", "extension_count", "rework_count", "satisfaction", "updated_at",
                  "event_count", "origin")


def cell_id(row: int, col: int, cols: int) -> int:
    return 1000 + row * cols + col


def new_township(path: Path, rows: int = 3, cols: int = 3) -> Store:
    """A store holding one village cut in a rows × cols grid of 500 m-ish squares."""
    store = Store(path, create=True)
    size = 0.005
    cells = [(cell_id(r, c, cols), box(119.40 + c * size, 32.40 - (r + 1) * size,
                                       119.40 + (c + 1) * size, 32.40 - r * size))
             for r in range(rows) for c in range(cols)]
    grid = gpd.GeoDataFrame({"area_id": [i for i, _ in cells]}, geometry=[g for _, g in cells], crs="EPSG:4326")
    areas = pd.DataFrame({
        "area_id": [1, VILLAGE] + list(grid["area_id"]),
        "level": ["township", "village"] + ["cell"] * len(grid),
        "code": ["321003101", "321003101001"] + [f"321003101001{i - 999:03d}" for i in grid["area_id"]],
        "name": ["测试街道", "测试社区"] + [f"网格{i - 999}" for i in grid["area_id"]],
        "parent_id": [None, 1] + [VILLAGE] * len(grid),
        "village_id": [None, VILLAGE] + [VILLAGE] * len(grid),
        "geom": [None, None] + geometries_to_wkb(grid),
    })
    with store.write() as cur:
        cur.register("frame", areas)
        cur.execute("INSERT INTO areas (area_id, level, code, name, parent_id, village_id, geom) "
                    "SELECT area_id, level, code, name, parent_id, village_id, geom FROM frame")
        cur.unregister("frame")
        cur.execute("INSERT INTO departments (dept_id, code, name, name_en) VALUES "
                    "(1, 'A', '甲部门', 'Dept A'), (2, 'B', '乙部门', 'Dept B')")
        cur.execute("INSERT INTO categories (category_id, code, name, name_en, major_code, major_name, "
                    "major_name_en, kind, default_dept_id, limit_value, limit_unit, urgency, table_version) VALUES "
                    "(1, '0101', '井盖缺失破损', 'Manhole', '01', '公用设施', 'Facilities', '部件', 1, 1, "
                    "'work_days', 'normal', 't'), "
                    "(2, '0401', '暴露垃圾', 'Garbage', '04', '市容环境', 'Appearance', '事件', 2, 1, "
                    "'work_days', 'normal', 't')")
        store_cell_adjacency(store, cur, grid)
    return store


def matter_row(matter_id: int, created_at: datetime, **values: Any) -> dict[str, Any]:
    category = values.get("category_id", CAT_MANHOLE)
    row = {c: None for c in MATTER_COLUMNS}
    row.update(matter_id=matter_id, source="public", category_id=category,
               major_code="01" if category == CAT_MANHOLE else "04", cell_id=1000, village_id=VILLAGE,
               status="closed", created_at=created_at, updated_at=created_at, event_count=1,
               extension_count=0, rework_count=0, origin="demo")
    row.update(values)
    return row


def insert_matters(store: Store, rows: Iterable[dict[str, Any]], events: Iterable[dict[str, Any]] = ()) -> None:
    """Write matters (and events) as given, then rebuild the derived tables."""
    frame = pd.DataFrame(list(rows), columns=list(MATTER_COLUMNS))
    for col in ("created_at", "dispatched_at", "signed_at", "sign_due_at", "feedback_at", "closed_at",
                "followed_up_at", "voided_at", "escalated_at", "due_at", "suspended_at", "updated_at"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[us]")
    for col in ("category_id", "cell_id", "village_id", "lead_dept_id", "limit_min"):
        frame[col] = frame[col].astype("Int64")
    event_frame = pd.DataFrame(list(events), columns=["matter_id", "seq", "action", "actor", "occurred_at",
                                                      "from_status", "to_status"])
    with store.write() as cur:
        cur.register("frame", frame)
        cols = ", ".join(MATTER_COLUMNS)
        cur.execute(f"INSERT INTO matters ({cols}) SELECT {cols} FROM frame")
        cur.unregister("frame")
        if len(event_frame):
            event_frame["occurred_at"] = pd.to_datetime(event_frame["occurred_at"]).astype("datetime64[us]")
            cur.register("ev", event_frame)
            cur.execute("INSERT INTO events (matter_id, seq, action, actor, occurred_at, from_status, to_status) "
                        "SELECT * FROM ev")
            cur.unregister("ev")
        rebuild_derived(store, cur)


def daily_series(counts: dict[date, int], *, first_id: int = 1, hour: int = 10, **values: Any) -> list[dict]:
    """Matters received on each day as counted, at ``hour`` o'clock, closed, with ``values``."""
    rows, next_id = [], first_id
    for day, n in sorted(counts.items()):
        for k in range(n):
            at = datetime(day.year, day.month, day.day, hour, 0) + timedelta(seconds=k)
            rows.append(matter_row(next_id, at, **values))
            next_id += 1
    return rows


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
