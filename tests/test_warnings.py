"""Warnings (预测预警, DOMAIN.md §8): every detector flags an injected spike and leaves a flat
series alone; EARS C2 and Gi* agree with independent computations; repeat-complaint tiers;
deadline lights; the stored warnings are deduplicated, resolved and acknowledged; the API;
and on a demo build the planted anomalies are found with few false alarms."""
from __future__ import annotations

import math
import statistics
from datetime import date, datetime, timedelta
from decimal import Decimal, getcontext

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import (
    CAT_GARBAGE,
    CAT_MANHOLE,
    DEPT_A,
    DEPT_B,
    VILLAGE,
    cell_id,
    daily_series,
    days,
    insert_matters,
    matter_row,
    new_township,
)
from flask import Flask

from queries.analysis_config import load_analysis_config
from queries.sqlfiles import all_queries
from queries.warnings import (
    ANOMALY_METHODS,
    VOLUME_METHODS,
    WARNING_COLUMNS,
    WarningNotFound,
    acknowledge_warning,
    refresh_warnings,
    warning_queries,
)
from tests.servers import client_with

CONFIG = load_analysis_config()
W = CONFIG.warnings
SCOPE = [VILLAGE, -1]


def run_volume(store, now: datetime, from_day: date, **overrides) -> pd.DataFrame:
    params = {k: W[k] for k in ("season_weeks", "z_threshold", "ears_threshold", "ears_c3_threshold", "min_sd",
                                "poisson_alpha", "min_count_cell", "min_count_village")}
    return store.run("warnings/volume", scope=SCOPE, now=now, from_day=from_day, **{**params, **overrides})


# -- the Poisson tail in SQL --------------------------------------------------------------
def exact_poisson_sf(x: int, lam: float) -> float:
    getcontext().prec = 60
    lam_d = Decimal(repr(lam))
    below = sum(((-lam_d).exp() * lam_d ** k / math.factorial(k) for k in range(x)), Decimal(0))
    return float(Decimal(1) - below)


@pytest.mark.parametrize(("x", "lam"), [(0, 2.0), (1, 1.0), (3, 0.1), (4, 0.25), (5, 5.0), (12, 2.0), (30, 10.0),
                                        (60, 40.0), (2, 7.5)])
def test_poisson_tail_in_sql_matches_exact_arithmetic(tmp_path, x, lam):
    store = new_township(tmp_path / "p.duckdb", 1, 1)
    got = store.scalar("SELECT poisson_sf(?, ?)", [x, lam])
    assert got == pytest.approx(exact_poisson_sf(x, lam), rel=1e-9, abs=1e-15)
    store.close()


# -- volume anomalies -----------------------------------------------------------------------
SPIKE_DAY = date(2025, 9, 10)                 # a Wednesday; no public holiday in the 10 weeks before
SPIKE_CELL, FLAT_CELL, C2_CELL = 1000, 1008, 1004
C2_BASELINE = [1, 3, 2, 5, 0, 2, 4]          # days t−9 … t−3
C2_GUARD = [6, 7]                            # t−2, t−1: not in C2's baseline
C2_OBSERVED = 9


@pytest.fixture(scope="module")
def volume_store(tmp_path_factory):
    store = new_township(tmp_path_factory.mktemp("vol") / "t.duckdb")
    history = days(SPIKE_DAY - timedelta(days=70), SPIKE_DAY)
    spike = {d: (12 if d == SPIKE_DAY else 2) for d in history}
    flat = {d: 2 for d in history}
    c2 = dict(zip(days(SPIKE_DAY - timedelta(days=9), SPIKE_DAY), C2_BASELINE + C2_GUARD + [C2_OBSERVED]))
    rows = (daily_series(spike, first_id=1, cell_id=SPIKE_CELL, category_id=CAT_MANHOLE)
            + daily_series(flat, first_id=10_000, cell_id=FLAT_CELL, category_id=CAT_GARBAGE)
            + daily_series(c2, first_id=20_000, cell_id=C2_CELL, category_id=CAT_MANHOLE))
    insert_matters(store, rows)
    yield store
    store.close()


@pytest.fixture(scope="module")
def volume_rows(volume_store):
    return run_volume(volume_store, datetime.combine(SPIKE_DAY, datetime.min.time()) + timedelta(hours=20),
                      SPIKE_DAY - timedelta(days=10))


def test_a_spike_is_flagged_by_every_volume_method(volume_rows):
    spike = volume_rows[(volume_rows.cell_id == SPIKE_CELL) & (volume_rows.category_id == CAT_MANHOLE)]
    assert set(spike["method"]) == set(VOLUME_METHODS)
    assert set(pd.to_datetime(spike["detected_on"]).dt.date) == {SPIKE_DAY}
    day_rows = spike[spike.method != "ears_c3"]
    assert (day_rows["observed"] == 12).all()
    assert list(day_rows["expected"]) == pytest.approx([2.0] * len(day_rows))
    poisson = spike[spike.method == "poisson"].iloc[0]
    assert poisson["statistic"] == pytest.approx(exact_poisson_sf(12, 2.0), rel=1e-9)
    assert poisson["statistic"] < poisson["threshold"] == W["poisson_alpha"]
    key = spike[spike.method == "ears_c2"].iloc[0]["warning_key"]
    assert key == f"ears_c2:cell:{SPIKE_CELL}:{CAT_MANHOLE}"


def test_a_flat_series_raises_nothing(volume_rows):
    assert volume_rows[volume_rows.cell_id == FLAT_CELL].empty
    spike_cell = volume_rows[volume_rows.cell_id == SPIKE_CELL]
    assert (pd.to_datetime(spike_cell.detected_on).dt.date == SPIKE_DAY).all()    # its flat weeks before: none


def test_ears_c2_agrees_with_a_hand_computation(volume_rows):
    mean = statistics.fmean(C2_BASELINE)
    sd = max(statistics.stdev(C2_BASELINE), math.sqrt(mean), W["min_sd"])
    want = (C2_OBSERVED - mean) / sd                  # (9 − 17/7) / 1.7182… = 3.8245
    row = volume_rows[(volume_rows.cell_id == C2_CELL) & (volume_rows.method == "ears_c2")
                      & (pd.to_datetime(volume_rows.detected_on).dt.date == SPIKE_DAY)].iloc[0]
    assert row["statistic"] == pytest.approx(want, rel=1e-12)
    assert row["expected"] == pytest.approx(mean)
    assert want == pytest.approx(3.8245, abs=1e-4)


def test_a_spike_shows_in_its_village_too(volume_rows):
    village = volume_rows[(volume_rows.scope_level == "village") & (volume_rows.village_id == VILLAGE)]
    assert SPIKE_DAY in set(pd.to_datetime(village["detected_on"]).dt.date)


def test_thresholds_are_configuration(volume_store):
    now = datetime.combine(SPIKE_DAY, datetime.min.time()) + timedelta(hours=20)
    rows = run_volume(volume_store, now, SPIKE_DAY, min_count_cell=13, min_count_village=100)
    assert rows.empty                                         # 12 matters: below the minimum now


# -- EWMA drift -----------------------------------------------------------------------------
EWMA_NOW = datetime(2025, 9, 20, 8, 0)


@pytest.fixture(scope="module")
def ewma_rows(tmp_path_factory):
    store = new_township(tmp_path_factory.mktemp("ewma") / "t.duckdb")
    rows, next_id = [], 1
    for d in days(EWMA_NOW.date() - timedelta(days=150), EWMA_NOW.date() - timedelta(days=1)):
        recent = d >= EWMA_NOW.date() - timedelta(days=14)
        start = datetime.combine(d, datetime.min.time())
        # A: ten a day; in the last two weeks half of them late. B: on time, doubling its volume.
        for dept, cat, n, late in ((DEPT_A, CAT_MANHOLE, 10, 5 if recent else 0),
                                   (DEPT_B, CAT_GARBAGE, 20 if recent else 10, 0)):
            for k in range(n):
                rows.append(matter_row(next_id, start + timedelta(hours=9, seconds=k), lead_dept_id=dept,
                                       category_id=cat, dispatched_at=start + timedelta(hours=9, minutes=10),
                                       feedback_at=start + timedelta(hours=11),
                                       due_at=start + timedelta(hours=10 if k < late else 17),
                                       closed_at=start + timedelta(hours=12)))
                next_id += 1
    insert_matters(store, rows)
    frame = store.run("warnings/ewma", scope=SCOPE, now=EWMA_NOW, from_day=EWMA_NOW.date() - timedelta(days=56),
                      **{k: W[k] for k in ("ewma_lambda", "ewma_l", "ewma_days", "ewma_baseline_days")})
    store.close()
    return frame


def test_ewma_flags_a_falling_on_time_rate_and_a_rising_volume(ewma_rows):
    assert set(ewma_rows["warning_key"]) == {f"ewma_on_time:department:{DEPT_A}", f"ewma_volume:department:{DEPT_B}"}
    first = pd.to_datetime(ewma_rows.groupby("method")["detected_on"].min()).dt.date
    assert (first >= EWMA_NOW.date() - timedelta(days=14)).all()       # not before the drift began
    late = ewma_rows[ewma_rows.method == "ewma_on_time"].iloc[-1]
    assert late["expected"] == pytest.approx(1.0) and late["observed"] < 0.75
    volume = ewma_rows[ewma_rows.method == "ewma_volume"].iloc[-1]
    assert volume["expected"] == pytest.approx(10.0) and volume["observed"] > 15


# -- Getis-Ord Gi* --------------------------------------------------------------------------
# esda 2.9.0 / libpysal 4.14.1, G_Local(y, lat2W(3, 3, rook=False), transform="B", star=True).Zs
# for y = [1, 2, 0, 3, 20, 1, 2, 1, 0] (row-major): the reference this SQL must reproduce.
ESDA_3X3 = [1.34350288, 0.78262379, 1.02530483, 1.00623059, math.nan, 0.4472136, 1.34350288, 0.78262379,
            0.91923882]
GRID_3X3 = [1, 2, 0, 3, 20, 1, 2, 1, 0]


def numpy_gi_star(values: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Getis & Ord (1995) G*_i as a z-value, binary queen weights with w_ii = 1."""
    n = rows * cols
    w = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if abs(i // cols - j // cols) <= 1 and abs(i % cols - j % cols) <= 1:
                w[i, j] = 1.0
    xbar = values.mean()
    s = math.sqrt((values ** 2).mean() - xbar ** 2)
    wi = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (w @ values - xbar * wi) / (s * np.sqrt((n * (w ** 2).sum(axis=1) - wi ** 2) / (n - 1)))


def gi_rows(store, now: datetime, *, metric: str = "count", gi_z: float = -1e9, cores_only: bool = False):
    return store.run("warnings/gi_star", scope=SCOPE, now=now, from_day=now.date(), majors=None, gi_window_days=7,
                     season_weeks=8, gi_metric=metric, gi_z=gi_z, gi_min_observed=0, gi_cores_only=cores_only)


def grid_store(path, rows: int, cols: int, values: list[int], day: date, baseline: list[int] | None = None):
    store = new_township(path, rows, cols)
    matters, next_id = [], 1
    for i, v in enumerate(values):
        cell = cell_id(i // cols, i % cols, cols)
        matters += daily_series({day: v}, first_id=next_id, cell_id=cell)
        next_id += v
        if baseline is not None:    # the same cell over the 8 weeks before the window, weekly
            weekly = {day - timedelta(days=7 * k + 3): baseline[i] for k in range(1, 9)}
            matters += daily_series(weekly, first_id=next_id, cell_id=cell)
            next_id += 8 * baseline[i]
    insert_matters(store, matters)
    return store


def test_gi_star_on_a_3x3_grid_agrees_with_esda_and_numpy(tmp_path):
    day = date(2025, 9, 10)
    store = grid_store(tmp_path / "g.duckdb", 3, 3, GRID_3X3, day)
    assert store.scalar("SELECT count(*) FROM cell_adjacency") == 40      # queen: 4·3 + 4·5 + 8
    rows = gi_rows(store, datetime(2025, 9, 10, 20, 0)).set_index("cell_id")
    mine = [rows["statistic"].get(cell_id(i // 3, i % 3, 3), math.nan) for i in range(9)]
    reference = numpy_gi_star(np.array(GRID_3X3, dtype=float), 3, 3)
    np.testing.assert_allclose(mine, ESDA_3X3, rtol=1e-7, equal_nan=True)
    np.testing.assert_allclose(mine, reference, rtol=1e-12, equal_nan=True)
    # The hot centre's neighbourhood is the whole grid: Gi* is undefined there, not "cold".
    assert cell_id(1, 1, 3) not in rows.index
    store.close()


HOT_BLOCK = [1] * 25
for _r in (1, 2, 3):
    for _c in (1, 2, 3):
        HOT_BLOCK[_r * 5 + _c] = 10


def test_a_hot_block_is_a_hot_spot_and_a_flat_map_is_not(tmp_path):
    day = date(2025, 9, 10)
    now = datetime(2025, 9, 10, 20, 0)
    hot = grid_store(tmp_path / "hot.duckdb", 5, 5, HOT_BLOCK, day)
    rows = gi_rows(hot, now, gi_z=W["gi_z"], cores_only=True)
    assert list(rows["cell_id"]) == [cell_id(2, 2, 5)]                 # one cluster, one warning: its core
    assert rows.iloc[0]["severity"] == "high" and rows.iloc[0]["observed"] == 90
    assert rows.iloc[0]["statistic"] == pytest.approx(numpy_gi_star(np.array(HOT_BLOCK, float), 5, 5)[12])
    bands = gi_rows(hot, now, gi_z=1.645).set_index("cell_id")["severity"].to_dict()
    beside = {cell_id(1, 2, 5), cell_id(2, 1, 5), cell_id(2, 3, 5), cell_id(3, 2, 5)}
    assert bands == {cell_id(2, 2, 5): "high", **{c: "medium" for c in beside}}    # 99 %, and 95 % beside it
    hot.close()
    flat = grid_store(tmp_path / "flat.duckdb", 5, 5, [3] * 25, day)
    assert gi_rows(flat, now, gi_z=1.645).empty
    flat.close()


def test_excess_metric_flags_a_new_hot_spot_but_not_a_lasting_one(tmp_path):
    day, now = date(2025, 9, 10), datetime(2025, 9, 10, 20, 0)
    lasting = grid_store(tmp_path / "lasting.duckdb", 5, 5, HOT_BLOCK, day, baseline=HOT_BLOCK)
    assert not gi_rows(lasting, now, gi_z=1.645, metric="count").empty      # busy: a hot spot by count
    assert gi_rows(lasting, now, gi_z=1.645, metric="excess").empty        # but as hot as it always is
    lasting.close()
    new = grid_store(tmp_path / "new.duckdb", 5, 5, HOT_BLOCK, day, baseline=[1] * 25)
    assert cell_id(2, 2, 5) in set(gi_rows(new, now, gi_z=W["gi_z"], metric="excess")["cell_id"])
    new.close()


# -- repeat complaints ----------------------------------------------------------------------
REPEAT_NOW = datetime(2025, 9, 30, 18, 0)


@pytest.fixture(scope="module")
def repeat_rows(tmp_path_factory):
    store = new_township(tmp_path_factory.mktemp("rep") / "t.duckdb")
    d = lambda k, h=10: REPEAT_NOW.replace(hour=h) - timedelta(days=k)  # noqa: E731
    plan = [  # (address, cell, days ago, source)
        ("甲路1号", 1000, [20, 3], "public"),                       # tier 2
        ("乙路2号", 1001, [25, 14, 2], "public"),                   # tier 3
        ("丙路3号", 1002, [28, 21, 15, 9, 1], "transfer"),          # five: tier ≥4
        ("丁路4号", 1003, [45, 2], "public"),                       # 43 days apart: no repeat
        ("戊路5号", 1005, [10, 4], "grid"),                         # a grid worker's reports: not complaints
        ("己路6号", 1006, [6], "public"), ("庚路7号", 1006, [3], "public"),    # one cell, two addresses
        ("辛路8号", 1007, [20], "public"), ("壬路9号", 1007, [3], "public"),   # … but 17 days apart
    ]
    rows, next_id = [], 1
    for address, cell, ago, source in plan:
        for k in ago:
            rows.append(matter_row(next_id, d(k), address=address, cell_id=cell, source=source,
                                   category_id=CAT_GARBAGE))
            next_id += 1
    insert_matters(store, rows)
    frame = store.run("warnings/repeat_complaints", scope=SCOPE, now=REPEAT_NOW,
                      from_day=(REPEAT_NOW - timedelta(days=30)).date(), repeat_days=W["repeat_days"],
                      repeat_cell_days=W["repeat_cell_days"], repeat_min=W["repeat_min"],
                      repeat_sources=W["repeat_sources"])
    store.close()
    return frame


def test_repeat_complaints_come_in_tiers(repeat_rows):
    today = repeat_rows[pd.to_datetime(repeat_rows.detected_on).dt.date == REPEAT_NOW.date()]
    by_address = today[today.scope_level == "address"].set_index("address")
    assert set(by_address.index) == {"甲路1号", "乙路2号", "丙路3号"}
    assert by_address.loc["甲路1号", ["statistic", "severity"]].tolist() == [2, "low"]
    assert by_address.loc["乙路2号", ["statistic", "severity"]].tolist() == [3, "medium"]
    assert by_address.loc["丙路3号", ["statistic", "severity", "observed"]].tolist() == [4, "high", 5]
    cells = today[today.scope_level == "cell"]
    assert list(cells["cell_id"]) == [1006]                   # two addresses in one cell: the cell repeats
    assert cells.iloc[0]["statistic"] == 2


def test_a_repeat_rises_through_its_tiers_on_the_days_it_changed(repeat_rows):
    key = repeat_rows[repeat_rows.address == "丙路3号"]["warning_key"].iloc[0]
    history = repeat_rows[repeat_rows.warning_key == key].sort_values("detected_on")
    assert key.startswith("repeat:address:") and key.endswith(f":{CAT_GARBAGE}")
    assert list(history["statistic"]) == [2, 3, 4, 4]          # raised on the 2nd, 3rd, 4th; and today


# -- deadlines --------------------------------------------------------------------------------
def test_deadline_warnings_red_yellow_and_predicted(tmp_path):
    store = new_township(tmp_path / "d.duckdb")
    mon = datetime(2025, 9, 8)
    limit = 450                                                  # one working day
    common = dict(limit_min=limit, lead_dept_id=DEPT_A, dispatched_at=mon + timedelta(hours=9))
    rows = [
        matter_row(1, mon + timedelta(hours=9), status="handling", due_at=mon + timedelta(days=1, hours=9), **common),
        matter_row(2, mon + timedelta(hours=9), status="handling", due_at=mon + timedelta(days=2, hours=13.5),
                   **common),
        matter_row(3, mon + timedelta(hours=9), status="handling", due_at=mon + timedelta(days=2, hours=16), **common),
        matter_row(4, mon + timedelta(hours=9), status="feedback", due_at=mon + timedelta(days=2, hours=16), **common),
        matter_row(5, mon + timedelta(hours=9), status="handling", due_at=mon + timedelta(days=3, hours=10), **common),
    ]
    insert_matters(store, rows)
    now = mon + timedelta(days=2, hours=11)                      # Wednesday 11:00
    frame = store.run("warnings/deadline", scope=SCOPE, now=now, yellow_share=0.25,
                      predict_share=W["predict_share"]).set_index("matter_id")
    assert frame.loc[1, "method"] == "deadline_red" and frame.loc[1, "statistic"] < 0
    assert frame.loc[2, "method"] == "deadline_yellow"          # 60 working minutes of 450 left
    assert frame.loc[3, "method"] == "predicted_overdue"         # 210 left: over half gone, no feedback
    assert 4 not in frame.index                                  # the same, but fed back already
    assert 5 not in frame.index                                  # a day and a half to go
    assert frame.loc[3, "observed"] == pytest.approx(1 - 210 / 450)
    store.close()


def test_matters_without_a_working_time_limit_are_judged_by_their_due_time(tmp_path):
    """Imported matters carry a due time but no limit: red once it passed, yellow when less
    than yellow_share of the calendar span acceptance → due is left."""
    store = new_township(tmp_path / "imp.duckdb")
    mon = datetime(2025, 9, 8, 9)
    common = dict(lead_dept_id=DEPT_A, dispatched_at=mon, status="dispatched", origin="import")
    rows = [
        matter_row(1, mon, due_at=mon + timedelta(days=1), **common),                 # overdue
        matter_row(2, mon, due_at=mon + timedelta(days=2, hours=12), **common),       # 11 h of 60 h left
        matter_row(3, mon, due_at=mon + timedelta(days=3), **common),                 # 23 h of 72 h left
        matter_row(4, mon, due_at=mon + timedelta(days=20), **common),                # far ahead
        matter_row(5, mon, due_at=None, **common),                                    # no due time
    ]
    insert_matters(store, rows)
    now = mon + timedelta(days=2, hours=1)
    frame = store.run("warnings/deadline", scope=SCOPE, now=now, yellow_share=0.25,
                      predict_share=W["predict_share"]).set_index("matter_id")
    assert frame.loc[1, "method"] == "deadline_red"
    assert frame.loc[2, "method"] == "deadline_yellow"
    assert frame.loc[2, "observed"] == pytest.approx(49 / 60)
    assert frame.loc[3, "method"] == "predicted_overdue"        # 2/3 of the span gone
    assert 4 not in frame.index and 5 not in frame.index
    lights = store.frame("SELECT matter_id, light FROM open_matter_lights(?, 0.25) ORDER BY matter_id",
                         [now])["light"].tolist()
    assert lights == ["red", "yellow", "green", "green", "none"]
    assert frame.loc[3, "observed"] == pytest.approx(49 / 72)
    store.close()


# -- stored warnings: dedup, resolve, acknowledge, the API ----------------------------------
@pytest.fixture
def live_store(tmp_path):
    """Complaints repeating at one address, two days apart, the last 2025-09-10."""
    store = new_township(tmp_path / "live.duckdb")
    rows = [matter_row(i + 1, datetime(2025, 9, 8 + 2 * i, 10), address="甲路1号", category_id=CAT_GARBAGE,
                       status="closed") for i in range(2)]
    insert_matters(store, rows)
    yield store
    store.close()


def events(store) -> list[tuple]:
    return [tuple(r) for r in store.frame("SELECT warning_key, action, actor FROM warning_events "
                                          "ORDER BY occurred_at, action").itertuples(index=False)]


def test_a_lasting_warning_is_stored_once_and_resolves(live_store):
    first = refresh_warnings(live_store, datetime(2025, 9, 11, 9, 0))
    second = refresh_warnings(live_store, datetime(2025, 9, 12, 9, 0))
    assert (first.raised, second.raised, second.resolved) == (1, 0, 0)
    stored = live_store.frame("SELECT * FROM warnings")
    assert len(stored) == 1
    assert stored.iloc[0]["first_seen"] == pd.Timestamp(2025, 9, 11, 9) != stored.iloc[0]["last_seen"]
    gone = refresh_warnings(live_store, datetime(2025, 10, 20, 9, 0))      # the 30 days have passed
    assert gone.resolved == 1 and gone.active == 0
    assert live_store.run("warnings/active", scope=SCOPE, methods=None, severities=None).empty


def test_acknowledging_is_an_event_with_who_and_when(live_store):
    refresh_warnings(live_store, datetime(2025, 9, 11, 9, 0))
    key = live_store.scalar("SELECT warning_key FROM warnings")
    acknowledge_warning(live_store, key, actor="坐席员 王敏", note="已联系环卫所", now=datetime(2025, 9, 11, 9, 5))
    active = live_store.run("warnings/active", scope=SCOPE, methods=None, severities=None).iloc[0]
    assert active["acknowledged_by"] == "坐席员 王敏"
    assert (key, "acknowledged", "坐席员 王敏") in events(live_store)
    refresh_warnings(live_store, datetime(2025, 9, 11, 9, 10))              # still active, still acknowledged
    assert live_store.scalar("SELECT acknowledged_by FROM warnings") == "坐席员 王敏"
    with pytest.raises(WarningNotFound):
        acknowledge_warning(live_store, "no:such:key", actor="x", now=datetime(2025, 9, 11, 9, 6))
    with pytest.raises(ValueError):
        acknowledge_warning(live_store, key, actor="  ", now=datetime(2025, 9, 11, 9, 6))


def test_a_warning_that_returns_after_resolving_is_raised_again_unacknowledged(live_store):
    refresh_warnings(live_store, datetime(2025, 9, 11, 9, 0))
    key = live_store.scalar("SELECT warning_key FROM warnings")
    acknowledge_warning(live_store, key, actor="指挥长 陈刚", now=datetime(2025, 9, 11, 9, 1))
    refresh_warnings(live_store, datetime(2025, 10, 20, 9, 0))                # resolved
    insert_matters(live_store, [matter_row(3, datetime(2025, 10, 21, 10), address="甲路1号",
                                           category_id=CAT_GARBAGE),
                                matter_row(4, datetime(2025, 10, 22, 10), address="甲路1号",
                                           category_id=CAT_GARBAGE)])
    again = refresh_warnings(live_store, datetime(2025, 10, 22, 11, 0))
    assert again.raised == 1
    row = live_store.frame("SELECT * FROM warnings WHERE warning_key = ?", [key]).iloc[0]
    assert pd.isna(row["acknowledged_by"]) and row["first_seen"] == pd.Timestamp(2025, 10, 22, 11)
    assert [a for k, a, _ in events(live_store) if k == key] == ["raised", "acknowledged", "resolved", "raised"]


@pytest.fixture
def client(live_store, monkeypatch):
    from dashboard import auth, clock
    from dashboard.context import AppContext
    from dashboard.http import analysis as api_analysis
    from dashboard.reader import Reader
    from queries import accounts
    from queries.settings import load_settings

    monkeypatch.setattr(clock, "now", lambda: datetime(2025, 9, 11, 9, 0))
    app = Flask(__name__)
    AppContext(settings=load_settings({}), store=live_store, reader=Reader(live_store)).install(app)
    auth.install(app)
    app.register_blueprint(api_analysis.blueprint)
    if accounts.user_named(live_store, "坐席员 李娜") is None:
        accounts.add_user(live_store, name="坐席员 李娜", role="operator", password="李娜的密码足够长了吧，十二个字")
    return client_with(app, accounts.new_token(live_store, name="坐席员 李娜")["token"])


def test_api_lists_active_warnings_with_why_and_scope(client):
    body = client.get("/api/v1/warnings").get_json()
    assert body["refreshed_at"].startswith("2025-09-11 09:00")
    (item,) = body["warnings"]
    assert item["method"] == "repeat_complaint" and item["severity"] == "low"
    assert (item["observed"], item["threshold"], item["window"]) == (2.0, 2.0, {"start": "2025-09-08T00:00:00",
                                                                                "end": "2025-09-10T00:00:00"})
    assert item["scope"]["level"] == "address" and item["scope"]["address"] == "甲路1号"
    assert item["scope"]["category_name"] == "暴露垃圾" and item["scope"]["village_name"] == "测试社区"
    assert item["drilldown"].startswith("/analysis?") and "category=2" in item["drilldown"]
    assert client.get("/api/v1/warnings?method=gi_star").get_json()["warnings"] == []
    assert client.get("/api/v1/warnings?method=nonsense").status_code == 422


def test_api_acknowledges_with_who(client):
    key = client.get("/api/v1/warnings").get_json()["warnings"][0]["key"]
    typed = client.post(f"/api/v1/warnings/{key}/ack", json={"actor": "别人", "note": "已派单"})
    assert typed.status_code == 422 and typed.get_json()["errors"] == [
        {"field": "actor", "problem": "actor comes from the login", "value": "别人"}]
    ok = client.post(f"/api/v1/warnings/{key}/ack", json={"note": "已派单"})     # who: the token's user
    assert ok.status_code == 200 and ok.get_json()["acknowledged_by"] == "坐席员 李娜"
    after = client.get("/api/v1/warnings").get_json()["warnings"][0]
    assert after["acknowledged"]["by"] == "坐席员 李娜"
    assert client.post(f"/api/v1/warnings/{key}/ack", data="x", content_type="application/json").status_code == 422
    assert client.post("/api/v1/warnings/none:such/ack", json={}).status_code == 404
    client.environ_base.pop("HTTP_AUTHORIZATION")
    assert client.post(f"/api/v1/warnings/{key}/ack", json={}).status_code == 401


# -- on the demo ------------------------------------------------------------------------------
def test_every_warning_query_returns_the_shared_columns_and_honours_scope(demo_store):
    now = datetime.fromisoformat(demo_store.meta("demo_as_of"))
    for name, params in warning_queries(CONFIG, now=now, from_day=now.date() - timedelta(days=6),
                                        scope=demo_store.all_village_ids() + [-1], yellow_share=0.25):
        assert all_queries()[name].returns == WARNING_COLUMNS
        assert list(demo_store.run(name, **params).columns) == list(WARNING_COLUMNS)
        assert demo_store.run(name, **{**params, "scope": []}).empty, name


DETECTION_AS_OF = datetime(2025, 11, 26, 10, 0)


@pytest.fixture(scope="module")
def detection_store(tmp_path_factory):
    """A demo build on a fixed day, so the seasons it crosses are the same on every run."""
    from data.demo.build import build_demo
    from queries.store import Store

    path = tmp_path_factory.mktemp("detect") / "township.duckdb"
    build_demo(path, matters=20_000, seed=11, as_of=DETECTION_AS_OF)
    store = Store(path, read_only=True)
    yield store
    store.close()


def test_planted_anomalies_are_found_with_few_false_alarms(detection_store):
    from data.detection import score_detection

    score = score_detection(detection_store, DETECTION_AS_OF, weeks=8)
    print("\n" + score.summary())
    kinds = score.planted.groupby("kind")["found"].agg(["sum", "count"])
    assert set(kinds.index) == {"surge", "drift", "repeat"}
    assert score.recall >= 0.8
    assert score.false_alarms_per_village_week < 1.0
    assert (score.alarms["method"].isin(ANOMALY_METHODS)).all()
    assert kinds.loc["drift", "sum"] == 1                       # the drifting department is caught


def test_ground_truth_describes_what_was_planted(detection_store):
    truth = detection_store.frame("SELECT * FROM demo_ground_truth ORDER BY anomaly_id")
    surges = truth[truth.kind == "surge"]
    assert len(surges) >= 5 and surges["village_id"].nunique() == len(surges)
    for row in surges.itertuples():
        added = detection_store.scalar(
            "SELECT count(*) FROM matters WHERE cell_id = ? AND category_id = ? AND CAST(created_at AS DATE) "
            "BETWEEN ? AND ?", [int(row.cell_id), int(row.category_id), row.first_day.date(), row.last_day.date()])
        assert added >= row.matters
    repeats = truth[truth.kind == "repeat"]
    for row in repeats.itertuples():
        n = detection_store.scalar("SELECT count(*) FROM matters WHERE address = ? AND category_id = ? "
                                   "AND source = 'public' AND voided_at IS NULL", [row.address, int(row.category_id)])
        assert n >= row.matters
    drift = truth[truth.kind == "drift"].iloc[0]
    assert drift["last_day"] == pd.Timestamp(DETECTION_AS_OF.date()) and not pd.isna(drift["dept_id"])
