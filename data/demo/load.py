"""Loading generated days into the store: chunk by chunk, then the derived tables (the
current-state table and the rollups) rebuilt once."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from data.demo.arrivals import draw_days
from data.demo.lifecycle import plan_lifecycles
from data.demo.reference import Reference
from data.demo.tables import chunk_tables
from queries import clock
from queries.derived import rebuild_derived
from queries.store import Store

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



def as_of_or_now(value: datetime | None) -> datetime:
    """The instant a build or top-up ends at: ``value``, or now on the center's clock."""
    return (value or clock.now()).replace(microsecond=0)


def open_matters_count(store: Store) -> int:
    return int(store.run("demo/open_matters")["open_matters"].iloc[0])


def _batched(table: pa.Table) -> pa.Table:
    """Row-group-sized record batches, so that DuckDB scans them on every core."""
    return pa.Table.from_batches(table.to_batches(max_chunksize=122_880), schema=table.schema)


def _insert_chunk(store: Store, cur, matters: pa.Table, events: pa.Table) -> None:
    for name, table in (("matters", matters), ("events", events)):
        cur.register(f"demo_{name}", _batched(table))
        store.execute_write(cur, f"demo/insert_{name}")
        cur.unregister(f"demo_{name}")


def generate_range(store: Store, ref: Reference, days: pd.DatetimeIndex, counts: np.ndarray,
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
            _insert_chunk(store, cur, matters, events)
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

