"""Shared fixtures: real DuckDB files built once per test session."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from queries.store import Store

DEMO_MATTERS = 20_000
DEMO_SEED = 11
# The demo ends "now", as in the product, so the data look live; built once per session.
DEMO_AS_OF = datetime.now().replace(second=0, microsecond=0)
REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory) -> Path:
    from data.generate import build_demo

    path = tmp_path_factory.mktemp("demo") / "township.duckdb"
    build_demo(path, matters=DEMO_MATTERS, seed=DEMO_SEED, as_of=DEMO_AS_OF)
    return path


@pytest.fixture(scope="session")
def empty_db_path(tmp_path_factory) -> Path:
    """A township with its grid, departments and categories, but no matters yet."""
    from data.generate import build_demo

    path = tmp_path_factory.mktemp("empty") / "township.duckdb"
    build_demo(path, matters=0, seed=DEMO_SEED, as_of=DEMO_AS_OF)
    return path


@pytest.fixture
def demo_store(demo_db_path) -> Store:
    store = Store(demo_db_path, read_only=True)
    yield store
    store.close()
