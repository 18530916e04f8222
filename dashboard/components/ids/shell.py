"""Ids of the app shell around the pages: the URL, the navbar and its language links."""
from __future__ import annotations

from typing import Any

from dashboard.components.ids import pattern

URL = "app-url"
NAVBAR = "app-navbar"


def lang_link(lang: str) -> dict[str, Any]:
    return pattern("lang-link", lang=lang)
