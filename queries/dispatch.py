"""The dispatch suggestion (派单建议): which lead department to propose for a matter.

The proposal weighs two things, each said in the candidate's ``reason``:
- the 小类's default department: the center's own choice (table ``dispatch_defaults``,
  ``python -m dashboard dispatch-default set``) where it made one, else the code table's
  (``categories.default_dept_id``, from data/categories.csv);
- past dispatches of this 小类 in this village over the last ``PAST_DAYS`` days: the share
  each department took and kept (dispatches less those it returned, 退回).

score = ``DEFAULT_WEIGHT`` × (is the default) + kept share. The default leads unless the
village's own practice clearly went elsewhere (another department kept more than half
again the default's share). Beside each candidate: its live load (open and overdue
matters as lead) and its on-time closure rate over the last 30 days, ``None`` with a reason
when it closed nothing with a due time then.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Sequence

import pandas as pd

from queries import clock
from queries.store import Store

DEFAULT_WEIGHT = 0.5
PAST_DAYS = 365
ON_TIME_DAYS = 30
MAX_CANDIDATES = 5


def rank(candidates: pd.DataFrame) -> pd.DataFrame:
    """Candidates (columns of ``dispatch/candidates``) with ``kept``, ``share`` and ``score``,
    best first (ties: the default, then more kept dispatches, then the lower id)."""
    if candidates.empty:
        return candidates.assign(kept=[], share=[], score=[])
    kept = (candidates["past_dispatches"] - candidates["past_returns"]).clip(lower=0)
    total = candidates["village_dispatches"].clip(lower=1)
    share = kept / total
    score = DEFAULT_WEIGHT * candidates["is_default"].astype(float) + share
    out = candidates.assign(kept=kept, share=share, score=score)
    return out.sort_values(["score", "is_default", "kept", "dept_id"], ascending=[False, False, False, True],
                           kind="stable").reset_index(drop=True)


def _reason(row: pd.Series) -> list[dict[str, Any]]:
    """Why a candidate is proposed, as codes with their numbers (the page words them)."""
    why: list[dict[str, Any]] = []
    if row["is_default"]:
        why.append({"code": "category_default", "source": row["default_source"]})
    if row["past_dispatches"]:
        why.append({"code": "past_dispatches", "kept": int(row["kept"]), "dispatches": int(row["past_dispatches"]),
                    "returned": int(row["past_returns"]), "of": int(row["village_dispatches"]),
                    "days": PAST_DAYS})
    return why


def _ranked(store: Store, matter_id: int, scope: Sequence[int], now: datetime) -> pd.DataFrame:
    return rank(store.run("dispatch/candidates", scope=list(scope), matter_id=int(matter_id),
                          since=now - timedelta(days=PAST_DAYS)))


def suggest(store: Store, matter_id: int, *, scope: Sequence[int], now: datetime) -> list[dict[str, Any]]:
    """The ranked candidates for the lead department of ``matter_id`` (empty when the
    viewer may not see it, or nothing suggests any): rank, dept_id, department,
    department_en, code, score, reason, open, overdue, on_time_rate_30d (None with
    on_time_reason when no data), closed_with_due_30d."""
    ranked = _ranked(store, matter_id, scope, now).head(MAX_CANDIDATES)
    if ranked.empty:
        return []
    loads = store.run("dispatch/loads", scope=list(scope), depts=[int(d) for d in ranked["dept_id"]],
                      now=now, since=now - timedelta(days=ON_TIME_DAYS)).set_index("dept_id")
    out = []
    for i, row in ranked.iterrows():
        load = loads.loc[int(row["dept_id"])]
        closed = int(load["closed_with_due"])
        out.append({
            "rank": i + 1, "dept_id": int(row["dept_id"]), "department": row["department"],
            "department_en": row["department_en"], "code": row["code"], "score": round(float(row["score"]), 3),
            "reason": _reason(row), "open": int(load["open"]), "overdue": int(load["overdue"]),
            "on_time_rate_30d": round(int(load["closed_on_time"]) / closed, 4) if closed else None,
            "on_time_reason": None if closed else f"closed no matter with a due time in the last {ON_TIME_DAYS} days",
            "closed_with_due_30d": closed,
        })
    return out


def proposed_department(store: Store, matter_id: int, *, now: datetime | None = None) -> int | None:
    """The department the suggestion puts first for ``matter_id`` (None: no proposal), as
    the system sees it (every village): what a dispatch event records it against."""
    ranked = _ranked(store, matter_id, store.all_village_ids() + [-1], now or clock.now())
    return None if ranked.empty else int(ranked["dept_id"].iloc[0])


# -- the center's defaults ----------------------------------------------------------------
def set_default(store: Store, *, category: str, department: str | None, by: str = "(command line)") -> dict[str, Any]:
    """Make ``department`` (a code or id) the center's default lead department of the 小类
    ``category``; ``department`` None: back to the code table's. One transaction."""
    def write(cur) -> dict[str, Any]:
        found = store.select_in(cur, "dispatch/lookup", category=str(category), department=str(department or ""))[0]
        if found["category_id"] is None:
            raise ValueError(f"no 小类 with the code {category!r}")
        if department is not None and found["dept_id"] is None:
            raise ValueError(f"no department with the code or id {department!r}")
        if department is None:
            store.execute_write(cur, "dispatch/clear_default", category_id=found["category_id"])
        else:
            store.execute_write(cur, "dispatch/set_default", category_id=found["category_id"],
                                dept_id=found["dept_id"], now=clock.now().replace(microsecond=0), by=by)
        return {"category": category, "category_name": found["category_name"],
                "department": found["department"] if department is not None else None,
                "code_table_dept_id": found["code_table_dept_id"]}

    return store.transact(write)


def list_defaults(store: Store) -> dict[str, Any]:
    frame = store.run("dispatch/defaults")
    return {"defaults": [{k: (None if pd.isna(v) else str(v)) for k, v in row.items()}
                         for row in frame.to_dict("records")]}
