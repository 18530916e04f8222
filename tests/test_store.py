"""The store: migrations, clear errors for bad files, the query runner's checks."""
import os
import subprocess
import sys

import duckdb
import pytest

from queries import sqlfiles
from queries.sqlfiles import LATEST_SCHEMA_VERSION, QueryError, all_queries, migrations, parse_query
from queries.store import Store, StoreError


def test_a_new_file_gets_the_latest_schema(tmp_path):
    s = Store(tmp_path / "new.duckdb", create=True)
    assert s.schema_version == LATEST_SCHEMA_VERSION
    assert s.scalar("SELECT count(*) FROM schema_migrations") == len(migrations())
    assert s.scalar("SELECT count(*) FROM work_days WHERE kind = 'adjusted_workday'") > 10
    s.close()


def test_an_older_file_is_migrated_when_opened(tmp_path):
    path = tmp_path / "old.duckdb"
    s = Store.__new__(Store)
    s.path, s.read_only = path, False
    s.con = duckdb.connect(str(path))
    assert s._migrate("08:30-12:00,13:30-17:30", up_to=1) == 1      # a file from schema 1
    s.con.execute("INSERT INTO departments VALUES (1, 'X', '某部门', NULL, NULL, false)")
    s.con.close()
    with pytest.raises(StoreError, match="older"):
        Store(path, read_only=True)                                 # read-only cannot migrate
    s = Store(path)
    assert s.schema_version == LATEST_SCHEMA_VERSION
    assert s.scalar("SELECT name FROM departments") == "某部门"      # data kept
    assert s.scalar("SELECT count(*) FROM open_matter_lights(TIMESTAMP '2026-01-05 10:00', 0.25)") == 0
    s.close()


def test_a_file_from_a_newer_program_is_refused(tmp_path):
    path = tmp_path / "newer.duckdb"
    Store(path, create=True).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_migrations VALUES (999, 'future', now()::TIMESTAMP)")
    con.close()
    with pytest.raises(StoreError, match="newer than this program"):
        Store(path)


@pytest.mark.parametrize("content, message", [
    (b"hello", "not a DuckDB database file"),
    (os.urandom(4096), "not a DuckDB database file"),
    (b"", "not a DuckDB database file"),
])
def test_bad_files_give_one_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.duckdb"
    path.write_bytes(content)
    with pytest.raises(StoreError, match=message):
        Store(path)
    assert path.read_bytes() == content                              # nothing written


def test_a_foreign_duckdb_file_is_refused(tmp_path):
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="not a township database"):
        Store(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(StoreError, match="no such database file"):
        Store(tmp_path / "missing.duckdb")
    with pytest.raises(StoreError, match="is a folder"):
        Store(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file(tmp_path):
    path = tmp_path / "locked.duckdb"
    Store(path, create=True).close()
    path.chmod(0)
    with pytest.raises(StoreError, match="cannot read"):
        Store(path)


def test_cli_prints_one_line_not_a_traceback(tmp_path):
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"not a database at all, just text")
    for argv in (["info", "--db", str(bad)], ["serve", "--db", str(bad), "--port", "0"],
                 ["info", "--db", str(tmp_path / "missing.duckdb")]):
        r = subprocess.run([sys.executable, "-m", "dashboard", *argv], capture_output=True, text=True, timeout=60)
        assert r.returncode == 2
        assert r.stderr.count("\n") == 1 and r.stderr.startswith("error: "), r.stderr
        assert "Traceback" not in r.stderr


def test_query_headers_must_match_the_parameters_used():
    q = parse_query("x", "-- says what\n-- params: a\n-- returns: n\nSELECT $a AS n")
    assert q.params == ("a",) and q.returns == ("n",)
    with pytest.raises(QueryError, match="differ"):
        parse_query("y", "-- params: a\n-- returns: n\nSELECT $a + $b AS n")


def test_runner_checks_parameters_and_scope(demo_store):
    with pytest.raises(QueryError, match="no query"):
        demo_store.run("nope/never")
    name = next(n for n, q in all_queries().items() if "scope" in q.params)
    with pytest.raises(QueryError, match="missing parameters"):
        demo_store.run(name)
    params = {p: None for p in all_queries()[name].params}
    with pytest.raises(QueryError, match="scope must be the list"):
        demo_store.run(name, **params)


def test_runner_interrupts_a_slow_query():
    store = Store(":memory:", create=True, query_time_limit_ms=100)
    slow = sqlfiles.Query("slow", "SELECT count(*) FROM range(100000000000) a", (), ("n",), "")
    sqlfiles.all_queries()["test/slow"] = slow
    try:
        with pytest.raises(QueryError, match="exceeded 100 ms"):
            store.run("test/slow")
    finally:
        del sqlfiles.all_queries()["test/slow"]
        store.close()


def test_every_write_bumps_the_data_version(tmp_path):
    s = Store(tmp_path / "v.duckdb", create=True)
    v0 = s.data_version()
    with s.write() as cur:
        cur.execute("INSERT INTO departments VALUES (1, 'X', 'x', NULL, NULL, false)")
    assert s.data_version() == v0 + 1
    with pytest.raises(duckdb.Error), s.write() as cur:
        cur.execute("INSERT INTO departments VALUES (2, 'Y', 'y', NULL, NULL, false)")
        cur.execute("INSERT INTO departments VALUES (2, 'Y', 'y', NULL, NULL, false)")
    assert s.data_version() == v0 + 1                               # rolled back whole
    assert s.scalar("SELECT count(*) FROM departments") == 1
    s.close()
