"""Test helpers around the real server: a private copy of a database to serve, and signing
in as the test admin (a token for API clients, /login in Chromium for pages)."""
from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEST_ADMIN = "test-admin"
TEST_PASSWORD = "test-admin-password"


def copy_db(source: Path, folder: Path, name: str = "township.duckdb") -> Path:
    target = folder / name
    shutil.copy(source, target)
    return target


def add_test_admin(db: Path | str) -> str:
    """Add the township-wide test admin to the database file ``db``; returns a new API token."""
    from queries.store import Store

    store = Store(db)
    try:
        return admin_token_of(store)
    finally:
        store.close()


def admin_token_of(store) -> str:
    """The test admin in an open store (made when missing), and a new token of theirs."""
    from queries import accounts

    if accounts.user_named(store, TEST_ADMIN) is None:
        accounts.add_user(store, name=TEST_ADMIN, role="admin", password=TEST_PASSWORD)
    return accounts.new_token(store, name=TEST_ADMIN)["token"]


def sign_in(server, token: str) -> str:
    """Have every test client of the Flask ``server`` send ``token`` (a client may drop it:
    ``client.environ_base.pop("HTTP_AUTHORIZATION")``); returns the token."""
    from flask.testing import FlaskClient

    class SignedIn(FlaskClient):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    server.test_client_class = SignedIn
    return token


def client_with(server, token: str):
    """A Flask test client of ``server`` (a Dash app's ``.server``) sending ``token``."""
    client = server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def act_as_admin(store=None) -> None:
    """Act as the test admin in the current app context (callbacks called directly);
    ``store``: the app's own when not given."""
    from dashboard.context import app_context, use_user
    from queries import accounts

    store = store or app_context().store
    if accounts.user_named(store, TEST_ADMIN) is None:
        admin_token_of(store)
    use_user(accounts.user_named(store, TEST_ADMIN))


def login_in_browser(browser, url: str, name: str = TEST_ADMIN, password: str = TEST_PASSWORD) -> dict:
    """Sign in through the real /login form; returns the context's storage state."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{url}/login", wait_until="domcontentloaded")
        page.fill("#login-name", name)
        page.fill("#login-password", password)
        with page.expect_navigation():
            page.click("#login-submit")
        return context.storage_state()
    finally:
        context.close()
