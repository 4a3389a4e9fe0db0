"""The field app on a 360 px phone: its map draws the region outlines under
the pin when no tile can load; Decline and Fail ask why in the page (common
reasons or a reason typed in) and refuse an empty answer."""

import pytest

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def _phone(browser, sign_in, crew, *, tiles: bool = True):
    context = browser.new_context(**PHONE)
    if not tiles:
        # An isolated network: every tile request fails.
        context.route("**/*.png", lambda route: route.abort())
        context.route("**tile**", lambda route: route.abort())
    page = sign_in(context, crew)
    page.wait_for_selector("#sync-state.ok", timeout=10000)
    return page


def test_field_map_draws_region_outlines_without_tiles(browser, live_server, sign_in, make):
    team = make.team("almaty")
    crew = make.account("field", team_id=team.id)
    task = make.task(team, kind="inspection")
    page = _phone(browser, sign_in, crew, tiles=False)
    page.wait_for_selector(f"#task-{task.id}")
    page.wait_for_function("() => document.querySelectorAll('#map .leaflet-overlay-pane path').length >= 20")
    assert page.locator("#map .leaflet-marker-icon").count() == 1
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
