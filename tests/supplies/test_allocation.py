"""Allocation as HQ and requesters meet it: requests are filed, the
allocation job runs, and the API shows who got what, from where and why.
Stock is read back through the ledger, which must stay exact."""

from collections import defaultdict

import pytest
from sqlalchemy import select

from coordinator.events.models import Event
from coordinator.extensions import db
from coordinator.geo.distance import geodesic_km
from coordinator.supplies import allocation, ledger
from coordinator.supplies.allocation_run import Run
from coordinator.supplies.models import Allocation, Item, Lot, StockBalance, Warehouse

ALMATY = (43.2389, 76.8897)
NEAR = (43.2567, 76.9286)  # about 4 km from the centre of Almaty
MIDDLE = (43.8667, 77.0667)  # Konayev, about 71 km
FAR = (51.1282, 71.4306)  # Astana, about 970 km


@pytest.fixture
def place(db_session):
    """Move a warehouse or an organization to a point."""

    def move(row, point):
        row.lat, row.lon = point
        db_session.commit()
        return row

    return move


@pytest.fixture
def file_request(api):
    """File a supply request through the API (as HQ, on the organization's
    behalf): file_request(org, (item, 10), (item2, 5, {"on_hand": 3, "daily_use": 1}))."""

    def file(org, *lines) -> int:
        body = [{"item_id": item.id, "quantity": qty, **(extra[0] if extra else {})} for item, qty, *extra in lines]
        status, created = api("post", "/supply-requests", json={"organization_id": org.id, "lines": body})
        assert status == 201, created
        return created["id"]

    return file


@pytest.fixture
def receive(api):
    """Stock arrives at a warehouse (a receipt through the API, which runs allocation after it)."""

    def arrive(warehouse, item, quantity):
        body = {"item_id": item.id, "quantity": quantity, "source": "donor", "reference": "Test gift"}
        status, move = api("post", f"/warehouses/{warehouse.id}/receipts", json=body)
        assert status == 201, move

    return arrive


@pytest.fixture
def cancel(api):
    def cancel_request(request_id):
        status, body = api("post", f"/supply-requests/{request_id}/cancel", json={"reason": "Not needed any more"})
        assert status == 200, body

    return cancel_request


@pytest.fixture
def ledger_is_exact(app, db_session):
    """The ledger agrees with itself and no balance holds more than it has."""

    def check():
        with app.app_context():
            assert ledger.verify(session=db.session) == []
        db_session.expire_all()
        for b in db_session.scalars(select(StockBalance)):
            assert 0 <= b.held <= b.on_hand

    return check


def held_by_request(allocations) -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for a in allocations:
        if a["status"] == "held":
            out[a["request_id"]] += a["quantity"]
    return dict(out)


def allocations_of(api, item, **query):
    status, body = api("get", "/supplies/allocations", query_string={"item_id": item.id, **query})
    assert status == 200, body
    return body


def by_request(allocations) -> dict[int, dict]:
    """The newest allocation of each request."""
    out: dict[int, dict] = {}
    for a in sorted(allocations, key=lambda a: a["id"]):
        out[a["request_id"]] = a
    return out


# -- tiers and fair shares -------------------------------------------------------------------


def test_tiers_are_served_strictly_in_order(api, make, file_request, run_jobs, ledger_is_exact):
    wh = make.warehouse()
    item = make.stock(wh, "FFP2 respirator", on_hand=30)
    tier2 = file_request(make.organization(tier=2), (item, 20))  # filed first, served after tier 1
    tier3 = file_request(make.organization(tier=3), (item, 5))
    a = file_request(make.organization(tier=1), (item, 15))
    b = file_request(make.organization(tier=1), (item, 10))
    run_jobs()

    allocations = allocations_of(api, item)
    assert held_by_request(allocations) == {a: 15, b: 10, tier2: 5}
    reasons = by_request(allocations)
    assert reasons[a]["reasoning"]["method"] == "full" and reasons[a]["reasoning"]["tier"] == 1
    assert reasons[tier2]["reasoning"]["method"] == "water_filling"
    assert reasons[tier2]["reasoning"]["fair_share"] == 5
    assert reasons[tier2]["reasoning"]["supply"] == 5 and reasons[tier2]["reasoning"]["demand"] == 20

    status, waiting = api("get", "/supplies/unserved", query_string={"item_id": item.id})
    assert status == 200
    assert [(w["request_id"], w["tier"], w["remaining"]) for w in waiting] == [(tier2, 2, 15), (tier3, 3, 5)]
    ledger_is_exact()


def test_short_stock_is_shared_max_min_in_whole_units(api, make, file_request, run_jobs, ledger_is_exact):
    wh = make.warehouse()
    item = make.stock(wh, "Medical mask", on_hand=15)
    orgs = [make.organization(tier=1) for _ in range(3)]
    a = file_request(orgs[0], (item, 10))
    b = file_request(orgs[1], (item, 4))
    c = file_request(orgs[2], (item, 10))
    run_jobs()

    # B asked only 4 and gets them; A and C share the other 11 at 5.5 each:
    # 5 and 5 in whole units, and the unit left over goes to A, the oldest.
    allocations = allocations_of(api, item)
    assert held_by_request(allocations) == {a: 6, b: 4, c: 5}
    why = by_request(allocations)[c]["reasoning"]
    assert why["method"] == "water_filling"
    assert (why["asked"], why["fair_share"], why["level"]) == (10, 5, 5.5)
    assert sorted((p["request_id"], p["asked"], p["got"]) for p in why["peers"]) == [(a, 10, 6), (b, 4, 4)]
    assert why["warehouses"] == [
        {"warehouse_id": wh.id, "warehouse": wh.name, "distance_km": why["warehouses"][0]["distance_km"], "took": 5}
    ]
    assert "max-min" in why["explanation"] and orgs[2].name in why["explanation"]

    statuses = {r: api("get", f"/supply-requests/{r}")[1]["status"] for r in (a, b, c)}
    assert statuses == {a: "partly_allocated", b: "allocated", c: "partly_allocated"}
    ledger_is_exact()


def test_days_of_cover_are_levelled_when_every_line_gave_its_stock_and_use(api, make, file_request, run_jobs):
    wh = make.warehouse()
    item = make.stock(wh, "Nitrile gloves", on_hand=25)
    a = file_request(make.organization(tier=1), (item, 100, {"on_hand": 20, "daily_use": 10}))  # 2 days
    b = file_request(make.organization(tier=1), (item, 100, {"on_hand": 0, "daily_use": 5}))  # 0 days
    c = file_request(make.organization(tier=1), (item, 100, {"on_hand": 30, "daily_use": 5}))  # 6 days
    run_jobs()

    # B is raised to A's 2 days first (10 units); the other 15 raise A and B
    # together by one day (10 + 5 a day). C, at 6 days, waits.
    allocations = allocations_of(api, item)
    assert held_by_request(allocations) == {a: 10, b: 15}
    why = by_request(allocations)[b]["reasoning"]
    assert why["method"] == "days_of_cover"
    assert why["level"] == 3.0 and why["level_unit"] == "days"
    assert why["days_of_cover"] == {"before": 0.0, "after": 3.0}
    peers = {p["request_id"]: (p["got"], p["days_of_cover"]) for p in why["peers"]}
    assert peers == {a: (10, 3.0), c: (0, 6.0)}
    assert "days of cover" in why["explanation"]
    status, waiting = api("get", "/supplies/unserved")
    assert {w["request_id"]: w["remaining"] for w in waiting} == {a: 90, b: 85, c: 100}


def test_one_line_without_its_daily_use_makes_the_tier_share_by_quantity(api, make, file_request, run_jobs):
    wh = make.warehouse()
    item = make.stock(wh, "Face shield", on_hand=25)
    a = file_request(make.organization(tier=1), (item, 100, {"on_hand": 20, "daily_use": 10}))
    b = file_request(make.organization(tier=1), (item, 100, {"on_hand": 0, "daily_use": 5}))
    c = file_request(make.organization(tier=1), (item, 100))
    run_jobs()

    # 25 / 3 = 8.33: 8 each, the unit left over to A, the oldest.
    allocations = allocations_of(api, item)
    assert held_by_request(allocations) == {a: 9, b: 8, c: 8}
    assert {a["reasoning"]["method"] for a in allocations} == {"water_filling"}


def test_stock_freed_by_a_cancellation_goes_to_those_still_short(api, make, file_request, cancel, run_jobs):
    wh = make.warehouse()
    item = make.stock(wh, "Gown", on_hand=10)
    a = file_request(make.organization(tier=1), (item, 10))
    b = file_request(make.organization(tier=1), (item, 10))
    run_jobs()
    assert held_by_request(allocations_of(api, item)) == {a: 5, b: 5}

    cancel(a)
    run_jobs()
    assert held_by_request(allocations_of(api, item)) == {b: 10}


# -- warehouses ---------------------------------------------------------------------------------


def test_nearest_warehouse_first_split_when_one_is_not_enough(api, make, place, file_request, run_jobs):
    far = place(make.warehouse(), FAR)
    middle = place(make.warehouse(), MIDDLE)
    near = place(make.warehouse(), NEAR)
    item = make.stock(far, "Hand sanitizer", on_hand=100)
    make.stock(middle, "Hand sanitizer", on_hand=10)
    make.stock(near, "Hand sanitizer", on_hand=6)
    org = place(make.organization(tier=1), ALMATY)
    request_id = file_request(org, (item, 10))
    run_jobs()

    allocations = allocations_of(api, item)
    rows = sorted((a["warehouse_id"], a["quantity"], a["distance_km"]) for a in allocations)
    near_km = round(geodesic_km(NEAR, ALMATY), 1)
    middle_km = round(geodesic_km(MIDDLE, ALMATY), 1)
    assert rows == sorted([(near.id, 6, near_km), (middle.id, 4, middle_km)])
    why = allocations[0]["reasoning"]
    assert [(w["warehouse_id"], w["took"], w["distance_km"]) for w in why["warehouses"]] == [
        (near.id, 6, near_km),
        (middle.id, 4, middle_km),
    ]
    assert f"6 pcs from {near.name} ({near_km} km), 4 pcs from {middle.name}" in why["explanation"]
    assert {a["request_id"] for a in allocations} == {request_id}


def test_closed_warehouses_are_not_used(api, make, db_session, place, file_request, run_jobs):
    near = place(make.warehouse(), NEAR)
    far = place(make.warehouse(), FAR)
    item = make.stock(near, "Food kit", on_hand=50)
    make.stock(far, "Food kit", on_hand=50)
    near.status = "closed"
    db_session.commit()
    file_request(place(make.organization(tier=1), ALMATY), (item, 10))
    run_jobs()
    assert [(a["warehouse_id"], a["quantity"]) for a in allocations_of(api, item)] == [(far.id, 10)]


# -- HQ's overrides ------------------------------------------------------------------------------


def test_a_fixed_quantity_survives_the_next_run(api, make, file_request, receive, run_jobs, ledger_is_exact):
    wh = make.warehouse()
    item = make.stock(wh, "FFP3 respirator", on_hand=10)
    a = file_request(make.organization(tier=1), (item, 10))
    b_org = make.organization(tier=1)
    b = file_request(b_org, (item, 10))
    run_jobs()
    assert held_by_request(allocations_of(api, item)) == {a: 5, b: 5}
    b_line = next(x["line_id"] for x in allocations_of(api, item) if x["request_id"] == b)

    status, body = api("put", f"/supply-lines/{b_line}/override", json={"quantity": 2, "reason": "Donation coming"})
    assert status == 200, body
    assert (body["quantity"], body["warehouse_id"], body["reason"]) == (2, None, "Donation coming")
    run_jobs()
    # B gives back 3, which go to A, still short.
    assert held_by_request(allocations_of(api, item)) == {a: 8, b: 2}

    # A new request and new stock: the next run raises A and C, never B.
    c = file_request(make.organization(tier=1), (item, 10))
    receive(wh, item, 10)
    run_jobs()
    # 10 units: C is raised to A's 8 (8 units), the last 2 raise both to 9.
    assert held_by_request(allocations_of(api, item)) == {a: 9, b: 2, c: 9}
    status, waiting = api("get", "/supplies/unserved", query_string={"item_id": item.id})
    assert {w["request_id"]: w["remaining"] for w in waiting} == {a: 1, c: 1}  # B has its fixed 2
    # B holds all HQ fixed for it: the request counts as allocated, not as partly.
    assert api("get", f"/supply-requests/{b}")[1]["status"] == "allocated"
    assert api("get", f"/supply-requests/{a}")[1]["status"] == "partly_allocated"

    # Raised again, B is served first when stock comes, ahead of its tier:
    # 4 of the 5 units; the last one goes to A, the oldest of A and C.
    status, _ = api("put", f"/supply-lines/{b_line}/override", json={"quantity": 6, "reason": "Ward reopened"})
    assert status == 200
    receive(wh, item, 5)
    run_jobs()
    allocations = allocations_of(api, item)
    assert held_by_request(allocations) == {a: 10, b: 6, c: 9}
    newest = by_request(allocations)[b]["reasoning"]
    assert newest["method"] == "override"
    assert newest["override"] == {"warehouse_id": None, "quantity": 6, "reason": "Ward reopened"}
    assert "as HQ set a quantity of 6 pcs (Ward reopened)" in newest["explanation"]
    ledger_is_exact()


def test_a_pinned_warehouse_is_the_only_one_used(api, client, hq, make, place, file_request, run_jobs, ledger_is_exact):
    near = place(make.warehouse(), NEAR)
    far = place(make.warehouse(), FAR)
    item = make.stock(near, "Medical gown", on_hand=10)
    make.stock(far, "Medical gown", on_hand=10)
    request_id = file_request(place(make.organization(tier=1), ALMATY), (item, 5))
    run_jobs()
    [first] = allocations_of(api, item)
    assert (first["warehouse_id"], first["quantity"]) == (near.id, 5)

    status, body = api(
        "put",
        f"/supply-lines/{first['line_id']}/override",
        json={"warehouse_id": far.id, "reason": "Near is quarantined"},
    )
    assert status == 200, body
    assert (body["warehouse_id"], body["warehouse"], body["quantity"]) == (far.id, far.name, None)
    run_jobs()
    allocations = allocations_of(api, item)
    assert sorted((a["warehouse_id"], a["status"], a["quantity"]) for a in allocations) == sorted(
        [(near.id, "released", 5), (far.id, "held", 5)]
    )
    pinned = next(a for a in allocations if a["status"] == "held")
    assert pinned["reasoning"]["method"] == "override"
    assert pinned["reasoning"]["shared_by"] == "full"
    assert pinned["override"]["warehouse_id"] == far.id
    held = allocations_of(api, item, warehouse_id=near.id, status="held")
    assert held == []

    # The next run leaves it there; so does removing the override.
    status, body = api("post", "/supplies/allocate", json={"item_ids": [item.id]})
    assert (status, body) == (202, {"queued": True})
    assert run_jobs() == 1
    assert len(allocations_of(api, item)) == 2
    resp = client.delete(f"/api/v1/supply-lines/{first['line_id']}/override", headers=hq.auth)
    assert resp.status_code == 204 and resp.data == b""
    run_jobs()
    allocations = allocations_of(api, item)
    assert sorted((a["warehouse_id"], a["status"]) for a in allocations) == sorted(
        [(near.id, "released"), (far.id, "held")]
    )
    assert allocations[0]["override"] is None and held_by_request(allocations) == {request_id: 5}
    ledger_is_exact()


def test_override_bad_input(api, make, db_session, file_request, cancel, run_jobs):
    wh = make.warehouse()
    closed = make.warehouse()
    closed.status = "closed"
    db_session.commit()
    item = make.stock(wh, "Visor", on_hand=10)
    request_id = file_request(make.organization(tier=1), (item, 10))
    run_jobs()
    [a] = allocations_of(api, item)
    path = f"/supply-lines/{a['line_id']}/override"

    def put(body, account=None):
        return api("put", path, account=account, json=body)

    assert put({"quantity": 3})[0] == 422  # no reason
    status, body = put({"quantity": 3, "reason": "   "})
    assert status == 422 and "why" in body["message"]
    status, body = put({"reason": "because"})
    assert status == 422 and "Pin a warehouse, fix a quantity" in body["message"]
    status, body = put({"quantity": 11, "reason": "more"})
    assert status == 422 and "at most" in body["message"]
    assert put({"quantity": -1, "reason": "less"})[0] == 422
    assert put({"warehouse_id": 999999, "reason": "there"})[0] == 422
    status, body = put({"warehouse_id": closed.id, "reason": "there"})
    assert status == 409 and "closed" in body["message"]
    assert put({"quantity": 3, "reason": "x", "colour": "red"})[0] == 422
    assert api("put", "/supply-lines/999999/override", json={"quantity": 1, "reason": "x"})[0] == 404
    assert api("delete", path)[0] == 404  # no override to remove

    requester = make.account("requester", organization_id=a["organization_id"])
    assert put({"quantity": 3, "reason": "mine"}, account=requester)[0] == 403
    other_region = make.account("hq", region_id=make.region("astana").id)
    assert put({"quantity": 3, "reason": "theirs"}, account=other_region)[0] == 403

    cancel(request_id)
    status, body = put({"quantity": 3, "reason": "late"})
    assert status == 409 and "cancelled" in body["message"]

    assert api("post", "/supplies/allocate", json={"item_ids": [999999]})[0] == 422
    assert api("post", "/supplies/allocate", json={"item_ids": []})[0] == 422
    assert api("get", "/supplies/allocations", query_string={"colour": "red"})[0] == 422
    assert api("get", "/supplies/unserved", query_string={"status": "held"})[0] == 422


# -- scope and events ---------------------------------------------------------------------------


def test_each_role_sees_the_allocations_in_its_scope(api, make, db_session, file_request, run_jobs):
    mine, other = make.warehouse(), make.warehouse("astana")
    item = make.stock(mine, "Mask", on_hand=5)
    make.stock(other, "Mask", on_hand=5)
    org_a = make.organization(tier=1)
    org_b = make.organization("astana", tier=1)
    a = file_request(org_a, (item, 5))
    b = file_request(org_b, (item, 5))
    run_jobs()
    assert held_by_request(allocations_of(api, item)) == {a: 5, b: 5}

    manager = make.account("warehouse_manager")
    manager.user.warehouses = [db_session.get(Warehouse, mine.id)]
    db_session.commit()
    requester = make.account("requester", organization_id=org_b.id)
    regional = make.account("hq", region_id=make.region("almaty").id)

    def seen(account):
        status, body = api("get", "/supplies/allocations", account=account)
        assert status == 200, body
        return {(x["request_id"], x["warehouse_id"]) for x in body}

    assert seen(manager) == {(a, mine.id)}
    assert seen(requester) == {(b, other.id)}
    assert seen(regional) == {(a, mine.id)}
    assert api("get", "/supplies/unserved", account=requester)[0] == 403
    assert api("post", "/supplies/allocate", account=manager, json={})[0] == 403


def test_allocations_are_an_event_for_the_requester_and_the_warehouses(make, db_session, place, file_request, run_jobs):
    near = place(make.warehouse(), NEAR)
    far = place(make.warehouse("astana"), FAR)
    item = make.stock(near, "Gloves", on_hand=3)
    make.stock(far, "Gloves", on_hand=5)
    org = place(make.organization(tier=1), ALMATY)
    request_id = file_request(org, (item, 5))
    run_jobs()
    db_session.expire_all()
    [event] = db_session.scalars(select(Event).where(Event.type == "allocation.made")).all()
    assert (event.subject_type, event.subject_id) == ("supply_request", request_id)
    rooms = {r.room for r in event.rooms}
    assert rooms >= {"hq", f"organization:{org.id}", f"warehouse:{near.id}", f"warehouse:{far.id}"}
    assert rooms >= {f"region:{near.region_id}", f"region:{far.region_id}"}
    rows = {a.warehouse_id: a.id for a in db_session.scalars(select(Allocation))}
    assert sorted((a["allocation_id"], a["quantity"], a["method"]) for a in event.after["allocations"]) == sorted(
        [(rows[near.id], 3, "full"), (rows[far.id], 2, "full")]
    )


# -- the ledger has the last word ---------------------------------------------------------------


def test_a_hold_that_finds_less_stock_plans_again_on_fresh_figures(app, make, db_session, file_request):
    """Stock read for the plan, then 3 units damaged before the hold (as
    another writer could do between the two): the ledger refuses the hold,
    no empty allocation is left, and the next attempt holds what is there."""
    wh = make.warehouse()
    item = make.stock(wh, "Apron", on_hand=10)
    lot = db_session.scalar(select(Lot).where(Lot.item_id == item.id))
    file_request(make.organization(tier=1), (item, 10))
    with app.app_context():
        session = db.session
        [line] = allocation._open_lines(session, [item.id])
        run = Run(session, [session.get(Warehouse, wh.id)])
        run.item = session.get(Item, item.id)
        run.avail = {wh.id: ledger.available(session, wh.id, item.id)}
        run._plan([line])
        assert line.planned == {wh.id: 10}
        ledger.adjust(session=session, warehouse_id=wh.id, lot_id=lot.id, quantity=-3, reason_code="damaged")
        assert run._hold_planned([line]) is True
        assert line.given == {} and line.rows == {}
        run.allocate_item(run.item, [line])
        assert line.given == {wh.id: 7} and line.line.quantity_allocated == 7
        session.commit()
        assert ledger.verify(session=session) == []
    db_session.expire_all()
    assert [(a.quantity, a.status) for a in db_session.scalars(select(Allocation))] == [(7, "held")]
