"""Indicators over imported matters: what an export never recorded (sign-for deadline,
feedback, rework, extension, follow-up) reads "—" with its reason, never 0 %, and the
department score leaves such terms out and scales the others up."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from analysis_fixtures import DEPT_A, DEPT_B, insert_matters, matter_row, new_township
from flask import Flask

from queries.analysis_config import load_analysis_config

CONFIG = load_analysis_config()
PERIOD = (date(2025, 3, 3), date(2025, 3, 9))      # the SQL's days, both included
AFTER = datetime(2025, 3, 20, 12, 0)


def T(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute)


def imported(matter_id: int, created: datetime, due: datetime, closed: datetime | None) -> dict:
    """A row as the import writes it: dispatched and signed at creation, feedback at closure,
    no sign-for deadline, no follow-up, no rework or extension counted."""
    return matter_row(matter_id, created, lead_dept_id=DEPT_B, origin="import", dispatched_at=created,
                      signed_at=created, feedback_at=closed, closed_at=closed, due_at=due,
                      status="closed" if closed else "dispatched")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = new_township(tmp_path_factory.mktemp("imp") / "t.duckdb", rows=2, cols=2)
    rows = [
        # A, the township's own lifecycle: signed and handled on time, closed on time.
        matter_row(1, T(3, 8, 40), lead_dept_id=DEPT_A, dispatched_at=T(3, 9), signed_at=T(3, 10),
                   sign_due_at=T(4, 9), feedback_at=T(3, 11), closed_at=T(4, 15), due_at=T(4, 17, 30)),
        imported(2, T(3, 9), T(5, 9), T(4, 10)),        # on time
        imported(3, T(4, 9), T(6, 9), T(7, 10)),        # late
        imported(4, T(5, 9), T(6, 12), None),           # open past its deadline
    ]
    insert_matters(s, rows)
    yield s
    s.close()


def by_department(store) -> dict:
    frame = store.run("indicators/by_group", scope=[100, -1], villages=None, sources=None, majors=None, depts=None,
                      cell_ids=None, category_ids=None, from_day=PERIOD[0], to_day=PERIOD[1], now=AFTER,
                      group_by="department", **CONFIG.indicator_params())
    return {(r.group_key, r.indicator): (r.numerator, r.denominator, None if pd.isna(r.value) else r.value,
                                                 None if pd.isna(r.reason) else r.reason)
            for r in frame.itertuples()}


def test_what_an_export_never_recorded_has_no_value_and_says_why(store):
    got = by_department(store)
    b = str(DEPT_B)
    for key in ("timely_sign_rate", "rework_rate", "extension_rate", "follow_up_rate", "on_time_handling_rate",
                "overdue_rate", "avg_handling_hours"):
        assert got[(b, key)][2:] == (None, "not_recorded"), key
    # the same indicators have values for the department of the township's own lifecycle
    assert got[(str(DEPT_A), "timely_sign_rate")][2:] == (1.0, None)
    assert got[(str(DEPT_A), "rework_rate")][2:] == (0.0, None)


def test_what_an_export_records_is_counted(store):
    got = by_department(store)
    b = str(DEPT_B)
    assert got[(b, "closure_rate")][:3] == pytest.approx((2, 3, 2 / 3))          # due: 2 3 4; closed: 2 3
    assert got[(b, "on_time_closure_rate")][:3] == pytest.approx((1, 3, 1 / 3))
    assert got[(b, "timely_completion_rate")][:3] == pytest.approx((1, 2, 0.5))  # closed in the period: 2 3
    assert got[(b, "satisfaction_rate")][2:] == (None, "not_recorded")


def test_the_score_leaves_out_terms_without_data_and_scales_the_rest(store):
    frame = store.run("indicators/department_ranking", scope=[100, -1], villages=None, sources=None, majors=None,
                      depts=None, cell_ids=None, category_ids=None, from_day=PERIOD[0], to_day=PERIOD[1],
                      now=AFTER, **CONFIG.indicator_params(), **CONFIG.score_params()).set_index("dept_id")
    terms = {t["indicator"]: t for t in frame.loc[DEPT_B, "terms"]}
    assert terms["rework_rate"]["reason"] == "not_recorded" and terms["rework_rate"]["points"] is None
    assert terms["on_time_handling_rate"]["reason"] == "not_recorded"
    # closure 2/3 of its 30 points, scaled to the 90 points of the three terms, + volume 2/2 · 10
    assert frame.loc[DEPT_B, "score"] == pytest.approx(2 / 3 * 90 + 10)
    # no free 30 points for "no rework" where rework was never recorded
    assert frame.loc[DEPT_A, "score"] == pytest.approx(90 + 5)


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


def test_api_answers_null_with_the_reason_and_every_definition(client):
    body = client.get("/api/v1/indicators?from=2025-03-03&to=2025-03-10&by=department").get_json()
    b = next(g for g in body["groups"] if g["key"] == str(DEPT_B))
    sign = b["indicators"]["timely_sign_rate"]
    assert sign["value"] is None and sign["reason"]["code"] == "not_recorded" and sign["reason"]["text"]
    assert b["indicators"]["closure_rate"]["reason"] is None
    assert all(i["definition"] and i["definition_en"] for i in body["indicators"])
    ranking = client.get("/api/v1/indicators/ranking?from=2025-03-03&to=2025-03-10").get_json()
    dept_b = next(d for d in ranking["departments"] if d["dept_id"] == DEPT_B)
    assert set(dept_b["left_out"]) == {"on_time_handling_rate", "rework_rate"}
