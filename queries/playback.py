"""Time playback (回放): the board as it was at a past instant, from the event log and the
working calendar, never from the derived tables of today (``open_matters``, ``daily_rollup``).

The state at ``at`` is the fold of every matter's events up to ``at``: its status and
lead department from the last events (SQL, ``playback/open_at``), and, for the matters
whose deadline ever moved or whose clock stopped, the fold of ``lifecycle.replay`` (the
step function the write path applies), so a deadline is what the write path had made of
it at that instant. Lights are computed at the minute of ``at`` with the same SQL macro
the live board uses (``light_of``), so the state at T equals what the live board showed
when it was read at T. Playback only reads.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

import pandas as pd

from queries import clock, lifecycle
from queries.store import Store
from queries.vocabulary import OPEN_STATUSES

LIGHT_RANK = {"red": 4, "yellow": 3, "green": 2, "paused": 1, "none": 0}
WORST = {rank: light for light, rank in LIGHT_RANK.items()}
UNASSIGNED = -1


@dataclass(frozen=True)
class BoardState:
    """What the board shows at ``as_of``: every open matter with its light, the counts per
    cell, the department loads and the headline counts."""

    as_of: datetime
    matters: pd.DataFrame          # matter_id, status, lead_dept_id, cell_id, remaining_min, light, …
    cells: list[dict[str, Any]]    # cell_id, open_count, overdue_count, due_soon_count, worst_light
    departments: list[dict[str, Any]]   # dept_id, open_count, overdue_count, due_soon_count, closed_30d
    counts: dict[str, int]         # open_count, overdue_count, due_soon_count, received_today, closed_today

    def to_json(self) -> dict[str, Any]:
        lights = {str(int(m)): light for m, light in zip(self.matters["matter_id"], self.matters["light"])}
        return {"as_of": self.as_of.isoformat(timespec="seconds"), "counts": self.counts, "cells": self.cells,
                "departments": self.departments, "lights": lights}


def _folded_deadlines(store: Store, rows: pd.DataFrame, at: datetime) -> pd.DataFrame:
    """For matters whose deadline moved: their state at ``at`` replayed through the step
    function (the registration's limit is today's less every extension)."""
    if rows.empty:
        return pd.DataFrame(columns=["matter_id", "due_at", "limit_min", "paused", "paused_remaining",
                                     "status", "lead_dept_id"])
    events = store.run("playback/events_of", ids=[int(i) for i in rows["matter_id"]], at=at)
    limits = {int(m): (None if pd.isna(lim) else int(lim) - int(ext))
              for m, lim, ext in zip(rows["matter_id"], rows["limit_min"], rows["extended_min"])}
    out = []
    calendar = store.calendar
    names = list(events.columns)
    columns = [events[c].dt.to_pydatetime().tolist() if c in ("occurred_at", "created_at")
               else events[c].to_numpy(dtype=object, na_value=None).tolist() for c in names]
    by_matter: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for values in zip(*columns):
        e = dict(zip(names, values))
        by_matter[int(e["matter_id"])].append(e)
    for matter_id, records in sorted(by_matter.items()):
        s = lifecycle.replay(records, created_at=records[0]["created_at"], limit_min=limits[matter_id],
                             calendar=calendar)
        out.append({"matter_id": matter_id, "due_at": s.due_at, "limit_min": s.limit_min,
                    "paused": s.suspended_at is not None, "paused_remaining": s.remaining_min_at_suspend,
                    "status": s.status, "lead_dept_id": s.lead_dept_id})
    return pd.DataFrame(out)


def open_matters_at(store: Store, at: datetime, scope: Iterable[int], yellow_share: float) -> pd.DataFrame:
    """Every matter open at ``at`` in scope with its light at the minute of ``at``."""
    at = at.replace(microsecond=0)
    now = clock.to_minute(at)
    rows = store.run("playback/open_at", at=at, now=now, scope=list(scope), yellow_share=float(yellow_share),
                     open_statuses=list(OPEN_STATUSES))
    fold = rows[rows["needs_fold"]]
    if not fold.empty:
        folded = _folded_deadlines(store, fold, at)
        lit = store.run("playback/lights_of", ids=folded["matter_id"].tolist(),
                        due_ats=[None if pd.isna(d) else pd.Timestamp(d).to_pydatetime() for d in folded["due_at"]],
                        limit_mins=[None if pd.isna(v) else int(v) for v in folded["limit_min"]],
                        paused=[bool(p) for p in folded["paused"]],
                        paused_remaining=[None if pd.isna(v) else int(v) for v in folded["paused_remaining"]],
                        now=now, yellow_share=float(yellow_share)).set_index("matter_id")
        rows = rows.set_index("matter_id")
        rows["remaining_min"] = rows["remaining_min"].astype("Int64")
        rows.loc[lit.index, "remaining_min"] = lit["remaining_min"].astype("Int64")
        rows.loc[lit.index, "light"] = lit["light"]
        folded = folded.set_index("matter_id")
        rows.loc[folded.index, "due_at"] = pd.to_datetime(folded["due_at"])
        rows = rows.reset_index()
    cols = ["matter_id", "status", "lead_dept_id", "cell_id", "remaining_min", "light", "village_id", "source",
            "major_code", "supervision_count", "created_at", "due_at"]
    return rows[cols].sort_values("matter_id").reset_index(drop=True)


def summarize(as_of: datetime, matters: pd.DataFrame, cell_ids: Iterable[int],
              closed: pd.DataFrame) -> BoardState:
    """The counts the board shows, from its open matters (and the closures of 30 days)."""
    per_cell: dict[int, list[int]] = {int(c): [0, 0, 0, -1] for c in cell_ids}
    per_dept: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for cell, dept, light in zip(matters["cell_id"], matters["lead_dept_id"], matters["light"]):
        d = per_dept[UNASSIGNED if pd.isna(dept) else int(dept)]
        d[0] += 1
        d[1] += light == "red"
        d[2] += light == "yellow"
        if pd.isna(cell) or int(cell) not in per_cell:
            continue
        c = per_cell[int(cell)]
        c[0] += 1
        c[1] += light == "red"
        c[2] += light == "yellow"
        c[3] = max(c[3], LIGHT_RANK.get(light, 0))
    day = as_of.date()
    closed_today = 0
    received_today = 0
    for dept, on, n_closed, n_received in zip(closed["dept_id"], closed["day"], closed["closed"],
                                              closed["received"]):   # per village, source, 大类 too
        if n_closed:
            per_dept[int(dept)][3] += int(n_closed)
        if pd.Timestamp(on).date() == day:
            closed_today += int(n_closed)
            received_today += int(n_received)
    cells = [{"cell_id": cid, "open_count": v[0], "overdue_count": v[1], "due_soon_count": v[2],
              "worst_light": WORST.get(v[3])} for cid, v in sorted(per_cell.items())]
    departments = [{"dept_id": did, "open_count": v[0], "overdue_count": v[1], "due_soon_count": v[2],
                    "closed_30d": v[3]} for did, v in sorted(per_dept.items()) if v[0] + v[3] > 0]
    counts = {"open_count": int(len(matters)), "overdue_count": int((matters["light"] == "red").sum()),
              "due_soon_count": int((matters["light"] == "yellow").sum()),
              "received_today": received_today, "closed_today": closed_today}
    return BoardState(as_of, matters, cells, departments, counts)


def _cell_ids(store: Store, scope: list[int]) -> list[int]:
    return [int(c) for c in store.run("reference/cells", scope=scope)["cell_id"]]


def state_at(store: Store, at: datetime, scope: Iterable[int], yellow_share: float) -> BoardState:
    """The board at instant ``at`` (to the second; lights at its minute), from the events."""
    scope = list(scope)
    at = at.replace(microsecond=0)
    matters = open_matters_at(store, at, scope, yellow_share)
    closed = store.run("playback/closed_by_day", at=at, scope=scope)
    return summarize(at, matters, _cell_ids(store, scope), closed)


def live_state(store: Store, now: datetime, scope: Iterable[int], yellow_share: float) -> BoardState:
    """The board as the live pages compute it at ``now`` (the current-state table and the
    daily rollup), in the same shape: what playback of ``now`` must equal."""
    scope = list(scope)
    now = now.replace(microsecond=0)
    minute = clock.to_minute(now)
    matters = store.run("playback/live_lights", scope=scope, now=minute, yellow_share=float(yellow_share))
    matters["remaining_min"] = matters["remaining_min"].astype("Int64")
    filters = {"villages": None, "sources": None, "majors": None, "depts": None}
    cells = store.run("overview/open_by_cell", scope=scope, now=minute, yellow_share=float(yellow_share),
                      **filters)
    depts = store.run("overview/department_workload", scope=scope, now=minute, yellow_share=float(yellow_share),
                      **filters)
    kpis = store.run("overview/kpis", scope=scope, now=minute, yellow_share=float(yellow_share),
                     **filters).iloc[0]
    state = BoardState(
        now, matters,
        [{"cell_id": int(r.cell_id), "open_count": int(r.open_count), "overdue_count": int(r.overdue_count),
          "due_soon_count": int(r.due_soon_count), "worst_light": None if pd.isna(r.worst_light) else r.worst_light}
         for r in cells.itertuples()],
        sorted(({"dept_id": int(r.dept_id), "open_count": int(r.open_count), "overdue_count": int(r.overdue_count),
                 "due_soon_count": int(r.due_soon_count), "closed_30d": int(r.closed_30d)}
                for r in depts.itertuples()), key=lambda d: d["dept_id"]),
        {"open_count": int(kpis["open_count"]), "overdue_count": int(kpis["overdue_count"]),
         "due_soon_count": int(kpis["due_soon_count"]), "received_today": int(kpis["received_today"]),
         "closed_today": int(kpis["closed_today"])})
    return state
