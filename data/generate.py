"""The demo township: a plausible 运河街道 with two years of matters ending now.

Deterministic for a seed. Each matter's whole lifecycle is planned first (in working
minutes, on the calendar's axis W), then cut at ``as_of``: what has not happened yet is
dropped, and the matter's state is what its kept events imply. Randomness is drawn per
day from ``default_rng([seed, day])``, so a day's matters are the same however the build
is chunked, and a later top-up can regenerate recent days and carry their open matters
forward to the present.

The last weeks carry planted anomalies (surges in chosen cells × 小类, a department whose
on-time rate drifts down, repeat complaints at chosen addresses), placed relative to the
build's as-of day and recorded in ``demo_ground_truth``: what the warnings must find.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from layers.adjacency_store import store_cell_adjacency
from layers.assign import random_points_in
from layers.geojson import geometries_to_wkb
from layers.township import build_demo_township
from queries.derived import rebuild_derived
from queries.store import Store, StoreError
from queries.workcal import WorkCalendar, limit_minutes
from queries import clock

DATA_DIR = Path(__file__).resolve().parent
SOURCES = ("transfer", "inspection", "grid", "public")
LEVELS = ("general", "larger", "major", "especially_major")
SATISFACTION = ("satisfied", "basic", "unsatisfied")
CATEGORY_TABLE_VERSION = "demo-2024.1"
ADDRESSES_PER_CELL = 120
TOP_UP_WINDOW_DAYS = 120          # every planned lifecycle ends within this
SLOW_DEPARTMENTS = ("WYB", "CJB")  # handle late more often: the ranking has a bottom
N_UNIFORMS = 34

SEAT_OPERATORS = ("坐席员 王敏", "坐席员 李娜", "坐席员 张静", "坐席员 刘洋")
COMMANDERS = ("指挥长 陈刚", "指挥长 周伟")
UPPER_CENTER = "区指挥中心"
SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈")
ROADS = ("运河路", "文昌路", "扬子江路", "邗江路", "维扬路", "江阳路", "念泗路", "翠岗路", "双塘路",
         "兴城路", "润扬路", "百祥路", "真州路", "华扬路", "秋雨路", "新城河路")
SUPERVISION_NOTES = ("请加快处置，今日内反馈", "群众反复来电，请立即处置", "已超期，请说明原因并限时办结",
                     "请主要负责人督办落实")
DETAILS = ("群众反映情况属实，需尽快处理", "影响居民出行", "多次出现，请彻底整治", "现场拍照已上传",
           "周边商户反映强烈", "存在安全隐患")
# Hour-of-day weights: office peaks, a quiet night.
HOUR_WEIGHTS = np.array([0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.6, 1.5, 3.5, 5, 5, 4.5,
                         2.5, 2.5, 4.5, 5, 4.5, 3.5, 2, 1.5, 1.2, 1, 0.7, 0.5])
WEEKDAY_FACTOR = np.array([1.15, 1.05, 1.05, 1.0, 1.0, 0.75, 0.7])

ProgressFn = Callable[[str], None]


@dataclass
class BuildStats:
    matters: int = 0
    events: int = 0
    open_matters: int = 0
    first_day: date | None = None
    as_of: datetime | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def matters_per_s(self) -> float:
        return self.matters / self.seconds if self.seconds else float("nan")


# -- reference data -------------------------------------------------------------------
@dataclass
class Reference:
    departments: pd.DataFrame       # dept_id, code, name, name_en, phone
    categories: pd.DataFrame        # category_id, … , default_dept_id, limit_min, weight, season
    cells: pd.DataFrame             # cell_id, village_id, code, name, worker_name, weight, position
    addresses: pd.DataFrame         # address, lon, lat (ADDRESSES_PER_CELL per cell, in cell order)
    hot_cell_of_category: np.ndarray
    day_minutes: int
    anomalies: list["PlantedAnomaly"] = field(default_factory=list)


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


def _person_names(rng: np.random.Generator, n: int) -> list[str]:
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红海燕"
    return [rng.choice(list(SURNAMES)) + "".join(rng.choice(list(given), size=rng.integers(1, 3)))
            for _ in range(n)]


def write_reference(store: Store, seed: int) -> Reference:
    """Township grid, departments, categories and resources, in one transaction."""
    rng = np.random.default_rng([seed, 1])
    town = build_demo_township(seed)
    departments = read_departments()
    categories = read_categories(departments)
    calendar = store.calendar
    day_minutes = calendar.day_minutes()
    categories["limit_min"] = limit_minutes(categories["limit_value"], categories["limit_unit"], day_minutes)

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

    # Addresses: fixed points inside each cell, named after a road of the village.
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
    cell_frame = pd.DataFrame({"cell_id": cell_ids, "village_id": areas.loc[areas.level == "cell", "village_id"].to_numpy(),
                               "code": cells["code"], "name": cells["name"],
                               "worker_name": cells["worker_name"], "weight": cell_weight})
    hot_cell_of_category = rng.integers(0, len(cells), size=len(categories))

    resources = _demo_resources(rng, cells, cell_frame, addresses)

    with store.write() as cur:
        for table, frame in (("areas", areas), ("resources", resources)):
            cur.register("frame", frame)
            cols = ", ".join(frame.columns)
            cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM frame")  # noqa: S608 (names from code)
            cur.unregister("frame")
        cur.register("frame", departments)
        cur.execute("INSERT INTO departments (dept_id, code, name, name_en, phone) "
                    "SELECT dept_id, code, name, name_en, phone FROM frame")
        cur.unregister("frame")
        cat = categories.assign(table_version=CATEGORY_TABLE_VERSION)
        cur.register("frame", cat)
        cur.execute("INSERT INTO categories (category_id, code, name, name_en, major_code, major_name, "
                    "major_name_en, kind, default_dept_id, limit_value, limit_unit, urgency, table_version) "
                    "SELECT category_id, code, name, name_en, major_code, major_name, major_name_en, kind, "
                    "default_dept_id, limit_value, limit_unit, urgency, table_version FROM frame")
        cur.unregister("frame")
        store.set_meta(cur, "category_table_version", CATEGORY_TABLE_VERSION)
        store.set_meta(cur, "township_name", str(township["name"]))
        store_cell_adjacency(store, cur, cells.assign(area_id=cell_ids))
    return Reference(departments, categories, cell_frame, addresses, hot_cell_of_category, day_minutes)


def _demo_resources(rng, cells, cell_frame, addresses) -> pd.DataFrame:
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
    for kind, names, capacity in kinds:
        picks = rng.integers(0, len(addresses), size=len(names))
        for name, p in zip(names, picks):
            a = addresses.iloc[p]
            c = p // per_cell
            rows.append((kind, name, a.lon, a.lat, cell_frame["cell_id"].iloc[c],
                         cell_frame["village_id"].iloc[c], None,
                         None if capacity is None else int(capacity * (0.5 + rng.random())), a.address))
    frame = pd.DataFrame(rows, columns=["kind", "name", "lon", "lat", "cell_id", "village_id", "phone",
                                        "capacity", "note"])
    frame.insert(0, "resource_id", np.arange(1, len(frame) + 1, dtype=np.int32))
    frame["capacity"] = frame["capacity"].astype("Int32")
    return frame


def load_reference(store: Store) -> Reference:
    """The reference as written by ``write_reference``, for a top-up."""
    seed = int(store.meta("demo_seed"))
    rng = np.random.default_rng([seed, 1])
    departments = store.frame("SELECT dept_id, code, name, name_en, phone FROM departments ORDER BY dept_id")
    categories = read_categories(read_departments())
    day_minutes = store.calendar.day_minutes()
    categories["limit_min"] = limit_minutes(categories["limit_value"], categories["limit_unit"], day_minutes)
    town = build_demo_township(seed)
    cells = town.cells.reset_index(drop=True)
    lon, lat = random_points_in(cells.geometry, np.full(len(cells), ADDRESSES_PER_CELL), rng)
    stored_cells = store.frame("SELECT area_id AS cell_id, village_id, code, name, worker_name "
                               "FROM areas WHERE level = 'cell' ORDER BY area_id")
    # Draw in the same order as write_reference, so the addresses come out the same.
    villages = town.villages.reset_index(drop=True)
    village_name = cells["village_code"].map(dict(zip(villages["code"], villages["name"])))
    road = rng.integers(0, len(ROADS), size=len(cells) * ADDRESSES_PER_CELL)
    number = rng.integers(1, 300, size=len(cells) * ADDRESSES_PER_CELL)
    addresses = pd.DataFrame({
        "address": [f"{v}{ROADS[r]}{n}号" for v, r, n in
                    zip(np.repeat(village_name.to_numpy(), ADDRESSES_PER_CELL), road, number)],
        "lon": np.round(lon, 6), "lat": np.round(lat, 6)})
    stored_cells["weight"] = rng.lognormal(0.0, 0.9, size=len(cells))
    hot = rng.integers(0, len(cells), size=len(categories))
    return Reference(departments, categories, stored_cells, addresses, hot, day_minutes)


# -- volume over time -----------------------------------------------------------------
def day_weights(days: pd.DatetimeIndex, calendar_kinds: pd.Series, first_day: date) -> np.ndarray:
    """Expected relative volume per day: week cycle, summer, holidays, slow growth."""
    w = WEEKDAY_FACTOR[np.asarray(days.day_of_week)]
    month = pd.Series(np.asarray(days.month))
    w = w * np.where((month >= 6) & (month <= 8), 1.25, 1.0)
    w = w * np.where(month.isin([12, 1, 2]), 0.9, 1.0)
    w = w * np.where(calendar_kinds.to_numpy() == "holiday", 0.6, 1.0)
    years = (days - pd.Timestamp(first_day)).days / 365.25
    return np.asarray(w * (1 + 0.12 * np.asarray(years)), dtype=float)


def season_multiplier(day: pd.Timestamp, seasons: np.ndarray) -> np.ndarray:
    m, d = day.month, day.day
    summer = 6 <= m <= 8
    plum = (m == 6 and d >= 15) or (m == 7 and d <= 15)     # 梅雨
    winter = m in (12, 1, 2)
    return np.select([seasons == "summer", seasons == "plum", seasons == "winter"],
                     [1.8 if summer else 1.0, 2.5 if plum else 1.0, 1.6 if winter else 1.0], 1.0)


# -- planted anomalies (ground truth for the warnings) ---------------------------------
# Offsets in days from the anchor (the build's as-of day) of the surges' first days; each
# surge lasts SURGE_DAYS days, in its own village, one cell × one 小类.
SURGE_STARTS = (-45, -33, -24, -17, -10, -5)
SURGE_DAYS = 3
DRIFT_DAYS = 42                     # the drifting department's on-time rate falls over these
DRIFT_EXTRA_OVERDUE = 0.55          # … until this much more of its matters end overdue
# Repeat-complaint points: the days (offsets) of the same complaint at the same address.
REPEAT_POINTS = ((-13, -6), (-16, -10, -4), (-15, -12, -9, -5, -2))


@dataclass(frozen=True)
class PlantedAnomaly:
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


def plan_anomalies(ref: Reference, seed: int, anchor: date, mean_per_day: float) -> list[PlantedAnomaly]:
    """Surges in chosen cells × 小类, one drifting department and repeat-complaint points,
    placed relative to ``anchor``; the same for the same seed, anchor and volume."""
    rng = np.random.default_rng([seed, 5])
    cats, cells = ref.categories, ref.cells
    cat_share = cats["demo_weight"].to_numpy(dtype=float) / cats["demo_weight"].sum()
    cell_w = cells["weight"].to_numpy(dtype=float)
    cell_share = cell_w / cell_w.sum()
    hot = set(int(h) for h in ref.hot_cell_of_category)
    quiet = np.flatnonzero((cell_w <= np.quantile(cell_w, 0.75))
                           & ~np.isin(np.arange(len(cells)), list(hot)))
    common = np.flatnonzero(cats["demo_weight"].to_numpy(dtype=float) >= 1.0)
    villages = cells["village_id"].to_numpy()
    village_order = rng.permutation(np.unique(villages[quiet]))
    out: list[PlantedAnomaly] = []
    used_cells: set[int] = set()
    for i, start in enumerate(SURGE_STARTS):
        village = village_order[i % len(village_order)]
        cell = int(rng.choice(quiet[villages[quiet] == village]))
        category = int(rng.choice(common))
        used_cells.add(cell)
        expected = mean_per_day * cat_share[category] * 0.92 * cell_share[cell]
        per_day = int(max(4, np.ceil(2 * expected + 4 * np.sqrt(expected) + 1)))
        days = tuple(anchor + timedelta(days=start + k) for k in range(SURGE_DAYS))
        out.append(PlantedAnomaly(len(out) + 1, "surge", days, (per_day,) * SURGE_DAYS, cell=cell,
                                  category=category))
    # The drifting department: the busiest one not already slow, so its series is dense.
    dept_weight = pd.Series(cats["demo_weight"].to_numpy(dtype=float)).groupby(
        cats["default_dept_id"].to_numpy()).sum()
    codes = dict(zip(ref.departments["dept_id"], ref.departments["code"]))
    dept_weight = dept_weight[[codes[int(d)] not in SLOW_DEPARTMENTS for d in dept_weight.index]]
    drift_dept = int(dept_weight.idxmax())
    out.append(PlantedAnomaly(len(out) + 1, "drift", (anchor - timedelta(days=DRIFT_DAYS), anchor),
                              dept_id=drift_dept))
    complaint = np.flatnonzero(np.isin(cats["kind"].to_numpy(), ["事件", "诉求"]))
    for offsets in REPEAT_POINTS:
        cell = int(rng.choice(np.setdiff1d(quiet, list(used_cells))))
        used_cells.add(cell)
        address = cell * ADDRESSES_PER_CELL + int(rng.integers(ADDRESSES_PER_CELL))
        days = tuple(anchor + timedelta(days=o) for o in offsets)
        out.append(PlantedAnomaly(len(out) + 1, "repeat", days, (1,) * len(days), cell=cell,
                                  category=int(rng.choice(complaint)), address=address))
    return out


def drift_extra_overdue(ref: Reference, created: np.ndarray, dept_ids: np.ndarray) -> np.ndarray:
    """Extra probability of ending overdue from a planted drift: rising linearly over its
    days for matters of the drifting department."""
    extra = np.zeros(len(created))
    days = created.astype("datetime64[D]")
    for a in ref.anomalies:
        if a.kind != "drift":
            continue
        first, last = np.datetime64(a.first_day, "D"), np.datetime64(a.last_day, "D")
        progress = ((days - first).astype(np.int64) + 1) / ((last - first).astype(np.int64) + 1)
        inside = (days >= first) & (days <= last) & (dept_ids == a.dept_id)
        extra = np.where(inside, DRIFT_EXTRA_OVERDUE * np.clip(progress, 0, 1), extra)
    return extra


def planted_matters_of_day(ref: Reference, day: pd.Timestamp, seed: int) -> list[tuple[int, int, int, int]]:
    """(category, cell, address, source) of the matters the anomalies add on ``day``."""
    rng = np.random.default_rng([seed, 4, day.toordinal()])
    rows = []
    for a in ref.anomalies:
        if a.kind == "drift" or day.date() not in a.days:
            continue
        n = a.per_day[a.days.index(day.date())]
        for _ in range(n):
            if a.kind == "surge":
                address = a.cell * ADDRESSES_PER_CELL + int(rng.integers(ADDRESSES_PER_CELL))
                source = int(rng.choice([2, 3]))          # grid workers and the public report it
            else:
                address, source = a.address, 3            # the same person calls again
            rows.append((a.category, a.cell, address, source))
    return rows


def ground_truth_frame(ref: Reference) -> pd.DataFrame:
    """The planted anomalies as rows of ``demo_ground_truth``."""
    cats, cells = ref.categories, ref.cells
    rows = []
    for a in ref.anomalies:
        has_cell = a.cell >= 0
        rows.append({
            "anomaly_id": a.anomaly_id, "kind": a.kind, "first_day": a.first_day, "last_day": a.last_day,
            "village_id": int(cells["village_id"].iloc[a.cell]) if has_cell else None,
            "cell_id": int(cells["cell_id"].iloc[a.cell]) if has_cell else None,
            "category_id": int(cats["category_id"].iloc[a.category]) if a.category >= 0 else None,
            "major_code": str(cats["major_code"].iloc[a.category]) if a.category >= 0 else None,
            "dept_id": a.dept_id if a.dept_id >= 0 else None,
            "address": str(ref.addresses["address"].iloc[a.address]) if a.address >= 0 else None,
            "matters": int(sum(a.per_day)) if a.per_day else None,
            "note": {"surge": f"{a.per_day[0] if a.per_day else 0} extra matters a day",
                     "drift": f"overdue share rises by up to {DRIFT_EXTRA_OVERDUE:.0%}",
                     "repeat": f"{len(a.days)} complaints at one address"}[a.kind],
        })
    frame = pd.DataFrame(rows, columns=["anomaly_id", "kind", "first_day", "last_day", "village_id", "cell_id",
                                        "category_id", "major_code", "dept_id", "address", "matters", "note"])
    for col in ("village_id", "cell_id", "category_id", "dept_id", "matters"):
        frame[col] = frame[col].astype("Int64")
    return frame


# -- one chunk of days ----------------------------------------------------------------
@dataclass
class DayDraws:
    created: np.ndarray        # datetime64[s]
    matter_id: np.ndarray      # int64
    category: np.ndarray       # row index in categories
    cell: np.ndarray           # row index in cells
    address: np.ndarray        # row index in addresses
    source: np.ndarray         # index in SOURCES
    u: np.ndarray              # (n, N_UNIFORMS) uniforms for the lifecycle


def draw_days(days: list[pd.Timestamp], counts: list[int], seed: int, ref: Reference) -> DayDraws:
    cats = ref.categories
    base_cat_w = cats["demo_weight"].to_numpy(dtype=float)
    seasons = cats["demo_season"].to_numpy()
    cell_cdf = np.cumsum(ref.cells["weight"].to_numpy())
    cell_cdf /= cell_cdf[-1]
    hour_cdf = np.cumsum(HOUR_WEIGHTS) / HOUR_WEIGHTS.sum()
    parts: dict[str, list[np.ndarray]] = {k: [] for k in DayDraws.__dataclass_fields__}
    for day, n in zip(days, counts):
        if n == 0:
            continue
        rng = np.random.default_rng([seed, day.toordinal()])
        u = rng.random((n, N_UNIFORMS))
        hour = np.searchsorted(hour_cdf, u[:, 0], side="right")
        seconds = hour * 3600 + (u[:, 1] * 3600).astype(np.int64)
        order = np.argsort(seconds, kind="stable")
        u, seconds, hour = u[order], seconds[order], hour[order]
        created = np.datetime64(day.date(), "s") + seconds.astype("timedelta64[s]")
        office = (hour >= 8) & (hour < 18)
        src_cdf_office = np.cumsum([0.22, 0.22, 0.30, 0.26])
        src_cdf_night = np.cumsum([0.15, 0.0, 0.05, 0.80])
        source = np.where(office, np.searchsorted(src_cdf_office, u[:, 2] * 0.999999, side="right"),
                          np.searchsorted(src_cdf_night, u[:, 2] * 0.999999, side="right"))
        cw = base_cat_w * season_multiplier(day, seasons)
        if day.month == 2 and day.day <= 20:   # Spring Festival fireworks
            cw = cw * np.where(np.isin(cats["code"].to_numpy(), ["0405", "0802"]), 3.0, 1.0)
        cat_cdf = np.cumsum(cw) / cw.sum()
        category = np.minimum(np.searchsorted(cat_cdf, u[:, 3], side="right"), len(cw) - 1)
        cell = np.minimum(np.searchsorted(cell_cdf, u[:, 4], side="right"), len(cell_cdf) - 1)
        hot = u[:, 5] < 0.08
        cell = np.where(hot, ref.hot_cell_of_category[category], cell)
        address = cell * ADDRESSES_PER_CELL + (u[:, 6] * ADDRESSES_PER_CELL).astype(np.int64)
        planted = planted_matters_of_day(ref, day, seed) if ref.anomalies else []
        if planted:
            # Planted matters come in office hours, from their own stream of draws, so the
            # day's ordinary matters stay as they are.
            extra_u = np.random.default_rng([seed, 6, day.toordinal()]).random((len(planted), N_UNIFORMS))
            extra_u[:, 25] = 0.5 + 0.5 * extra_u[:, 25]     # never voided: the ground truth holds
            extra = np.array(planted, dtype=np.int64)
            seconds = np.concatenate([seconds, (8.5 * 3600 + extra_u[:, 1] * 9 * 3600).astype(np.int64)])
            u = np.concatenate([u, extra_u])
            category = np.concatenate([category, extra[:, 0]])
            cell = np.concatenate([cell, extra[:, 1]])
            address = np.concatenate([address, extra[:, 2]])
            source = np.concatenate([source, extra[:, 3]])
            order = np.argsort(seconds, kind="stable")
            seconds, u, category, cell, address, source = (x[order] for x in (seconds, u, category, cell,
                                                                               address, source))
            created = np.datetime64(day.date(), "s") + seconds.astype("timedelta64[s]")
            n = len(seconds)
        ymd = day.year * 10000 + day.month * 100 + day.day
        parts["created"].append(created)
        parts["matter_id"].append(ymd * 100000 + np.arange(1, n + 1, dtype=np.int64))
        parts["category"].append(category)
        parts["cell"].append(cell)
        parts["address"].append(address)
        parts["source"].append(source)
        parts["u"].append(u)
    if not parts["created"]:
        empty = np.array([], dtype=np.int64)
        return DayDraws(np.array([], dtype="datetime64[s]"), empty, empty, empty, empty, empty,
                        np.empty((0, N_UNIFORMS)))
    return DayDraws(**{k: np.concatenate(v) for k, v in parts.items()})


# The lifecycle template: every matter takes an ordered subset of these steps.
# (step name, action, from status, to status)
STEPS = (
    ("accept", "accept", None, "registered"),
    ("void", "void", "registered", "voided"),
    ("escalate", "escalate", "registered", "escalated"),
    ("close_escalated", "close", "escalated", "closed"),
    ("dispatch", "dispatch", "registered", "dispatched"),
    ("return", "return", "dispatched", "returned"),
    ("redispatch", "dispatch", "returned", "dispatched"),
    ("sign", "sign", "dispatched", "handling"),
    ("suspend", "suspend", "handling", "suspended"),
    ("resume", "resume", "suspended", "handling"),
    ("extend", "extend", "handling", "handling"),
    ("supervise1", "supervise", "handling", "handling"),
    ("supervise2", "supervise", "handling", "handling"),
    ("feedback1", "feedback", "handling", "feedback"),
    ("reject", "reject", "feedback", "handling"),
    ("feedback2", "feedback", "handling", "feedback"),
    ("verify", "verify", "feedback", "verified"),
    ("close", "close", "verified", "closed"),
    ("follow_up", "follow_up", "closed", "closed"),
)
STEP_INDEX = {s[0]: i for i, s in enumerate(STEPS)}
ACTIONS = tuple(dict.fromkeys(s[1] for s in STEPS))
STATUSES = ("registered", "voided", "escalated", "closed", "dispatched", "returned", "handling",
            "suspended", "feedback", "verified")


def plan_lifecycles(d: DayDraws, ref: Reference, calendar: WorkCalendar, as_of: np.datetime64,
                    emergencies: bool) -> dict:
    """Plan every matter's steps in working minutes, then cut at ``as_of``."""
    n = len(d.created)
    u = d.u
    cats = ref.categories
    day_min = ref.day_minutes
    limit = cats["limit_min"].to_numpy()[d.category].astype(np.float64)
    urgent = (cats["urgency"].to_numpy()[d.category] == "urgent")
    major = cats["major_code"].to_numpy()[d.category]
    default_dept = cats["default_dept_id"].to_numpy()[d.category]
    dept_codes = ref.departments["code"].to_numpy()
    dept_ids = ref.departments["dept_id"].to_numpy()
    slow = np.isin(dept_codes[default_dept - 1], SLOW_DEPARTMENTS)
    exp = lambda col, mean: -np.log1p(-u[:, col]) * mean  # noqa: E731  (exponential draw)

    level = np.where(urgent & (u[:, 7] < 0.05), 1, 0)
    level = np.where(urgent & (u[:, 7] < 0.005), 2, level)
    source = d.source

    W = {name: np.full(n, np.nan) for name, *_ in STEPS}
    W0 = calendar.work_min_at(d.created)
    W["accept"] = W0
    void = u[:, 25] < 0.03
    escalate = ~void & (u[:, 26] < np.where(urgent | (source == 0), 0.04, 0.005))
    normal = ~void & ~escalate
    W["void"] = np.where(void, W0 + 10 + exp(7, 20), np.nan)
    W["escalate"] = np.where(escalate, W0 + 20 + exp(7, 30), np.nan)
    W["close_escalated"] = W["escalate"] + day_min * (2 + 6 * u[:, 27])

    W["dispatch"] = np.where(normal, W0 + 5 + exp(7, np.where(urgent, 8, 25)), np.nan)
    returned = normal & (u[:, 8] < 0.04)
    wrong_dept = dept_ids[(default_dept - 1 + 1 + (u[:, 30] * (len(dept_ids) - 1)).astype(int)) % len(dept_ids)]
    first_dept = np.where(returned, wrong_dept, default_dept)
    W["return"] = np.where(returned, W["dispatch"] + 30 + exp(9, day_min * 0.5), np.nan)
    W["redispatch"] = W["return"] + 10 + exp(9, 20)
    last_dispatch = np.where(returned, W["redispatch"], W["dispatch"])
    late_sign = u[:, 11] < np.where(slow, 0.15, 0.06)
    W["sign"] = last_dispatch + np.where(late_sign, day_min * (1.0 + u[:, 10] * 0.8),
                                         5 + exp(10, np.where(urgent, 10, 90)))

    # When would the feedback come, as a share of the limit counted from acceptance.
    overdue = u[:, 13] < np.where(slow, 0.25, 0.08) + (drift_extra_overdue(ref, d.created, default_dept)
                                                      if ref.anomalies else 0.0)
    share = np.where(overdue, 1.02 + np.minimum(exp(12, 0.35), 1.5),
                     np.minimum(np.exp(np.log(0.4) + 0.45 * _std_normal(u[:, 12])), 0.9))
    emergency = np.zeros(n, dtype=bool)
    if emergencies and n:
        # A few open emergencies: recent urgent matters, still being handled now.
        recent = np.flatnonzero(normal & urgent & (d.created > as_of - np.timedelta64(36, "h"))
                                & (d.created <= as_of))
        pick = recent[-3:]
        emergency[pick] = True
        level[pick] = np.array([2, 1, 1])[: len(pick)]
        share[pick] = 40.0
    handling_start = W["sign"]
    fb = np.maximum(W0 + share * limit, handling_start + 10)

    suspended = normal & (u[:, 15] < 0.01) & ~emergency
    pause = day_min * (1 + 4 * u[:, 16])
    W["suspend"] = np.where(suspended, handling_start + 0.3 * (fb - handling_start), np.nan)
    W["resume"] = W["suspend"] + pause
    fb = np.where(suspended, fb + pause, fb)
    prev = np.where(suspended, W["resume"], handling_start)

    extended = normal & overdue & (u[:, 14] < 0.4) & ~emergency
    extra = np.ceil((share - 1.0) * limit / 30.0 + 1) * 30
    W["extend"] = np.where(extended, prev + 0.4 * (fb - prev), np.nan)
    ext_min = np.where(extended, extra, 0.0)
    prev = np.where(extended, W["extend"], prev)

    due_w_final = W0 + limit + ext_min + np.where(suspended, pause, 0.0)
    late_at_feedback = fb > due_w_final
    supervised = normal & ((late_at_feedback & (u[:, 17] < 0.6)) | (u[:, 17] < 0.02) | emergency)
    lo, hi = prev + 1, fb - 1
    room = hi - lo > 2
    at_due = np.where((due_w_final + 30 > lo) & (due_w_final + 30 < hi), due_w_final + 30,
                      lo + (hi - lo) * 0.5)
    W["supervise1"] = np.where(supervised & room, at_due, np.nan)
    twice = supervised & room & (u[:, 18] < 0.25)
    W["supervise2"] = np.where(twice, W["supervise1"] + (hi - W["supervise1"]) * 0.5, np.nan)

    W["feedback1"] = np.where(normal, fb, np.nan)
    rework = normal & (u[:, 20] < np.where(slow, 0.12, 0.06))
    W["reject"] = np.where(rework, fb + 5 + exp(19, np.minimum(90, 0.05 * limit)), np.nan)
    W["feedback2"] = W["reject"] + np.maximum(0.15 * limit * u[:, 21], 20)
    last_fb = np.where(rework, W["feedback2"], W["feedback1"])
    W["verify"] = last_fb + 5 + exp(19, np.minimum(120, 0.05 * limit))
    W["close"] = W["verify"] + 2 + 8 * u[:, 28]

    closed_w = np.where(escalate, W["close_escalated"], W["close"])
    follow_p = np.array([0.9, 0.2, 0.3, 0.9])[source]
    followed = ~void & (u[:, 22] < follow_p)
    W["follow_up"] = np.where(followed, closed_w + day_min * (0.3 + 1.5 * u[:, 24]), np.nan)
    late_close = closed_w > due_w_final
    p_unsat = np.where(late_close, 0.18, 0.05) + np.where(slow, 0.05, 0.0)
    p_basic = 0.12
    satisfaction = np.where(u[:, 23] < p_unsat, 2, np.where(u[:, 23] < p_unsat + p_basic, 1, 0))

    # Working minutes → instants; cut at as_of.
    times, kept = {}, {}
    for name, w in W.items():
        t = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
        has = ~np.isnan(w)
        if has.any():
            t[has] = calendar.at_work_min(w[has])
        if name == "accept":
            t = d.created.copy()
        times[name] = t
        kept[name] = has & (t <= as_of) if name != "accept" else (d.created <= as_of)
    return dict(W=W, times=times, kept=kept, limit=limit, urgent=urgent, major=major, level=level,
                first_dept=first_dept, default_dept=default_dept, ext_min=ext_min, pause=pause,
                satisfaction=satisfaction, W0=W0)


def _std_normal(u: np.ndarray) -> np.ndarray:
    """Inverse normal CDF (Acklam's rational approximation; plenty for a demo)."""
    u = np.clip(u, 1e-9, 1 - 1e-9)
    a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
         1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
    b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
         6.680131188771972e+01, -1.328068155288572e+01]
    c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
         -2.549671348283755e+00, 4.374664141464968e+00, 2.938163982698783e+00]
    dd = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    q = np.where(u < 0.5, u, 1 - u)
    r = np.sqrt(-2 * np.log(q))
    tail = (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) / \
           ((((dd[0] * r + dd[1]) * r + dd[2]) * r + dd[3]) * r + 1)
    x = np.where(u < 0.5, tail, -tail)
    central = np.abs(u - 0.5) <= 0.47575
    qq = u - 0.5
    rr = qq * qq
    cen = (((((a[0] * rr + a[1]) * rr + a[2]) * rr + a[3]) * rr + a[4]) * rr + a[5]) * qq / \
          (((((b[0] * rr + b[1]) * rr + b[2]) * rr + b[3]) * rr + b[4]) * rr + 1)
    return np.where(central, cen, x)


def _dict_array(indices: np.ndarray, values: tuple | list) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32)),
                                          pa.array(list(values), type=pa.string()))


def chunk_tables(d: DayDraws, plan: dict, ref: Reference, calendar: WorkCalendar,
                 as_of: np.datetime64) -> tuple[pa.Table, pa.Table]:
    """The matters (state = replay of kept events) and their events, for one chunk."""
    alive = plan["kept"]["accept"]
    n = len(d.created)
    kept, times = plan["kept"], plan["times"]
    nsteps = len(STEPS)

    # Events: every kept step, grouped by matter in template order (nonzero walks the
    # matter × step matrix row by row, so no sort is needed).
    kept_matrix = np.stack([kept[name] & alive for name, *_ in STEPS], axis=1)
    m_idx, s_idx = np.nonzero(kept_matrix)
    seq = np.cumsum(kept_matrix, axis=1, dtype=np.int32)[m_idx, s_idx]
    step_time = np.stack([times[name] for name, *_ in STEPS], axis=1)
    at = step_time[m_idx, s_idx]

    action_of_step = np.array([ACTIONS.index(s[1]) for s in STEPS])
    status_idx = {s: i for i, s in enumerate(STATUSES)}
    from_of_step = np.array([-1 if s[2] is None else status_idx[s[2]] for s in STEPS])
    to_of_step = np.array([status_idx[s[3]] for s in STEPS])
    dept_names = ref.departments["name"].tolist()
    actors = list(SEAT_OPERATORS) + list(COMMANDERS) + [UPPER_CENTER] + [f"{x}经办人" for x in dept_names]
    n_seat, n_cmd = len(SEAT_OPERATORS), len(COMMANDERS)
    first_dept, default_dept = plan["first_dept"], plan["default_dept"]
    # The department at each step: the wrong one until it is returned, then the right one.
    dept_at = np.where(s_idx <= STEP_INDEX["return"], first_dept[m_idx], default_dept[m_idx])
    seat = (d.u[m_idx, 29] * n_seat).astype(int)
    in_steps = lambda names: np.isin(np.arange(nsteps), [STEP_INDEX[x] for x in names])[s_idx]  # noqa: E731
    by_dept = ("return", "sign", "feedback1", "feedback2")
    by_cmd = ("supervise1", "supervise2", "extend", "suspend", "resume", "escalate")
    is_dept, is_cmd = in_steps(by_dept), in_steps(by_cmd)
    actor = np.where(is_dept, n_seat + n_cmd + 1 + dept_at - 1,
                     np.where(is_cmd, n_seat + (seat % n_cmd),
                              np.where(s_idx == STEP_INDEX["close_escalated"], n_seat + n_cmd, seat)))
    dept_col = np.where(is_dept | in_steps(("dispatch", "redispatch")), dept_at, -1)
    is_extend = s_idx == STEP_INDEX["extend"]
    minutes = np.where(is_extend, plan["ext_min"][m_idx], np.nan)
    is_follow = s_idx == STEP_INDEX["follow_up"]
    value_idx = np.where(is_follow, plan["satisfaction"][m_idx], -1)
    note_idx = np.where(in_steps(("supervise1", "supervise2")),
                        (d.u[m_idx, 31] * len(SUPERVISION_NOTES)).astype(int), -1)
    mask = lambda x: pa.array(x, mask=(x < 0))  # noqa: E731
    from_idx = from_of_step[s_idx]
    events = pa.table({
        "matter_id": pa.array(d.matter_id[m_idx]),
        "seq": pa.array(seq.astype(np.int32)),
        "action": _dict_array(action_of_step[s_idx], ACTIONS),
        "actor": _dict_array(actor, actors),
        "occurred_at": pa.array(at),
        "from_status": pa.DictionaryArray.from_arrays(mask(from_idx.astype(np.int32)), pa.array(STATUSES)),
        "to_status": _dict_array(to_of_step[s_idx], STATUSES),
        "dept_id": mask(dept_col.astype(np.int32)),
        "minutes": pa.array(minutes, mask=np.isnan(minutes)).cast(pa.int32()),
        "value": pa.DictionaryArray.from_arrays(mask(value_idx.astype(np.int32)), pa.array(SATISFACTION)),
        "note": pa.DictionaryArray.from_arrays(mask(note_idx.astype(np.int32)), pa.array(SUPERVISION_NOTES)),
    })

    # Matters: the state the kept events imply.
    any_kept = kept_matrix.any(axis=1)
    last_step = np.where(any_kept, nsteps - 1 - np.argmax(kept_matrix[:, ::-1], axis=1), -1)
    status = np.where(last_step >= 0, to_of_step[np.maximum(last_step, 0)], -1)
    k = lambda name: kept[name] & alive  # noqa: E731
    t = lambda name: np.where(k(name), times[name], np.datetime64("NaT"))  # noqa: E731
    lead = np.where(k("redispatch"), default_dept, np.where(k("return"), -1,
                    np.where(k("dispatch"), first_dept, -1)))
    dispatched_at = np.where(k("redispatch"), times["redispatch"], t("dispatch"))
    feedback_at = np.where(k("feedback2"), times["feedback2"], t("feedback1"))
    closed_at = np.where(k("close_escalated"), times["close_escalated"], t("close"))
    limit = plan["limit"]
    ext = np.where(k("extend"), plan["ext_min"], 0.0)
    suspended_now = k("suspend") & ~k("resume")
    W0 = plan["W0"]
    # A clock stop keeps whole minutes left, and a resume restarts the clock from them,
    # exactly as the write path does.
    w_of = lambda name: np.where(k(name), calendar.work_min_at(  # noqa: E731
        np.where(k(name), times[name], d.created)), np.nan)
    remaining = np.round(W0 + limit - w_of("suspend"))
    due_w = np.where(k("resume"), w_of("resume") + remaining, W0 + limit) + ext
    due_at = calendar.at_work_min(due_w) if n else np.array([], dtype="datetime64[s]")
    remaining_at_suspend = np.where(suspended_now, remaining, np.nan)
    sign_due = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    has_dispatch = ~np.isnat(dispatched_at)
    if has_dispatch.any():
        sign_due[has_dispatch] = calendar.add_work_minutes(dispatched_at[has_dispatch], ref.day_minutes)
    supervision = k("supervise1").astype(np.int16) + k("supervise2").astype(np.int16)
    cell_ids = ref.cells["cell_id"].to_numpy()[d.cell]
    village_ids = ref.cells["village_id"].to_numpy()[d.cell].astype(np.int32)
    addr = ref.addresses
    last_time = np.max(np.where(step_time <= as_of, step_time, np.datetime64("1970-01-01")), axis=1) \
        if n else np.array([], dtype="datetime64[s]")
    cats = ref.categories
    phrase = (cats["name"].to_numpy()[d.category], (d.u[:, 28] * len(DETAILS)).astype(int))
    is_public = d.source == 3
    reporter_idx = np.where(is_public, (d.u[:, 29] * len(SURNAMES)).astype(int) * 2
                            + (d.u[:, 30] < 0.5), -1)
    reporters = [f"{s}{t}" for s in SURNAMES for t in ("先生", "女士")]
    base = len(reporters)
    worker_names = ref.cells["worker_name"].tolist()
    reporters += [f"网格员 {w}" for w in worker_names] + ["巡查中队", "12345热线"]
    reporter_idx = np.select([d.source == 2, d.source == 1, d.source == 0],
                             [base + d.cell, base + len(worker_names), base + len(worker_names) + 1],
                             reporter_idx)
    matters = pa.table({
        "matter_id": d.matter_id,
        "source": _dict_array(d.source, SOURCES),
        "category_id": cats["category_id"].to_numpy()[d.category].astype(np.int32),
        "major_code": _dict_array(np.searchsorted(np.unique(cats["major_code"].to_numpy()), plan["major"]),
                                  np.unique(cats["major_code"].to_numpy()).tolist()),
        "cat_name": _dict_array(d.category, cats["name"].tolist()),
        "detail": _dict_array(phrase[1], DETAILS),
        "address": _dict_array(d.address, addr["address"].tolist()),
        "reporter": _dict_array(reporter_idx, reporters),
        "lon": addr["lon"].to_numpy()[d.address],
        "lat": addr["lat"].to_numpy()[d.address],
        "cell_id": cell_ids.astype(np.int32),
        "village_id": village_ids,
        "level": _dict_array(plan["level"], LEVELS),
        "urgent": plan["urgent"],
        "status": pa.DictionaryArray.from_arrays(mask(status.astype(np.int32)), pa.array(STATUSES)),
        "lead_dept_id": mask(lead.astype(np.int32)),
        "created_at": d.created,
        "dispatched_at": dispatched_at,
        "signed_at": t("sign"),
        "feedback_at": feedback_at,
        "closed_at": closed_at,
        "followed_up_at": t("follow_up"),
        "voided_at": t("void"),
        "escalated_at": t("escalate"),
        "limit_min": (limit + ext).astype(np.int32),
        "due_at": due_at,
        "sign_due_at": sign_due,
        "suspended_at": np.where(suspended_now, times["suspend"], np.datetime64("NaT")),
        "remaining_min_at_suspend": pa.array(remaining_at_suspend, mask=np.isnan(remaining_at_suspend)).cast(pa.int32()),
        "extension_count": k("extend").astype(np.int16),
        "supervision_count": supervision,
        "rework_count": k("reject").astype(np.int16),
        "return_count": k("return").astype(np.int16),
        "satisfaction": pa.DictionaryArray.from_arrays(
            mask(np.where(k("follow_up"), plan["satisfaction"], -1).astype(np.int32)), pa.array(SATISFACTION)),
        "updated_at": last_time,
        "event_count": kept_matrix.sum(axis=1, dtype=np.int32),
    })
    matters = matters.filter(pa.array(alive))
    return matters, events


INSERT_MATTERS = """
INSERT INTO matters (matter_id, source, external_ref, category_id, major_code, description, address,
    reporter, lon, lat, cell_id, village_id, level, urgent, status, lead_dept_id, co_dept_ids,
    created_at, dispatched_at, signed_at, feedback_at, closed_at, followed_up_at, voided_at,
    escalated_at, limit_min, due_at, sign_due_at, suspended_at, remaining_min_at_suspend,
    extension_count, supervision_count, rework_count, return_count, satisfaction, updated_at,
    event_count, origin)
SELECT matter_id, source,
       CASE WHEN source = 'transfer' THEN '12345-' || CAST(matter_id AS VARCHAR) END,
       category_id, major_code, address || '：' || cat_name || '，' || detail, address, reporter,
       lon, lat, cell_id, village_id, level, urgent, status, lead_dept_id, NULL,
       created_at, dispatched_at, signed_at, feedback_at, closed_at, followed_up_at, voided_at,
       escalated_at, limit_min, due_at, sign_due_at, suspended_at, remaining_min_at_suspend,
       extension_count, supervision_count, rework_count, return_count, satisfaction, updated_at,
       event_count, 'demo'
FROM chunk_matters
"""


def _batched(table: pa.Table) -> pa.Table:
    """Row-group-sized record batches, so that DuckDB scans them on every core."""
    return pa.Table.from_batches(table.to_batches(max_chunksize=122_880), schema=table.schema)


def _insert_chunk(cur, matters: pa.Table, events: pa.Table) -> None:
    matters, events = _batched(matters), _batched(events)
    cur.register("chunk_matters", matters)
    cur.execute(INSERT_MATTERS)
    cur.unregister("chunk_matters")
    cur.register("chunk_events", events)
    cur.execute("INSERT INTO events SELECT * FROM chunk_events")
    cur.unregister("chunk_events")


# -- the build --------------------------------------------------------------------------
def _as_of(value: datetime | None) -> datetime:
    return (value or clock.now()).replace(microsecond=0)


def allocate_days(first_day: date, last_day: date, matters: int, seed: int,
                  calendar_kinds: pd.Series) -> tuple[pd.DatetimeIndex, np.ndarray]:
    days = pd.date_range(first_day, last_day, freq="D")
    w = day_weights(days, calendar_kinds, first_day)
    rng = np.random.default_rng([seed, 2])
    counts = rng.multinomial(matters, w / w.sum()) if matters else np.zeros(len(days), dtype=int)
    return days, counts


def _generate_range(store: Store, ref: Reference, days: pd.DatetimeIndex, counts: np.ndarray,
                    seed: int, as_of: datetime, progress: ProgressFn | None, *, atomic: bool,
                    chunk_matters: int = 400_000) -> tuple[int, int]:
    """Generate and insert the matters of ``days``. ``atomic``: one transaction (a top-up of a
    database in use); otherwise chunk by chunk, which lets DuckDB write row groups straight to
    the file (a new build, deleted whole if it fails)."""
    calendar = store.calendar
    as_of64 = np.datetime64(as_of, "s")
    total_m = total_e = 0

    def fill(cur) -> None:
        nonlocal total_m, total_e
        i = 0
        while i < len(days):
            j, size = i, 0
            while j < len(days) and (size == 0 or size + counts[j] <= chunk_matters):
                size += counts[j]
                j += 1
            draws = draw_days(list(days[i:j]), list(counts[i:j]), seed, ref)
            last = days[j - 1].date() >= (as_of - timedelta(days=2)).date()
            plan = plan_lifecycles(draws, ref, calendar, as_of64, emergencies=last)
            matters, events = chunk_tables(draws, plan, ref, calendar, as_of64)
            _insert_chunk(cur, matters, events)
            total_m += matters.num_rows
            total_e += events.num_rows
            if progress:
                progress(f"{days[j - 1].date()}: {total_m:,} matters, {total_e:,} events")
            i = j
        rebuild_derived(store, cur)

    if atomic:
        with store.write() as cur:
            fill(cur)
    else:
        cur = store.cursor()
        try:
            fill(cur)
        finally:
            cur.close()
    return total_m, total_e


def build_demo(path: str | Path, *, matters: int = 200_000, seed: int = 7, as_of: datetime | None = None,
               days: int = 730, progress: ProgressFn | None = None, replace: bool = False,
               plant_anomalies: bool = True) -> BuildStats:
    """Build a new demo database at ``path`` with about ``matters`` matters over ``days`` days.

    ``plant_anomalies``: add surges, a drifting department and repeat complaints in the last
    weeks (see ``plan_anomalies``), recorded in ``demo_ground_truth``."""
    import time

    if matters < 0 or matters > 10_000_000 * 2:
        raise ValueError("matters must be between 0 and 20,000,000")
    path = Path(path)
    if path.exists():
        if not replace:
            raise StoreError(f"{path}: exists already (use --replace to rebuild it)")
        path.unlink()
        Path(str(path) + ".wal").unlink(missing_ok=True)
    start = time.perf_counter()
    as_of = _as_of(as_of)
    store = Store(path, create=True)
    try:
        ref = write_reference(store, seed)
        first_day = (as_of - timedelta(days=days - 1)).date()
        anchor = as_of.date()
        if plant_anomalies and matters > 0:
            ref.anomalies = [a for a in plan_anomalies(ref, seed, anchor, matters / days) if a.first_day >= first_day]
        kinds = store.frame("SELECT kind FROM work_days WHERE day BETWEEN ? AND ? ORDER BY day",
                            [first_day, as_of.date()])["kind"]
        day_index, counts = allocate_days(first_day, as_of.date(), matters, seed, kinds)
        n_m, n_e = _generate_range(store, ref, day_index, counts, seed, as_of, progress, atomic=False)
        with store.write() as cur:
            for key, value in (("demo_seed", seed), ("demo_matters", matters), ("demo_days", days),
                               ("demo_first_day", first_day.isoformat()),
                               ("demo_as_of", as_of.isoformat(sep=" ")),
                               ("built_at", clock.now().isoformat(sep=" ", timespec="seconds")),
                               ("timezone", clock.zone_name())):
                store.set_meta(cur, key, str(value))
            if ref.anomalies:
                store.set_meta(cur, "demo_plant_anchor", anchor.isoformat())
                truth = ground_truth_frame(ref)
                cur.register("truth", truth)
                cur.execute("INSERT INTO demo_ground_truth SELECT * FROM truth")
                cur.unregister("truth")
        store.checkpoint()
        open_n = store.scalar("SELECT count(*) FROM open_matters")
    except BaseException:
        store.close()
        path.unlink(missing_ok=True)
        Path(str(path) + ".wal").unlink(missing_ok=True)
        raise
    store.close()
    return BuildStats(n_m, n_e, open_n, first_day, as_of, time.perf_counter() - start)


def top_up(path: str | Path, *, as_of: datetime | None = None,
           progress: ProgressFn | None = None) -> BuildStats:
    """Carry a demo database forward to ``as_of``: recent demo matters are regenerated from
    their plans (the same as before up to the old as-of) and new days are added."""
    import time

    start = time.perf_counter()
    as_of = _as_of(as_of)
    store = Store(path)
    try:
        old = store.meta("demo_as_of")
        if old is None:
            raise StoreError(f"{path}: not a demo database (no demo_as_of); nothing to top up")
        if store.scalar("SELECT count(*) FROM areas WHERE origin <> 'demo'"):
            raise StoreError(f"{path}: its grid was imported; the demo cannot be topped up on a real grid "
                             f"(build a new demo database instead)")
        old_as_of = datetime.fromisoformat(old)
        if as_of <= old_as_of:
            return BuildStats(0, 0, store.scalar("SELECT count(*) FROM open_matters"), None, old_as_of, 0.0,
                              ["already up to date"])
        seed = int(store.meta("demo_seed"))
        n_total = int(store.meta("demo_matters"))
        first_day = date.fromisoformat(store.meta("demo_first_day"))
        old_last = old_as_of.date()
        ref = load_reference(store)
        anchor = store.meta("demo_plant_anchor")
        if anchor:
            # The same anomalies as the build planted, so regenerated days come out the same.
            ref.anomalies = [a for a in plan_anomalies(ref, seed, date.fromisoformat(anchor),
                                                       n_total / int(store.meta("demo_days")))
                             if a.first_day >= first_day]
        kinds_all = store.frame("SELECT day, kind FROM work_days WHERE day BETWEEN ? AND ? ORDER BY day",
                                [first_day, as_of.date()])
        kinds_all["day"] = pd.to_datetime(kinds_all["day"])
        old_days, old_counts = allocate_days(first_day, old_last, n_total, seed,
                                             kinds_all.loc[kinds_all.day <= pd.Timestamp(old_last), "kind"])
        window_start = max(first_day, (as_of - timedelta(days=TOP_UP_WINDOW_DAYS)).date(),
                           (old_as_of - timedelta(days=TOP_UP_WINDOW_DAYS)).date())
        # New days: the same expected daily volume as the original allocation.
        mean_per_weight = n_total / day_weights(old_days, kinds_all.loc[kinds_all.day <= pd.Timestamp(old_last),
                                                                        "kind"], first_day).sum()
        new_days = pd.date_range(old_last + timedelta(days=1), as_of.date(), freq="D")
        new_w = day_weights(new_days, kinds_all.loc[kinds_all.day > pd.Timestamp(old_last), "kind"], first_day)
        new_counts = np.array([np.random.default_rng([seed, 3, d.toordinal()]).poisson(mean_per_weight * w)
                               for d, w in zip(new_days, new_w)], dtype=int)
        keep = old_days >= pd.Timestamp(window_start)
        days = old_days[keep].append(new_days)
        counts = np.concatenate([old_counts[keep], new_counts])
        lo_id = (window_start.year * 10000 + window_start.month * 100 + window_start.day) * 100000
        with store.write() as cur:
            cur.execute("DELETE FROM events WHERE matter_id >= ? AND matter_id IN "
                        "(SELECT matter_id FROM matters WHERE origin = 'demo' AND matter_id >= ?)",
                        [lo_id, lo_id])
            cur.execute("DELETE FROM matters WHERE origin = 'demo' AND matter_id >= ?", [lo_id])
        n_m, n_e = _generate_range(store, ref, days, counts, seed, as_of, progress, atomic=True)
        with store.write() as cur:
            store.set_meta(cur, "demo_as_of", as_of.isoformat(sep=" "))
            store.set_meta(cur, "built_at", clock.now().isoformat(sep=" ", timespec="seconds"))
        store.checkpoint()
        open_n = store.scalar("SELECT count(*) FROM open_matters")
    finally:
        store.close()
    return BuildStats(n_m, n_e, open_n, window_start, as_of, time.perf_counter() - start)


def needs_top_up(path: str | Path, max_age: timedelta = timedelta(days=1)) -> bool:
    """A demo database built more than ``max_age`` ago on the demo grid. Opened for writing,
    so a file from an older version of the program is migrated on the way."""
    store = Store(path)
    try:
        old = store.meta("demo_as_of")
        imported_grid = store.scalar("SELECT count(*) FROM areas WHERE origin <> 'demo'") > 0
    finally:
        store.close()
    return old is not None and not imported_grid and clock.now() - datetime.fromisoformat(old) > max_age
