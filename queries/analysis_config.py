"""The rules of analysis and warning as configuration (``data/analysis.toml``): indicator
numerators and denominators, the department score's weights, warning thresholds and
forecast settings. Queries receive them as bound parameters, never as SQL text."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from queries.settings import REPO_ROOT

ANALYSIS_TOML = REPO_ROOT / "data" / "analysis.toml"

# What an indicator's sides may sum: the rollup's columns and the measures the queries
# compute when they run (see 007_indicators.sql and indicators/by_group.sql).
ROLLUP_MEASURES = (
    "received", "dispatched", "signed_on_time", "due", "due_suspended", "due_suspended_closed",
    "due_suspended_closed_on_time", "due_closed", "due_closed_on_time",
    "due_handled_on_time", "due_unhandled", "due_reworked", "due_extended", "handled", "handled_with_due",
    "handled_on_time", "handling_work_min", "closed", "closed_with_due", "closed_on_time", "closed_reworked",
    "closed_followed_up", "rated", "satisfied", "basic_satisfied", "unsatisfied",
)
RUNTIME_MEASURES = ("due_pending_close", "due_pending_feedback", "due_suspended_pending", "sign_pending")
MEASURES = ROLLUP_MEASURES + RUNTIME_MEASURES
# What an indicator's counts may rely on beyond creation, closure and due times: the
# township's own lifecycle records each of them; an imported export records none.
NEEDS = ("feedback", "rework", "extension", "sign_deadline", "follow_up")


class AnalysisConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    name_en: str
    unit: str                          # share | work_hours
    numerator: dict[str, float]
    denominator: dict[str, float]
    denominator_rule: str
    definition: str = ""
    definition_en: str = ""
    needs: str | None = None           # one of NEEDS, or None: creation, closure and due times suffice


@dataclass(frozen=True)
class ScoreTerm:
    indicator: str
    weight: float
    inverted: bool


@dataclass(frozen=True)
class AnalysisConfig:
    indicators: tuple[Indicator, ...]
    score_terms: tuple[ScoreTerm, ...]
    volume_measure: str
    volume_points: float
    warnings: dict[str, Any]
    forecast: dict[str, Any]

    def indicator(self, key: str) -> Indicator:
        for ind in self.indicators:
            if ind.key == key:
                return ind
        raise KeyError(key)

    # -- bound parameters -------------------------------------------------------------
    def indicator_params(self) -> dict[str, list]:
        """The indicator definitions as parallel lists, one entry per (indicator, side,
        measure): ``ind_keys``, ``ind_roles`` ('numerator'|'denominator'), ``ind_measures``,
        ``ind_coefs``; and ``need_keys``, the indicators that need what only the township's
        own lifecycle records (see NEEDS): over imported matters alone they have no value."""
        keys, roles, measures, coefs = [], [], [], []
        for ind in self.indicators:
            for role, side in (("numerator", ind.numerator), ("denominator", ind.denominator)):
                for measure, coef in side.items():
                    keys.append(ind.key)
                    roles.append(role)
                    measures.append(measure)
                    coefs.append(float(coef))
        return {"ind_keys": keys, "ind_roles": roles, "ind_measures": measures, "ind_coefs": coefs,
                "need_keys": [ind.key for ind in self.indicators if ind.needs is not None]}

    def score_params(self) -> dict[str, Any]:
        return {"score_keys": [t.indicator for t in self.score_terms],
                "score_weights": [float(t.weight) for t in self.score_terms],
                "score_inverted": [bool(t.inverted) for t in self.score_terms],
                "volume_measure": self.volume_measure, "volume_points": float(self.volume_points)}

    def warning(self, name: str) -> Any:
        return self.warnings[name]


WARNING_DEFAULTS: dict[str, Any] = {
    "refresh_interval_s": 60, "active_days": 3, "predict_share": 0.5, "season_weeks": 8,
    "z_threshold": 3.0, "ears_threshold": 3.0, "ears_c3_threshold": 2.0, "min_sd": 0.5,
    "poisson_alpha": 0.001, "min_count_cell": 4, "min_count_village": 6, "ewma_lambda": 0.2,
    "ewma_l": 3.0, "ewma_days": 56, "ewma_baseline_days": 91, "gi_window_days": 7, "gi_metric": "excess",
    "gi_z": 3.09, "gi_min_observed": 4, "repeat_days": 30, "repeat_cell_days": 7, "repeat_min": 2,
    "repeat_sources": ["public", "transfer"],
}
FORECAST_DEFAULTS: dict[str, Any] = {"horizon_days": 14, "season_weeks": 8, "backtest_weeks": 12,
                                     "trend_damping": 0.5}


def _side(key: str, name: str, value: Any) -> dict[str, float]:
    if not isinstance(value, dict) or not value:
        raise AnalysisConfigError(f"indicator {key}: {name} must be a table of measure = coefficient")
    unknown = set(value) - set(MEASURES)
    if unknown:
        raise AnalysisConfigError(f"indicator {key}: unknown measures {sorted(unknown)} in its {name}")
    try:
        return {m: float(c) for m, c in value.items()}
    except (TypeError, ValueError) as exc:
        raise AnalysisConfigError(f"indicator {key}: coefficients of its {name} must be numbers") from exc


def _needs(key: str, value: Any) -> str | None:
    if value is None:
        return None
    if value not in NEEDS:
        raise AnalysisConfigError(f"indicator {key}: needs must be one of {', '.join(NEEDS)}")
    return str(value)


def parse_analysis_config(data: dict[str, Any]) -> AnalysisConfig:
    indicators = []
    for key, spec in (data.get("indicators") or {}).items():
        indicators.append(Indicator(
            key=key, name=str(spec.get("name", key)), name_en=str(spec.get("name_en", key)),
            unit=str(spec.get("unit", "share")), numerator=_side(key, "numerator", spec.get("numerator")),
            denominator=_side(key, "denominator", spec.get("denominator")),
            denominator_rule=str(spec.get("denominator_rule", "")),
            definition=str(spec.get("definition", "")), definition_en=str(spec.get("definition_en", "")),
            needs=_needs(key, spec.get("needs"))))
    if not indicators:
        raise AnalysisConfigError("no indicators defined")
    known = {i.key for i in indicators}
    score = data.get("score") or {}
    terms = []
    for term in score.get("terms", []):
        if term.get("indicator") not in known:
            raise AnalysisConfigError(f"score term names unknown indicator {term.get('indicator')!r}")
        terms.append(ScoreTerm(term["indicator"], float(term.get("weight", 0)), bool(term.get("inverted", False))))
    volume_measure = str(score.get("volume_measure", "handled"))
    if volume_measure not in ROLLUP_MEASURES:
        raise AnalysisConfigError(f"score volume_measure {volume_measure!r} is not a rollup measure")
    warnings = {**WARNING_DEFAULTS, **(data.get("warnings") or {})}
    unknown = set(warnings) - set(WARNING_DEFAULTS)
    if unknown:
        raise AnalysisConfigError(f"unknown warning settings: {sorted(unknown)}")
    if warnings["gi_metric"] not in ("excess", "count"):
        raise AnalysisConfigError("warnings.gi_metric must be 'excess' or 'count'")
    forecast = {**FORECAST_DEFAULTS, **(data.get("forecast") or {})}
    unknown = set(forecast) - set(FORECAST_DEFAULTS)
    if unknown:
        raise AnalysisConfigError(f"unknown forecast settings: {sorted(unknown)}")
    return AnalysisConfig(tuple(indicators), tuple(terms), volume_measure, float(score.get("volume_points", 10.0)),
                          warnings, forecast)


@lru_cache(maxsize=4)
def load_analysis_config(path: str | Path = ANALYSIS_TOML) -> AnalysisConfig:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise AnalysisConfigError(f"{path}: {exc}") from exc
    return parse_analysis_config(data)
