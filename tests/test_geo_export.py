"""The GeoJSON export of cells and villages with their counts over a half-open period: on
the real Boston export its counts equal the counts report's, every feature has its polygon,
and a village without a stored outline gets the union of its cells."""
from __future__ import annotations

import json
from datetime import datetime

import pytest
import shapely
from analysis_fixtures import insert_matters, matter_row, new_township
from flask import Flask

from queries.report import COUNTS, report
from queries.store import Store
from tests.importdata import imported_city


def client_of(store):
    from dashboard import auth
    from dashboard.context import AppContext
    from dashboard.http import geo_export
    from dashboard.reader import Reader
    from queries.settings import load_settings
    from tests.servers import admin_token_of, client_with

    app = Flask(__name__)
    AppContext(settings=load_settings({}), store=store, reader=Reader(store)).install(app)
    auth.install(app)
    app.register_blueprint(geo_export.blueprint)
    return client_with(app, admin_token_of(store))


@pytest.fixture(scope="module")
def boston(tmp_path_factory):
    db, _, _ = imported_city("boston", tmp_path_factory.mktemp("geo"))
    store = Store(db)
    yield store, client_of(store)
    store.close()


def test_cells_carry_the_reports_counts(boston):
    store, client = boston
    r = client.get("/api/v1/areas.geojson?level=cell&from=2015-06-01&to=2015-07-01")
    assert r.status_code == 200 and r.mimetype == "application/geo+json"
    assert "attachment" in r.headers["Content-Disposition"]
    body = r.get_json()
    assert body["period"] == {"from": "2015-06-01", "to": "2015-07-01", "half_open": True}
    want = report(store, start="2015-06-01", end="2015-07-01")
    features = {f["properties"]["code"]: f for f in body["features"]}
    for code, counts in want["by_cell"].items():
        if code:
            assert {c: features[code]["properties"][c] for c in COUNTS} == counts, code
    quiet = [f for code, f in features.items() if code not in want["by_cell"]]
    assert all(f["properties"]["received"] == 0 for f in quiet)
    assert all(shapely.from_geojson(json.dumps(f["geometry"])).area > 0 for f in body["features"])


def test_villages_add_up_to_their_cells(boston):
    _, client = boston
    cells = client.get("/api/v1/areas.geojson?level=cell&from=2015-06-01&to=2015-07-01").get_json()["features"]
    villages = client.get("/api/v1/areas.geojson?level=village&from=2015-06-01&to=2015-07-01").get_json()["features"]
    assert villages and all(v["geometry"] for v in villages)
    for count in COUNTS:
        assert sum(v["properties"][count] for v in villages) == sum(c["properties"][count] for c in cells)


def test_bad_level_and_empty_period_are_field_errors(boston):
    _, client = boston
    r = client.get("/api/v1/areas.geojson?level=street&from=2015-06-01&to=2015-06-01")
    assert r.status_code == 422 and {e["field"] for e in r.get_json()["errors"]} == {"level", "to"}


def test_a_village_without_an_outline_is_the_union_of_its_cells(tmp_path):
    store = new_township(tmp_path / "t.duckdb", rows=2, cols=2)      # the village has no stored geometry
    insert_matters(store, [matter_row(1, datetime(2025, 3, 3, 9), cell_id=1001, closed_at=datetime(2025, 3, 3, 15)),
                           matter_row(2, datetime(2025, 3, 4, 9), cell_id=1002, closed_at=None, status="dispatched")])
    body = client_of(store).get("/api/v1/areas.geojson?level=village&from=2025-03-01&to=2025-04-01").get_json()
    (village,) = body["features"]
    assert village["properties"]["received"] == 2 and village["properties"]["open_at_end"] == 1
    area = shapely.from_geojson(json.dumps(village["geometry"])).area
    assert area == pytest.approx(4 * 0.005 ** 2, rel=1e-3)
    store.close()


def test_the_overview_offers_both_downloads_for_the_last_30_days():
    from datetime import date

    from dashboard.views.geo_export import geojson_href, last_days_period

    start, end = last_days_period(date(2026, 3, 1))
    assert (start, end) == (date(2026, 1, 31), date(2026, 3, 2))          # 30 days, to excluded
    assert geojson_href("village", start, end) == "/api/v1/areas.geojson?level=village&from=2026-01-31&to=2026-03-02"
