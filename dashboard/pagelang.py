"""What every page needs from its request: the language it is asked for (``?lang=`` in the
URL on a full load, or in the router callback's ``search`` input when Dash switches pages
in the browser; else the deployment's default, setting ``language``) and how often it
checks for new data."""
from __future__ import annotations

from urllib.parse import parse_qs

from flask import has_request_context, request

from dashboard.context import maybe_app_context
from dashboard.i18n import normalise_language


def requested_language() -> str | None:
    if not has_request_context():
        return None
    if request.args.get("lang"):
        return request.args["lang"]
    body = request.get_json(silent=True) if request.is_json else None
    inputs = body.get("inputs", []) if isinstance(body, dict) else []
    searches = [i.get("value") for i in inputs if isinstance(i, dict) and i.get("property") == "search"]
    values = parse_qs((searches[0] or "").lstrip("?")).get("lang") if searches else None
    return values[0] if values else None


def default_language() -> str:
    ctx = maybe_app_context()
    return ctx.settings.language if ctx else "zh"


def page_language(lang: str | None = None) -> str:
    """``lang`` when given and known, else the requested one, else the default."""
    return normalise_language(lang or requested_language(), default_language())


def refresh_ms() -> int:
    """The pages' polling interval (setting ``refresh_interval_s``), at least a second."""
    ctx = maybe_app_context()
    seconds = ctx.settings.refresh_interval_s if ctx else 2
    return max(int(seconds * 1000), 1000)


def forbidden_notice(lang: str):
    """What a page shows a role it is not for (its callbacks are refused by ``dashboard.permit``)."""
    from dash import html

    from dashboard.context import current_user
    from dashboard.i18n import t

    user = current_user()
    role = t(f"login.role.{user.role}", lang) if user is not None else ""
    return html.Div(t("login.forbidden", lang, role=role), className="outcome outcome-forbidden", role="alert")
