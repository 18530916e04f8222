"""The big screen (大屏, ``/screen``): the 1920×1080 canvas scaled to the window in real
Chromium (1920×1080 and a 3840×2160 wall: same layout, nothing cut off, no scrollbars), the
sizes that read from 5 m, the live clock and the connection light, the highlighted matters;
the kiosk token (no login, read-only, the screen alone, revocable, the user's scope); the
screen's own frame-ancestors; and the palette told apart with red-green colour blindness."""
from __future__ import annotations

import json
import math

import pytest

from dashboard.components.ids import screen as ids
from dashboard.launch import running_server
from queries import accounts
from tests.servers import copy_db

STEP_MS = 60_000
CANVAS = (1920, 1080)


@pytest.fixture(scope="module")
def kiosk_server(tmp_path_factory, demo_db_path):
    """The real server over a copy of the demo, and a kiosk URL of a scoped leader."""
    from queries.store import Store

    folder = tmp_path_factory.mktemp("screen")
    db = copy_db(demo_db_path, folder)
    store = Store(db)
    try:
        codes = list(store.run("accounts/village_codes")["code"])
        accounts.add_user(store, name="wall", role="leader", password="wall-password-1234")
        kiosk = accounts.new_token(store, name="wall", kiosk=True)["token"]
    finally:
        store.close()
    with running_server(db, folder, {"TOWNSHIP_SCREEN_STALE_S": "3"}) as url:
        yield url, kiosk, codes


@pytest.fixture(scope="module")
def screen_page(kiosk_server, browser):
    url, kiosk, _ = kiosk_server
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{url}/screen?kiosk={kiosk}")
    page.wait_for_selector(f"#{ids.RANKING} table", timeout=STEP_MS)
    page.wait_for_selector(f"#{ids.MAP} .js-plotly-plot", timeout=STEP_MS)
    yield page
    context.close()


GEOMETRY = """() => {
  const r = document.getElementById('scr-canvas').getBoundingClientRect();
  const d = document.documentElement, b = document.body;
  const outside = [...document.querySelectorAll('#scr-canvas .scr-panel, #scr-canvas .scr-kpi, #scr-canvas .scr-header')]
      .filter(e => { const q = e.getBoundingClientRect();
                     return q.left < r.left - 1 || q.top < r.top - 1 || q.right > r.right + 1 || q.bottom > r.bottom + 1; })
      .map(e => e.className);
  return {x: r.x, y: r.y, w: r.width, h: r.height, vw: innerWidth, vh: innerHeight,
          scrollW: d.scrollWidth, scrollH: d.scrollHeight, clientW: d.clientWidth, clientH: d.clientHeight,
          bodyOverflow: getComputedStyle(b).overflow, outside};
}"""


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)])
def test_the_canvas_fills_the_screen_scaled_without_scrollbars(screen_page, screenshots, size):
    page = screen_page
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.wait_for_function(f"() => Math.abs(document.getElementById('scr-canvas').getBoundingClientRect().width"
                           f" - {size[0]}) < 1", timeout=STEP_MS)
    box = page.evaluate(GEOMETRY)
    assert (box["vw"], box["vh"]) == size
    assert box["x"] == pytest.approx(0, abs=1) and box["y"] == pytest.approx(0, abs=1)
    assert box["w"] == pytest.approx(size[0], abs=1) and box["h"] == pytest.approx(size[1], abs=1)
    assert box["w"] / box["h"] == pytest.approx(CANVAS[0] / CANVAS[1], rel=1e-3)
    # no scrollbars: nothing is wider or taller than the window, and the page cannot scroll
    assert (box["scrollW"], box["scrollH"]) == (box["clientW"], box["clientH"]) == size
    assert box["outside"] == []                      # every panel inside the canvas
    page.screenshot(path=str(screenshots / f"screen-{size[0]}x{size[1]}.png"))


def test_numbers_read_from_five_metres_and_the_township_header(screen_page):
    page = screen_page
    sizes = page.evaluate("""() => {
      const px = s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize);
      return {label: px('.scr-kpi-label'), value: px('.scr-kpi-value'), title: px('.scr-panel-title')};
    }""")
    assert sizes["label"] >= 28 and sizes["value"] >= 64 and sizes["title"] >= 28
    page.wait_for_function(f"() => document.getElementById('{ids.TITLE}').textContent.includes('·')",
                           timeout=STEP_MS)
    assert "指挥调度大屏" in page.inner_text(f"#{ids.TITLE}")
    assert page.inner_text(f"#{ids.AS_OF}").startswith("数据截至")
    overdue = page.inner_text(".scr-kpi-red .scr-kpi-value")
    assert overdue.replace(",", "").isdigit()
    # the rates carry their definition: numerator and denominator
    assert "按期" in page.inner_text(".scr-kpi:nth-child(6) .scr-kpi-detail")
    # the live clock is the browser's: it shows a time of day and moves on
    first = page.inner_text(f"#{ids.CLOCK}")
    assert len(first) == 8 and first[2] == ":" and first[5] == ":"
    page.wait_for_function(f"t => document.getElementById('{ids.CLOCK}').textContent !== t", arg=first,
                           timeout=STEP_MS)


def test_new_red_or_urgent_matters_flash_at_most_twice_a_second(screen_page):
    page = screen_page
    page.wait_for_selector(".scr-alert.scr-flash", timeout=STEP_MS)
    animation = page.evaluate("""() => { const s = getComputedStyle(document.querySelector('.scr-flash'));
                                         return {name: s.animationName, seconds: parseFloat(s.animationDuration)}; }""")
    assert animation["name"] == "scr-flash" and 1 / animation["seconds"] <= 2
    # the light is an icon and a word, not a colour alone
    first = page.locator(".scr-alert .scr-light").first
    assert first.locator(".scr-light-icon").inner_text() and first.locator(".scr-light-text").inner_text()
    # the rolling list scrolls by a CSS animation over the list written twice (a seamless loop)
    ticker = page.evaluate(f"""() => {{ const u = document.getElementById('{ids.TICKER}');
        return {{n: u.children.length, anim: getComputedStyle(u).animationName}}; }}""")
    assert ticker["anim"] == "scr-roll" and ticker["n"] % 2 == 0 and ticker["n"] > 0


def test_the_connection_light_turns_red_when_updates_stop(screen_page):
    page = screen_page
    page.wait_for_selector(f"#{ids.CONN}.scr-conn-ok", timeout=STEP_MS)
    assert page.inner_text(f"#{ids.CONN}").endswith("实时连接正常")
    page.route("**/_dash-update-component*", lambda route: route.abort())
    try:
        page.wait_for_selector(f"#{ids.CONN}.scr-conn-lost", timeout=STEP_MS)
        assert page.inner_text(f"#{ids.CONN}").endswith("连接中断")
    finally:
        page.unroute("**/_dash-update-component*")
    page.wait_for_selector(f"#{ids.CONN}.scr-conn-ok", timeout=STEP_MS)


# -- the kiosk token, through the real server's HTTP ------------------------------------------
def _get(url: str, cookie: str | None = None, headers: dict | None = None, data: bytes | None = None):
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, data=data, headers={**(headers or {}), **({"Cookie": cookie} if cookie else {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_a_kiosk_token_opens_the_screen_alone_read_only(kiosk_server):
    url, kiosk, _ = kiosk_server
    status, headers, _ = _get(f"{url}/screen?kiosk={kiosk}")
    assert status == 200
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    # the same browser, elsewhere: refused
    assert _get(f"{url}/", cookie)[0] == 403
    assert _get(f"{url}/desk", cookie)[0] == 403
    assert _get(f"{url}/api/v1/matters", cookie)[0] == 403
    # as an API token: refused
    assert _get(f"{url}/api/v1/summary", headers={"Authorization": f"Bearer {kiosk}"})[0] == 401
    # the screen's callbacks answer, another page's not
    body = {"output": "ov-as-of.children", "outputs": {"id": "ov-as-of", "property": "children"},
            "inputs": [], "changedPropIds": []}
    refused = _get(f"{url}/_dash-update-component", cookie,
                   {"Content-Type": "application/json", "Origin": url}, json.dumps(body).encode())
    assert refused[0] == 403
    # a made-up token, or a normal token in the kiosk's place, opens nothing
    assert _get(f"{url}/screen?kiosk=tsk_kiosk_nope")[0] == 401


def test_a_revoked_kiosk_token_stops_the_screen(tmp_path, demo_db_path):
    from dashboard.app import create_app
    from queries.settings import load_settings
    from queries.store import Store

    db = copy_db(demo_db_path, tmp_path)
    store = Store(db)
    try:
        codes = list(store.run("accounts/village_codes")["code"])[:1]
        accounts.add_user(store, name="village-wall", role="admin", password="wall-password-1234", scope=codes)
        kiosk = accounts.new_token(store, name="village-wall", kiosk=True)["token"]
        app = create_app(load_settings({}).with_overrides(db_path=str(db)), store)
        client = app.server.test_client()
        assert client.get(f"/screen?kiosk={kiosk}").status_code == 200
        assert client.get("/_dash-layout").status_code == 200          # the session carries the kiosk
        # read-only whatever the role (an admin's kiosk): no write passes
        assert client.post("/api/v1/matters", json={}, headers={"Origin": "http://localhost"}).status_code == 403
        with app.server.test_request_context("/screen"):
            from flask import g

            from dashboard.context import viewer_scope
            g.user = accounts.user_for_token(store, kiosk)
            assert len(viewer_scope()) == 1                             # the user's scope: one village
        accounts.revoke_tokens(store, name="village-wall")
        assert client.get("/_dash-layout").status_code == 401
        assert client.get(f"/screen?kiosk={kiosk}").status_code == 401
    finally:
        store.close()


def test_the_screen_may_be_framed_by_its_own_setting(tmp_path, demo_db_path):
    from dashboard.app import create_app
    from queries.settings import load_settings
    from queries.store import Store
    from tests.servers import admin_token_of

    db = copy_db(demo_db_path, tmp_path)
    store = Store(db)
    try:
        token = admin_token_of(store)
        app = create_app(load_settings({}).with_overrides(db_path=str(db),
                                                          screen_frame_ancestors="https://wall.example"), store)
        client = app.server.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        screen = client.get("/screen")
        assert "frame-ancestors https://wall.example" in screen.headers["Content-Security-Policy"]
        assert "X-Frame-Options" not in screen.headers
        desk = client.get("/desk")
        assert "frame-ancestors 'none'" in desk.headers["Content-Security-Policy"]
        assert desk.headers["X-Frame-Options"] == "DENY"
    finally:
        store.close()


# -- the palette ----------------------------------------------------------------------------------
# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
CVD = {"deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                        (-0.011820, 0.042940, 0.968881)),
       "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                      (-0.003882, -0.048116, 1.051998))}


def _linear(hex_colour: str) -> list[float]:
    values = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    return [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in values]


def _lab(rgb: list[float]) -> tuple[float, float, float]:
    r, g, b = (min(max(c, 0.0), 1.0) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(v: float) -> float:
        return v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _simulated(hex_colour: str, kind: str) -> tuple[float, float, float]:
    rgb = _linear(hex_colour)
    return _lab([sum(m * c for m, c in zip(row, rgb)) for row in CVD[kind]])


def test_the_lights_stay_apart_with_red_green_colour_blindness():
    """The documented check: red, yellow and green of the screen's map, simulated for
    deuteranopia and protanopia, stay at least ΔE 20 (CIE76) apart from each other and from
    the empty cells' ground; and every light also has its icon and its word."""
    from dashboard.views.screen import LIGHT_COLOURS, LIGHT_ICONS

    lights = ("red", "yellow", "green", "empty")
    for kind in CVD:
        for i, a in enumerate(lights):
            for b in lights[i + 1:]:
                distance = math.dist(_simulated(LIGHT_COLOURS[a], kind), _simulated(LIGHT_COLOURS[b], kind))
                assert distance >= 20, (kind, a, b, distance)
    assert len({LIGHT_ICONS[light] for light in ("red", "yellow", "green")}) == 3
    # the check can fail: the classic red and green are too close for a deuteranope
    assert math.dist(_simulated("#ff0000", "deuteranopia"), _simulated("#00a000", "deuteranopia")) < 20
