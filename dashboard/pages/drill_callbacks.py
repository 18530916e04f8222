"""The callbacks the village (``/area/<code>``) and cell (``/cell/<code>``) pages share: the
tick, the KPI strip, the layered map and its switches, a map click one level down, the
30-day history and the lists. Defined once here (both pages import this module), each
reading where the page is from the ``PLACE`` store: codes only, looked up again within the
viewer's scope on every call, so a hand-edited store reaches nothing more than the URL would.
(Not a page: Dash registers only the modules here that register themselves.)"""
from __future__ import annotations

from typing import Any

from dash import ALL, Input, Output, Patch, State, callback, ctx, no_update

from dashboard import clock
from dashboard.components.ids import drill as ids
from dashboard.context import app_context, viewer_scope
from dashboard.pages import drill_layout
from dashboard.views import common, drill, drill_resources
from layers.focus import layer_visibility


class Where:
    """The page's village (and cell) resolved in the viewer's scope; ``village`` None when
    the code is unknown or out of scope."""

    def __init__(self, place: dict | None) -> None:
        place = place or {}
        reader = app_context().reader
        self.scope = viewer_scope()
        self.cell = drill.find_cell(reader, self.scope, place.get("cell")) if place.get("cell") else None
        code = self.cell.village_code if self.cell else place.get("village")
        self.village = drill.find_village(reader, self.scope, code)
        if place.get("cell") and self.cell is None:
            self.village = None

    @property
    def cell_id(self) -> int | None:
        return self.cell.cell_id if self.cell else None


def _now(tick: dict | None):
    return common.as_of_from_tick(tick, clock.now())


def _yellow() -> float:
    return app_context().settings.yellow_fraction


def _minutes_per_day() -> int:
    return common.day_minutes(app_context().store, clock.now())


@callback(Output(ids.TICK, "data"), Input(ids.INTERVAL, "n_intervals"), State(ids.TICK, "data"))
def refresh_tick(_n: int, current: dict | None):
    latest = common.tick(app_context().reader, clock.now())
    return no_update if latest == current else latest


@callback(Output(ids.kpi_value(ALL), "children"), Output(ids.kpi_detail(ALL), "children"),
          Output(ids.AS_OF, "children"),
          Input(ids.TICK, "data"), Input(ids.PLACE, "data"), State(ids.LANG, "data"))
def update_kpis(tick: dict | None, place: dict | None, lang: str):
    where = Where(place)
    keys = [item["id"]["key"] for item in ctx.outputs_list[0]]
    if where.village is None:
        return ["—"] * len(keys), [""] * len(keys), no_update
    now = _now(tick)
    shown = drill.kpi_tiles(app_context().reader, where.scope, now, _yellow(), lang,
                            village_id=where.village.village_id, cell_id=where.cell_id)
    return [shown[k][0] for k in keys], [shown[k][1] for k in keys], common.as_of_text(now, lang)


@callback(Output(ids.MAP, "figure"), Output(ids.MAP_LAYERS, "data"), Output(ids.CELL_CODES, "data"),
          Input(ids.PLACE, "data"), Input(ids.TICK, "data"), State(ids.LAYER_SWITCH, "value"),
          State(ids.LANG, "data"))
def draw_map(place: dict | None, tick: dict | None, shown: list | None, lang: str):
    where = Where(place)
    if where.village is None:
        return no_update, no_update, no_update
    ctx_ = app_context()
    extra = (drill_resources.resource_map_traces(
        drill_resources.cell_resources(ctx_.reader, where.scope, where.cell.code), lang) if where.cell else [])
    figure, layers = drill.drill_map(ctx_.reader, where.scope, _now(tick), _yellow(), lang,
                                     village_id=where.village.village_id, cell_id=where.cell_id,
                                     tile_url=ctx_.settings.map_tile_url,
                                     tile_attribution=ctx_.settings.map_tile_attribution,
                                     shown=shown if shown is not None else drill.DEFAULT_LAYERS,
                                     extra_traces=extra)
    codes = {str(k): list(v) for k, v in drill.cell_codes(ctx_.reader, where.scope).items()
             if v[1] == where.village.code}
    return figure, layers, codes


@callback(Output(ids.MAP, "figure", allow_duplicate=True), Input(ids.LAYER_SWITCH, "value"),
          State(ids.MAP_LAYERS, "data"), prevent_initial_call=True)
def switch_layers(shown: list | None, layers: list | None):
    if not layers:
        return no_update
    patch = Patch()
    for i, visible in enumerate(layer_visibility(layers, shown or [])):
        patch["data"][i]["visible"] = visible
    return patch


@callback(Output(ids.NAV, "href"), Input(ids.MAP, "clickData"), State(ids.CELL_CODES, "data"),
          State(ids.LANG, "data"), prevent_initial_call=True)
def go_down(click: dict | None, codes: dict | None, lang: str):
    """A cell opens the cell's page, a point its matter's; codes come from the server's own
    look-up of the page's village (a stale or edited store still meets the page's scope
    check when the next page opens)."""
    target = drill.click_target(click, {int(k): tuple(v) for k, v in (codes or {}).items()}, lang, level="area")
    return target or no_update


@callback(Output(ids.TREND, "figure"), Input(ids.TICK, "data"), Input(ids.PLACE, "data"), State(ids.LANG, "data"))
def update_trend(tick: dict | None, place: dict | None, lang: str):
    where = Where(place)
    if where.village is None:
        return no_update
    return drill.trend_figure(app_context().reader, where.scope, _now(tick), lang,
                              village_id=where.village.village_id, cell_id=where.cell_id)


@callback(Output(ids.OPEN_LIST, "children"), Input(ids.TICK, "data"), Input(ids.PLACE, "data"),
          State(ids.LANG, "data"))
def update_open_list(tick: dict | None, place: dict | None, lang: str):
    where = Where(place)
    if where.village is None:
        return no_update
    frame = drill.open_matters_frame(app_context().reader, where.scope, _now(tick), _yellow(),
                                     village_id=where.village.village_id, cell_id=where.cell_id)
    rows = drill.open_matter_rows(frame, lang, _minutes_per_day())
    return drill_layout.open_matter_table(rows, lang, with_cell=where.cell is None)


# -- the village page only -------------------------------------------------------------------------
@callback(Output(ids.DEPT_CHART, "figure"), Input(ids.TICK, "data"), Input(ids.PLACE, "data"),
          Input(ids.DEPT_CHART, "id"), State(ids.LANG, "data"))
def update_departments(tick: dict | None, place: dict | None, _id: Any, lang: str):
    where = Where(place)
    if where.village is None:
        return no_update
    return drill.department_figure(app_context().reader, where.scope, _now(tick), _yellow(), lang,
                                   where.village.village_id)


@callback(Output(ids.CELL_LIST, "children"), Input(ids.TICK, "data"), Input(ids.PLACE, "data"),
          Input(ids.CELL_LIST, "id"), State(ids.LANG, "data"))
def update_cell_list(tick: dict | None, place: dict | None, _id: Any, lang: str):
    where = Where(place)
    if where.village is None:
        return no_update
    rows = drill.cell_rows(app_context().reader, where.scope, _now(tick), _yellow(), where.village.village_id, lang)
    return drill_layout.cell_table(rows, lang)


# -- the cell page only -------------------------------------------------------------------------------
@callback(Output(ids.WARNINGS, "children"), Input(ids.TICK, "data"), Input(ids.PLACE, "data"),
          Input(ids.WARNINGS, "id"), State(ids.LANG, "data"))
def update_warnings(tick: dict | None, place: dict | None, _id: Any, lang: str):
    where = Where(place)
    if where.cell is None:
        return no_update
    reader = app_context().reader
    frame = drill.open_matters_frame(reader, where.scope, _now(tick), _yellow(),
                                     village_id=where.village.village_id, cell_id=where.cell_id)
    rows = drill.cell_warning_rows(reader, where.scope, where.cell, [str(int(m)) for m in frame["matter_id"]],
                                   lang, _minutes_per_day())
    return drill_layout.warning_list(rows, lang)


@callback(Output(ids.RES_LIST, "children"), Input(ids.TICK, "data"), Input(ids.PLACE, "data"),
          Input(ids.RES_LIST, "id"), State(ids.LANG, "data"))
def update_resources(_tick: dict | None, place: dict | None, _id: Any, lang: str):
    """The resources in the cell or within 500 m of it, nearest first."""
    where = Where(place)
    if where.cell is None:
        return no_update
    frame = drill_resources.cell_resources(app_context().reader, where.scope, where.cell.code)
    return drill_layout.resource_table(drill_resources.resource_rows(frame, lang), lang)
