"""A new demo database: the reference, two years of matters ending at ``as_of``, the planted
anomalies and the derived tables, deleted whole if anything fails."""
from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

from data.demo.anomalies import ground_truth_frame, plan_anomalies
from data.demo.arrivals import allocate_days
from data.demo.load import BuildStats, ProgressFn, as_of_or_now, generate_range, open_matters_count
from data.demo.reference import write_reference
from queries import clock
from queries.store import Store, StoreError


def build_demo(path: str | Path, *, matters: int = 200_000, seed: int = 7, as_of: datetime | None = None,
               days: int = 730, progress: ProgressFn | None = None, replace: bool = False,
               plant_anomalies: bool = True) -> BuildStats:
    """Build a new demo database at ``path`` with about ``matters`` matters over ``days`` days.

    ``plant_anomalies``: add surges, a drifting department and repeat complaints in the last
    weeks (see ``plan_anomalies``), recorded in ``demo_ground_truth``."""
    if matters < 0 or matters > 10_000_000 * 2:
        raise ValueError("matters must be between 0 and 20,000,000")
    path = Path(path)
    if path.exists():
        if not replace:
            raise StoreError(f"{path}: exists already (use --replace to rebuild it)")
        path.unlink()
        Path(str(path) + ".wal").unlink(missing_ok=True)
    start = time.perf_counter()
    as_of = as_of_or_now(as_of)
    store = Store(path, create=True)
    try:
        ref = write_reference(store, seed)
        first_day = (as_of - timedelta(days=days - 1)).date()
        anchor = as_of.date()
        if plant_anomalies and matters > 0:
            ref.anomalies = [a for a in plan_anomalies(ref, seed, anchor, matters / days) if a.first_day >= first_day]
        kinds = store.run("demo/day_kinds", from_day=first_day, to_day=as_of.date())["kind"]
        day_index, counts = allocate_days(first_day, as_of.date(), matters, seed, kinds)
        n_m, n_e = generate_range(store, ref, day_index, counts, seed, as_of, progress, atomic=False)
        with store.write() as cur:
            for key, value in (("demo_seed", seed), ("demo_matters", matters), ("demo_days", days),
                               ("demo_first_day", first_day.isoformat()),
                               ("demo_as_of", as_of.isoformat(sep=" ")),
                               ("built_at", clock.now().isoformat(sep=" ", timespec="seconds")),
                               ("timezone", clock.zone_name())):
                store.set_meta(cur, key, str(value))
            if ref.anomalies:
                store.set_meta(cur, "demo_plant_anchor", anchor.isoformat())
                cur.register("demo_truth", ground_truth_frame(ref))
                store.execute_write(cur, "demo/insert_ground_truth")
                cur.unregister("demo_truth")
        store.checkpoint()
        open_n = open_matters_count(store)
    except BaseException:
        store.close()
        path.unlink(missing_ok=True)
        Path(str(path) + ".wal").unlink(missing_ok=True)
        raise
    store.close()
    return BuildStats(n_m, n_e, open_n, first_day, as_of, time.perf_counter() - start)
