"""Gathering: requests that come in at a surge's pace are not placed one by
one as they arrive (early groups would take the beds nearest to later ones)
but together, once arrivals pause; one in a quiet moment is placed at once."""

from __future__ import annotations

import signal
from collections import Counter

import pytest
from rq.job import Job
from rq.registry import StartedJobRegistry
from sqlalchemy import func, select, update

from coordinator.extensions import db
from coordinator.housing.jobs import GATHER_KEY
from coordinator.housing.models import FacilityBeds, PlacementRequest
from coordinator.queue import connection, get_queue, relay
from tests.housing.test_batch import GROUPS, _real_nearest_first, _real_optimum, post_the_line

# A surge here: the 6th newest request came in less than 6 s ago.
SURGE = {"GATHER_RATE": 1.0, "GATHER_WINDOW_SECONDS": 6.0, "GATHER_PAUSE_SECONDS": 0.3}
LONE = {"contact_phone": "+7 701 555 12 12", "origin_lat": 48.0, "origin_lon": 66.0, "head_count": 1}


@pytest.fixture
def config(config):
    return {**config, **SURGE}


def _statuses(api, ids) -> list[str]:
    return [api("get", f"/placements/{i}")[1]["status"] for i in ids]


def _worked(app, run_jobs) -> None:
    """What a worker does: queue the outbox rows that are due (a delayed
    follow-up is only queued so), run what is queued."""
    with app.app_context():
        relay.sweep(session=db.session)
        db.session.commit()
        db.session.remove()
    run_jobs()


def test_a_surge_waits_for_its_batch_and_is_placed_at_the_optimum(app, api, run_jobs, wait_for):
    ids = post_the_line(api)
    run_jobs()  # each request's own dispatch: six came in within six seconds, a surge
    assert _statuses(api, ids) == ["requested"] * len(GROUPS)

    def placed() -> bool:
        _worked(app, run_jobs)
        return _statuses(api, ids) == ["assigned"] * len(GROUPS)

    assert wait_for(placed, timeout=30)  # once none came in for the pause
    decisions = [api("get", f"/placements/{i}")[1]["decision"] for i in ids]
    assert len({d["batch"]["id"] for d in decisions}) == 1  # one batch, all six
    assert all(d["batch"]["groups"] == len(GROUPS) for d in decisions)
    people = [g[0] for g in GROUPS]
    total = sum(n * d["distance_km"] for n, d in zip(people, decisions, strict=True))
    assert total == pytest.approx(_real_optimum(), abs=0.05 * sum(people))  # distances are stored to 0.1 km
    assert total < _real_nearest_first() - 50  # what placing them as they came would have cost


def _late_request(app, api, run_jobs) -> list[int]:
    """The line posted and its own dispatches run (a surge: a batch is coming),
    then one more request; returns all their ids."""
    ids = post_the_line(api)
    run_jobs()  # the line's own dispatches: a surge, a batch coming
    with app.app_context():
        assert connection().exists(GATHER_KEY)
        dispatch_queue = get_queue("dispatch")
        assert dispatch_queue.count == 0
    status, late = api("post", "/placements", json=LONE)
    assert status == 201
    with app.app_context():
        assert dispatch_queue.count == 0, "a dispatch job was queued for a request the coming batch places"
    return [*ids, late["id"]]


def _batches(app, api, run_jobs, wait_for, ids) -> list[str]:
    def decided() -> bool:
        _worked(app, run_jobs)
        return "requested" not in _statuses(api, ids)

    assert wait_for(decided, timeout=30)
    return [api("get", f"/placements/{i}")[1]["decision"]["batch"]["id"] for i in ids]


def test_a_request_posted_while_a_batch_is_coming_queues_no_dispatch_of_its_own_and_the_batch_places_it(
    app, api, run_jobs, wait_for
):
    """In a surge each request's own dispatch would only look and leave it to
    the batch: once a batch is coming, a new request queues none, and the
    batch decides it with the rest."""
    ids = _late_request(app, api, run_jobs)
    batches = _batches(app, api, run_jobs, wait_for, ids)
    assert len(set(batches)) == 1, batches  # the late one in the same batch as the line


def test_what_a_gathered_batch_leaves_after_three_rounds_is_placed_by_another(app, api, run_jobs, wait_for):
    """Two requests a round: the batch job's three rounds take six of the
    seven, and no dispatch of its own was queued for the seventh."""
    app.config["GATHER_MAX_GROUPS"] = 2
    ids = _late_request(app, api, run_jobs)
    batches = _batches(app, api, run_jobs, wait_for, ids)
    assert len(set(batches)) == 4, batches


def test_gathered_requests_are_placed_once_arrivals_slow_below_the_rate_even_without_a_pause(app, api, run_jobs):
    # As in production (30 a second, a pause of 0.5 s), a stream below the
    # rate can still bring each request within the pause of the last one.
    app.config["GATHER_PAUSE_SECONDS"] = 3.0
    ids = post_the_line(api)
    run_jobs()
    assert _statuses(api, ids) == ["requested"] * len(GROUPS)  # six within six seconds: gathered
    for step in range(1, 5):  # then one every two seconds: half the rate, never a 3 s pause
        app.config["CLOCK_OFFSET_SECONDS"] = 2.0 * step
        assert api("post", "/placements", json=LONE)[0] == 201
        _worked(app, run_jobs)
    # Placed (or waiting with a reason) once the stream fell below the rate;
    # before, they stayed "requested" until GATHER_MAX_SECONDS (90 s).
    assert "requested" not in _statuses(api, ids)


def test_a_surge_younger_than_three_windows_keeps_gathering_while_requests_still_come_fast(app, api, run_jobs):
    # The batch looks again (after the pause) while the surge is three seconds
    # old: too young to keep the rate up over three windows, but the last
    # window is a surge's, so it waits for the rest of it.
    app.config["GATHER_PAUSE_SECONDS"] = 3.0
    ids = post_the_line(api)
    run_jobs()
    app.config["CLOCK_OFFSET_SECONDS"] = 3.5
    assert api("post", "/placements", json=LONE)[0] == 201
    _worked(app, run_jobs)  # the batch's look is due: seven within six seconds
    assert _statuses(api, ids) == ["requested"] * len(GROUPS)


def test_a_requests_dispatch_leaves_it_to_the_batch_while_three_windows_keep_the_rate_up(app, api, run_jobs):
    # On a loaded machine a request is seen only once committed, well after
    # its created_at, so the last window may hold fewer than the rate's worth
    # mid-surge. A dispatch that then placed the backlog on its own split a
    # scale-out surge into 19 batches (1.09x the bound); it gathers instead.
    app.config["GATHER_PAUSE_SECONDS"] = 3.0
    ids = post_the_line(api)
    ids += [api("post", "/placements", json=LONE)[1]["id"] for _ in range(14)]  # 20: a backlog's worth
    run_jobs()
    assert _statuses(api, ids) == ["requested"] * len(ids)
    app.config["CLOCK_OFFSET_SECONDS"] = 7.0  # none in the last window (6 s), 21 in the last three
    status, late = api("post", "/placements", json=LONE)
    assert status == 201, late
    run_jobs()  # its dispatch only: the batch's look is not due yet
    assert _statuses(api, [*ids, late["id"]]) == ["requested"] * (len(ids) + 1)


def test_a_request_in_a_quiet_moment_is_placed_at_once_on_its_own(app, api, run_jobs, wait_for):
    ids = post_the_line(api)
    run_jobs()
    assert _statuses(api, ids) == ["requested"] * len(GROUPS)  # a surge, gathering

    # A minute later: the surge is long over, its batch is placed, and a
    # request now comes in alone.
    app.config["CLOCK_OFFSET_SECONDS"] = 60
    _worked(app, run_jobs)
    assert _statuses(api, ids) == ["assigned"] * len(GROUPS)  # the line's beds are full now
    more = {"name": "Sanatorium E", "lat": 48.0, "lon": 66.1, "beds": {"standard": {"total": 2}}}
    assert api("post", "/facilities", json=more)[0] == 201
    status, lone = api("post", "/placements", json=LONE)
    assert status == 201, lone
    run_jobs()  # its dispatch alone, at once: no pause waited for
    placed = api("get", f"/placements/{lone['id']}")[1]
    assert placed["status"] == "assigned"
    assert "batch" not in placed["decision"]


def _placements(app, hq):
    """Post a request (its id), and the decisions on requests once all are assigned (else None)."""
    client = app.test_client()

    def post(body) -> int:
        resp = client.post("/api/v1/placements", json=body, headers=hq.auth)
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()["id"]

    def decisions(ids) -> list[dict] | None:
        got = [client.get(f"/api/v1/placements/{i}", headers=hq.auth).get_json() for i in ids]
        return [p["decision"] for p in got] if all(p["status"] == "assigned" for p in got) else None

    return post, decisions


def test_workers_gather_a_surge_posted_while_they_run(app, make, hq, workers, wait_for):
    for lon in (76.0, 76.5, 77.0, 77.5):
        make.facility("almaty", beds={"standard": 60}, lat=43.2, lon=lon)
    # A pause of 3 s: a slow moment of this machine between two POSTs must not end the surge.
    workers(2, GATHER_RATE="2", GATHER_WINDOW_SECONDS="5", GATHER_PAUSE_SECONDS="3")
    post, decisions = _placements(app, hq)

    # One request alone: placed at once, and the workers are up.
    first = post({**LONE, "origin_lat": 43.3, "origin_lon": 76.9})
    assert wait_for(lambda: decisions([first]), timeout=60)
    assert "batch" not in decisions([first])[0]

    # Fifty, one after another as fast as the API answers: a surge.
    ids = [post({**LONE, "origin_lat": 43.0 + i % 5 * 0.1, "origin_lon": 76.0 + i % 7 * 0.2}) for i in range(50)]
    assert wait_for(lambda: decisions(ids), timeout=90)
    batches = Counter((d.get("batch") or {}).get("id") for d in decisions(ids))
    # The first few are placed as they come, until the pace tells it is a
    # surge (the 10th newest less than 5 s old); the rest wait for one batch.
    biggest, size = batches.most_common(1)[0]
    assert biggest is not None and size >= 35, batches


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_gathered_batch_whose_worker_is_killed_holding_its_claim_is_placed_once(
    app, make, hq, db_session, workers, wait_for
):
    """The worker dies after it claimed the gathered requests and before its
    batch committed: another worker places them all once the claim lapses
    (twice BATCH_JOB_TIMEOUT), each once, no bed counted twice."""
    for lon in (76.0, 77.0):
        make.facility("almaty", beds={"standard": 40}, lat=43.2, lon=lon)
    settings = {
        "GATHER_RATE": "2",
        "GATHER_WINDOW_SECONDS": "5",
        "GATHER_PAUSE_SECONDS": "4",  # time for the test to hold the beds before the batch runs
        "BATCH_JOB_TIMEOUT": "5",  # the claim's lease: 10 s
    }
    [doomed] = workers(1, **settings)
    post, decisions = _placements(app, hq)
    first = post({**LONE, "origin_lat": 43.3, "origin_lon": 76.9})
    assert wait_for(lambda: decisions([first]), timeout=60), "the worker should be up"

    ids = [post({**LONE, "origin_lat": 43.0 + i % 5 * 0.1, "origin_lon": 76.0 + i % 7 * 0.2}) for i in range(30)]
    with app.app_context():
        queue, started = get_queue("dispatch"), StartedJobRegistry("dispatch", connection=connection())

        def gathering() -> bool:  # the requests' own dispatches are done, and left the rest to a batch
            return queue.count == 0 and started.count == 0 and bool(connection().exists(GATHER_KEY))

        assert wait_for(gathering, timeout=30)
        # Hold every bed row: the batch claims its requests, solves, and
        # waits here for its holds, mid-transaction.
        db_session.execute(update(FacilityBeds).values(held=FacilityBeds.held))
        pending = select(func.count()).where(PlacementRequest.id.in_(ids), PlacementRequest.status == "requested")
        assert db_session.scalar(pending) > 0, "the batch ran before the test held the beds"
        claimed = pending.where(PlacementRequest.claimed_by.is_not(None))
        assert wait_for(lambda: db_session.scalar(claimed) > 0, timeout=30), "the batch should claim its requests"
        running = [Job.fetch(j, connection=connection()).func_name for j in started.get_job_ids()]
        assert running == ["coordinator.housing.jobs.place_gathered"], running
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    db_session.rollback()  # let go of the beds
    held_by_the_dead = db_session.scalar(claimed)
    assert held_by_the_dead > 0

    workers(1, **settings)
    assert wait_for(lambda: decisions(ids), timeout=90)
    db_session.expire_all()
    held = db_session.scalar(select(func.sum(FacilityBeds.held)))
    assert held == len(ids) + 1, "each request holds one bed, once"
    assert Counter((d.get("batch") or {}).get("id") for d in decisions(ids)).most_common(1)[0][0] is not None
