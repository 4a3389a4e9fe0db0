"""Housing jobs: dispatch a request, place waiting groups, expire holds,
release at the end of quarantine, record occupancy. Each takes ids, uses the
app's session, calls services and commits; follow-up work (a transfer task to
offer, waiting groups to place) is declared by the services themselves."""

from __future__ import annotations

from coordinator.extensions import db
from coordinator.housing import dispatch, facilities, placement
from coordinator.housing.models import PlacementRequest
from coordinator.queue import Periodic, job


@job("dispatch")
def dispatch_placement(placement_id: int) -> str | None:
    """Place one new request (or leave it waiting with the reason)."""
    p = dispatch.dispatch(session=db.session, placement_id=placement_id)
    status = p.status if p else None
    db.session.commit()
    return status


@job("dispatch")
def place_waiting() -> int:
    """Dispatch requests whose own dispatch never ran, then place waiting
    requests, highest priority then oldest first, committing each placement;
    returns how many waiting ones were placed. Requests too big for any free
    block are skipped without a full dispatch."""
    for placement_id in dispatch.stranded_ids(session=db.session):
        dispatch.dispatch(session=db.session, placement_id=placement_id)
        db.session.commit()
    placed = 0
    largest = dispatch.largest_free(db.session)
    for placement_id in dispatch.waiting_ids(session=db.session):
        p = db.session.get(PlacementRequest, placement_id)
        if p is None or p.status != "waiting" or not dispatch.could_fit(p, largest):
            continue
        p = dispatch.dispatch(session=db.session, placement_id=placement_id)
        db.session.commit()
        if p is not None and p.status == "assigned":
            placed += 1
            largest = dispatch.largest_free(db.session)
    db.session.commit()
    return placed


@job("dispatch")
def expire_holds() -> int:
    """Return the beds of holds nobody confirmed in time."""
    count = placement.expire_holds(session=db.session)
    db.session.commit()
    return count


@job("default")
def release_due() -> int:
    """Release groups whose quarantine has ended."""
    count = placement.release_due(session=db.session)
    db.session.commit()
    return count


@job("default")
def snapshot_occupancy() -> int:
    """Record today's beds of every facility for the occupancy history."""
    count = facilities.snapshot_occupancy(session=db.session)
    db.session.commit()
    return count


JOBS = (dispatch_placement, place_waiting, expire_holds, release_due, snapshot_occupancy)
PERIODIC = (
    Periodic("expire-holds", 60, "expire_holds"),
    Periodic("release-due", 300, "release_due"),
    Periodic("snapshot-occupancy", 600, "snapshot_occupancy"),
    Periodic("place-waiting", 120, "place_waiting"),
)
