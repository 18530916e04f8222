"""Forecasts (DOMAIN.md §8): the next 14 days per 大类 and village with prediction intervals,
and the rolling-origin backtest beside seasonal naive, on series whose answer is known."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import CAT_GARBAGE, CAT_MANHOLE, daily_series, days, insert_matters, new_township

from queries.analysis_config import load_analysis_config

FC = load_analysis_config().forecast
NOW = datetime(2025, 9, 24, 9, 0)                  # a Wednesday morning
WEEK = [6, 5, 5, 4, 4, 2, 1]                       # Monday … Sunday


def forecast(store, now=NOW, scope=(100, -1), **overrides) -> pd.DataFrame:
    params = {**FC, **overrides}
    return store.run("forecast/next_days", scope=list(scope), now=now, **params)


@pytest.fixture(scope="module")
def weekly_store(tmp_path_factory):
    """Garbage reports following the same week exactly for 60 weeks (holidays included)."""
    store = new_township(tmp_path_factory.mktemp("fc") / "t.duckdb", 1, 2)
    counts = {d: WEEK[d.weekday()] for d in days(NOW.date() - timedelta(days=420), NOW.date() - timedelta(days=1))}
    insert_matters(store, daily_series(counts, category_id=CAT_GARBAGE))
    yield store
    store.close()


def test_on_an_exact_weekly_series_seasonal_naive_and_the_model_are_exact(weekly_store):
    frame = forecast(weekly_store)
    township = frame[frame.level == "township"]
    assert list(township["day"]) == [pd.Timestamp(NOW.date() + timedelta(days=h)) for h in range(14)]
    assert list(township["horizon"]) == list(range(1, 15))
    want = [WEEK[(NOW.date() + timedelta(days=h)).weekday()] for h in range(14)]
    assert list(township["forecast"]) == pytest.approx(want, abs=1e-9)
    assert list(township["seasonal_naive"]) == pytest.approx(want)
    row = township.iloc[0]
    assert row["backtest_points"] > 12 * 7 * 10          # every origin of 12 weeks, every horizon seen
    assert (row["naive_mae"], row["naive_mape"], row["naive_mase"]) == (0, 0, 0)
    assert row["mae"] == pytest.approx(0, abs=1e-9) and row["mape"] == pytest.approx(0, abs=1e-9)
    # No error in the backtest: the intervals close on the forecast.
    assert list(township["lo95"]) == pytest.approx(want, abs=1e-9)
    assert list(township["hi95"]) == pytest.approx(want, abs=1e-9)


def test_series_per_major_and_village(weekly_store):
    frame = forecast(weekly_store)
    assert set(zip(frame.level, frame.series_key)) == {("township", "all"), ("major", "04"), ("village", "100")}
    major = frame[frame.level == "major"].iloc[0]
    assert (major["series_name"], major["series_name_en"]) == ("市容环境", "Appearance")
    assert forecast(weekly_store, scope=()).empty


@pytest.fixture(scope="module")
def noisy_store(tmp_path_factory):
    """A weekly pattern with Poisson noise and a steady rise: one week says little, eight say more."""
    store = new_township(tmp_path_factory.mktemp("noisy") / "t.duckdb", 1, 2)
    rng = np.random.default_rng(5)
    first = NOW.date() - timedelta(days=300)
    counts = {d: int(rng.poisson(2.5 * WEEK[d.weekday()] * (1 + 0.3 * (d - first).days / 300)))
              for d in days(first, NOW.date() - timedelta(days=1))}
    insert_matters(store, daily_series(counts, category_id=CAT_MANHOLE))
    yield store
    store.close()


def test_the_model_beats_seasonal_naive_on_noisy_weekly_data(noisy_store):
    row = forecast(noisy_store).query("level == 'township'").iloc[0]
    assert row["mase"] < 0.85 * row["naive_mase"]
    assert row["mape"] < row["naive_mape"]
    assert 0.6 < row["naive_mase"] < 1.6                # seasonal naive is about as good as in-sample


def test_prediction_intervals_are_nested_and_cover_the_backtest(noisy_store):
    frame = forecast(noisy_store).query("level == 'township'")
    assert (frame["lo95"] <= frame["lo80"]).all() and (frame["lo80"] <= frame["hi80"]).all()
    assert (frame["hi80"] <= frame["hi95"]).all() and (frame["lo95"] >= 0).all()
    assert (frame["hi95"] - frame["lo95"]).min() > 1                   # noise: the intervals have width
    # A fresh origin a week later: most of what came falls inside the 80 % interval.
    later = forecast(noisy_store, now=NOW - timedelta(days=14)).query("level == 'township'").head(14)
    actual = noisy_store.frame("SELECT CAST(created_at AS DATE) AS day, count(*) AS n FROM matters GROUP BY 1")
    merged = later.merge(actual.assign(day=pd.to_datetime(actual["day"])), on="day")
    inside = ((merged["n"] >= merged["lo80"]) & (merged["n"] <= merged["hi80"])).mean()
    assert inside >= 0.6


def test_trend_damping_is_configuration(noisy_store):
    none = forecast(noisy_store, trend_damping=0.0).query("level == 'township'")
    full = forecast(noisy_store, trend_damping=1.0).query("level == 'township'")
    assert (full["forecast"].to_numpy() > none["forecast"].to_numpy()).all()    # the series rises


def test_on_the_demo_every_major_and_village_has_14_days(demo_store):
    now = datetime.fromisoformat(demo_store.meta("demo_as_of"))
    frame = forecast(demo_store, now=now, scope=demo_store.all_village_ids() + [-1])
    counts = frame.groupby(["level", "series_key"]).size()
    assert (counts == 14).all()
    assert len(counts.loc["village"]) == len(demo_store.all_village_ids())
    assert len(counts.loc["major"]) == demo_store.scalar("SELECT count(DISTINCT major_code) FROM categories")
    township = frame[frame.level == "township"].iloc[0]
    assert township["mase"] < township["naive_mase"]        # worth trusting over "same as last week"
    assert date.fromisoformat(str(township["day"])[:10]) == now.date()
