"""Carrying a demo database forward to now: recent matters regenerated from their plans
(the same as before up to the old as-of, since every lifecycle ends within the window)
and the new days added."""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from data.demo.anomalies import plan_anomalies
from data.demo.arrivals import allocate_days, day_weights
from data.demo.load import BuildStats, ProgressFn, as_of_or_now, generate_range, open_matters_count
from data.demo.reference import load_reference
from queries import clock
from queries.store import Store, StoreError

TOP_UP_WINDOW_DAYS = 120          # every planned lifecycle ends within this


def _imported_grid(store: Store) -> bool:
    return int(store.run("demo/imported_areas")["imported_areas"].iloc[0]) > 0


def top_up(path: str | Path, *, as_of: datetime | None = None,
           progress: ProgressFn | None = None) -> BuildStats:
    """Carry a demo database forward to ``as_of``: recent demo matters are regenerated from
    their plans (the same as before up to the old as-of) and new days are added."""
    start = time.perf_counter()
    as_of = as_of_or_now(as_of)
    store = Store(path)
    try:
        old = store.meta("demo_as_of")
        if old is None:
            raise StoreError(f"{path}: not a demo database (no demo_as_of); nothing to top up")
        if _imported_grid(store):
            raise StoreError(f"{path}: its grid was imported; the demo cannot be topped up on a real grid "
                             f"(build a new demo database instead)")
        old_as_of = datetime.fromisoformat(old)
        if as_of <= old_as_of:
            return BuildStats(0, 0, open_matters_count(store), None, old_as_of, 0.0,
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
        kinds_all = store.run("demo/day_kinds", from_day=first_day, to_day=as_of.date())
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
            store.execute_write(cur, "demo/delete_recent", from_id=lo_id)
        n_m, n_e = generate_range(store, ref, days, counts, seed, as_of, progress, atomic=True)
        with store.write() as cur:
            store.set_meta(cur, "demo_as_of", as_of.isoformat(sep=" "))
            store.set_meta(cur, "built_at", clock.now().isoformat(sep=" ", timespec="seconds"))
        store.checkpoint()
        open_n = open_matters_count(store)
    finally:
        store.close()
    return BuildStats(n_m, n_e, open_n, window_start, as_of, time.perf_counter() - start)


def needs_top_up(path: str | Path, max_age: timedelta = timedelta(days=1)) -> bool:
    """A demo database built more than ``max_age`` ago on the demo grid. Opened for writing,
    so a file from an older version of the program is migrated on the way."""
    store = Store(path)
    try:
        old = store.meta("demo_as_of")
        imported_grid = _imported_grid(store)
    finally:
        store.close()
    return old is not None and not imported_grid and clock.now() - datetime.fromisoformat(old) > max_age
