"""The tables of the analysis page (分析研判, ``/analysis``): every assessment indicator
with its numerator, denominator and rule, per group; the department ranking with 环比 and
同比; their notes, AG Grid columns and CSV/Excel exports.

Every ``*_frame`` takes a ``Reader`` and an ``AnalysisView``; rows are plain dicts the
grids show and the exports write.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.export import Column
from dashboard.i18n import pick, plain, t
from dashboard.reader import Reader
from dashboard.views import analysis_filters as af
from dashboard.views.analysis_filters import AnalysisView, series_label
from dashboard.views.common import day_text, number, percent
from queries.analysis_config import AnalysisConfig

INDICATOR_GROUPS = ("township", "department", "village", "source", "major", "category", "cell")


# -- the indicators table --------------------------------------------------------------------------
def indicators_frame(reader: Reader, view: AnalysisView, config: AnalysisConfig, group_by: str) -> pd.DataFrame:
    group_by = group_by if group_by in INDICATOR_GROUPS else "township"
    return reader.run("indicators/by_group", **view.indicator_filters(), now=view.now, group_by=group_by,
                      **config.indicator_params())


def _count_text(value: Any) -> str:
    value = number(value)
    if value is None:
        return ""
    return f"{value:,.0f}" if abs(value - round(value)) < 1e-9 else f"{value:,.1f}"


def indicator_value_text(value: Any, unit: str, lang: str, reason: Any = None) -> str:
    value = number(value)
    if value is None:
        return t("an.ind.not_recorded" if reason == "not_recorded" else "an.ind.no_denominator", lang)
    if unit == "work_hours":
        return t("an.ind.hours", lang, n=f"{value:.1f}")
    return f"{100 * value:.1f}%"


def indicator_rows(frame: pd.DataFrame, config: AnalysisConfig, group_by: str, lang: str) -> list[dict[str, Any]]:
    """One row per group × indicator: the value beside its numerator, denominator and the
    rule of the denominator (DOMAIN.md §7: show them beside each rate)."""
    kind = {"department": "department", "township": "all"}.get(group_by, group_by)
    known = {i.key: i for i in config.indicators}
    rows = []
    for r in frame.to_dict("records"):
        ind = known.get(r["indicator"])
        if ind is None:
            continue
        value = number(r["value"])
        reason = plain(r.get("reason"))
        rows.append({
            "group_key": plain(r["group_key"]),
            "group": series_label(kind, r["group_key"], r["group_name"], r["group_name_en"], lang),
            "indicator_key": ind.key,
            "indicator": pick(ind.name, ind.name_en, lang),
            "value": None if value is None else round(value, 6),
            "value_text": indicator_value_text(value, ind.unit, lang, reason),
            "reason": t(f"an.ind.reason.{reason}", lang) if reason else "",
            "definition": pick(ind.definition, ind.definition_en, lang),
            "unit": t(f"an.unit.{ind.unit}", lang),
            "numerator": round(float(r["numerator"]), 3),
            "denominator": round(float(r["denominator"]), 3),
            "numerator_text": _count_text(r["numerator"]),
            "denominator_text": _count_text(r["denominator"]),
            "rule": ind.denominator_rule,
        })
    return rows


def suggestion_acceptance_row(reader: Reader, view: AnalysisView, lang: str,
                              beside: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """派单建议采纳率: dispatches to the proposed department over dispatches with a proposal,
    in the period and scope (the other filters do not narrow it); "—" without any. A row
    of the township's table: its group as the rows ``beside`` it name the township."""
    params = view.indicator_filters()
    frame = reader.run("dispatch/acceptance", scope=params["scope"], from_day=params["from_day"],
                       to_day=params["to_day"])
    taken, offered = (int(frame["taken"].iloc[0]), int(frame["offered"].iloc[0])) if len(frame) else (0, 0)
    value = taken / offered if offered else None
    return {
        "group_key": beside[0]["group_key"] if beside else "",
        "group": beside[0]["group"] if beside else t("an.ind.accept.group", lang),
        "indicator_key": "suggestion_acceptance",
        "indicator": t("an.ind.accept.name", lang), "value": None if value is None else round(value, 6),
        "value_text": "—" if value is None else f"{100 * value:.1f}%", "unit": t("an.unit.share", lang),
        "numerator": float(taken), "denominator": float(offered), "numerator_text": f"{taken:,}",
        "denominator_text": f"{offered:,}", "rule": t("an.ind.accept.rule", lang),
    }


def indicator_columns(lang: str) -> list[dict[str, Any]]:
    text = {"filter": "agTextColumnFilter", "floatingFilter": True}
    number = {"filter": "agNumberColumnFilter", "type": "rightAligned"}
    return [
        {"headerName": t("an.ind.group", lang), "field": "group", "minWidth": 130, "pinned": "left", **text},
        {"headerName": t("an.ind.indicator", lang), "field": "indicator", "minWidth": 130,
         "tooltipField": "definition", **text},
        {"headerName": t("an.ind.value", lang), "field": "value", "minWidth": 100, "tooltipField": "definition",
         "valueFormatter": {"function": "params.data ? params.data.value_text : ''"}, **number},
        {"headerName": t("an.ind.numerator", lang), "field": "numerator", "minWidth": 90,
         "valueFormatter": {"function": "params.data ? params.data.numerator_text : ''"}, **number},
        {"headerName": t("an.ind.denominator", lang), "field": "denominator", "minWidth": 90,
         "valueFormatter": {"function": "params.data ? params.data.denominator_text : ''"}, **number},
        {"headerName": t("an.ind.rule", lang), "field": "rule", "minWidth": 180, "flex": 1, **text},
        {"headerName": t("an.ind.definition", lang), "field": "definition", "minWidth": 240, "flex": 2,
         "tooltipField": "definition", **text},
    ]


def indicator_export_columns(lang: str) -> list[Column]:
    return [Column("group", t("an.ind.group", lang)), Column("indicator", t("an.ind.indicator", lang)),
            Column("value", t("an.ind.value_raw", lang)), Column("unit", t("an.ind.unit", lang)),
            Column("numerator", t("an.ind.numerator", lang)), Column("denominator", t("an.ind.denominator", lang)),
            Column("rule", t("an.ind.rule", lang)), Column("reason", t("an.ind.reason", lang)),
            Column("definition", t("an.ind.definition", lang))]


# -- the department ranking ---------------------------------------------------------------------------
def ranking_frame(reader: Reader, view: AnalysisView, config: AnalysisConfig) -> pd.DataFrame:
    return reader.run("indicators/department_ranking", **view.indicator_filters(), now=view.now,
                      **config.indicator_params(), **config.score_params())


def _round(value: Any, digits: int = 1) -> float | None:
    value = number(value)
    return None if value is None else round(value, digits)


def _int(value: Any) -> int | None:
    value = number(value)
    return None if value is None else int(value)


def ranking_rows(frame: pd.DataFrame, config: AnalysisConfig, lang: str) -> list[dict[str, Any]]:
    """Departments best first: rank, score, its terms' rates, volume; 环比 and 同比 as the
    previous and last year's score and rank, and the change of score."""
    rows = []
    for r in frame.to_dict("records"):
        terms = {term["indicator"]: term for term in (r["terms"] if r["terms"] is not None else [])}
        row = {"dept_id": int(r["dept_id"]), "dept": pick(r["name"], r["name_en"], lang),
               "rank": _int(r["rank"]), "score": _round(r["score"]), "volume": _int(r["volume"]),
               "volume_score": _round(r["volume_score"]),
               "prev_rank": _int(r["prev_rank"]), "prev_score": _round(r["prev_score"]),
               "mom_change": _round(r["mom_change"]),
               "yoy_rank": _int(r["yoy_rank"]), "yoy_score": _round(r["yoy_score"]),
               "yoy_change": _round(r["yoy_change"])}
        left_out = []
        for term in config.score_terms:
            item = terms.get(term.indicator) or {}
            row[f"term_{term.indicator}"] = _round(item.get("value"), 4)
            row[f"term_{term.indicator}_text"] = percent(item.get("value"))
            if item.get("reason"):
                left_out.append(pick(config.indicator(term.indicator).name,
                                     config.indicator(term.indicator).name_en, lang))
        row["left_out"] = "、".join(left_out) if lang == "zh" else ", ".join(left_out)
        rows.append(row)
    return rows


def ranking_periods(frame: pd.DataFrame) -> dict[str, str]:
    if frame.empty:
        return {}
    first = frame.iloc[0]
    return {"prev": f"[{day_text(first['prev_from'])}, {day_text(_next_day(first['prev_to']))})",
            "yoy": f"[{day_text(first['yoy_from'])}, {day_text(_next_day(first['yoy_to']))})"}


def _next_day(value: Any) -> Any:
    """The first day a period no longer counts: periods read half-open [from, to)."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value) + pd.Timedelta(days=1)


CHANGE_CLASSES = {"change-up": "params.value > 0", "change-down": "params.value < 0"}


def ranking_columns(config: AnalysisConfig, lang: str) -> list[dict[str, Any]]:
    number = {"filter": "agNumberColumnFilter", "type": "rightAligned"}
    signed = {"valueFormatter": {"function": "params.value == null ? '—' : (params.value > 0 ? '+' : '') "
                                             "+ params.value.toFixed(1)"},
              "cellClassRules": CHANGE_CLASSES, **number}
    columns: list[dict[str, Any]] = [
        {"headerName": t("an.rank.rank", lang), "field": "rank", "minWidth": 64, "pinned": "left", **number},
        {"headerName": t("an.rank.dept", lang), "field": "dept", "minWidth": 150, "pinned": "left",
         "filter": "agTextColumnFilter", "tooltipField": "dept"},
        {"headerName": t("an.rank.score", lang), "field": "score", "minWidth": 90,
         "valueFormatter": {"function": "params.value == null ? '—' : params.value.toFixed(1)"}, **number},
    ]
    for term in config.score_terms:
        ind = config.indicator(term.indicator)
        columns.append({"headerName": pick(ind.name, ind.name_en, lang), "field": f"term_{term.indicator}",
                        "minWidth": 100,
                        "valueFormatter": {"function": f"params.data ? params.data['term_{term.indicator}_text'] : ''"},
                        "headerTooltip": t("an.rank.weight", lang, weight=f"{term.weight:g}") + " · "
                        + pick(ind.definition, ind.definition_en, lang), **number})
    columns += [
        {"headerName": t("an.rank.left_out", lang), "field": "left_out", "minWidth": 120,
         "headerTooltip": t("an.rank.left_out_help", lang), "tooltipField": "left_out"},
        {"headerName": t("an.rank.volume", lang), "field": "volume", "minWidth": 80, **number},
        {"headerName": t("an.rank.prev_score", lang), "field": "prev_score", "minWidth": 90,
         "valueFormatter": {"function": "params.value == null ? '—' : params.value.toFixed(1)"}, **number},
        {"headerName": t("an.rank.mom", lang), "field": "mom_change", "minWidth": 80, **signed},
        {"headerName": t("an.rank.yoy_score", lang), "field": "yoy_score", "minWidth": 90,
         "valueFormatter": {"function": "params.value == null ? '—' : params.value.toFixed(1)"}, **number},
        {"headerName": t("an.rank.yoy", lang), "field": "yoy_change", "minWidth": 80, **signed},
        {"headerName": t("an.rank.prev_rank", lang), "field": "prev_rank", "minWidth": 80, **number},
        {"headerName": t("an.rank.yoy_rank", lang), "field": "yoy_rank", "minWidth": 80, **number},
    ]
    return columns


def ranking_export_columns(config: AnalysisConfig, lang: str) -> list[Column]:
    columns = [Column("rank", t("an.rank.rank", lang)), Column("dept", t("an.rank.dept", lang)),
               Column("score", t("an.rank.score", lang))]
    columns += [Column(f"term_{term.indicator}", pick(config.indicator(term.indicator).name,
                                                      config.indicator(term.indicator).name_en, lang))
                for term in config.score_terms]
    columns += [Column("left_out", t("an.rank.left_out", lang)),
                Column("volume", t("an.rank.volume", lang)), Column("volume_score", t("an.rank.volume_score", lang)),
                Column("prev_rank", t("an.rank.prev_rank", lang)), Column("prev_score", t("an.rank.prev_score", lang)),
                Column("mom_change", t("an.rank.mom", lang)), Column("yoy_rank", t("an.rank.yoy_rank", lang)),
                Column("yoy_score", t("an.rank.yoy_score", lang)), Column("yoy_change", t("an.rank.yoy", lang))]
    return columns


# -- exports --------------------------------------------------------------------------------------------
EXPORT_TABLES = ("indicators", "ranking")


def export_table(reader: Reader, view: AnalysisView, config: AnalysisConfig, table: str, lang: str, *,
                 group_by: str = "township") -> tuple[list[Column], list[dict[str, Any]], str]:
    """(columns, rows, file stem) of a table as the page shows it now."""
    period = f"{view.filters.from_day:%Y%m%d}-{af.period_end(view.filters):%Y%m%d}"   # [from, to)
    if table == "indicators":
        rows = indicator_rows(indicators_frame(reader, view, config, group_by), config, group_by, lang)
        if group_by == "township":
            rows.append(suggestion_acceptance_row(reader, view, lang, rows))
        return indicator_export_columns(lang), rows, f"indicators-{group_by}-{period}"
    if table == "ranking":
        rows = ranking_rows(ranking_frame(reader, view, config), config, lang)
        return ranking_export_columns(config, lang), rows, f"department-ranking-{period}"
    raise ValueError(f"no table {table!r}")


def week_hour_note(selection: dict | None, lang: str) -> str | None:
    """The indicator tables count by day: an hour-of-week click cannot narrow them."""
    return t("an.ind.week_hour_note", lang) if af.selected(selection, "week_hour") is not None else None


def ranking_note(frame: pd.DataFrame, selection: dict | None, lang: str) -> str:
    """Which periods 环比 and 同比 compare with (and the hour-of-week caveat)."""
    periods = ranking_periods(frame)
    parts = [t("an.rank.periods", lang, prev=periods["prev"], yoy=periods["yoy"])] if periods else []
    parts.append(t("an.rank.left_out_help", lang))
    note = week_hour_note(selection, lang)
    if note:
        parts.append(note)
    return " · ".join(parts)
