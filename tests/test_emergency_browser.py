"""The emergency board in real Chromium against the real server: an emergency created
through the API shows its area, tasks and log on /emergency/<id>; a task posted through the
API appears within 5 s; a task signed for late raises its alarm, shown on the board and the
desk, which the commander acknowledges on the board."""
from __future__ import annotations

from pathlib import Path

import pytest
import requests

from dashboard.launch import running_server
from tests.conftest import CHROMIUM
from tests.servers import copy_db
from tests.test_browser import PageProblems, assert_no_dash_errors

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_db_path):
    folder = tmp_path_factory.mktemp("emergency-browser")
    with running_server(copy_db(demo_db_path, folder), folder,
                        {"TOWNSHIP_DEV_TOOLS": "1", "TOWNSHIP_REFRESH_INTERVAL_S": "1"}) as url:
        yield url


def _post(url, headers, path, body, status=200):
    r = requests.post(f"{url}{path}", json=body, headers=headers, timeout=20)
    assert r.status_code == status, r.text
    return r.json()


def test_the_board_shows_area_tasks_log_and_raises_a_late_sign_for(server, admin_headers, browser, login_state,
                                                                    screenshots):
    matters = requests.get(f"{server}/api/v1/matters", params={"status": "handling", "limit": 5},
                           headers=admin_headers, timeout=20).json()["items"]
    point = next([m["lon"], m["lat"]] for m in matters if m["lon"] is not None)
    e = _post(server, admin_headers, "/api/v1/emergencies",
              {"title": "暴雨内涝 浏览器测试", "level": "larger", "kind": "flood", "sign_alarm_min": 0.05,
               "area": {"points": [point], "radius_m": 600}}, 201)
    eid = e["id"]
    _post(server, admin_headers, f"/api/v1/emergencies/{eid}/actions",
          {"action": "post_task", "department": 1, "what": "排查低洼路段积水", "minutes": 60})
    _post(server, admin_headers, f"/api/v1/emergencies/{eid}/actions",
          {"action": "log", "kind": "decision", "text": "启动防汛四级响应"})

    context = browser.new_context(storage_state=login_state(server), viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    problems = PageProblems(page)
    try:
        page.goto(f"{server}/emergency/{eid}", wait_until="domcontentloaded")
        page.wait_for_selector("#em-map .maplibregl-canvas", timeout=30_000)
        page.get_by_text("暴雨内涝 浏览器测试").first.wait_for(timeout=30_000)
        assert page.locator(".em-task-row").filter(has_text="排查低洼路段积水").count() == 1
        assert page.locator(".em-entry-decision").filter(has_text="启动防汛四级响应").count() == 1
        assert "范围内" in page.locator("#em-inside").inner_text()
        # the area is drawn: a trace of the map holds the area's outline
        assert page.evaluate("document.querySelector('#em-map .js-plotly-plot').data[0].lon.length") > 20

        _post(server, admin_headers, f"/api/v1/emergencies/{eid}/actions",
              {"action": "post_task", "department": 2, "what": "清理倒伏树木", "minutes": 90, "clock": "working"})
        page.locator(".em-task-row").filter(has_text="清理倒伏树木").wait_for(timeout=5_000)

        # task 1 was posted more than 3 s ago (this emergency's sign-for limit): its alarm shows,
        # and signing it now, late, keeps it until the commander acknowledges it
        page.locator('[data-alarm="task:1"].is-open').wait_for(timeout=10_000)
        _post(server, admin_headers, f"/api/v1/emergencies/{eid}/actions", {"action": "sign_task", "task": 1})
        page.locator('[data-task="1"] .em-task-signed').wait_for(timeout=5_000)
        assert page.locator('[data-alarm="task:1"].is-open').count() == 1
        page.screenshot(path=str(screenshots / "emergency-board.png"), full_page=True)
        desk = context.new_page()
        desk.goto(f"{server}/desk", wait_until="domcontentloaded")
        desk.locator('.em-desk-alarms [data-alarm="task:1"]').wait_for(timeout=30_000)  # the desk shows it too
        desk.close()
        page.locator('[data-alarm="task:1"] .em-ack').click()
        page.locator('[data-alarm="task:1"].is-acked').wait_for(timeout=5_000)
        assert "test-admin" in page.locator('[data-alarm="task:1"]').inner_text()
        assert_no_dash_errors(page, problems)
    finally:
        context.close()
