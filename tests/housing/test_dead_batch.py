"""A batch dispatcher that dies holding requests: their own dispatch jobs ran
while the claim held (and left them alone), so something must come back for
them once the claim lapses, or they stay `requested` until the slow sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq.timeouts import JobTimeoutException, UnixSignalDeathPenalty
from sqlalchemy import create_engine, select, text

from coordinator.extensions import db
from coordinator.housing import batch, jobs, surge
from coordinator.housing.models import FacilityBeds, PlacementRequest
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


def _two_facilities(make) -> tuple:
    near = make.facility("almaty", beds={"standard": 2})
    far = make.facility("almaty", beds={"standard": 2}, lat=near.lat + 1.0)
    make.session.commit()
    return near, far


def _batch_thinks(app) -> tuple[list[int], surge.Snapshot, batch.Plan]:
    """A batch claims what is pending and solves: the ids it claimed, its snapshot and plan."""
    with app.app_context():
        token, ids = surge.claim(session=db.session, limit=10, lease=timedelta(minutes=1))
        snap = surge.snapshot(session=db.session, token=token)
        db.session.commit()
        plan = batch.place(snap.groups, snap.options, time_limit=5)
        db.session.remove()
    return ids, snap, plan


def _taken_meanwhile(api, run_jobs, facility) -> None:
    """Another group, placed on its own while the batch thinks, takes the facility's beds."""
    status, other = api("post", "/placements", json=GROUP)
    assert status == 201, other
    run_jobs()
    assert api("get", f"/placements/{other['id']}")[1]["facility_id"] == facility.id


def _batch_applies(app, snap: surge.Snapshot, plan: batch.Plan) -> surge.Outcome:
    with app.app_context():
        outcome = surge.apply(session=db.session, snap=snap, plan=plan)
        db.session.commit()
        db.session.remove()
    return outcome


def test_a_group_whose_beds_went_meanwhile_is_dispatched_again_by_a_job_of_its_own(app, make, api, run_jobs):
    """Between a batch's snapshot and its apply, a single dispatch takes the
    beds the plan chose: the batch never overbooks, and the group it lost is
    dispatched again by a job declared in the batch's own transaction (done
    in the batch's job, a hundred such groups outran its time limit)."""
    near, far = _two_facilities(make)
    status, lost = api("post", "/placements", json=GROUP)
    assert status == 201, lost
    ids, snap, plan = _batch_thinks(app)
    assert ids == [lost["id"]] and snap.options[plan.placed[lost["id"]].option].facility_id == near.id
    _taken_meanwhile(api, run_jobs, near)

    outcome = _batch_applies(app, snap, plan)
    assert (outcome.placed, outcome.lost) == ([], [lost["id"]])
    assert run_jobs() >= 1  # its own dispatch job, queued at the batch's commit
    placed = api("get", f"/placements/{lost['id']}")[1]
    assert (placed["status"], placed["facility_id"]) == ("assigned", far.id)
    facilities = {f["id"]: f for f in api("get", "/facilities")[1]}
    assert facilities[near.id]["free_beds"] == 0 and facilities[far.id]["free_beds"] == 0  # none overbooked


def test_when_one_option_of_a_batch_went_meanwhile_the_others_are_held_once_and_kept(app, make, api, run_jobs):
    """A batch holds all its options with one statement, all or none; when
    one option's beds went meanwhile, none of that statement's holds stay,
    and each option is held on its own: the group bound elsewhere is placed
    there (not refused by its own batch's first, undone hold), the other is
    dispatched again."""
    near, far = _two_facilities(make)
    posted = [api("post", "/placements", json=GROUP)[1]["id"] for _ in range(2)]
    ids, snap, plan = _batch_thinks(app)
    assert ids == posted
    bound_for = {snap.options[plan.placed[i].option].facility_id: i for i in ids}
    assert set(bound_for) == {near.id, far.id}
    _taken_meanwhile(api, run_jobs, near)

    outcome = _batch_applies(app, snap, plan)
    assert (outcome.placed, outcome.lost) == ([bound_for[far.id]], [bound_for[near.id]])
    kept = api("get", f"/placements/{bound_for[far.id]}")[1]
    assert (kept["status"], kept["facility_id"]) == ("assigned", far.id)
    run_jobs()  # the lost group's own dispatch: no bed is left for it
    assert api("get", f"/placements/{bound_for[near.id]}")[1]["status"] == "waiting"
    with app.app_context():
        held = dict(db.session.execute(select(FacilityBeds.facility_id, FacilityBeds.held)).all())
    assert (held[near.id], held[far.id]) == (2, 2)  # one group each: nothing held twice, nothing left held


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_batch_stopped_mid_statement_by_its_time_limit_hands_its_requests_back_at_once(app, make, api, database_url):
    """A job's time limit (RQ's SIGALRM) can stop a batch while a statement is
    on its way; that connection cannot even roll back, and the batch must
    still hand back its requests at once, not when its lease runs out."""
    facility = make.facility("almaty", beds={"standard": 10})
    make.session.commit()
    ids = [api("post", "/placements", json=GROUP)[1]["id"] for _ in range(2)]
    engine = create_engine(database_url)
    try:
        with engine.connect() as other:
            # Another writer holds the beds' row: the batch's hold waits on it.
            other.execute(select(FacilityBeds).where(FacilityBeds.facility_id == facility.id).with_for_update())
            with app.app_context():
                with pytest.raises(JobTimeoutException), UnixSignalDeathPenalty(3, JobTimeoutException):
                    jobs.place_batch()
                db.session.remove()
            with engine.connect() as conn:
                claims = conn.scalars(select(PlacementRequest.claimed_by).where(PlacementRequest.id.in_(ids))).all()
                # The hold cut off half way no longer waits on the server either.
                waiting = conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"))
            assert claims == [None, None] and waiting == 0
            other.rollback()
    finally:
        engine.dispose()
