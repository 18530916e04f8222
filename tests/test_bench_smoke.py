"""The benchmark suite keeps working: a 10,000-matter smoke run through every part, and
the pandas baseline giving the same answers as the overview's SQL (else the comparison
would measure different work)."""
import json

from benchmarks.pandas_overview import PandasOverview, same_answers, sql_answers
from benchmarks.run import main
from tests.conftest import DEMO_AS_OF


def test_pandas_baseline_gives_the_overview_s_answers(demo_store):
    scope = demo_store.all_village_ids() + [-1]
    now = DEMO_AS_OF
    baseline = PandasOverview.load(demo_store)
    some_village = scope[:2]
    for filters in ({}, {"villages": some_village}, {"sources": ["grid", "public"], "majors": ["04", "07"]},
                    {"depts": [1, 13, -1]}):
        kwargs = dict(scope=scope, now=now, yellow_share=0.25, **filters)
        assert same_answers(baseline.answers(**kwargs), sql_answers(demo_store, **kwargs)) == [], filters


def test_a_small_benchmark_run_writes_every_figure(tmp_path):
    assert main(["--size", "10000", "--runs", "2", "--intake-seconds", "2", "--folder", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "results-10000.json").read_text())
    assert results["answers_identical"] is True
    for key in ("overview_refresh_ms", "overview_refresh_pandas_ms", "map_update_bytes", "assign_points_per_s"):
        figure = results[key]
        assert set(figure) >= {"median", "min", "max"} and figure["min"] <= figure["median"] <= figure["max"]
    assert results["demo_build_matters_per_s"] > 0
    assert results["intake_rps"] > 0 and results["intake_errors"] == []
    assert results["map_update_bytes"]["median"] <= 20_000
    if results.get("first_render_ms") is not None:
        assert results["first_render_ms"]["median"] > 0 and results["server_rss_mb"] > 0
        assert set(results["pages_refreshed"]) >= {"/", "/desk"}
