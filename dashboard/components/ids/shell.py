"""Ids of the app shell around the pages: the URL, the navbar and its language links."""
from __future__ import annotations

from dashboard.components.ids import patterns

URL = "app-url"
NAVBAR = "app-navbar"


lang_link = patterns("lang-link", "lang")
