"""The words of a Dash dropdown (select all, search, n selected…) in the page's language."""
from __future__ import annotations

from dashboard.i18n import t


def dropdown_labels(lang: str) -> dict[str, str]:
    return {key: t(f"dropdown.{key}", lang) for key in
            ("select_all", "deselect_all", "selected_count", "search", "clear_search",
             "clear_selection", "no_options_found")}
