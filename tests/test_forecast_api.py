"""The forecast in the product (预测): ``GET /api/v1/forecasts?by=major|village`` and the
warnings page's forecast panel show the same series, each with the last 8 weeks, the next
14 days inside their prediction intervals, and the backtest's MASE and MAPE beside seasonal
naive's; scoped to the viewer; invalid input is 422 in the one error shape."""
from __future__ import annotations

import sys
from contextvars import copy_context

import dash
import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict

from dashboard.components.ids import warnings as ids
from queries import accounts
from tests.servers import client_with

SCOPED = "fc-village-analyst"


@pytest.fixture(scope="module")
def scoped_token(writable_app):
    _, store = writable_app
    code = sorted(store.run("accounts/village_codes")["code"])[0]
    accounts.add_user(store, name=SCOPED, role="analyst", password="analyst-password-1234", scope=[code])
    return accounts.new_token(store, name=SCOPED)["token"], code


def test_forecasts_by_major_with_history_intervals_and_backtest(writable_app):
    app, _ = writable_app
    answer = app.server.test_client().get("/api/v1/forecasts?by=major")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["by"] == "major" and body["horizon_days"] == 14 and len(body["series"]) >= 5
    for series in body["series"]:
        assert series["level"] == "major" and series["name"]
        assert len(series["history"]) == 56 and len(series["forecast"]) == 14
        days = [p["day"] for p in series["forecast"]]
        assert days == sorted(days) and days[0] > series["history"][-1]["day"]
        for p in series["forecast"]:
            assert 0 <= p["lo95"] <= p["lo80"] <= p["forecast"] <= p["hi80"] <= p["hi95"]
        backtest = series["backtest"]
        assert set(backtest) == {"mae", "mase", "mape", "naive_mae", "naive_mase", "naive_mape", "backtest_points"}
        assert backtest["backtest_points"] > 0 and backtest["mase"] is not None and backtest["naive_mase"] is not None
    # the township as a whole beats seasonal naive on the demo (as the query's own test shows on known series)
    whole = app.server.test_client().get("/api/v1/forecasts?by=township").get_json()["series"][0]
    assert whole["backtest"]["mase"] < whole["backtest"]["naive_mase"]
    assert sum(p["received"] for p in whole["history"]) > 0


def test_forecasts_by_village_follow_the_viewer_scope(writable_app, scoped_token):
    app, _ = writable_app
    token, code = scoped_token
    everyone = app.server.test_client().get("/api/v1/forecasts?by=village").get_json()["series"]
    mine = client_with(app.server, token).get("/api/v1/forecasts?by=village").get_json()["series"]
    assert len(everyone) > 1 and len(mine) == 1
    assert mine[0]["key"] in {s["key"] for s in everyone}
    english = app.server.test_client().get("/api/v1/forecasts?by=major&lang=en").get_json()["series"]
    assert all(s["name"].isascii() for s in english)


@pytest.mark.parametrize("query, field", [("by=cell", "by"), ("by=major&lang=fr", "lang"), ("colour=red", "colour")])
def test_bad_arguments_answer_422_with_the_field(writable_app, query, field):
    app, _ = writable_app
    answer = app.server.test_client().get(f"/api/v1/forecasts?{query}")
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["status"] == 422 and [e["field"] for e in body["errors"]] == [field]


def _call(app, fn, *args):
    def run():
        context_value.set(AttributeDict(inputs_list=[], outputs_list=[], states_list=[], triggered_inputs=[]))
        with app.server.test_request_context("/_dash-update-component", method="POST"):
            from dashboard.context import use_user
            use_user(accounts.user_named(app.server.extensions["township"].store, "test-admin"))
            return fn(*args)
    return copy_context().run(run)


def _texts(node) -> str:
    if isinstance(node, (list, tuple)):
        return " ".join(_texts(n) for n in node)
    if hasattr(node, "children"):
        return _texts(node.children)
    return "" if node is None else str(node)


def test_the_warnings_page_shows_the_fan_chart_and_the_backtest_beside_seasonal_naive(writable_app):
    app, _ = writable_app
    app.server.test_client().get("/warnings")                # Dash registers its pages on first use
    module = sys.modules[dash.page_registry["pages.warnings"]["module"]]
    with app.server.test_request_context("/warnings"):
        tree = str(module.layout(lang="zh").to_plotly_json())
    assert ids.WN_FC_CHART in tree and "受理量预测" in tree
    panel = sys.modules["dashboard.pages.warnings_forecast"]
    api = app.server.test_client().get("/api/v1/forecasts?by=village").get_json()["series"]
    assert _call(app, panel.list_series, "village", "", None, None, "zh") == (dash.no_update,) * 3
    tick = {"version": 1, "as_of": "2026-11-18T10:30:00"}
    options, value, table = _call(app, panel.list_series, "village", "", tick, None, "zh")
    assert [o["value"] for o in options] == [s["key"] for s in api] and value == api[0]["key"]
    assert "季节朴素 MASE" in _texts(table) and api[0]["name"] in _texts(table)
    figure, accuracy, alt = _call(app, panel.draw_series, value, "village", "zh")
    names = [trace.name for trace in figure.data]
    assert {"实收", "预测", "季节朴素", "80% 区间", "95% 区间"} <= set(names)
    forecast = next(tr for tr in figure.data if tr.name == "预测")
    assert list(forecast.y) == [p["forecast"] for p in api[0]["forecast"]]
    assert f"MASE {api[0]['backtest']['mase']:.2f}" in accuracy and "季节朴素 MASE" in accuracy
    assert alt.startswith(api[0]["name"])
