"""The import page in real Chromium against the real server (a subprocess on its own copy
of the demo database): upload a small CSV, pick a column, import, read the summary, and
see the server's matter count rise. Fails on console errors and Dash error overlays."""
from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

import pytest

from dashboard.launch import running_server
from queries.store import Store
from tests.servers import copy_db
from tests.test_browser import CHROMIUM, PageProblems, assert_no_dash_errors

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
STEP_MS = 30_000


@pytest.fixture(scope="module")
def cell_point(demo_db_path, tmp_path_factory) -> tuple[float, float]:
    copy = tmp_path_factory.mktemp("admin-point") / "read.duckdb"
    shutil.copy(demo_db_path, copy)
    store = Store(copy, read_only=True)
    try:
        return (float(store.scalar("SELECT lat FROM areas WHERE level = 'cell' ORDER BY area_id LIMIT 1")),
                float(store.scalar("SELECT lon FROM areas WHERE level = 'cell' ORDER BY area_id LIMIT 1")))
    finally:
        store.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_db_path):
    folder = tmp_path_factory.mktemp("browser-admin")
    with running_server(copy_db(demo_db_path, folder), folder, {"TOWNSHIP_DEV_TOOLS": "1"}) as url:
        yield url


def _matters(url: str) -> int:
    with urllib.request.urlopen(f"{url}/healthz", timeout=10) as response:
        return int(json.loads(response.read())["matters"])


def test_upload_pick_import_and_see_the_summary(server, browser, screenshots, cell_point, tmp_path, login_state):
    lat, lon = cell_point
    export = tmp_path / "乡镇12345导出.csv"
    export.write_text(
        "工单编号,受理时间,办结时间,问题类型,责任部门,状态,备注说明,纬度,经度\n"
        f"Z1,2024-05-01 08:00:00,2024-05-02 09:00:00,占道经营,城管中队,已办结,路口摆摊,{lat},{lon}\n"
        f"Z2,2024-05-01 09:00:00,,垃圾堆放,环卫所,处理中,河边垃圾,{lat},{lon}\n"
        "Z3,2024-05-02 10:00:00,,噪音扰民,,处理中,夜间施工,,\n"
        f"Z2,2024-05-02 11:00:00,,占道经营,城管中队,处理中,重复编号,{lat},{lon}\n"
        f"Z4,2024-05-03 12:00:00,2024-05-01 12:00:00,占道经营,城管中队,已办结,先结后受,{lat},{lon}\n",
        encoding="utf-8")
    before = _matters(server)

    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN",
                            storage_state=login_state(server))
    problems = PageProblems(page)
    page.goto(server + "/admin/import")
    page.wait_for_selector("h1:has-text('数据导入')", timeout=STEP_MS)
    assert "/admin/import" in page.locator(".adm-access").inner_text()
    page.locator("#adm-upload input[type=file]").set_input_files(str(export))
    page.wait_for_selector("#adm-upload-msg .adm-note-ok", timeout=STEP_MS)
    assert "5 行" in page.locator("#adm-upload-msg").inner_text()
    # the preview shows the first rows; the guessed columns are pre-filled
    page.wait_for_selector("#adm-preview table td:has-text('路口摆摊')", timeout=STEP_MS)
    assert "工单编号" in page.locator(".adm-field-id .dash-dropdown").inner_text()
    assert "受理时间" in page.locator(".adm-field-created_at .dash-dropdown").inner_text()
    page.wait_for_selector(".adm-status-theirs:has-text('已办结')", timeout=STEP_MS)

    # "备注说明" is not a name we guess: pick it for the description by hand
    page.locator(".adm-field-description .dash-dropdown").click()
    page.get_by_role("option", name="备注说明").click()
    page.keyboard.press("Escape")
    page.wait_for_function("() => (document.querySelector('#adm-toml') || {}).textContent"
                           "?.includes('description = \"备注说明\"')", timeout=STEP_MS)
    toml_text = page.locator("#adm-toml").inner_text()
    assert 'id = "工单编号"' in toml_text and '"已办结" = "closed"' in toml_text
    page.wait_for_selector("#adm-mapping-msg .adm-note-ok", timeout=STEP_MS)

    page.locator("#adm-run").click()
    page.wait_for_selector(".adm-progress-done", timeout=60_000)
    assert "100%" in page.locator("#adm-progress-text").inner_text()
    page.wait_for_selector(".adm-summary", timeout=STEP_MS)
    tiles = {k: page.locator(f".adm-tile-{k} .adm-tile-value").inner_text()
             for k in ("rows_read", "imported", "rejected", "without_cell")}
    assert tiles == {"rows_read": "5", "imported": "3", "rejected": "2", "without_cell": "1"}
    reasons = page.locator(".adm-reasons").inner_text()
    assert "编号与前面的行重复" in reasons and "办结时间早于受理时间" in reasons
    assert page.locator(".adm-rejects tbody tr").count() == 2
    assert page.locator("#adm-download-rejects").is_visible()
    with page.expect_download() as download:
        page.locator("#adm-download-rejects").click()
    assert "reason" in Path(download.value.path()).read_text(encoding="utf-8").splitlines()[0]

    assert _matters(server) == before + 3
    page.screenshot(path=str(screenshots / "admin-import-zh.png"), full_page=True)
    assert_no_dash_errors(page, problems)
    page.close()


def test_a_binary_file_gives_one_message_in_english(server, browser, screenshots, tmp_path, login_state):
    fake = tmp_path / "export.csv"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    before = _matters(server)
    page = browser.new_page(viewport={"width": 1400, "height": 900}, storage_state=login_state(server))
    problems = PageProblems(page)
    page.goto(server + "/admin/import?lang=en")
    page.wait_for_selector("h1:has-text('Data import')", timeout=STEP_MS)
    page.locator("#adm-upload input[type=file]").set_input_files(str(fake))
    page.wait_for_selector("#adm-upload-msg .adm-note-error", timeout=STEP_MS)
    message = page.locator("#adm-upload-msg").inner_text()
    assert message.startswith("The file cannot be imported") and "export.csv: binary content" in message
    assert page.locator("#adm-form").is_hidden()
    assert _matters(server) == before
    page.screenshot(path=str(screenshots / "admin-import-en-bad-file.png"), full_page=True)
    assert_no_dash_errors(page, problems)
    page.close()
