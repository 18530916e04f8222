"""The demo township (乡镇/街道) with its villages/communities (村/社区) and grid cells (网格).

No public source publishes Yangzhou's township or grid polygons, so the demo draws
them: the township outline is a committed file (`data/township_boundary.geojson`,
made once by `data/make_township_boundary.py` inside the real 邗江区); villages are a
seeded, relaxed Voronoi partition of it; cells are a 500 m square grid cut by the
villages. Codes follow the 数字城管 unit-grid scheme: 6-digit division (GB/T 2260) +
3-digit township + 3-digit village + 3-digit sequence, numbered west→east, north→south.

All geometry work happens in UTM 50N (metres) on a 1 µm precision grid, so shared
edges between neighbours are bit-identical and the pieces tile exactly; results are
returned in WGS-84.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Polygon

from layers.assign import random_points_in

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
TOWNSHIP_BOUNDARY_GEOJSON = DATA_DIR / "township_boundary.geojson"

STORE_CRS = "EPSG:4326"
MEASURE_CRS = "EPSG:32650"  # UTM 50N, metres over Yangzhou

DIVISION_CODE = "321003"  # 邗江区, GB/T 2260
TOWNSHIP_CODE = DIVISION_CODE + "101"
TOWNSHIP_NAME = "运河街道"

# Cells are squares of this side in MEASURE_CRS, aligned to multiples of it, cut by villages.
CELL_SIZE_M = 500.0
# Edge pieces smaller than this share of a full square join a neighbour in the same village:
# a worker's patch of a few hundred square metres is not a grid cell anyone would draw.
MIN_CELL_SHARE_OF_SQUARE = 0.3
# Vertices snap to this grid (1 µm, far above float noise at UTM magnitudes): shared
# edges then coincide exactly, and points cut onto the outline stay on it to < 1e-11 of its area.
PRECISION_M = 1e-6

VILLAGE_COUNT_RANGE = (11, 14)  # inclusive
LLOYD_ITERATIONS = 3
# The old city of Yangzhou (WGS-84): villages nearest it are urban communities (社区).
OLD_CITY_LONLAT = (119.438, 32.394)
COMMUNITY_SHARE = 0.4

# GB/T 10114: 居民委员会 (communities) are numbered 001–199, 村民委员会 (villages) 200–399.
FIRST_COMMUNITY_NUMBER = 1
FIRST_VILLAGE_NUMBER = 201

COMMUNITY_NAMES = (
    "湖滨", "运河", "文昌", "新华", "翠岗", "兴城", "柳湖", "荷花池", "明月", "春江",
    "幸福", "锦绣", "望月", "康乐", "玉带", "星光",
)
VILLAGE_NAMES = (
    "红星", "先锋", "友谊", "联合", "光明", "新庄", "杨湾", "朱桥", "沙塘", "李庄",
    "王营", "东风", "前进", "胜利", "双河", "永丰", "汪家", "槐树", "桑园", "金桥",
)

# Common surnames first, drawn more often, as in any Jiangsu staff list.
SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱",
    "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯",
    "邓", "曹", "彭", "曾", "蒋", "蔡", "丁", "沈", "顾", "钱", "葛", "卞",
)
GIVEN_NAME_CHARS = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "兰", "建", "国",
    "志", "红", "文", "斌", "波", "辉", "鹏", "宇", "浩", "婷", "雪", "琳", "晨", "海",
    "春", "梅", "凤", "燕", "荣", "新", "德", "亮",
)
# 154 is a mobile prefix not issued to subscribers, so a demo number cannot be a real person's.
FICTIONAL_PHONE_PREFIX = "154"


@dataclass(frozen=True)
class DemoTownship:
    """The demo grid hierarchy, each level a GeoDataFrame in EPSG:4326."""

    township: gpd.GeoDataFrame  # code (9 digits), name, geometry
    villages: gpd.GeoDataFrame  # code (12 digits), name, geometry
    cells: gpd.GeoDataFrame  # code (15), name, village_code, worker_name, worker_phone, geometry


def build_demo_township(seed: int = 7) -> DemoTownship:
    """The demo township split into villages and grid cells; the same seed gives the same grid."""
    rng = np.random.default_rng(seed)
    township_m = _read_township_outline_m()

    village_polygons = _split_into_villages(township_m, rng)
    village_codes, village_names, village_order = _name_villages(village_polygons, rng)
    village_polygons = [village_polygons[i] for i in village_order]

    cell_rows = []
    for village_code, village_name, village_polygon in zip(village_codes, village_names, village_polygons):
        for sequence, cell_polygon in enumerate(_split_into_cells(village_polygon), start=1):
            cell_rows.append(
                {
                    "code": f"{village_code}{sequence:03d}",
                    "name": f"{village_name}第{sequence:02d}网格",
                    "village_code": village_code,
                    "geometry": cell_polygon,
                }
            )
    worker_names, worker_phones = _grid_workers(len(cell_rows), rng)
    for row, worker_name, worker_phone in zip(cell_rows, worker_names, worker_phones):
        row["worker_name"] = worker_name
        row["worker_phone"] = worker_phone

    township = gpd.GeoDataFrame(
        {"code": [TOWNSHIP_CODE], "name": [TOWNSHIP_NAME]}, geometry=[township_m], crs=MEASURE_CRS
    )
    villages = gpd.GeoDataFrame(
        {"code": village_codes, "name": village_names}, geometry=village_polygons, crs=MEASURE_CRS
    )
    cells = gpd.GeoDataFrame(
        cell_rows, columns=["code", "name", "village_code", "worker_name", "worker_phone", "geometry"],
        geometry="geometry", crs=MEASURE_CRS,
    )
    # Each level is rebuilt as the union of the level below, after reprojection. A point
    # that the grid cut onto a village or township edge is a vertex of the cells but not
    # of the original outline; in lon/lat the outline's straight edge and the cells' bent
    # one part by millimetres, and a point could be in the township yet in no cell.
    cells = cells.to_crs(STORE_CRS)
    village_geometries = [
        shapely.coverage_union_all(cells.geometry.values[(cells["village_code"] == code).to_numpy()])
        for code in village_codes
    ]
    villages = villages.to_crs(STORE_CRS).set_geometry(
        gpd.GeoSeries(village_geometries, index=villages.index, crs=STORE_CRS)
    )
    township = township.to_crs(STORE_CRS).set_geometry(
        gpd.GeoSeries([shapely.coverage_union_all(villages.geometry.values)], crs=STORE_CRS)
    )
    return DemoTownship(township=township, villages=villages, cells=cells)


def _read_township_outline_m() -> Polygon:
    collection = json.loads(TOWNSHIP_BOUNDARY_GEOJSON.read_text(encoding="utf-8"))
    (feature,) = collection["features"]
    outline = gpd.GeoSeries([shapely.geometry.shape(feature["geometry"])], crs=STORE_CRS)
    return shapely.set_precision(outline.to_crs(MEASURE_CRS).iloc[0], PRECISION_M)


def _split_into_villages(township: Polygon, rng: np.random.Generator) -> list[Polygon]:
    """A Voronoi partition of the township, relaxed (Lloyd) so villages are of similar size."""
    count = int(rng.integers(VILLAGE_COUNT_RANGE[0], VILLAGE_COUNT_RANGE[1] + 1))
    x, y = random_points_in([township], [count], rng)
    seeds = np.column_stack([x, y])
    for _ in range(LLOYD_ITERATIONS):
        regions = _clipped_voronoi(seeds, township)
        seeds = shapely.get_coordinates(shapely.centroid(regions))
    regions = _clipped_voronoi(seeds, township)

    # A region clipped by a concave outline can fall apart; its stray parts join the
    # neighbouring village they share most border with.
    parts, owner = shapely.get_parts(regions, return_index=True)
    polygonal = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    parts, owner = parts[polygonal], owner[polygonal]
    is_main = np.zeros(parts.size, dtype=bool)
    for village in range(count):
        mine = np.flatnonzero(owner == village)
        is_main[mine[np.argmax(shapely.area(parts[mine]))]] = True
    villages = list(parts[is_main])
    for stray in parts[~is_main]:
        target = _longest_shared_border(stray, villages)
        villages[target] = shapely.union(villages[target], stray, grid_size=PRECISION_M)
    return villages


def _clipped_voronoi(seeds: np.ndarray, township: Polygon) -> np.ndarray:
    envelope = township.envelope.buffer(CELL_SIZE_M * 4)
    diagram = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=envelope, ordered=True)
    return shapely.intersection(shapely.get_parts(diagram), township, grid_size=PRECISION_M)


def _longest_shared_border(piece: Polygon, candidates: list[Polygon]) -> int:
    shared = shapely.length(
        shapely.intersection(piece.boundary, shapely.boundary(np.asarray(candidates, dtype=object)),
                             grid_size=PRECISION_M)
    )
    return int(np.argmax(shared))


def _reading_order(points: np.ndarray, band_m: float) -> np.ndarray:
    """Indices ordering points north→south by rows of `band_m`, then west→east."""
    row_from_north = np.floor(-points[:, 1] / band_m)
    return np.lexsort((points[:, 0], row_from_north))


def _name_villages(villages: list[Polygon], rng: np.random.Generator) -> tuple[list[str], list[str], list[int]]:
    """Codes and names for the villages, and the order to list them in.

    Villages nearest the old city are communities (社区, codes from 001), the rest
    villages (村, codes from 201); each kind is numbered in reading order.
    """
    anchors = shapely.get_coordinates(shapely.point_on_surface(np.asarray(villages, dtype=object)))
    old_city = gpd.GeoSeries(shapely.points([OLD_CITY_LONLAT]), crs=STORE_CRS).to_crs(MEASURE_CRS)
    distance = np.hypot(anchors[:, 0] - old_city.x.iloc[0], anchors[:, 1] - old_city.y.iloc[0])
    community_count = max(2, round(len(villages) * COMMUNITY_SHARE))
    is_community = np.zeros(len(villages), dtype=bool)
    is_community[np.argsort(distance)[:community_count]] = True

    community_names = rng.choice(COMMUNITY_NAMES, size=community_count, replace=False)
    village_names = rng.choice(VILLAGE_NAMES, size=len(villages) - community_count, replace=False)

    codes, names, order = [], [], []
    reading = _reading_order(anchors, band_m=CELL_SIZE_M * 4)
    for kind_mask, first_number, base_names, suffix in (
        (is_community, FIRST_COMMUNITY_NUMBER, community_names, "社区"),
        (~is_community, FIRST_VILLAGE_NUMBER, village_names, "村"),
    ):
        members = [i for i in reading if kind_mask[i]]
        for number, (index, base) in enumerate(zip(members, base_names), start=first_number):
            codes.append(f"{TOWNSHIP_CODE}{number:03d}")
            names.append(f"{base}{suffix}")
            order.append(int(index))
    return codes, names, order


def _split_into_cells(village: Polygon) -> list[Polygon]:
    """The village cut by the square grid, small edge pieces merged, in code order.

    Each cell is numbered by the grid square holding most of its area: rows north→south,
    then west→east (then by centroid, for two cells in one square).
    """
    minx, miny, maxx, maxy = village.bounds
    cols = np.arange(np.floor(minx / CELL_SIZE_M), np.ceil(maxx / CELL_SIZE_M))
    rows = np.arange(np.floor(miny / CELL_SIZE_M), np.ceil(maxy / CELL_SIZE_M))
    col_grid, row_grid = (g.ravel() for g in np.meshgrid(cols, rows))
    squares = shapely.box(
        col_grid * CELL_SIZE_M, row_grid * CELL_SIZE_M, (col_grid + 1) * CELL_SIZE_M, (row_grid + 1) * CELL_SIZE_M
    )
    shapely.prepare(village)
    hit = shapely.intersects(village, squares)
    pieces = shapely.intersection(squares[hit], village, grid_size=PRECISION_M)
    parts, square_of_part = shapely.get_parts(pieces, return_index=True)
    polygonal = (shapely.get_type_id(parts) == shapely.GeometryType.POLYGON) & (shapely.area(parts) > 0)
    parts = list(parts[polygonal])
    square_keys = list(zip(row_grid[hit][square_of_part[polygonal]], col_grid[hit][square_of_part[polygonal]]))
    # Per cell: area held in each grid square, to number the cell after merges.
    area_by_square = [{key: part.area} for key, part in zip(square_keys, parts)]

    min_area = MIN_CELL_SHARE_OF_SQUARE * CELL_SIZE_M**2
    while len(parts) > 1:
        areas = np.array([p.area for p in parts])
        small = np.flatnonzero(areas < min_area)
        if small.size == 0:
            break
        piece = int(small[np.argmin(areas[small])])
        others = [i for i in range(len(parts)) if i != piece]
        target = others[_longest_shared_border(parts[piece], [parts[i] for i in others])]
        merged = shapely.union(parts[target], parts[piece], grid_size=PRECISION_M)
        if merged.geom_type != "Polygon":
            raise RuntimeError("merging a grid piece into its neighbour did not give one polygon")
        parts[target] = merged
        for key, area in area_by_square[piece].items():
            area_by_square[target][key] = area_by_square[target].get(key, 0.0) + area
        del parts[piece], area_by_square[piece]

    main_square = [max(held, key=held.get) for held in area_by_square]
    centroid_x = [p.centroid.x for p in parts]
    order = sorted(range(len(parts)), key=lambda i: (-main_square[i][0], main_square[i][1], centroid_x[i]))
    return [parts[i] for i in order]


def _grid_workers(count: int, rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """A distinct, plausible name and a distinct fictional mobile number for each cell's worker (网格员)."""
    surname_weights = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.7
    surname_weights /= surname_weights.sum()
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        surname = SURNAMES[rng.choice(len(SURNAMES), p=surname_weights)]
        given_length = 2 if rng.random() < 0.7 else 1
        given = "".join(rng.choice(GIVEN_NAME_CHARS, size=given_length))
        name = surname + given
        if name not in seen:
            seen.add(name)
            names.append(name)
    subscriber = rng.choice(10**8, size=count, replace=False)
    phones = [f"{FICTIONAL_PHONE_PREFIX}{n:08d}" for n in subscriber]
    return names, phones
