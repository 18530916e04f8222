"""``GET /api/v1/forecasts?by=major|village[&lang=zh|en]``: the forecast the product shows
(DOMAIN.md §8) as data. Per series (each 大类, or each village in the viewer's scope): the
last 8 weeks received per day, the next ``horizon_days`` days' forecast with its 80 % and
95 % prediction intervals and seasonal naive beside it, and the rolling-origin backtest of
both (MAE, MASE, MAPE, the number of backtest points). ``by=township`` gives the whole
township's one series. Invalid input answers 422 in the one error shape."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from dashboard import clock
from dashboard.context import app_context, viewer_scope
from dashboard.http.replies import answer_errors, raise_if, reply, unknown_args
from dashboard.i18n import LANGUAGES
from dashboard.views import forecast as fc
from queries.analysis_config import load_analysis_config

blueprint = answer_errors(Blueprint("api_forecasts", __name__))


@blueprint.get("/api/v1/forecasts")
def forecasts():
    errors: list[dict[str, Any]] = []
    unknown_args(errors, {"by", "lang"})
    by = request.args.get("by", "major")
    if by not in fc.LEVELS:
        errors.append({"field": "by", "problem": f"one of {', '.join(fc.LEVELS)}", "value": by[:40]})
    lang = request.args.get("lang", app_context().settings.language)
    if lang not in LANGUAGES:
        errors.append({"field": "lang", "problem": f"one of {', '.join(LANGUAGES)}", "value": lang[:40]})
    raise_if(errors)
    config = load_analysis_config()
    now = clock.now()
    series = fc.series_list(app_context().reader, viewer_scope(), now, config, by, lang)
    return reply(fc.api_body(series, by=by, now=now, config=config))
