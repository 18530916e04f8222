"""The forecast as the product shows it (预测): per 大类 and per village the next days'
counts with their prediction intervals beside the last weeks that arrived, and the
backtest's MASE and MAPE beside the seasonal-naive forecast's.

The numbers come from ``forecast/next_days`` (the model, its intervals and its rolling-
origin backtest) and ``analysis/trend`` (what arrived, per day); both scoped by the
caller's ``scope``. Pure functions of a ``Reader``; the fan chart is a Plotly figure, the
API body plain data. Used by the warnings page, the big screen, the briefing and
``GET /api/v1/forecasts``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.i18n import pick, t
from dashboard.reader import Reader
from dashboard.views.analysis_filters import AnalysisFilters, AnalysisView, cohort_params
from dashboard.views.common import empty_figure, number
from queries.analysis_config import AnalysisConfig

LEVELS = ("major", "village", "township")
HISTORY_WEEKS = 8
FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif'
# Blue and orange (the Okabe–Ito pair): told apart with any colour vision, and the history
# is a solid line, the forecast dashed, seasonal naive dotted, so print in grey reads too.
COLOURS = {"history": "#0072b2", "forecast": "#d55e00", "naive": "#6b7785",
           "band80": "rgba(213,94,0,0.30)", "band95": "rgba(213,94,0,0.14)"}
DARK_COLOURS = {"history": "#56b4e9", "forecast": "#e69f00", "naive": "#9aa8b6",
                "band80": "rgba(230,159,0,0.38)", "band95": "rgba(230,159,0,0.18)"}


@dataclass(frozen=True)
class Series:
    """One forecast series: its key and name, the days ahead and the backtest."""
    level: str
    key: str
    name: str
    points: list[dict[str, Any]]           # day, horizon, forecast, lo80, hi80, lo95, hi95, seasonal_naive
    accuracy: dict[str, Any]               # mae, mase, mape, naive_mae, naive_mase, naive_mape, backtest_points
    history: list[dict[str, Any]]          # day, received


def forecast_frame(reader: Reader, scope: list[int], now: datetime, config: AnalysisConfig,
                   horizon_days: int | None = None) -> pd.DataFrame:
    params = dict(config.forecast)
    if horizon_days is not None:
        params["horizon_days"] = int(horizon_days)
    return reader.run("forecast/next_days", scope=list(scope), now=now, **params)


def history_frame(reader: Reader, scope: list[int], today: date, breakdown: str, days: int) -> pd.DataFrame:
    """Matters received per day of the ``days`` complete days before ``today``."""
    view = AnalysisView(tuple(scope), AnalysisFilters(today - timedelta(days=days), today - timedelta(days=1)),
                        datetime.combine(today, datetime.min.time()))
    params = cohort_params(view.scope, view.filters, None)
    return reader.run("analysis/trend", **params, grain="day", breakdown=breakdown)


def _name(level: str, key: str, name: Any, name_en: Any, lang: str) -> str:
    if level == "township":
        return t("wn.fc.township", lang)
    text = pick(name if isinstance(name, str) else "", name_en if isinstance(name_en, str) else "", lang)
    return text or key


def _day(value: Any) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _round(value: Any, digits: int = 2) -> float | None:
    value = number(value)
    return None if value is None else round(value, digits)


def series_list(reader: Reader, scope: list[int], now: datetime, config: AnalysisConfig, level: str, lang: str,
                *, horizon_days: int | None = None, history_days: int = 7 * HISTORY_WEEKS) -> list[Series]:
    """Every series of ``level`` (major, village or township), in the query's order."""
    # The forecast starts from today's date alone: binding the day (not the second) lets every
    # panel and request of the same day and data version share one cached answer.
    day = datetime.combine(now.date(), datetime.min.time())
    frame = forecast_frame(reader, scope, day, config, horizon_days)
    frame = frame[frame["level"] == level]
    breakdown = {"major": "major", "village": "village", "township": "none"}[level]
    history = history_frame(reader, scope, now.date(), breakdown, history_days)
    by_key: dict[str, dict[str, int]] = {}
    for key, day, received in zip(history["series_key"], history["period"], history["received"]):
        by_key.setdefault(str(key), {})[_day(day)] = int(received)
    days = [_day(now.date() - timedelta(days=d)) for d in range(history_days, 0, -1)]
    out = []
    for key, rows in frame.groupby("series_key", sort=False):
        first = rows.iloc[0]
        points = [{"day": _day(r["day"]), "horizon": int(r["horizon"]),
                   **{name: _round(r[name]) for name in ("forecast", "lo80", "hi80", "lo95", "hi95")},
                   "seasonal_naive": _round(r["seasonal_naive"])} for r in rows.to_dict("records")]
        accuracy = {name: _round(first[name], 3) for name in ("mae", "mase", "mape", "naive_mae", "naive_mase",
                                                              "naive_mape")}
        accuracy["backtest_points"] = int(first["backtest_points"] or 0)
        series_key = "all" if level == "township" else str(key)
        got = by_key.get(series_key, {})
        out.append(Series(level, str(key), _name(level, str(key), first["series_name"], first["series_name_en"], lang),
                          points, accuracy, [{"day": d, "received": got.get(d, 0)} for d in days]))
    return out


# -- text ------------------------------------------------------------------------------------
def _ratio(value: Any) -> str:
    value = number(value)
    return "—" if value is None else f"{value:.2f}"


def _share(value: Any) -> str:
    value = number(value)
    return "—" if value is None else f"{100 * value:.1f}%"


def accuracy_text(series: Series, lang: str) -> str:
    """"回测 MASE 0.71 / MAPE 18.2%（季节朴素 0.95 / 24.0%），1,092 点"."""
    a = series.accuracy
    return t("wn.fc.accuracy", lang, mase=_ratio(a["mase"]), mape=_share(a["mape"]), naive_mase=_ratio(a["naive_mase"]),
             naive_mape=_share(a["naive_mape"]), points=f"{a['backtest_points']:,}")


def total_text(series: Series, lang: str, days: int | None = None) -> str:
    """The expected total of the next days with its 80 % interval (the sums of the bounds,
    a conservative band), e.g. "未来14天预计 312（80% 区间 270–355）"."""
    points = series.points[:days] if days else series.points
    if not points:
        return t("wn.fc.none", lang)

    def total(name: str) -> str:
        return f"{sum(p[name] or 0 for p in points):,.0f}"

    return t("wn.fc.total", lang, days=len(points), total=total("forecast"), lo=total("lo80"), hi=total("hi80"))


def alt_text(series: Series, lang: str) -> str:
    """The chart in words (its text alternative)."""
    received = sum(h["received"] for h in series.history)
    return t("wn.fc.alt", lang, name=series.name, weeks=len(series.history) // 7 or 1, received=f"{received:,}",
             forecast=total_text(series, lang), accuracy=accuracy_text(series, lang))


# -- the fan chart ------------------------------------------------------------------------------
def fan_figure(series: Series | None, lang: str, *, dark: bool = False, height: int = 260,
               font_size: int = 12) -> go.Figure:
    """What arrived per day (solid), then the forecast (dashed) inside its 80 % and 95 %
    prediction intervals, and seasonal naive (dotted) beside it."""
    if series is None or not series.points:
        return empty_figure(t("wn.fc.none", lang), height)
    colours = DARK_COLOURS if dark else COLOURS
    days = [p["day"] for p in series.points]
    ink = "#e8eef5" if dark else "#1d2733"
    grid = "rgba(255,255,255,0.12)" if dark else "#e6eaef"

    def band(lo: str, hi: str, colour: str, name: str) -> list[dict]:
        return [{"type": "scatter", "x": days, "y": [p[hi] for p in series.points], "mode": "lines",
                 "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False, "legendgroup": name},
                {"type": "scatter", "x": days, "y": [p[lo] for p in series.points], "mode": "lines",
                 "line": {"width": 0}, "fill": "tonexty", "fillcolor": colour, "name": name, "legendgroup": name,
                 "hoverinfo": "skip"}]

    data = [
        *band("lo95", "hi95", colours["band95"], t("wn.fc.band95", lang)),
        *band("lo80", "hi80", colours["band80"], t("wn.fc.band80", lang)),
        {"type": "scatter", "x": [h["day"] for h in series.history], "y": [h["received"] for h in series.history],
         "mode": "lines", "line": {"color": colours["history"], "width": 2}, "name": t("wn.fc.received", lang),
         "hovertemplate": "%{x}<br>" + t("wn.fc.received", lang) + " %{y}<extra></extra>"},
        {"type": "scatter", "x": days, "y": [p["seasonal_naive"] for p in series.points], "mode": "lines",
         "line": {"color": colours["naive"], "width": 1.5, "dash": "dot"}, "name": t("wn.fc.naive", lang),
         "hovertemplate": "%{x}<br>" + t("wn.fc.naive", lang) + " %{y:.1f}<extra></extra>"},
        {"type": "scatter", "x": days, "y": [p["forecast"] for p in series.points], "mode": "lines+markers",
         "line": {"color": colours["forecast"], "width": 2.5, "dash": "dash"}, "marker": {"size": 4},
         "name": t("wn.fc.forecast", lang), "customdata": [[p["lo80"], p["hi80"], p["lo95"], p["hi95"]]
                                                       for p in series.points],
         "hovertemplate": ("%{x}<br>" + t("wn.fc.forecast", lang) + " %{y:.1f}<br>80%: %{customdata[0]:.1f}–"
                           "%{customdata[1]:.1f}<br>95%: %{customdata[2]:.1f}–%{customdata[3]:.1f}<extra></extra>")},
    ]
    layout = {
        "height": height, "margin": {"l": 40, "r": 12, "t": 8, "b": 28},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": FONT, "size": font_size, "color": ink},
        "xaxis": {"type": "date", "gridcolor": grid, "tickformat": "%m-%d"},
        "yaxis": {"gridcolor": grid, "rangemode": "tozero", "zeroline": False},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "font": {"size": font_size - 1}},
        "shapes": [{"type": "line", "xref": "x", "yref": "paper", "x0": days[0], "x1": days[0], "y0": 0, "y1": 1,
                    "line": {"color": colours["naive"], "width": 1, "dash": "dot"}}],
        "uirevision": f"fc-{series.level}-{series.key}",
        "hovermode": "x unified",
    }
    return go.Figure({"data": data, "layout": layout})


# -- the API's body --------------------------------------------------------------------------------
def api_body(series: list[Series], *, by: str, now: datetime, config: AnalysisConfig) -> dict[str, Any]:
    return {
        "by": by, "as_of": now.isoformat(), "horizon_days": int(config.forecast["horizon_days"]),
        "method": {"model": "seasonal weekday baseline with a damped trend",
                   "baseline": "seasonal naive (the same weekday of the last week before the origin)",
                   "backtest": f"rolling origins over the last {int(config.forecast['backtest_weeks'])} weeks",
                   "intervals": "forecast plus the 10/90 and 2.5/97.5 % quantiles of the backtest errors"},
        "series": [{"level": s.level, "key": s.key, "name": s.name, "history": s.history, "forecast": s.points,
                    "backtest": s.accuracy} for s in series],
    }
