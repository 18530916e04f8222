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

Here too: the filter bar's options, what each dimension's values are called (chips, series,
groups), how a chart's click becomes a selection, and the summary and notice those two
layers give the page. The charts are ``analysis_charts.py``, the tables ``analysis_tables.py``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable
from urllib.parse import urlencode

from dashboard.i18n import name_of, pick, plain, t
from dashboard.reader import UNPLACED, Reader
from dashboard.views.common import clicked, fmt_count, map_geometry

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
# The link parameters of a drill-down (``drilldown_link``).
LINK_PARAMS = {"village": "villages", "cell": "cells", "major": "majors", "category": "categories",
               "dept": "depts", "source": "sources"}
# The trend's breakdowns that a click selects on, and the dimension each selects.
BREAKDOWN_DIM = {"major": "major", "source": "source", "department": "dept", "village": "village"}
OTHER = "__other__"           # the trend's series of the smallest ones summed: selects nothing


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


def url_period(start: Any, end: Any) -> tuple[Any, Any]:
    """A link's half-open period [from, to) as the date picker's days, both included: the
    picker shows the last day counted, the day before ``to``."""
    last = _date(end)
    return start, (last - timedelta(days=1)).isoformat() if last is not None else end


def period_end(filters: "AnalysisFilters") -> date:
    """The first day the period no longer counts: periods read half-open [from, to)."""
    return filters.to_day + timedelta(days=1)


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


@dataclass(frozen=True)
class AnalysisView:
    """Whose matters, through which filters and clicks, as of when."""

    scope: tuple[int, ...]
    filters: AnalysisFilters
    now: datetime
    selection: dict = field(default_factory=dict)

    def cohort(self, own: Iterable[str] = ()) -> dict[str, Any]:
        return cohort_params(self.scope, self.filters, self.selection, own)

    def indicator_filters(self) -> dict[str, Any]:
        return indicator_filter_params(self.scope, self.filters, self.selection)


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


# -- names ---------------------------------------------------------------------------------
def dimension_label(dim: str, lang: str) -> str:
    return t(f"an.dim.{dim}", lang)


def weekday_label(dow: int, lang: str) -> str:
    return t(f"an.dow.{int(dow)}", lang)


def week_hour_label(value: int, lang: str) -> str:
    dow, hour = from_week_hour(value)
    return t("an.week_hour", lang, day=weekday_label(dow, lang), hour=hour, next=hour + 1)


def series_label(kind: str, key: Any, name: Any, name_en: Any, lang: str) -> str:
    """The name of a trend series or a table group: departments, villages, 大类, sources,
    小类, cells; -1 / '' (none) in words."""
    key = plain(key)
    if kind in ("all", "none", "township"):
        return t("an.township", lang)
    if kind == "source":
        return name_of("source", key, lang)
    if key in ("-1", ""):
        return t(f"an.none.{kind}", lang)
    return pick(name, name_en, lang) or key


# -- clicks → the cross-filter --------------------------------------------------------------------
# Which dimension a click on each chart selects; the trend's depends on its breakdown.
CLICK_DIMENSIONS = {"categories": "category", "sources": "source", "departments": "dept",
                    "heatmap": "week_hour", "map": "cell"}


def click_selection(chart: str, click: dict | None, *, breakdown: str | None = None) -> tuple[str, Any, str] | None:
    """(dimension, value, label) from a chart's ``clickData``; None when the click selects
    nothing (the trend without a breakdown, "other", the map's outlines)."""
    points = (click or {}).get("points") or []
    if not points:
        return None
    point = points[0]
    dim = BREAKDOWN_DIM.get(breakdown or "") if chart == "trend" else CLICK_DIMENSIONS.get(chart)
    if dim is None:
        return None
    if chart == "map":
        location = point.get("location")
        return (dim, int(location), "") if location is not None else None
    if chart == "heatmap":       # the Graph passes a heatmap's x and y, not its customdata
        x, y = point.get("x"), point.get("y")
        if not isinstance(x, (int, float)) or not isinstance(y, (int, float)) or not (0 <= x < 24 and 0 <= y < 7):
            return None
        return dim, week_hour(int(y) + 1, int(x)), ""
    data = point.get("customdata")
    if not isinstance(data, (list, tuple)) or len(data) < 2 or data[0] in (None, OTHER):
        return None
    try:
        value = selection_value(dim, data[0])
    except (TypeError, ValueError):
        return None
    return dim, value, str(data[1])


# -- the cross-filter's state machine ------------------------------------------------------------
def next_selection(selection: dict | None, triggered_id: Any, clicks: dict[str, dict | None],
                   chip_inputs: list[dict[str, Any]], breakdown: str | None, *, graph_ids: dict[str, str],
                   clear_all_id: str, label_of: Callable[[str, Any], str]) -> dict | None:
    """The cross-filter after one event: a chart click toggles its value, a chip's button
    clears its dimension, the clear-all button everything. None: nothing changes."""
    selection = dict(selection or {})
    if triggered_id == clear_all_id:
        return {} if selection else None
    if isinstance(triggered_id, dict):
        button = clicked(triggered_id, chip_inputs)
        if button is None or button.get("dim") not in selection:
            return None
        return clear(selection, button["dim"])
    chart = next((name for name, id_ in graph_ids.items() if id_ == triggered_id), None)
    if chart is None:
        return None
    picked = click_selection(chart, clicks.get(chart), breakdown=breakdown)
    if picked is None:
        return None
    dim, value, label = picked
    return toggle(selection, dim, value, label or label_of(dim, value))


# -- the chips' text -----------------------------------------------------------------------------
def click_label(reader: Reader, scope: Iterable[int], dim: str, value: Any, lang: str) -> str:
    """The chip's text for a clicked value whose chart does not carry its name."""
    if dim == "cell":
        return cell_label(reader, scope, value)
    if dim == "week_hour":
        return week_hour_label(value, lang)
    return str(value)


def cell_label(reader: Reader, scope: Iterable[int], cell_id: int) -> str:
    """A cell's name and village, for its chip."""
    for feature in map_geometry(reader, scope).geojson.get("features", []):
        if int(feature.get("id", -999)) == int(cell_id):
            props = feature.get("properties", {})
            return f"{plain(props.get('name'))} ({plain(props.get('code'))})"
    return str(cell_id)


# -- filter options ----------------------------------------------------------------------------------
def filter_options(reader: Reader, scope: Iterable[int], lang: str) -> dict[str, list[dict]]:
    """Every dropdown's options; cells and 小类 carry their village / 大类 for narrowing."""
    scope = list(scope)
    villages = reader.run("reference/villages", scope=scope)
    cells = reader.run("reference/cells", scope=scope)
    majors = reader.run("reference/majors")
    categories = reader.run("analysis/category_tree")
    depts = reader.run("reference/departments")
    return {
        "villages": [{"label": plain(n), "value": int(v)} for v, n in zip(villages["village_id"], villages["name"])],
        "cells": [{"label": f"{plain(n)} · {plain(c)[-3:]}", "value": int(i), "village": int(v)}
                  for i, n, c, v in zip(cells["cell_id"], cells["name"], cells["code"], cells["village_id"])],
        "majors": [{"label": f"{code} {pick(zh, en, lang)}", "value": code}
                   for code, zh, en in zip(majors["major_code"], majors["major_name"], majors["major_name_en"])],
        "categories": [{"label": f"{code} {pick(zh, en, lang)}", "value": int(cid), "major": major}
                       for cid, code, zh, en, major in zip(categories["category_id"], categories["code"],
                                                           categories["name"], categories["name_en"],
                                                           categories["major_code"])],
        "sources": [{"label": name_of("source", s, lang), "value": s}
                    for s in reader.run("reference/sources")["source"]],
        "depts": [{"label": pick(zh, en, lang), "value": int(d)}
                  for d, zh, en in zip(depts["dept_id"], depts["name"], depts["name_en"])]
                 + [{"label": t("filter.unassigned", lang), "value": UNPLACED}],
    }


def narrow_options(options: list[dict], parent_key: str, parents: list | None) -> list[dict]:
    """The tree: cells of the chosen villages, 小类 of the chosen 大类 (all when none is
    chosen); the parent key is dropped (a dropdown option takes label and value)."""
    chosen = set(parents or [])
    return [{"label": o["label"], "value": o["value"]} for o in options
            if not chosen or o.get(parent_key) in chosen]


def shown_options(options: dict[str, list[dict]], chosen: dict[str, list | None]) -> dict[str, list[dict]]:
    """What each dropdown lists given the values chosen: the tree narrowed, parents dropped."""
    plain_options = lambda items: [{"label": o["label"], "value": o["value"]} for o in items]  # noqa: E731
    return {
        "villages": plain_options(options["villages"]), "majors": plain_options(options["majors"]),
        "sources": plain_options(options["sources"]), "depts": plain_options(options["depts"]),
        "cells": narrow_options(options["cells"], "village", chosen.get("villages")),
        "categories": narrow_options(options["categories"], "major", chosen.get("majors")),
    }


def prune_values(values: list | None, options: list[dict]) -> list:
    """The chosen values still among ``options`` (a village unticked drops its cells)."""
    allowed = {o["value"] for o in options}
    return [v for v in (values or []) if v in allowed]


# -- what the page says ------------------------------------------------------------------------------
def summary_text(reader: Reader, view: AnalysisView, lang: str) -> str:
    """"2026-10-28 – 2026-11-26 · 受理 8,553 件" for the toolbar."""
    total = int(reader.run("analysis/sources", **view.cohort())["received"].sum())
    return t("an.summary", lang, start=view.filters.from_day.isoformat(), end=period_end(view.filters).isoformat(),
             n=fmt_count(total))


def notice_kind(reader: Reader, view: AnalysisView) -> str | None:
    """Why the panels may be empty: "filtered" (the filters or clicks match nothing), "none"
    (nothing was received in the period at all), or None."""
    if int(reader.run("analysis/sources", **view.cohort())["received"].sum()) > 0:
        return None
    if view.filters.active or view.selection:
        return "filtered"
    return "none"


def drilldown_link(row: dict[str, Any]) -> str:
    """Where the analysis page shows what a warning concerns."""
    params: dict[str, Any] = {}
    if row.get("matter_id") is not None:
        params["matter"] = row["matter_id"]
    for key, column in (("village", "village_id"), ("cell", "cell_id"), ("dept", "dept_id"),
                        ("major", "major_code"), ("category", "category_id")):
        if row.get(column) is not None:
            params[key] = row[column]
    if row.get("window_start") is not None:
        params["from"] = str(row["window_start"])[:10]
    if row.get("window_end") is not None:   # the window's last day; the link's period is half-open
        params["to"] = (date.fromisoformat(str(row["window_end"])[:10]) + timedelta(days=1)).isoformat()
    return "/analysis?" + urlencode(params)
