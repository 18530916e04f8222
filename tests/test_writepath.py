"""The write path: creation, the legal transitions, and state = replay after any
sequence of actions (hypothesis), with the current-state table and rollup in step."""
import contextlib
import shutil
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queries import lifecycle
from queries.analysis_config import ROLLUP_MEASURES
from queries.store import Store
from queries.vocabulary import OPEN_STATUSES
from queries.writepath import (
    ActionRefused,
    FieldErrors,
    NotFound,
    Placement,
    apply_action,
    check_action,
    check_new_matter,
    create_matter,
    request_hash,
)
from tests.test_generate import assert_state_is_replay

T0 = datetime(2026, 3, 2, 9, 0)   # a Monday


@pytest.fixture(scope="module")
def store(empty_db_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("wp") / "w.duckdb"
    shutil.copy(empty_db_path, path)
    s = Store(path)
    yield s
    s.close()


def placement(store) -> Placement:
    row = store.frame("SELECT area_id, village_id, lon, lat FROM areas WHERE level = 'cell' LIMIT 1").iloc[0]
    return Placement(float(row.lon), float(row.lat), int(row.area_id), int(row.village_id))


def new_matter(store, now=T0, **extra) -> dict:
    body = {"source": "public", "category": "0401", "description": "小区门口垃圾堆放", "lon": 119.4,
            "lat": 32.4, **extra}
    result, created = create_matter(store, check_new_matter(store, body), placement(store), now=now)
    assert created
    return result


def act(store, matter_id, now, **body):
    return apply_action(store, matter_id, check_action(store, body), now=now)


FRESH_OPEN = """
    SELECT m.matter_id, m.status, m.source, m.category_id, m.major_code, m.lead_dept_id, m.cell_id,
           m.village_id, m.level, m.urgent, m.created_at, m.due_at, m.limit_min, m.suspended_at,
           m.remaining_min_at_suspend, m.supervision_count, m.description, m.address, m.external_ref,
           round(work_min_at(m.due_at), 6) AS due_work_min
    FROM matters m WHERE list_contains(?, m.status)"""
KEPT_OPEN = """
    SELECT matter_id, status, source, category_id, major_code, lead_dept_id, cell_id, village_id, level,
           urgent, created_at, due_at, limit_min, suspended_at, remaining_min_at_suspend, supervision_count,
           description, address, external_ref, round(due_work_min, 6) FROM open_matters"""


def assert_derived_in_step(store):
    open_ids = set(store.frame("SELECT matter_id FROM open_matters")["matter_id"])
    want = set(store.frame("SELECT matter_id FROM matters WHERE list_contains(?, status)",
                           [list(OPEN_STATUSES)])["matter_id"])
    assert open_ids == want
    # Every column of the current-state table equals what a rebuild would write.
    differing = store.scalar("SELECT count(*) FROM ((" + KEPT_OPEN + ") EXCEPT (" + FRESH_OPEN + "))",
                             [list(OPEN_STATUSES)])
    assert differing == 0
    diff = store.frame(
        "WITH r AS (SELECT day, village_id, dept_id, source, major_code, sum(received)::INT received, "
        "sum(closed)::INT closed, sum(closed_on_time)::INT closed_on_time, sum(followed_up)::INT followed_up, "
        "sum(satisfied)::INT satisfied FROM daily_rollup GROUP BY ALL "
        "HAVING sum(received) <> 0 OR sum(closed) <> 0 OR sum(followed_up) <> 0), "
        "fresh AS (SELECT day, village_id, dept_id, source, major_code, sum(received)::INT received, "
        "sum(closed)::INT closed, sum(closed_on_time)::INT closed_on_time, sum(followed_up)::INT followed_up, "
        "sum(satisfied)::INT satisfied FROM matter_contributions GROUP BY ALL) "
        "SELECT count(*) FROM ((SELECT * FROM r EXCEPT SELECT * FROM fresh) "
        "UNION ALL (SELECT * FROM fresh EXCEPT SELECT * FROM r))").iloc[0, 0]
    assert diff == 0
    # So is the indicator rollup (delta rows summed per key).
    keys = "day, dept_id, village_id, cell_id, source, category_id, major_code"
    sums = ", ".join("coalesce(sum(" + m + "), 0)::BIGINT AS " + m for m in ROLLUP_MEASURES)
    nonzero = " OR ".join("coalesce(sum(" + m + "), 0) <> 0" for m in ROLLUP_MEASURES)
    kept = "SELECT " + keys + ", " + sums + " FROM indicator_rollup GROUP BY ALL HAVING " + nonzero
    fresh = "SELECT " + keys + ", " + sums + " FROM matter_indicator_contributions GROUP BY ALL HAVING " + nonzero
    assert store.scalar("SELECT count(*) FROM ((" + kept + " EXCEPT " + fresh + ") UNION ALL ("
                        + fresh + " EXCEPT " + kept + "))") == 0


def test_create_counts_working_time_and_appears_everywhere(store):
    m = new_matter(store)
    assert m["status"] == "registered" and m["cell"] and len(m["cell"]) == 15
    assert m["due_at"] == "2026-03-03T09:00:00"          # 暴露垃圾: 1 working day
    assert store.scalar("SELECT count(*) FROM open_matters WHERE matter_id = ?", [m["id"]]) == 1
    assert str(m["id"]).startswith("2026030250")
    assert_derived_in_step(store)


def test_idempotency_key_returns_the_first_answer(store):
    body = {"source": "grid", "category": "0701", "description": "占道经营", "lon": 119.4, "lat": 32.4}
    clean = check_new_matter(store, body)
    first, created1 = create_matter(store, clean, placement(store), now=T0, idempotency_key="k-1",
                                    body_hash=request_hash(body))
    again, created2 = create_matter(store, clean, placement(store), now=T0, idempotency_key="k-1",
                                    body_hash=request_hash(body))
    assert created1 and not created2 and first == again
    assert store.scalar("SELECT count(*) FROM matters WHERE matter_id = ?", [first["id"]]) == 1
    with pytest.raises(FieldErrors, match="different request"):
        create_matter(store, clean, placement(store), now=T0, idempotency_key="k-1", body_hash="other")


def test_the_whole_loop(store):
    m = new_matter(store)["id"]
    t = T0
    for body in ({"action": "dispatch", "department": "HWS"}, {"action": "sign"},
                 {"action": "supervise", "note": "请加快"}, {"action": "feedback", "note": "已清理"},
                 {"action": "reject", "note": "现场仍有垃圾"}, {"action": "feedback"}, {"action": "verify"},
                 {"action": "close"}, {"action": "follow_up", "satisfaction": "basic"}):
        t += timedelta(minutes=40)
        state = act(store, m, t, **body)
    assert state["status"] == "closed"
    row = store.frame("SELECT * FROM matters WHERE matter_id = ?", [m]).iloc[0]
    assert row.rework_count == 1 and row.supervision_count == 1 and row.satisfaction == "basic"
    assert store.scalar("SELECT count(*) FROM events WHERE matter_id = ?", [m]) == 10
    assert_state_is_replay(store, [m])
    assert_derived_in_step(store)


def test_illegal_transitions_are_refused_with_the_reason(store):
    m = new_matter(store)["id"]
    act(store, m, T0 + timedelta(minutes=5), action="dispatch", department="HWS")
    act(store, m, T0 + timedelta(minutes=9), action="sign")
    before = store.frame("SELECT * FROM matters WHERE matter_id = ?", [m])
    with pytest.raises(ActionRefused, match=rf"cannot close .*{m} is handling \(处置中\).*verification"):
        act(store, m, T0 + timedelta(minutes=20), action="close")
    with pytest.raises(ActionRefused, match="cannot follow_up"):
        act(store, m, T0 + timedelta(minutes=20), action="follow_up", satisfaction="satisfied")
    after = store.frame("SELECT * FROM matters WHERE matter_id = ?", [m])
    assert before.equals(after)                              # nothing half written
    version = store.data_version()
    with pytest.raises(ActionRefused):
        act(store, m, T0 + timedelta(minutes=21), action="close")
    assert store.data_version() == version                   # a refusal refreshes no page
    with pytest.raises(NotFound):
        act(store, 1, T0, action="sign")


def test_follow_up_happens_once(store):
    m = new_matter(store)["id"]
    t = T0
    for body in ({"action": "dispatch", "department": "HWS"}, {"action": "sign"}, {"action": "feedback"},
                 {"action": "verify"}, {"action": "close"}, {"action": "follow_up", "satisfaction": "satisfied"}):
        t += timedelta(minutes=30)
        act(store, m, t, **body)
    with pytest.raises(ActionRefused, match="followed up"):
        act(store, m, t + timedelta(minutes=5), action="follow_up", satisfaction="unsatisfied")
    assert store.scalar("SELECT satisfaction FROM matters WHERE matter_id = ?", [m]) == "satisfied"


def test_extension_and_clock_stop_move_the_deadline(store):
    m = new_matter(store, category="0601")["id"]          # 违法搭建: 15 working days
    act(store, m, T0 + timedelta(minutes=10), action="dispatch", department="ZHZF")
    act(store, m, T0 + timedelta(minutes=20), action="sign")
    due0 = store.scalar("SELECT due_at FROM matters WHERE matter_id = ?", [m])
    act(store, m, T0 + timedelta(minutes=30), action="extend", work_days=2, note="需拆除审批")
    due1 = store.scalar("SELECT due_at FROM matters WHERE matter_id = ?", [m])
    assert (due1 - due0) >= timedelta(days=2)
    act(store, m, datetime(2026, 3, 3, 10, 0), action="suspend", note="等待法院裁定")
    assert store.scalar("SELECT light FROM open_matter_lights(TIMESTAMP '2026-06-01 10:00', 0.25) "
                        "WHERE matter_id = ?", [m]) == "paused"
    act(store, m, datetime(2026, 3, 10, 10, 0), action="resume")
    due2 = store.scalar("SELECT due_at FROM matters WHERE matter_id = ?", [m])
    assert due2 - due1 >= timedelta(days=7)                 # the stopped week was given back
    assert_state_is_replay(store, [m])


@pytest.mark.parametrize("body, field", [
    ({"source": "nope", "category": "0401", "description": "x", "lon": 119.4, "lat": 32.4}, "source"),
    ({"source": "public", "category": "9999", "description": "x", "lon": 119.4, "lat": 32.4}, "category"),
    ({"source": "public", "category": "0401", "description": "", "lon": 119.4, "lat": 32.4}, "description"),
    ({"source": "public", "category": "0401", "description": "x", "lon": "119", "lat": 32.4}, "lon"),
    ({"source": "public", "category": "0401", "description": "x", "lon": 119.4}, "lat"),
    ({"source": "public", "category": "0401", "description": "x"}, "lon"),
    ({"source": "public", "category": "0401", "description": "x", "lon": float("nan"), "lat": 1}, "lon"),
    ({"source": "public", "category": "0401", "description": "x" * 5000, "address": "a"}, "description"),
    ({"source": "public", "category": "0401", "description": "x\ud800", "address": "a"}, "description"),
    ({"source": "public", "category": 401, "description": "x", "address": "a"}, "category"),
    ({"source": "public", "category": "0401", "description": "x", "address": "a", "extra": 1}, "extra"),
])
def test_bad_creation_fields_are_each_reported(store, body, field):
    with pytest.raises(FieldErrors) as err:
        check_new_matter(store, body)
    assert field in [e["field"] for e in err.value.errors]


def test_every_field_error_at_once(store):
    with pytest.raises(FieldErrors) as err:
        check_new_matter(store, {"source": 1, "category": "zz", "lon": 500, "lat": "x"})
    assert {e["field"] for e in err.value.errors} >= {"source", "category", "description", "lon", "lat"}


ACTIONS = [a for a in lifecycle.TRANSITIONS if a != "accept"]


def body_for(action: str, draw, original: int | None = None) -> dict:
    body = {"action": action}
    if action == "merge":
        body["into"] = original
    if action == "dispatch":
        body["department"] = draw(st.sampled_from(["HWS", "CJB", "ZHZF", 3]))
    if action == "extend":
        body["hours"] = draw(st.integers(1, 40))
    if action == "follow_up":
        body["satisfaction"] = draw(st.sampled_from(["satisfied", "basic", "unsatisfied"]))
    if action in ("supervise", "extend", "suspend", "return", "void", "reject", "escalate", "reopen"):
        body["note"] = "备注"
    return body


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_action_sequences_keep_state_equal_to_replay(store, data):
    m = new_matter(store)["id"]
    original = new_matter(store)["id"]          # what a merge (合并重复件) links the matter to
    now = T0
    applied = 0
    for _ in range(data.draw(st.integers(1, 14))):
        action = data.draw(st.sampled_from(ACTIONS))
        now += timedelta(minutes=data.draw(st.integers(1, 3000)))
        try:
            act(store, m, now, **body_for(action, data.draw, original))
            applied += 1
        except ActionRefused:
            pass
    assert store.scalar("SELECT event_count FROM matters WHERE matter_id = ?", [m]) == applied + 1
    assert_state_is_replay(store, [m, original])
    assert_derived_in_step(store)


def test_concurrent_writes_share_commits_and_stay_consistent(store):
    """Sixteen threads register and act at once (group commit): every write lands once,
    refusals stay with their caller, and the derived tables still equal a rebuild."""
    from concurrent.futures import ThreadPoolExecutor

    before = store.scalar("SELECT count(*) FROM matters")

    def work(i):
        m = new_matter(store, now=T0 + timedelta(seconds=i))["id"]
        act(store, m, T0 + timedelta(minutes=5), action="dispatch", department="HWS")
        with contextlib.suppress(ActionRefused):
            act(store, m, T0 + timedelta(minutes=6), action="close")      # illegal: refused
        return m

    with ThreadPoolExecutor(16) as pool:
        ids = list(pool.map(work, range(48)))
    assert len(set(ids)) == 48
    assert store.scalar("SELECT count(*) FROM matters") == before + 48
    assert store.scalar("SELECT count(*) FROM events WHERE list_contains(?, matter_id)", [ids]) == 96
    assert_state_is_replay(store, ids)
    assert_derived_in_step(store)
