"""Every query file under queries/sql runs against the demo database and returns exactly
the columns its header documents: schema drift fails here, not on a page.

A new query with a new parameter name needs a sample value below; the test says so.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

import pytest

from queries.analysis_config import load_analysis_config
from queries.sqlfiles import all_queries
from queries.store import Store
from tests.conftest import DEMO_AS_OF

NOW = DEMO_AS_OF
_CFG = load_analysis_config()
ANALYSIS = {**_CFG.indicator_params(), **_CFG.score_params(), **_CFG.warnings, **_CFG.forecast}


@dataclass(frozen=True)
class Sample:
    make: Callable[[Store], Any]   # a value from the store under test
    nullable: bool = False         # a filter whose NULL means "all": also run with NULL


def _first(store: Store, sql: str, n: int = 3) -> list:
    return [row[0] for row in store.cursor().execute(sql).fetchall()[:n]]


# One sample per parameter name. Add a line when a query introduces a parameter name; keep
# values that select real rows in the demo.
SAMPLES: dict[str, Sample] = {
    "scope": Sample(lambda store: store.all_village_ids() + [-1]),
    "now": Sample(lambda store: NOW),
    "yellow_share": Sample(lambda store: 0.25),
    "limit": Sample(lambda store: 50),
    "offset": Sample(lambda store: 0),
    "matter_id": Sample(lambda store: store.scalar("SELECT max(matter_id) FROM open_matters")
                        or store.scalar("SELECT max(matter_id) FROM matters") or 0),
    "villages": Sample(lambda store: store.all_village_ids()[:3], nullable=True),
    "handled_by": Sample(lambda store: store.scalar("SELECT min(lead_dept_id) FROM matters"), nullable=True),
    "sources": Sample(lambda store: ["grid", "public"], nullable=True),
    "majors": Sample(lambda store: ["01", "04", "07"], nullable=True),
    "depts": Sample(lambda store: [1, 2, 13, -1], nullable=True),
    "statuses": Sample(lambda store: ["dispatched", "handling", "closed"], nullable=True),
    "lights": Sample(lambda store: ["red", "yellow", "green"], nullable=True),
    "cells": Sample(lambda store: _first(store, "SELECT code FROM areas WHERE level = 'cell' ORDER BY code"),
                    nullable=True),
    "categories": Sample(lambda store: _first(store, "SELECT code FROM categories ORDER BY code", 5), nullable=True),
    "service_codes": Sample(lambda store: _first(store, "SELECT code FROM categories ORDER BY code", 5),
                            nullable=True),
    "ids": Sample(lambda store: _first(store, "SELECT matter_id FROM matters ORDER BY matter_id DESC", 5),
                  nullable=True),
    "created_from": Sample(lambda store: NOW - timedelta(days=30), nullable=True),
    "created_to": Sample(lambda store: NOW, nullable=True),
    "start_date": Sample(lambda store: NOW - timedelta(days=30), nullable=True),
    "end_date": Sample(lambda store: NOW, nullable=True),
    "status": Sample(lambda store: "open", nullable=True),
    "follow_up_days": Sample(lambda store: 7),
    "period_start": Sample(lambda store: NOW - timedelta(days=30)),
    "period_end": Sample(lambda store: NOW),
    # analysis (issue 6): the configured values, as the app binds them
    **{name: Sample(lambda store, name=name: ANALYSIS[name]) for name in ANALYSIS},
    "from_day": Sample(lambda store: (NOW - timedelta(days=27)).date()),
    "to_day": Sample(lambda store: NOW.date()),
    "group_by": Sample(lambda store: "department"),
    "level": Sample(lambda store: "cell"),
    "predict_share": Sample(lambda store: 0.5),
    "gi_cores_only": Sample(lambda store: True),
    "methods": Sample(lambda store: ["deadline_red", "ears_c2", "repeat_complaint"], nullable=True),
    "severities": Sample(lambda store: ["high", "medium"], nullable=True),
    # the analysis page (/analysis): cross-filters by id, the hour of the week, the trend's shape
    "cell_ids": Sample(lambda store: _first(store, "SELECT cell_id FROM matters WHERE cell_id IS NOT NULL "
                                                   "GROUP BY 1 ORDER BY count(*) DESC", 3), nullable=True),
    "category_ids": Sample(lambda store: _first(store, "SELECT category_id FROM categories ORDER BY code", 12),
                           nullable=True),
    "week_hours": Sample(lambda store: list(range(8, 18)) + list(range(32, 42)), nullable=True),
    "grain": Sample(lambda store: "week"),
    # accounts (issue 11): the test admin the session's demo carries, and a hash no token has
    "user_name": Sample(lambda store: "test-admin"),
    "token_hash": Sample(lambda store: "0" * 64),
    "breakdown": Sample(lambda store: "major"),
    # roles and audit (issue 11): a department's code; the audit page's filters
    "code": Sample(lambda store: _first(store, "SELECT code FROM departments ORDER BY dept_id", 1)[0]),
    "what": Sample(lambda store: "login", nullable=True),
    "outcome": Sample(lambda store: "ok", nullable=True),
    "start": Sample(lambda store: NOW - timedelta(days=30), nullable=True),
    "end": Sample(lambda store: NOW, nullable=True),
    # duplicates and the dispatch suggestion: the window in days, the start of the past looked at
    "days": Sample(lambda store: 3),
    "since": Sample(lambda store: NOW - timedelta(days=365)),
    # resources: kinds and a lon/lat box round the township's centre
    "kinds": Sample(lambda store: ["grid_worker", "shelter", "camera"], nullable=True),
    "min_lon": Sample(lambda store: store.scalar("SELECT min(lon) FROM resources"), nullable=True),
    "max_lon": Sample(lambda store: store.scalar("SELECT max(lon) FROM resources"), nullable=True),
    "min_lat": Sample(lambda store: store.scalar("SELECT min(lat) FROM resources"), nullable=True),
    "max_lat": Sample(lambda store: store.scalar("SELECT max(lat) FROM resources"), nullable=True),
    # time playback: an instant of the demo's history, the open statuses, folded states
    "at": Sample(lambda store: NOW - timedelta(hours=6)),
    "open_statuses": Sample(lambda store: ["registered", "dispatched", "handling", "feedback", "verified",
                                           "suspended", "returned", "escalated"]),
    "due_ats": Sample(lambda store: [NOW + timedelta(hours=3), None]),
    "limit_mins": Sample(lambda store: [450, None]),
    "paused": Sample(lambda store: [False, True]),
    "paused_remaining": Sample(lambda store: [None, 120]),
    # emergencies: the demo has none (the columns are still checked), a department code, a box
    "emergency_id": Sample(lambda store: 1),
    "key": Sample(lambda store: "1"),
}

QUERIES = all_queries()


def sample_params(name: str, store: Store, *, filters_null: bool) -> dict[str, Any]:
    params = {}
    for param in QUERIES[name].params:
        if param not in SAMPLES:
            pytest.fail(f"{name}.sql takes parameter ${param}, which has no sample value: "
                        f"add one to SAMPLES in tests/test_sql_files.py")
        sample = SAMPLES[param]
        params[param] = None if (filters_null and sample.nullable) else sample.make(store)
    return params


def _has_filters(name: str) -> bool:
    return any(SAMPLES.get(p, Sample(None)).nullable for p in QUERIES[name].params)


def test_there_are_queries_to_check():
    assert any(name.startswith("overview/") for name in QUERIES)
    assert any(name.startswith("reference/") for name in QUERIES)


# Every query with its filters NULL ("all"); those taking filters again with every filter set.
CASES = [pytest.param(name, True, id=name) for name in sorted(QUERIES)] + [
    pytest.param(name, False, id=f"{name}[filtered]") for name in sorted(QUERIES) if _has_filters(name)]


@pytest.mark.parametrize(("name", "filters_null"), CASES)
def test_query_returns_its_documented_columns(name, filters_null, demo_store):
    query = QUERIES[name]
    assert query.returns, f"{name}.sql documents no columns (-- returns: …)"
    frame = demo_store.run(name, **sample_params(name, demo_store, filters_null=filters_null))
    assert list(frame.columns) == list(query.returns), (
        f"{name}.sql returns {list(frame.columns)}, its header says {list(query.returns)}")


@pytest.mark.parametrize("name", sorted(n for n in QUERIES if "scope" in QUERIES[n].params))
def test_an_empty_scope_sees_no_matters(name, demo_store):
    """A viewer allowed no village sees nothing: the scope is applied in every query."""
    params = sample_params(name, demo_store, filters_null=True)
    params["scope"] = []
    frame = demo_store.run(name, **params)
    counts = frame.select_dtypes("integer")
    assert len(frame) == 0 or (len(counts.columns) and int(counts.to_numpy().sum()) == 0), (
        f"{name} returned rows for an empty scope:\n{frame.head()}")


@pytest.fixture(scope="module")
def empty_store(empty_db_path):
    store = Store(empty_db_path, read_only=True)
    yield store
    store.close()


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_runs_on_a_township_without_matters(name, empty_store):
    frame = empty_store.run(name, **sample_params(name, empty_store, filters_null=True))
    assert list(frame.columns) == list(QUERIES[name].returns)
