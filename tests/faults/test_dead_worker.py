"""A worker is SIGKILLed while it runs a dispatch job: the request is placed
within 30 s, by another worker or by the restarted one. Real worker processes;
the test holds the request's row so the job is caught mid-dispatch."""

from __future__ import annotations

import signal
import time

import pytest
from rq.registry import StartedJobRegistry
from sqlalchemy import select, update

from coordinator.housing.models import PlacementRequest
from coordinator.queue import connection

GROUP = {"head_count": 2, "contact_phone": "+7 701 000 00 00", "origin": "Almaty"}


@pytest.mark.parametrize("recovery", ["another worker", "the restarted worker"])
def test_a_dispatch_whose_worker_is_killed_is_done_within_30_seconds(
    app, client, make, db_session, workers, wait_for, recovery
):
    make.facility("almaty", beds={"standard": 10})
    hq = make.account("hq")
    placed = client.post("/api/v1/placements", json=GROUP, headers=hq.auth)
    assert placed.status_code == 201
    placement_id = placed.get_json()["id"]

    # Hold the request's row: the dispatch job will wait for it, mid-job.
    db_session.execute(update(PlacementRequest).where(PlacementRequest.id == placement_id).values(priority=2))
    [doomed] = workers(1)
    with app.app_context():
        started = StartedJobRegistry("dispatch", connection=connection())
        assert wait_for(lambda: started.count >= 1, timeout=60), "the dispatch job should be running"
    if recovery == "another worker":
        workers(1)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    killed = time.monotonic()
    db_session.rollback()  # let go of the row
    if recovery == "the restarted worker":
        workers(1)

    def placed_or_waiting() -> bool:
        db_session.expire_all()
        status = db_session.scalar(select(PlacementRequest.status).where(PlacementRequest.id == placement_id))
        return status in ("assigned", "waiting")

    assert wait_for(placed_or_waiting, timeout=45)
    assert time.monotonic() - killed <= 30, f"placed {time.monotonic() - killed:.1f} s after the kill"
