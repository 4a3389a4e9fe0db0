"""On SQLite, a page or list read while a writer holds the write lock (a
surge of placements, a worker's dispatch) answers at once from its snapshot
instead of queueing behind the writer; a GET that records a view still
writes, after the lock is free."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from coordinator.hotline.models import ReporterView

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _hold_write_lock(database_url: str, release: threading.Event, held: threading.Event, end: str = "ROLLBACK"):
    conn = sqlite3.connect(make_url(database_url).database, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE facilities SET name = name")
    held.set()
    release.wait(30)
    conn.execute(end)
    conn.close()


def test_a_list_read_does_not_wait_for_a_writer(client, make, hq, database_url):
    facility = make.facility("almaty", beds={"standard": 5})
    release, held = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(database_url, release, held))
    holder.start()
    try:
        assert held.wait(10)
        started = time.monotonic()
        listed = client.get("/api/v1/facilities", headers=hq.auth)
        page = client.get(f"/facilities/{facility.id}", headers=hq.auth)
        took = time.monotonic() - started
    finally:
        release.set()
        holder.join()
    assert listed.status_code == 200 and page.status_code == 200
    assert facility.id in [f["id"] for f in listed.get_json()]
    assert took < 2, f"the reads waited {took:.1f} s for the writer"


def test_a_recorded_view_waits_for_the_writer_and_is_recorded(file_report, operator, client, db_session, database_url):
    """The writer commits while the view waits: a read snapshot taken before
    that commit could not write the record (SQLite refuses a stale one)."""
    reported = file_report(employer_name="Aktobe Ferroalloy", reporter_name="Zhanna Secretova", reporter_contact="+7 1")
    release, held = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(database_url, release, held, "COMMIT"))
    holder.start()
    assert held.wait(10)
    threading.Timer(0.5, release.set).start()
    shown = client.get(f"/api/v1/hotline/cases/{reported['case_id']}/reporters", headers=operator.auth)
    holder.join()
    assert shown.status_code == 200, shown.get_data(as_text=True)
    assert [r["name"] for r in shown.get_json()] == ["Zhanna Secretova"]
    views = db_session.scalars(select(ReporterView.user_id).where(ReporterView.case_id == reported["case_id"])).all()
    assert views == [operator.user.id]
