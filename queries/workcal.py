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
from typing import Iterable, Sequence

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


def format_hours(am_start: int, am_end: int, pm_start: int, pm_end: int) -> str:
    """(510, 720, 810, 1050) → '08:30-12:00,13:30-17:30' (one span when the afternoon is empty)."""
    hm = lambda m: f"{int(m) // 60:02d}:{int(m) % 60:02d}"  # noqa: E731
    spans = [f"{hm(am_start)}-{hm(am_end)}"] + ([f"{hm(pm_start)}-{hm(pm_end)}"] if pm_end > pm_start else [])
    return ",".join(spans)


def hours_of_table(work_days: pd.DataFrame) -> tuple[date, str]:
    """The calendar's first day and the office hours most of its working days have."""
    work = work_days[work_days["is_workday"]]
    if work.empty:
        raise CalendarError("the working calendar has no working day")
    common = work.groupby(["am_start", "am_end", "pm_start", "pm_end"]).size().idxmax()
    return pd.Timestamp(work_days["day"].min()).date(), format_hours(*common)


def holidays_of_table(work_days: pd.DataFrame) -> pd.DataFrame:
    """The holiday schedule a ``work_days`` table was built from (rows as ``read_holidays``)."""
    off = work_days[work_days["kind"].isin(["holiday", "adjusted_workday"])]
    return pd.DataFrame({"day": pd.to_datetime(off["day"]).dt.date.to_numpy(),
                         "kind": np.where(off["kind"] == "holiday", "holiday", "workday"),
                         "festival": off["festival"].to_numpy()})


def parse_schedule(text: str, source: str) -> pd.DataFrame:
    """A holiday schedule file (``date,kind,festival[,notice]``, as data/holidays.csv):
    rows ``day, kind, festival``. Every problem is reported at once, with its line."""
    reader = csv.DictReader(text.splitlines())
    missing = {"date", "kind"} - set(reader.fieldnames or [])
    if missing:
        raise CalendarError(f"{source}: the header must name date,kind,festival; missing {', '.join(sorted(missing))}")
    problems, rows, seen = [], [], {}
    for line, r in enumerate(reader, start=2):
        try:
            day = date.fromisoformat((r.get("date") or "").strip())
        except ValueError:
            problems.append(f"line {line}: date {r.get('date')!r} is not YYYY-MM-DD")
            continue
        kind = (r.get("kind") or "").strip()
        if kind not in ("holiday", "workday"):
            problems.append(f"line {line}: kind must be holiday or workday, got {kind!r}")
            continue
        if not CALENDAR_FIRST_DAY <= day <= CALENDAR_LAST_DAY:
            problems.append(f"line {line}: {day} lies outside the calendar "
                            f"({CALENDAR_FIRST_DAY} … {CALENDAR_LAST_DAY})")
            continue
        if kind == "workday" and day.weekday() < 5:
            problems.append(f"line {line}: {day} is a weekday; a workday (调休) row must be a Saturday or Sunday")
            continue
        if day in seen:
            problems.append(f"line {line}: {day} repeats line {seen[day]}")
            continue
        seen[day] = line
        rows.append((day, kind, (r.get("festival") or "").strip() or None))
    if problems:
        raise CalendarError(f"{source}: " + "; ".join(problems[:20])
                            + (f"; and {len(problems) - 20} more" if len(problems) > 20 else ""))
    if not rows:
        raise CalendarError(f"{source}: no rows")
    return pd.DataFrame(rows, columns=["day", "kind", "festival"])


def build_work_days(office_hours: str | Sequence[tuple[date, str]], holidays: pd.DataFrame,
                    first: date = CALENDAR_FIRST_DAY, last: date = CALENDAR_LAST_DAY,
                    known_years: Iterable[int] | None = None) -> pd.DataFrame:
    """The ``work_days`` table: one row a day with office hours and cumulative minutes.

    ``office_hours`` is one span for every day, or periods ``(from_day, hours)``, each in
    force from its day until the next one's. ``known_years``: the years whose holiday
    schedule is loaded (default: the years ``holidays`` has rows in)."""
    days = pd.date_range(first, last, freq="D")
    periods = [(first, office_hours)] if isinstance(office_hours, str) else sorted(office_hours)
    if not periods or periods[0][0] > first:
        raise CalendarError(f"office hours are not known from {first} on")
    segments = np.zeros((4, len(days)), dtype=np.int64)
    for from_day, hours in periods:
        segments[:, days.date >= from_day] = np.array(office_segments(hours))[:, None]
    am_start, am_end, pm_start, pm_end = segments
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
    known_years = {d.year for d in holidays["day"]} if known_years is None else set(known_years)
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

    def day_minutes(self, on: date | datetime | None = None) -> int:
        """Working minutes of an ordinary working day (the unit of 工作日): that of the
        first working day from ``on`` (office hours can change from a day on); without
        ``on``, the longest."""
        lengths = self.am_end + self.pm_end - self.am_start - self.pm_start
        if on is None:
            return int(lengths.max())
        start = int(self._day_index(np.array([np.datetime64(pd.Timestamp(on).date(), "s")]))[0])
        later = np.flatnonzero(lengths[start:] > 0)
        return int(lengths[start + later[0]] if later.size else lengths.max())


def limit_minutes(limit_value, limit_unit, day_minutes: int) -> np.ndarray:
    """A category's time limit in working minutes (工作时 → 60, 工作日 → a working day)."""
    value = np.asarray(limit_value, dtype=np.int64)
    unit = np.asarray(limit_unit)
    return np.where(unit == "work_days", value * day_minutes, value * 60)


def to_datetime64(value: datetime | date | str) -> np.datetime64:
    return np.datetime64(pd.Timestamp(value).to_pydatetime().replace(tzinfo=None), "s")
