"""The HQ map with tile requests blocked: region outlines and markers are drawn."""

import pytest

pytestmark = pytest.mark.browser


def test_map_draws_outlines_and_markers_without_tiles(browser, live_server, sign_in, make, tmp_path, client):
    facility = make.facility("almaty", beds={"standard": 10})
    make.facility("karaganda", beds={"standard": 5})
    hq = make.account("hq")
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    # No tiles on an isolated network: every tile request fails.
    context.route("**/*.png", lambda route: route.abort())
    context.route("**tile**", lambda route: route.abort())
    page = sign_in(context, hq)
    page.goto(live_server.url + "/hq")
    page.wait_for_selector("#hq-map[data-loaded='1']", timeout=15000)
    page.wait_for_function(
        "() => document.querySelectorAll('#hq-map path.leaflet-interactive, #hq-map canvas').length > 0"
    )
    shot = tmp_path / "map.png"
    page.locator("#hq-map").screenshot(path=str(shot))
    from PIL import Image

    img = Image.open(shot).convert("RGB")
    colours = img.getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 20, "the map is blank"
    # The region fill colour covers a good part of the map.
    fill = sum(n for n, (r, g, b) in colours if abs(r - 219) < 25 and abs(g - 231) < 25 and abs(b - 243) < 25)
    assert fill > img.width * img.height * 0.05

    # A change elsewhere reaches the map without a reload.
    page.evaluate("window.__noReload = true")
    client.put(
        f"/api/v1/facilities/{facility.id}/beds/standard", json={"total": 10, "out_of_service": 10}, headers=hq.auth
    )
    page.wait_for_function("() => document.querySelector('[data-kpi=beds_free]').textContent === '5'", timeout=10000)
    assert page.evaluate("window.__noReload") is True
    context.close()
