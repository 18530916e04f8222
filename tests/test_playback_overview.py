"""The overview in playback: the playback reader answers the overview's own queries with
the same columns and, at an instant nothing has changed since, the same values as the live
tables (with and without filters); in Chromium, ?at= shows the banner, the step buttons
move the instant in the URL and 实时 returns to the live board."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from dashboard.reader import Reader
from dashboard.views import overview as panels
from dashboard.views.playback import PlaybackReader, parse_at, stepped
from tests.conftest import CHROMIUM, DEMO_AS_OF
from tests.test_browser import PageProblems, assert_no_dash_errors, server  # noqa: F401 (the fixture)

SHARED = ("overview/open_by_cell", "overview/department_workload")


@pytest.mark.parametrize("filters", [panels.Filters(), panels.Filters(sources=("public", "grid"), majors=("04",))])
def test_playback_of_now_answers_the_overview_queries_as_the_live_tables_do(demo_store, filters):
    live = Reader(demo_store)
    view = panels.View(scope=tuple(demo_store.all_village_ids() + [-1]), now=DEMO_AS_OF, yellow_share=0.25,
                       filters=filters)
    past = PlaybackReader(live, DEMO_AS_OF, 0.25)
    for name in SHARED:
        a, b = live.run(name, **view.params()), past.run(name, **view.params())
        assert list(a.columns) == list(b.columns)
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)
    a, b = live.run("overview/kpis", **view.params()), past.run("overview/kpis", **view.params())
    assert list(a.columns) == list(b.columns)
    for key in ("open_count", "overdue_count", "due_soon_count", "received_today", "closed_today"):
        assert int(a[key].iloc[0]) == int(b[key].iloc[0]), key
    rows_live = panels.open_matter_rows(live, view, "zh", 450)
    rows_past = panels.open_matter_rows(past, view, "zh", 450)
    assert [r["matter_id"] for r in rows_live] == [r["matter_id"] for r in rows_past]
    assert rows_live[:50] == rows_past[:50]
    # an earlier instant is another board
    earlier = PlaybackReader(live, DEMO_AS_OF - timedelta(days=2), 0.25)
    assert not earlier.run("overview/open_by_cell", **view.params()).equals(live.run("overview/open_by_cell",
                                                                                      **view.params()))


def test_instants_of_the_url_and_the_steps():
    now = DEMO_AS_OF
    assert parse_at("2026-01-01T08:00", now).hour == 8
    assert parse_at("not a time", now) is None and parse_at(None, now) is None
    assert parse_at((now + timedelta(minutes=5)).isoformat(), now) is None       # the future is live
    assert stepped(None, now, "hour", -1) == now.replace(second=0) - timedelta(hours=1)
    assert stepped(now - timedelta(seconds=30), now, "minute", +1) is None     # past now: live


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="browser tests need Chromium")
def test_the_time_control_in_chromium(server, browser, login_state):  # noqa: F811
    at = (DEMO_AS_OF - timedelta(days=1)).replace(second=0).isoformat(timespec="minutes")
    context = browser.new_context(storage_state=login_state(server), viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    problems = PageProblems(page)
    try:
        page.goto(f"{server}/?at={at}", wait_until="domcontentloaded")
        banner = page.locator(".pb-banner")
        banner.wait_for(timeout=30_000)
        assert at.replace("T", " ") in banner.inner_text() and "回放" in banner.inner_text()
        page.wait_for_function("s => document.querySelector('#ov-as-of').innerText.includes(s)",
                               arg=at.replace("T", " "), timeout=10_000)
        page.click("#pb-back")
        earlier = (DEMO_AS_OF - timedelta(days=1, minutes=1)).replace(second=0).isoformat(timespec="minutes")
        page.wait_for_function("s => location.search.includes(s)", arg=earlier.replace(":", "%3A"),
                               timeout=5_000)
        page.click("#pb-live")
        banner.wait_for(state="detached", timeout=5_000)
        assert "at=" not in page.evaluate("location.search")
        assert_no_dash_errors(page, problems)
    finally:
        context.close()
