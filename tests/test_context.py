"""The one app context: every page and API reaches the store, settings and reader through
it, and the viewer's scope comes from ``viewer_scope()`` alone."""
import pytest
from flask import Flask

from dashboard.app import create_app
from dashboard.context import AppContext, NotSignedIn, app_context, current_user, use_user, viewer_scope
from dashboard.reader import UNPLACED
from queries.accounts import User
from queries.settings import load_settings
from tests.servers import act_as_admin


def test_viewer_scope_is_every_village_and_the_unplaced(demo_store):
    app = create_app(load_settings({}), demo_store)
    villages = demo_store.frame("SELECT area_id FROM areas WHERE level = 'village' ORDER BY area_id")
    with app.server.test_request_context("/"):
        act_as_admin(demo_store)
        ctx = app_context()
        assert isinstance(ctx, AppContext) and ctx.store is demo_store and ctx.locator is not None
        assert viewer_scope() == [int(v) for v in villages["area_id"]] + [UNPLACED]
        assert len(viewer_scope()) == 1 + len(villages) > 1
        assert app_context().warnings_lock is ctx.warnings_lock       # one lock for the server


def test_a_scoped_user_sees_only_their_villages_and_no_one_signed_in_sees_nothing(demo_store):
    app = create_app(load_settings({}), demo_store)
    villages = demo_store.frame("SELECT area_id, code FROM areas WHERE level = 'village' ORDER BY area_id")
    with app.server.test_request_context("/"):
        assert current_user() is None
        with pytest.raises(NotSignedIn):
            viewer_scope()
        use_user(User(99, "村里的人", "viewer", (villages["code"].iloc[1],), None))
        assert viewer_scope() == [int(villages["area_id"].iloc[1])]      # no UNPLACED for a scoped user
        use_user(User(98, "两村", "viewer", tuple(villages["code"].iloc[:2]), None))
        assert viewer_scope() == [int(v) for v in villages["area_id"].iloc[:2]]


def test_without_an_installed_context_the_error_says_how_to_get_one():
    bare = Flask(__name__)
    with bare.test_request_context("/"), pytest.raises(RuntimeError, match="create_app"):
        viewer_scope()


def test_no_page_or_endpoint_reads_the_flask_config_or_asks_for_scope_elsewhere():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "dashboard"
    offenders = [f"{p.relative_to(root)}: {line.strip()}" for p in root.rglob("*.py")
                 for line in p.read_text(encoding="utf-8").splitlines()
                 if ("current_app.config" in line or "township_scope" in line or "all_village_ids" in line)
                 and p.name != "context.py"]
    assert offenders == []
