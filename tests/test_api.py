"""The HTTP API through Flask's test client on the real app and a real DuckDB file."""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta

import pytest

from dashboard.app import create_app
from queries.settings import load_settings
from queries.sqlfiles import LATEST_SCHEMA_VERSION
from queries.store import Store
from queries.vocabulary import OPEN_STATUSES
from tests.servers import client_with

SETTINGS = load_settings({})


@pytest.fixture
def client(demo_store, admin_token):
    return client_with(create_app(SETTINGS, demo_store).server, admin_token)


def test_healthz_counts_the_matters(client, demo_store):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["matters"] == demo_store.scalar("SELECT count(*) FROM matters") > 0
    assert body["schema_version"] == LATEST_SCHEMA_VERSION


def test_healthz_says_503_with_a_reason_when_the_store_cannot_answer(tmp_path, demo_db_path):
    copy = tmp_path / "broken.duckdb"
    shutil.copy(demo_db_path, copy)
    store = Store(copy, read_only=True)
    app = create_app(SETTINGS, store)
    store.close()
    response = app.server.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["reason"]


def test_healthz_on_an_empty_township(empty_db_path):
    store = Store(empty_db_path, read_only=True)
    try:
        body = create_app(SETTINGS, store).server.test_client().get("/healthz").get_json()
        assert body["status"] == "ok" and body["matters"] == 0
    finally:
        store.close()


def test_summary_equals_a_direct_count_of_the_matters(client, demo_store):
    response = client.get("/api/v1/summary")
    assert response.status_code == 200
    body = response.get_json()
    now = datetime.fromisoformat(body["as_of"])
    today = now.date()
    first_day = today - timedelta(days=29)
    open_list = ", ".join(f"'{s}'" for s in OPEN_STATUSES)

    def count(where: str, params=None) -> int:
        return int(demo_store.scalar(f"SELECT count(*) FROM matters WHERE {where}", params))

    assert body["received_today"] == count("CAST(created_at AS DATE) = ?", [today])
    assert body["closed_today"] == count("CAST(closed_at AS DATE) = ?", [today])
    assert body["open"] == count(f"status IN ({open_list})") > 0
    assert body["overdue"] == count(f"status IN ({open_list}) AND suspended_at IS NULL AND due_at <= ?", [now])
    assert 0 <= body["due_soon"] <= body["open"] - body["overdue"]

    on_time = body["on_time_closure_rate_30d"]
    closed_window = "closed_at IS NOT NULL AND CAST(closed_at AS DATE) BETWEEN ? AND ?"
    assert on_time["denominator"] == count(f"{closed_window} AND due_at IS NOT NULL", [first_day, today]) > 0
    assert on_time["numerator"] == count(f"{closed_window} AND closed_at <= due_at", [first_day, today])
    assert on_time["value"] == pytest.approx(on_time["numerator"] / on_time["denominator"])

    satisfaction = body["satisfaction_rate_30d"]
    rated = "followed_up_at IS NOT NULL AND CAST(followed_up_at AS DATE) BETWEEN ? AND ?"
    assert satisfaction["denominator"] == count(f"{rated} AND satisfaction IS NOT NULL", [first_day, today]) > 0
    assert satisfaction["numerator"] == count(f"{rated} AND satisfaction = 'satisfied'", [first_day, today])
    assert satisfaction["value"] == pytest.approx(satisfaction["numerator"] / satisfaction["denominator"])
    assert body["data_version"] == demo_store.data_version()


def test_summary_of_an_empty_township_has_no_rates(empty_db_path, empty_admin_token):
    store = Store(empty_db_path, read_only=True)
    try:
        body = client_with(create_app(SETTINGS, store).server, empty_admin_token).get("/api/v1/summary").get_json()
    finally:
        store.close()
    assert body["open"] == body["received_today"] == body["overdue"] == 0
    assert body["on_time_closure_rate_30d"] == {"value": None, "numerator": 0, "denominator": 0}
    assert body["satisfaction_rate_30d"]["value"] is None
