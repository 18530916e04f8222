"""Volume baselines that respect the week and the data: a city whose working days are busy
and whose weekends are quiet raises no Poisson alarm on an ordinary Monday (its λ comes
from working days), a real surge still does; EARS C3's expected counts the baselines of
all three of its days, those without matters too; and days before the first matter are no
baseline of zeros."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from analysis_fixtures import CAT_GARBAGE, CAT_MANHOLE, VILLAGE, daily_series, days, insert_matters, new_township

from queries.analysis_config import load_analysis_config

W = load_analysis_config().warnings
SCOPE = [VILLAGE, -1]
MONDAY = date(2025, 9, 15)                   # no public holiday in the ten weeks before
BUSY, QUIET, SURGE = 150, 10, 300


def run_volume(store, now: datetime, from_day: date) -> pd.DataFrame:
    params = {k: W[k] for k in ("season_weeks", "z_threshold", "ears_threshold", "ears_c3_threshold", "min_sd",
                                "poisson_alpha", "min_count_cell", "min_count_village")}
    return store.run("warnings/volume", scope=SCOPE, now=now, from_day=from_day, **params)


def evening(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=23, minutes=59)


@pytest.fixture(scope="module")
def weekly(tmp_path_factory):
    """Ten weeks of BUSY matters a working day and QUIET a weekend day, in one cell; the
    Monday after them ordinary, the Monday a week later a surge."""
    store = new_township(tmp_path_factory.mktemp("week") / "t.duckdb", rows=1, cols=2)
    history = days(MONDAY - timedelta(days=70), MONDAY + timedelta(days=7))
    counts = {d: (QUIET if d.weekday() >= 5 else BUSY) for d in history}
    counts[MONDAY + timedelta(days=7)] = SURGE
    insert_matters(store, daily_series(counts, cell_id=1000, category_id=CAT_MANHOLE))
    yield store
    store.close()


def test_an_ordinary_monday_raises_no_poisson_alarm(weekly):
    rows = run_volume(weekly, evening(MONDAY), MONDAY)
    poisson = rows[rows.method == "poisson"]
    assert poisson.empty, poisson[["scope_level", "observed", "expected", "statistic"]]


def test_a_surge_on_a_monday_still_raises_one_against_working_days(weekly):
    surge = MONDAY + timedelta(days=7)
    rows = run_volume(weekly, evening(surge), surge)
    village = rows[(rows.method == "poisson") & (rows.scope_level == "village")]
    assert len(village) == 1
    assert village.iloc[0]["expected"] == pytest.approx(BUSY)     # λ: the working days of t−30 … t−3


def test_ears_c3_expected_counts_the_days_without_matters(tmp_path):
    store = new_township(tmp_path / "c3.duckdb", rows=1, cols=2)
    t = date(2025, 9, 10)
    counts = {d: 1 for d in days(t - timedelta(days=30), t - timedelta(days=3))}
    counts[t] = 12                                              # t−2 and t−1: no matters at all
    insert_matters(store, daily_series(counts, cell_id=1001, category_id=CAT_GARBAGE))
    rows = run_volume(store, evening(t), t)
    c3 = rows[(rows.method == "ears_c3") & (rows.scope_level == "cell")].iloc[0]
    assert c3["observed"] == 12
    assert c3["expected"] == pytest.approx(3.0)                 # three days' C2 baselines of 1 each, not one
    store.close()


def test_no_baseline_before_the_first_matter(tmp_path):
    """An export of a few days: before its first day there is no data, not zeros."""
    store = new_township(tmp_path / "short.duckdb", rows=1, cols=2)
    first = date(2025, 9, 8)
    counts = {d: 8 for d in days(first, first + timedelta(days=3))}
    insert_matters(store, daily_series(counts, cell_id=1000, category_id=CAT_MANHOLE))
    rows = run_volume(store, evening(first + timedelta(days=3)), first)
    assert rows.empty, rows[["method", "scope_level", "detected_on", "expected"]]
    store.close()
