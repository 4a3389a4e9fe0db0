"""The field app on a 360 px phone: a delivery run's stops in route order,
a proof form per stop (recipient, accepted and rejected with a reason, the
phone's position), and Done once every stop has its proof."""

import pytest
from playwright.sync_api import expect

from tests.supplies import delivery_setup as setup

pytestmark = pytest.mark.browser


def test_team_records_each_stops_proof_on_a_small_phone(browser, live_server, sign_in, app, make, api, run_jobs):
    wh = setup.warehouse(make)
    masks = setup.item(make, "Medical mask")
    setup.receive(app, wh, masks, 1000)
    crew = setup.crew(make)
    lat, lon = setup.ALMATY
    near = setup.organization(make, (lat + 0.05, lon))
    far = setup.organization(make, (lat + 0.15, lon))
    setup.held_request(app, far, wh, {masks.id: 60})
    setup.held_request(app, near, wh, {masks.id: 100})
    (run,) = setup.plan(api, run_jobs, app)
    stops = run["stops"]
    assert [s["organization_id"] for s in stops] in ([near.id, far.id], [far.id, near.id])
    setup.steps(api, crew.account, run["task_id"], "accept", "en-route", "on-site")

    phone = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": lat + 0.05, "longitude": lon},
        permissions=["geolocation"],
    )
    page = sign_in(phone, crew.account)
    page.wait_for_url(live_server.url + "/field")
    page.wait_for_selector(f"#proof-{stops[0]['id']}", timeout=15000)
    # The stops in route order, each with its proof form.
    order = page.eval_on_selector_all(f"#stops-{run['task_id']} > li", "items => items.map((li) => li.id)")
    assert order == [f"stop-{s['id']}" for s in stops]
    done = page.get_by_role("button", name="Done")
    expect(done).to_be_disabled()

    first, second = stops
    form = page.locator(f"#proof-{first['id']}")
    line = first["lines"][0]
    form.locator("input[name=recipient_name]").fill("Dr. Aigerim Sadykova")
    expect(form.locator(f"select[name=reason-{line['id']}]")).to_be_hidden()
    form.locator(f"input[name=rejected-{line['id']}]").fill("10")
    expect(form.locator(f"input[name=accepted-{line['id']}]")).to_have_value(str(line["quantity"] - 10))
    form.locator(f"select[name=reason-{line['id']}]").select_option("missing")
    form.get_by_role("button", name="Send proof").click()
    expect(page.locator(f"#stop-{first['id']}")).to_contain_text("delivered", timeout=15000)
    expect(page.locator(f"#stop-{first['id']}")).to_contain_text("missing", timeout=15000)  # from the server

    # Nothing is wider than the phone.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360

    form = page.locator(f"#proof-{second['id']}")
    form.locator("input[name=recipient_name]").fill("Nurse Ivanova")
    form.get_by_role("button", name="Send proof").click()
    expect(page.locator(f"#stop-{second['id']}")).to_contain_text("delivered", timeout=15000)
    expect(done).to_be_enabled()
    done.click()
    expect(page.locator("#sync-state")).to_contain_text("· 0 waiting", timeout=15000)
    page.wait_for_function("() => !document.querySelector('#stops-" + str(run["task_id"]) + "')", timeout=15000)

    status, after = api("GET", f"/supplies/runs/{run['id']}")
    assert status == 200 and after["status"] == "done" and after["task_status"] == "done"
    proven = {s["id"]: s for s in after["stops"]}
    assert proven[first["id"]]["received_by"] == "Dr. Aigerim Sadykova"
    assert proven[first["id"]]["lines"][0]["rejected"] == 10
    assert abs(proven[first["id"]]["proof_lat"] - (lat + 0.05)) < 1e-6
    assert proven[second["id"]]["lines"][0]["accepted"] == second["lines"][0]["quantity"]
    phone.close()
