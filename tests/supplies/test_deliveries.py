"""Delivery runs: held stock becomes runs that fit a vehicle, routed short;
the run's task picks the load up, each stop's proof records what arrived and
what came back, and the requests follow."""

from sqlalchemy import func, select

from coordinator.supplies.models import Allocation, Discrepancy, StockBalance, StockMove
from tests.supplies import delivery_setup as setup


def _moves(db_session, warehouse_id: int) -> dict[tuple[str, int], int]:
    """Units moved per (kind, item) in a warehouse, from the ledger."""
    db_session.expire_all()
    rows = db_session.execute(
        select(StockMove.kind, StockMove.item_id, func.sum(StockMove.quantity))
        .where(StockMove.warehouse_id == warehouse_id)
        .group_by(StockMove.kind, StockMove.item_id)
    )
    return {(kind, item_id): int(q) for kind, item_id, q in rows}


def _stock(db_session, warehouse_id: int, item_id: int) -> tuple[int, int]:
    db_session.expire_all()
    row = db_session.execute(
        select(func.sum(StockBalance.on_hand), func.sum(StockBalance.held)).where(
            StockBalance.warehouse_id == warehouse_id, StockBalance.item_id == item_id
        )
    ).one()
    return int(row[0]), int(row[1])


def test_stops_are_routed_shorter_than_request_order_and_planned_once(app, make, api, run_jobs):
    wh = setup.warehouse(make)
    masks = setup.item(make, "Medical mask", unit_kg=0.1)
    setup.receive(app, wh, masks, 1000)
    crew = setup.crew(make, capacity_kg=500)
    # Along one road north of the warehouse: far, near, middle, asked in that order.
    lat, lon = setup.ALMATY
    far, near, middle = (setup.organization(make, (lat + d, lon)) for d in (0.27, 0.09, 0.18))
    for org in (far, near, middle):
        setup.held_request(app, org, wh, {masks.id: 100})

    runs = setup.plan(api, run_jobs, app)
    assert len(runs) == 1
    run = runs[0]
    assert run["load_kg"] == 30 and run["capacity_kg"] == 500 and run["status"] == "planned"
    order = [s["organization_id"] for s in run["stops"]]
    assert order in ([near.id, middle.id, far.id], [far.id, middle.id, near.id])
    assert [s["seq"] for s in run["stops"]] == [1, 2, 3]
    # Out and back along the road (60 km) instead of 30 + 20 + 10 + 20 km.
    assert abs(run["route_km"] - 60) < 1 and abs(run["request_order_km"] - 80) < 1
    assert run["route_km"] < run["request_order_km"]

    # The run's task was made through the field service and offered to the team.
    status, tasks = api("GET", "/tasks", crew.account)
    assert status == 200 and len(tasks) == 1
    task = tasks[0]
    assert task["id"] == run["task_id"] and task["kind"] == "delivery" and task["status"] == "offered"
    assert (task["source_type"], task["source_id"]) == ("delivery_run", run["id"])
    assert (task["lat"], task["lon"]) == (wh.lat, wh.lon)
    assert [s["stop_id"] for s in task["details"]["stops"]] == [s["id"] for s in run["stops"]]
    assert all(
        s["items"] == [{"item": "Medical mask", "unit": "pcs", "quantity": 100}] for s in task["details"]["stops"]
    )

    # Planning again plans nothing twice.
    assert setup.plan(api, run_jobs, app) == runs


def test_runs_fit_the_smallest_vehicle_and_heavy_allocations_are_split(app, make, api, run_jobs, db_session):
    wh = setup.warehouse(make)
    kits = setup.item(make, "Food kit", unit_kg=1.0)
    setup.receive(app, wh, kits, 5000)
    setup.crew(make, capacity_kg=3000)
    setup.crew(make, capacity_kg=500)  # a run must fit whichever team takes it
    lat, lon = setup.ALMATY
    big = setup.organization(make, (lat + 0.1, lon))
    small = setup.organization(make, (lat, lon + 0.1))
    big_request = setup.held_request(app, big, wh, {kits.id: 1200})
    setup.held_request(app, small, wh, {kits.id: 100})

    runs = setup.plan(api, run_jobs, app)
    assert len(runs) == 3
    for run in runs:
        assert run["capacity_kg"] == 500 and run["load_kg"] <= 500
        orgs = [s["organization_id"] for s in run["stops"]]
        assert len(orgs) == len(set(orgs))  # one stop per organization per run
    shipped = {}
    for run in runs:
        for stop in run["stops"]:
            shipped[stop["organization_id"]] = shipped.get(stop["organization_id"], 0) + sum(
                li["quantity"] for li in stop["lines"]
            )
    assert shipped == {big.id: 1200, small.id: 100}
    # The big allocation became vehicle loads, its hold split with it.
    parts = db_session.scalars(select(Allocation).where(Allocation.request_id == big_request)).all()
    assert sorted(a.quantity for a in parts) == [200, 500, 500] and all(a.stop_id for a in parts)
    assert _stock(db_session, wh.id, kits.id) == (5000, 1300)
    assert setup.verify_ledger(app) == []


def test_no_delivery_vehicle_means_nothing_is_planned_yet(app, make, api, run_jobs):
    wh = setup.warehouse(make)
    masks = setup.item(make, "Medical mask")
    setup.receive(app, wh, masks, 100)
    make.team("almaty", can_deliver=True, vehicle_capacity_kg=0)  # no vehicle
    setup.held_request(app, setup.organization(make, setup.ALMATY), wh, {masks.id: 10})
    assert setup.plan(api, run_jobs, app) == []
    setup.crew(make, capacity_kg=500)  # a van joins: the next planning (or the periodic sweep) plans it
    assert len(setup.plan(api, run_jobs, app)) == 1


def test_proof_path_with_a_shortfall(app, make, api, run_jobs, db_session):
    wh = setup.warehouse(make)
    masks = setup.item(make, "Medical mask")
    gloves = setup.item(make, "Gloves (pair)")
    setup.receive(app, wh, masks, 1000)
    setup.receive(app, wh, gloves, 500)
    crew = setup.crew(make)
    lat, lon = setup.ALMATY
    hospital = setup.organization(make, (lat + 0.05, lon))
    clinic = setup.organization(make, (lat + 0.1, lon), tier=2)
    hospital_request = setup.held_request(app, hospital, wh, {masks.id: 100, gloves.id: 50})
    clinic_request = setup.held_request(app, clinic, wh, {masks.id: 40})
    nurse = make.account("requester", organization_id=hospital.id)
    other = make.account("requester", organization_id=clinic.id)

    (run,) = setup.plan(api, run_jobs, app)
    setup.steps(api, crew.account, run["task_id"], "accept", "en-route")
    assert _moves(db_session, wh.id).get(("issued", masks.id)) is None

    # On site at the warehouse: the load is picked up and leaves the ledger.
    setup.steps(api, crew.account, run["task_id"], "on-site")
    status, run = api("GET", f"/supplies/runs/{run['id']}", crew.account)
    assert status == 200 and run["status"] == "picked_up" and run["team_id"] == crew.team_id
    moves = _moves(db_session, wh.id)
    assert moves[("issued", masks.id)] == 140 and moves[("issued", gloves.id)] == 50
    assert _stock(db_session, wh.id, masks.id) == (860, 0)
    assert _request_status(app, hospital_request) == "dispatched"

    # Done before every stop has its proof: refused, naming what is missing.
    status, body = api("POST", f"/tasks/{run['task_id']}/done", crew.account, json={})
    assert status == 409 and "proof" in body["message"]

    stops = {s["organization_id"]: s for s in run["stops"]}
    first = stops[hospital.id]
    lines = {li["item_id"]: li for li in first["lines"]}
    proof = {
        "recipient_name": "Dr. Aigerim Sadykova",
        "lat": lat + 0.0501,
        "lon": lon,
        "photo": "data:image/jpeg;base64,/9j/4AAQSkZJRg==",
        "lines": [
            {"line_id": lines[masks.id]["id"], "accepted": 90, "rejected": 10, "reject_reason": "missing"},
            {"line_id": lines[gloves.id]["id"], "accepted": 45, "rejected": 5, "reject_reason": "damaged"},
        ],
    }
    status, stop = api("POST", f"/deliveries/{first['id']}/proof", crew.account, json=proof)
    assert status == 200, stop
    assert stop["status"] == "delivered" and stop["received_by"] == "Dr. Aigerim Sadykova" and stop["has_photo"]
    assert "10 pcs of Medical mask missing" in stop["discrepancy"]
    assert "5 pcs of Gloves (pair) damaged" in stop["discrepancy"]
    assert {(li["item_id"], li["accepted"], li["rejected"], li["reject_reason"]) for li in stop["lines"]} == {
        (masks.id, 90, 10, "missing"),
        (gloves.id, 45, 5, "damaged"),
    }
    # The shortfall is to be served again: the request is only partly allocated now.
    assert _request_status(app, hospital_request) == "partly_allocated"
    assert _line_figures(app, hospital_request) == {masks.id: (100, 90, 90), gloves.id: (50, 45, 45)}
    assert db_session.scalar(select(func.count(Discrepancy.id))) == 2

    second = stops[clinic.id]
    status, stop = api(
        "POST",
        f"/deliveries/{second['id']}/proof",
        crew.account,
        json={
            "recipient_name": "Nurse Ivanova",
            "lat": lat + 0.1,
            "lon": lon,
            "lines": [{"line_id": second["lines"][0]["id"], "accepted": 40, "rejected": 0}],
        },
    )
    assert status == 200 and stop["discrepancy"] is None
    assert _request_status(app, clinic_request) == "delivered"

    status, task = api("POST", f"/tasks/{run['task_id']}/done", crew.account, json={})
    assert status == 200 and task["status"] == "done"
    assert api("GET", f"/supplies/runs/{run['id']}")[1]["status"] == "done"

    # The ledger shows exactly what left and what arrived: missing masks never
    # come back, damaged gloves do.
    moves = _moves(db_session, wh.id)
    assert moves[("delivered", masks.id)] == 130 and moves[("delivered", gloves.id)] == 45
    assert moves[("returned", gloves.id)] == 5 and ("returned", masks.id) not in moves
    assert _stock(db_session, wh.id, masks.id) == (860, 0)
    assert _stock(db_session, wh.id, gloves.id) == (455, 0)
    assert setup.verify_ledger(app) == []

    status, found = api("GET", "/supplies/discrepancies")
    assert status == 200
    assert sorted((d["item_id"], d["quantity"], d["reason"]) for d in found) == sorted(
        [(masks.id, 10, "missing"), (gloves.id, 5, "damaged")]
    )

    # The requester confirms its own stop, once; another organization cannot.
    assert api("POST", f"/deliveries/{first['id']}/confirm", other)[0] == 403
    status, confirmed = api("POST", f"/deliveries/{first['id']}/confirm", nurse)
    assert status == 200 and confirmed["confirmed_at"]
    assert api("POST", f"/deliveries/{first['id']}/confirm", nurse)[0] == 409

    # Every step was an event to the request's rooms and the warehouse's.
    events = api("GET", "/events?after=0")[1]["events"]
    proven = [e for e in events if e["type"] == "delivery.proven" and e["subject_id"] == first["id"]]
    assert len(proven) == 1
    assert {f"organization:{hospital.id}", f"warehouse:{wh.id}"} <= set(proven[0]["rooms"])
    types = {e["type"] for e in events}
    assert {"delivery_run.planned", "delivery_run.picked_up", "delivery_run.done", "delivery.confirmed"} <= types


def _request_status(app, request_id: int) -> str:
    from coordinator.extensions import db
    from coordinator.supplies.models import SupplyRequest

    with app.app_context():
        return db.session.get(SupplyRequest, request_id).status


def _line_figures(app, request_id: int) -> dict[int, tuple[int, int, int]]:
    """(requested, allocated, delivered) per item of a request."""
    from coordinator.extensions import db
    from coordinator.supplies.models import SupplyRequest

    with app.app_context():
        request = db.session.get(SupplyRequest, request_id)
        return {
            li.item_id: (li.quantity_requested, li.quantity_allocated, li.quantity_delivered) for li in request.lines
        }


def test_two_workers_planning_at_once_plan_each_allocation_once(app, make, api, enqueue, burst_workers, db_session):
    wh = setup.warehouse(make)
    masks = setup.item(make, "Medical mask")
    setup.receive(app, wh, masks, 1000)
    setup.crew(make)
    lat, lon = setup.ALMATY
    for n in range(6):
        setup.held_request(app, setup.organization(make, (lat + 0.02 * n, lon + 0.01)), wh, {masks.id: 10})
    for _ in range(4):
        enqueue("plan_delivery_runs", None)
    burst_workers(2)
    runs = api("GET", "/supplies/runs")[1]
    assert len(runs) == 1 and len(runs[0]["stops"]) == 6
    db_session.expire_all()
    assert db_session.scalar(select(func.count(Allocation.id)).where(Allocation.stop_id.is_(None))) == 0
