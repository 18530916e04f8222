"""The usual Dash approach, done fairly: load the matters into pandas once (category
dtypes, datetimes), then answer each refresh with vectorised filters and group-bys over
the whole frame. Same answers as the overview's SQL (a test checks), so the benchmark
compares like with like."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from queries.store import Store
from queries.vocabulary import OPEN_STATUSES
from queries.workcal import WorkCalendar

LIGHT_RANK = {"red": 0, "yellow": 1, "green": 2, "paused": 3, "none": 4}
WORST_RANK = {"red": 4, "yellow": 3, "green": 2, "paused": 1, "none": 0}
OPEN_LIMIT = 500


@dataclass
class PandasOverview:
    matters: pd.DataFrame
    cells: pd.DataFrame
    departments: pd.DataFrame
    calendar: WorkCalendar

    @classmethod
    def load(cls, store: Store) -> "PandasOverview":
        matters = store.run("bench/pandas_matters")
        for col in ("status", "source", "major_code", "satisfaction"):
            matters[col] = matters[col].astype("category")
        matters["village_key"] = matters["village_id"].fillna(-1).astype(np.int32)
        matters["dept_key"] = matters["lead_dept_id"].fillna(-1).astype(np.int32)
        matters["major_key"] = matters["major_code"].cat.add_categories([""]).fillna("") \
            if "" not in matters["major_code"].cat.categories else matters["major_code"].fillna("")
        cells = store.run("bench/pandas_cells")
        departments = store.run("bench/pandas_departments")
        return cls(matters, cells, departments, store.calendar)

    def _filter(self, scope, villages, sources, majors, depts) -> pd.Series:
        m = self.matters
        keep = m["village_key"].isin(scope)
        if villages is not None:
            keep &= m["village_key"].isin(villages)
        if sources is not None:
            keep &= m["source"].isin(sources)
        if majors is not None:
            keep &= m["major_key"].isin(majors)
        if depts is not None:
            keep &= m["dept_key"].isin(depts)
        return keep

    def _lights(self, rows: pd.DataFrame, now: datetime, yellow_share: float) -> pd.DataFrame:
        cal = self.calendar
        w_now = float(cal.work_min_at(np.datetime64(now, "s")))
        due = rows["due_at"].to_numpy(dtype="datetime64[s]")
        has_due = ~np.isnat(due)
        w_due = np.full(len(rows), np.nan)
        if has_due.any():
            w_due[has_due] = cal.work_min_at(due[has_due])
        left = w_due - w_now
        paused = rows["suspended_at"].notna().to_numpy()
        light = np.where(paused, "paused", np.where(~has_due, "none", np.where(
            due <= np.datetime64(now, "s"), "red",
            np.where(left < yellow_share * rows["limit_min"].to_numpy(dtype=float), "yellow", "green"))))
        rounded = np.sign(left) * np.floor(np.abs(left) + 0.5)     # SQL's round: half away from zero
        remaining = np.where(paused, rows["remaining_min_at_suspend"].to_numpy(dtype=float), rounded)
        return rows.assign(light=light, remaining_min=remaining)

    def answers(self, *, scope, now: datetime, yellow_share: float, villages=None, sources=None, majors=None,
                depts=None) -> dict:
        m = self.matters
        keep = self._filter(scope, villages, sources, majors, depts)
        today = pd.Timestamp(now.date())
        start = today - pd.Timedelta(days=29)
        end = today + pd.Timedelta(days=1)
        sub = m[keep]
        created_day_today = (sub["created_at"] >= today) & (sub["created_at"] < end)
        closed = sub["closed_at"]
        closed_today = (closed >= today) & (closed < end)
        closed_30 = (closed >= start) & (closed < end)
        with_due = closed_30 & sub["due_at"].notna()
        on_time = with_due & (closed <= sub["due_at"])
        followed_30 = (sub["followed_up_at"] >= start) & (sub["followed_up_at"] < end)
        rated = followed_30 & sub["satisfaction"].notna()
        satisfied = followed_30 & (sub["satisfaction"] == "satisfied")
        open_rows = self._lights(sub[sub["status"].isin(OPEN_STATUSES)], now, yellow_share)
        kpis = {"received_today": int(created_day_today.sum()), "closed_today": int(closed_today.sum()),
                "open_count": len(open_rows), "overdue_count": int((open_rows["light"] == "red").sum()),
                "due_soon_count": int((open_rows["light"] == "yellow").sum()),
                "closed_on_time_30d": int(on_time.sum()), "closed_with_due_30d": int(with_due.sum()),
                "satisfied_30d": int(satisfied.sum()), "rated_30d": int(rated.sum())}

        placed = open_rows[open_rows["cell_id"].notna()]
        per_cell = placed.assign(red=placed["light"] == "red", yellow=placed["light"] == "yellow",
                                 rank=placed["light"].map(WORST_RANK)) \
            .groupby("cell_id").agg(open_count=("matter_id", "size"), overdue_count=("red", "sum"),
                                    due_soon_count=("yellow", "sum"), worst_rank=("rank", "max"))
        cells = self.cells[self.cells["village_id"].isin(scope)].set_index("cell_id").join(per_cell)
        cells[["open_count", "overdue_count", "due_soon_count"]] = \
            cells[["open_count", "overdue_count", "due_soon_count"]].fillna(0).astype(int)
        inverse = {v: k for k, v in WORST_RANK.items()}
        cells["worst_light"] = cells["worst_rank"].map(inverse)
        cells = cells.drop(columns=["worst_rank", "village_id"]).reset_index()

        dept_open = open_rows.assign(red=open_rows["light"] == "red", yellow=open_rows["light"] == "yellow") \
            .groupby("dept_key").agg(open_count=("matter_id", "size"), overdue_count=("red", "sum"),
                                     due_soon_count=("yellow", "sum"))
        dept_closed = sub[closed_30].groupby("dept_key").size().rename("closed_30d")
        depts_frame = dept_open.join(dept_closed, how="outer").fillna(0).astype(int)
        depts_frame = depts_frame[depts_frame["open_count"] + depts_frame["closed_30d"] > 0]
        depts_frame = depts_frame.rename_axis("dept_id").reset_index() \
            .sort_values(["overdue_count", "open_count", "closed_30d", "dept_id"],
                         ascending=[False, False, False, True]).reset_index(drop=True)

        table = open_rows.assign(rank=open_rows["light"].map(LIGHT_RANK)) \
            .sort_values(["rank", "remaining_min", "created_at", "matter_id"], na_position="last") \
            .head(OPEN_LIMIT)[["matter_id", "light", "remaining_min"]].reset_index(drop=True)
        return {"kpis": kpis, "cells": cells, "departments": depts_frame, "open": table}


def sql_answers(store: Store, *, scope, now: datetime, yellow_share: float, villages=None, sources=None,
                majors=None, depts=None) -> dict:
    """The same answers from the overview's queries, for the comparison test."""
    params = dict(scope=list(scope), villages=villages, sources=sources, majors=majors, depts=depts, now=now,
                  yellow_share=yellow_share)
    k = store.run("overview/kpis", **params).iloc[0]
    kpis = {name: int(k[name]) for name in ("received_today", "closed_today", "open_count", "overdue_count",
                                            "due_soon_count", "closed_on_time_30d", "closed_with_due_30d",
                                            "satisfied_30d", "rated_30d")}
    cells = store.run("overview/open_by_cell", **params)[["cell_id", "open_count", "overdue_count",
                                                          "due_soon_count", "worst_light"]]
    departments = store.run("overview/department_workload", **params)[
        ["dept_id", "open_count", "overdue_count", "due_soon_count", "closed_30d"]]
    table = store.run("overview/open_matters", limit=OPEN_LIMIT, **params)[["matter_id", "light", "remaining_min"]]
    return {"kpis": kpis, "cells": cells, "departments": departments, "open": table}


def same_answers(a: dict, b: dict) -> list[str]:
    """Differences between two answer sets (empty when identical)."""
    problems = []
    if a["kpis"] != b["kpis"]:
        problems.append(f"kpis: {a['kpis']} != {b['kpis']}")
    for part in ("cells", "departments", "open"):
        x = a[part].reset_index(drop=True).astype(object).where(a[part].notna(), None)
        y = b[part].reset_index(drop=True).astype(object).where(b[part].notna(), None)
        x = x.map(lambda v: float(v) if isinstance(v, (int, float, np.integer, np.floating)) and v is not None else v)
        y = y.map(lambda v: float(v) if isinstance(v, (int, float, np.integer, np.floating)) and v is not None else v)
        if list(x.columns) != list(y.columns) or len(x) != len(y) or not x.equals(y):
            diff = (x != y).any(axis=1) if x.shape == y.shape else None
            where = list(np.flatnonzero(diff))[:3] if diff is not None else "shape"
            problems.append(f"{part} differ at rows {where}")
    return problems


