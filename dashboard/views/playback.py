"""Time playback on the overview: a reader that answers the overview's own named queries
(``overview/kpis``, ``overview/open_by_cell``, ``overview/department_workload``,
``overview/open_matters``) with the board as it was at an instant, folded from the event log
by ``queries.playback``, in the same columns; every other query goes to the live reader. The
overview's panels then draw the past with the code that draws the present.

What playback cannot know from the events alone stays empty rather than wrong: the 30-day
rates of the KPI row (on-time closure, satisfaction) show no value.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from dashboard.reader import Reader
from queries import playback

PLAYED = ("overview/kpis", "overview/open_by_cell", "overview/department_workload", "overview/open_matters")
STEPS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}
SPEEDS = (1, 2, 5, 10)          # steps per second while playing


def _matches(frame: pd.DataFrame, params: dict[str, Any], dept_column: str) -> pd.Series:
    keep = pd.Series(True, index=frame.index)
    village = frame["village_id"].fillna(-1).astype(int)
    keep &= village.isin([int(v) for v in params["scope"]])
    if params.get("villages"):
        keep &= village.isin([int(v) for v in params["villages"]])
    if params.get("sources"):
        keep &= frame["source"].isin(params["sources"])
    if params.get("majors"):
        keep &= frame["major_code"].fillna("").isin(params["majors"])
    if params.get("depts"):
        keep &= frame[dept_column].fillna(-1).astype(int).isin([int(d) for d in params["depts"]])
    return keep


class PlaybackReader:
    """The overview's queries at instant ``at`` (lights at its minute), from the events."""

    def __init__(self, live: Reader, at: datetime, yellow_share: float) -> None:
        self.live = live
        self.store = live.store
        self.at = at.replace(microsecond=0)
        self.yellow_share = float(yellow_share)

    def data_version(self) -> int:
        return self.live.data_version()

    def memo(self, name: str, params: dict[str, Any], build):
        return self.live.memo(name, params, build)

    def _board(self, scope: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
        def build():
            matters = playback.open_matters_at(self.store, self.at, scope, self.yellow_share)
            closed = self.store.run("playback/closed_by_day", at=self.at, scope=scope)
            return matters, closed

        return self.live.memo("playback_board", {"at": self.at.isoformat(), "scope": scope,
                                                 "yellow": self.yellow_share}, build)

    def _state(self, params: dict[str, Any]) -> tuple[playback.BoardState, pd.DataFrame]:
        scope = [int(v) for v in params["scope"]]
        matters, closed = self._board(scope)
        matters = matters[_matches(matters, params, "lead_dept_id")]
        closed = closed[_matches(closed, params, "dept_id")]
        cells = self.live.run("reference/cells", scope=scope)
        return playback.summarize(self.at, matters, cells["cell_id"], closed), cells

    def run(self, name: str, **params: Any) -> pd.DataFrame:
        if name not in PLAYED:
            return self.live.run(name, **params)
        state, cells = self._state(params)
        if name == "overview/kpis":
            c = state.counts
            return pd.DataFrame([{
                "any_matters": True, "received_today": c["received_today"], "closed_today": c["closed_today"],
                "open_count": c["open_count"], "overdue_count": c["overdue_count"],
                "due_soon_count": c["due_soon_count"], "closed_on_time_30d": 0, "closed_with_due_30d": 0,
                "on_time_rate_30d": None, "satisfied_30d": 0, "rated_30d": 0, "satisfaction_rate_30d": None}])
        if name == "overview/open_by_cell":
            counts = pd.DataFrame(state.cells)
            named = cells[["cell_id", "code", "name", "village_id", "village_name"]]
            return named.merge(counts, on="cell_id", how="left")
        if name == "overview/department_workload":
            depts = self.live.run("reference/departments")[["dept_id", "code", "name", "name_en"]]
            frame = pd.DataFrame(state.departments, columns=["dept_id", "open_count", "overdue_count",
                                                             "due_soon_count", "closed_30d"])
            frame = frame.merge(depts, on="dept_id", how="left")
            frame = frame.sort_values(["overdue_count", "open_count", "closed_30d", "dept_id"],
                                      ascending=[False, False, False, True])
            return frame[["dept_id", "code", "name", "name_en", "open_count", "overdue_count", "due_soon_count",
                          "closed_30d"]].reset_index(drop=True)
        return self._open_matters(state.matters, params)

    def _open_matters(self, matters: pd.DataFrame, params: dict[str, Any]) -> pd.DataFrame:
        rank = matters["light"].map({"red": 0, "yellow": 1, "green": 2, "paused": 3}).fillna(4)
        order = matters.assign(_rank=rank, _left=matters["remaining_min"].astype("float64"))
        order = order.sort_values(["_rank", "_left", "created_at", "matter_id"], na_position="last")
        top = order.head(int(params.get("limit") or 500))
        facts = self.store.run("playback/matter_rows", ids=[int(i) for i in top["matter_id"]],
                               scope=[int(v) for v in params["scope"]])
        depts = self.live.run("reference/departments")[["dept_id", "name", "name_en"]].rename(
            columns={"name": "dept_name", "name_en": "dept_name_en"})
        rows = top[["matter_id", "light", "remaining_min", "status", "supervision_count", "due_at", "lead_dept_id"]]
        rows = rows.rename(columns={"lead_dept_id": "dept_id"}).merge(facts, on="matter_id", how="left")
        rows["dept_id"] = rows["dept_id"].astype("float64")
        rows = rows.merge(depts.astype({"dept_id": "float64"}), on="dept_id", how="left")
        rows["dept_id"] = rows["dept_id"].map(lambda d: None if pd.isna(d) else int(d))
        columns = ["matter_id", "light", "remaining_min", "status", "source", "urgent", "level", "supervision_count",
                   "created_at", "due_at", "major_code", "major_name", "major_name_en", "category_name",
                   "category_name_en", "dept_id", "dept_name", "dept_name_en", "village_name", "cell_code",
                   "cell_name", "external_ref", "description", "address"]
        return rows[columns]


def parse_at(text: Any, now: datetime) -> datetime | None:
    """The instant ``?at=`` names (ISO, minutes or seconds), or None when it is missing,
    unreadable or not in the past (the board is then live)."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    moment = moment.replace(tzinfo=None, microsecond=0)
    return moment if moment < now else None


def stepped(at: datetime | None, now: datetime, step: str, direction: int) -> datetime | None:
    """One step back or forward from ``at`` (from now when live); stepping past now is live."""
    base = at or now.replace(second=0)
    moved = base + direction * STEPS.get(step, STEPS["minute"])
    return moved if moved < now else None


def at_text(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat(timespec="minutes" if at.second == 0 else "seconds")

