"""Matter import speed (goal: ≥ 50,000 rows/s including cell assignment, 2 cores).

Imports the real Boston 2015 311 export (121,145 rows, CSV.gz, ../shared/realdata) into a
fresh database holding the Boston neighbourhoods as its grid, several times, and prints
the figures: rows read per second for the whole import (read, check, cell assignment,
matters, events, rejects, derived tables) and for the import without the rebuild of the
derived tables. ``--copies N`` imports a file of N copies of the export (ids made unique)
instead, to see the fixed costs amortised.

Run: `.venv/bin/python benchmarks/bench_import.py [--runs 3] [--copies 1]` from the repo root.
"""
from __future__ import annotations

import argparse
import gzip
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import queries.imports.load as import_load
from layers.gridimport import import_grid
from layers.matterimport import import_matters
from queries.store import Store

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "realdata" / "boston-311-2015"
MAPPING = REPO / "data" / "mappings" / "boston_311.toml"


def copies_file(folder: Path, copies: int) -> Path:
    if copies == 1:
        return REAL / "boston_311_2015.csv.gz"
    target = folder / f"boston_x{copies}.csv.gz"
    with gzip.open(REAL / "boston_311_2015.csv.gz", "rt", encoding="utf-8") as fh:
        header, *rows = fh.read().splitlines()
    with gzip.open(target, "wt", encoding="utf-8", compresslevel=1) as out:
        out.write(header + "\n")
        for k in range(copies):
            for row in rows:
                index, case_id, rest = row.split(",", 2)
                out.write(f"{index},{case_id}-{k},{rest}\n")
    return target


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--copies", type=int, default=1)
    args = parser.parse_args()
    if not REAL.exists():
        sys.exit(f"{REAL}: the Boston export is not there (../shared/realdata)")

    derived_s: list[float] = []
    original = import_load.rebuild_derived

    def timed_rebuild(store, cur):
        start = time.perf_counter()
        original(store, cur)
        derived_s.append(time.perf_counter() - start)

    import_load.rebuild_derived = timed_rebuild
    figures = []
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = copies_file(folder, args.copies)
        for run in range(args.runs):
            db = folder / f"bench{run}.duckdb"
            store = Store(db, create=True)
            try:
                import_grid(store, path=str(REAL / "boston_neighborhoods.geojson"), id_field="Name",
                            township_name="Boston")
                derived_s.clear()
                started, cpu_started = time.perf_counter(), time.process_time()
                summary = import_matters(store, path=str(source), mapping=str(MAPPING),
                                         rejects=str(folder / "rejects.csv"))
                seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            finally:
                store.close()
            rows = summary["rows_read"]
            figures.append((rows / seconds, rows / (seconds - derived_s[-1]), rows / cpu))
            print(f"run {run + 1}: {rows:,} rows, {summary['imported']:,} imported, {seconds:.2f} s "
                  f"(derived tables {derived_s[-1]:.2f} s, reading {summary['read_seconds']:.2f} s; "
                  f"CPU {cpu:.2f} s): {rows / seconds:,.0f} rows/s, {rows / (seconds - derived_s[-1]):,.0f} "
                  f"rows/s without the derived tables, {rows / cpu:,.0f} rows per CPU second")
    print(f"cores: {os.cpu_count()}, load average before: {load:.1f}, runs: {args.runs}, "
          f"file: {source.name}")
    print(f"rows/s  median {statistics.median(f[0] for f in figures):,.0f}  "
          f"best {max(f[0] for f in figures):,.0f}  "
          f"(without the derived tables: median {statistics.median(f[1] for f in figures):,.0f}; "
          f"per CPU second: median {statistics.median(f[2] for f in figures):,.0f}, a floor for an idle "
          f"machine, where the import's threads overlap)")


if __name__ == "__main__":
    main()
