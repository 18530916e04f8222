"""False alarms of the volume detectors, measured (not a pass/fail test).

* the demo (20,000 matters, seed 11, as of 2025-11-26 10:00, the build the detection test
  uses): recall of the planted anomalies and false alarms per village per week over the
  last 8 weeks (data.detection.score_detection);
* the real Boston 2015 export replayed day by day over June–August 2015: there is no
  ground truth, so every volume warning episode counts as an alarm; per method, episodes
  per village per week, and the days the village-level Poisson detector fired;
* the LA export (5 days of December 2018): too short for any baseline (C1/C2 need 3
  normal days before a guard, Poisson 7), reported as such.

Run: `.venv/bin/python benchmarks/false_alarms.py [--skip-demo]` from the repo root.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd

from layers.gridimport import import_grid
from layers.matterimport import import_matters
from queries.analysis_config import load_analysis_config
from queries.store import Store
from queries.warnings import VOLUME_METHODS, episodes, evaluate_warnings

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "realdata"
CITIES = {
    "boston": (REAL / "boston-311-2015" / "boston_neighborhoods.geojson", "Name", None, None,
               REAL / "boston-311-2015" / "boston_311_2015.csv.gz", REPO / "data" / "mappings" / "boston_311.toml",
               date(2015, 6, 1), date(2015, 9, 1)),
    "la": (REAL / "la-311-2018" / "la_neighborhood_councils_2019.geojson", "nc_id", "name", "service_re",
           REAL / "la-311-2018" / "myla311_2018-12-27_to_31.csv", REPO / "data" / "mappings" / "la_311.toml",
           date(2018, 12, 27), date(2019, 1, 1)),
}


def replay(key: str, folder: Path) -> None:
    grid, id_field, name_field, parent_field, matters, mapping, start, end = CITIES[key]
    if not grid.exists() or not matters.exists():
        print(f"{key}: real data not found under {REAL}")
        return
    db = folder / f"{key}.duckdb"
    store = Store(db, create=True, query_time_limit_ms=900_000)   # a 13-week replay, not a refresh
    try:
        import_grid(store, path=str(grid), id_field=id_field, name_field=name_field, parent_field=parent_field,
                    township_name=key)
        import_matters(store, path=str(matters), mapping=str(mapping), rejects=str(folder / f"{key}.rejects.csv"))
        config = load_analysis_config()
        scope = store.all_village_ids() + [-1]
        now = datetime.combine(end, datetime.min.time()) - timedelta(seconds=1)   # the period's last second
        rows = evaluate_warnings(store.run, now=now, from_day=start, scope=scope, config=config)
        volume = rows[rows["method"].isin(VOLUME_METHODS)]
        alarms = episodes(volume, int(config.warnings["active_days"]))
        villages = len(store.all_village_ids())
        weeks = (end - start).days / 7
        weekdays = pd.bdate_range(start, end - timedelta(days=1))
        print(f"{key}: [{start}, {end}), {villages} village(s), {weeks:.1f} weeks, "
              f"{len(alarms)} volume warning episodes = {len(alarms) / (villages * weeks):.2f} per village per week")
        for method in VOLUME_METHODS:
            mine = alarms[alarms["method"] == method]
            days = volume[(volume["method"] == method) & (volume["scope_level"] == "village")]
            fired = pd.to_datetime(days["detected_on"]).dt.normalize().unique()
            fired_weekdays = sum(1 for d in fired if d in set(weekdays))
            print(f"  {method:12s} episodes {len(mine):5d} ({len(mine) / (villages * weeks):6.2f} per village-week)"
                  f"  village level fired on {len(fired):3d} days ({fired_weekdays} of {len(weekdays)} weekdays)")
        c3 = volume[volume["method"] == "ears_c3"]
        if len(c3):
            print(f"  ears_c3 expected / observed (median over {len(c3)} alarm rows): "
                  f"{(c3['expected'] / c3['observed']).median():.3f}")
    finally:
        store.close()


def demo(folder: Path) -> None:
    from data.demo.build import build_demo
    from data.detection import score_detection

    as_of = datetime(2025, 11, 26, 10, 0)
    path = folder / "demo.duckdb"
    build_demo(path, matters=20_000, seed=11, as_of=as_of)
    store = Store(path, read_only=True)
    try:
        print("demo: " + score_detection(store, as_of, weeks=8).summary())
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--cities", default="boston,la")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.skip_demo:
            demo(folder)
        for key in args.cities.split(","):
            replay(key, folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
