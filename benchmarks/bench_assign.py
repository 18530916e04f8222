"""Points assigned to grid cells per second: 1,000,000 random points over the demo grid.

Run: `.venv/bin/python benchmarks/bench_assign.py` (from the repo root). Prints the
figures; timing goals live here, not in tests. The goal is ≥ 1,000,000 points/s on 2 cores.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from layers.assign import CellIndex, random_points_in
from layers.township import build_demo_township

POINTS = 1_000_000
RUNS = 5


def main() -> None:
    township = build_demo_township(seed=7)
    cells = township.cells

    started = time.perf_counter()
    index = CellIndex(cells)
    build_s = time.perf_counter() - started

    # Points spread over the township itself, as reported matters are: every point
    # has a cell, and the share landing near an edge is what a real feed would give.
    rng = np.random.default_rng(2024)
    lon, lat = random_points_in(township.township.geometry, [POINTS], rng)

    index.assign(lon, lat)  # warm-up: thread pool, caches
    rates = []
    for _ in range(RUNS):
        started = time.perf_counter()
        assigned = index.assign(lon, lat)
        rates.append(POINTS / (time.perf_counter() - started))
    unassigned = int(np.count_nonzero(assigned < 0))

    print(f"cells: {len(cells)}, cores: {os.cpu_count()}, index build: {build_s * 1000:.0f} ms, "
          f"pixels answered by lookup: {index.lookup_share:.1%}")
    print(f"points per run: {POINTS:,}, runs: {RUNS} after 1 warm-up, unassigned: {unassigned}")
    print(f"points/s  median {statistics.median(rates):,.0f}  min {min(rates):,.0f}  max {max(rates):,.0f}")


if __name__ == "__main__":
    main()
