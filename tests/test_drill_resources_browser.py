"""The drill pages' resources and the merge in real Chromium against the real server: the
cell page lists and draws its resources; on the matter page a wider radius lists more, and
合并为重复 merges the matter into its original as the signed-in user, with feedback."""
from __future__ import annotations

from pathlib import Path

import pytest
import requests
from pyproj import Geod

from dashboard.launch import running_server
from tests.conftest import CHROMIUM
from tests.servers import copy_db

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def served(tmp_path_factory, demo_db_path):
    folder = tmp_path_factory.mktemp("drill-resources-browser")
    db = copy_db(demo_db_path, folder)
    with running_server(db, folder, {"TOWNSHIP_DEV_TOOLS": "1"}) as url:
        yield url


@pytest.fixture(scope="module")
def page(served, browser, login_state):
    context = browser.new_context(viewport={"width": 1500, "height": 1100}, locale="zh-CN",
                                  storage_state=login_state(served))
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("console", lambda m: problems.append(f"console: {m.text}")
            if m.type == "error" and "404" not in m.text else None)
    page.problems = problems
    yield page
    context.close()


def test_resources_on_the_cell_and_matter_pages_and_a_merge(served, page, admin_headers, screenshots):
    url = served
    every = requests.get(f"{url}/api/v1/resources", headers=admin_headers, timeout=30).json()["items"]
    some = every[0]
    page.goto(f"{url}/cell/{some['cell']}")
    page.wait_for_selector("#dr-res-list tr[data-resource]", timeout=30_000)
    listed = page.locator("#dr-res-list tr[data-resource]").evaluate_all("rs => rs.map(r => r.dataset.resource)")
    assert str(some["id"]) in listed
    assert page.locator("#dr-layer-switch").get_by_text("资源").count() == 1
    page.wait_for_function("() => { const gd = document.querySelector('#dr-map .js-plotly-plot');"
                           " return gd && gd.data && gd.data.some(t => t.meta === 'resources'); }", timeout=30_000)
    page.screenshot(path=str(screenshots / "drill-resources-cell.png"), full_page=True)

    code = requests.get(f"{url}/api/v1/matters", params={"limit": 1}, headers=admin_headers,
                        timeout=30).json()["items"][0]["category"]
    made = []
    for metres in (0, 40):
        lon, lat, _ = GEOD.fwd(some["lon"], some["lat"], 90.0, metres)
        body = {"source": "public", "description": "井盖缺失 (browser)", "address": "某路", "lon": lon, "lat": lat}
        r = requests.post(f"{url}/api/v1/matters", json={**body, "category": code},
                          headers=admin_headers, timeout=30)
        assert r.status_code == 201, r.text
        made.append(r.json()["id"])
    original, copy = made
    page.goto(f"{url}/matter/{copy}")
    page.wait_for_selector("#dr-matter-res-list tr[data-resource]", timeout=30_000)
    page.wait_for_selector("#dr-res-map .js-plotly-plot", timeout=30_000)
    at_500 = page.locator("#dr-matter-res-list tr[data-resource]").count()
    page.locator("#dr-res-radius").get_by_text("2,000 米").click()
    page.wait_for_function(f"() => document.querySelectorAll('#dr-matter-res-list tr[data-resource]').length > {at_500}",
                           timeout=20_000)
    button = page.locator(f"#dr-dup-list button.btn-merge[id*='{original}']")
    button.wait_for(timeout=30_000)
    page.screenshot(path=str(screenshots / "drill-resources-matter.png"), full_page=True)
    button.click()
    page.wait_for_selector("#dr-dup-feedback .outcome-done", timeout=20_000)
    events = requests.get(f"{url}/api/v1/matters/{copy}", headers=admin_headers, timeout=30).json()
    assert events["status"] == "voided" and events["events"][-1]["action"] == "merge"
    assert events["events"][-1]["actor"] == "test-admin"
    page.wait_for_function("() => !document.querySelector('#dr-dup-list button.btn-merge')", timeout=20_000)
    assert not page.problems, "\n".join(page.problems)
