"""The working calendar: office hours, weekends, public holidays and 调休 working days.

Working time is counted on one axis: ``W(t)``, the working minutes from the calendar's
first day up to instant ``t``. Time between two instants is ``W(b) - W(a)``; adding
``m`` working minutes to ``t`` finds the instant whose ``W`` is ``W(t) + m``. The same
axis exists in SQL (macro ``work_min_at``), built from the same ``work_days`` table.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from queries.settings import REPO_ROOT, office_segments

HOLIDAYS_CSV = REPO_ROOT / "data" / "holidays.csv"
CALENDAR_FIRST_DAY = date(2000, 1, 1)
CALENDAR_LAST_DAY = date(2035, 12, 31)
MINUTE = np.timedelta64(1, "m")


class CalendarError(ValueError):
    pass


def read_holidays(path: Path = HOLIDAYS_CSV) -> pd.DataFrame:
    """Rows ``date, kind (holiday|workday), festival`` as published by the State Council."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    problems = [r for r in rows if r.get("kind") not in ("holiday", "workday")]
    if problems:
        raise CalendarError(f"{path}: kind must be holiday or workday, got {problems[0]!r}")
    return pd.DataFrame(
        {
            "day": pd.to_datetime([r["date"] for r in rows]).date,
            "kind": [r["kind"] for r in rows],
            "festival": [r.get("festival") or None for r in rows],
        }
    )


def build_work_days(office_hours: str, holidays: pd.DataFrame,
                    first: date = CALENDAR_FIRST_DAY, last: date = CALENDAR_LAST_DAY) -> pd.DataFrame:
    """The ``work_days`` table: one row a day with office hours and cumulative minutes."""
    am_start, am_end, pm_start, pm_end = office_segments(office_hours)
    days = pd.date_range(first, last, freq="D")
    weekend = days.day_of_week >= 5
    kind = np.where(weekend, "weekend", "workday").astype(object)
    festival = np.full(len(days), None, dtype=object)
    by_day = {d: (k, f) for d, k, f in zip(holidays["day"], holidays["kind"], holidays["festival"])}
    index_of = {d.date(): i for i, d in enumerate(days)}
    for d, (k, f) in by_day.items():
        i = index_of.get(d)
        if i is None:
            continue
        kind[i] = "holiday" if k == "holiday" else "adjusted_workday"
        festival[i] = f
    is_workday = (kind == "workday") | (kind == "adjusted_workday")
    day_len = np.where(is_workday, (am_end - am_start) + (pm_end - pm_start), 0).astype(np.int64)
    cum_before = np.concatenate([[0], np.cumsum(day_len)[:-1]])
    known_years = {d.year for d in holidays["day"]}
    zeros = np.zeros(len(days), dtype=np.int16)
    return pd.DataFrame(
        {
            "day": days.date,
            "kind": kind,
            "festival": festival,
            "is_workday": is_workday,
            "am_start": np.where(is_workday, am_start, zeros).astype(np.int16),
            "am_end": np.where(is_workday, am_end, zeros).astype(np.int16),
            "pm_start": np.where(is_workday, pm_start, zeros).astype(np.int16),
            "pm_end": np.where(is_workday, pm_end, zeros).astype(np.int16),
            "cum_min_before": cum_before,
            "schedule_known": np.array([d.year in known_years for d in days]),
        }
    )


@dataclass
class WorkCalendar:
    """Vectorised working-time arithmetic over a ``work_days`` table."""

    first_day: np.datetime64          # datetime64[D]
    cum_before: np.ndarray            # int64 per day
    am_start: np.ndarray
    am_end: np.ndarray
    pm_start: np.ndarray
    pm_end: np.ndarray

    @classmethod
    def from_table(cls, work_days: pd.DataFrame) -> "WorkCalendar":
        days = pd.to_datetime(work_days["day"]).to_numpy().astype("datetime64[D]")
        if len(days) == 0 or np.any(np.diff(days).astype(np.int64) != 1):
            raise CalendarError("work_days must be consecutive days")
        col = lambda name: work_days[name].to_numpy().astype(np.int64)  # noqa: E731
        return cls(days[0], col("cum_min_before"), col("am_start"), col("am_end"),
                   col("pm_start"), col("pm_end"))

    @classmethod
    def default(cls, office_hours: str = "08:30-12:00,13:30-17:30") -> "WorkCalendar":
        return cls.from_table(build_work_days(office_hours, read_holidays()))

    @property
    def last_day(self) -> np.datetime64:
        return self.first_day + np.timedelta64(len(self.cum_before) - 1, "D")

    def _day_index(self, ts: np.ndarray) -> np.ndarray:
        idx = (ts.astype("datetime64[D]") - self.first_day).astype(np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= len(self.cum_before)):
            raise CalendarError(
                f"instant outside the working calendar ({self.first_day} … {self.last_day})")
        return idx

    def work_min_at(self, ts) -> np.ndarray:
        """W(t) in minutes (float: seconds count as fractions) for datetime64 values."""
        ts = np.asarray(ts, dtype="datetime64[s]")
        idx = self._day_index(ts)
        tod = (ts - ts.astype("datetime64[D]")).astype(np.int64) / 60.0
        a0, a1, p0, p1 = self.am_start[idx], self.am_end[idx], self.pm_start[idx], self.pm_end[idx]
        within = (np.minimum(np.maximum(tod - a0, 0), a1 - a0)
                  + np.minimum(np.maximum(tod - p0, 0), p1 - p0))
        return self.cum_before[idx] + within

    def work_minutes_between(self, start, end) -> np.ndarray:
        return self.work_min_at(end) - self.work_min_at(start)

    def at_work_min(self, w) -> np.ndarray:
        """The earliest instant whose W equals ``w`` (a deadline falls at the end of a
        working span, e.g. 17:30, rather than at the next morning's start)."""
        w = np.asarray(w, dtype=np.float64)
        idx = np.searchsorted(self.cum_before, w, side="left") - 1
        idx = np.maximum(idx, 0)
        if idx.size and idx.max() >= len(self.cum_before) - 1:
            raise CalendarError(f"deadline beyond the working calendar ({self.last_day})")
        offset = w - self.cum_before[idx]
        am_len = self.am_end[idx] - self.am_start[idx]
        tod = np.where(offset <= am_len, self.am_start[idx] + offset,
                       self.pm_start[idx] + (offset - am_len))
        day = self.first_day + idx.astype("timedelta64[D]")
        seconds = np.round(tod * 60).astype(np.int64).astype("timedelta64[s]")
        return day.astype("datetime64[s]") + seconds

    def add_work_minutes(self, start, minutes) -> np.ndarray:
        """``start`` plus ``minutes`` of working time (datetime64[s])."""
        return self.at_work_min(self.work_min_at(start) + np.asarray(minutes, dtype=np.float64))

    def day_minutes(self) -> int:
        """Working minutes of an ordinary working day (the unit of 工作日)."""
        return int((self.am_end + self.pm_end - self.am_start - self.pm_start).max())


def limit_minutes(limit_value, limit_unit, day_minutes: int) -> np.ndarray:
    """A category's time limit in working minutes (工作时 → 60, 工作日 → a working day)."""
    value = np.asarray(limit_value, dtype=np.int64)
    unit = np.asarray(limit_unit)
    return np.where(unit == "work_days", value * day_minutes, value * 60)


def to_datetime64(value: datetime | date | str) -> np.datetime64:
    return np.datetime64(pd.Timestamp(value).to_pydatetime().replace(tzinfo=None), "s")
