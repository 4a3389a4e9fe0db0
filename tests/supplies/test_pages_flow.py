"""The supplies pages along a whole cycle, through HTTP: two front-line
hospitals ask for more masks than the warehouse holds; HQ's board shows how
allocation shared them and why; HQ overrides a line; a run is planned,
picked up and delivered with a shortfall; the requester's page shows the
proof and the discrepancy and confirms receipt; the warehouse page shows the
ledger of it; the HQ screen's supply rows open the board and allocate now."""

from __future__ import annotations

import pytest

from tests.supplies import pages_setup


@pytest.fixture
def scarce(app, make, api):
    world = pages_setup.scarce(app, make, api)
    w = world
    return w.warehouse, w.masks, w.manager, w.ours, w.theirs, w.crew, w.requester


def test_the_pages_follow_a_scarce_item_from_request_to_confirmed_receipt(
    client, api, parse_html, run_jobs, scarce, make
):
    wh, masks, manager, ours, theirs, crew, requester = scarce
    hq = make.account("hq")
    status, mine = api("post", "/supply-requests", requester, json={"lines": [{"item_id": masks.id, "quantity": 80}]})
    assert status == 201
    on_behalf = {"organization_id": theirs.id, "lines": [{"item_id": masks.id, "quantity": 60}]}
    status, other = api("post", "/supply-requests", json=on_behalf)
    assert status == 201
    line_id = mine["lines"][0]["id"]
    run_jobs()  # allocation shares the 100 masks, then runs are planned and offered

    # HQ's board: each line's share, and why.
    page = parse_html(client.get("/hq/supplies", headers=hq.auth).get_data(as_text=True))
    line = page.text(f"allocation-line-{line_id}")
    assert ours.name in line and "50 of 80" in line and wh.name in line
    why = page.text(f"why-{line_id}")
    assert "shared by water-filling" in why and "fair share 50" in why and "100 pcs available for 140" in why
    assert theirs.name in why and "Served from, nearest first" in why
    assert "30 still needed" in page.text(f"unserved-{line_id}")

    # The requester sees its line half served, and no other organization's request.
    page = parse_html(client.get("/", headers=requester.auth).get_data(as_text=True))
    assert page.text(f"line-{line_id}").startswith("Medical mask 80 pcs 50 0")
    assert f"request-{other['id']}" not in page.ids()

    # A run was planned from the warehouse: its pick list is on the warehouse page.
    status, runs = api("get", "/supplies/runs")
    assert status == 200 and len(runs) == 1
    run = runs[0]
    page = parse_html(client.get(f"/warehouses/{wh.id}", headers=manager.auth).get_data(as_text=True))
    assert f"run-{run['id']}" in page.ids() and "2 stops" in page.text(f"run-{run['id']}")
    assert f'href="/supplies/runs/{run["id"]}/pick-list"' in client.get(
        f"/warehouses/{wh.id}", headers=manager.auth
    ).get_data(as_text=True)
    assert "Available: 0 pcs" in page.text(f"stock-{masks.id}") and "100 reserved" in page.text(f"stock-{masks.id}")

    # The crew picks the load up and delivers; 5 masks arrive damaged at our door.
    world = pages_setup.Scarce(wh, masks, manager, ours, theirs, crew, requester)
    stops = pages_setup.deliver(api, world, run, {ours.id: 5})
    stop = stops[ours.id]

    html = client.get("/", headers=requester.auth).get_data(as_text=True)
    page = parse_html(html)
    proof = page.text(f"stop-{stop['id']}")
    assert wh.name in proof and "delivered" in proof and "Received by Dr. Sadykova" in proof
    assert "Discrepancy: 5 pcs of Medical mask (damaged)" in proof
    assert page.text(f"line-{line_id}").startswith("Medical mask 80 pcs 45 45")
    assert f'data-api="POST /api/v1/deliveries/{stop["id"]}/confirm"' in html
    status, _ = api("post", f"/deliveries/{stop['id']}/confirm", requester, json={})
    assert status == 200
    page = parse_html(client.get("/", headers=requester.auth).get_data(as_text=True))
    assert "Receipt confirmed at" in page.text(f"stop-{stop['id']}")

    # The ledger: what left and what came back, and the discrepancy, on the warehouse page.
    page = parse_html(client.get(f"/warehouses/{wh.id}?kind=returned", headers=manager.auth).get_data(as_text=True))
    [returned] = [i for i in page.inside("moves-list") if i.startswith("move-")]
    assert "+5" in page.text(returned) and f"stop #{stop['id']}" in page.text(returned)
    page = parse_html(client.get(f"/warehouses/{wh.id}?kind=issued", headers=manager.auth).get_data(as_text=True))
    issued = [page.text(i) for i in page.inside("moves-list") if i.startswith("move-")]
    assert len(issued) == 2 and all("-50" in t for t in issued)  # one load per hospital
    discrepancies = page.text("warehouse-discrepancies")
    assert ours.name in discrepancies and "5 pcs of Medical mask" in discrepancies and "damaged" in discrepancies
    board = parse_html(client.get("/hq/supplies", headers=hq.auth).get_data(as_text=True))
    assert ours.name in board.text("discrepancies") and "damaged" in board.text("discrepancies")


def test_hq_overrides_a_line_on_the_board_and_the_screen_allocates_now(client, api, parse_html, run_jobs, scarce, make):
    wh, masks, manager, ours, theirs, crew, requester = scarce
    hq = make.account("hq")
    status, mine = api("post", "/supply-requests", requester, json={"lines": [{"item_id": masks.id, "quantity": 80}]})
    assert status == 201
    line_id = mine["lines"][0]["id"]

    # The HQ screen lists the line, linked to the board, with "allocate now" for its item.
    [row] = [r for r in api("get", "/map/panels", hq)[1]["queues"]["supply_lines"] if r["id"] == line_id]
    assert row["link"] == f"/hq/supplies?item_id={masks.id}#unserved-{line_id}"
    assert row["reason"] == "tier 1, 0 of 80 allocated"
    action = row["action"]
    assert (action["label"], action["method"], action["body"]) == ("allocate now", "POST", {"item_ids": [masks.id]})
    screen = client.get("/hq", headers=hq.auth).get_data(as_text=True)
    assert f'data-action-url="{action["url"]}" data-action-body="{{&#34;item_ids&#34;: [{masks.id}]}}"' in screen
    assert "Allocate now" in screen
    page = parse_html(client.get(row["link"].split("#")[0], headers=hq.auth).get_data(as_text=True))
    assert f"unserved-{line_id}" in page.ids()

    # HQ fixes the line at 70 from this warehouse, with a reason, then allocates now.
    status, body = api(
        "put", f"/supply-lines/{line_id}/override", json={"warehouse_id": wh.id, "quantity": 70, "reason": "ICU surge"}
    )
    assert status == 200, body
    run_jobs()  # the override itself asks for a run; so does the button
    resp = client.post(action["url"], json=action["body"], headers=hq.auth)
    assert resp.status_code == 202
    run_jobs()
    assert not [r for r in api("get", "/map/panels", hq)[1]["queues"]["supply_lines"] if r["id"] == line_id]
    html = client.get("/hq/supplies", headers=hq.auth).get_data(as_text=True)
    page = parse_html(html)
    line = page.text(f"allocation-line-{line_id}")
    assert "70 of 80" in line and "override" in line and f"from {wh.name}" in line and "quantity 70" in line
    assert "ICU surge" in line and "set by an HQ override" in page.text(f"why-{line_id}")
    assert f'data-api="DELETE /api/v1/supply-lines/{line_id}/override"' in html
    assert f"unserved-{line_id}" not in page.ids()
