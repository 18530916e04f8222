"""The top bar: the product's name, the page links and the 中文/English switch. The
language travels in the URL (``?lang=en``) so that a link or a bookmark keeps it."""
from __future__ import annotations

from urllib.parse import urlencode

from dash import dcc, html

from dashboard.components.ids import shell as ids
from dashboard.i18n import LANGUAGES, t

# The pages in the top bar: path → label key.
PAGES = (("/", "nav.overview"), ("/desk", "nav.desk"), ("/analysis", "nav.analysis"), ("/warnings", "nav.warnings"))


def _is_current(path: str, pathname: str | None) -> bool:
    current = (pathname or "/").rstrip("/") or "/"
    return current == path


def language_href(pathname: str | None, lang: str) -> str:
    return f"{pathname or '/'}?{urlencode({'lang': lang})}"


def navbar(lang: str, pathname: str | None = "/", notices: tuple[str, ...] = (), user: str = "",
           csrf: str = "") -> html.Div:
    """``notices``: lines every viewer must see (the calendar's next year not loaded, say);
    ``user``: the signed-in user's name and role, beside the sign-out button (a form that
    posts the session's token ``csrf``)."""
    switch = [
        dcc.Link(t(f"lang.{code}", lang), href=language_href(pathname, code),
                 className="lang-option" + (" lang-active" if code == lang else ""),
                 id=ids.lang_link(code))
        for code in LANGUAGES
    ]
    bar = html.Div(
        [
            html.Div([html.Span(className="brand-mark", **{"aria-hidden": "true"}),
                      html.Span(t("app.title", lang), className="brand-name"),
                      html.Span(t("app.subtitle", lang), className="brand-sub")],
                     className="brand"),
            html.Nav([dcc.Link(t(key, lang), href=language_href(path, lang),
                               className="nav-link" + (" nav-active" if _is_current(path, pathname) else ""))
                      for path, key in PAGES],
                     className="nav-links"),
            html.Div(switch, className="lang-switch", role="group",
                     **{"aria-label": t("nav.language", lang)}),
            *([html.Div([html.Span(user, className="nav-user", id=ids.NAV_USER),
                         html.Form([dcc.Input(type="hidden", name="csrf_token", value=csrf, readOnly=True),
                                    html.Button(t("login.logout", lang), type="submit", className="nav-logout",
                                                id=ids.NAV_LOGOUT)],
                                   method="post", action=language_href("/logout", lang),
                                   className="nav-logout-form")],
                        className="nav-account")] if user else []),
        ],
        className="navbar-inner",
    )
    return html.Div([bar, *[html.Div(text, className="navbar-notice", role="status") for text in notices]])
