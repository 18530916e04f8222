"""Shared fixtures: real DuckDB files built once per test session."""
from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from queries.store import Store
from tests.servers import add_test_admin, sign_in

DEMO_MATTERS = 20_000
DEMO_SEED = 11
# The whole suite runs at one fixed instant of the center's clock, whatever the machine's
# date, time or zone: the product's one clock (queries.clock) starts there and runs on, and
# the server subprocesses inherit it. The demo ends at that "now", so the data look live.
DEMO_AS_OF = datetime(2026, 11, 18, 10, 30)
os.environ.setdefault("TOWNSHIP_CLOCK_AT", DEMO_AS_OF.isoformat())
DEMO_AS_OF = datetime.fromisoformat(os.environ["TOWNSHIP_CLOCK_AT"]).replace(second=0, microsecond=0)
REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> tuple[Path, str]:
    """The demo database, with the test admin account and its API token (copies of the file
    carry both)."""
    from data.demo.build import build_demo

    path = tmp_path_factory.mktemp("demo") / "township.duckdb"
    build_demo(path, matters=DEMO_MATTERS, seed=DEMO_SEED, as_of=DEMO_AS_OF)
    return path, add_test_admin(path)


@pytest.fixture(scope="session")
def demo_db_path(demo_build) -> Path:
    return demo_build[0]


@pytest.fixture(scope="session")
def admin_token(demo_build) -> str:
    """An API token of the test admin (township-wide) in the demo database and its copies."""
    return demo_build[1]


@pytest.fixture(scope="session")
def admin_headers(admin_token) -> dict[str, str]:
    return {"Authorization": f"Bearer {admin_token}"}


@pytest.fixture(scope="session")
def empty_build(tmp_path_factory) -> tuple[Path, str]:
    from data.demo.build import build_demo

    path = tmp_path_factory.mktemp("empty") / "township.duckdb"
    build_demo(path, matters=0, seed=DEMO_SEED, as_of=DEMO_AS_OF)
    return path, add_test_admin(path)


@pytest.fixture(scope="session")
def empty_db_path(empty_build) -> Path:
    """A township with its grid, departments and categories, but no matters yet."""
    return empty_build[0]


@pytest.fixture(scope="session")
def empty_admin_token(empty_build) -> str:
    return empty_build[1]


@pytest.fixture(scope="module")
def writable_app(demo_db_path, admin_token, tmp_path_factory):
    """The real app over this test module's own copy of the demo database: (app, store)."""
    from dashboard.app import create_app
    from queries.settings import load_settings

    path = tmp_path_factory.mktemp("writable") / "township.duckdb"
    shutil.copy(demo_db_path, path)
    store = Store(path)
    # many sign-ins from one test address: the login rate limit is tried in test_hardening
    app = create_app(load_settings({}).with_overrides(db_path=str(path), login_rate_per_min=100_000), store)
    sign_in(app.server, admin_token)       # every test client of this app acts as the test admin
    yield app, store
    store.close()


@pytest.fixture
def demo_store(demo_db_path) -> Store:
    store = Store(demo_db_path, read_only=True)
    yield store
    store.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where browser tests leave their screenshots ($TOWNSHIP_SCREENSHOTS, or a temp folder)."""
    folder = Path(os.environ.get("TOWNSHIP_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {folder}")
    return folder


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for every browser test (Playwright cannot download one here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def login_state(browser):
    """Sign the test admin in through /login in real Chromium; returns a function of a
    server's URL giving the browser storage state (the session cookie) to open pages with:
    ``browser.new_page(storage_state=login_state(url))``."""
    from tests.servers import login_in_browser

    states: dict[str, dict] = {}

    def state(url: str) -> dict:
        if url not in states:
            states[url] = login_in_browser(browser, url)
        return states[url]

    return state
