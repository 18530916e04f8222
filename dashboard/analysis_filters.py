"""What the analysis page (分析研判) looks at: the filter bar's selection and the
cross-filter, as plain values that travel in ``dcc.Store``s and become bound parameters.

Two layers narrow every panel:

* ``AnalysisFilters`` — the filter bar: the period, area (villages, then cells), the
  category tree (大类, then 小类), source and department. ``None`` means "all".
* the cross-filter (``selection``) — what was clicked on a chart: one value per dimension
  (a village, a cell, a 大类, a 小类, a source, a department, an hour of the week), shown as
  a chip that clears it. A panel is not narrowed by the dimension it draws (the bar chart
  of sources still shows every source, the clicked one highlighted); every other panel is.

Filters and clicks on the same dimension combine as an intersection: a click outside the
filter matches nothing, which the page says rather than hiding.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable

MAX_SPAN_DAYS = 3 * 366          # as the indicators API: a period is never unbounded history
DEFAULT_DAYS = 30

# The filter bar's dropdowns: name → the dimension it filters.
FILTER_DIMENSIONS = {"villages": "village", "cells": "cell", "majors": "major", "categories": "category",
                     "sources": "source", "depts": "dept"}
FILTER_NAMES = tuple(FILTER_DIMENSIONS)
# The cross-filter's dimensions, in the order their chips show.
DIMENSIONS = ("village", "cell", "major", "category", "source", "dept", "week_hour")
_KINDS = {"village": int, "cell": int, "major": str, "category": int, "source": str, "dept": int, "week_hour": int}
# Query parameter names of analysis/*.sql per dimension.
PARAM_OF = {"village": "villages", "cell": "cell_ids", "major": "majors", "category": "category_ids",
            "source": "sources", "dept": "depts", "week_hour": "week_hours"}
FIELD_OF = {dim: name for name, dim in FILTER_DIMENSIONS.items()}
# The link parameters of a drill-down (dashboard/http/analysis.py ``drilldown_link``).
LINK_PARAMS = {"village": "villages", "cell": "cells", "major": "majors", "category": "categories",
               "dept": "depts", "source": "sources"}


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _values(items: Any, kind: type) -> tuple | None:
    if items is None or items == "" or items == []:
        return None
    if isinstance(items, (str, int)):
        items = [items]
    out = set()
    for item in items:
        try:
            out.add(kind(item))
        except (TypeError, ValueError):
            continue
    return tuple(sorted(out)) if out else None


def default_period(today: date, days: int = DEFAULT_DAYS) -> tuple[date, date]:
    return today - timedelta(days=days - 1), today


@dataclass(frozen=True)
class AnalysisFilters:
    from_day: date
    to_day: date
    villages: tuple[int, ...] | None = None
    cells: tuple[int, ...] | None = None
    majors: tuple[str, ...] | None = None
    categories: tuple[int, ...] | None = None
    sources: tuple[str, ...] | None = None
    depts: tuple[int, ...] | None = None

    @classmethod
    def from_values(cls, values: dict[str, Any] | None, start: Any, end: Any, today: date) -> "AnalysisFilters":
        """From the page's inputs: dates as ISO text (missing: the last 30 days; reversed:
        swapped; longer than MAX_SPAN_DAYS: cut to the last MAX_SPAN_DAYS), lists of ids."""
        values = values or {}
        first, last = _date(start), _date(end)
        if first is None or last is None:
            first, last = default_period(today)
        if first > last:
            first, last = last, first
        if (last - first).days + 1 > MAX_SPAN_DAYS:
            first = last - timedelta(days=MAX_SPAN_DAYS - 1)
        return cls(first, last,
                   villages=_values(values.get("villages"), int), cells=_values(values.get("cells"), int),
                   majors=_values(values.get("majors"), str), categories=_values(values.get("categories"), int),
                   sources=_values(values.get("sources"), str), depts=_values(values.get("depts"), int))

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"from": self.from_day.isoformat(), "to": self.to_day.isoformat()}
        for name in FILTER_NAMES:
            value = getattr(self, name)
            data[name] = list(value) if value is not None else None
        return data

    @classmethod
    def from_data(cls, data: dict | None, today: date) -> "AnalysisFilters":
        data = data or {}
        return cls.from_values(data, data.get("from"), data.get("to"), today)

    @property
    def active(self) -> bool:
        return any(getattr(self, name) is not None for name in FILTER_NAMES)


# -- the cross-filter ------------------------------------------------------------------------
def selection_value(dim: str, value: Any) -> Any:
    return _KINDS[dim](value)


def toggle(selection: dict | None, dim: str, value: Any, label: str) -> dict:
    """Select ``value`` on ``dim``; clicking the selected value again clears it."""
    selection = dict(selection or {})
    if dim not in _KINDS:
        return selection
    value = selection_value(dim, value)
    current = selection.get(dim)
    if current is not None and current.get("value") == value:
        selection.pop(dim)
    else:
        selection[dim] = {"value": value, "label": str(label)}
    return selection


def clear(selection: dict | None, dim: str | None = None) -> dict:
    """Without ``dim``, everything."""
    if dim is None:
        return {}
    selection = dict(selection or {})
    selection.pop(dim, None)
    return selection


def selected(selection: dict | None, dim: str) -> Any:
    item = (selection or {}).get(dim)
    return item.get("value") if item else None


def chips(selection: dict | None) -> list[tuple[str, str]]:
    """(dimension, label) of every active cross-filter, in ``DIMENSIONS`` order."""
    selection = selection or {}
    return [(dim, selection[dim]["label"]) for dim in DIMENSIONS if dim in selection]


def _narrow(base: tuple | None, value: Any) -> list:
    if base is None:
        return [value]
    return [v for v in base if v == value]


def narrowed(filters: AnalysisFilters, selection: dict | None, own: Iterable[str] = ()) -> dict[str, list | None]:
    """Every dimension's values after the filter bar and the cross-filter, leaving out the
    cross-filter on the dimensions in ``own`` (those the asking panel draws). Keys are the
    query parameter names; None means "all", an empty list "nothing"."""
    own = set(own)
    out: dict[str, list | None] = {}
    for dim in DIMENSIONS:
        base = getattr(filters, FIELD_OF[dim]) if dim in FIELD_OF else None
        value = selected(selection, dim)
        if value is not None and dim not in own:
            out[PARAM_OF[dim]] = _narrow(base, value)
        else:
            out[PARAM_OF[dim]] = list(base) if base is not None else None
    return out


def cohort_params(scope: Iterable[int], filters: AnalysisFilters, selection: dict | None,
                  own: Iterable[str] = ()) -> dict[str, Any]:
    """The bound parameters every ``analysis/*.sql`` query shares."""
    return {"scope": list(scope), **narrowed(filters, selection, own),
            "from_day": filters.from_day, "to_day": filters.to_day}


def indicator_filter_params(scope: Iterable[int], filters: AnalysisFilters, selection: dict | None) -> dict[str, Any]:
    """The filters of ``indicators/by_group`` and ``indicators/department_ranking``: the
    same, less the hour of the week (the indicator rollup counts by day)."""
    params = cohort_params(scope, filters, selection)
    params.pop("week_hours")
    return params


def week_hour(dow: int, hour: int) -> int:
    """ISO weekday 1–7 and hour 0–23 → 0…167, as the queries count."""
    return (int(dow) - 1) * 24 + int(hour)


def from_week_hour(value: int) -> tuple[int, int]:
    return int(value) // 24 + 1, int(value) % 24


# -- drill-down links -------------------------------------------------------------------------
def initial_values(query: dict[str, Any]) -> dict[str, list]:
    """Dropdown values from a drill-down link's parameters (``village``, ``cell``, ``dept``,
    ``major``, ``category``, ``source``); unknown or malformed ones are ignored."""
    values: dict[str, list] = {}
    for param, name in LINK_PARAMS.items():
        raw = query.get(param)
        if raw is None:
            continue
        items = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
        parsed = _values([i for i in items if str(i).strip() != ""], str if name in ("majors", "sources") else int)
        if parsed:
            values[name] = list(parsed)
    return values
