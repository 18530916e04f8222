"""The drill-down in real Chromium against the real server: a click on a village on the
overview's map, then on a cell of the village's map, then on a matter in the cell's list
lands on /matter/<id>; back, back, back returns to / with the same filters and map view.
An action on the matter page goes through the desk's write path as the signed-in user. One
server and one browser context for the module; screenshots of every level are kept.

Unknown codes and ids, and codes outside a scoped user's village, answer one not-found page
with HTTP 404 (not a traceback)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests

from dashboard.launch import running_server
from queries import accounts
from queries.store import Store
from tests.conftest import CHROMIUM
from tests.servers import copy_db

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")

SCOPED = "drill-scoped"
SCOPED_PASSWORD = "drill-scoped-password"


@pytest.fixture(scope="module")
def served(tmp_path_factory, demo_db_path, admin_token):
    """The server on its own copy, with a viewer scoped to the first village; yields the URL,
    the scoped viewer's token and the codes of an other village, one of its cells and one of
    its matters."""
    folder = tmp_path_factory.mktemp("drill-browser")
    db = copy_db(demo_db_path, folder)
    store = Store(db)
    try:
        villages = store.cursor().execute("SELECT code, area_id FROM areas WHERE level = 'village' ORDER BY code") \
            .fetchall()
        (own_code, _own), (other_code, other_id) = villages[0], villages[1]
        accounts.add_user(store, name=SCOPED, role="viewer", password=SCOPED_PASSWORD, scope=[own_code])
        scoped_token = accounts.new_token(store, name=SCOPED)["token"]
        other_cell = store.scalar("SELECT min(code) FROM areas WHERE level = 'cell' AND village_id = ?", [other_id])
        other_matter = store.scalar("SELECT max(matter_id) FROM matters WHERE village_id = ?", [other_id])
    finally:
        store.close()
    with running_server(db, folder, {"TOWNSHIP_DEV_TOOLS": "1", "TOWNSHIP_REFRESH_INTERVAL_S": "2"}) as url:
        yield {"url": url, "scoped_token": scoped_token, "other": (other_code, other_cell, str(other_matter))}


@pytest.fixture(scope="module")
def page(served, browser, login_state):
    context = browser.new_context(viewport={"width": 1500, "height": 1100}, locale="zh-CN",
                                  storage_state=login_state(served["url"]))
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("console", lambda m: problems.append(f"console: {m.text}")
            if m.type == "error" and "404" not in m.text else None)
    page.problems = problems
    yield page
    context.close()


def _graph(selector: str) -> str:
    return f"document.querySelector('{selector} .js-plotly-plot')"


def click_cell(page, selector: str, pick: str) -> None:
    """Click the middle of a cell of the map's grid trace (trace 0): ``pick`` "busiest" (the
    most open matters) — projected to the screen through MapLibre's own ``project``."""
    point = page.evaluate(f"""() => {{
        const gd = {_graph(selector)};
        const grid = gd.data[0];
        let best = 0;
        grid.z.forEach((z, i) => {{ if (z > grid.z[best]) best = i; }});
        const id = grid.locations[best];
        const feature = grid.geojson.features.find(f => f.id === id);
        const ring = feature.geometry.type === 'Polygon' ? feature.geometry.coordinates[0]
                                                         : feature.geometry.coordinates[0][0];
        const lon = ring.reduce((s, p) => s + p[0], 0) / ring.length;
        const lat = ring.reduce((s, p) => s + p[1], 0) / ring.length;
        const map = gd._fullLayout.map._subplot.map;
        const xy = map.project([lon, lat]);
        const box = map.getCanvas().getBoundingClientRect();
        return {{x: box.left + xy.x, y: box.top + xy.y, z: grid.z[best], pick: '{pick}'}};
    }}""")
    assert point["z"] > 0, "no cell with open matters to click"
    page.mouse.click(point["x"], point["y"])


def wait_map(page, selector: str) -> None:
    page.wait_for_selector(f"{selector} .maplibregl-canvas", timeout=30_000)
    page.wait_for_function(f"() => {{ const gd = {_graph(selector)}; return gd && gd.data && gd.data.length "
                           f"&& gd.data[0].z && gd._fullLayout.map && gd._fullLayout.map._subplot; }}",
                           timeout=30_000)
    page.wait_for_timeout(600)


def watch_plots(page, selector: str) -> None:
    """Count the graph's finished draws (``plotly_afterplot``) from now on."""
    page.evaluate(f"() => {{ const gd = {_graph(selector)}; window.__plots = 0; "
                  f"gd.on('plotly_afterplot', () => {{ window.__plots += 1; }}); }}")


def wait_drawn(page, selector: str) -> None:
    """Wait until a draw begun since ``watch_plots`` has finished — its pending promises too —
    so leaving the page cannot cut a draw in half (Plotly then throws into the console)."""
    page.wait_for_function(f"() => {{ const gd = {_graph(selector)}; return window.__plots > 0 && gd "
                           f"&& !(gd._promises && gd._promises.length) && gd._fullLayout.map "
                           f"&& gd._fullLayout.map._subplot.map.loaded(); }}", timeout=20_000)


def map_view(page, selector: str) -> dict:
    return page.evaluate(f"() => {{ const m = {_graph(selector)}._fullLayout.map; "
                         f"return {{lon: m.center.lon, lat: m.center.lat, zoom: m.zoom}}; }}")


def kpi(page, key: str) -> str:
    return page.locator(f".kpi-key-{key} .kpi-value").inner_text()


def test_click_down_to_a_matter_and_back_to_the_same_overview(served, page, screenshots):
    url = served["url"]
    page.goto(url + "/")
    wait_map(page, "#ov-map")
    page.wait_for_function("() => /^[0-9,]+$/.test(document.querySelector('.kpi-key-open .kpi-value').textContent)")

    # A filter goes into the query string (shareable) without a new history entry.
    page.locator(".filter-sources .dash-dropdown").first.click()
    page.get_by_role("option").first.click()
    page.keyboard.press("Escape")
    page.wait_for_function("() => /[?&]sources=/.test(window.location.search)", timeout=15_000)
    # Zoom the map in a little: the view goes into the query string too.
    box = page.locator("#ov-map .maplibregl-canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -240)
    page.wait_for_function("() => /[?&]view=/.test(window.location.search)", timeout=15_000)
    page.wait_for_timeout(1_500)                 # the wheel's zoom animation settles, its URL with it
    overview_url = page.url
    view_before = map_view(page, "#ov-map")
    open_before = kpi(page, "open")
    page.screenshot(path=str(screenshots / "drill-0-township.png"), full_page=True)

    # / → /area/<village>: a click on a cell of the map opens its village.
    click_cell(page, "#ov-map", "busiest")
    page.wait_for_url(re.compile(r"/area/\d{12}$"), timeout=20_000)
    village = page.url.rsplit("/", 1)[1]
    wait_map(page, "#dr-map")
    page.wait_for_selector(".drill-cell-table .cell-link", timeout=30_000)
    assert page.locator(".breadcrumb .crumb-link").first.inner_text() == "全镇"
    assert re.fullmatch(r"[0-9,]+", kpi(page, "open"))
    assert village in page.locator(".drill-code").inner_text()
    # The village view zooms to its cells: closer than the township's.
    assert map_view(page, "#dr-map")["zoom"] > view_before["zoom"] - 0.5
    page.screenshot(path=str(screenshots / "drill-1-village.png"), full_page=True)

    # /area → /cell/<code>: a click on the busiest cell of the village's map, its points
    # switched off first (a click on a point would open that matter instead).
    watch_plots(page, "#dr-map")
    page.locator("#dr-layer-switch").get_by_text("在办事项 (按灯态, 密集时聚合)").click()
    page.wait_for_function(f"() => {_graph('#dr-map')}.data.filter(t => t.meta === 'points')"
                           ".every(t => t.visible === false)", timeout=20_000)
    wait_drawn(page, "#dr-map")
    click_cell(page, "#dr-map", "busiest")
    page.wait_for_url(re.compile(rf"/cell/{village}\d{{3}}$"), timeout=20_000)
    cell = page.url.rsplit("/", 1)[1]
    page.wait_for_selector(".drill-open-table .matter-link", timeout=30_000)
    assert page.locator(".drill-worker-name").inner_text().strip()
    assert re.fullmatch(r"1\d{10}", page.locator(".drill-worker-phone").inner_text())
    assert cell in page.locator(".crumb-current").inner_text()
    # Lights in words beside the dot, never colour alone.
    first_light = page.locator(".drill-open-table .light-text").first.inner_text()
    assert re.match(r"(超期|临期|正常|暂停计时|无办理时限)", first_light)
    page.wait_for_selector("#dr-warnings .drill-warning, #dr-warnings .queue-empty", timeout=30_000)
    wait_map(page, "#dr-map")
    page.screenshot(path=str(screenshots / "drill-2-cell.png"), full_page=True)

    # /cell → /matter/<id>: a row of the cell's open matters.
    matter = page.locator(".drill-open-table .matter-link").first.inner_text()
    page.locator(".drill-open-table .matter-link").first.click()
    page.wait_for_url(re.compile(rf"/matter/{matter}$"), timeout=20_000)
    page.wait_for_selector(f"#dr-matter-card .card-info[data-matter='{matter}']", timeout=30_000)
    page.wait_for_selector("#dr-matter-actions .action-form", timeout=30_000)
    page.wait_for_selector("#dr-matter-timeline .tl-item", timeout=30_000)
    assert [c.inner_text() for c in page.locator(".breadcrumb > *:not(.crumb-sep)").all()][-1] == f"事项 {matter}"
    assert page.locator(".drill-countdown-inner .light-text").inner_text()
    page.screenshot(path=str(screenshots / "drill-3-matter.png"), full_page=True)

    # Back, back, back: the cell, the village, and the overview with its filters and view.
    page.go_back()
    page.wait_for_url(re.compile(rf"/cell/{cell}$"), timeout=20_000)
    page.wait_for_selector(".drill-open-table .matter-link", timeout=30_000)
    page.go_back()
    page.wait_for_url(re.compile(rf"/area/{village}$"), timeout=20_000)
    page.wait_for_selector(".drill-cell-table .cell-link", timeout=30_000)
    page.go_back()
    page.wait_for_url(overview_url, timeout=20_000)
    wait_map(page, "#ov-map")
    page.wait_for_function(f"() => document.querySelector('.kpi-key-open .kpi-value').textContent === "
                           f"'{open_before}'", timeout=30_000)
    assert page.locator(".filter-sources .dash-dropdown").first.inner_text().strip() != "全部"
    view_after = map_view(page, "#ov-map")
    assert abs(view_after["zoom"] - view_before["zoom"]) < 0.02
    assert abs(view_after["lon"] - view_before["lon"]) < 1e-4 and abs(view_after["lat"] - view_before["lat"]) < 1e-4
    page.screenshot(path=str(screenshots / "drill-4-township-again.png"), full_page=True)

    # The layers switch on and off: points by light (named in the legend), heat, hot cells.
    switch = page.locator("#ov-layer-switch")
    for name in ("在办事项 (按灯态, 密集时聚合)", "热力", "热点网格 (Gi*)"):
        switch.get_by_text(name).click()
    page.wait_for_function(f"() => {_graph('#ov-map')}.data.length === 10 && "
                           f"{_graph('#ov-map')}.data.every(t => t.visible !== false)", timeout=20_000)
    types = page.evaluate(f"() => {_graph('#ov-map')}.data.map(t => [t.type, t.visible])")
    assert [t for t, _v in types[3:5]] == ["densitymap", "choroplethmap"] and all(v for _t, v in types)
    page.wait_for_selector("#ov-map .legend .traces", timeout=15_000)
    assert re.search(r"(超期|临期|正常) \(\d+\)", page.locator("#ov-map .legend").first.text_content())
    page.screenshot(path=str(screenshots / "drill-5-township-layers.png"), full_page=True)
    watch_plots(page, "#ov-map")
    switch.get_by_text("热力").click()
    page.wait_for_function(f"() => {_graph('#ov-map')}.data[3].visible === false", timeout=20_000)
    wait_drawn(page, "#ov-map")

    # Forward again reaches the village: every level is in the history.
    page.go_forward()
    page.wait_for_url(re.compile(rf"/area/{village}$"), timeout=20_000)
    assert not page.problems, "\n".join(page.problems)


def test_an_action_on_the_matter_page_goes_through_the_write_path(served, page, admin_headers):
    url = served["url"]
    listed = requests.get(f"{url}/api/v1/matters", params={"status": "handling", "limit": 1},
                          headers=admin_headers, timeout=30).json()["items"]
    matter = str(listed[0]["id"])
    page.goto(f"{url}/matter/{matter}")
    page.wait_for_selector("#dr-matter-actions .action-supervise", timeout=30_000)
    page.fill("#dr-matter-actions textarea", "请加快处置 (drill test)")
    page.locator("#dr-matter-actions .action-supervise").click()
    page.wait_for_selector("#dr-matter-feedback .outcome-done", timeout=20_000)
    page.wait_for_selector("#dr-matter-timeline .tl-supervise", timeout=20_000)
    events = requests.get(f"{url}/api/v1/matters/{matter}", headers=admin_headers, timeout=30).json()["events"]
    assert events[-1]["action"] == "supervise" and events[-1]["actor"] == "test-admin"
    assert events[-1]["note"] == "请加快处置 (drill test)"


def test_unknown_and_out_of_scope_codes_answer_one_404_page(served, page, admin_headers):
    url = served["url"]
    other_village, other_cell, other_matter = served["other"]
    admin = {"Authorization": admin_headers["Authorization"]}
    scoped = {"Authorization": f"Bearer {served['scoped_token']}"}
    for path in ("/cell/321003101999999", "/cell/nonsense", "/area/321003101999", "/matter/1",
                 "/matter/99999999999999999999", "/matter/abc"):
        r = requests.get(url + path, headers=admin, timeout=30)
        assert r.status_code == 404, path
        assert "Traceback" not in r.text and '<div id="react-entry-point">' in r.text
    for path in (f"/area/{other_village}", f"/cell/{other_cell}", f"/matter/{other_matter}"):
        assert requests.get(url + path, headers=admin, timeout=30).status_code == 200, path
        assert requests.get(url + path, headers=scoped, timeout=30).status_code == 404, path
    page.goto(url + "/cell/321003101999999")
    page.wait_for_selector("#dr-not-found", timeout=30_000)
    assert "没有编码为 321003101999999 的网格" in page.inner_text("#dr-not-found")

