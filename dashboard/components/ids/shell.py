"""Ids of the app shell around the pages: the URL, the navbar and its language links."""
from __future__ import annotations

from dashboard.components.ids import patterns

URL = "app-url"
NAVBAR = "app-navbar"


NAV_USER = "app-nav-user"
NAV_LOGOUT = "app-nav-logout"


lang_link = patterns("lang-link", "lang")
