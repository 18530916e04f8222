"""Shared fixtures: real DuckDB files built once per test session."""
from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from queries.store import Store

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
def demo_db_path(tmp_path_factory) -> Path:
    from data.demo.build import build_demo

    path = tmp_path_factory.mktemp("demo") / "township.duckdb"
    build_demo(path, matters=DEMO_MATTERS, seed=DEMO_SEED, as_of=DEMO_AS_OF)
    return path


@pytest.fixture(scope="session")
def empty_db_path(tmp_path_factory) -> Path:
    """A township with its grid, departments and categories, but no matters yet."""
    from data.demo.build import build_demo

    path = tmp_path_factory.mktemp("empty") / "township.duckdb"
    build_demo(path, matters=0, seed=DEMO_SEED, as_of=DEMO_AS_OF)
    return path


@pytest.fixture(scope="module")
def writable_app(demo_db_path, tmp_path_factory):
    """The real app over this test module's own copy of the demo database: (app, store)."""
    from dashboard.app import create_app
    from queries.settings import load_settings

    path = tmp_path_factory.mktemp("writable") / "township.duckdb"
    shutil.copy(demo_db_path, path)
    store = Store(path)
    yield create_app(load_settings({}).with_overrides(db_path=str(path)), store), store
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
