"""A run that fails or is cancelled gives back what was not delivered: held
stock is released, stock on the vehicle returns to the warehouse, and the
request lines wait to be allocated again."""

from sqlalchemy import func, select

from coordinator.supplies.models import Allocation, StockBalance, StockMove
from tests.supplies import delivery_setup as setup


def _on_hand_held(db_session, warehouse_id):
    db_session.expire_all()
    return db_session.execute(
        select(StockBalance.item_id, StockBalance.on_hand, StockBalance.held).where(
            StockBalance.warehouse_id == warehouse_id
        )
    ).all()


def test_failed_run_returns_the_undelivered_load(app, make, api, run_jobs, db_session):
    wh = setup.warehouse(make)
    masks = setup.item(make, "Medical mask")
    setup.receive(app, wh, masks, 1000)
    crew = setup.crew(make)
    lat, lon = setup.ALMATY
    near = setup.organization(make, (lat + 0.05, lon))
    far = setup.organization(make, (lat + 0.3, lon))
    near_request = setup.held_request(app, near, wh, {masks.id: 100})
    far_request = setup.held_request(app, far, wh, {masks.id: 60})
    (run,) = setup.plan(api, run_jobs, app)
    setup.steps(api, crew.account, run["task_id"], "accept", "en-route", "on-site")
    first = next(s for s in run["stops"] if s["organization_id"] == near.id)
    proof = {
        "recipient_name": "Reception",
        "lat": lat + 0.05,
        "lon": lon,
        "lines": [{"line_id": first["lines"][0]["id"], "accepted": 100, "rejected": 0}],
    }
    assert api("POST", f"/deliveries/{first['id']}/proof", crew.account, json=proof)[0] == 200

    status, _ = api("POST", f"/tasks/{run['task_id']}/fail", crew.account, json={"reason": "Road closed by snow"})
    assert status == 200
    status, after = api("GET", f"/supplies/runs/{run['id']}")
    assert after["status"] == "cancelled" and after["task_status"] == "failed"
    assert {s["organization_id"]: s["status"] for s in after["stops"]} == {near.id: "delivered", far.id: "failed"}
    # The 60 masks on the vehicle came back; the 100 delivered stay delivered.
    db_session.expire_all()
    returned = db_session.execute(
        select(StockMove.quantity, StockMove.reason_code).where(StockMove.kind == "returned")
    ).all()
    assert returned == [(60, "run_failed")]
    assert _on_hand_held(db_session, wh.id) == [(masks.id, 900, 0)]
    assert setup.verify_ledger(app) == []
    statuses = {r: _status(app, r) for r in (near_request, far_request)}
    assert statuses == {near_request: "delivered", far_request: "pending"}
    far_allocation = db_session.scalar(select(Allocation).where(Allocation.request_id == far_request))
    assert far_allocation.status == "released"
    # Allocation was declared for what came back.
    outbox = _outbox_jobs(db_session)
    assert "allocate_supplies" in outbox


def test_cancelled_before_pick_up_releases_the_holds(app, make, api, run_jobs, db_session):
    run = setup.one_run(app, make, api, run_jobs, steps_taken=("accept",))
    assert _on_hand_held(db_session, run.warehouse.id) == [(run.masks.id, 1000, 100), (run.gloves.id, 500, 50)]
    status, task = api("POST", f"/tasks/{run.run['task_id']}/cancel", json={})
    assert status == 200 and task["status"] == "cancelled"
    assert _on_hand_held(db_session, run.warehouse.id) == [(run.masks.id, 1000, 0), (run.gloves.id, 500, 0)]
    assert _status(app, run.request_id) == "pending"
    after = api("GET", f"/supplies/runs/{run.run['id']}")[1]
    assert after["status"] == "cancelled" and after["stops"][0]["status"] == "cancelled"
    assert setup.verify_ledger(app) == []
    # Allocation was declared: it serves the lines again, and a new run is planned for them.
    runs = {r["id"]: r for r in setup.plan(api, run_jobs, app)}
    (new,) = [r for r in runs.values() if r["id"] != run.run["id"]]
    assert runs[run.run["id"]]["status"] == "cancelled" and new["status"] == "planned"
    assert [(s["organization_id"], sorted(li["quantity"] for li in s["lines"])) for s in new["stops"]] == [
        (run.organization.id, [50, 100])
    ]
    assert _status(app, run.request_id) == "allocated"
    assert setup.verify_ledger(app) == []


def test_allocations_released_before_pick_up_drop_out_of_the_run(app, make, api, run_jobs, db_session):
    """As when the request is cancelled (or HQ overrides the allocation)
    after planning: the holds are released and the lines freed."""
    from coordinator.extensions import db
    from coordinator.supplies import ledger

    run = setup.one_run(app, make, api, run_jobs, steps_taken=("accept", "en-route"))
    with app.app_context():
        for allocation in db.session.scalars(select(Allocation).where(Allocation.request_id == run.request_id)):
            ledger.release(session=db.session, warehouse_id=allocation.warehouse_id, allocation_id=allocation.id)
            allocation.status = "released"
            allocation.line.quantity_allocated = 0
        db.session.commit()
    setup.steps(api, run.crew.account, run.run["task_id"], "on-site")
    after = api("GET", f"/supplies/runs/{run.run['id']}")[1]
    assert after["status"] == "picked_up" and after["stops"][0]["status"] == "cancelled"
    assert after["stops"][0]["lines"] == [] and after["load_kg"] == 0
    assert db_session.scalar(select(func.count(StockMove.id)).where(StockMove.kind == "issued")) == 0
    status, task = api("POST", f"/tasks/{run.run['task_id']}/done", run.crew.account, json={})
    assert status == 200
    assert setup.verify_ledger(app) == []


def _status(app, request_id: int) -> str:
    from coordinator.extensions import db
    from coordinator.supplies.models import SupplyRequest

    with app.app_context():
        return db.session.get(SupplyRequest, request_id).status


def _outbox_jobs(db_session) -> list[str]:
    from coordinator.queue.models import OutboxEntry

    db_session.expire_all()
    return list(db_session.scalars(select(OutboxEntry.job)))
