"""The demo's reference: the township grid, departments, categories, addresses and resources.

Written once by a build (``write_reference``) and drawn again the same way for a top-up
(``load_reference``): both draw from ``default_rng([seed, 1])`` in one order, so the
addresses, cell weights and hot cells come out the same.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from layers.adjacency_store import store_cell_adjacency
from layers.assign import random_points_in
from layers.geojson import geometries_to_wkb
from layers.township import build_demo_township
from queries.store import Store
from queries.workcal import limit_minutes

DATA_DIR = Path(__file__).resolve().parents[1]
CATEGORY_TABLE_VERSION = "demo-2024.1"
ADDRESSES_PER_CELL = 120
SLOW_DEPARTMENTS = ("WYB", "CJB")  # handle late more often: the ranking has a bottom
ROADS = ("运河路", "文昌路", "扬子江路", "邗江路", "维扬路", "江阳路", "念泗路", "翠岗路", "双塘路",
         "兴城路", "润扬路", "百祥路", "真州路", "华扬路", "秋雨路", "新城河路")


@dataclass(frozen=True)
class PlantedAnomaly:
    """One anomaly planted in the last weeks (see ``data.demo.anomalies``)."""

    anomaly_id: int
    kind: str                        # surge | drift | repeat
    days: tuple[date, ...]           # the days it adds matters on (drift: first and last day)
    per_day: tuple[int, ...] = ()    # matters added on each of those days
    cell: int = -1                   # row index in ref.cells
    category: int = -1               # row index in ref.categories
    address: int = -1                # row index in ref.addresses
    dept_id: int = -1

    @property
    def first_day(self) -> date:
        return self.days[0]

    @property
    def last_day(self) -> date:
        return self.days[-1]


@dataclass
class Reference:
    departments: pd.DataFrame       # dept_id, code, name, name_en, phone
    categories: pd.DataFrame        # category_id, … , default_dept_id, limit_min, weight, season
    cells: pd.DataFrame             # cell_id, village_id, code, name, worker_name, weight, position
    addresses: pd.DataFrame         # address, lon, lat (ADDRESSES_PER_CELL per cell, in cell order)
    hot_cell_of_category: np.ndarray
    day_minutes: int
    anomalies: list[PlantedAnomaly] = field(default_factory=list)


def read_departments() -> pd.DataFrame:
    df = pd.read_csv(DATA_DIR / "departments.csv", dtype=str)
    df.insert(0, "dept_id", np.arange(1, len(df) + 1, dtype=np.int32))
    return df


def read_categories(departments: pd.DataFrame) -> pd.DataFrame:
    df = pd.read_csv(DATA_DIR / "categories.csv", dtype={"code": str, "major_code": str,
                                                         "demo_season": str})
    dept_ids = dict(zip(departments["code"], departments["dept_id"]))
    unknown = set(df["default_dept"]) - set(dept_ids)
    if unknown:
        raise ValueError(f"categories.csv names unknown departments: {sorted(unknown)}")
    df.insert(0, "category_id", np.arange(1, len(df) + 1, dtype=np.int32))
    df["default_dept_id"] = df["default_dept"].map(dept_ids).astype(np.int32)
    df["demo_season"] = df["demo_season"].fillna("")
    return df



def _categories_with_limits(departments: pd.DataFrame, day_minutes: int) -> pd.DataFrame:
    categories = read_categories(departments)
    categories["limit_min"] = limit_minutes(categories["limit_value"], categories["limit_unit"], day_minutes)
    return categories


def _draw_cells(rng: np.random.Generator, cells: pd.DataFrame, villages: pd.DataFrame,
                n_categories: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The addresses (fixed points inside each cell, named after a road of the village),
    the cells' weights and each category's hot cell, in the one order both the build and
    a top-up draw them."""
    lon, lat = random_points_in(cells.geometry, np.full(len(cells), ADDRESSES_PER_CELL), rng)
    village_name = cells["village_code"].map(dict(zip(villages["code"], villages["name"])))
    road = rng.integers(0, len(ROADS), size=len(cells) * ADDRESSES_PER_CELL)
    number = rng.integers(1, 300, size=len(cells) * ADDRESSES_PER_CELL)
    addresses = pd.DataFrame({
        "address": [f"{v}{ROADS[r]}{n}号" for v, r, n in
                    zip(np.repeat(village_name.to_numpy(), ADDRESSES_PER_CELL), road, number)],
        "lon": np.round(lon, 6), "lat": np.round(lat, 6)})
    # Hot cells: a long-tailed spread, as real grids have a few busy market streets.
    cell_weight = rng.lognormal(0.0, 0.9, size=len(cells))
    hot_cell_of_category = rng.integers(0, len(cells), size=n_categories)
    return addresses, cell_weight, hot_cell_of_category


def write_reference(store: Store, seed: int) -> Reference:
    """Township grid, departments, categories and resources, in one transaction."""
    rng = np.random.default_rng([seed, 1])
    town = build_demo_township(seed)
    departments = read_departments()
    day_minutes = store.calendar.day_minutes()
    categories = _categories_with_limits(departments, day_minutes)

    township = town.township.iloc[0]
    villages = town.villages.reset_index(drop=True)
    cells = town.cells.reset_index(drop=True)
    village_id = {code: 100 + i for i, code in enumerate(villages["code"])}
    cell_ids = np.arange(1000, 1000 + len(cells), dtype=np.int32)
    proj = "EPSG:32650"
    rep_v = villages.geometry.representative_point()
    rep_c = cells.geometry.representative_point()
    areas = pd.concat([
        pd.DataFrame({"area_id": [1], "level": ["township"], "code": [township["code"]],
                      "name": [township["name"]], "parent_id": [None], "village_id": [None],
                      "worker_name": [None], "worker_phone": [None],
                      "lon": [town.township.geometry.representative_point().x.iloc[0]],
                      "lat": [town.township.geometry.representative_point().y.iloc[0]],
                      "area_km2": [town.township.to_crs(proj).area.iloc[0] / 1e6],
                      "geom": geometries_to_wkb(town.township)}),
        pd.DataFrame({"area_id": list(village_id.values()), "level": "village",
                      "code": villages["code"], "name": villages["name"], "parent_id": 1,
                      "village_id": list(village_id.values()), "worker_name": None,
                      "worker_phone": None, "lon": rep_v.x, "lat": rep_v.y,
                      "area_km2": villages.to_crs(proj).area / 1e6,
                      "geom": geometries_to_wkb(villages)}),
        pd.DataFrame({"area_id": cell_ids, "level": "cell", "code": cells["code"],
                      "name": cells["name"], "parent_id": cells["village_code"].map(village_id),
                      "village_id": cells["village_code"].map(village_id),
                      "worker_name": cells["worker_name"], "worker_phone": cells["worker_phone"],
                      "lon": rep_c.x, "lat": rep_c.y, "area_km2": cells.to_crs(proj).area / 1e6,
                      "geom": geometries_to_wkb(cells)}),
    ], ignore_index=True)
    areas["origin"] = "demo"
    for col in ("parent_id", "village_id"):
        areas[col] = areas[col].astype("Int32")

    addresses, cell_weight, hot_cell_of_category = _draw_cells(rng, cells, villages, len(categories))
    cell_villages = areas.loc[areas.level == "cell", "village_id"].to_numpy()
    cell_frame = pd.DataFrame({"cell_id": cell_ids, "village_id": cell_villages,
                               "code": cells["code"], "name": cells["name"],
                               "worker_name": cells["worker_name"], "weight": cell_weight})
    resources = _demo_resources(rng, cells, cell_frame, addresses, np.random.default_rng([seed, 15]))

    with store.write() as cur:
        for name, frame in (("areas", areas), ("resources", resources), ("departments", departments),
                            ("categories", categories.assign(table_version=CATEGORY_TABLE_VERSION))):
            cur.register(f"demo_{name}", frame)
            store.execute_write(cur, f"demo/insert_{name}")
            cur.unregister(f"demo_{name}")
        store.set_meta(cur, "category_table_version", CATEGORY_TABLE_VERSION)
        store.set_meta(cur, "township_name", str(township["name"]))
        store_cell_adjacency(store, cur, cells.assign(area_id=cell_ids))
    return Reference(departments, categories, cell_frame, addresses, hot_cell_of_category, day_minutes)


# The kinds the demo adds beyond the first five, drawn from their own generator so that
# the reference's draws (addresses, weights, hot cells) stay those of earlier builds.
MORE_KINDS = (
    ("vehicle", ("应急指挥车", "消防巡逻车", "抢险工程车", "救护车", "环卫洒水车", "执法巡查车",
                 "供电抢修车", "排涝泵车"), 6),
    ("key_site", ("镇中心小学", "镇中学", "卫生院", "农贸市场", "汽车客运站", "敬老院", "商业综合体",
                  "文化广场", "幼儿园", "水厂", "变电站", "大型超市"), None),
)
# A share of teams and vehicles out on a task, of cameras off line.
BUSY_SHARE = {"emergency_team": 0.2, "vehicle": 0.25}
OFFLINE_SHARE = {"camera": 0.08}


def _demo_resources(rng, cells, cell_frame, addresses, more_rng) -> pd.DataFrame:
    rows = []
    per_cell = ADDRESSES_PER_CELL
    for i, (cid, vid, worker) in enumerate(zip(cell_frame["cell_id"], cell_frame["village_id"],
                                                cells["worker_name"])):
        a = addresses.iloc[i * per_cell]
        rows.append(("grid_worker", f"网格员 {worker}", a.lon, a.lat, cid, vid,
                     cells["worker_phone"].iloc[i], None, cell_frame["name"].iloc[i]))
    kinds = (("emergency_team", ("应急救援队", "防汛抢险队", "综合执法应急分队", "供电抢修队", "燃气抢修队",
                                 "民兵应急排"), 30),
             ("shelter", tuple(f"应急避难场所{i + 1}号" for i in range(10)), 500),
             ("camera", tuple(f"视频监控点{i + 1:03d}" for i in range(60)), None),
             ("hazard_site", tuple(f"{n}{i + 1}" for i, n in enumerate(
                 ("加油站", "危化品仓库", "燃气调压站", "在建工地", "河道险段") * 5)), None))

    def place(kind_rows, draw):
        for kind, names, capacity in kind_rows:
            picks = draw.integers(0, len(addresses), size=len(names))
            for name, p in zip(names, picks):
                a = addresses.iloc[p]
                c = p // per_cell
                rows.append((kind, name, a.lon, a.lat, cell_frame["cell_id"].iloc[c],
                             cell_frame["village_id"].iloc[c], None,
                             None if capacity is None else int(capacity * (0.5 + draw.random())), a.address))

    place(kinds, rng)
    place(MORE_KINDS, more_rng)
    frame = pd.DataFrame(rows, columns=["kind", "name", "lon", "lat", "cell_id", "village_id", "contact",
                                        "capacity", "note"])
    frame.insert(0, "resource_id", np.arange(1, len(frame) + 1, dtype=np.int32))
    frame["capacity"] = frame["capacity"].astype("Int32")
    # Teams, vehicles and sites have a duty phone (a plausible mobile number); grid workers keep theirs.
    no_contact = frame["contact"].isna() & frame["kind"].isin(["emergency_team", "vehicle", "shelter",
                                                                "hazard_site", "key_site"])
    frame.loc[no_contact, "contact"] = [f"139{int(n):08d}" for n in
                                        more_rng.integers(0, 10**8, size=int(no_contact.sum()))]
    draw = more_rng.random(len(frame))
    state = np.full(len(frame), "available", dtype=object)
    for kind, share in BUSY_SHARE.items():
        state[(frame["kind"].to_numpy() == kind) & (draw < share)] = "busy"
    for kind, share in OFFLINE_SHARE.items():
        state[(frame["kind"].to_numpy() == kind) & (draw < share)] = "offline"
    frame["state"] = state
    return frame


def load_reference(store: Store) -> Reference:
    """The reference as written by ``write_reference``, for a top-up."""
    seed = int(store.meta("demo_seed"))
    rng = np.random.default_rng([seed, 1])
    departments = store.run("demo/departments")
    day_minutes = store.calendar.day_minutes()
    categories = _categories_with_limits(read_departments(), day_minutes)
    town = build_demo_township(seed)
    cells = store.run("demo/cells")
    addresses, weight, hot = _draw_cells(rng, town.cells.reset_index(drop=True),
                                         town.villages.reset_index(drop=True), len(categories))
    cells["weight"] = weight
    return Reference(departments, categories, cells, addresses, hot, day_minutes)
