"""Keeping the derived tables in step with one changed matter, inside the write path's
transaction: the net change to the daily rollup and the matter's row in the current-state
table, computed here from the matter's row before and after the change, so an action costs
a few point writes instead of re-reading the history.

The rollup's definition is the view ``matter_contributions`` (what bulk loads rebuild
from); ``contributions`` below says the same in Python, and the write-path tests check
after random action sequences that the rollup still equals a rebuild from the view.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import duckdb
import numpy as np

from queries.store import Store
from queries.vocabulary import OPEN_STATUSES

COUNTERS = ("received", "closed", "closed_with_due", "closed_on_time", "followed_up", "satisfied",
            "basic_satisfied", "unsatisfied")
OPEN_COLUMNS = ("matter_id", "status", "source", "category_id", "major_code", "lead_dept_id", "cell_id",
                "village_id", "level", "urgent", "created_at", "due_at", "limit_min", "suspended_at",
                "remaining_min_at_suspend", "supervision_count", "description", "address", "external_ref",
                "due_work_min")


def _key(m: dict[str, Any], at: datetime) -> tuple:
    village = m.get("village_id")
    dept = m.get("lead_dept_id")
    return (at.date(), -1 if village is None else int(village), -1 if dept is None else int(dept),
            m["source"], m.get("major_code") or "")


def contributions(m: dict[str, Any] | None) -> dict[tuple, np.ndarray]:
    """What one matter adds to the daily rollup, by (day, village, department, source, 大类)."""
    out: dict[tuple, np.ndarray] = defaultdict(lambda: np.zeros(len(COUNTERS), dtype=np.int64))
    if m is None:
        return out
    if m.get("duplicate_of") is None:               # a merged duplicate is not received twice
        out[_key(m, m["created_at"])][0] += 1
    closed = m.get("closed_at")
    if closed is not None:
        due = m.get("due_at")
        row = out[_key(m, closed)]
        row[1] += 1
        row[2] += due is not None
        row[3] += due is not None and closed <= due
    followed = m.get("followed_up_at")
    if followed is not None:
        sat = m.get("satisfaction")
        row = out[_key(m, followed)]
        row[4] += 1
        row[5] += sat == "satisfied"
        row[6] += sat == "basic"
        row[7] += sat == "unsatisfied"
    return out


def apply_rollup_change(store: Store, cur: duckdb.DuckDBPyConnection, before: dict[str, Any] | None,
                        after: dict[str, Any]) -> int:
    """Add ``after``'s contributions and take ``before``'s away; returns the rows touched."""
    net: dict[tuple, np.ndarray] = defaultdict(lambda: np.zeros(len(COUNTERS), dtype=np.int64))
    for key, row in contributions(after).items():
        net[key] += row
    for key, row in contributions(before).items():
        net[key] -= row
    touched = 0
    for (day, village, dept, source, major), row in net.items():
        if not row.any():
            continue
        store.execute_write(cur, "derived/rollup_delta", day=day, village_id=village, dept_id=dept,
                            source=source, major_code=major, **{c: int(v) for c, v in zip(COUNTERS, row)})
        touched += 1
    return touched


def sync_open_matter(store: Store, cur: duckdb.DuckDBPyConnection, after: dict[str, Any],
                     is_new: bool = False) -> None:
    """The matter's row in ``open_matters``: replaced while it is open, gone once it is not."""
    if not is_new:
        store.execute_write(cur, "derived/open_matter_delete", matter_id=int(after["matter_id"]))
    if after["status"] not in OPEN_STATUSES:
        return
    due = after.get("due_at")
    row = dict(after)
    row["due_work_min"] = None if due is None else float(store.calendar.work_min_at(np.datetime64(due, "s")))
    store.execute_write(cur, "derived/open_matter_insert", **{c: row.get(c) for c in OPEN_COLUMNS})
