"""The HTTP API of analysis and warning (分析研判, 预测预警), for the higher-level center and
big screens:

``GET /api/v1/indicators?from=YYYY-MM-DD&to=YYYY-MM-DD&by=department|village|source|category``
    every indicator of DOMAIN.md §7 per group, each with numerator and denominator and the
    rule of its denominator (also ``by=cell|major|township``); a value without data is
    ``null`` with its ``reason`` (``no_denominator`` or ``not_recorded``), never 0;

Periods are half-open, as everywhere in the product: ``from`` is the first day counted,
``to`` the first day not counted (June is ``from=2015-06-01&to=2015-07-01``);
``GET /api/v1/indicators/ranking?from=…&to=…``
    the departments by the weighted score 综合指标值, with 环比 and 同比;
``GET /api/v1/warnings[?method=…&severity=…]``
    the active warnings (refreshed first when stale), with method, observed, expected,
    threshold, window, the scope they concern and a drill-down link;
``POST /api/v1/warnings/<key>/ack`` with ``{"note": "…"}`` (who acknowledges is the signed-in user)
    acknowledges one (an event: who and when).

Invalid input answers 422 with every field error, an unknown warning 404, in the one
shape of ``dashboard.http.replies``.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from flask import Blueprint

from dashboard import auditing, clock
from dashboard.context import actor_name, app_context, current_user, viewer_scope
from dashboard.http.contract import endpoint
from dashboard.http.models import (
    Acknowledged,
    IndicatorQuery,
    Indicators,
    Period,
    Ranking,
    WarningFilters,
    Warnings,
)
from dashboard.http.replies import (
    answer_errors,
    echo,
    period_problems,
    plain,
    raise_if,
    read_json_object,
    records,
    reply,
)
from dashboard.views.analysis_filters import drilldown_link
from queries.analysis_config import load_analysis_config
from queries.bodies import Acknowledgement
from queries.contract import check_fields
from queries.permissions import require
from queries.store import StoreError
from queries.warnings import WarningNotFound, acknowledge_warning, refresh_if_stale

log = logging.getLogger(__name__)
blueprint = answer_errors(Blueprint("api_analysis", __name__))

MAX_SPAN_DAYS = 3 * 366


def _context():
    reader = app_context().reader
    settings = app_context().settings
    return reader, settings, load_analysis_config()


def _no_filters() -> dict[str, Any]:
    return {"villages": None, "sources": None, "majors": None, "depts": None, "cell_ids": None,
            "category_ids": None}


REASONS = {
    "no_denominator": "no matter in the denominator in this period",
    "not_recorded": "not recorded: the matters are imported and their export carries no such field",
}


def half_open_problems(start: date, end: date) -> list[dict[str, Any]]:
    """What is wrong with a half-open period [from, to): from < to, at most MAX_SPAN_DAYS days."""
    if start == end:
        return [{"field": "to", "problem": "the period [from, to) is empty: to must come after from",
                 "value": end.isoformat()}]
    return period_problems(start, end, MAX_SPAN_DAYS + 1)


def last_day(end: date) -> date:
    """The last day a half-open period [from, end) counts: what the day-grained queries take."""
    return end - timedelta(days=1)


def definition(ind) -> dict[str, Any]:
    return {"key": ind.key, "name": ind.name, "name_en": ind.name_en, "unit": ind.unit,
            "denominator_rule": ind.denominator_rule, "numerator": ind.numerator,
            "denominator": ind.denominator, "definition": ind.definition,
            "definition_en": ind.definition_en, "needs": ind.needs}


def indicators_body(reader, config, *, start: date, end: date, by: str, scope: list[int],
                    now: datetime) -> dict[str, Any]:
    frame = reader.run("indicators/by_group", scope=scope, **_no_filters(), from_day=start,
                       to_day=last_day(end), now=now, group_by=by, **config.indicator_params())
    groups: dict[str, dict[str, Any]] = {}
    for row in frame.to_dict("records"):
        group = groups.setdefault(row["group_key"], {"key": row["group_key"],
                                                     "name": plain(row["group_name"]),
                                                     "name_en": plain(row["group_name_en"]),
                                                     "indicators": {}})
        reason = plain(row["reason"])
        group["indicators"][row["indicator"]] = {"value": plain(row["value"]),
                                                 "numerator": plain(row["numerator"]),
                                                 "denominator": plain(row["denominator"]),
                                                 "reason": reason and {"code": reason, "text": REASONS[reason]}}
    return {
        "from": start.isoformat(), "to": end.isoformat(), "half_open": True, "by": by, "as_of": now.isoformat(),
        "indicators": [definition(i) for i in config.indicators],
        "groups": list(groups.values()),
    }


@endpoint(blueprint, "GET", "/api/v1/indicators", summary="every 考核评价 indicator of a half-open period [from, to) "
          "per group", query=IndicatorQuery, response=Indicators, errors=(422,))
def indicators(args: IndicatorQuery):
    raise_if(half_open_problems(args.start, args.end))
    start, end, by = args.start, args.end, args.by
    reader, _, config = _context()
    return reply(indicators_body(reader, config, start=start, end=end, by=by,
                                 scope=viewer_scope(), now=clock.now()))


@endpoint(blueprint, "GET", "/api/v1/indicators/ranking", summary="the department ranking (综合指标值) of a "
          "half-open period [from, to)", query=Period, response=Ranking, errors=(422,))
def ranking(args: Period):
    raise_if(half_open_problems(args.start, args.end))
    start, end = args.start, args.end
    reader, _, config = _context()
    now = clock.now()
    frame = reader.run("indicators/department_ranking", scope=viewer_scope(), **_no_filters(),
                       from_day=start, to_day=last_day(end), now=now, **config.indicator_params(),
                       **config.score_params())
    departments = records(frame)
    for dept in departments:   # the compared periods, half-open like the asked one
        for name in ("prev_to", "yoy_to"):
            if dept.get(name):
                dept[name] = (date.fromisoformat(str(dept[name])[:10]) + timedelta(days=1)).isoformat()
        left_out = [term["indicator"] for term in dept.get("terms") or [] if term.get("reason")]
        dept["left_out"] = left_out
        if dept.get("score") is None:
            dept["no_score_reason"] = "no term of the score has data in this period"
    return reply({"from": start.isoformat(), "to": end.isoformat(), "half_open": True, "as_of": now.isoformat(),
                  "score_terms": [{"indicator": t.indicator, "weight": t.weight, "inverted": t.inverted}
                                  for t in config.score_terms],
                  "score_rule": "terms without data (reason no_denominator or not_recorded) are left out "
                                "and the others scaled up to the full weight (left_out lists them)",
                  "indicators": [definition(config.indicator(t.indicator)) for t in config.score_terms],
                  "volume_measure": config.volume_measure, "volume_points": config.volume_points,
                  "departments": departments})


def warning_item(row: dict[str, Any]) -> dict[str, Any]:
    row = {k: plain(v) for k, v in row.items()}
    return {
        "key": row["warning_key"], "method": row["method"], "severity": row["severity"],
        "scope": {"level": row["scope_level"], "village_id": row["village_id"], "village_name": row["village_name"],
                  "cell_id": row["cell_id"], "cell_code": row["cell_code"], "cell_name": row["cell_name"],
                  "dept_id": row["dept_id"], "dept_name": row["dept_name"], "dept_name_en": row["dept_name_en"],
                  "major_code": row["major_code"], "major_name": row["major_name"],
                  "major_name_en": row["major_name_en"], "category_id": row["category_id"],
                  "category_name": row["category_name"], "category_name_en": row["category_name_en"],
                  "matter_id": row["matter_id"], "address": row["address"]},
        "observed": row["observed"], "expected": row["expected"], "threshold": row["threshold"],
        "statistic": row["statistic"],
        "window": {"start": row["window_start"], "end": row["window_end"]},
        "first_seen": row["first_seen"], "last_seen": row["last_seen"],
        "acknowledged": ({"by": row["acknowledged_by"], "at": row["acknowledged_at"]}
                         if row["acknowledged_by"] else None),
        "drilldown": drilldown_link(row),
    }


@endpoint(blueprint, "GET", "/api/v1/warnings", summary="the active warnings", query=WarningFilters,
          response=Warnings, errors=(422,))
def warnings(args: WarningFilters):
    methods, severities = args.method, args.severity
    reader, settings, config = _context()
    store = app_context().store
    now = clock.now()
    try:
        refresh_if_stale(store, now, config=config, yellow_share=settings.yellow_fraction)
    except StoreError as exc:   # a read-only deployment lists what its writer stored
        log.warning("warnings not refreshed: %s", exc)
    frame = reader.run("warnings/active", scope=viewer_scope(), methods=methods, severities=severities)
    refreshed = store.meta("warnings_refreshed_at")
    return reply({"as_of": now.isoformat(), "refreshed_at": refreshed,
                  "warnings": [warning_item(r) for r in frame.to_dict("records")]})


@endpoint(blueprint, "POST", "/api/v1/warnings/<path:key>/ack", summary="acknowledge a warning",
          body=Acknowledgement, response=Acknowledged, errors=(404, 413, 422, 503),
          path={"key": {"type": "string", "minLength": 1}})
def acknowledge(key: str):
    require(current_user(), "acknowledge")
    body = read_json_object()
    clean, errors = check_fields(Acknowledgement, body, ignore=frozenset({"actor"}))
    if "actor" in body:
        errors.append({"field": "actor", "problem": "actor comes from the login", "value": echo(body["actor"])})
    raise_if(errors)
    note = clean["note"]
    try:
        result = acknowledge_warning(app_context().store, key, actor=actor_name(), note=note,
                                     now=clock.now(), by=current_user(), scope=viewer_scope())
    except WarningNotFound:
        auditing.note("action", target=f"warning {key[:200]}", outcome="failed", detail="acknowledge: 404")
        raise WarningNotFound(f"no active warning {key[:200]!r}") from None
    auditing.note("action", target=f"warning {key[:200]}", detail="acknowledge")
    return reply(result)

