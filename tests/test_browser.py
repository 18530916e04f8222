"""The real thing: the server as a subprocess on a copy of the demo database, and real
Chromium looking at the overview in Chinese and in English.

Fails on any console error, failed request or Dash error overlay. Screenshots land in
the test's temporary folder (printed), or in $TOWNSHIP_SCREENSHOTS when set.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.launch import running_server
from tests.conftest import CHROMIUM, LAUNCH_ARGS  # noqa: F401 (the desk and analysis tests import them here)
from tests.servers import copy_db

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_db_path):
    """``python -m dashboard serve`` on its own copy (DuckDB locks a file per process)."""
    folder = tmp_path_factory.mktemp("browser")
    with running_server(copy_db(demo_db_path, folder), folder,
                        {"TOWNSHIP_DEV_TOOLS": "1", "TOWNSHIP_REFRESH_INTERVAL_S": "2"}) as url:
        yield url


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory, empty_db_path):
    folder = tmp_path_factory.mktemp("browser-empty")
    with running_server(copy_db(empty_db_path, folder), folder, {"TOWNSHIP_DEV_TOOLS": "1"}) as url:
        yield url


class PageProblems:
    """Console errors, uncaught exceptions and failed requests of one page."""

    def __init__(self, page):
        self.items: list[str] = []
        page.on("console", lambda m: self.items.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.items.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.items.append(f"request failed: {r.url} ({r.failure})"))


def assert_no_dash_errors(page, problems: PageProblems) -> None:
    overlay = page.locator(".dash-fe-error__title, .dash-fe-error-item")
    assert overlay.count() == 0, "Dash error overlay: " + " | ".join(overlay.all_inner_texts())
    error_count = page.locator(".dash-debug-menu__error-count")
    if error_count.count():
        assert error_count.inner_text().strip() in ("", "0"), "Dash reports errors in its debug menu"
    assert not problems.items, "\n".join(problems.items)


def wait_for_overview(page) -> None:
    page.wait_for_selector("#ov-map .maplibregl-canvas", timeout=30_000)
    page.wait_for_selector("#ov-map .js-plotly-plot", timeout=30_000)
    page.wait_for_function(
        "() => /^[0-9,]+$/.test((document.querySelector('.kpi-key-open .kpi-value') || {}).textContent || '')",
        timeout=30_000)
    page.wait_for_selector("#ov-dept-chart .barlayer .point", state="attached", timeout=30_000)
    page.wait_for_selector(".matters-grid .ag-center-cols-container .ag-row", timeout=30_000)
    page.wait_for_timeout(800)   # let the map's recolouring patch land


def test_overview_renders_in_chinese_and_english(server, browser, screenshots, login_state):
    page = browser.new_page(viewport={"width": 1600, "height": 1150}, locale="zh-CN",
                            storage_state=login_state(server))
    problems = PageProblems(page)
    page.goto(server + "/")
    wait_for_overview(page)

    # The dev tools are on (TOWNSHIP_DEV_TOOLS=1): the overlay would show any callback error.
    assert page.locator(".dash-debug-menu__outer, .dash-debug-menu").count() > 0
    for key in ("received_today", "closed_today", "open", "overdue", "due_soon"):
        assert re.fullmatch(r"[0-9,]+", page.locator(f".kpi-key-{key} .kpi-value").inner_text())
    assert page.locator(".kpi-key-on_time_rate .kpi-value").inner_text().endswith("%")
    assert page.locator(".kpi-red .kpi-label").inner_text() == "超期 (红灯)"
    assert page.locator(".matters-grid .ag-center-cols-container .ag-row").count() > 0
    light_cells = page.locator(".matters-grid .light-cell")
    assert light_cells.count() > 0
    assert re.match(r"(超期|剩余|已到期|暂停|无办理)", light_cells.first.inner_text())
    assert page.get_by_text("网格事项分布").count() == 1
    assert page.title().startswith("乡镇(街道)指挥调度中心")
    page.screenshot(path=str(screenshots / "overview-zh.png"), full_page=True)

    # Hovering a cell names it, with its 15-digit code and counts.
    box = page.locator("#ov-map .maplibregl-canvas").bounding_box()
    hover = None
    for dx, dy in ((0.35, 0.5), (0.3, 0.45), (0.4, 0.55), (0.33, 0.6), (0.45, 0.4)):
        page.mouse.move(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
        page.wait_for_timeout(400)
        labels = page.locator("#ov-map .hoverlayer .hovertext")
        if labels.count():
            hover = labels.first.text_content()
            break
    assert hover is not None, "no hover label over the map"
    assert "编码" in hover and re.search(r"\d{15}", hover) and "在办" in hover and "超期" in hover

    # The light switch recolours the map with the discrete light scale.
    page.get_by_text("灯态", exact=True).first.click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('#ov-map .colorbar text')].some(t => t.textContent === '最差灯态')",
        timeout=15_000)

    # A village filter narrows the KPI tiles.
    open_before = int(page.locator(".kpi-key-open .kpi-value").inner_text().replace(",", ""))
    page.locator(".filter-villages .dash-dropdown").first.click()
    page.get_by_role("option").first.click()
    page.keyboard.press("Escape")
    page.wait_for_function(
        f"() => parseInt((document.querySelector('.kpi-key-open .kpi-value').textContent || '0')"
        f".replace(/,/g, '')) < {open_before}", timeout=15_000)
    page.screenshot(path=str(screenshots / "overview-zh-filtered.png"), full_page=True)
    assert_no_dash_errors(page, problems)

    # English: the switch in the navbar.
    page.get_by_role("link", name="English").click()
    page.wait_for_selector("text=Matters by grid cell", timeout=20_000)
    wait_for_overview(page)
    assert page.locator(".kpi-red .kpi-label").inner_text() == "Overdue (red)"
    assert page.title().startswith("Township Command and Dispatch Center")
    assert page.get_by_text("Department workload").count() == 1
    assert page.locator(".brand-name").inner_text() == "Township Command and Dispatch Center"
    assert page.locator(".matters-grid .ag-header-cell-text", has_text="Department").count() == 1
    page.screenshot(path=str(screenshots / "overview-en.png"), full_page=True)
    assert_no_dash_errors(page, problems)
    page.close()


def test_refresh_sends_the_map_geometry_once(server, browser, login_state):
    """Refreshes (every 2 s in this test) poll the data version and recolour the map with a
    patch; the cells' GeoJSON crosses the wire once, when the page opens."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, storage_state=login_state(server))
    problems = PageProblems(page)
    responses = []
    page.on("response", lambda r: responses.append(r) if "_dash-update-component" in r.url else None)
    page.goto(server + "/?lang=en")
    wait_for_overview(page)
    page.wait_for_timeout(5_000)
    bodies = [r.text() for r in responses]
    with_geometry = [b for b in bodies if '"geojson"' in b]
    polls = [b for b in bodies if "ov-tick" in b or b == ""]
    assert len(with_geometry) == 1, f"the map geometry was sent {len(with_geometry)} times"
    assert len(responses) >= 8 and polls, "the page did not poll for new data"
    assert_no_dash_errors(page, problems)
    page.close()


def test_an_empty_township_shows_an_explained_empty_dashboard(empty_server, browser, screenshots, login_state):
    page = browser.new_page(viewport={"width": 1600, "height": 1150}, storage_state=login_state(empty_server))
    problems = PageProblems(page)
    page.goto(empty_server + "/")
    page.wait_for_selector("text=暂无事项 — 尚未导入或受理任何事项", timeout=30_000)
    page.wait_for_selector("#ov-map .maplibregl-canvas", timeout=30_000)
    page.wait_for_function("() => (document.querySelector('.kpi-key-open .kpi-value') || {}).textContent === '0'",
                           timeout=30_000)
    assert page.locator(".kpi-key-on_time_rate .kpi-value").inner_text() == "—"
    page.wait_for_selector("text=暂无部门工作量数据", timeout=15_000)
    assert page.locator(".matters-grid .ag-center-cols-container .ag-row").count() == 0
    page.wait_for_timeout(500)
    page.screenshot(path=str(screenshots / "overview-empty-zh.png"), full_page=True)
    assert_no_dash_errors(page, problems)
    page.close()
