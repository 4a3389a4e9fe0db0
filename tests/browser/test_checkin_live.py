"""A manager checks a group in on a phone; HQ's screen follows without a reload."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_manager_check_in_updates_hq_view_live(browser, live_server, sign_in, make, db_session, tmp_path):
    facility = make.facility("almaty", beds={"standard": 10})
    manager = make.account("facility_manager")
    manager.user.facilities = [facility]
    db_session.commit()
    group = make.placement(facility, head_count=3)
    hq = make.account("hq")

    hq_context = browser.new_context()
    hq_page = sign_in(hq_context, hq)
    occupied = hq_page.locator("[data-kpi=beds_occupied]")
    expect(occupied).to_have_text("0")
    hq_page.wait_for_selector("#live-state.ok")
    hq_page.evaluate("window.__noReload = true")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    manager_page = sign_in(phone, manager)
    arrival = manager_page.locator(f"#placement-{group.id}")
    assert "3 people" in arrival.inner_text()
    arrival.locator("input[name=count]").fill("2")
    arrival.get_by_role("button", name="Check in").click()
    occupant = manager_page.locator(f"#facility-{facility.id} .occupant")
    expect(occupant).to_contain_text("2 people", timeout=10000)
    expect(occupant).to_have_attribute("id", f"placement-{group.id}")
    manager_page.screenshot(path=str(tmp_path / "manager.png"), full_page=True)

    hq_page.wait_for_function(
        "() => document.querySelector('[data-kpi=beds_occupied]').textContent === '2'", timeout=5000
    )
    assert hq_page.evaluate("window.__noReload") is True
    hq_page.locator("summary", has_text="Live events").click()
    # The figure may follow another event of the check-in: wait for this one itself.
    expect(hq_page.locator("#event-feed")).to_contain_text(f"Placement #{group.id}: the group checked in.")
    hq_context.close()
    phone.close()
