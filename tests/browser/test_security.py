"""Pages under the Content-Security-Policy in Chromium: map tiles come from
the tile server (another origin) on the HQ map and, through the service
worker, on the field phone; the API docs render; choices that used inline
handlers still work; and the policy stops code injected into a page."""

import re

import pytest
from playwright.sync_api import expect

from tests.servers import WebServer

pytestmark = pytest.mark.browser
LOADED_TILE = "{map} img.leaflet-tile-loaded"


@pytest.fixture
def live_server(app, config, tmp_path):
    """The app under gunicorn, with map tiles from another origin: the same
    server called `localhost` (pages are opened at 127.0.0.1)."""
    env = {
        "BIRLIK_DATABASE_URL": config["DATABASE_URL"],
        "BIRLIK_REDIS_URL": config["REDIS_URL"],
        "BIRLIK_SECRET_KEY": config["SECRET_KEY"],
        "BIRLIK_VAR_DIR": config["VAR_DIR"],
    }
    server = WebServer(env, tmp_path / "web.log")
    server.tiles = f"http://localhost:{server.port}"
    server.env["BIRLIK_TILE_URL"] = server.tiles + "/static/icon.svg?z={z}&x={x}&y={y}"
    server.start()
    yield server
    server.stop()


def test_hq_map_draws_tiles_from_the_tile_server_and_tells_it_the_origin(browser, live_server, sign_in, make):
    make.facility("almaty", beds={"standard": 10})
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tile_referers = []
    context.on(
        "request",
        lambda req: tile_referers.append(req.all_headers().get("referer")) if "icon.svg?z=" in req.url else None,
    )
    page = sign_in(context, make.account("hq"))
    resp = page.goto(live_server.url + "/hq")
    policy = resp.headers["content-security-policy"]
    assert f"img-src 'self' data: {live_server.tiles};" in policy
    assert resp.headers["x-content-type-options"] == "nosniff"
    page.wait_for_selector(LOADED_TILE.format(map="#hq-map"), timeout=15000)
    page.wait_for_selector("#live-state.ok")  # the socket connects under connect-src 'self'
    # OpenStreetMap refuses tiles without a Referer; the page's own policy
    # (same-origin) would send none, so the tile layer sends the origin.
    assert tile_referers and set(tile_referers) == {live_server.url + "/"}
    context.close()


def test_field_phone_draws_tiles_through_its_service_worker(browser, live_server, sign_in, make):
    team = make.team("almaty")
    make.task(team, kind="delivery")  # offered to the team: the phone shows it on the map
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = sign_in(phone, make.account("field", team_id=team.id))
    page.wait_for_url(live_server.url + "/field")
    page.wait_for_selector(LOADED_TILE.format(map="#map"), timeout=15000)
    # Once the service worker runs, the page's requests pass through it, and
    # the worker's fetches are held to the worker's own copy of the policy.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # A second tab, opened once the worker is active, is controlled from its
    # first request; its own listener cannot catch the first tab's late tiles.
    again = phone.new_page()
    via_worker = []
    again.on("response", lambda r: via_worker.append(r.from_service_worker) if "icon.svg?z=" in r.url else None)
    again.goto(live_server.url + "/field")
    again.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=10000)
    again.wait_for_selector(LOADED_TILE.format(map="#map"), timeout=15000)
    assert via_worker and all(via_worker)
    phone.close()


def test_api_docs_render_under_the_policy(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/api/v1/docs")
    expect(page.locator(".opblock-tag").first).to_be_visible(timeout=15000)
    expect(page.locator(".opblock-summary-path", has_text="/auth/tokens").first).to_be_visible()
    context.close()


def test_region_filter_and_bed_category_work_without_inline_handlers(browser, live_server, sign_in, make):
    facility = make.facility("almaty", beds={"standard": 4})
    make.facility("karaganda", beds={"standard": 2})
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = sign_in(context, make.account("hq"))

    page.goto(live_server.url + "/hq/facilities")
    page.locator("#facility-list select[name=region_id]").select_option(str(facility.region_id))
    page.wait_for_url(re.compile(rf"region_id={facility.region_id}"))
    expect(page.locator("#facility-list tbody tr")).to_have_count(1)

    page.goto(live_server.url + f"/facilities/{facility.id}")
    form = page.locator("form", has=page.locator("select[data-api-prefix]"))
    form.locator("select").select_option("family")
    form.locator("input[name=total]").fill("7")
    form.get_by_role("button").click()
    expect(page.locator(f"#beds-{facility.id}-family .total")).to_have_text("7", timeout=10000)
    context.close()


def test_the_policy_stops_injected_code_and_the_watch_sees_it(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/login")
    page.evaluate(
        """() => {
            const s = document.createElement("script");
            s.textContent = "window.injected = true";
            document.body.append(s);
            const img = document.createElement("img");
            img.src = "https://elsewhere.example/pixel.png";
            document.body.append(img);
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.injected") is None
    browser.flush()
    assert any("inline script" in v for v in browser.violations), browser.messages
    assert any("elsewhere.example" in v for v in browser.violations), browser.messages
    browser.violations.clear()  # seen on purpose: not a failure of this test
    context.close()
