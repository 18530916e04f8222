"""``GET /api/v1/forecasts?by=major|village[&lang=zh|en]``: the forecast the product shows
(DOMAIN.md §8) as data. Per series (each 大类, or each village in the viewer's scope): the
last 8 weeks received per day, the next ``horizon_days`` days' forecast with its 80 % and
95 % prediction intervals and seasonal naive beside it, and the rolling-origin backtest of
both (MAE, MASE, MAPE, the number of backtest points). ``by=township`` gives the whole
township's one series. Invalid input answers 422 in the one error shape."""
from __future__ import annotations

from flask import Blueprint

from dashboard import clock
from dashboard.context import app_context, viewer_scope
from dashboard.http.contract import endpoint
from dashboard.http.models import ForecastQuery, Forecasts
from dashboard.http.replies import answer_errors, reply
from dashboard.views import forecast as fc
from queries.analysis_config import load_analysis_config

blueprint = answer_errors(Blueprint("api_forecasts", __name__))


@endpoint(blueprint, "GET", "/api/v1/forecasts", summary="the next 14 days' forecast per 大类, village or the "
          "township, with the last 8 weeks and the backtest", query=ForecastQuery, response=Forecasts,
          errors=(422,))
def forecasts(args: ForecastQuery):
    by, lang = args.by, args.lang or app_context().settings.language
    config = load_analysis_config()
    now = clock.now()
    series = fc.series_list(app_context().reader, viewer_scope(), now, config, by, lang)
    return reply(fc.api_body(series, by=by, now=now, config=config))
