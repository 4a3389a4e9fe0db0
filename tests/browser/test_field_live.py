"""A task created through the API reaches the field phone live; Accept shows on HQ's board live."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_offer_appears_on_the_phone_and_acceptance_on_hq(
    browser, live_server, sign_in, make, run_jobs, client, tmp_path
):
    team = make.team("almaty", can_inspect=True)
    crew = make.account("field", team_id=team.id)
    hq = make.account("hq")

    hq_context = browser.new_context()
    hq_page = sign_in(hq_context, hq)
    hq_page.goto(live_server.url + "/hq/teams")
    hq_page.wait_for_selector("#live-state.ok")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    field_page = sign_in(phone, crew)  # the field user's home is the field app
    field_page.wait_for_url(live_server.url + "/field")
    field_page.wait_for_selector("#live-state.ok, #sync-state.ok", timeout=10000)
    field_page.evaluate("window.__noReload = true")
    assert "No assignments yet" in field_page.inner_text("#current-body")

    resp = client.post(
        "/api/v1/tasks",
        headers=hq.auth,
        json={"kind": "inspection", "title": "Check sewing workshop No. 3", "lat": 43.25, "lon": 76.95},
    )
    task_id = resp.get_json()["id"]
    run_jobs()  # the worker offers it to the only capable team

    field_page.wait_for_selector(f"#task-{task_id}", timeout=10000)
    current = field_page.locator("#current-body")
    expect(current).to_contain_text("Check sewing workshop No. 3")
    # The offer's deadline comes from the API in UTC with its offset ("…Z"); the clock counts down from it.
    expect(current.locator(".countdown")).to_have_text(re.compile(r"^Answer within (?!0:00$)\d+:\d\d$"))
    expect(current).not_to_contain_text("No assignments yet")
    # The signal drops: the tap is kept on the phone and sent when it returns.
    phone.set_offline(True)
    field_page.get_by_role("button", name="Accept").click()
    expect(field_page.locator("#sync-state")).to_contain_text("· 1 waiting")
    expect(current).to_contain_text("accepted")
    phone.set_offline(False)
    expect(field_page.locator("#sync-state")).to_contain_text("· 0 waiting", timeout=15000)
    assert field_page.evaluate("window.__noReload") is True
    field_page.screenshot(path=str(tmp_path / "field.png"), full_page=True)

    hq_page.wait_for_function(
        f"() => document.querySelector('#task-{task_id} .task-status')?.textContent === 'accepted'", timeout=10000
    )
    hq_context.close()
    phone.close()
