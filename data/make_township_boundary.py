"""One-off: draw the demo township's outline inside the real 邗江区 and save it.

Run once by hand (`.venv/bin/python data/make_township_boundary.py`); its output,
`data/township_boundary.geojson`, is committed. The product never reads /work/shared
at run time: the district file is an input to this script only.

Why a synthetic outline: no public source publishes Yangzhou's township (乡镇/街道)
polygons (see the district file's PROVENANCE.md), so the demo township is a smooth,
irregular blob centred west of the old city, cut by the real district border where it
meets 广陵区. The district file is GCJ-02 (DataV); it is converted to WGS-84 first so
the saved outline is WGS-84 like everything else we store.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Polygon, mapping

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from layers.gcj02 import gdf_gcj02_to_wgs84  # noqa: E402

DISTRICTS_GEOJSON = Path("/work/shared/realdata/yangzhou-districts/yangzhou_321000_districts.geojson")
OUTPUT_GEOJSON = REPO_ROOT / "data" / "township_boundary.geojson"

HANJIANG_ADCODE = 321003
TOWNSHIP_CODE = "321003101"
TOWNSHIP_NAME = "运河街道"

MEASURE_CRS = "EPSG:32650"  # UTM 50N: metres over Yangzhou
BLOB_CENTRE_LONLAT = (119.405, 32.393)
BLOB_MEAN_RADIUS_M = 4600.0
BLOB_VERTICES = 240
# Low harmonics give a lobed, plausible outline; amplitudes fall with order so it stays smooth.
BLOB_HARMONIC_AMPLITUDES = {2: 0.10, 3: 0.08, 4: 0.045, 5: 0.03, 7: 0.015, 11: 0.008, 17: 0.005}
BLOB_SEED = 20240615
# Vertices closer than this to the line through their neighbours add bytes, not shape.
OUTLINE_SIMPLIFY_M = 5.0
COORDINATE_DECIMALS = 6


def hanjiang_wgs84() -> gpd.GeoSeries:
    districts = gdf_gcj02_to_wgs84(gpd.read_file(DISTRICTS_GEOJSON))
    hanjiang = districts[districts["adcode"] == HANJIANG_ADCODE]
    if len(hanjiang) != 1:
        raise SystemExit(f"expected one 邗江区 feature (adcode {HANJIANG_ADCODE}), found {len(hanjiang)}")
    return hanjiang.geometry.to_crs(MEASURE_CRS)


def smooth_blob(centre_xy: tuple[float, float]) -> Polygon:
    rng = np.random.default_rng(BLOB_SEED)
    theta = np.linspace(0.0, 2.0 * np.pi, BLOB_VERTICES, endpoint=False)
    scale = np.ones_like(theta)
    for order, amplitude in BLOB_HARMONIC_AMPLITUDES.items():
        scale += amplitude * np.cos(order * theta + rng.uniform(0.0, 2.0 * np.pi))
    radius = BLOB_MEAN_RADIUS_M * scale
    return Polygon(np.column_stack([centre_xy[0] + radius * np.cos(theta), centre_xy[1] + radius * np.sin(theta)]))


def largest_polygon(geom) -> Polygon:
    parts = list(getattr(geom, "geoms", [geom]))
    polygons = [p for p in parts if p.geom_type == "Polygon"]
    return max(polygons, key=lambda p: p.area)


def round_coordinates(geom, decimals: int):
    return shapely.transform(geom, lambda coords: np.round(coords, decimals))


def main() -> None:
    district = hanjiang_wgs84()
    centre = gpd.GeoSeries(shapely.points([BLOB_CENTRE_LONLAT]), crs="EPSG:4326").to_crs(MEASURE_CRS).iloc[0]
    blob = smooth_blob((centre.x, centre.y))
    township_m = largest_polygon(blob.intersection(district.iloc[0]))
    # A township has no holes; drop any the district border might have cut.
    township_m = Polygon(township_m.exterior).simplify(OUTLINE_SIMPLIFY_M, preserve_topology=True)

    township = gpd.GeoSeries([township_m], crs=MEASURE_CRS).to_crs("EPSG:4326").iloc[0]
    township = round_coordinates(township, COORDINATE_DECIMALS)
    township = shapely.remove_repeated_points(township)
    if not township.is_valid or township.geom_type != "Polygon":
        raise SystemExit(f"rounded outline is not a valid Polygon: {shapely.is_valid_reason(township)}")

    area_km2 = gpd.GeoSeries([township], crs="EPSG:4326").to_crs(MEASURE_CRS).area.iloc[0] / 1e6
    feature_collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "code": TOWNSHIP_CODE,
                    "name": TOWNSHIP_NAME,
                    "crs": "EPSG:4326",
                    "note": "synthetic demo township inside 邗江区; made by data/make_township_boundary.py",
                },
                "geometry": mapping(township),
            }
        ],
    }
    OUTPUT_GEOJSON.write_text(json.dumps(feature_collection, ensure_ascii=False, separators=(",", ":")) + "\n",
                              encoding="utf-8")
    print(
        f"wrote {OUTPUT_GEOJSON.relative_to(REPO_ROOT)}: {len(township.exterior.coords)} vertices, "
        f"{area_km2:.1f} km², bounds {tuple(round(b, 4) for b in township.bounds)}"
    )


if __name__ == "__main__":
    main()
