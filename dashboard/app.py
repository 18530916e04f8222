"""The app factory: one Dash app over one Store.

Pages live in ``dashboard/pages`` (Dash pages); the store, the settings, the cached query
reader and the locator are one ``dashboard.context.AppContext`` on the Flask server, where
callbacks and the HTTP API find them. Nothing is fetched from the internet: Dash serves
its own scripts, the CSS is ours.
"""
from __future__ import annotations

from pathlib import Path

import dash
from dash import Dash, Input, Output, dcc, html
from flask_caching import Cache

from dashboard import auth, drill_routes, http
from dashboard.components.ids import shell as ids
from dashboard.components.navbar import navbar
from dashboard.context import AppContext, current_user
from dashboard.http import hardening
from dashboard.i18n import language_from_search, t
from dashboard.reader import Reader
from layers.placement import LocatorCache
from queries import calendar_ops, clock
from queries.settings import Settings
from queries.store import Store

# Chunks Dash loads only after the first components mount (the graph's plotly.js is
# 4.8 MB): asked for with the page instead, they arrive while the layout is still loading.
PRELOADED_CHUNKS = ("plotly/package_data/plotly.min.js", "dash/dcc/async-graph.js",
                    "dash_ag_grid/async-community.js", "dash/dcc/async-dropdown.js")
PACKAGE_DIR = Path(__file__).resolve().parent
PAGES_DIR = PACKAGE_DIR / "pages"
ASSETS_DIR = PACKAGE_DIR.parent / "assets"


def create_app(settings: Settings, store: Store) -> Dash:
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder=str(PAGES_DIR),
        assets_folder=str(ASSETS_DIR),
        serve_locally=True,
        compress=True,             # gzip/brotli: Chinese JSON and plotly.js shrink 5-10x on the wire
        external_stylesheets=[],
        external_scripts=[],
        title=t("app.title", settings.language),
        update_title=None,
        suppress_callback_exceptions=False,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    prefix = app.config.requests_pathname_prefix
    preload = "".join(f'<link rel="preload" as="script" href="{prefix}_dash-component-suites/{chunk}">'
                      for chunk in PRELOADED_CHUNKS)
    app.index_string = app.index_string.replace("{%metas%}", "{%metas%}" + preload, 1)
    server = app.server
    cache = Cache(server, config={"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000,
                                  "CACHE_DEFAULT_TIMEOUT": settings.cache_timeout_s})
    AppContext(settings=settings, store=store, reader=Reader(store, cache, settings.cache_timeout_s),
               locator=LocatorCache(store)).install(server)
    hardening.install(app, settings)   # Host, size, cross-site and rate checks; the headers
    auth.install(server)           # the login guard runs before every other handler
    http.install(server)
    drill_routes.install(server)   # 404 for an unknown /area, /cell or /matter

    app.layout = html.Div(
        [dcc.Location(id=ids.URL, refresh=False),
         html.Header(navbar(settings.language), id=ids.NAVBAR, className="navbar"),
         html.Main(dash.page_container, className="main")],
        className="app-shell",
    )

    @app.callback(Output(ids.NAVBAR, "children"), Input(ids.URL, "pathname"), Input(ids.URL, "search"))
    def render_navbar(pathname: str | None, search: str | None):
        lang = language_from_search(search, settings.language)
        year = calendar_ops.unknown_next_year(store, clock.now().date())
        notices = (t("calendar.next_year_unknown", lang, year=year),) if year else ()
        return navbar(lang, pathname, notices, auth.describe(current_user(), lang), auth.csrf_token())

    if settings.dev_tools:
        # The error overlay, for tests and development; no version check (it would go online).
        # Dash 4's minified renderer leaves the debug menu out, so the dev bundles are served.
        app.enable_dev_tools(debug=True, dev_tools_ui=True, dev_tools_props_check=True,
                             dev_tools_hot_reload=False, dev_tools_serve_dev_bundles=True,
                             dev_tools_disable_version_check=True, dev_tools_silence_routes_logging=True)
    return app
