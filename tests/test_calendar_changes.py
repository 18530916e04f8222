"""Changes to a running database's working calendar: a year's holiday schedule loaded
(deadlines move, each with an event), office hours changed from a day on (running
deadlines stay), and what is refused. The clock is pinned per test; no wall clock."""
import shutil
from datetime import date, datetime

import pytest

from queries import calendar_ops, workcal
from queries.calendar_ops import CalendarChangeError
from queries.store import Store
from tests.test_generate import assert_state_is_replay
from tests.test_writepath import assert_derived_in_step, new_matter

# A made-up 2027 schedule for the tests (not the State Council's notice): 1 January, a
# Friday, is a holiday; Saturday 9 January a 调休 working day.
SCHEDULE_2027 = """date,kind,festival,notice
2027-01-01,holiday,元旦,test schedule
2027-01-09,workday,元旦,test schedule
"""
# 0401 暴露垃圾: 1 working day (450 min). From Thursday 2026-12-31 16:50, 40 minutes that
# day and 410 the next working day: Friday 1 January 16:50 on a plain week; with 1 January
# off, Monday 4 January 16:50.
REGISTERED = datetime(2026, 12, 31, 16, 50)


@pytest.fixture
def store(empty_db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("TOWNSHIP_CLOCK_AT", "2026-12-04T09:00:00")
    path = tmp_path / "cal.duckdb"
    shutil.copy(empty_db_path, path)
    s = Store(path)
    yield s
    s.close()


def load(store, text=SCHEDULE_2027, source="2027.csv"):
    rows = workcal.parse_schedule(text, source)
    return calendar_ops.load_schedule(store, source=source, rows=[
        {"date": d.isoformat(), "kind": k, "festival": f} for d, k, f in zip(rows["day"], rows["kind"], rows["festival"])])


def due(store, matter_id):
    return store.scalar("SELECT due_at FROM matters WHERE matter_id = ?", [matter_id])


def test_loading_next_year_moves_a_running_deadline_with_an_event(store):
    assert calendar_ops.unknown_next_year(store, date(2026, 12, 4)) == 2027
    assert calendar_ops.unknown_next_year(store, date(2026, 11, 30)) is None     # only December warns
    moved = new_matter(store, now=REGISTERED)["id"]
    early = new_matter(store, now=datetime(2026, 12, 7, 9, 0))["id"]            # due 12-08, untouched
    assert due(store, moved) == datetime(2027, 1, 1, 16, 50)
    before_early = store.frame("SELECT * FROM events WHERE matter_id = ?", [early])

    done = load(store)

    assert done["years"] == [2027] and done["days_changed"] == 2 and done["first_changed_day"] == "2027-01-01"
    assert done["deadlines_moved"] == 1
    assert due(store, moved) == datetime(2027, 1, 4, 16, 50)
    event = store.frame("SELECT * FROM events WHERE matter_id = ? ORDER BY seq DESC LIMIT 1", [moved]).iloc[0]
    assert event["action"] == "redue" and event["value"] == "2027-01-04T16:50:00"
    assert "2027-01-01 16:50 → 2027-01-04 16:50" in event["note"] and event["actor"] == "system:calendar"
    assert store.frame("SELECT * FROM events WHERE matter_id = ?", [early]).equals(before_early)
    assert_state_is_replay(store, [moved, early])
    assert_derived_in_step(store)                      # the lights count on the new axis
    assert calendar_ops.unknown_next_year(store, date(2026, 12, 4)) is None
    assert 2027 in calendar_ops.known_years(store)
    kinds = dict(store.frame("SELECT day, kind FROM work_days WHERE day IN ('2027-01-01', '2027-01-09', "
                             "'2027-01-08')").itertuples(index=False))
    assert {str(k.date() if hasattr(k, 'date') else k): v for k, v in kinds.items()} == {
        "2027-01-01": "holiday", "2027-01-08": "workday", "2027-01-09": "adjusted_workday"}
    # Loading the same file again changes nothing and writes no event.
    again = load(store)
    assert again["days_changed"] == 0 and again["events"] == 0


def test_a_schedule_that_changes_today_or_the_past_is_refused_whole(store):
    moved = new_matter(store, now=REGISTERED)["id"]
    days = store.frame("SELECT * FROM work_days ORDER BY day")
    # This year's schedule as loaded, with one past day more off: refused, naming that day.
    this_year = [line for line in workcal.HOLIDAYS_CSV.read_text(encoding="utf-8").splitlines()
                 if line.startswith("2026-")]
    text = "date,kind,festival,notice\n" + "\n".join(this_year) + "\n2026-12-03,holiday,测试,test\n"
    with pytest.raises(CalendarChangeError) as refused:
        load(store, text, "bad.csv")
    assert "past days (2026-12-03)" in str(refused.value) and "2026-12-05 on may change" in str(refused.value)
    assert store.frame("SELECT * FROM work_days ORDER BY day").equals(days)
    assert due(store, moved) == datetime(2027, 1, 1, 16, 50)
    assert store.scalar("SELECT count(*) FROM calendar_loads") == 0


def test_every_problem_of_a_schedule_file_is_reported_with_its_line():
    text = ("date,kind,festival\n2027-13-01,holiday,x\n2027-01-01,holyday,元旦\n2027-01-04,workday,x\n"
            "2027-02-01,holiday,春节\n2027-02-01,holiday,春节\n")
    with pytest.raises(workcal.CalendarError) as err:
        workcal.parse_schedule(text, "2027.csv")
    message = str(err.value)
    for part in ("line 2: date '2027-13-01'", "line 3: kind must be holiday or workday",
                 "line 4: 2027-01-04 is a weekday", "line 6: 2027-02-01 repeats line 5"):
        assert part in message
    with pytest.raises(workcal.CalendarError, match="missing kind"):
        workcal.parse_schedule("date,festival\n2027-01-01,x\n", "x.csv")


def test_new_office_hours_apply_from_their_day_and_running_deadlines_stay(store):
    running = new_matter(store, now=REGISTERED)["id"]                  # due 2027-01-01 16:50
    done = calendar_ops.change_office_hours(store, hours="08:00-12:00,13:00-17:00", from_day="2027-01-01")
    assert done["days_changed"] > 0 and done["events"] == 1 and done["deadlines_moved"] == 0
    assert due(store, running) == datetime(2027, 1, 1, 16, 50)
    note = store.scalar("SELECT note FROM events WHERE matter_id = ? AND action = 'redue'", [running])
    assert "办公时间自 2027-01-01 起" in note and "不变" in note
    assert calendar_ops.office_hours_periods(store) == [
        (date(2000, 1, 1), "08:30-12:00,13:30-17:30"), (date(2027, 1, 1), "08:00-12:00,13:00-17:00")]
    # Registered in the new hours: a working day is 480 minutes, 08:00 to 17:00.
    later = new_matter(store, now=datetime(2027, 1, 4, 8, 0))
    assert store.scalar("SELECT limit_min FROM matters WHERE matter_id = ?", [later["id"]]) == 480
    assert due(store, later["id"]) == datetime(2027, 1, 4, 17, 0)
    assert_state_is_replay(store, [running, later["id"]])
    assert_derived_in_step(store)
    # The setting is compared with the hours in force on the day, and a difference is one line.
    assert calendar_ops.setting_disagreement(store, "08:30-12:00,13:30-17:30", date(2026, 12, 4)) is None
    line = calendar_ops.setting_disagreement(store, "08:30-12:00,13:30-17:30", date(2027, 1, 5))
    assert "differs from the database's '08:00-12:00,13:00-17:00'" in line and "calendar hours" in line


def test_office_hours_from_today_or_unreadable_are_refused(store):
    with pytest.raises(CalendarChangeError, match="only days from 2026-12-05"):
        calendar_ops.change_office_hours(store, hours="08:00-12:00", from_day="2026-12-04")
    with pytest.raises(CalendarChangeError, match="cannot read"):
        calendar_ops.change_office_hours(store, hours="8 to 5", from_day="2027-01-01")
    with pytest.raises(CalendarChangeError, match="not a date"):
        calendar_ops.change_office_hours(store, hours="08:00-12:00", from_day="2027-1-1x")
    assert calendar_ops.office_hours_periods(store) == [(date(2000, 1, 1), "08:30-12:00,13:30-17:30")]
