"""The dispatch desk in real Chromium against the real server on a copy of the demo: a
matter posted through the API shows on the overview and in the desk's "new" queue within
5 seconds, without a reload; desk buttons and API actions then move it through the loop,
and its light and queues follow. Fails on any console error, failed request or Dash error
overlay. Screenshots (Chinese and English) land in $TOWNSHIP_SCREENSHOTS or a temporary
folder (printed).
"""
from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from dashboard.launch import running_server
from tests.servers import TEST_ADMIN, copy_db
from tests.test_browser import CHROMIUM, PageProblems, assert_no_dash_errors, wait_for_overview

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")

SIGNED_IN: dict[str, dict[str, str]] = {}   # server URL → the headers of its API calls
LIVE_MS = 5_000          # the promise: a change shows within 5 seconds
STEP_MS = 15_000         # a click's own round trip on a busy machine


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_db_path, admin_headers):
    folder = tmp_path_factory.mktemp("browser-desk")
    with running_server(copy_db(demo_db_path, folder), folder,
                        {"TOWNSHIP_DEV_TOOLS": "1", "TOWNSHIP_REFRESH_INTERVAL_S": "2"}) as url:
        SIGNED_IN[url] = admin_headers
        yield url


def api(url: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    """The API as the test admin (the token the module's server fixture signed in with)."""
    request = urllib.request.Request(url + path, method="POST" if body is not None else "GET",
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", **SIGNED_IN[url]})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def open_count(page) -> int:
    return int(page.locator(".kpi-key-open .kpi-value").inner_text().replace(",", ""))


def wait_for_desk(page) -> None:
    page.wait_for_function("() => document.querySelectorAll('.desk-queue .queue-count').length === 6 && "
                           "[...document.querySelectorAll('.desk-queue .queue-count')]"
                           ".every(e => /^[0-9,]+$/.test(e.textContent))", timeout=30_000)


def queue_count(page, queue: str) -> int:
    return int(page.locator(f".queue-{queue} .queue-count").inner_text().replace(",", ""))


def wait_count(page, queue: str, n: int, timeout: int = STEP_MS) -> None:
    page.wait_for_function(f"() => (document.querySelector('.queue-{queue} .queue-count') || {{}}).textContent "
                           f"=== '{n:,}'", timeout=timeout)


def row(page, queue: str, matter_id) -> str:
    return f'.queue-{queue} .queue-row[data-matter="{matter_id}"]'


def wait_status(page, status: str, timeout: int = STEP_MS) -> None:
    page.wait_for_selector(f'.card-info[data-status="{status}"]', timeout=timeout)


def wait_actions(page, actions: str, timeout: int = STEP_MS) -> None:
    page.wait_for_selector(f'.action-form[data-actions="{actions}"]', timeout=timeout)


def test_a_new_matter_reaches_the_desk_and_moves_through_the_loop(server, browser, screenshots, login_state):
    overview = browser.new_page(viewport={"width": 1600, "height": 1100}, locale="zh-CN",
                                storage_state=login_state(server))
    overview_problems = PageProblems(overview)
    overview.goto(server + "/")
    wait_for_overview(overview)
    open_before = open_count(overview)

    page = browser.new_page(viewport={"width": 1600, "height": 1150}, locale="zh-CN",
                            storage_state=login_state(server))
    problems = PageProblems(page)
    page.goto(server + "/desk")
    wait_for_desk(page)
    assert page.title().endswith("调度台")
    assert page.locator(".nav-active").inner_text() == "调度台"
    new_before = queue_count(page, "new")

    # A matter arrives through the public API …
    _, listing = api(server, "/api/v1/matters?limit=20")
    spot = next(item for item in listing["items"] if item["lon"] is not None)
    status, created = api(server, "/api/v1/matters", {
        "source": "public", "category": "0401", "description": "桥下垃圾堆积，气味很大", "lon": spot["lon"],
        "lat": spot["lat"], "reporter": "张女士", "external_ref": "12345-DESK-1"})
    assert status == 201
    matter = created["id"]

    # … and shows on both pages within 5 seconds, without a reload.
    overview.wait_for_function(f"() => parseInt(document.querySelector('.kpi-key-open .kpi-value').textContent"
                               f".replace(/,/g, '')) === {open_before + 1}", timeout=LIVE_MS)
    page.wait_for_selector(row(page, "new", matter), timeout=LIVE_MS)
    assert queue_count(page, "new") == new_before + 1

    # Its card: details, a map of where it is, its light, its timeline, the legal actions.
    page.locator(row(page, "new", matter)).click()
    page.wait_for_selector(f'.card-info[data-matter="{matter}"]', timeout=STEP_MS)
    page.wait_for_selector("#desk-minimap .maplibregl-canvas", timeout=STEP_MS)
    wait_actions(page, "dispatch supervise escalate void")
    assert page.locator(".card-light .light-badge-green").count() == 1
    assert page.locator(".card-light").inner_text().startswith("剩余")
    assert "12345-DESK-1" in page.locator(".card-fields").inner_text()
    assert page.locator(".timeline .tl-item").count() == 1
    page.wait_for_selector(".form-row-dispatch .dash-dropdown-value", timeout=STEP_MS)
    assert "(建议)" in page.locator(".form-row-dispatch .dash-dropdown").first.inner_text()

    # A button whose note is missing says so beside the note, in Chinese, and writes nothing.
    page.locator(".action-supervise").click()
    page.wait_for_selector(".outcome-invalid", timeout=STEP_MS)
    assert page.locator(".form-row-note .field-error").inner_text() == "必填"
    assert page.locator(".timeline .tl-item").count() == 1
    page.wait_for_timeout(300)
    page.screenshot(path=str(screenshots / "desk-zh-new.png"), full_page=True)

    # Dispatch with the suggested department, by a click on the desk.
    page.locator(".action-dispatch").click()
    wait_status(page, "dispatched")
    page.wait_for_selector(".outcome-done", timeout=STEP_MS)
    assert "已办理「派单」" in page.locator(".outcome").inner_text()
    page.wait_for_selector(row(page, "new", matter), state="detached", timeout=STEP_MS)
    wait_actions(page, "sign supervise extend return escalate")
    assert "环卫所" in page.locator(".card-fields").inner_text()

    # The department signs for it and stops the clock (缓办) through the API: the light follows.
    assert api(server, f"/api/v1/matters/{matter}/actions", {"action": "sign"})[0] == 200
    wait_status(page, "handling", timeout=LIVE_MS)
    assert api(server, f"/api/v1/matters/{matter}/actions",
               {"action": "suspend", "note": "等待配件"})[0] == 200
    page.wait_for_selector(".card-light .light-badge-paused", timeout=LIVE_MS)
    assert page.locator(".card-light").inner_text().startswith("暂停计时")
    assert api(server, f"/api/v1/matters/{matter}/actions", {"action": "resume"})[0] == 200
    page.wait_for_selector(".card-light .light-badge-green", timeout=LIVE_MS)
    assert api(server, f"/api/v1/matters/{matter}/actions", {"action": "feedback", "note": "已清运"})[0] == 200
    page.wait_for_selector(row(page, "verify", matter), timeout=LIVE_MS)
    wait_actions(page, "verify reject supervise")

    # Verify and close at the desk: the matter leaves the open queues for "to follow up".
    page.locator(".action-verify").click()
    wait_status(page, "verified")
    page.wait_for_selector(row(page, "verify", matter), state="detached", timeout=STEP_MS)
    wait_actions(page, "close supervise")
    follow_ups = queue_count(page, "follow_up")
    page.locator(".action-close").click()
    wait_status(page, "closed")
    # The follow-up queue lists the longest-waiting first: the new arrival shows in its count.
    wait_count(page, "follow_up", follow_ups + 1)
    assert page.locator(".card-finished").inner_text() == "已结束，不再计时"
    overview.wait_for_function(f"() => parseInt(document.querySelector('.kpi-key-open .kpi-value').textContent"
                               f".replace(/,/g, '')) === {open_before}", timeout=LIVE_MS)

    # Follow-up needs a satisfaction; with one it is done and leaves the queue.
    wait_actions(page, "follow_up reopen")
    page.locator(".action-follow_up").click()
    page.wait_for_selector(".form-row-follow_up .field-error:not(:empty)", timeout=STEP_MS)
    assert page.locator(".form-row-follow_up .field-error").inner_text() == "请选择一项"
    page.get_by_label("满意", exact=True).check()
    page.locator(".action-follow_up").click()
    wait_count(page, "follow_up", follow_ups)
    assert "已办理「回访」" in page.locator(".outcome").inner_text()

    _, detail = api(server, f"/api/v1/matters/{matter}")
    assert [e["action"] for e in detail["events"]] == [
        "accept", "dispatch", "sign", "suspend", "resume", "feedback", "verify", "close", "follow_up"]
    assert [e["actor"] for e in detail["events"] if e["action"] in ("dispatch", "verify", "close", "follow_up")] \
        == [TEST_ADMIN] * 4                   # the signed-in user, not a name the page types
    assert detail["satisfaction"] == "satisfied" and detail["department_id"] == 13
    page.wait_for_selector(".timeline .tl-item >> nth=8", timeout=STEP_MS)
    page.wait_for_timeout(300)
    page.screenshot(path=str(screenshots / "desk-zh-closed.png"), full_page=True)
    assert_no_dash_errors(page, problems)
    assert_no_dash_errors(overview, overview_problems)

    # English: the switch in the navbar, then the same card by its link (a fresh page: a
    # navigation would abort this page's polls mid-flight).
    page.get_by_role("link", name="English").click()
    page.wait_for_selector("text=To dispatch", timeout=STEP_MS)
    wait_for_desk(page)
    assert_no_dash_errors(page, problems)
    page.close()
    page = browser.new_page(viewport={"width": 1600, "height": 1150}, locale="en-US",
                            storage_state=login_state(server))
    problems = PageProblems(page)
    page.goto(f"{server}/desk?lang=en&matter={matter}")
    wait_for_desk(page)
    page.wait_for_selector(f'.card-info[data-matter="{matter}"]', timeout=STEP_MS)
    page.wait_for_selector("#desk-minimap .maplibregl-canvas", timeout=STEP_MS)
    assert page.locator(".queue-title").first.inner_text() == "To dispatch"
    assert page.locator(".status-chip").inner_text() == "Closed"
    assert "Follow up" in page.locator(".timeline").inner_text()
    assert page.title().endswith("Dispatch desk")
    page.wait_for_timeout(500)
    page.screenshot(path=str(screenshots / "desk-en-closed.png"), full_page=True)
    assert_no_dash_errors(page, problems)
    overview.close()
    page.close()


def test_an_open_matter_in_english_with_its_overdue_light(server, browser, screenshots, login_state):
    """The most overdue open matter, opened by its row: the red light reads in English."""
    page = browser.new_page(viewport={"width": 1600, "height": 1150}, locale="en-US",
                            storage_state=login_state(server))
    problems = PageProblems(page)
    page.goto(server + "/desk?lang=en")
    wait_for_desk(page)
    first = page.locator(".queue-overdue .queue-row").first
    first.wait_for(timeout=STEP_MS)
    matter = first.get_attribute("data-matter")
    assert "overdue" in first.inner_text()
    first.click()
    page.wait_for_selector(f'.card-info[data-matter="{matter}"]', timeout=STEP_MS)
    page.wait_for_selector(".card-light .light-badge-red", timeout=STEP_MS)
    assert "overdue" in page.locator(".card-light").inner_text()
    page.wait_for_selector(".action-form", timeout=STEP_MS)
    assert page.locator(".action-dispatch").count() == 0 and page.locator(".action-supervise").count() == 1
    page.wait_for_timeout(800)
    page.screenshot(path=str(screenshots / "desk-en-overdue.png"), full_page=True)
    assert_no_dash_errors(page, problems)
    page.close()
