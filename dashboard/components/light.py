"""The light badge (红/黄/绿灯): a dot drawn with CSS plus the light's name, never an
emoji, so it renders the same on every machine and reads in grey-scale print too
(each light has its own shape through CSS, not only its colour)."""
from __future__ import annotations

from dash import html

from dashboard.i18n import name_of

LIGHTS = ("red", "yellow", "green", "paused", "none", "empty")


def light_class(light: str | None) -> str:
    light = light if light in LIGHTS else "none"
    return f"light-dot light-{light}"


def light_badge(light: str | None, lang: str, text: str | None = None) -> html.Span:
    """A badge: the CSS dot and the light's name, or ``text`` (e.g. remaining time)."""
    light = light if light in LIGHTS else "none"
    label = name_of("light", light, lang)
    return html.Span(
        [html.Span(className=light_class(light), **{"aria-hidden": "true"}),
         html.Span(text if text is not None else label, className="light-text")],
        className=f"light-badge light-badge-{light}",
        title=label,
    )


def grid_cell_class_rules() -> dict[str, str]:
    """AG Grid ``cellClassRules`` that put the CSS light on a cell from its row's light."""
    return {f"light-cell light-cell-{light}": f"params.data && params.data.light === '{light}'"
            for light in LIGHTS}


def light_legend(lang: str) -> html.Div:
    """The lights as a row of badges: the key to the table's light column."""
    return html.Div([light_badge(light, lang) for light in ("red", "yellow", "green", "paused", "none")],
                    className="light-legend")
