"""The field app on a 360 px phone: its map draws the region outlines under
the pin when no tile can load; Decline and Fail ask why in the page (common
reasons or a reason typed in) and refuse an empty answer."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from coordinator.field.models import Task, TaskOffer

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


def test_decline_asks_why_in_the_page_and_refuses_an_empty_answer(
    browser, live_server, sign_in, make, db_session, wait_for
):
    team = make.team("almaty")
    crew = make.account("field", team_id=team.id)
    task = make.task(team, kind="inspection")
    page = _phone(browser, sign_in, crew)
    current = page.locator("#current-body")
    page.wait_for_selector(f"#task-{task.id}")
    page.on("dialog", lambda d: pytest.fail(f"a browser prompt opened: {d.message}"))

    current.get_by_role("button", name="Decline").click()
    form = current.locator("form.reason-form")
    expect(form.locator("select[name=reason] option")).to_contain_text(["Choose a reason", "Too far away"])
    form.get_by_role("button", name="Decline").click()  # no reason chosen
    expect(form.locator(".form-error")).to_have_text("Choose a reason, or Other to type one.")
    form.locator("select[name=reason]").select_option("other")
    form.get_by_role("button", name="Decline").click()  # "other", nothing typed
    expect(form.locator(".form-error")).to_have_text("Type the reason.")
    expect(page.locator("#sync-state")).to_contain_text("· 0 waiting")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360

    # Back keeps the offer; the next Decline sends a common reason.
    form.get_by_role("button", name="Back").click()
    expect(current.get_by_role("button", name="Accept")).to_be_visible()
    current.get_by_role("button", name="Decline").click()
    form.locator("select[name=reason]").select_option("Too far away")
    form.get_by_role("button", name="Decline").click()
    expect(current).to_contain_text("No assignments yet")

    def declined():
        db_session.expire_all()
        return db_session.scalar(
            select(TaskOffer.reason).where(TaskOffer.task_id == task.id, TaskOffer.status == "declined")
        )

    assert wait_for(declined) and declined() == "Too far away"


def test_fail_takes_a_typed_reason(browser, live_server, sign_in, make, db_session, client, wait_for):
    team = make.team("almaty")
    crew = make.account("field", team_id=team.id)
    task = make.task(team, kind="inspection")
    for step in ("accept", "en-route"):
        assert client.post(f"/api/v1/tasks/{task.id}/{step}", json={}, headers=crew.auth).status_code == 200
    page = _phone(browser, sign_in, crew)
    current = page.locator("#current-body")
    current.get_by_role("button", name="Failed").click()
    form = current.locator("form.reason-form")
    form.locator("select[name=reason]").select_option("other")
    form.get_by_label("Say why").fill("Bridge on the A2 is under water")
    form.get_by_role("button", name="Failed").click()

    def failed():
        db_session.expire_all()
        return db_session.get(Task, task.id).fail_reason

    assert wait_for(failed) and failed() == "Bridge on the A2 is under water"
