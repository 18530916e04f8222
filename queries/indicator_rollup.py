"""Keeping ``indicator_rollup`` in step with one changed matter, for the write path: the
same contributions as the view ``matter_indicator_contributions`` (what rebuilds read),
computed in Python from the matter's row before and after a change, and appended as net
delta rows (the table has no key; readers sum; a rebuild compacts).

Use inside the write path's transaction, beside ``incremental.apply_rollup_change``::

    apply_indicator_change(store, cur, before_row, after_row, was_suspended=...)

``was_suspended``: the matter's clock was ever stopped (缓办): it is suspended now or its
events hold a ``suspend`` (after a ``suspend`` action, true from then on).
"""
from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime
from typing import Any, Callable

import duckdb
import numpy as np

from queries.analysis_config import ROLLUP_MEASURES
from queries.store import Store

KEY = ("day", "dept_id", "village_id", "cell_id", "source", "category_id", "major_code")
INDEX = {name: i for i, name in enumerate(ROLLUP_MEASURES)}


def _key(m: dict[str, Any], at: datetime) -> tuple:
    def dim(name: str) -> int:
        value = m.get(name)
        return -1 if value is None else int(value)
    return (at.date(), dim("lead_dept_id"), dim("village_id"), dim("cell_id"), m["source"], dim("category_id"),
            m.get("major_code") or "")


def contributions(m: dict[str, Any] | None, *, was_suspended: bool,
                  work_min_at: Callable[[datetime], float]) -> dict[tuple, np.ndarray]:
    """What one matter adds to indicator_rollup, by key; the view's definition in Python."""
    out: dict[tuple, np.ndarray] = defaultdict(lambda: np.zeros(len(ROLLUP_MEASURES), dtype=np.int64))
    if m is None:
        return out

    def add(at: datetime, **values: int) -> None:
        row = out[_key(m, at)]
        for name, v in values.items():
            row[INDEX[name]] += int(v)

    g = m.get
    due, closed, feedback, signed = g("due_at"), g("closed_at"), g("feedback_at"), g("signed_at")
    add(g("created_at"), received=1)
    if g("dispatched_at") is not None:
        sign_due = g("sign_due_at")
        add(g("dispatched_at"), dispatched=1,
            signed_on_time=signed is not None and sign_due is not None and signed <= sign_due)
    if due is not None and g("voided_at") is None and g("escalated_at") is None:
        add(due, due=1, due_suspended=was_suspended,
            due_suspended_closed=was_suspended and closed is not None,
            due_suspended_closed_on_time=was_suspended and closed is not None and closed <= due,
            due_closed=closed is not None, due_closed_on_time=closed is not None and closed <= due,
            due_handled_on_time=feedback is not None and feedback <= due,
            due_unhandled=feedback is None or feedback > due,
            due_reworked=(g("rework_count") or 0) > 0, due_extended=(g("extension_count") or 0) > 0)
    if feedback is not None:
        minutes = 0.0
        if g("dispatched_at") is not None:
            a, b = work_min_at(feedback), work_min_at(g("dispatched_at"))
            minutes = 0.0 if a is None or b is None or math.isnan(a) or math.isnan(b) else max(a - b, 0.0)
        add(feedback, handled=1, handled_with_due=due is not None,
            handled_on_time=due is not None and feedback <= due, handling_work_min=math.floor(minutes + 0.5))
    if closed is not None:
        add(closed, closed=1, closed_with_due=due is not None, closed_on_time=due is not None and closed <= due,
            closed_reworked=(g("rework_count") or 0) > 0, closed_followed_up=g("followed_up_at") is not None)
    if g("followed_up_at") is not None:
        sat = g("satisfaction")
        add(g("followed_up_at"), rated=sat is not None, satisfied=sat == "satisfied", basic_satisfied=sat == "basic",
            unsatisfied=sat == "unsatisfied")
    return out


def apply_indicator_change(store: Store, cur: duckdb.DuckDBPyConnection, before: dict[str, Any] | None,
                           after: dict[str, Any], *, was_suspended: bool,
                           was_suspended_before: bool | None = None) -> int:
    """Append ``after``'s contributions less ``before``'s; returns the delta rows written."""
    calendar = store.calendar

    def work_min_at(t: datetime) -> float:
        return float(calendar.work_min_at(np.datetime64(t, "s")))

    net: dict[tuple, np.ndarray] = defaultdict(lambda: np.zeros(len(ROLLUP_MEASURES), dtype=np.int64))
    for key, row in contributions(after, was_suspended=was_suspended, work_min_at=work_min_at).items():
        net[key] += row
    before_flag = was_suspended if was_suspended_before is None else was_suspended_before
    for key, row in contributions(before, was_suspended=before_flag, work_min_at=work_min_at).items():
        net[key] -= row
    written = 0
    for key, row in net.items():
        if not row.any():
            continue
        store.execute_write(cur, "derived/indicator_rollup_delta", **dict(zip(KEY, key)),
                            **{name: int(v) for name, v in zip(ROLLUP_MEASURES, row)})
        written += 1
    return written
