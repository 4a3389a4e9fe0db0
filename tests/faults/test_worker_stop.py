"""A supervisor stops a worker with SIGTERM: an idle worker exits at once,
a busy one finishes the job in hand first. Before, an idle worker's loop
ended as if Redis had gone away and the worker started over, so SIGTERM was
ignored until the supervisor's SIGKILL. Real worker processes."""

from __future__ import annotations

import subprocess

import pytest
from rq import Worker
from sqlalchemy import select

from coordinator.housing.models import PlacementRequest
from coordinator.queue import connection
from tests.faults.test_dead_worker import caught_mid_dispatch


def stops_cleanly(proc: subprocess.Popen) -> int:
    proc.terminate()
    try:
        return proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail("the worker ignored SIGTERM for 20 s")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_idle_worker_stops_on_sigterm(app, workers, wait_for):
    [worker] = workers(1)
    with app.app_context():
        # Idle: past start-up, where RQ installs its signal handlers.
        idle = lambda: [w.state for w in Worker.all(connection=connection())] == ["idle"]  # noqa: E731
        assert wait_for(idle, timeout=60), "the worker should be waiting for work"
    assert stops_cleanly(worker) == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_busy_worker_finishes_its_job_then_stops_on_sigterm(app, client, make, db_session, workers, wait_for):
    placement_id, worker = caught_mid_dispatch(app, client, make, db_session, workers, wait_for)
    worker.terminate()
    db_session.rollback()  # let go of the row: the job goes on
    assert stops_cleanly(worker) == 0
    status = db_session.scalar(select(PlacementRequest.status).where(PlacementRequest.id == placement_id))
    assert status == "assigned", "the job in hand should have been finished before the worker stopped"
