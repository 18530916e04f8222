"""Planted anomalies: the ground truth the warnings must find.

The last weeks of a build carry surges in chosen cells × 小类, a department whose on-time
rate drifts down, and repeat complaints at chosen addresses, placed relative to the build's
as-of day (the anchor) and recorded in ``demo_ground_truth``.
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from data.demo.reference import ADDRESSES_PER_CELL, SLOW_DEPARTMENTS, PlantedAnomaly, Reference

# Offsets in days from the anchor (the build's as-of day) of the surges' first days; each
# surge lasts SURGE_DAYS days, in its own village, one cell × one 小类.
SURGE_STARTS = (-45, -33, -24, -17, -10, -5)
SURGE_DAYS = 3
DRIFT_DAYS = 42                     # the drifting department's on-time rate falls over these
DRIFT_EXTRA_OVERDUE = 0.55          # … until this much more of its matters end overdue
# Repeat-complaint points: the days (offsets) of the same complaint at the same address.
REPEAT_POINTS = ((-13, -6), (-16, -10, -4), (-15, -12, -9, -5, -2))


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
