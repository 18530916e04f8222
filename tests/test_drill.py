"""The drill-down without a browser (dashboard/views/drill.py, queries/sql/drill): look-ups
that answer an unknown and an out-of-scope code alike, the KPI strip of a village equal to
the overview's filtered to it and the sum of its cells', lists with lights in words, the
30-day history, map clicks, the overview's state in its URL, and the departments a matter
involved, on the demo township."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from dashboard.context import whole_township
from dashboard.reader import Reader
from dashboard.views import drill
from dashboard.views import overview as panels
from tests.conftest import DEMO_AS_OF

YELLOW = 0.25
MINUTES_PER_DAY = 450


@pytest.fixture
def reader(demo_store) -> Reader:
    return Reader(demo_store)


@pytest.fixture
def scope(demo_store) -> list[int]:
    return whole_township(demo_store)


@pytest.fixture
def busy_village(reader, scope, demo_store) -> drill.Village:
    """The village with the most open matters."""
    code = demo_store.scalar("SELECT v.code FROM open_matters o JOIN areas v ON v.area_id = o.village_id "
                             "GROUP BY v.code ORDER BY count(*) DESC, v.code LIMIT 1")
    return drill.find_village(reader, scope, code)


def test_a_village_and_a_cell_are_found_by_code_only_in_scope(reader, scope, busy_village):
    assert busy_village is not None and busy_village.cell_count > 0
    cells = drill.village_cells(reader, scope, busy_village.village_id)
    assert len(cells) == busy_village.cell_count
    cell = drill.find_cell(reader, scope, cells[0].code)
    assert cell == cells[0] and cell.village_code == busy_village.code
    assert cell.worker_name and cell.worker_phone.isdigit()          # the grid worker and a contact
    other = [v for v in scope if v not in (busy_village.village_id, -1)][:1]
    # Outside the scope: the same None as an unknown or malformed code.
    assert drill.find_village(reader, other, busy_village.code) is None
    assert drill.find_cell(reader, other, cell.code) is None
    for code in ("", "abc", busy_village.code + "9", "３２１００３１０１００１", None):
        assert drill.find_village(reader, scope, code) is None
    assert drill.find_cell(reader, scope, "321003101999999") is None


def test_the_village_strip_is_the_overview_filtered_to_it_and_the_sum_of_its_cells(reader, scope, busy_village):
    now = DEMO_AS_OF
    view = panels.View(scope=tuple(scope), now=now, yellow_share=YELLOW,
                       filters=panels.Filters(villages=(busy_village.village_id,)))
    expected = panels.kpi_display(panels.kpi_values(reader, view), "zh", YELLOW)
    assert drill.kpi_tiles(reader, scope, now, YELLOW, "zh", village_id=busy_village.village_id) == expected
    totals: dict[str, int] = {}
    for cell in drill.village_cells(reader, scope, busy_village.village_id):
        row = reader.run("drill/kpis", scope=scope, villages=[busy_village.village_id], cell_ids=[cell.cell_id],
                         now=now, yellow_share=YELLOW).iloc[0]
        for key in ("received_today", "closed_today", "open_count", "overdue_count", "closed_with_due_30d",
                    "closed_on_time_30d", "rated_30d", "satisfied_30d"):
            totals[key] = totals.get(key, 0) + int(row[key])
    village = panels.kpi_values(reader, view)
    assert {k: int(village[k]) for k in totals} == totals
    # The viewer's scope still bounds it: a scope without the village sees nothing there.
    other = [v for v in scope if v != busy_village.village_id]
    empty = drill.kpi_tiles(reader, other, now, YELLOW, "zh", village_id=busy_village.village_id)
    assert empty["open"][0] == "0" and empty["on_time_rate"][0] == "—"


def test_open_matters_of_a_cell_carry_their_light_in_words(reader, scope, busy_village, demo_store):
    cell_id = demo_store.scalar("SELECT cell_id FROM open_matters WHERE village_id = ? GROUP BY cell_id "
                                "ORDER BY count(*) DESC LIMIT 1", [busy_village.village_id])
    frame = drill.open_matters_frame(reader, scope, DEMO_AS_OF, YELLOW, village_id=busy_village.village_id,
                                     cell_id=cell_id)
    expected = demo_store.scalar("SELECT count(*) FROM open_matters WHERE cell_id = ?", [cell_id])
    assert len(frame) == expected > 0
    rows = drill.open_matter_rows(frame, "zh", MINUTES_PER_DAY)
    assert {r["cell_code"] for r in rows} == {demo_store.scalar("SELECT code FROM areas WHERE area_id = ?",
                                                                [cell_id])}
    for r in rows:
        assert r["light_label"] in ("超期", "临期", "正常", "暂停计时", "无时限") and r["remaining_text"]
        assert r["href"] == f"/matter/{r['matter_id']}"
    ranks = [panels.LIGHT_RANK[r["light"]] for r in rows]
    assert ranks == sorted(ranks)                                   # most urgent first
    assert drill.open_matter_rows(frame, "en", MINUTES_PER_DAY)[0]["href"].endswith("?lang=en")


def test_the_30_day_history_has_every_day_and_sums_to_the_rollup(reader, scope, busy_village, demo_store):
    fig = drill.trend_figure(reader, scope, DEMO_AS_OF, "zh", village_id=busy_village.village_id)
    received = list(fig.data[0].y)
    assert len(received) == 30
    start = (pd.Timestamp(DEMO_AS_OF).normalize() - pd.Timedelta(days=29)).to_pydatetime()
    expected = demo_store.scalar("SELECT count(*) FROM matters WHERE village_id = ? AND created_at >= ?",
                                 [busy_village.village_id, start])
    assert sum(received) == expected


def test_a_map_click_goes_one_level_down():
    codes = {7: ("321003101001007", "321003101001")}
    cell_click = {"points": [{"location": 7, "customdata": [1, 0, 0, "正常"]}]}
    assert drill.click_target(cell_click, codes, "zh", level="township") == "/area/321003101001"
    assert drill.click_target(cell_click, codes, "en", level="area") == "/cell/321003101001007?lang=en"
    assert drill.click_target({"points": [{"customdata": "2026111800004"}]}, codes, "zh",
                              level="area") == "/matter/2026111800004"
    assert drill.click_target({"points": [{"location": 8}]}, codes, "zh", level="area") is None  # not in scope
    assert drill.click_target(None, codes, "zh", level="area") is None


def test_the_overview_state_reads_back_from_its_query_string():
    filters = drill.filters_from_query({"villages": "101,102,x", "sources": "grid,<script>", "majors": "01",
                                        "depts": "-1,3", "lang": "en"})
    assert filters == panels.Filters(villages=(101, 102), sources=("grid",), majors=("01",), depts=(-1, 3))
    assert drill.filters_from_query({}) == panels.Filters()
    assert drill.map_view("119.4,32.4,12.5") == {"center": {"lon": 119.4, "lat": 32.4}, "zoom": 12.5}
    for bad in ("", "1,2", "a,b,c", "500,0,3", "0,0,99", "nan,0,1"):
        assert drill.map_view(bad) is None


def test_breadcrumbs_link_every_level_above_the_current_one():
    village = drill.Village(100, "321003101001", "康乐社区", 24)
    cell = drill.Cell(1000, "321003101001001", "康乐社区第01网格", 100, "321003101001", "康乐社区", "马敏", "1")
    crumbs = drill.breadcrumb("zh", village=village, cell=cell, matter_id="2026111800004")
    assert crumbs == [("全镇", "/"), ("康乐社区", "/area/321003101001"),
                      ("康乐社区第01网格 (321003101001001)", "/cell/321003101001001"), ("事项 2026111800004", None)]
    assert drill.breadcrumb("en", village=village)[-1] == ("康乐社区", None)


def test_departments_involved_say_who_led_and_what_each_did():
    def event(seq, action, actor, dept=None):
        return {"seq": seq, "action": action, "actor": actor, "occurred_at": datetime(2026, 11, 16, 9, seq),
                "dept_id": dept}

    events = pd.DataFrame([event(1, "accept", "王敏"), event(2, "dispatch", "王敏", 5), event(3, "return", "李四"),
                           event(4, "dispatch", "王敏", 7), event(5, "sign", "张三"), event(6, "feedback", "张三")])
    depts = drill.matter_departments(events, 7, [9], {5: "城建办", 7: "环卫所", 9: "派出所"}, "zh")
    assert [(d["name"], d["role"]) for d in depts] == [("城建办", "former"), ("环卫所", "lead"), ("派出所", "co")]
    assert depts[0]["did"] == ["11-16 09:02 派单 (王敏)", "11-16 09:03 退回 (李四)"]
    assert [x.split(" ", 2)[2] for x in depts[1]["did"]] == ["派单 (王敏)", "签收 (张三)", "反馈 (张三)"]
    assert depts[2]["did"] == ["尚无办理记录"]


def test_the_village_map_zooms_to_its_cells_with_switchable_layers(reader, scope, busy_village):
    figure, layers = drill.drill_map(reader, scope, DEMO_AS_OF, YELLOW, "zh", village_id=busy_village.village_id)
    assert set(layers) >= {"cells", "villages", "heat", "hot", "points"}
    grid = figure.data[layers.index("cells")]
    assert len(grid.locations) == busy_village.cell_count
    assert figure.layout.map.style == "white-bg" and not figure.layout.map.layers      # offline by default
    assert [tr.visible for tr, layer in zip(figure.data, layers) if layer in ("heat", "hot")] == [False, False]
    township, _ids = panels.map_figure(reader, panels.View(scope=tuple(scope), now=DEMO_AS_OF, yellow_share=YELLOW),
                                       "zh")
    assert figure.layout.map.zoom > township.layout.map.zoom
    tiled, _ = drill.drill_map(reader, scope, DEMO_AS_OF, YELLOW, "zh", village_id=busy_village.village_id,
                               tile_url="https://tiles.example/{z}/{x}/{y}.png")
    assert tiled.layout.map.layers[0].source == ("https://tiles.example/{z}/{x}/{y}.png",)
