"""Supply requests through the API: a requester files for its organization,
HQ on an organization's behalf; bad lines are a 4xx naming the line; a
requester never touches another organization's request; cancelling releases
held stock."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coordinator.supplies.models import Allocation, StockBalance, SupplyRequest


@pytest.fixture
def setup(make):
    org = make.organization("almaty", tier=1)
    requester = make.account("requester", organization_id=org.id)
    wh = make.warehouse("almaty")
    mask = make.stock(wh, "Medical mask", on_hand=100)
    return org, requester, wh, mask


def test_a_requester_files_for_its_organization_and_follows_it(api, setup, count):
    org, requester, _, mask = setup
    status, body = api(
        "post",
        "/supply-requests",
        requester,
        json={"needed_by": "2099-01-31", "note": "ICU", "lines": [
            {"item_id": mask.id, "quantity": 40, "on_hand": 10, "daily_use": 5}]},
    )  # fmt: skip
    assert status == 201, body
    assert body["organization_id"] == org.id and body["tier"] == 1 and body["status"] == "pending"
    assert body["lines"][0] | {"id": 0} == {
        "id": 0, "item_id": mask.id, "item": "Medical mask", "unit": "pcs", "requested": 40, "allocated": 0,
        "delivered": 0, "on_hand": 10, "daily_use": 5.0,
    }  # fmt: skip
    assert [r["id"] for r in api("get", "/supply-requests", requester)[1]] == [body["id"]]
    assert api("get", f"/supply-requests/{body['id']}", requester)[1]["note"] == "ICU"


def test_hq_files_on_an_organizations_behalf_within_its_region(api, make, setup):
    org, _, _, mask = setup
    line = {"item_id": mask.id, "quantity": 5}
    regional = make.account("hq", region_id=make.region("almaty").id)
    status, body = api("post", "/supply-requests", regional, json={"organization_id": org.id, "lines": [line]})
    assert status == 201 and body["organization_id"] == org.id
    elsewhere = make.account("hq", region_id=make.region("pavlodar").id)
    assert api("post", "/supply-requests", elsewhere, json={"organization_id": org.id, "lines": [line]})[0] == 403
    assert api("post", "/supply-requests", json={"lines": [line]})[0] == 422  # HQ must say for whom


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([], "lines"),
        ([{"item_id": "MASK", "quantity": 0}], "quantity"),
        ([{"item_id": "MASK", "quantity": -2}], "quantity"),
        ([{"item_id": 999999, "quantity": 2}], "item_id"),
        ([{"item_id": "MASK", "quantity": 2}, {"item_id": "MASK", "quantity": 3}], "lines.2"),
        ([{"item_id": "MASK", "quantity": 2, "on_hand": 5}], "lines.1"),
        ([{"item_id": "MASK", "quantity": 2, "on_hand": 5, "daily_use": 0}], "daily_use"),
    ],
)
def test_bad_lines_are_a_4xx_naming_the_line_and_file_nothing(api, setup, count, lines, field):
    _, requester, _, mask = setup
    lines = [{k: mask.id if v == "MASK" else v for k, v in line.items()} for line in lines]
    before = count(SupplyRequest)
    status, err = api("post", "/supply-requests", requester, json={"lines": lines})
    assert status == 422, err
    assert field in str(err)
    assert count(SupplyRequest) == before


def test_a_needed_by_date_in_the_past_is_refused(api, setup):
    _, requester, _, mask = setup
    status, err = api(
        "post", "/supply-requests", requester, json={"needed_by": "2020-01-01", "lines": [{"item_id": mask.id,
                                                                                          "quantity": 1}]}
    )  # fmt: skip
    assert status == 422 and "needed_by" in str(err)


def test_a_requester_never_touches_another_organizations_request(api, make, setup):
    org, requester, _, mask = setup
    other_org = make.organization("almaty", tier=2)
    other = make.account("requester", organization_id=other_org.id)
    _, theirs = api("post", "/supply-requests", other, json={"lines": [{"item_id": mask.id, "quantity": 3}]})
    assert api("get", f"/supply-requests/{theirs['id']}", requester)[0] == 403
    assert api("post", f"/supply-requests/{theirs['id']}/cancel", requester, json={"reason": "mine now"})[0] == 403
    assert api("get", "/supply-requests", requester)[1] == []
    status, _ = api(
        "post", "/supply-requests", requester,
        json={"organization_id": other_org.id, "lines": [{"item_id": mask.id, "quantity": 3}]},
    )  # fmt: skip
    assert status == 403
    assert [o["id"] for o in api("get", "/organizations", requester)[1]] == [org.id]


def test_cancelling_releases_what_was_held_and_a_cancelled_request_stays_cancelled(api, setup, db_session):
    from coordinator.supplies import ledger

    _, requester, wh, mask = setup
    _, req = api("post", "/supply-requests", requester, json={"lines": [{"item_id": mask.id, "quantity": 30}]})
    # Hold 30 for it, as an allocation run would.
    line_id = req["lines"][0]["id"]
    alloc = Allocation(line_id=line_id, request_id=req["id"], item_id=mask.id, warehouse_id=wh.id, quantity=30)
    db_session.add(alloc)
    db_session.flush()
    ledger.hold(session=db_session, warehouse_id=wh.id, item_id=mask.id, quantity=30, allocation_id=alloc.id)
    db_session.execute(SupplyRequest.__table__.update().where(SupplyRequest.id == req["id"]).values(status="allocated"))
    db_session.commit()

    assert api("post", f"/supply-requests/{req['id']}/cancel", requester, json={"reason": ""})[0] == 422
    status, body = api("post", f"/supply-requests/{req['id']}/cancel", requester, json={"reason": "ward closed"})
    assert status == 200 and body["status"] == "cancelled" and body["cancel_reason"] == "ward closed"
    db_session.expire_all()
    balance = db_session.scalar(select(StockBalance).where(StockBalance.warehouse_id == wh.id))
    assert balance.held == 0 and balance.on_hand == 100
    assert db_session.get(Allocation, alloc.id).status == "released"
    status, err = api("post", f"/supply-requests/{req['id']}/cancel", requester, json={"reason": "again"})
    assert status == 409 and "cancelled" in err["message"]


def test_a_request_shows_the_allocations_serving_it_with_their_reasoning(api, setup, run_jobs):
    _, requester, wh, mask = setup
    _, req = api("post", "/supply-requests", requester, json={"lines": [{"item_id": mask.id, "quantity": 30}]})
    run_jobs()
    status, body = api("get", f"/supply-requests/{req['id']}", requester)
    assert status == 200 and body["status"] == "allocated"
    [allocation] = body["allocations"]
    assert allocation["warehouse_id"] == wh.id and allocation["quantity"] == 30
    assert allocation["reasoning"]["tier"] == 1 and allocation["reasoning"]["explanation"]
    assert isinstance(body["deliveries"], list)
