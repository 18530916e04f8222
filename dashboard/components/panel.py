"""A panel frame (title, optional subtitle and tools, body) and the empty-state note."""
from __future__ import annotations

from typing import Any

from dash import html


def panel(title: str, body: Any, *, subtitle: str | None = None, tools: Any = None,
          class_name: str = "") -> html.Section:
    head = [html.H2(title, className="panel-title")]
    if subtitle:
        head.append(html.Span(subtitle, className="panel-subtitle"))
    if tools is not None:
        head.append(html.Div(tools, className="panel-tools"))
    return html.Section([html.Header(head, className="panel-head"), html.Div(body, className="panel-body")],
                        className=f"panel {class_name}".strip())


def notice(title: str, hint: str | None = None, kind: str = "empty") -> html.Div:
    """An explanation in place of data (nothing imported yet, nothing matches)."""
    children = [html.Div(title, className="notice-title")]
    if hint:
        children.append(html.Div(hint, className="notice-hint"))
    return html.Div(children, className=f"notice notice-{kind}", role="status")
