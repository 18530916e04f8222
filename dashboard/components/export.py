"""Download buttons for a table a page shows: CSV and Excel, side by side."""
from __future__ import annotations

from typing import Any, Callable

from dash import html

from dashboard.i18n import t


def export_buttons(make_id: Callable[[str], Any], lang: str) -> html.Div:
    """CSV and Excel download buttons; ``make_id(fmt)`` gives each its id."""
    return html.Div([html.Button(t(f"an.export.{fmt}", lang), id=make_id(fmt), n_clicks=0, type="button",
                                 className=f"an-export-btn an-export-{fmt}") for fmt in ("csv", "xlsx")],
                    className="an-export")


