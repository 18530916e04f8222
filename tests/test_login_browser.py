"""Signing in and out in real Chromium against the real server: a page without a session
lands on /login (Chinese, or English with ?lang=en), a wrong password says so, the right
one opens the page first asked for, the top bar names the user and their role, and
signing out ends the session."""
from __future__ import annotations

import pytest

from dashboard.launch import running_server
from tests.servers import TEST_ADMIN, TEST_PASSWORD, copy_db

STEP_MS = 30_000


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_db_path):
    folder = tmp_path_factory.mktemp("browser-login")
    with running_server(copy_db(demo_db_path, folder), folder, {"TOWNSHIP_DEV_TOOLS": "1"}) as url:
        yield url


def test_sign_in_from_a_deep_link_and_out_again(server, browser, screenshots):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{server}/desk")
        page.wait_for_selector("#login-name", timeout=STEP_MS)
        assert "/login?next=%2Fdesk" in page.url
        assert page.locator("h2").inner_text() == "登录" and page.title().startswith("登录")
        page.screenshot(path=str(screenshots / "login-zh.png"))

        page.fill("#login-name", TEST_ADMIN)
        page.fill("#login-password", "not the password")
        page.click("#login-submit")
        page.wait_for_selector(".login-message", timeout=STEP_MS)
        assert page.locator(".login-message").inner_text() == "用户名或密码不正确"
        assert page.locator("#login-name").input_value() == TEST_ADMIN          # kept; the password not
        assert page.locator("#login-password").input_value() == ""

        page.fill("#login-password", TEST_PASSWORD)
        page.click("#login-submit")
        page.wait_for_url(f"{server}/desk", timeout=STEP_MS)
        page.wait_for_selector("#app-nav-user", timeout=STEP_MS)
        assert page.locator("#app-nav-user").inner_text() == f"{TEST_ADMIN}（管理员）"
        cookie = next(c for c in context.cookies() if c["name"] == "township_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert page.evaluate("document.cookie") == ""                       # no script can read it
        page.screenshot(path=str(screenshots / "login-desk-signed-in.png"))

        page.click("#app-nav-logout")
        page.wait_for_selector("#login-name", timeout=STEP_MS)
        assert page.locator(".login-message").inner_text() == "已退出登录"
        page.goto(f"{server}/")
        page.wait_for_selector("#login-name", timeout=STEP_MS)
        assert "/login?next=%2F" in page.url
    finally:
        context.close()


def test_the_login_page_in_english_and_the_navbar_in_english(server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    page = context.new_page()
    try:
        page.goto(f"{server}/warnings?lang=en")
        page.wait_for_selector("#login-name", timeout=STEP_MS)
        assert page.locator("h2").inner_text() == "Sign in"
        assert page.locator("label").first.inner_text().startswith("User name")
        page.fill("#login-name", TEST_ADMIN)
        page.fill("#login-password", TEST_PASSWORD)
        page.click("#login-submit")
        page.wait_for_url(f"{server}/warnings?lang=en", timeout=STEP_MS)
        page.wait_for_selector("#app-nav-user", timeout=STEP_MS)
        assert page.locator("#app-nav-user").inner_text() == f"{TEST_ADMIN} (administrator)"
        assert page.locator("#app-nav-logout").inner_text() == "Sign out"
    finally:
        context.close()
