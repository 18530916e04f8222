"""On the real Boston and Los Angeles exports: every indicator the analysis page and the
API show is either equal to an independent pandas computation of its stated definition or
null ("—") with its reason; and the indicators API and the counts report agree on the same
half-open period [from, to)."""
from __future__ import annotations

import pandas as pd
import pytest
from flask import Flask

from queries.analysis_config import load_analysis_config
from queries.report import report
from queries.store import Store
from tests.importdata import CITIES, imported_city, independent_city

CONFIG = load_analysis_config()
PERIODS = {"boston": [("2015-06-01", "2015-07-01"), ("2015-07-01", "2015-08-01"), ("2015-01-01", "2016-01-01")],
           "la": [("2018-12-27", "2019-01-01"), ("2018-12-28", "2018-12-29")]}
CASES = [(k, s, e) for k, ps in PERIODS.items() for s, e in ps]


@pytest.fixture(scope="module")
def city_dbs(tmp_path_factory):
    return tmp_path_factory.mktemp("cities-ind")


def api_client(store):
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


@pytest.fixture(scope="module")
def clients(city_dbs):
    out, stores = {}, []
    for key in CITIES:
        db, _, _ = imported_city(key, city_dbs)
        store = Store(db)
        stores.append(store)
        out[key] = (store, api_client(store))
    yield out
    for store in stores:
        store.close()


def independent_indicators(rows: pd.DataFrame, start: str, end: str) -> dict[str, tuple[int, int]]:
    """The definitions as the page states them, over the accepted rows, counted by day."""
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    m = rows[rows["reason"].isna()]
    due_day = m["due"].dt.normalize()
    closed_day = m["closed"].dt.normalize()
    due_in = (due_day >= s) & (due_day < e)
    closed_in = (closed_day >= s) & (closed_day < e) & m["due"].notna()
    on_time = m["closed"].notna() & (m["closed"] <= m["due"])
    return {"closure_rate": (int((due_in & m["closed"].notna()).sum()), int(due_in.sum())),
            "on_time_closure_rate": (int((due_in & on_time).sum()), int(due_in.sum())),
            "timely_completion_rate": (int((closed_in & on_time).sum()), int(closed_in.sum()))}


@pytest.mark.parametrize(("key", "start", "end"), CASES)
def test_every_indicator_is_its_definition_or_null_with_a_reason(key, start, end, clients):
    _, client = clients[key]
    body = client.get(f"/api/v1/indicators?from={start}&to={end}&by=township").get_json()
    assert body["half_open"] is True
    got = body["groups"][0]["indicators"] if body["groups"] else {}
    want = independent_indicators(independent_city(key), start, end)
    for ind in CONFIG.indicators:
        item = got[ind.key]
        if ind.key in want:
            num, den = want[ind.key]
            assert (item["numerator"], item["denominator"]) == (num, den), ind.key
            if den:
                assert item["value"] == pytest.approx(num / den) and item["reason"] is None, ind.key
            else:
                assert item["value"] is None and item["reason"]["code"] == "no_denominator", ind.key
        else:   # imported matters never recorded what these count: never a silent 0 %
            assert item["value"] is None and item["reason"]["code"] == "not_recorded", ind.key


@pytest.mark.parametrize(("key", "start", "end"), CASES)
def test_the_indicators_api_and_the_report_agree_on_the_period(key, start, end, clients):
    store, client = clients[key]
    counts = report(store, start=start, end=end)
    township = client.get(f"/api/v1/indicators?from={start}&to={end}&by=township").get_json()["groups"]
    item = township[0]["indicators"]["timely_completion_rate"] if township else {"numerator": 0, "denominator": 0}
    assert (item["numerator"], item["denominator"]) == (counts["counts"]["closed_on_time"],
                                                         counts["counts"]["closed_with_due"])
    by_dept = client.get(f"/api/v1/indicators?from={start}&to={end}&by=department").get_json()["groups"]
    api = {(g["name"] or ""): g["indicators"]["timely_completion_rate"] for g in by_dept}
    for dept, c in counts["by_department"].items():
        item = api.get(dept, {"numerator": 0, "denominator": 0})
        assert (item["numerator"], item["denominator"]) == (c["closed_on_time"], c["closed_with_due"]), dept


def test_a_whole_month_counts_neither_day_after(clients):
    """from=2015-06-01&to=2015-07-01 is June: July 1 is not counted."""
    _, client = clients["boston"]
    june = client.get("/api/v1/indicators?from=2015-06-01&to=2015-07-01&by=township").get_json()
    first_of_july = client.get("/api/v1/indicators?from=2015-07-01&to=2015-07-02&by=township").get_json()
    june_and_day = client.get("/api/v1/indicators?from=2015-06-01&to=2015-07-02&by=township").get_json()

    def closed(body):
        return body["groups"][0]["indicators"]["timely_completion_rate"]["denominator"]
    assert closed(june) + closed(first_of_july) == closed(june_and_day)
    assert closed(first_of_july) > 0
