"""The analysis and warnings pages in real Chromium, on the real server (a subprocess) over
a copy of the demo database: they render in Chinese and English with no console error,
failed request or Dash error overlay; a click on a bar or a heatmap square narrows another
panel and shows a chip, and clearing it restores the panel; a table downloads as CSV; a
warning is acknowledged with who and when; a hot cell drills down to the analysis page.

Screenshots land in the test's temporary folder (printed), or in $TOWNSHIP_SCREENSHOTS.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.launch import running_server
from tests.servers import TEST_ADMIN, copy_db
from tests.test_browser import CHROMIUM, PageProblems, assert_no_dash_errors

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")

SOURCES_TOTAL = ("() => [...document.querySelectorAll('#an-sources .bartext')]"
                 ".reduce((s, t) => s + parseInt(t.textContent.replace(/,/g, '')), 0)")


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_db_path):
    folder = tmp_path_factory.mktemp("browser-analysis")
    with running_server(copy_db(demo_db_path, folder), folder,
                        {"TOWNSHIP_DEV_TOOLS": "1", "TOWNSHIP_REFRESH_INTERVAL_S": "2"}) as url:
        yield url


def wait_for_analysis(page) -> None:
    page.wait_for_selector("#an-categories .barlayer .point", state="attached", timeout=30_000)
    page.wait_for_selector("#an-sources .bartext", state="attached", timeout=30_000)
    page.wait_for_selector("#an-heatmap .heatmaplayer", state="attached", timeout=30_000)
    page.wait_for_selector("#an-trend .barlayer .point", state="attached", timeout=30_000)
    page.wait_for_selector("#an-map .maplibregl-canvas", timeout=30_000)
    page.wait_for_selector("#an-indicators .ag-center-cols-container .ag-row", timeout=30_000)
    page.wait_for_selector("#an-ranking .ag-center-cols-container .ag-row", timeout=30_000)
    page.wait_for_timeout(800)


def click_at(page, locator, fx: float = 0.5, fy: float = 0.5) -> None:
    """Plotly listens on its drag layer above the bars: hover, then click where the mark is."""
    locator.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -160)")            # out from under the sticky navbar
    box = locator.bounding_box()
    x, y = box["x"] + box["width"] * fx, box["y"] + box["height"] * fy
    page.mouse.move(x, y)
    page.wait_for_timeout(250)
    page.mouse.click(x, y)


def sources_total(page) -> int:
    return page.evaluate(SOURCES_TOTAL)


def test_analysis_cross_filters_in_chinese_and_english(server, browser, screenshots, login_state):
    page = browser.new_page(viewport={"width": 1600, "height": 1150}, locale="zh-CN",
                            storage_state=login_state(server))
    problems = PageProblems(page)
    page.goto(server + "/analysis")
    wait_for_analysis(page)
    assert page.title().endswith("分析研判")
    assert page.locator(".an-chip").count() == 0
    # every DOMAIN §7 indicator, 办结及时率 and the dispatch suggestion's acceptance rate
    assert page.locator("#an-indicators .ag-center-cols-container .ag-row").count() == 12
    assert "派单建议采纳率" in page.locator("#an-indicators").inner_text()
    before = sources_total(page)
    assert before > 0
    page.screenshot(path=str(screenshots / "analysis-zh.png"), full_page=True)

    # A click on the busiest sub-category's bar narrows the source mix and shows its chip.
    top = page.locator("#an-categories .barlayer .point path").last
    click_at(page, top)
    page.wait_for_selector(".an-chip-category", timeout=15_000)
    assert page.locator(".an-chip-category .an-chip-dim").inner_text() == "小类"
    page.wait_for_function(f"() => ({SOURCES_TOTAL})() > 0 && ({SOURCES_TOTAL})() < {before}", timeout=15_000)
    page.wait_for_timeout(600)
    page.screenshot(path=str(screenshots / "analysis-zh-crossfiltered.png"), full_page=True)

    # Its chip clears it: the source mix is whole again.
    page.locator(".an-chip-category .an-chip-clear").click()
    page.wait_for_function("() => !document.querySelector('.an-chip')", timeout=15_000)
    page.wait_for_function(f"() => ({SOURCES_TOTAL})() === {before}", timeout=15_000)

    # A heatmap square (Wednesday 10:00–11:00) narrows it too; "clear all" restores it.
    heat = page.locator("#an-heatmap .nsewdrag").first
    click_at(page, heat, fx=10.5 / 24, fy=2.5 / 7)
    page.wait_for_selector(".an-chip-week_hour", timeout=15_000)
    assert "周三 10:00" in page.locator(".an-chip-week_hour .an-chip-label").inner_text()
    page.wait_for_function(f"() => ({SOURCES_TOTAL})() < {before}", timeout=15_000)
    page.locator(".an-chips-clear").click()
    page.wait_for_function(f"() => !document.querySelector('.an-chip') && ({SOURCES_TOTAL})() === {before}",
                           timeout=15_000)
    assert_no_dash_errors(page, problems)

    # English, through the navbar's switch.
    page.get_by_role("link", name="English").click()
    page.wait_for_selector("text=Matters received over time", timeout=20_000)
    wait_for_analysis(page)
    assert page.title().endswith("Analysis")
    assert page.locator(".an-chips-empty").inner_text().startswith("Click a bar")
    assert page.locator("#an-ranking .ag-header-cell-text", has_text="vs last year").count() == 1
    page.screenshot(path=str(screenshots / "analysis-en.png"), full_page=True)
    assert_no_dash_errors(page, problems)
    page.close()


def test_a_table_downloads_as_csv(server, browser, tmp_path, login_state):
    page = browser.new_page(viewport={"width": 1600, "height": 1150}, storage_state=login_state(server))
    problems = PageProblems(page)
    page.goto(server + "/analysis?lang=zh")
    wait_for_analysis(page)
    with page.expect_download(timeout=20_000) as download:
        page.locator(".an-panel-indicators .an-export-csv").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    text = target.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff分组,指标,") and "结案率" in text
    assert re.match(r"indicators-township-\d{8}-\d{8}\.csv", target.name)
    assert_no_dash_errors(page, problems)
    page.close()


def test_warnings_list_acknowledge_map_and_drill_down(server, browser, screenshots, login_state):
    page = browser.new_page(viewport={"width": 1600, "height": 1150}, locale="zh-CN",
                            storage_state=login_state(server))
    problems = PageProblems(page)
    page.goto(server + "/warnings")
    # The page's first tick evaluates the warnings (the copy has none stored yet).
    page.wait_for_selector(".wn-row", timeout=40_000)
    page.wait_for_selector("#wn-map .maplibregl-canvas", timeout=30_000)
    page.wait_for_selector(".wn-hot-table .wn-table tbody tr, .wn-hot-table .wn-empty", timeout=30_000)
    total = page.locator(".wn-kpi-key-total .kpi-value").inner_text()
    assert re.fullmatch(r"[\d,]+", total) and int(total.replace(",", "")) >= page.locator(".wn-row").count() > 0
    assert page.title().endswith("预测预警")
    first = page.locator(".wn-row").first
    for word in ("观测值", "期望值", "阈值"):
        assert word in first.locator(".wn-reason").inner_text()
    page.wait_for_timeout(800)
    page.screenshot(path=str(screenshots / "warnings-zh.png"), full_page=True)

    # Acknowledge the first warning: who (the signed-in user) and when show on its row.
    key = first.get_attribute("data-key")
    assert page.locator("#wn-actor").count() == 0          # no field for who: it is the login
    first.locator(".wn-ack-btn").click()
    page.wait_for_selector(".wn-outcome-done", timeout=15_000)
    row = page.locator(f".wn-row[data-key='{key}']")
    page.wait_for_function(f"() => (document.querySelector(\".wn-row[data-key='{key}'] .wn-ack-by\") || {{}})"
                           f".textContent === '{TEST_ADMIN}'", timeout=15_000)
    assert row.locator(".wn-ack-btn").inner_text() == "再次确认"
    assert_no_dash_errors(page, problems)

    # English.
    page.get_by_role("link", name="English").click()
    page.wait_for_selector("text=Hot spots (Gi*)", timeout=20_000)
    page.wait_for_selector(".wn-row", timeout=30_000)
    page.wait_for_selector("#wn-map .maplibregl-canvas", timeout=30_000)
    assert page.locator(".wn-kpi-key-high .kpi-label").inner_text() == "High"
    page.wait_for_timeout(800)
    page.screenshot(path=str(screenshots / "warnings-en.png"), full_page=True)
    assert_no_dash_errors(page, problems)

    # The busiest cells' layer; a hot cell's link opens the analysis page narrowed to it.
    page.locator(".wn-panel-map .an-switch label", has_text="Busiest").click()
    page.wait_for_function("() => (document.querySelector('#wn-hot-summary') || {}).textContent"
                           ".includes('Busiest')", timeout=20_000)
    page.wait_for_selector(".wn-hot-table .wn-link", timeout=20_000)
    # Gi* counts a cell's neighbours too, so a hot cell may have received nothing itself:
    # the analysis then opens narrowed to it and says that no matter matches.
    link = page.locator(".wn-hot-table .wn-link").first
    cell = re.search(r"cell=(\d+)", link.get_attribute("href")).group(1)
    link.click()
    page.wait_for_url(re.compile(rf"/analysis\?cell={cell}&"), timeout=20_000)
    page.wait_for_function("() => document.querySelector('#an-categories .barlayer .point')"
                           " || document.body.innerText.includes('No matters match the filters')", timeout=30_000)
    page.screenshot(path=str(screenshots / "analysis-from-hot-cell.png"), full_page=True)
    chosen = page.locator(".an-filter-cells .dash-dropdown").first.inner_text()
    assert chosen.strip() and "All" not in chosen
    assert_no_dash_errors(page, problems)
    page.close()
