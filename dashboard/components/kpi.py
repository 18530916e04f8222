"""KPI tiles: one label, one big number, one line of detail (numerator / denominator for
rates). Tiles carry pattern-matching ids, so one callback fills them all."""
from __future__ import annotations

from dataclasses import dataclass

from dash import html

from dashboard.components.ids import overview as ids
from dashboard.i18n import t


@dataclass(frozen=True)
class KpiSpec:
    key: str
    label_key: str
    tone: str        # neutral | red | yellow | good


KPIS: tuple[KpiSpec, ...] = (
    KpiSpec("received_today", "kpi.received_today", "neutral"),
    KpiSpec("closed_today", "kpi.closed_today", "neutral"),
    KpiSpec("open", "kpi.open", "neutral"),
    KpiSpec("overdue", "kpi.overdue", "red"),
    KpiSpec("due_soon", "kpi.due_soon", "yellow"),
    KpiSpec("on_time_rate", "kpi.on_time_rate", "good"),
    KpiSpec("satisfaction", "kpi.satisfaction", "good"),
)
KPI_KEYS = tuple(k.key for k in KPIS)


def kpi_tile(spec: KpiSpec, lang: str) -> html.Div:
    return html.Div(
        [
            html.Div(t(spec.label_key, lang), className="kpi-label"),
            html.Div("–", id=ids.kpi_value(spec.key), className="kpi-value"),
            html.Div("", id=ids.kpi_detail(spec.key), className="kpi-detail"),
        ],
        id=ids.kpi_tile(spec.key),
        className=f"kpi-tile kpi-{spec.tone} kpi-key-{spec.key}",
    )


def kpi_row(lang: str) -> html.Div:
    return html.Div([kpi_tile(spec, lang) for spec in KPIS], className="kpi-row")
