"""Must-show 2: 300 groups race for 100 beds on PostgreSQL, dispatched in
batches by three worker processes at once: exactly 100 placed, none overbooked."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from coordinator.housing.models import FacilityBeds, PlacementRequest
from tests.servers import ROOT

GROUP = {"contact_phone": "+7 701 555 12 12", "origin": "Almaty", "head_count": 1}


def _workers(config, n: int, **settings: str) -> None:
    """n `flask worker --burst` processes at once, with extra settings; each must end well."""
    env = {
        **os.environ,
        "BIRLIK_ENV": "test",
        "BIRLIK_DATABASE_URL": config["DATABASE_URL"],
        "BIRLIK_VAR_DIR": config["VAR_DIR"],  # its metrics files too, not the repository's var/
        "BIRLIK_REDIS_URL": config["REDIS_URL"],
        "BIRLIK_SECRET_KEY": "x",
        **{f"BIRLIK_{k}": v for k, v in settings.items()},
    }
    cmd = [sys.executable, "-m", "flask", "--app", "coordinator", "worker", "--burst"]
    procs = [
        subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for _ in range(n)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-3000:]
        assert "Traceback" not in err, err[-3000:]  # a failed job would leave its batch to the sweep


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_three_workers_placing_in_batches_never_overbook(app, config, make, hq, db_session):
    make.facility("almaty", beds={"standard": 100})

    def post(_):
        return app.test_client().post("/api/v1/placements", json=GROUP, headers=hq.auth).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(post, range(300))) == {201}

    # Small batches, so the three workers' batches overlap and race for the
    # same beds; no gathering (one batch, and burst workers would leave it).
    _workers(config, 3, BATCH_MAX_GROUPS="40", GATHER_RATE="0")

    db_session.expire_all()
    by_status = dict(
        db_session.execute(
            select(PlacementRequest.status, func.sum(PlacementRequest.head_count)).group_by(PlacementRequest.status)
        ).all()
    )
    beds = db_session.scalar(select(FacilityBeds))
    assert by_status == {"assigned": 100, "waiting": 200}
    assert (beds.held, beds.free) == (100, 0)
    requests = db_session.scalars(select(PlacementRequest)).all()
    assert not [p.id for p in requests if p.claimed_by is not None], "every claim is released"
    batches = {p.decision["batch"]["id"] for p in requests if p.decision and "batch" in p.decision}
    assert len(batches) >= 3, "the requests were placed in several batches"
