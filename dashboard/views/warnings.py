"""What the warnings page (预测预警, ``/warnings``) shows, as pure functions of the data: the
KPI strip of active warnings by severity and method, the list with each warning's reason
(method, observed, expected, threshold, statistic, window, what it concerns) and its
drill-down link, the Gi* hot-spot map layer, acknowledging, and keeping the stored
warnings fresh without piling refreshes up.

Warnings are evaluated by ``queries/warnings.py`` (every method in SQL) and stored; this
module only reads them (``warnings/active``), asks for a refresh when they are older than
``warnings.refresh_interval_s`` and records acknowledgements through that module.
"""
from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go

from dashboard import auditing
from dashboard.export import Column
from dashboard.i18n import pick, plain, t
from dashboard.reader import Reader
from dashboard.views.analysis_filters import drilldown_link
from dashboard.views.common import day_text, map_geometry, number, percent, remaining_text
from layers import maptraces
from layers.analysis_layers import hotspot_colouring, hotspot_level
from queries.analysis_config import AnalysisConfig
from queries.permissions import Forbidden
from queries.store import Store, StoreError
from queries.warnings import (
    DEADLINE_METHODS,
    DRIFT_METHODS,
    SEVERITIES,
    VOLUME_METHODS,
    RefreshResult,
    WarningNotFound,
    acknowledge_warning,
    hotspot_layer_params,
    refresh_if_stale,
)

log = logging.getLogger(__name__)

FAMILIES: dict[str, tuple[str, ...]] = {
    "deadline": DEADLINE_METHODS,
    "volume": VOLUME_METHODS,
    "drift": DRIFT_METHODS,
    "hotspot": ("gi_star",),
    "repeat": ("repeat_complaint",),
}
FAMILY_OF = {method: family for family, methods in FAMILIES.items() for method in methods}
KPI_KEYS = ("total", "unacknowledged", *SEVERITIES, *FAMILIES)
LIST_LIMIT = 100
HOT_METRICS = ("count", "excess")
MAX_ACTOR_CHARS = 100
MAX_NOTE_CHARS = 1000


# -- keeping the warnings fresh ------------------------------------------------------------
def ensure_fresh(store: Store, now: datetime, lock: threading.Lock, *, config: AnalysisConfig,
                 yellow_share: float) -> RefreshResult | None:
    """Refresh the stored warnings when older than the configured interval (as the API does).
    A refresh already running elsewhere is not waited for nor repeated: pages ticking at the
    same moment do not pile refreshes up. A read-only store is left as it is."""
    if not lock.acquire(blocking=False):
        return None
    try:
        return refresh_if_stale(store, now, config=config, yellow_share=yellow_share)
    except StoreError as exc:
        log.warning("warnings not refreshed: %s", exc)
        return None
    finally:
        lock.release()


# -- reading -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ListFilters:
    families: tuple[str, ...] | None = None
    severities: tuple[str, ...] | None = None
    unacknowledged: bool = False

    @classmethod
    def from_values(cls, families: Iterable[str] | None, severities: Iterable[str] | None,
                    unacknowledged: Any) -> "ListFilters":
        fams = tuple(f for f in FAMILIES if f in set(families or ())) or None
        sevs = tuple(s for s in SEVERITIES if s in set(severities or ())) or None
        return cls(fams, sevs, bool(unacknowledged))

    def methods(self) -> list[str] | None:
        if self.families is None:
            return None
        return [m for f in self.families for m in FAMILIES[f]]


def active_frame(reader: Reader, scope: Iterable[int], filters: ListFilters | None = None) -> pd.DataFrame:
    filters = filters or ListFilters()
    frame = reader.run("warnings/active", scope=list(scope), methods=filters.methods(),
                       severities=list(filters.severities) if filters.severities else None)
    if filters.unacknowledged:
        frame = frame[frame["acknowledged_by"].isna()]
    return frame.reset_index(drop=True)


# -- the KPI strip -----------------------------------------------------------------------------
def kpi_values(frame: pd.DataFrame, lang: str) -> dict[str, tuple[str, str]]:
    """key → (count, detail): all active warnings, the unacknowledged, each severity, and
    each method family with its methods' counts."""
    by_method = frame["method"].value_counts().to_dict() if not frame.empty else {}
    by_severity = frame["severity"].value_counts().to_dict() if not frame.empty else {}
    unacked = int(frame["acknowledged_by"].isna().sum()) if not frame.empty else 0
    total = len(frame)
    out = {
        "total": (f"{total:,}", t("wn.kpi.total.detail", lang, n=f"{total - unacked:,}")),
        "unacknowledged": (f"{unacked:,}", t("wn.kpi.unacknowledged.detail", lang)),
    }
    for severity in SEVERITIES:
        out[severity] = (f"{int(by_severity.get(severity, 0)):,}", t(f"wn.kpi.{severity}.detail", lang))
    for family, methods in FAMILIES.items():
        count = sum(int(by_method.get(m, 0)) for m in methods)
        detail = " · ".join(f"{t(f'wn.method.short.{m}', lang)} {int(by_method.get(m, 0))}" for m in methods)
        out[family] = (f"{count:,}", detail)
    return out


# -- one warning, explained ---------------------------------------------------------------------
def _fmt(value: Any, digits: int = 1) -> str:
    value = number(value)
    if value is None:
        return "—"
    if abs(value - round(value)) < 1e-9 and digits <= 1:
        return f"{int(round(value)):,}"
    return f"{value:,.{digits}f}"


def _moment(value: Any) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    return pd.Timestamp(value).strftime("%m-%d %H:%M")


DEADLINE_LIGHT = {"deadline_red": "red", "deadline_yellow": "yellow", "predicted_overdue": "green"}


def why(row: dict[str, Any], lang: str, minutes_per_day: int) -> dict[str, str]:
    """The reason of one warning as people read it: observed, expected, threshold and the
    statistic, in each method's own terms (queries/sql/warnings/*.sql say what they hold)."""
    method = row["method"]
    observed, expected, threshold, stat = (row.get(k) for k in ("observed", "expected", "threshold", "statistic"))
    if method in DEADLINE_METHODS:
        return {"observed": t("wn.why.elapsed", lang, share=percent(observed)),
                "expected": t("wn.why.limit", lang),
                "threshold": t("wn.why.share_at_least", lang, share=percent(threshold)),
                "statistic": remaining_text(DEADLINE_LIGHT[method], number(stat), minutes_per_day, lang)}
    if method in ("seasonal_z", "ears_c1", "ears_c2", "ears_c3", "gi_star"):
        name = t(f"wn.stat.{method}", lang)
        out = {"observed": t("wn.why.count", lang, n=_fmt(observed)),
               "expected": t("wn.why.count", lang, n=_fmt(expected)),
               "threshold": f"{name} {'≥' if method == 'gi_star' else '>'} {_fmt(threshold, 2)}",
               "statistic": f"{name} = {_fmt(stat, 2)}"}
        if method == "gi_star":
            level = hotspot_level(number(stat))
            if level:
                out["statistic"] += " · " + t(f"wn.hot.level.{level}", lang)
        return out
    if method == "poisson":
        p = number(stat)
        return {"observed": t("wn.why.count", lang, n=_fmt(observed)),
                "expected": t("wn.why.count", lang, n=_fmt(expected)),
                "threshold": f"p < {number(threshold) or 0:g}",
                "statistic": "p = —" if p is None else f"p = {p:.2g}"}
    if method == "ewma_on_time":
        return {"observed": percent(observed), "expected": percent(expected),
                "threshold": t("wn.why.sigma", lang, n=_fmt(threshold)),
                "statistic": t("wn.why.sigma_off", lang, n=_fmt(stat, 2))}
    if method == "ewma_volume":
        return {"observed": t("wn.why.per_day", lang, n=_fmt(observed, 1)),
                "expected": t("wn.why.per_day", lang, n=_fmt(expected, 1)),
                "threshold": t("wn.why.sigma", lang, n=_fmt(threshold)),
                "statistic": t("wn.why.sigma_off", lang, n=_fmt(stat, 2))}
    if method == "repeat_complaint":
        tier = int(number(stat) or 0)
        return {"observed": t("wn.why.times", lang, n=_fmt(observed)), "expected": "—",
                "threshold": t("wn.why.times_at_least", lang, n=_fmt(threshold)),
                "statistic": t("wn.why.tier", lang, tier=t(f"wn.tier.{min(max(tier, 2), 4)}", lang))}
    return {"observed": _fmt(observed, 2), "expected": _fmt(expected, 2), "threshold": _fmt(threshold, 2),
            "statistic": _fmt(stat, 2)}


def scope_text(row: dict[str, Any], lang: str) -> str:
    """What a warning concerns: a matter, a cell, an address, a village or a department,
    with its sub-category or category where it has one."""
    level = plain(row.get("scope_level"))
    village = plain(row.get("village_name"))
    cell = plain(row.get("cell_name"))
    category = pick(row.get("category_name"), row.get("category_name_en"), lang) or pick(
        row.get("major_name"), row.get("major_name_en"), lang)
    parts: list[str]
    if level == "matter":
        parts = [t("wn.scope.matter", lang, id=plain(row.get("matter_id"))), category, cell or village]
    elif level == "cell":
        parts = [t("wn.scope.cell", lang, name=cell, code=plain(row.get("cell_code"))), village, category]
    elif level == "address":
        parts = [t("wn.scope.address", lang, address=plain(row.get("address"))), category, cell or village]
    elif level == "village":
        parts = [t("wn.scope.village", lang, name=village), category]
    elif level == "department":
        parts = [t("wn.scope.department", lang, name=pick(row.get("dept_name"), row.get("dept_name_en"), lang))]
    else:
        parts = [level, village, category]
    return " · ".join(p for p in parts if p)


def _missing_as_none(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def drilldown_href(row: dict[str, Any], lang: str) -> str:
    """Where to look closer: a matter's card on the desk, anything else the analysis page
    narrowed to what the warning concerns over its window (the API's link)."""
    matter = number(row.get("matter_id"))
    if matter is not None:
        return "/desk?" + urlencode({"matter": int(matter), "lang": lang})
    clean = {k: _missing_as_none(v) for k, v in row.items()}
    for key in ("village_id", "cell_id", "dept_id", "category_id"):
        if clean.get(key) is not None:
            clean[key] = int(clean[key])
    return drilldown_link(clean) + "&" + urlencode({"lang": lang})


def warning_rows(frame: pd.DataFrame, lang: str, minutes_per_day: int) -> list[dict[str, Any]]:
    rows = []
    for r in frame.to_dict("records"):
        reason = why(r, lang, minutes_per_day)
        acked = plain(r.get("acknowledged_by"))
        rows.append({
            "key": r["warning_key"], "method": r["method"], "family": FAMILY_OF.get(r["method"], ""),
            "method_label": t(f"wn.method.{r['method']}", lang), "severity": r["severity"],
            "severity_label": t(f"wn.severity.{r['severity']}", lang), "scope": scope_text(r, lang),
            **reason,
            "window": f"{day_text(r.get('window_start'))} – {day_text(r.get('window_end'))}",
            "window_start": day_text(r.get("window_start")), "window_end": day_text(r.get("window_end")),
            "first_seen": _moment(r.get("first_seen")), "last_seen": _moment(r.get("last_seen")),
            "acknowledged_by": acked, "acknowledged_at": _moment(r.get("acknowledged_at")) if acked else "",
            "link": drilldown_href(r, lang),
            "link_kind": "desk" if number(r.get("matter_id")) is not None else "analysis",
        })
    return rows


def export_columns(lang: str) -> list[Column]:
    return [Column(key, t(f"wn.col.{key}", lang)) for key in
            ("severity_label", "method_label", "scope", "observed", "expected", "threshold", "statistic",
             "window_start", "window_end", "first_seen", "last_seen", "acknowledged_by", "acknowledged_at",
             "link")]


# -- acknowledging --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    kind: str          # done | invalid | not_found | failed | forbidden
    message: str


def acknowledge(store: Store, key: str, actor: Any, note: Any, now: datetime, lang: str,
                by: Any = None, scope: list[int] | None = None) -> Outcome:
    """Record who acknowledged the warning ``key`` and when (an event, through
    queries/warnings.py); refused without a name, or when the warning has resolved."""
    actor = (actor or "").strip() if isinstance(actor, str) else ""
    note = (note or "").strip() if isinstance(note, str) else ""
    if not actor:
        return Outcome("invalid", t("wn.ack.need_actor", lang))
    if len(actor) > MAX_ACTOR_CHARS or len(note) > MAX_NOTE_CHARS:
        return Outcome("invalid", t("wn.ack.too_long", lang, actor=MAX_ACTOR_CHARS, note=MAX_NOTE_CHARS))
    try:
        acknowledge_warning(store, key, actor=actor, note=note or None, now=now, by=by, scope=scope)
    except Forbidden as exc:
        auditing.refused(f"warning {key[:200]}", str(exc))
        return Outcome("forbidden", t("wn.ack.forbidden", lang))
    except WarningNotFound:
        return Outcome("not_found", t("wn.ack.not_found", lang))
    except StoreError as exc:
        return Outcome("failed", t("error.store", lang, reason=str(exc)))
    auditing.note("action", target=f"warning {key[:200]}", detail="acknowledge")
    return Outcome("done", t("wn.ack.done", lang, actor=actor, time=now.strftime("%H:%M")))


# -- the hot-spot layer ------------------------------------------------------------------------------
def default_hot_metric(config: AnalysisConfig) -> str:
    """The map starts on the metric the Gi* warnings use, so that map and list agree."""
    metric = config.warnings.get("gi_metric", "count")
    return metric if metric in HOT_METRICS else "count"


def hotspot_frame(reader: Reader, config: AnalysisConfig, now: datetime, scope: Iterable[int],
                  metric: str) -> pd.DataFrame:
    """Gi* of every cell hot at 90 % or more on ``now``'s day (warnings/gi_star with the
    map layer's parameters: every hot cell, not only the clusters' cores)."""
    metric = metric if metric in HOT_METRICS else "count"
    return reader.run("warnings/gi_star", **hotspot_layer_params(config, now=now, scope=list(scope), metric=metric))


def hotspot_levels(frame: pd.DataFrame, cell_ids: Iterable[int]) -> tuple[list[int], list[float | None]]:
    """Per cell in ``cell_ids`` order: its level 0–3 and its z (None when not hot)."""
    z = {int(c): float(s) for c, s in zip(frame["cell_id"], frame["statistic"])} if not frame.empty else {}
    values = [z.get(int(c)) for c in cell_ids]
    return [hotspot_level(v) for v in values], values


def level_labels(lang: str) -> list[str]:
    return [t(f"wn.hot.level.{i}", lang) for i in range(4)]


def hotspot_hovertemplate(lang: str) -> str:
    return ("<b>%{properties.name}</b><br>"
            f"{t('map.hover.code', lang)} %{{properties.code}}<br>"
            f"{t('map.hover.village', lang)} %{{properties.village_name}}<br>"
            "%{customdata[0]}<extra></extra>")


def hotspot_colouring_for(frame: pd.DataFrame, cell_ids: list[int], lang: str) -> dict[str, Any]:
    levels, zs = hotspot_levels(frame, cell_ids)
    colouring = hotspot_colouring(levels, labels=level_labels(lang), title=t("wn.hot.colorbar", lang))
    custom = [[t("wn.hot.hover", lang, z=f"{z:.2f}", level=t(f"wn.hot.level.{lvl}", lang)) if z is not None
               else t("wn.hot.level.0", lang)] for lvl, z in zip(levels, zs)]
    return {**colouring, "customdata": custom, "hovertemplate": hotspot_hovertemplate(lang)}


def hotspot_summary(frame: pd.DataFrame, cell_ids: list[int], metric: str, window_days: int, lang: str) -> str:
    levels, _ = hotspot_levels(frame, cell_ids)
    counts = {lvl: levels.count(lvl) for lvl in (3, 2, 1)}
    return t("wn.hot.summary", lang, high=counts[3], medium=counts[2], low=counts[1], days=window_days,
             metric=t(f"wn.hot.metric.{metric if metric in HOT_METRICS else 'count'}", lang))


def hotspot_figure(reader: Reader, frame: pd.DataFrame, scope: Iterable[int], lang: str, *, tile_url: str = "",
                   tile_attribution: str = "") -> tuple[go.Figure, list[int]]:
    geometry = map_geometry(reader, list(scope))
    update = hotspot_colouring_for(frame, geometry.cell_ids, lang)
    colouring = {k: update[k] for k in ("z", "zmin", "zmax", "colorscale", "colorbar")}
    grid = maptraces.grid_choropleth(geometry.geojson, geometry.cell_ids, colouring, customdata=update["customdata"],
                                     hovertemplate=update["hovertemplate"])
    figure = go.Figure(
        [grid, maptraces.village_outlines(geometry.villages, t("map.villages", lang)),
         maptraces.township_outline(geometry.township, t("map.township", lang))],
        layout=maptraces.map_layout(geometry.bounds, tile_url=tile_url, tile_attribution=tile_attribution,
                                    height_px=440, uirevision="hotspots"))
    return figure, geometry.cell_ids


def hot_cell_rows(reader: Reader, frame: pd.DataFrame, scope: Iterable[int], lang: str) -> list[dict[str, Any]]:
    """The hot cells, hottest first: name, code, village, matters in the window against
    their expectation, z and level, and a link to analyse the cell over the window."""
    if frame.empty:
        return []
    props = {int(f["id"]): f.get("properties", {}) for f in map_geometry(reader, list(scope)).geojson["features"]}
    rows = []
    for r in frame.sort_values("statistic", ascending=False).to_dict("records"):
        p = props.get(int(r["cell_id"]), {})
        z = float(r["statistic"])
        rows.append({
            "cell_id": int(r["cell_id"]), "name": plain(p.get("name")), "code": plain(p.get("code")),
            "village": plain(p.get("village_name")), "observed": _fmt(r["observed"]),
            "expected": _fmt(r["expected"]), "z": f"{z:.2f}", "level": hotspot_level(z),
            "level_label": t(f"wn.hot.level.{hotspot_level(z)}", lang),
            "link": "/analysis?" + urlencode({"cell": int(r["cell_id"]), "from": day_text(r["window_start"]),
                                              "to": day_text(pd.Timestamp(r["window_end"]) + pd.Timedelta(days=1)),
                                              "lang": lang}),
        })
    return rows
