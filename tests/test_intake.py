"""The one intake service: a body in, the matter placed on the grid and registered, the same
for every channel; a point off the grid is a field error and writes nothing."""
import shutil
from datetime import datetime

import pytest

from layers.placement import LocatorCache
from queries.intake import register_matter
from queries.store import Store
from queries.writepath import FieldErrors

T0 = datetime(2026, 3, 2, 9, 0)   # a Monday


@pytest.fixture(scope="module")
def store(empty_db_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("intake") / "i.duckdb"
    shutil.copy(empty_db_path, path)
    s = Store(path)
    yield s
    s.close()


def a_cell(store):
    return store.frame("SELECT area_id, code, village_id, lon, lat FROM areas WHERE level = 'cell' LIMIT 1").iloc[0]


def body(**extra):
    return {"source": "public", "category": "0401", "description": "小区门口垃圾堆放", **extra}


def test_a_point_is_registered_in_the_cell_it_lies_in(store):
    cell = a_cell(store)
    result, created = register_matter(store, body(lon=float(cell.lon), lat=float(cell.lat)),
                                      locate=LocatorCache(store).place, now=T0)
    assert created and result["status"] == "registered" and result["cell"] == cell.code
    assert store.scalar("SELECT cell_id FROM matters WHERE matter_id = ?", [result["id"]]) == cell.area_id


def test_an_address_alone_is_registered_without_asking_the_grid(store):
    def no_grid(lon, lat):
        raise AssertionError("an address-only matter needs no cell look-up")

    result, created = register_matter(store, body(address="运河社区3幢"), locate=no_grid, now=T0)
    assert created and result["cell"] is None


def test_a_point_off_the_grid_is_a_field_error_and_writes_nothing(store):
    before = store.scalar("SELECT count(*) FROM matters")
    with pytest.raises(FieldErrors) as raised:
        register_matter(store, body(lon=121.5, lat=31.2), locate=LocatorCache(store).place, now=T0)
    assert [e["field"] for e in raised.value.errors] == ["lon"]
    assert store.scalar("SELECT count(*) FROM matters") == before


def test_a_retry_with_the_same_key_gets_the_first_answer(store):
    cell = a_cell(store)
    first = register_matter(store, body(lon=float(cell.lon), lat=float(cell.lat)),
                            locate=LocatorCache(store).place, now=T0, idempotency_key="once")
    again = register_matter(store, body(lon=float(cell.lon), lat=float(cell.lat)),
                            locate=LocatorCache(store).place, now=T0, idempotency_key="once")
    assert first[1] and not again[1] and again[0] == first[0]
