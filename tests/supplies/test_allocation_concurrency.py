"""Two worker processes allocate the same items at the same moment: between
them they never hold more than is available, and the shares are what one
run alone would give (SQLite and PostgreSQL)."""

import os
import subprocess
import sys
from collections import defaultdict

from rq import Queue
from rq.registry import StartedJobRegistry
from sqlalchemy import create_engine, func, select, text, update

from coordinator.extensions import db
from coordinator.supplies import ledger
from coordinator.supplies.models import Allocation, Item, StockBalance, SupplyRequestLine
from tests.servers import ROOT


def start_burst_workers(config, n: int) -> list[subprocess.Popen]:
    """`flask --app coordinator worker --burst` in n processes, not waited for."""
    env = {
        **os.environ,
        "BIRLIK_ENV": "test",
        "BIRLIK_DATABASE_URL": config["DATABASE_URL"],
        "BIRLIK_VAR_DIR": config["VAR_DIR"],  # its metrics files too, not the repository's var/
        "BIRLIK_REDIS_URL": config["REDIS_URL"],
        "BIRLIK_SECRET_KEY": "x",
    }
    command = [sys.executable, "-m", "flask", "--app", "coordinator", "worker", "--burst"]
    return [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for _ in range(n)
    ]


def lock_waiters(database_url: str) -> int:
    """PostgreSQL backends of this database waiting for a row lock (read
    outside the test's transaction: activity is a snapshot per transaction)."""
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            return conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
    finally:
        engine.dispose()


def test_two_workers_allocating_at_once_never_hold_more_than_is_available(app, api, make, db_session, config, wait_for):
    north, south = make.warehouse("astana"), make.warehouse("almaty")
    masks = make.stock(north, "Medical mask", on_hand=100)
    make.stock(south, "Medical mask", on_hand=50)
    gloves = make.stock(south, "Nitrile gloves", on_hand=30)
    for n in range(30):
        org = make.organization("almaty" if n % 2 else "astana", tier=1)
        body = {
            "organization_id": org.id,
            "lines": [{"item_id": masks.id, "quantity": 10}, {"item_id": gloves.id, "quantity": 3}],
        }
        status, created = api("post", "/supply-requests", json=body)
        assert status == 201, created  # each request queues an allocation of both items

    # Hold the masks' row, as a running allocation would: both workers start
    # a job and wait at the same door; then the door opens for both at once.
    db_session.execute(update(Item).where(Item.id == masks.id).values(name=Item.name))
    workers = start_burst_workers(config, 2)
    started = StartedJobRegistry("dispatch", connection=app.extensions["birlik_redis"])
    try:
        assert wait_for(lambda: started.count == 2, timeout=120), "both workers should be inside a job"
        if config["DATABASE_URL"].startswith("postgresql"):
            assert wait_for(lambda: lock_waiters(config["DATABASE_URL"]) == 2, timeout=120)
    finally:
        db_session.rollback()
    for proc in workers:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-3000:]

    queue = Queue("dispatch", connection=app.extensions["birlik_redis"])
    assert queue.failed_job_registry.count == 0
    finished = [queue.fetch_job(job_id) for job_id in queue.finished_job_registry.get_job_ids()]
    assert len({job.worker_name for job in finished if job is not None}) == 2, "both workers should have allocated"

    # The ledger is exact and nothing is held beyond what is on hand.
    with app.app_context():
        assert ledger.verify(session=db.session) == []
    db_session.expire_all()
    held: dict[int, int] = defaultdict(int)
    for balance in db_session.scalars(select(StockBalance)):
        assert 0 <= balance.held <= balance.on_hand
        held[balance.item_id] += balance.held
    assert held == {masks.id: 150, gloves.id: 30}

    # Allocations, lines and the ledger tell the same story.
    allocated = dict(
        db_session.execute(
            select(Allocation.item_id, func.sum(Allocation.quantity))
            .where(Allocation.status == "held")
            .group_by(Allocation.item_id)
        ).all()
    )
    assert allocated == held
    shares = defaultdict(list)
    for line in db_session.scalars(select(SupplyRequestLine)):
        shares[line.item_id].append(line.quantity_allocated)
    # 150 masks for 30 lines of 10, 30 pairs of gloves for 30 lines of 3: the
    # max-min shares of one run, not two runs' worth.
    assert sorted(set(shares[masks.id])) == [5] and sorted(set(shares[gloves.id])) == [1]
