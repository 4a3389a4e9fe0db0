"""Housing jobs: dispatch a request, place waiting groups, expire holds,
release at the end of quarantine, record occupancy. Each takes ids, uses the
app's session, calls services and commits; follow-up work (a transfer task to
offer, waiting groups to place) is declared by the services themselves."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from coordinator import database
from coordinator.common.clock import now
from coordinator.extensions import db
from coordinator.housing import batch, dispatch, facilities, placement, reoptimise, surge
from coordinator.housing.models import Facility, PlacementRequest
from coordinator.queue import Periodic, after_commit, connection, job

log = logging.getLogger("birlik.housing")

# Set while a gathered batch is coming (`place_gathered`): the dispatches of a
# surge's requests then only read. It expires on its own if that job is lost:
# this long after the job was due, a surge's next dispatch starts another.
GATHER_KEY = "birlik:housing:gathering"
GATHER_KEY_SECONDS = 5.0
# A surge has ended when its rate is kept up neither over the last window (the
# test that starts gathering: a surge younger than three windows passes only
# this one) nor over this many: over one alone (of 0.5 s, in a trial), a dip of a
# fraction of a second placed part of a scale-out surge (four batches, 1.035x the
# bound against 1.005x).
STILL_SURGING_WINDOWS = 3
HAND_BACK_WAIT = "5s"  # the longest a stopped batch waits for locks to hand its requests back


def _gathering(placement_id: int) -> bool:
    """A gathered batch is coming (`place_gathered`): it places every pending
    request, this one too, since the request committed before this was asked
    (the batch lets go of GATHER_KEY before it claims). Then the request's
    own dispatch is not queued: in a surge each would only have looked and
    left, an RQ job for every POST that took the workers' CPU from the POSTs
    (surge bench: POST p99 165 -> 67 ms on SQLite, 439 -> 160 ms scale-out)."""
    return bool(connection().exists(GATHER_KEY))


@job("dispatch", covered=_gathering)
def dispatch_placement(placement_id: int) -> str | None:
    """Place one new request (or leave it waiting with the reason). While
    requests come in at a surge's pace it is left to the gathered batch
    (`place_gathered`); when they pile up (an import, workers behind), the
    pending ones are placed together first; one in a quiet moment is placed
    at once on its own."""
    # The first look only reads: on SQLite it takes no write lock, so a
    # surge's jobs (most leave their request to the gathered batch, or find
    # it placed) do not queue with the POSTs for it.
    with database.reading(db.session):
        # Two columns, not the request with its facility: most looks end here.
        own = db.session.execute(
            select(PlacementRequest.status, PlacementRequest.claimed_by).where(PlacementRequest.id == placement_id)
        ).first()
        status = own.status if own is not None else None
        # A claimed request is a batch's: see below.
        gather = status == "requested" and own.claimed_by is None and _surging()
        pending = surge.backlog(session=db.session) if status == "requested" and not gather else 0
    if status not in ("requested", "waiting"):
        return status  # placed already (or gone): nothing to write
    if gather:
        _gather()
        return "gathering"
    least = current_app.config["BATCH_MIN_PENDING"]
    if pending >= least:
        # Only if at least as many are still there to claim: what another worker's
        # batch left is placed one by one, not by a solver run for two.
        place_batch(least=least)
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


def _surging() -> bool:
    """A surge is under way: its rate kept up over the last window, or over
    the last STILL_SURGING_WINDOWS. The same test starts and ends gathering:
    on a loaded machine (scale-out, POSTs taking 200 ms) a request is seen
    only once committed, well after its `created_at`, so the last window
    alone held fewer than the rate's worth now and then, and each time a
    request's dispatch placed the backlog as a batch of its own (19 in one
    surge, 1.09x the bound)."""
    cfg = current_app.config
    rate, window = cfg["GATHER_RATE"], cfg["GATHER_WINDOW_SECONDS"]
    # One query for both: a quiet moment's dispatch asks this every time.
    return bool(rate) and surge.arriving_fast(
        session=db.session, rate=rate, windows=(window, STILL_SURGING_WINDOWS * window)
    )


def _gather() -> None:
    """Leave the request to the gathered batch, and make sure one is coming."""
    pause = current_app.config["GATHER_PAUSE_SECONDS"]
    if connection().set(GATHER_KEY, 1, nx=True, px=int(1000 * (pause + GATHER_KEY_SECONDS))):
        try:
            after_commit(db.session, "place_gathered", delay=pause)
            db.session.commit()
        except BaseException:
            connection().delete(GATHER_KEY)  # no job is coming after all: let the retry (or the next) start one
            raise


@job("dispatch", timeout="BATCH_JOB_TIMEOUT")
def place_gathered() -> int:
    """Place a surge's gathered requests together once arrivals pause, slow
    below GATHER_RATE, or the oldest has waited long enough; until then, look
    again when they may have. Returns how many were placed."""
    cfg = current_app.config
    pause = cfg["GATHER_PAUSE_SECONDS"]
    wait = surge.due(session=db.session, pause=pause, longest=cfg["GATHER_MAX_SECONDS"])
    # Only while they still come at a surge's pace: a steady stream below it
    # (20 a second, each within the pause of the last) never pauses, and the
    # gathered requests used to wait for GATHER_MAX_SECONDS.
    if wait > 0 and _surging():
        connection().set(GATHER_KEY, 1, px=int(1000 * (wait + GATHER_KEY_SECONDS)))
        after_commit(db.session, "place_gathered", delay=wait)
        db.session.commit()
        return 0
    # Let go first: a request whose dispatch saw the key is committed by now,
    # so the claim below takes it; one that comes later starts a new gathering.
    connection().delete(GATHER_KEY)
    lease = timedelta(seconds=2 * cfg["BATCH_JOB_TIMEOUT"])
    # If this job dies holding its claim (its gathered requests' own dispatches
    # are done), look again once the claim has lapsed; all placed, that run
    # finds nothing to do.
    after_commit(db.session, "place_gathered", delay=lease.total_seconds() + 1)
    db.session.commit()
    placed = 0
    seconds, gap = cfg["GATHER_SOLVE_SECONDS"], cfg["GATHER_SOLVE_GAP"]
    for _ in range(3):  # requests that came in while a batch was placed: one more round, a few at most
        if surge.backlog(session=db.session) == 0:
            break
        placed += place_batch(limit=cfg["GATHER_MAX_GROUPS"], lease=lease, seconds=seconds, gap=gap)
    else:
        if surge.backlog(session=db.session):
            # More than three batches' worth: those gathered had no dispatch
            # of their own queued (`_gathering`), so another batch must come.
            after_commit(db.session, "place_gathered")
    db.session.commit()
    return placed


def place_batch(
    *,
    limit: int | None = None,
    least: int = 1,
    lease: timedelta | None = None,
    seconds: float | None = None,
    gap: float = batch.GAP,
) -> int:
    """Claim pending requests (BATCH_MAX_GROUPS unless `limit`; none unless at
    least `least` are there) and place them together (see `surge`), the solver
    stopped after `seconds` (default BATCH_SECONDS); returns how many were
    placed. Groups whose beds another dispatcher took meanwhile go back to
    dispatch, each by a job of its own. The claim lapses after `lease`
    (default: twice a dispatch job's time limit)."""
    cfg = current_app.config
    lease = lease or timedelta(seconds=2 * cfg["DISPATCH_JOB_TIMEOUT"])
    limit = limit or cfg["BATCH_MAX_GROUPS"]
    token, ids = surge.claim(session=db.session, limit=limit, lease=lease, least=min(least, limit))
    snap = surge.snapshot(session=db.session, token=token) if ids else None
    db.session.commit()  # the claim holds; the solver runs outside any transaction
    if snap is None:
        return 0
    try:
        plan = batch.place(snap.groups, snap.options, time_limit=seconds or cfg["BATCH_SECONDS"], gap=gap)
        applied = time.perf_counter()
        outcome = surge.apply(session=db.session, snap=snap, plan=plan)
        db.session.commit()
        apply_seconds = time.perf_counter() - applied
        log.info(
            "batch %s: %d groups, %d candidates, solved in %.2f s (%d models raced, plan from the %s nearest;"
            " %s), applied in %.2f s: %d placed, %d waiting",
            token[:12],
            len(snap.groups),
            plan.candidates,
            plan.seconds,
            plan.raced,
            plan.nearest or "all",
            plan.status,
            apply_seconds,
            len(outcome.placed),
            len(outcome.waiting),
            # The same figures as fields: the surge benchmark reports each batch from them.
            extra={
                "fields": {
                    "batch": token[:12],
                    "groups": len(snap.groups),
                    "solve_seconds": round(plan.seconds, 2),
                    "apply_seconds": round(apply_seconds, 2),
                    "solver_status": plan.status,
                    "placed": len(outcome.placed),
                    "waiting": len(outcome.waiting),
                }
            },
        )
    except BaseException:
        # Anything that stops the batch (an error, the job's time limit) hands
        # its requests back at once rather than when the lease runs out.
        _hand_back(token)
        raise
    return len(outcome.placed)


def _hand_back(token: str) -> None:
    # The job's time limit may have cut a statement off half way (in a
    # flush or the commit as well): still running on the server, it would
    # keep the claimed rows locked, so it goes first.
    database.drop_if_cut_off(db.session())
    try:
        db.session.remove()  # rolled back, and what it left in the session goes with it
        if db.session.get_bind().dialect.name == "postgresql":
            # Never held up for long: the lease hands the requests back anyway.
            db.session.execute(text(f"SET LOCAL lock_timeout = '{HAND_BACK_WAIT}'"))
        surge.release(session=db.session, token=token)
        db.session.commit()
    except SQLAlchemyError as exc:
        log.warning("batch %s: requests not handed back (%s); its claim lapses with its lease", token[:12], exc)


@job("dispatch")
def place_waiting() -> int:
    """Dispatch requests whose own dispatch never ran, then place waiting
    requests, highest priority then oldest first, committing each placement;
    returns how many waiting ones were placed. Requests too big for any free
    block are skipped without a full dispatch."""
    # Gathered requests wait for their batch up to GATHER_MAX_SECONDS: not stranded.
    older = timedelta(seconds=max(60.0, current_app.config["GATHER_MAX_SECONDS"] + 30))
    for placement_id in dispatch.stranded_ids(session=db.session, older_than=older):
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


JOBS = (
    dispatch_placement,
    place_gathered,
    place_waiting,
    reoptimise_holds,
    expire_holds,
    release_due,
    snapshot_occupancy,
)
PERIODIC = (
    Periodic("expire-holds", 60, "expire_holds"),
    Periodic("release-due", 300, "release_due"),
    Periodic("snapshot-occupancy", 600, "snapshot_occupancy"),
    Periodic("place-waiting", 120, "place_waiting"),
)
