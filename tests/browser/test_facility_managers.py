"""The facility page on a phone (360 px): HQ sees who runs the facility, the
usernames box starts with them, and saving it with one more name keeps them."""

import pytest
from sqlalchemy import select

from coordinator.auth.models import facility_managers

pytestmark = pytest.mark.browser


def test_hq_adds_a_manager_without_dropping_the_one_who_runs_it(browser, live_server, sign_in, make, db_session):
    facility = make.facility("almaty")
    runner, second = make.account("facility_manager"), make.account("facility_manager")
    runner.user.facilities = [facility]
    db_session.commit()
    page = sign_in(browser.new_context(viewport={"width": 360, "height": 740}), make.account("hq"))
    page.goto(f"{live_server.url}/facilities/{facility.id}")
    assert "No manager yet." not in page.locator("#beds").inner_text()
    assert runner.user.username in page.locator("#beds").inner_text()
    box = page.locator("form[data-managers] input[name=usernames]")
    assert box.input_value() == runner.user.username

    box.press("End")
    box.press_sequentially(f", {second.user.username}")
    page.locator("form[data-managers] button[type=submit]").click()
    page.wait_for_function(
        f"() => document.querySelector('#beds').textContent.includes('({second.user.username})')", timeout=10000
    )

    db_session.expire_all()
    link = facility_managers.c
    linked = db_session.scalars(select(link.user_id).where(link.facility_id == facility.id))
    assert sorted(linked) == sorted([runner.user.id, second.user.id])
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
