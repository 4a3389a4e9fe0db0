"""A batch dispatcher that dies holding requests: their own dispatch jobs ran
while the claim held (and left them alone), so something must come back for
them once the claim lapses, or they stay `requested` until the slow sweep."""

from __future__ import annotations

from datetime import timedelta

from coordinator.extensions import db
from coordinator.housing import surge
from coordinator.housing.models import PlacementRequest
from coordinator.queue import relay

GROUP = {"contact_phone": "+7 701 555 12 12", "origin": "Almaty", "head_count": 2}


def test_a_request_claimed_by_a_dead_batch_is_placed_once_the_claim_lapses(
    app, make, api, run_jobs, wait_for, db_session
):
    make.facility("almaty", beds={"standard": 10})
    status, created = api("post", "/placements", json=GROUP)
    assert status == 201, created
    with app.app_context():
        # A batch claims it, as place_batch does, and its worker is killed.
        _, ids = surge.claim(session=db.session, limit=10, lease=timedelta(seconds=1))
        db.session.commit()
        db.session.remove()
    assert ids == [created["id"]]

    run_jobs()  # the request's own dispatch job finds it claimed
    assert api("get", f"/placements/{created['id']}")[1]["status"] == "requested"

    def relayed_and_run() -> bool:
        # What a worker's maintenance tick does: queue due outbox rows, run them.
        with app.app_context():
            relay.sweep(session=db.session)
            db.session.commit()
            db.session.remove()
        run_jobs()
        return api("get", f"/placements/{created['id']}")[1]["status"] == "assigned"

    assert wait_for(relayed_and_run, timeout=10)
    placed = api("get", f"/placements/{created['id']}")[1]
    assert placed["head_count"] == 2 and placed["decision"]["facility"]
    db_session.expire_all()
    request = db_session.get(PlacementRequest, created["id"])
    assert (request.claimed_by, request.claimed_until) == (None, None)  # the dead batch's claim is gone
