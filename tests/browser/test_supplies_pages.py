"""The supplies pages on a phone (360 px wide): a requester files a request of
two lines and sees it appear without a reload; a warehouse manager receives a
lot of an item with an expiry date and the stock follows; HQ's board draws its
stock chart; the HQ screen's supply row allocates now. No page scrolls
sideways, in Kazakh either."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from coordinator.common.clock import now
from coordinator.supplies.models import Item
from tests.supplies import pages_setup

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def open_phone(browser, sign_in, account, url):
    context = browser.new_context(**PHONE)
    page = sign_in(context, account)
    page.goto(url)
    page.wait_for_selector("#live-state.ok")
    page.evaluate("() => { window.__noReload = true; }")
    return page


def test_requester_files_a_request_of_two_lines_on_a_phone(browser, live_server, sign_in, make, tmp_path):
    wh = make.warehouse("almaty")
    mask = make.stock(wh, "Medical mask", on_hand=0)
    gloves = make.stock(wh, "Gloves", on_hand=0)
    org = make.organization("almaty", tier=1)
    requester = make.account("requester", organization_id=org.id)

    page = open_phone(browser, sign_in, requester, live_server.url + "/")
    expect(page.locator("#requests")).to_contain_text("Your organization has no supply requests yet.")
    assert page.evaluate(FITS)

    form = page.locator("#new-request")
    lines = form.locator("[data-line]")
    lines.nth(0).locator("select[name=item_id]").select_option(str(mask.id))
    lines.nth(0).locator("input[name=quantity]").fill("200")
    lines.nth(0).locator("summary").click()
    lines.nth(0).locator("input[name=on_hand]").fill("10")
    lines.nth(0).locator("input[name=daily_use]").fill("5")
    form.get_by_role("button", name="Add a line").click()
    form.get_by_role("button", name="Add a line").click()
    expect(lines).to_have_count(3)
    lines.nth(2).get_by_role("button", name="Remove this line").click()
    expect(lines).to_have_count(2)
    lines.nth(1).locator("select[name=item_id]").select_option(str(gloves.id))
    lines.nth(1).locator("input[name=quantity]").fill("40")
    form.locator("textarea[name=note]").fill("Night shift, ward 3")
    assert page.evaluate(FITS)
    form.get_by_role("button", name="Send the request").click()

    expect(form.locator(".form-ok")).to_contain_text("Request sent")
    request = page.locator("#requests article.request").first
    expect(request).to_contain_text("Night shift, ward 3")
    expect(request).to_contain_text("Medical mask")
    expect(request).to_contain_text("Gloves")
    expect(request.locator(".badge").first).to_have_text("waiting for stock")
    expect(lines).to_have_count(1)  # the form is ready for the next request
    assert page.evaluate("() => window.__noReload") is True
    assert page.evaluate(FITS)
    page.screenshot(path=str(tmp_path / "requester.png"), full_page=True)

    # A bad line is refused with the API's message, and nothing is filed.
    lines.nth(0).locator("select[name=item_id]").select_option(str(mask.id))
    lines.nth(0).locator("input[name=quantity]").fill("5")
    lines.nth(0).locator("summary").click()
    lines.nth(0).locator("input[name=on_hand]").fill("3")
    form.get_by_role("button", name="Send the request").click()
    expect(form.locator(".form-error")).to_contain_text("give both your stock on hand and your daily use")
    expect(page.locator("#requests article.request")).to_have_count(1)


def test_manager_receives_a_lot_with_expiry_on_a_phone(browser, live_server, sign_in, make, db_session, tmp_path):
    wh = make.warehouse("almaty")
    make.stock(wh, "Medical mask", on_hand=30, per_day=10)
    gel = Item(code="gel", name="Hand sanitizer", unit="l", tracks_expiry=True)
    db_session.add(gel)
    db_session.commit()
    manager = make.account("warehouse_manager")
    manager.user.warehouses = [wh]
    db_session.commit()

    page = open_phone(browser, sign_in, manager, live_server.url + "/")
    assert page.url.endswith(f"/warehouses/{wh.id}")
    expect(page.locator("#stock")).to_contain_text("3.0 days")
    assert page.evaluate(FITS)

    page.locator("#receive-box > summary").click()
    form = page.locator("#receive")
    expect(form.locator("[data-expiry]")).to_be_hidden()
    form.locator("select[name=item_id]").select_option(str(gel.id))
    expect(form.locator("[data-expiry]")).to_be_visible()
    form.locator("input[name=quantity]").fill("24")
    form.locator("select[name=source]").select_option("purchase")
    form.locator("input[name=reference]").fill("Invoice 88")
    form.locator("input[name=lot_code]").fill("L-7")
    form.locator("input[name=expires_on]").fill((now() + timedelta(days=90)).date().isoformat())
    assert page.evaluate(FITS)
    form.get_by_role("button", name="Record the receipt").click()

    stock = page.locator(f"#stock-{gel.id}")
    expect(stock).to_contain_text("Available: 24 l")
    expect(stock).to_contain_text("L-7")
    expect(page.locator("#moves-list")).to_contain_text("Invoice 88")
    expect(form.locator("input[name=quantity]")).to_have_value("")
    assert page.evaluate("() => window.__noReload") is True
    assert page.evaluate(FITS)
    page.screenshot(path=str(tmp_path / "warehouse.png"), full_page=True)


def test_hq_board_on_a_phone_draws_the_stock_chart(browser, live_server, sign_in, make, api, tmp_path):
    wh = make.warehouse("almaty")
    mask = make.stock(wh, "Medical mask", on_hand=30, per_day=10)
    make.stock(wh, "Gloves", on_hand=500, per_day=10)
    org = make.organization("almaty", tier=2)
    status, _ = api(
        "post", "/supply-requests", json={"organization_id": org.id, "lines": [{"item_id": mask.id, "quantity": 80}]}
    )
    assert status == 201
    hq = make.account("hq")
    page = open_phone(browser, sign_in, hq, live_server.url + "/hq/supplies")
    expect(page.locator(f"#cover-alert-{mask.id}")).to_contain_text("Medical mask")
    page.wait_for_function("() => !!Chart.getChart('stock-chart')")
    assert page.evaluate("() => Chart.getChart('stock-chart').data.datasets.map((d) => d.label).sort()") == [
        "Gloves",
        "Medical mask",
    ]
    page.locator("#file-request-box > details > summary").click()
    page.locator(".override-box > summary").first.click()
    assert page.evaluate(FITS)
    page.screenshot(path=str(tmp_path / "board.png"), full_page=True)


def test_hq_screen_supply_row_allocates_now_and_opens_the_board(browser, live_server, sign_in, make, api, run_jobs):
    wh = make.warehouse("almaty")
    mask = make.stock(wh, "Medical mask", on_hand=200)
    org = make.organization("almaty", tier=1)
    status, req = api(
        "post", "/supply-requests", json={"organization_id": org.id, "lines": [{"item_id": mask.id, "quantity": 40}]}
    )
    assert status == 201
    line_id = req["lines"][0]["id"]
    hq = make.account("hq")
    page = sign_in(browser.new_context(viewport={"width": 1280, "height": 900}), hq)
    page.wait_for_selector("#live-state.ok")
    page.evaluate("() => { window.__noReload = true; }")
    queue = page.locator("[data-queue=supply_lines]")
    row = queue.locator("li", has_text=org.name)
    expect(row).to_contain_text("tier 1, 0 of 40 allocated")
    expect(row.locator("a.go")).to_have_attribute("href", f"/hq/supplies?item_id={mask.id}#unserved-{line_id}")

    with page.expect_response(lambda r: r.url.endswith("/api/v1/supplies/allocate")) as answer:
        row.get_by_role("button", name="Allocate now").click()
    assert answer.value.status == 202
    assert answer.value.request.post_data_json == {"item_ids": [mask.id]}
    run_jobs()  # the job the button queued: the line is served and leaves the queue
    expect(queue.locator("li", has_text=org.name)).to_have_count(0, timeout=15000)
    expect(queue.locator("[data-count]")).to_have_text("0")
    assert page.evaluate("() => window.__noReload") is True
    status, allocations = api("get", f"/supplies/allocations?request_id={req['id']}")
    assert status == 200 and [a["quantity"] for a in allocations] == [40]


def test_the_pages_fit_a_phone_in_kazakh(browser, live_server, sign_in, app, make, api, run_jobs, db_session):
    world = pages_setup.scarce(app, make, api)
    hq = make.account("hq")
    for org, asked in ((world.ours, 80), (world.theirs, 60)):
        body = {"organization_id": org.id, "lines": [{"item_id": world.masks.id, "quantity": asked}]}
        assert api("post", "/supply-requests", json=body)[0] == 201
    run_jobs()
    [run] = api("get", "/supplies/runs")[1]
    pages_setup.deliver(api, world, run, {world.ours.id: 5})
    for account in (world.manager, world.requester, hq):
        account.user.locale = "kk"
    db_session.commit()
    for account, path in (
        (world.requester, "/"),
        (world.manager, f"/warehouses/{world.warehouse.id}"),
        (hq, "/hq/supplies"),
    ):
        page = open_phone(browser, sign_in, account, live_server.url + path)
        for summary in page.locator("details > summary").all():
            if summary.is_visible():
                summary.click()  # every box open, as wide as it gets
        assert page.evaluate("() => document.documentElement.lang") == "kk"
        assert page.evaluate(FITS), path
        page.context.close()
