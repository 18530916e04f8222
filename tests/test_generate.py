"""The demo generator: every matter's state is the replay of its events, the calendar
is respected, and the township looks like a real one."""
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from data.demo.build import build_demo
from data.demo.lifecycle import STEPS
from data.demo.top_up import top_up
from queries.lifecycle import next_status, replay
from queries.store import Store
from queries.vocabulary import OPEN_STATUSES

STATE_FIELDS = ("status", "lead_dept_id", "dispatched_at", "signed_at", "feedback_at", "closed_at",
                "followed_up_at", "voided_at", "escalated_at", "suspended_at", "extension_count",
                "supervision_count", "rework_count", "return_count", "satisfaction", "limit_min",
                "due_at", "remaining_min_at_suspend", "event_count", "duplicate_of")


def _none(v):
    if v is None or (not isinstance(v, (list, np.ndarray)) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, (np.integer,)):
        return int(v)
    return v


def assert_state_is_replay(store: Store, matter_ids) -> int:
    matters = store.frame("SELECT * FROM matters WHERE list_contains(?, matter_id)", [list(map(int, matter_ids))])
    events = store.frame("SELECT * FROM events WHERE list_contains(?, matter_id) ORDER BY matter_id, seq",
                         [list(map(int, matter_ids))])
    base_limit = store.frame("SELECT m.matter_id, m.limit_min - coalesce(sum(e.minutes), 0) AS base "
                             "FROM matters m LEFT JOIN events e ON e.matter_id = m.matter_id "
                             "AND e.action = 'extend' WHERE list_contains(?, m.matter_id) GROUP BY m.matter_id, m.limit_min",
                             [list(map(int, matter_ids))]).set_index("matter_id")["base"]
    by_matter = {k: g for k, g in events.groupby("matter_id")}
    checked = 0
    for row in matters.itertuples(index=False):
        evs = by_matter[row.matter_id]
        assert list(evs["seq"]) == list(range(1, len(evs) + 1))
        assert evs["occurred_at"].is_monotonic_increasing
        state = replay(({k: _none(v) for k, v in e.items()} for e in evs.to_dict("records")),
                       created_at=row.created_at.to_pydatetime(),
                       limit_min=int(base_limit[row.matter_id]), calendar=store.calendar)
        for f in STATE_FIELDS:
            want, got = _none(getattr(state, f)), _none(getattr(row, f))
            if isinstance(want, datetime) and isinstance(got, datetime):
                assert abs((want - got).total_seconds()) <= 1, (row.matter_id, f, want, got)
            else:
                assert want == got, (row.matter_id, f, want, got)
        checked += 1
    return checked


def test_state_equals_replay_of_events(demo_store):
    # Every open matter, every matter with a side path, and a random sample of the rest.
    ids = demo_store.frame(
        "SELECT matter_id FROM matters WHERE status NOT IN ('closed') OR extension_count > 0 "
        "OR rework_count > 0 OR return_count > 0 OR supervision_count > 0 OR escalated_at IS NOT NULL "
        "UNION SELECT matter_id FROM matters USING SAMPLE 1000 ROWS (reservoir, 3)")["matter_id"]
    assert assert_state_is_replay(demo_store, ids) > 2000


def test_every_step_of_the_demo_template_is_a_legal_transition():
    # The vectorised lifecycle encodes each action's from/to statuses again: they must be
    # those of queries.lifecycle.
    for name, action, from_status, to_status in STEPS:
        assert next_status(action, from_status) == to_status, name


def test_every_matter_of_a_small_demo_is_the_replay_of_its_events(tmp_path):
    path = tmp_path / "small.duckdb"
    build_demo(path, matters=1500, seed=23, as_of=datetime(2026, 3, 2, 16, 45), days=90)
    s = Store(path, read_only=True)
    try:
        ids = s.frame("SELECT matter_id FROM matters ORDER BY matter_id")["matter_id"]
        assert len(ids) > 1000
        assert assert_state_is_replay(s, ids) == len(ids)
        # The side paths are there to be checked, and some matters are still open.
        side = s.frame("SELECT count(*) FILTER (voided_at IS NOT NULL) AS voided, "
                       "count(*) FILTER (escalated_at IS NOT NULL) AS escalated, "
                       "count(*) FILTER (return_count > 0) AS returned, "
                       "count(*) FILTER (rework_count > 0) AS reworked, "
                       "count(*) FILTER (extension_count > 0) AS extended, "
                       "count(*) FILTER (supervision_count > 0) AS supervised, "
                       "count(*) FILTER (followed_up_at IS NOT NULL) AS followed_up, "
                       "count(*) FILTER (status <> 'closed' AND status <> 'voided') AS still_open "
                       "FROM matters").iloc[0]
        assert (side > 0).all(), side.to_dict()
    finally:
        s.close()


def test_nothing_happens_before_it_was_created_or_after_as_of(demo_store):
    bad = demo_store.scalar(
        "SELECT count(*) FROM events e JOIN matters m USING (matter_id) "
        "WHERE e.occurred_at < m.created_at OR e.occurred_at > CAST(? AS TIMESTAMP)",
        [demo_store.meta("demo_as_of")])
    assert bad == 0
    assert demo_store.scalar("SELECT count(*) FROM matters WHERE closed_at < created_at") == 0
    assert demo_store.scalar("SELECT count(*) FROM matters WHERE closed_at IS NOT NULL") > 10_000


def test_due_times_fall_in_office_hours_and_count_working_minutes(demo_store):
    frame = demo_store.frame(
        "SELECT m.created_at, m.due_at, m.limit_min, d.is_workday, "
        "hour(m.due_at) * 60 + minute(m.due_at) AS tod, d.am_start, d.am_end, d.pm_start, d.pm_end "
        "FROM matters m JOIN work_days d ON d.day = CAST(m.due_at AS DATE) "
        "WHERE m.suspended_at IS NULL AND NOT EXISTS (SELECT 1 FROM events e "
        "WHERE e.matter_id = m.matter_id AND e.action = 'resume')")
    assert frame["is_workday"].all()
    in_hours = ((frame.tod >= frame.am_start) & (frame.tod <= frame.am_end)) | \
               ((frame.tod >= frame.pm_start) & (frame.tod <= frame.pm_end))
    assert in_hours.all()
    cal = demo_store.calendar
    worked = cal.work_minutes_between(frame["created_at"].to_numpy().astype("datetime64[s]"),
                                      frame["due_at"].to_numpy().astype("datetime64[s]"))
    assert np.abs(worked - frame["limit_min"].to_numpy()).max() < 1.0


def test_current_state_table_and_rollup_agree_with_matters(demo_store):
    open_ids = set(demo_store.frame("SELECT matter_id FROM open_matters")["matter_id"])
    want = set(demo_store.frame("SELECT matter_id FROM matters WHERE list_contains(?, status)",
                                [list(OPEN_STATUSES)])["matter_id"])
    assert open_ids == want and len(open_ids) > 20
    rollup = demo_store.frame("SELECT sum(received)::BIGINT r, sum(closed)::BIGINT c, "
                              "sum(followed_up)::BIGINT f FROM daily_rollup").iloc[0]
    direct = demo_store.frame("SELECT count(*) r, count(closed_at) c, count(followed_up_at) f FROM matters").iloc[0]
    assert list(rollup) == list(direct)


def test_the_township_looks_real(demo_store):
    q = demo_store.scalar
    assert q("SELECT count(*) FROM areas WHERE level = 'village'") in range(10, 16)
    assert q("SELECT count(*) FROM areas WHERE level = 'cell'") in range(150, 301)
    assert q("SELECT count(*) FROM areas WHERE level = 'cell' AND length(code) = 15 "
             "AND code SIMILAR TO '[0-9]+'") == q("SELECT count(*) FROM areas WHERE level = 'cell'")
    assert q("SELECT count(*) FROM departments") >= 12
    assert q("SELECT count(*) FROM categories") >= 40
    assert q("SELECT count(DISTINCT source) FROM matters") == 4
    for kind in ("grid_worker", "emergency_team", "shelter", "camera", "hazard_site"):
        assert q("SELECT count(*) FROM resources WHERE kind = ?", [kind]) > 0
    # The lifecycle's side paths all occur.
    assert q("SELECT count(*) FROM matters WHERE rework_count > 0") > 0
    assert q("SELECT count(*) FROM matters WHERE extension_count > 0") > 0
    assert q("SELECT count(*) FROM matters WHERE supervision_count > 0") > 0
    assert q("SELECT count(*) FROM matters WHERE satisfaction = 'unsatisfied'") > 0
    assert q("SELECT count(*) FROM matters WHERE closed_at > due_at") > 0
    assert q("SELECT count(*) FROM open_matter_lights(CAST(? AS TIMESTAMP), 0.25) WHERE light = 'red'",
             [demo_store.meta("demo_as_of")]) > 0
    assert q("SELECT count(*) FROM open_matters WHERE level IN ('larger', 'major') AND urgent") > 0


def test_weekly_and_seasonal_shape(demo_store):
    by_dow = demo_store.frame("SELECT isodow(created_at) AS dow, count(*) AS n FROM matters GROUP BY 1 ORDER BY 1")
    assert by_dow.n.iloc[0] > 1.3 * by_dow.n.iloc[6]       # Mondays busier than Sundays
    by_hour = demo_store.frame("SELECT hour(created_at) AS h, count(*) AS n FROM matters GROUP BY 1").set_index("h").n
    assert by_hour[10] > 5 * by_hour[3]


def test_deterministic_for_a_seed(tmp_path):
    as_of = datetime(2026, 6, 1, 10, 0)
    sums = []
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        build_demo(tmp_path / f"{name}.duckdb", matters=3000, seed=seed, as_of=as_of, days=120)
        s = Store(tmp_path / f"{name}.duckdb", read_only=True)
        sums.append(s.frame("SELECT count(*), sum(hash(matter_id, category_id, cell_id, status, closed_at)) "
                            "FROM matters").iloc[0].tolist())
        s.close()
    assert sums[0] == sums[1]
    assert sums[0] != sums[2]


def test_an_empty_township_has_no_matters(empty_db_path):
    s = Store(empty_db_path, read_only=True)
    assert s.scalar("SELECT count(*) FROM matters") == 0
    assert s.scalar("SELECT count(*) FROM areas WHERE level = 'cell'") > 150
    s.close()


def test_top_up_carries_open_matters_forward(tmp_path):
    path = tmp_path / "t.duckdb"
    t0 = datetime(2026, 5, 12, 15, 0)
    build_demo(path, matters=6000, seed=3, as_of=t0, days=200)
    s = Store(path, read_only=True)
    open_before = set(s.frame("SELECT matter_id FROM open_matters")["matter_id"])
    old = s.frame("SELECT * FROM matters WHERE created_at < ? ORDER BY matter_id", [t0 - timedelta(days=130)])
    s.close()
    stats = top_up(path, as_of=t0 + timedelta(days=3))
    assert stats.matters > 0
    s = Store(path, read_only=True)
    assert s.scalar("SELECT count(*) FROM matters WHERE created_at > ?", [t0]) > 30
    still_open = set(s.frame("SELECT matter_id FROM open_matters")["matter_id"]) & open_before
    assert len(still_open) < len(open_before)                # time went on for them
    pd.testing.assert_frame_equal(
        old, s.frame("SELECT * FROM matters WHERE created_at < ? ORDER BY matter_id", [t0 - timedelta(days=130)]))
    recent = s.frame("SELECT matter_id FROM matters WHERE created_at > ? USING SAMPLE 300 ROWS (reservoir, 1)",
                     [t0 - timedelta(days=10)])["matter_id"]
    assert assert_state_is_replay(s, list(recent) + sorted(open_before)) > 0
    assert s.meta("demo_as_of").startswith("2026-05-15 15:00")
    s.close()
