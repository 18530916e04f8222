"""Working-time arithmetic: weekends, holidays, 调休 Saturdays, the edges of office hours."""
from datetime import datetime

import numpy as np
import pytest

from queries.store import Store
from queries.workcal import CalendarError, WorkCalendar, limit_minutes

CAL = WorkCalendar.default("08:30-12:00,13:30-17:30")   # a working day is 450 minutes


def add(start: str, minutes: float) -> datetime:
    return CAL.add_work_minutes(np.datetime64(start, "s"), minutes).astype(datetime)


def between(a: str, b: str) -> float:
    return float(CAL.work_minutes_between(np.datetime64(a, "s"), np.datetime64(b, "s")))


def test_a_working_day_is_the_office_hours():
    assert CAL.day_minutes() == 450
    assert list(limit_minutes([5, 1], ["work_hours", "work_days"], 450)) == [300, 450]


def test_within_a_morning():
    assert add("2025-03-04T09:00", 60) == datetime(2025, 3, 4, 10, 0)


def test_lunch_break_is_not_working_time():
    assert add("2025-03-04T11:30", 60) == datetime(2025, 3, 4, 14, 0)
    assert between("2025-03-04T12:00", "2025-03-04T13:30") == 0


def test_a_deadline_falls_at_the_end_of_the_day_not_next_morning():
    # One working day from 08:30 ends at 17:30 the same day.
    assert add("2025-03-04T08:30", 450) == datetime(2025, 3, 4, 17, 30)


def test_the_edges_of_office_hours():
    assert add("2025-03-04T17:30", 1) == datetime(2025, 3, 5, 8, 31)
    assert add("2025-03-04T07:00", 1) == datetime(2025, 3, 4, 8, 31)   # before office hours
    assert between("2025-03-04T18:00", "2025-03-05T08:30") == 0        # the night


def test_a_weekend_is_skipped():
    # Friday 2025-03-07 17:00 + 60 min: 30 on Friday, 30 on Monday.
    assert add("2025-03-07T17:00", 60) == datetime(2025, 3, 10, 9, 0)
    assert between("2025-03-08T10:00", "2025-03-09T16:00") == 0


def test_a_public_holiday_is_skipped():
    # National Day 2025: 10-01 … 10-08 off. From Tuesday 09-30 17:00, one hour ends 10-09 09:00.
    assert add("2025-09-30T17:00", 60) == datetime(2025, 10, 9, 9, 0)


def test_an_adjusted_working_saturday_counts():
    # 2025-09-28 (Sunday) and 2025-10-11 (Saturday) are 调休 working days.
    assert between("2025-09-28T08:30", "2025-09-28T17:30") == 450
    assert add("2025-10-10T17:00", 60) == datetime(2025, 10, 11, 9, 0)


def test_spring_festival_2026():
    # 春节 2026: 02-15 … 02-23 off; 02-14 (Saturday) and 02-28 (Saturday) are working days.
    assert between("2026-02-14T08:30", "2026-02-14T17:30") == 450
    assert add("2026-02-13T17:00", 60) == datetime(2026, 2, 14, 9, 0)
    assert add("2026-02-14T17:00", 60) == datetime(2026, 2, 24, 9, 0)


def test_sql_and_python_agree(tmp_path):
    store = Store(tmp_path / "cal.duckdb", create=True)
    instants = ["2025-03-04 09:17:30", "2025-10-01 10:00:00", "2026-02-14 16:59:00", "2025-03-08 03:00:00"]
    for ts in instants:
        sql = store.scalar("SELECT work_min_at(CAST(? AS TIMESTAMP))", [ts])
        assert sql == pytest.approx(float(CAL.work_min_at(np.datetime64(ts.replace(" ", "T"), "s"))))
    store.close()


def test_outside_the_calendar_is_an_error():
    with pytest.raises(CalendarError):
        add("1999-12-31T10:00", 10)
