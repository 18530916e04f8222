"""The counts report: received, closed, closed with a due time, closed on time,
open at the end and overdue at the end of a half-open period [from, to), in total, by
lead department and by grid cell. The definitions live in macro ``report_counts``
(``queries/migrations/011_shared_macros.sql``), which ``queries/sql/report/*.sql`` call.

JSON keys: ``counts``; ``by_department`` keyed by department name and ``by_cell`` keyed
by the cell's code (the grid's id-field value), ``""`` for matters without one. Groups
with every count zero are left out.
"""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pandas as pd

from queries.store import Store

COUNTS = ("received", "closed", "closed_with_due", "closed_on_time", "open_at_end", "overdue_at_end")


def parse_instant(text: str, what: str) -> datetime:
    """A date (midnight) or a date and time, ISO 8601, local wall-clock time."""
    try:
        if len(text.strip()) == 10:
            return datetime.combine(date.fromisoformat(text.strip()), time())
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{what} {text!r}: give a date as YYYY-MM-DD (or YYYY-MM-DDTHH:MM)") from None
    if value.tzinfo is not None:
        raise ValueError(f"{what} {text!r}: times are local wall-clock times; leave out the zone")
    return value


def _counts(row: pd.Series) -> dict[str, int]:
    return {name: int(row[f"{name}_count"]) for name in COUNTS}


def counts_report(store: Store, start: datetime, end: datetime, scope: list[int]) -> dict[str, Any]:
    """The report over [start, end) for the matters of the villages in ``scope`` (-1:
    matters without a village)."""
    if end <= start:
        raise ValueError(f"the period is empty: --to ({end:%Y-%m-%d %H:%M}) must come after "
                         f"--from ({start:%Y-%m-%d %H:%M})")
    params = {"scope": list(scope), "period_start": start, "period_end": end}
    totals = store.run("report/counts", **params)
    by_department = store.run("report/by_department", **params)
    by_cell = store.run("report/by_cell", **params)
    return {
        "period": {"from": start.isoformat(sep=" "), "to": end.isoformat(sep=" "), "half_open": True},
        "counts": _counts(totals.iloc[0]) if len(totals) else {name: 0 for name in COUNTS},
        "by_department": {str(r["department"]): _counts(r) for _, r in by_department.iterrows()},
        "by_cell": {str(r["cell"]): _counts(r) for _, r in by_cell.iterrows()},
        # duplicates merged into another matter are left out of every count above
        "merged": int(store.run("duplicates/merged", **params)["merged_count"].iloc[0]),
    }


def report(store: Store, *, start: str, end: str) -> dict[str, Any]:
    """The report for the whole township (every village, and matters without one), with
    JSON-able arguments: the form a CLI hands to a running server."""
    return counts_report(store, parse_instant(start, "--from"), parse_instant(end, "--to"),
                         store.all_village_ids() + [-1])


def report_rows(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The report as one table: a row for the township's totals, then one per department
    and one per cell (``level``, ``key``, the six counts), the form CSV and Excel take."""
    rows = [{"level": "township", "key": "", **body["counts"]}]
    for level, name in (("department", "by_department"), ("cell", "by_cell")):
        rows += [{"level": level, "key": key, **counts} for key, counts in body[name].items()]
    return rows
