"""Housing actions on a 360 px phone: Check out and Close the facility ask
first and act only when confirmed; "Move here" offers the nearest facilities
with room for the group, with their free beds and distance."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from coordinator.common.clock import now
from coordinator.housing.models import Facility, PlacementRequest

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def _reread(db_session, model, row_id):
    db_session.expire_all()
    return db_session.get(model, row_id)


def test_check_out_asks_first(browser, live_server, sign_in, make, db_session, wait_for):
    accounts = make.every_role()
    facility = make.scope["facility"]
    group = make.placement(facility, head_count=2)
    group.status, group.checked_in_count = "checked_in", 2
    facility.beds[0].held, facility.beds[0].occupied = 0, 2
    group.checked_in_at, group.release_due_at = now(), now() + timedelta(days=14)
    db_session.commit()
    page = sign_in(browser.new_context(**PHONE), accounts["facility_manager"])
    form = page.locator(f"#placement-{group.id} form[data-confirm]")
    step = form.locator(".confirm-step")
    expect(step).to_be_hidden()

    form.get_by_role("button", name="Check out", exact=True).click()
    expect(step).to_be_visible()
    expect(step).to_contain_text("Check them out now?")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    step.get_by_role("button", name="Keep them").click()
    expect(step).to_be_hidden()
    assert _reread(db_session, PlacementRequest, group.id).status == "checked_in"

    form.get_by_role("button", name="Check out", exact=True).click()
    step.get_by_role("button", name="Yes, check out").click()
    assert wait_for(lambda: _reread(db_session, PlacementRequest, group.id).status == "released")


def test_close_facility_asks_first(browser, live_server, sign_in, make, db_session, wait_for):
    facility = make.facility("almaty")
    hq = make.account("hq")
    page = sign_in(browser.new_context(**PHONE), hq)
    page.goto(f"{live_server.url}/facilities/{facility.id}")
    page.get_by_role("button", name="Close the facility").click()
    step = page.locator(".confirm-step").first
    expect(step).to_contain_text(f"Close {facility.name}?")
    assert _reread(db_session, Facility, facility.id).status == "open"
    step.get_by_role("button", name="Keep it open").click()
    expect(step).to_be_hidden()
    page.get_by_role("button", name="Close the facility").click()
    step.get_by_role("button", name="Yes, close it").click()
    assert wait_for(lambda: _reread(db_session, Facility, facility.id).status == "closed")
    expect(page.get_by_role("button", name="Reopen the facility")).to_be_visible()


def test_move_here_offers_the_nearest_facilities_with_room(browser, live_server, sign_in, make, db_session):
    region = make.region("almaty")
    # Nearest first, whatever the names: "Z" is 1 km away, "A" about 30 km.
    near = make.facility("almaty", beds={"standard": 5}, lat=region.lat + 0.01, lon=region.lon)
    far = make.facility("almaty", beds={"standard": 8}, lat=region.lat + 0.27, lon=region.lon)
    full = make.facility("almaty", beds={"standard": 2}, lat=region.lat, lon=region.lon)  # too small for 3
    closed = make.facility("almaty", beds={"standard": 50}, lat=region.lat, lon=region.lon + 0.001, status="closed")
    near.name, far.name = "Zhetysu sanatorium", "Alatau rest home"
    db_session.commit()
    group = make.placement(None, head_count=3, status="waiting")
    page = sign_in(browser.new_context(**PHONE), make.account("hq"))
    page.goto(f"{live_server.url}/hq/placements")
    row = page.locator(f"#placement-{group.id}")
    row.locator("summary").click()
    options = row.locator("form.move select option")
    expect(options).to_have_text(["Zhetysu sanatorium: 5 free, 1.1 km", "Alatau rest home: 8 free, 30.0 km"])
    assert str(full.id) not in options.evaluate_all("os => os.map(o => o.value)")
    assert str(closed.id) not in options.evaluate_all("os => os.map(o => o.value)")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    row.get_by_role("button", name="Move here").click()
    expect(page.locator(f"#placement-{group.id}")).to_contain_text("Zhetysu sanatorium")
