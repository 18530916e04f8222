"""The assessment indicators (考核评价, DOMAIN.md §7) on ten hand-made matters whose every
numerator and denominator is counted by hand below, the department ranking with 环比 and
同比, the configuration they follow, and the indicators API."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pandas as pd
import pytest
from analysis_fixtures import CAT_GARBAGE, DEPT_A, DEPT_B, insert_matters, matter_row, new_township
from flask import Flask

from queries.analysis_config import AnalysisConfigError, load_analysis_config, parse_analysis_config

CONFIG = load_analysis_config()
PERIOD = (date(2025, 3, 3), date(2025, 3, 9))      # Monday to Sunday, no public holiday
AFTER = datetime(2025, 3, 20, 12, 0)


def T(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute)


def ten_matters() -> tuple[list[dict], list[dict]]:
    A, B = DEPT_A, DEPT_B
    rows = [
        # M1 A: handled in 2 h, closed and signed on time, satisfied.
        matter_row(1, T(3, 8, 40), lead_dept_id=A, dispatched_at=T(3, 9), signed_at=T(3, 10), sign_due_at=T(4, 9),
                   feedback_at=T(3, 11), closed_at=T(4, 15), due_at=T(4, 17, 30), followed_up_at=T(5, 10),
                   satisfaction="satisfied"),
        # M2 A: signed late, handled late (15 working hours), reworked, closed late, unsatisfied.
        matter_row(2, T(4, 8, 40), lead_dept_id=A, cell_id=1001, source="grid", dispatched_at=T(4, 9),
                   signed_at=T(5, 10), sign_due_at=T(5, 9), feedback_at=T(6, 9), closed_at=T(6, 11),
                   due_at=T(5, 12), rework_count=1, followed_up_at=T(7, 10), satisfaction="unsatisfied"),
        # M3 A: extended, handled in 1 h, closed on time, no follow-up call.
        matter_row(3, T(5, 8, 40), lead_dept_id=A, dispatched_at=T(5, 9), signed_at=T(5, 9, 30),
                   sign_due_at=T(6, 9), feedback_at=T(5, 10), closed_at=T(5, 16), due_at=T(6, 17, 30),
                   extension_count=1),
        # M4 A: still being handled, its deadline passed: overdue.
        matter_row(4, T(6, 8, 40), lead_dept_id=A, cell_id=1002, source="inspection", status="handling",
                   dispatched_at=T(6, 9), signed_at=T(6, 9, 30), sign_due_at=T(7, 9), due_at=T(7, 17, 30)),
        # M5 A: suspended (缓办) once, handled in 8 working hours, closed on time, basically satisfied.
        matter_row(5, T(3, 9), lead_dept_id=A, dispatched_at=T(3, 9, 30), signed_at=T(3, 10),
                   sign_due_at=T(4, 9, 30), feedback_at=T(4, 10), closed_at=T(4, 14), due_at=T(5, 12),
                   followed_up_at=T(5, 11), satisfaction="basic"),
        # M6 B: handled in 3 h, closed on time, satisfied.
        matter_row(6, T(3, 13, 40), lead_dept_id=B, category_id=CAT_GARBAGE, cell_id=1003,
                   dispatched_at=T(3, 14), signed_at=T(3, 15), sign_due_at=T(4, 14), feedback_at=T(3, 17),
                   closed_at=T(4, 9), due_at=T(4, 17, 30), followed_up_at=T(4, 15), satisfaction="satisfied"),
        # M7 B: handled late (22 working hours), reworked, closed late, basically satisfied.
        matter_row(7, T(4, 9), lead_dept_id=B, category_id=CAT_GARBAGE, cell_id=1003, dispatched_at=T(4, 9, 30),
                   signed_at=T(4, 10), sign_due_at=T(5, 9, 30), feedback_at=T(7, 9), closed_at=T(7, 11),
                   due_at=T(6, 12), rework_count=1, followed_up_at=T(7, 16), satisfaction="basic"),
        # M8 B: due long after the period, but handled, closed and followed up in it.
        matter_row(8, T(5, 9), lead_dept_id=B, category_id=CAT_GARBAGE, cell_id=1004, source="transfer",
                   dispatched_at=T(5, 9, 30), signed_at=T(5, 10), sign_due_at=T(6, 9, 30), feedback_at=T(5, 11, 30),
                   closed_at=T(5, 15), due_at=T(20, 17, 30), followed_up_at=T(6, 10), satisfaction="satisfied"),
        # M9: a duplicate, voided before dispatch: received, nothing else.
        matter_row(9, T(3, 10), status="voided", voided_at=T(3, 10, 30), due_at=T(4, 10)),
        # M10: registered and never dispatched; its deadline passed: overdue, at the center.
        matter_row(10, T(6, 10), cell_id=1004, status="registered", due_at=T(7, 17, 30)),
        # M11 B, the week before: closed on time (only the ranking's 环比 sees it).
        matter_row(11, datetime(2025, 2, 25, 9), lead_dept_id=B, dispatched_at=datetime(2025, 2, 25, 9, 30),
                   signed_at=datetime(2025, 2, 25, 10), sign_due_at=datetime(2025, 2, 26, 9, 30),
                   feedback_at=datetime(2025, 2, 25, 11), closed_at=datetime(2025, 2, 25, 15),
                   due_at=datetime(2025, 2, 27, 17, 30)),
    ]
    events = [dict(matter_id=5, seq=4, action="suspend", actor="t", occurred_at=T(3, 11), from_status="handling",
                   to_status="suspended"),
              dict(matter_id=5, seq=5, action="resume", actor="t", occurred_at=T(4, 9), from_status="suspended",
                   to_status="handling")]
    return rows, events


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = new_township(tmp_path_factory.mktemp("ind") / "t.duckdb", rows=2, cols=3)
    rows, events = ten_matters()
    insert_matters(s, rows, events)
    yield s
    s.close()


def indicators(store, group_by: str, now: datetime = AFTER, config=CONFIG, **filters) -> dict:
    frame = store.run("indicators/by_group", scope=[100, -1], villages=filters.get("villages"),
                      sources=filters.get("sources"), majors=filters.get("majors"), depts=filters.get("depts"),
                      cell_ids=filters.get("cell_ids"), category_ids=filters.get("category_ids"),
                      from_day=PERIOD[0], to_day=PERIOD[1], now=now, group_by=group_by,
                      **config.indicator_params())
    return {(r.group_key, r.indicator): (r.numerator, r.denominator, r.value) for r in frame.itertuples()}


# Counted by hand from the ten matters above (period 3–9 March, everything settled).
TOWNSHIP = {
    "closure_rate": (5, 7),             # closed M1 M2 M3 M5 M6 M7, less suspended M5 / 8 due, less M5
    "on_time_closure_rate": (3, 7),     # M1 M3 M6 (M5 suspended) / 7
    "timely_completion_rate": (5, 7),   # closed in the period with a deadline: M1 M2 M3 M5 M6 M7 M8; M2 M7 late
    "on_time_handling_rate": (4, 8),    # feedback by the deadline: M1 M3 M5 M6 / due M1–M7, M10
    "rework_rate": (2, 8),              # M2 M7
    "extension_rate": (1, 8),           # M3
    "overdue_rate": (4, 8),             # M2 M7 late, M4 M10 never
    "timely_sign_rate": (7, 8),         # dispatched M1–M8, M2 signed late
    "follow_up_rate": (6, 7),           # closed in the period M1 M2 M3 M5 M6 M7 M8; M3 not called
    "satisfaction_rate": (5, 6),        # 3 satisfied + 2 basic (counted as configured) of 6 rated
    "avg_handling_hours": (53, 7),      # (2 + 15 + 1 + 8 + 3 + 22 + 2) working hours / 7 handled
}


@pytest.mark.parametrize("indicator", sorted(TOWNSHIP))
def test_each_indicator_matches_the_hand_count(store, indicator):
    numerator, denominator, value = indicators(store, "township")[("township", indicator)]
    want_num, want_den = TOWNSHIP[indicator]
    assert (numerator, denominator) == pytest.approx((want_num, want_den))
    assert value == pytest.approx(want_num / want_den)


def test_every_configured_indicator_is_reported_for_every_group(store):
    got = indicators(store, "department")
    assert {k for k, _ in got} == {"1", "2", "-1"}
    assert {i for _, i in got} == {i.key for i in CONFIG.indicators}


def test_departments_are_counted_apart(store):
    got = indicators(store, "department")
    assert got[("1", "closure_rate")][:2] == (3, 4)          # A: M1 M2 M3 (M5 suspended) of M1–M5
    assert got[("2", "closure_rate")][:2] == (2, 2)          # B: M6 M7
    assert got[("-1", "closure_rate")][:2] == (0, 1)         # not dispatched: M10
    assert got[("1", "timely_sign_rate")][:2] == (4, 5)
    assert got[("2", "avg_handling_hours")][:2] == pytest.approx((27, 3))    # M6 3 h, M7 22 h, M8 2 h


def test_filters_and_scope_narrow_what_is_counted(store):
    garbage = indicators(store, "township", majors=["04"])
    assert garbage[("township", "overdue_rate")][:2] == (1, 2)                 # M7 of M6, M7
    public = indicators(store, "source")
    assert public[("grid", "rework_rate")][:2] == (1, 1)                        # M2 came from a grid worker
    frame = store.run("indicators/by_group", scope=[], villages=None, sources=None, majors=None, depts=None,
                      cell_ids=None, category_ids=None,
                      from_day=PERIOD[0], to_day=PERIOD[1], now=AFTER, group_by="township",
                      **CONFIG.indicator_params())
    assert frame.empty


def test_cell_and_sub_category_filters_narrow_what_is_counted(store):
    """The analysis page narrows the indicators to a grid cell (网格) or a 小类 too."""
    garbage = indicators(store, "township", category_ids=[CAT_GARBAGE])
    assert garbage[("township", "overdue_rate")][:2] == (1, 2)                 # M7 of M6, M7
    cell = indicators(store, "township", cell_ids=[1001])
    assert cell[("township", "rework_rate")][:2] == (1, 1)                      # M2 alone
    assert indicators(store, "township", cell_ids=[]) == {}                     # an empty list: nothing
    frame = store.run("indicators/department_ranking", scope=[100, -1], villages=None, sources=None, majors=None,
                      depts=None, cell_ids=[1003], category_ids=None, from_day=PERIOD[0], to_day=PERIOD[1],
                      now=AFTER, **CONFIG.indicator_params(), **CONFIG.score_params())
    assert frame.dropna(subset=["score"])["dept_id"].tolist() == [DEPT_B]      # M6, M7 are B's


def test_matters_with_time_left_count_against_no_one(store):
    """On Friday 7 March at 08:00, M4 and M10 are open with their deadline at 17:30: not yet
    overdue, so they are out of 应处置数 and 应结案数."""
    got = indicators(store, "township", now=T(7, 8))
    assert got[("township", "overdue_rate")][:2] == (2, 6)          # M2 and M7 only
    assert got[("township", "closure_rate")][:2] == (5, 5)
    assert got[("township", "on_time_handling_rate")][:2] == (4, 6)


def test_denominator_rules_are_configuration(store):
    """A city that counts 基本满意 as unsatisfied, and closure against 结案数: change the file,
    not the code."""
    config = dataclasses.replace(CONFIG, indicators=tuple(
        dataclasses.replace(i, numerator={"satisfied": 1.0}) if i.key == "satisfaction_rate" else
        dataclasses.replace(i, denominator={"closed_with_due": 1.0}, numerator={"closed_on_time": 1.0})
        if i.key == "on_time_closure_rate" else i for i in CONFIG.indicators))
    got = indicators(store, "township", config=config)
    assert got[("township", "satisfaction_rate")][:2] == (3, 6)
    assert got[("township", "on_time_closure_rate")][:2] == (5, 7)   # closed in the period: M2, M7 late


def test_a_configuration_naming_an_unknown_measure_is_refused():
    with pytest.raises(AnalysisConfigError, match="unknown measures"):
        parse_analysis_config({"indicators": {"x": {"numerator": {"closd": 1}, "denominator": {"due": 1}}}})
    with pytest.raises(AnalysisConfigError, match="unknown indicator"):
        parse_analysis_config({"indicators": {"x": {"numerator": {"closed": 1}, "denominator": {"due": 1}}},
                               "score": {"terms": [{"indicator": "y", "weight": 1}]}})


def ranking(store):
    frame = store.run("indicators/department_ranking", scope=[100, -1], villages=None, sources=None, majors=None,
                      depts=None, cell_ids=None, category_ids=None, from_day=PERIOD[0], to_day=PERIOD[1],
                      now=AFTER, **CONFIG.indicator_params(), **CONFIG.score_params())
    return frame.set_index("dept_id")


def test_department_ranking_follows_the_weighted_score(store):
    r = ranking(store)
    # A: closure 3/4·30 + on-time handling 3/5·30 + (1 − rework 1/5)·30 + volume 4/4·10
    assert r.loc[DEPT_A, "score"] == pytest.approx(22.5 + 18 + 24 + 10)
    # B: 2/2·30 + 1/2·30 + (1 − 1/2)·30 + volume 3/4·10
    assert r.loc[DEPT_B, "score"] == pytest.approx(30 + 15 + 15 + 7.5)
    assert list(r.index[:2]) == [DEPT_A, DEPT_B] and r.loc[DEPT_A, "rank"] == 1
    terms = {t["indicator"]: t for t in r.loc[DEPT_A, "terms"]}
    assert (terms["rework_rate"]["numerator"], terms["rework_rate"]["denominator"]) == (1, 5)


def test_ranking_compares_with_the_previous_period_and_last_year(store):
    r = ranking(store)
    assert (r.loc[DEPT_B, "prev_from"], r.loc[DEPT_B, "prev_to"]) == (pd.Timestamp(2025, 2, 24), pd.Timestamp(2025, 3, 2))
    assert r.loc[DEPT_B, "prev_score"] == pytest.approx(100.0)       # M11: perfect, the only volume
    assert r.loc[DEPT_B, "mom_change"] == pytest.approx(67.5 - 100.0)
    assert r.loc[DEPT_B, "yoy_from"] == pd.Timestamp(2024, 3, 3)
    assert pd.isna(r.loc[DEPT_A, "prev_score"])                     # A had nothing the week before


def test_ranking_of_whole_months_compares_with_the_previous_month(store):
    frame = store.run("indicators/department_ranking", scope=[100, -1], villages=None, sources=None, majors=None,
                      depts=None, cell_ids=None, category_ids=None, from_day=date(2025, 3, 1),
                      to_day=date(2025, 3, 31), now=AFTER, **CONFIG.indicator_params(), **CONFIG.score_params())
    row = frame.iloc[0]
    assert (row["prev_from"], row["prev_to"]) == (pd.Timestamp(2025, 2, 1), pd.Timestamp(2025, 2, 28))
    assert (row["yoy_from"], row["yoy_to"]) == (pd.Timestamp(2024, 3, 1), pd.Timestamp(2024, 3, 31))


# -- the API ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(store):
    from dashboard import auth
    from dashboard.context import AppContext
    from dashboard.http import analysis as api_analysis
    from dashboard.reader import Reader
    from queries.settings import load_settings
    from tests.servers import admin_token_of, client_with

    app = Flask(__name__)
    AppContext(settings=load_settings({}), store=store, reader=Reader(store)).install(app)
    auth.install(app)
    app.register_blueprint(api_analysis.blueprint)
    return client_with(app, admin_token_of(store))


def test_api_returns_every_indicator_with_numerator_and_denominator(client):
    body = client.get("/api/v1/indicators?from=2025-03-03&to=2025-03-10&by=department").get_json()
    assert body["by"] == "department"
    rules = {i["key"]: i["denominator_rule"] for i in body["indicators"]}
    assert rules["closure_rate"] == "应结案数 − 缓办数"
    a = next(g for g in body["groups"] if g["key"] == "1")
    assert a["name"] == "甲部门"
    assert a["indicators"]["closure_rate"] == {"value": 0.75, "numerator": 3.0, "denominator": 4.0, "reason": None}
    assert set(a["indicators"]) == set(rules)


@pytest.mark.parametrize(("query", "fields"), [
    ("", {"from", "to"}),
    ("from=2025-03-09&to=2025-03-03", {"to"}),
    ("from=2025-03-09&to=2025-03-09", {"to"}),
    ("from=03/03/2025&to=2025-03-09&by=street", {"from", "by"}),
    ("from=2020-01-01&to=2025-03-09", {"to"}),
])
def test_api_refuses_bad_input_with_field_errors(client, query, fields):
    response = client.get(f"/api/v1/indicators?{query}")
    assert response.status_code == 422
    assert {e["field"] for e in response.get_json()["errors"]} == fields


def test_api_ranking_lists_departments_best_first(client):
    body = client.get("/api/v1/indicators/ranking?from=2025-03-03&to=2025-03-10").get_json()
    assert [d["code"] for d in body["departments"]][:2] == ["A", "B"]
    # the compared period is half-open too: the week before, [24 Feb, 3 Mar)
    assert (body["departments"][1]["prev_from"][:10], body["departments"][1]["prev_to"]) == ("2025-02-24",
                                                                                           "2025-03-03")
    assert body["half_open"] is True
    assert body["departments"][1]["mom_change"] == pytest.approx(-32.5)


# -- the write path's step ------------------------------------------------------------------
def test_python_contributions_equal_the_view_on_the_demo(demo_store):
    """What the write path appends per matter is what a rebuild counts (suspended,
    reworked, extended, voided, escalated and open matters included)."""
    import numpy as np

    from queries.analysis_config import ROLLUP_MEASURES
    from queries.indicator_rollup import contributions

    ids = [int(i) for i in demo_store.frame(
        "(SELECT matter_id FROM matters WHERE suspended_at IS NOT NULL OR rework_count > 0 OR extension_count > 0 "
        "OR voided_at IS NOT NULL OR escalated_at IS NOT NULL OR status <> 'closed' LIMIT 400) "
        "UNION (SELECT matter_id FROM matters USING SAMPLE 200 ROWS (reservoir, 5))")["matter_id"]]
    matters = demo_store.frame("SELECT m.*, (m.suspended_at IS NOT NULL OR EXISTS (SELECT 1 FROM events e "
                               "WHERE e.matter_id = m.matter_id AND e.action = 'suspend')) AS was_suspended "
                               "FROM matters m WHERE list_contains(?, m.matter_id)", [ids])
    cal = demo_store.calendar
    total: dict = {}
    for m in matters.to_dict("records"):
        m = {k: (None if (v is None or (not isinstance(v, str) and pd.isna(v))) else
                 (v.to_pydatetime() if isinstance(v, pd.Timestamp) else v)) for k, v in m.items()}
        for key, row in contributions(m, was_suspended=bool(m["was_suspended"]),
                                      work_min_at=lambda t: float(cal.work_min_at(np.datetime64(t, "s")))).items():
            total[key] = total.get(key, 0) + row
    view = demo_store.frame(
        "SELECT day, dept_id, village_id, cell_id, source, category_id, major_code, "
        + ", ".join(f"coalesce(sum({c}), 0)::BIGINT AS {c}" for c in ROLLUP_MEASURES)
        + " FROM matter_indicator_contributions WHERE list_contains(?, matter_id) GROUP BY ALL", [ids])
    assert len(view) == len([k for k, v in total.items() if v.any()])
    for row in view.itertuples(index=False):
        key = (row.day.date(), row.dept_id, row.village_id, row.cell_id, row.source, row.category_id, row.major_code)
        assert list(total[key]) == [getattr(row, c) for c in ROLLUP_MEASURES], key


def test_a_changed_matter_keeps_the_rollup_equal_to_a_rebuild(tmp_path):
    from queries.analysis_config import ROLLUP_MEASURES
    from queries.indicator_rollup import apply_indicator_change

    s = new_township(tmp_path / "w.duckdb", rows=2, cols=3)
    rows, events = ten_matters()
    insert_matters(s, rows, events)
    before = s.frame("SELECT * FROM matters WHERE matter_id = 4").iloc[0].to_dict()
    before = {k: (None if not isinstance(v, str) and pd.isna(v) else
                  (v.to_pydatetime() if isinstance(v, pd.Timestamp) else v)) for k, v in before.items()}
    after = {**before, "status": "closed", "feedback_at": T(10, 9), "closed_at": T(10, 11), "rework_count": 1}
    sums = ", ".join(f"sum({c})::BIGINT" for c in ROLLUP_MEASURES)
    with s.write() as cur:
        cur.execute("UPDATE matters SET status = 'closed', feedback_at = ?, closed_at = ?, rework_count = 1 "
                    "WHERE matter_id = 4", [T(10, 9), T(10, 11)])
        written = apply_indicator_change(s, cur, before, after, was_suspended=False)
    assert written == 2                           # its deadline day changed, and its day of closing
    kept = s.frame(f"SELECT day, {sums} FROM indicator_rollup GROUP BY day ORDER BY day")
    with s.write() as cur:
        s.execute_write(cur, "derived/rebuild_indicator_rollup")
    rebuilt = s.frame(f"SELECT day, {sums} FROM indicator_rollup GROUP BY day ORDER BY day")
    pd.testing.assert_frame_equal(kept, rebuilt)
    s.close()
