"""Writers in several processes: the SQLite writer lock that hands over
at once (`coordinator.database.WriterLock`), a worker's events numbered on
a thread of their own on PostgreSQL (`coordinator.events.relay`, `_NUMBERING`),
and a worker that keeps its start-up out of the collector's way."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from unittest.mock import ANY

import pytest
from sqlalchemy import event, func, select

from coordinator.events.models import Event
from tests.servers import ROOT

GROUP = {"contact_phone": "+7 701 555 12 12", "origin": "Almaty", "head_count": 2}

# A worker's transaction (no request: it may write), left open until killed.
HOLDER = """
import time
from coordinator import create_app
from coordinator.extensions import db
app = create_app()
with app.app_context():
    db.session.execute(db.text("SELECT 1"))
    print("holding", flush=True)
    time.sleep(600)
"""

# A worker as `flask worker --burst` starts it, on an empty queue.
WORKER_START = """
import gc, json
from coordinator import create_app
from workers.runner import run_worker
run_worker(create_app(), burst=True)
print(json.dumps({"frozen": gc.get_freeze_count()}))
"""


def _env(config) -> dict[str, str]:
    return {
        **os.environ,
        "BIRLIK_ENV": "test",
        "BIRLIK_DATABASE_URL": config["DATABASE_URL"],
        "BIRLIK_VAR_DIR": config["VAR_DIR"],
        "BIRLIK_REDIS_URL": config["REDIS_URL"],
        "BIRLIK_SECRET_KEY": "x",
    }


def _sqlite_only(config) -> str:
    if not config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    return config["DATABASE_URL"].removeprefix("sqlite:///")


def test_a_writer_killed_while_it_holds_the_write_lock_stops_no_one(config, api, make):
    path = _sqlite_only(config)
    make.facility("almaty", beds={"standard": 10})
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER], cwd=ROOT, env=_env(config), stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            probe.execute("BEGIN IMMEDIATE")  # it does hold SQLite's write lock (and so Birlik's)
        probe.close()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # The kernel let go of the dead process's locks: the next writer goes on.
    status, created = api("post", "/placements", json=GROUP)
    assert status == 201, created
    assert api("get", f"/placements/{created['id']}")[1]["status"] == "requested"


def test_workers_leave_every_event_numbered_in_commit_order(config, api, make, burst_workers, db_session):
    if not config["DATABASE_URL"].startswith("postgresql"):
        pytest.skip("numbering after commit is PostgreSQL's")
    make.facility("almaty", beds={"standard": 40})
    ids = []
    for _ in range(12):
        status, created = api("post", "/placements", json=GROUP)
        assert status == 201, created
        ids.append(created["id"])
    status, before = api("get", "/events")
    assert status == 200, before
    cursor = before["events"][-1]["id"]

    burst_workers(2)  # each numbers on its own thread, and all of it before it exits

    assert db_session.scalar(select(func.count(Event.id)).where(Event.seq.is_(None))) == 0
    count, distinct, low, high = db_session.execute(
        select(func.count(Event.id), func.count(Event.seq.distinct()), func.min(Event.seq), func.max(Event.seq))
    ).one()
    assert count == distinct == high - low + 1  # no gap, no repeat
    status, after = api("get", f"/events?after={cursor}")
    assert status == 200, after
    assigned = {e["subject_id"] for e in after["events"] if e["type"] == "placement.assigned"}
    assert assigned == set(ids)


def test_a_worker_keeps_what_it_loaded_out_of_every_full_collection(config):
    out = subprocess.run(
        [sys.executable, "-c", WORKER_START],
        cwd=ROOT,
        env=_env(config),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1])["frozen"] > 10_000  # the app, the gazetteer


def test_a_dispatch_that_has_nothing_to_write_takes_no_write_lock(config, app, api, make, run_jobs):
    """A surge's dispatch jobs mostly find their request placed already, or
    left to the gathered batch: they read, and must not queue with the
    POSTs for SQLite's write lock."""
    _sqlite_only(config)
    from coordinator.housing.jobs import GATHER_KEY, dispatch_placement
    from coordinator.queue import connection

    make.facility("almaty", beds={"standard": 10})
    placed = api("post", "/placements", json=GROUP)[1]["id"]
    run_jobs()
    assert api("get", f"/placements/{placed}")[1]["status"] == "assigned"
    # A surge under way (all three requests came within the window), its batch coming.
    app.config.update(GATHER_RATE=0.05, GATHER_WINDOW_SECONDS=60.0)  # 3 in the last minute
    surge = [api("post", "/placements", json=GROUP)[1]["id"] for _ in range(2)]
    with app.app_context():
        connection().set(GATHER_KEY, 1, px=60_000)

    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER], cwd=ROOT, env=_env(config), stdout=subprocess.PIPE, text=True
    )
    results: dict[int, str | None] = {}

    def dispatch_all() -> None:
        with app.app_context():
            for placement_id in (placed, surge[-1]):
                results[placement_id] = dispatch_placement(placement_id)

    looker = threading.Thread(target=dispatch_all, daemon=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        looker.start()
        looker.join(timeout=20)  # with the lock taken, it would wait until the holder dies
        assert not looker.is_alive(), "a dispatch with nothing to write waited for the write lock"
        assert results == {placed: "assigned", surge[-1]: "gathering"}
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        looker.join(timeout=30)


def _creations(make):
    """What each creating request posts, who posts it, and the tables it writes."""
    make.facility("almaty", beds={"standard": 10})
    org = make.organization("almaty", tier=1)
    mask = make.stock(make.warehouse("almaty"), "Medical mask", on_hand=100)
    report = {"channel": "phone", "category": "no_ppe", "description": "No masks on the line", "settlement": "Almaty"}
    return {
        "placement": ("/placements", None, {**GROUP, "priority": 2}, ("placement_requests",)),
        "hotline report": ("/hotline/reports", make.account("hotline_operator"), report, ("cases", "reports")),
        "supply request": (
            "/supply-requests",
            make.account("requester", organization_id=org.id),
            {"lines": [{"item_id": mask.id, "quantity": 10}]},
            ("supply_requests", "supply_request_lines", "organizations", "items"),
        ),
    }


@pytest.mark.parametrize("what", ["placement", "hotline report", "supply request"])
def test_a_new_request_is_answered_without_reading_back_what_it_wrote(app, api, make, what):
    """Its answer shows what it wrote, as its transaction left it. Reading
    that back after the commit would take a second transaction, on SQLite a
    second wait for the write lock, behind the dispatch the first one queued."""
    from coordinator.extensions import db

    path, account, body, tables = _creations(make)[what]
    mine = threading.get_ident()  # the test client serves the request on this thread
    statements: list[str] = []

    def executed(_conn, _cursor, statement, *_args) -> None:
        if threading.get_ident() == mine:
            statements.append(" ".join(statement.split()).lower())

    def committed(_conn) -> None:
        if threading.get_ident() == mine:
            statements.append("commit")

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", executed)
    event.listen(engine, "commit", committed)
    try:
        status, created = api("post", path, account, json=body)
    finally:
        event.remove(engine, "before_cursor_execute", executed)
        event.remove(engine, "commit", committed)
    assert status == 201, created
    assert f"insert into {tables[0]}" in " ".join(statements)
    after = statements[statements.index("commit") + 1 :]
    # After the commit only the events' numbering and publishing (PostgreSQL) may go on.
    assert not [s for s in after if any(f" {table} " in f" {s} " for table in tables)]
    if what == "placement":
        assert created["status"] == "requested" and created["priority"] == 2 and created["head_count"] == 2
        assert created["region_id"] is not None and created["created_at"]
        assert api("get", f"/placements/{created['id']}")[1] == {**created, "timeline": ANY}
    elif what == "hotline report":
        assert created["number"].startswith("C-") and created["lookup_code"] and created["region_id"] is not None
    else:
        assert created["organization"] and created["lines"][0]["requested"] == 10 and created["lines"][0]["item"]
