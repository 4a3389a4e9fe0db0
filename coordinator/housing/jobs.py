"""Housing jobs: dispatch a request, place waiting groups, expire holds,
release at the end of quarantine, record occupancy. Each takes ids, uses the
app's session, calls services and commits; follow-up work (a transfer task to
offer, waiting groups to place) is declared by the services themselves."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from coordinator.common.clock import now
from coordinator.extensions import db
from coordinator.housing import batch, dispatch, facilities, placement, reoptimise, surge
from coordinator.housing.models import Facility, PlacementRequest
from coordinator.queue import Periodic, after_commit, job


@job("dispatch")
def dispatch_placement(placement_id: int) -> str | None:
    """Place one new request (or leave it waiting with the reason). When
    requests pile up (a surge, an import), the pending ones are placed
    together first; one in a quiet moment is placed at once on its own."""
    # On SQLite every transaction takes the write lock: a request already
    # placed (most jobs of a drained surge) costs one short transaction.
    own = db.session.get(PlacementRequest, placement_id)
    if own is not None and own.status == "requested":
        if surge.backlog(session=db.session) >= current_app.config["BATCH_MIN_PENDING"]:
            place_batch()
    p = dispatch.dispatch(session=db.session, placement_id=placement_id)
    if p is not None and p.status == "requested" and p.claimed_until is not None:
        # A batch dispatcher holds the request. If its worker dies, nothing
        # else would come back for it: look again once the claim has lapsed
        # (a live batch will have placed it by then; this costs one read).
        lapse = (p.claimed_until - now()).total_seconds()
        after_commit(db.session, "dispatch_placement", placement_id, delay=max(lapse, 0) + 1)
    status = p.status if p else None
    db.session.commit()
    return status


def place_batch() -> int:
    """Claim pending requests and place them together (see `surge`); returns
    how many were placed. Groups whose beds another dispatcher took meanwhile
    are dispatched again one by one."""
    cfg = current_app.config
    lease = timedelta(seconds=2 * cfg["DISPATCH_JOB_TIMEOUT"])
    token, ids = surge.claim(session=db.session, limit=cfg["BATCH_MAX_GROUPS"], lease=lease)
    snap = surge.snapshot(session=db.session, token=token) if ids else None
    db.session.commit()  # the claim holds; the solver runs outside any transaction
    if snap is None:
        return 0
    try:
        plan = batch.place(snap.groups, snap.options, time_limit=cfg["BATCH_SECONDS"])
        outcome = surge.apply(session=db.session, snap=snap, plan=plan)
        db.session.commit()
    except BaseException:
        # Anything that stops the batch (an error, the job's time limit) hands
        # its requests back at once rather than when the lease runs out.
        db.session.rollback()
        surge.release(session=db.session, token=token)
        db.session.commit()
        raise
    for placement_id in outcome.lost:
        dispatch.dispatch(session=db.session, placement_id=placement_id)
        db.session.commit()
    return len(outcome.placed)


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
def reoptimise_holds(facility_id: int) -> list[int]:
    """Beds freed at a facility: move there the unconfirmed holds elsewhere
    that the rules allow (see `reoptimise`), best first, one transaction per
    move; returns the ids of the groups moved. Idempotent: run again, it
    finds them moved (or the beds taken) and moves nothing."""
    facility = db.session.get(Facility, facility_id)
    plan = reoptimise.candidates(session=db.session, facility=facility) if facility is not None else []
    db.session.commit()  # the plan is only a plan: each move re-checks it under its locks
    moved = []
    for c in plan:
        if reoptimise.move(session=db.session, facility=facility, c=c):
            db.session.commit()
            moved.append(c.placement_id)
        else:
            db.session.rollback()
        db.session.expire_all()  # the next move reads the beds afresh
    return moved


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


JOBS = (dispatch_placement, place_waiting, reoptimise_holds, expire_holds, release_due, snapshot_occupancy)
PERIODIC = (
    Periodic("expire-holds", 60, "expire_holds"),
    Periodic("release-due", 300, "release_due"),
    Periodic("snapshot-occupancy", 600, "snapshot_occupancy"),
    Periodic("place-waiting", 120, "place_waiting"),
)
