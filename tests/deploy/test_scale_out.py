"""Scale-out on PostgreSQL, all real processes: nginx (coordinator/demo/proxy.py's
configuration) in front of two `api` and two `realtime` gunicorns, three RQ
workers and Redis.

- A WebSocket through nginx and a socket on each
  realtime process hear the events of requests both api processes served
  and the `placement.assigned` events workers recorded.
- 80 single-person requests for 60 beds, dispatched by three workers: each
  request assigned at most once, 60 placed, 20 waiting, no bed overbooked.
- Halfway, one api process (master and worker) and one worker are SIGKILLed:
  every accepted POST still ends assigned or waiting, and the sockets keep
  hearing about them. The client retries 502/503 (and a key still "being
  processed") with the same Idempotency-Key, as the API asks."""

from __future__ import annotations

import signal
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from coordinator.api.models import IdempotencyRecord
from coordinator.events.models import Event
from coordinator.housing.models import FacilityBeds, PlacementRequest

GROUP = {"contact_phone": "+7 701 555 12 12", "origin": "Almaty", "head_count": 1}
BEDS, FIRST, SECOND = 60, 40, 40
RETRY_FOR = 15.0  # seconds a client keeps retrying one POST


def _post(url: str, auth: dict[str, str]) -> tuple[str, int, dict | None]:
    """One placement POST as a careful client sends it: its own key, retried
    on a lost answer (502), a busy or absent server (503, 504) and a twin
    still in flight (409), for up to RETRY_FOR seconds."""
    key = str(uuid.uuid4())
    headers = {**auth, "Idempotency-Key": key}
    deadline = time.monotonic() + RETRY_FOR
    with requests.Session() as http:
        while True:
            try:
                resp = http.post(url + "/api/v1/placements", json=GROUP, headers=headers, timeout=30)
                status = resp.status_code
            except requests.ConnectionError:
                status = 0  # the connection to nginx broke: same as a lost answer
            if status not in (0, 409, 502, 503, 504) or time.monotonic() > deadline:
                return key, status, resp.json() if status == 201 else None
            time.sleep(0.2)  # a client's back-off, not a test's wait


def _served_posts(server) -> int:
    return server.log.read_text(errors="replace").count("POST /api/v1/placements")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_api_two_realtime_three_workers_behind_nginx(make, hq, db_session, deployment, sockets, wait_for):
    make.facility("almaty", beds={"standard": BEDS})
    site = deployment(api=2, realtime=2, n_workers=3, DISPATCH_JOB_TIMEOUT="3", WORKER_MAINTENANCE_SECONDS="1")
    watchers = {
        "nginx websocket": sockets(site.nginx.url, hq.token, "websocket"),
        **{f"realtime {n}": sockets(s.url, hq.token) for n, s in enumerate(site.realtime)},
    }
    assert wait_for(lambda: all(getattr(w, "welcome", None) for w in watchers.values()), timeout=20)

    def heard(sio, ids: set[int]) -> bool:
        final = {e["subject_id"] for e in sio.received if e["type"] in ("placement.assigned", "placement.waiting")}
        return ids <= final

    # (a) Requests through nginx reach both api processes; every socket hears
    # of each request and of its dispatch by a worker.
    with ThreadPoolExecutor(4) as pool:
        first = list(pool.map(lambda _: _post(site.nginx.url, hq.auth), range(FIRST)))
    assert Counter(status for _, status, _ in first) == {201: FIRST}
    first_ids = {body["id"] for _, _, body in first}
    assert all(_served_posts(api) > 0 for api in site.api), "nginx sent requests to both api processes"

    def report(ids: set[int]) -> dict[str, str]:
        return {
            n: f"{len(ids & {e['subject_id'] for e in w.received})}/{len(ids)} {w.connected}"
            for n, w in watchers.items()
        }

    assert wait_for(lambda: all(heard(w, first_ids) for w in watchers.values()), timeout=30), report(first_ids)
    for name, sio in watchers.items():
        types = {e["type"] for e in sio.received}
        assert {"placement.requested", "placement.assigned"} <= types, name

    # (c) The second half is posted while one api process and one worker die.
    doomed_api, doomed_worker = site.api[0], site.workers[0]
    with ThreadPoolExecutor(4) as pool:
        pending = [pool.submit(_post, site.nginx.url, hq.auth) for _ in range(SECOND)]
        assert wait_for(lambda: sum(f.done() for f in pending) >= SECOND // 4, timeout=30)
        doomed_api.kill()
        doomed_worker.send_signal(signal.SIGKILL)
        doomed_worker.wait()
        second = [f.result() for f in pending]
    accepted = {body["id"] for _, status, body in second if status == 201}
    unanswered = [key for key, status, _ in second if status != 201]
    assert len(accepted) + len(unanswered) == SECOND

    # A POST whose answer died with its process: the key tells whether its
    # change was written (committed); none may be written and then lost.
    db_session.expire_all()
    written_unanswered = db_session.scalar(
        select(func.count()).where(IdempotencyRecord.key.in_(unanswered), IdempotencyRecord.committed.is_(True))
    )

    def all_settled() -> bool:
        db_session.expire_all()
        statuses = db_session.scalars(select(PlacementRequest.status)).all()
        return len(statuses) == FIRST + len(accepted) + written_unanswered and set(statuses) <= {"assigned", "waiting"}

    assert wait_for(all_settled, timeout=45), Counter(db_session.scalars(select(PlacementRequest.status)).all())
    every = set(db_session.scalars(select(PlacementRequest.id)).all())
    assert first_ids | accepted <= every

    # (b) Exactly once: 60 beds held by 60 people, one assignment each, no claim left.
    by_status = dict(
        db_session.execute(
            select(PlacementRequest.status, func.sum(PlacementRequest.head_count)).group_by(PlacementRequest.status)
        ).all()
    )
    assert by_status == {"assigned": BEDS, "waiting": len(every) - BEDS}
    beds = db_session.scalar(select(FacilityBeds))
    assert (beds.held, beds.free) == (BEDS, 0)
    assigned_events = Counter(
        db_session.scalars(select(Event.subject_id).where(Event.type == "placement.assigned")).all()
    )
    assert set(assigned_events.values()) == {1} and len(assigned_events) == BEDS
    assert db_session.scalar(select(func.count()).where(PlacementRequest.claimed_by.is_not(None))) == 0

    # The sockets, on nginx and on each realtime process, heard every outcome.
    assert wait_for(lambda: all(heard(w, every) for w in watchers.values()), timeout=20), report(every)
    assert all(w.connected for w in watchers.values()), report(every)
    assert _served_posts(site.api[1]) > 0
