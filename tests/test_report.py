"""The counts report (issue 4): its definitions on hand-made edge cases, and on the real
Boston and Los Angeles exports against an independent pandas/geopandas computation, every
key of counts, by_department and by_cell exactly."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from dashboard.cli import main
from queries.report import COUNTS, counts_report, report
from queries.store import Store
from tests.conftest import DEMO_AS_OF
from tests.importdata import CITIES, imported_city, independent_city, independent_report

PERIODS = {
    "boston": [("2015-01-01", "2016-01-01"), ("2015-07-01", "2015-07-15"), ("2015-12-15", "2016-02-01"),
               ("2014-06-01", "2015-01-02")],
    "la": [("2018-12-27", "2019-01-01"), ("2018-12-28", "2018-12-29"), ("2019-01-01", "2019-03-01"),
           ("2018-12-31T12:00", "2018-12-31T18:00")],
}


@pytest.fixture(scope="module")
def city_dbs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cities")
    return {key: folder for key in CITIES}


@pytest.mark.parametrize(("key", "start", "end"), [(k, s, e) for k, ps in PERIODS.items() for s, e in ps])
def test_report_matches_the_independent_computation(key, start, end, city_dbs):
    db, _, summary = imported_city(key, city_dbs[key])
    rows = independent_city(key)
    assert summary["imported"] == int(rows["reason"].isna().sum())
    want = independent_report(rows, start, end)
    store = Store(db, read_only=True)
    try:
        got = report(store, start=start, end=end)
    finally:
        store.close()
    assert got["counts"] == want["counts"]
    assert got["by_department"].keys() == want["by_department"].keys()
    for dept, counts in want["by_department"].items():
        assert got["by_department"][dept] == counts, dept
    assert got["by_cell"].keys() == want["by_cell"].keys()
    for cell, counts in want["by_cell"].items():
        assert got["by_cell"][cell] == counts, cell
    assert sum(v["received"] for v in got["by_cell"].values()) == got["counts"]["received"]


def test_report_command_prints_the_json(city_dbs, capsys):
    db, _, _ = imported_city("la", city_dbs["la"])
    assert main(["report", "--db", str(db), "--from", "2018-12-28", "--to", "2018-12-30", "--format", "json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert set(body) >= {"counts", "by_department", "by_cell"}
    assert list(body["counts"]) == list(COUNTS)
    assert body.pop("merged") == 0                # no duplicates merged in an imported history
    assert body == independent_report(independent_city("la"), "2018-12-28", "2018-12-30") | {"period": body["period"]}
    assert body["period"] == {"from": "2018-12-28 00:00:00", "to": "2018-12-30 00:00:00", "half_open": True}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_report_command_writes_csv_and_excel_with_the_same_counts(fmt, city_dbs, tmp_path):
    import pandas as pd

    db, _, _ = imported_city("la", city_dbs["la"])
    out = tmp_path / f"report.{fmt}"
    assert main(["report", "--db", str(db), "--from", "2018-12-28", "--to", "2018-12-30", "--format", fmt,
                 "--out", str(out)]) == 0
    table = (pd.read_csv(out, dtype={"key": str}, keep_default_na=False, encoding="utf-8-sig") if fmt == "csv"
             else pd.read_excel(out, dtype={"key": str}, keep_default_na=False))
    want = independent_report(independent_city("la"), "2018-12-28", "2018-12-30")
    township = table[table["level"] == "township"].iloc[0]
    assert {c: int(township[c]) for c in COUNTS} == want["counts"]
    departments = table[table["level"] == "department"]
    assert {str(k).lstrip("'"): {c: int(r[c]) for c in COUNTS} for k, r in zip(departments["key"],
            departments.to_dict("records"))} == want["by_department"]
    assert set(table["from"]) == {"2018-12-28 00:00:00"} and set(table["to"]) == {"2018-12-30 00:00:00"}


@pytest.mark.parametrize(("argv", "message"), [
    (["--from", "2018-12-30", "--to", "2018-12-28"], "must come after"),
    (["--from", "28/12/2018", "--to", "2018-12-30"], "YYYY-MM-DD"),
])
def test_report_refuses_a_bad_period_in_one_line(argv, message, city_dbs, capsys):
    db, _, _ = imported_city("la", city_dbs["la"])
    assert main(["report", "--db", str(db), *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


# -- the definitions on hand-made matters ---------------------------------------------------
EDGE_CSV = """id,created,closed,due,dept,status,lat,lon
a,2024-03-01 00:00:00,,,D1,open,,
b,2024-02-28 10:00:00,2024-03-01 00:00:00,2024-03-01 00:00:00,D1,closed,,
c,2024-02-20 10:00:00,2024-03-02 12:00:00,2024-03-02 11:59:59,D2,closed,,
d,2024-03-05 09:00:00,2024-03-08 00:00:00,2024-03-07 00:00:00,D2,closed,,
e,2024-03-05 09:00:00,,2024-03-07 23:59:59,,open,,
f,2024-03-08 00:00:00,,2024-03-01 00:00:00,D1,open,,
g,2024-02-01 00:00:00,,2024-03-08 00:00:00,D1,open,,
h,2024-02-01 00:00:00,2024-02-29 23:59:59,,D1,closed,,
i,2024-03-03 08:00:00,,,D3,void,,
"""
# Period [2024-03-01, 2024-03-08):
#   a received (at the start), open at end, no due.          b closed at the start, on time (= due).
#   c closed in the period one second late.                  d closed at the end: not closed in the period, open at end, overdue.
#   e no department: received, open, overdue (due before the end).   f created at the end: nothing.
#   g old, open, due exactly at the end: not overdue.        h closed before the start: nothing.
#   i voided (no close time): received, not open at the end.


def test_definitions_on_the_edges(tmp_path):
    from layers.matterimport import import_matters

    (tmp_path / "edge.csv").write_text(EDGE_CSV)
    store = Store(tmp_path / "edge.duckdb", create=True)
    try:
        summary = import_matters(store, path=str(tmp_path / "edge.csv"), mapping={
            "columns": {"id": "id", "created_at": "created", "closed_at": "closed", "due_at": "due",
                        "department": "dept", "status": "status", "lat": "lat", "lon": "lon"},
            "status": {"open": "dispatched", "closed": "closed", "void": "voided"}})
        assert summary["imported"] == 9
        got = counts_report(store, datetime(2024, 3, 1), datetime(2024, 3, 8), store.all_village_ids() + [-1])
    finally:
        store.close()
    assert got["counts"] == {"received": 4, "closed": 2, "closed_with_due": 2, "closed_on_time": 1,
                             "open_at_end": 4, "overdue_at_end": 2}
    assert got["by_department"] == {
        "": {"received": 2, "closed": 0, "closed_with_due": 0, "closed_on_time": 0, "open_at_end": 1,
             "overdue_at_end": 1},   # e (no department) and i (voided before dispatch)
        "D1": {"received": 1, "closed": 1, "closed_with_due": 1, "closed_on_time": 1, "open_at_end": 2,
               "overdue_at_end": 0},
        "D2": {"received": 1, "closed": 1, "closed_with_due": 1, "closed_on_time": 0, "open_at_end": 1,
               "overdue_at_end": 1},
    }
    assert got["by_cell"] == {"": got["counts"]}


def test_report_on_the_demo_adds_up(demo_store):
    end = DEMO_AS_OF
    start = end - timedelta(days=30)
    got = counts_report(demo_store, start, end, demo_store.all_village_ids() + [-1])
    assert got["counts"]["received"] > 0 and got["counts"]["closed"] > 0    # a period with data
    for key in ("by_cell", "by_department"):
        for name in COUNTS:
            assert sum(v[name] for v in got[key].values()) == got["counts"][name], (key, name)
    assert got["counts"]["open_at_end"] == demo_store.scalar(
        "SELECT count(*) FROM matters WHERE created_at < ? AND closed_at IS NULL AND voided_at IS NULL", [end])
    assert all(len(code) == 15 for code in got["by_cell"] if code)
    none = counts_report(demo_store, start, end, [])
    assert none["counts"] == {name: 0 for name in COUNTS} and none["by_cell"] == {} and none["by_department"] == {}
