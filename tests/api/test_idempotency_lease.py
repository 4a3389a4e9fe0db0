"""An Idempotency-Key whose process died before answering is not stuck
"still being processed" for good: once its lease has run, a retry with the
same key carries the request out, exactly once, even when the first run was
only slow and commits late.

Both tests hold the first run inside its transaction on PostgreSQL: the test
locks the HQ's row, and the status report the request inserts must wait for
that lock (its foreign key), after the key was claimed and committed."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import create_engine, func, select, text

from coordinator.api.models import IdempotencyRecord
from coordinator.common.clock import now
from coordinator.headquarters.models import HQStatusReport

BODY = json.dumps({"staff_on_duty": 4, "open_cases": 2, "needs": "masks"})
KEY = "report-after-a-crash"
LEASE = 1  # seconds, for the app that serves the retries


@pytest.fixture
def hq_row_locked(database_url):
    """lock(hq_id) holds the HQ's row FOR UPDATE in a connection of its own
    until release() (or the test's end)."""
    engine = create_engine(database_url)
    conn = engine.connect()

    class Lock:
        def lock(self, hq_id: int) -> None:
            conn.execute(text("SELECT id FROM headquarters WHERE id = :id FOR UPDATE"), {"id": hq_id})

        def release(self) -> None:
            conn.rollback()

    yield Lock()
    conn.rollback()
    conn.close()
    engine.dispose()


def _record(db_session) -> IdempotencyRecord | None:
    db_session.expire_all()
    return db_session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.key == KEY))


def _lapsed(db_session) -> bool:
    record = _record(db_session)
    return record is not None and (now() - record.created_at).total_seconds() > LEASE + 0.5


def _reports(db_session) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count(HQStatusReport.id)))


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_key_whose_process_was_killed_is_carried_out_by_the_retry(
    app, client, make, db_session, live_server, hq_row_locked, wait_for
):
    acc, hq = make.account("hq"), make.hq()
    headers = {**acc.auth, "Idempotency-Key": KEY, "Content-Type": "application/json"}
    url = f"/api/v1/hqs/{hq.id}/status-reports"
    hq_row_locked.lock(hq.id)
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(requests.post, live_server.url + url, data=BODY, headers=headers, timeout=30)
        try:
            assert wait_for(lambda: _record(db_session) is not None, timeout=20)
        finally:
            live_server.kill()  # mid-request, the key claimed and committed, the report not
        with pytest.raises(requests.ConnectionError):
            first.result()
    hq_row_locked.release()

    app.config["IDEMPOTENCY_LEASE_SECONDS"] = LEASE
    assert wait_for(lambda: _lapsed(db_session), timeout=10)
    retry = client.post(url, data=BODY, headers=headers)
    assert retry.status_code == 201, retry.get_json()
    again = client.post(url, data=BODY, headers=headers)
    assert (again.status_code, again.get_json()) == (201, retry.get_json())
    assert again.headers["Idempotent-Replay"] == "true"
    assert _reports(db_session) == 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_slow_first_run_that_commits_after_the_takeover_is_refused(app, make, db_session, hq_row_locked, wait_for):
    acc, hq = make.account("hq"), make.hq()
    headers = {**acc.auth, "Idempotency-Key": KEY, "Content-Type": "application/json"}
    url = f"/api/v1/hqs/{hq.id}/status-reports"
    app.config["IDEMPOTENCY_LEASE_SECONDS"] = LEASE
    hq_row_locked.lock(hq.id)
    with ThreadPoolExecutor(2) as pool:
        try:
            slow = pool.submit(app.test_client().post, url, data=BODY, headers=headers)
            assert wait_for(lambda: _record(db_session) is not None, timeout=20)
            assert wait_for(lambda: _lapsed(db_session), timeout=10)
            retry = pool.submit(app.test_client().post, url, data=BODY, headers=headers)
            assert wait_for(lambda: _record(db_session).attempt == 2, timeout=20)
        finally:
            hq_row_locked.release()  # both runs go on; the first commits first
        slow, retry = slow.result(), retry.result()
    assert (slow.status_code, retry.status_code) == (409, 201), (slow.get_json(), retry.get_json())
    assert _reports(db_session) == 1
    again = app.test_client().post(url, data=BODY, headers=headers)
    assert (again.status_code, again.get_json()) == (201, retry.get_json())
