"""The whole supplies path through the pages (issue 11, "Must show" 4): a
requester files a request on its page; HQ files another for a second
hospital on the board; allocation runs and shares the scarce masks; HQ reads
why on the board; the delivery run is offered to a team, accepted and
delivered with a shortfall on a 360 px phone; the discrepancy and the ledger
show it; the requester's page follows every step live, without a reload,
and confirms receipt."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coordinator.supplies.models import Item

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"
WAIT = 15000  # ms: a live change through the worker, Redis and the socket


def live_page(browser, sign_in, account, url, **context):
    ctx = browser.new_context(**context)
    page = sign_in(ctx, account)
    if page.url != url:
        page.goto(url)
    page.wait_for_selector("#live-state.ok, #sync-state.ok", timeout=WAIT)
    page.evaluate("() => { window.__noReload = true; }")
    return page


def test_request_to_confirmed_receipt_through_the_pages(
    browser, live_server, sign_in, app, make, api, run_jobs, db_session, tmp_path
):
    app.config["SUPPLY_ROUTE_SECONDS"] = 0.2  # the in-process worker plans the route
    wh = make.warehouse("almaty")
    masks = Item(code="mask", name="Medical mask", unit="pcs", unit_kg=0.01)
    db_session.add(masks)
    db_session.commit()
    manager = make.account("warehouse_manager")
    manager.user.warehouses = [wh]
    ours, theirs = make.organization("almaty", tier=1), make.organization("almaty", tier=1)
    ours.lat, theirs.lat = wh.lat + 0.03, wh.lat + 0.06
    db_session.commit()
    team = make.team("almaty", can_deliver=True, vehicle_capacity_kg=500)
    crew = make.account("field", team_id=team.id)
    requester = make.account("requester", organization_id=ours.id)
    hq = make.account("hq")
    status, _ = api(
        "post",
        f"/warehouses/{wh.id}/receipts",
        manager,
        json={"item_id": masks.id, "quantity": 100, "source": "donor", "reference": "Red Crescent 12"},
    )
    assert status == 201

    # 1. The requester asks for 80 masks on its page.
    mine = live_page(browser, sign_in, requester, live_server.url + "/")
    form = mine.locator("#new-request")
    form.locator("select[name=item_id]").select_option(str(masks.id))
    form.locator("input[name=quantity]").fill("80")
    form.get_by_role("button", name="Send the request").click()
    request = mine.locator("#requests article.request").first
    expect(request).to_contain_text("waiting for stock", timeout=WAIT)
    request_id = request.get_attribute("id").removeprefix("request-")
    line_id = api("get", f"/supply-requests/{request_id}", requester)[1]["lines"][0]["id"]

    # 2. HQ files 60 more for the second hospital on the board.
    board = live_page(browser, sign_in, hq, live_server.url + "/hq/supplies")
    board.locator("#file-request-box > details > summary").click()
    on_behalf = board.locator("#new-request")
    on_behalf.locator("select[name=organization_id]").select_option(str(theirs.id))
    on_behalf.locator("select[name=item_id]").select_option(str(masks.id))
    on_behalf.locator("input[name=quantity]").fill("60")
    on_behalf.get_by_role("button", name="Send the request").click()
    expect(board.locator("#unserved article")).to_have_count(2, timeout=WAIT)

    # 3. Allocation runs (then runs are planned and offered): 100 masks for 140 asked.
    run_jobs()
    line = board.locator(f"#allocation-line-{line_id}")
    expect(line).to_contain_text("50 of 80", timeout=WAIT)
    line.locator("details.why > summary").click()
    why = line.locator("details.why")
    expect(why).to_contain_text("shared by water-filling")
    expect(why).to_contain_text("fair share 50")
    expect(why).to_contain_text(theirs.name)  # what the other hospital in the tier got
    expect(why).to_contain_text(wh.name)  # where it comes from, and how far
    expect(mine.locator(f"#request-{request_id}")).to_contain_text("partly allocated", timeout=WAIT)
    board.screenshot(path=str(tmp_path / "board.png"), full_page=True)

    # 4. On the crew's phone: the offer, accepted; at the warehouse, on site picks the load up.
    phone = live_page(
        browser,
        sign_in,
        crew,
        live_server.url + "/field",
        geolocation={"latitude": ours.lat, "longitude": ours.lon},
        permissions=["geolocation"],
        **PHONE,
    )
    phone.get_by_role("button", name="Accept").click(timeout=WAIT)
    phone.get_by_role("button", name="En route").click(timeout=WAIT)
    phone.get_by_role("button", name="On site").click(timeout=WAIT)
    status, runs = api("get", "/supplies/runs")
    assert status == 200
    [run] = runs
    stops = {s["organization_id"]: s for s in run["stops"]}
    ours_stop, theirs_stop = stops[ours.id], stops[theirs.id]
    phone.wait_for_selector(f"#proof-{ours_stop['id']}", timeout=WAIT)

    # 5. At our door 5 masks are refused as damaged; the other stop takes all.
    proof = phone.locator(f"#proof-{ours_stop['id']}")
    shipped = ours_stop["lines"][0]["id"]
    proof.locator("input[name=recipient_name]").fill("Dr. Aigerim Sadykova")
    proof.locator(f"input[name=rejected-{shipped}]").fill("5")
    proof.locator(f"select[name=reason-{shipped}]").select_option("damaged")
    proof.get_by_role("button", name="Send proof").click()
    expect(phone.locator(f"#stop-{ours_stop['id']}")).to_contain_text("delivered", timeout=WAIT)
    assert phone.evaluate(FITS)
    proof = phone.locator(f"#proof-{theirs_stop['id']}")
    proof.locator("input[name=recipient_name]").fill("Nurse Ivanova")
    proof.get_by_role("button", name="Send proof").click()
    expect(phone.locator(f"#stop-{theirs_stop['id']}")).to_contain_text("delivered", timeout=WAIT)
    phone.get_by_role("button", name="Done").click()
    expect(phone.locator("#sync-state")).to_contain_text("· 0 waiting", timeout=WAIT)
    phone.screenshot(path=str(tmp_path / "phone.png"), full_page=True)

    # 6. The requester's page followed it all, and shows the proof and the discrepancy.
    stop = mine.locator(f"#stop-{ours_stop['id']}")
    expect(stop).to_contain_text("Received by Dr. Aigerim Sadykova", timeout=WAIT)
    expect(stop).to_contain_text("Discrepancy: 5 pcs of Medical mask (damaged)")
    expect(mine.locator(f"#line-{line_id} td.delivered")).to_have_text("45")
    stop.get_by_role("button", name="Confirm receipt").click()
    expect(stop).to_contain_text("Receipt confirmed at", timeout=WAIT)
    assert mine.evaluate("() => window.__noReload") is True
    mine.screenshot(path=str(tmp_path / "requester.png"), full_page=True)

    # 7. The board lists the discrepancy; the warehouse's ledger shows what left and what came back.
    expect(board.locator("#discrepancies")).to_contain_text(ours.name, timeout=WAIT)
    expect(board.locator("#discrepancies")).to_contain_text("damaged")
    assert board.evaluate("() => window.__noReload") is True
    ledger = live_page(browser, sign_in, manager, f"{live_server.url}/warehouses/{wh.id}")
    moves = ledger.locator("#moves-list")
    expect(moves.locator("tr.move-issued")).to_have_count(2)
    expect(moves.locator("tr.move-delivered")).to_have_count(2)
    returned = moves.locator("tr.move-returned")
    expect(returned).to_have_count(1)
    expect(returned).to_contain_text("+5")
    expect(returned).to_contain_text(f"stop #{ours_stop['id']}")
    expect(ledger.locator("#warehouse-discrepancies")).to_contain_text("5 pcs of Medical mask")
    expect(ledger.locator(f"#stock-{masks.id}")).to_contain_text("Available: 5 pcs")
