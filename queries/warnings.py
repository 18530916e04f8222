"""Warnings (预测预警, DOMAIN.md §8): evaluating every method, and keeping the active ones.

Each method is one query under ``queries/sql/warnings/``, all returning the same columns
(``WARNING_COLUMNS``): what it concerns, its method, observed and expected values,
threshold, statistic and window, and a stable key naming the method and the thing
concerned (never the day), so a condition lasting several refreshes stays one warning.

``refresh_warnings`` evaluates them at an instant and brings the ``warnings`` table in
step (raised, updated, resolved; each change an event in ``warning_events``);
``acknowledge_warning`` records an operator's acknowledgement. ``evaluate_warnings``
returns the rows of every day of a period, for history and for measuring the detectors.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Callable

import pandas as pd

from queries.analysis_config import AnalysisConfig, load_analysis_config
from queries.concurrency import Refusal
from queries.permissions import require
from queries.store import Store

WARNING_COLUMNS = (
    "warning_key", "method", "severity", "scope_level", "village_id", "cell_id", "dept_id", "major_code",
    "category_id", "matter_id", "address", "observed", "expected", "threshold", "statistic", "window_start",
    "window_end", "detected_on",
)
DEADLINE_METHODS = ("deadline_red", "deadline_yellow", "predicted_overdue")
VOLUME_METHODS = ("seasonal_z", "ears_c1", "ears_c2", "ears_c3", "poisson")
DRIFT_METHODS = ("ewma_on_time", "ewma_volume")
# The statistical detectors: what a false alarm can come from (deadlines and repeat
# complaints are counts of facts, true by definition).
ANOMALY_METHODS = VOLUME_METHODS + DRIFT_METHODS + ("gi_star",)
METHODS = DEADLINE_METHODS + ANOMALY_METHODS + ("repeat_complaint",)
SEVERITIES = ("high", "medium", "low")

Runner = Callable[..., pd.DataFrame]      # Store.run or Reader.run


def warning_queries(config: AnalysisConfig, *, now: datetime, from_day: date, scope: list[int],
                    yellow_share: float) -> list[tuple[str, dict[str, Any]]]:
    """Each warning query with its bound parameters, rows for the days from ``from_day``."""
    w = config.warnings
    pick = lambda *names: {n: w[n] for n in names}  # noqa: E731
    common = {"scope": list(scope), "now": now}
    return [
        ("warnings/deadline", {**common, "yellow_share": yellow_share, "predict_share": w["predict_share"]}),
        ("warnings/volume", {**common, "from_day": from_day,
                             **pick("season_weeks", "z_threshold", "ears_threshold", "ears_c3_threshold", "min_sd",
                                    "poisson_alpha", "min_count_cell", "min_count_village")}),
        ("warnings/ewma", {**common, "from_day": from_day,
                           **pick("ewma_lambda", "ewma_l", "ewma_days", "ewma_baseline_days")}),
        ("warnings/gi_star", {**common, "from_day": from_day, "majors": None, "gi_cores_only": True,
                              **pick("gi_window_days", "season_weeks", "gi_metric", "gi_z", "gi_min_observed")}),
        ("warnings/repeat_complaints", {**common, "from_day": from_day,
                                        **pick("repeat_days", "repeat_cell_days", "repeat_min",
                                                "repeat_sources")}),
    ]


def hotspot_layer_params(config: AnalysisConfig, *, now: datetime, scope: list[int],
                         majors: list[str] | None = None, metric: str = "count") -> dict[str, Any]:
    """Parameters of ``warnings/gi_star`` for the map layer: every cell at 90 % or more on
    ``now``'s day (severity low / medium / high = 90 / 95 / 99 %), not only clusters' cores."""
    w = config.warnings
    return {"scope": list(scope), "now": now, "from_day": now.date(), "majors": majors,
            "gi_window_days": w["gi_window_days"], "season_weeks": w["season_weeks"], "gi_metric": metric,
            "gi_z": 1.645, "gi_min_observed": 0, "gi_cores_only": False}


def evaluate_warnings(run: Runner, *, now: datetime, from_day: date, scope: list[int],
                      config: AnalysisConfig | None = None, yellow_share: float = 0.25) -> pd.DataFrame:
    """Every method's rows for each day from ``from_day`` to ``now``'s day, in one frame."""
    config = config or load_analysis_config()
    frames = [run(name, **params) for name, params in
              warning_queries(config, now=now, from_day=from_day, scope=scope, yellow_share=yellow_share)]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in WARNING_COLUMNS})
    return pd.concat(frames, ignore_index=True)[list(WARNING_COLUMNS)]


def current_warnings(rows: pd.DataFrame, now: datetime, active_days: int) -> pd.DataFrame:
    """The warnings in force at ``now`` from evaluated rows: one row per key, its latest.
    A volume, drift or hot-spot warning stays in force ``active_days`` days after the last
    day it was detected; a repeat complaint while its count is at or above the minimum now."""
    if rows.empty:
        return rows
    today = pd.Timestamp(now.date())
    detected = pd.to_datetime(rows["detected_on"])
    is_repeat = rows["method"] == "repeat_complaint"
    keep = (is_repeat & (detected == today)) | (~is_repeat & (detected > today - pd.Timedelta(days=active_days)))
    latest = rows[keep].assign(_d=detected[keep]).sort_values(["warning_key", "_d"])
    return latest.drop_duplicates("warning_key", keep="last").drop(columns="_d").reset_index(drop=True)


@dataclass(frozen=True)
class RefreshResult:
    active: int
    raised: int
    resolved: int
    refreshed_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {"active": self.active, "raised": self.raised, "resolved": self.resolved,
                "refreshed_at": self.refreshed_at.isoformat(sep=" ")}


def refresh_warnings(store: Store, now: datetime, *, config: AnalysisConfig | None = None,
                     yellow_share: float = 0.25) -> RefreshResult:
    """Evaluate every method at ``now`` over the whole township and bring the stored
    warnings in step, in one write transaction."""
    config = config or load_analysis_config()
    active_days = int(config.warnings["active_days"])
    from_day = now.date() - timedelta(days=active_days - 1)
    scope = store.all_village_ids() + [-1]
    rows = evaluate_warnings(store.run, now=now, from_day=from_day, scope=scope, config=config,
                             yellow_share=yellow_share)
    observed = current_warnings(rows, now, active_days)
    observed = observed.drop(columns="detected_on") if not observed.empty else pd.DataFrame(
        {c: pd.Series(dtype=_EMPTY_TYPES.get(c, "object")) for c in WARNING_COLUMNS if c != "detected_on"})
    def apply(cur) -> dict[str, int]:
        cur.register("observed_warnings", observed)
        try:
            store.execute_write(cur, "warnings/apply_refresh", now=now)
        finally:
            cur.unregister("observed_warnings")
        store.set_meta(cur, "warnings_refreshed_at", now.isoformat(sep=" "))
        return dict(cur.execute("SELECT action, count(*) FROM warning_events "
                                "WHERE occurred_at = ? GROUP BY action", [now]).fetchall())

    counts = store.transact(apply)
    return RefreshResult(len(observed), int(counts.get("raised", 0)), int(counts.get("resolved", 0)), now)


_EMPTY_TYPES = {"village_id": "Int32", "cell_id": "Int32", "dept_id": "Int32", "category_id": "Int32",
                "matter_id": "Int64", "observed": "float64", "expected": "float64", "threshold": "float64",
                "statistic": "float64", "window_start": "datetime64[s]", "window_end": "datetime64[s]"}


def last_refreshed(store: Store) -> datetime | None:
    value = store.meta("warnings_refreshed_at")
    return datetime.fromisoformat(value) if value else None


def refresh_if_stale(store: Store, now: datetime, *, config: AnalysisConfig | None = None,
                     yellow_share: float = 0.25) -> RefreshResult | None:
    """Refresh when the last refresh is older than ``refresh_interval_s`` (or in the
    future: a clock set back); a read-only store is left as it is."""
    if store.read_only:
        return None
    config = config or load_analysis_config()
    last = last_refreshed(store)
    interval = timedelta(seconds=float(config.warnings["refresh_interval_s"]))
    if last is not None and timedelta(0) <= now - last < interval:
        return None
    return refresh_warnings(store, now, config=config, yellow_share=yellow_share)


class WarningNotFound(Refusal, LookupError):
    """No active warning has that key."""


def acknowledge_warning(store: Store, warning_key: str, *, actor: str, now: datetime,
                        note: str | None = None, by: Any = None,
                        scope: list[int] | None = None) -> dict[str, Any]:
    """Record that ``actor`` acknowledged the active warning ``warning_key``: on the warning
    and as an event. Acknowledging again adds another event and moves who/when. ``by``: the
    signed-in user, whose role must allow ``acknowledge`` (``queries.permissions``); ``scope``:
    the villages they may see (a warning outside them is not found)."""
    if by is not None:
        require(by, "acknowledge")
    actor = (actor or "").strip()
    if not actor:
        raise ValueError("actor: who acknowledges must be given")
    def ack(cur) -> None:
        found = store.select_in(cur, "warnings/active_in_scope", warning_key=warning_key, scope=scope)
        if not found[0]["found"]:
            raise WarningNotFound(warning_key)
        store.execute_write(cur, "warnings/acknowledge", warning_key=warning_key, actor=actor, note=note,
                            now=now)

    store.transact(ack)
    return {"warning_key": warning_key, "acknowledged_by": actor, "acknowledged_at": now.isoformat(sep=" "),
            "note": note}


def episodes(rows: pd.DataFrame, gap_days: int) -> pd.DataFrame:
    """Evaluated rows of a period grouped into the warnings a refresh would have raised: rows
    of one key whose days are at most ``gap_days`` apart form one episode. One row per
    episode: key, method, what it concerns, first and last day."""
    if rows.empty:
        return rows.assign(first_day=pd.Series(dtype="datetime64[s]"), last_day=pd.Series(dtype="datetime64[s]"))
    frame = rows.assign(_d=pd.to_datetime(rows["detected_on"])).sort_values(["warning_key", "_d"])
    new = frame.groupby("warning_key")["_d"].diff().dt.days.fillna(gap_days + 1) > gap_days
    frame = frame.assign(_episode=new.cumsum())
    agg = frame.groupby("_episode").agg(
        warning_key=("warning_key", "first"), method=("method", "first"), scope_level=("scope_level", "first"),
        village_id=("village_id", "first"), cell_id=("cell_id", "first"), dept_id=("dept_id", "first"),
        category_id=("category_id", "first"), address=("address", "first"),
        statistic=("statistic", "max"), first_day=("_d", "min"), last_day=("_d", "max"))
    return agg.reset_index(drop=True)
