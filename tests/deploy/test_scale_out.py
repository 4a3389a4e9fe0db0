"""Scale-out on PostgreSQL, all real processes: nginx (coordinator/demo/proxy.py's
configuration) in front of two `api` and two `realtime` gunicorns, three RQ
workers and Redis.

- Sockets through nginx (a WebSocket, and long-polling as a browser may fall
  back to) and one on each realtime process hear, in order (event ids
  increasing, none twice), the events of requests both api processes served
  and the `placement.assigned` events workers recorded.
- A socket that disconnects, misses events and reconnects through nginx with
  its last event id gets exactly the missed ones, in order.
- 80 single-person requests for 60 beds, dispatched by three workers: each
  request assigned once, 60 placed, 20 waiting, no bed overbooked.
- Halfway, one api process (master and worker), one realtime process and one
  worker are SIGKILLed: every accepted POST still ends assigned or waiting,
  a POST cut off by the kill is carried out once by the client's retry with
  its Idempotency-Key, and the sockets that were on the dead realtime
  process reconnect through nginx and replay what they missed."""

from __future__ import annotations

import signal
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import socketio
from sqlalchemy import func, select

from coordinator.api.models import IdempotencyRecord
from coordinator.events.models import Event
from coordinator.housing.models import FacilityBeds, PlacementRequest

GROUP = {"contact_phone": "+7 701 555 12 12", "origin": "Almaty", "head_count": 1}
BEDS, FIRST, MISSED, SECOND = 60, 35, 5, 40
RETRY_FOR = 30.0  # seconds a client keeps retrying one POST (the api's key lease is 3 s)
FINAL = ("placement.assigned", "placement.waiting")
LOST_ANSWER = "first answer was lost"


def _post(url: str, auth: dict[str, str]) -> tuple[str, int, dict | None]:
    """One placement POST as a careful client sends it: its own key, retried
    on a lost answer (502), a busy or absent server (503, 504) and a twin
    still in flight (409), for up to RETRY_FOR seconds. A 409 saying the
    first answer was lost is final (the request was carried out)."""
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
            final = status == 409 and LOST_ANSWER in resp.text
            if final or status not in (0, 409, 502, 503, 504) or time.monotonic() > deadline:
                return key, status, resp.json() if status == 201 else None
            time.sleep(0.2)  # a client's back-off, not a test's wait


def _post_many(url: str, auth: dict[str, str], n: int) -> list[tuple[str, int, dict | None]]:
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda _: _post(url, auth), range(n)))


def _served_posts(server) -> int:
    return server.log.read_text(errors="replace").count("POST /api/v1/placements")


def _ids(sio: socketio.Client) -> list[int]:
    return [e["id"] for e in sio.received]


def _in_order(sio: socketio.Client) -> bool:
    ids = _ids(sio)
    return all(a < b for a, b in zip(ids, ids[1:], strict=False))


def _heard(sio: socketio.Client, request_ids: set[int]) -> bool:
    return request_ids <= {e["subject_id"] for e in sio.received if e["type"] in FINAL}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_api_two_realtime_three_workers_behind_nginx(make, hq, db_session, deployment, sockets, wait_for):
    make.facility("almaty", beds={"standard": BEDS})
    site = deployment(api=2, realtime=2, n_workers=3, DISPATCH_JOB_TIMEOUT="3", WORKER_MAINTENANCE_SECONDS="1")
    watchers = {
        "nginx websocket": sockets(site.nginx.url, hq.token, ("websocket",)),
        "nginx polling": sockets(site.nginx.url, hq.token, ("polling",)),
        **{f"realtime {n}": sockets(s.url, hq.token) for n, s in enumerate(site.realtime)},
    }
    resumer = sockets(site.nginx.url, hq.token, ("polling", "websocket"))  # a browser's way: poll, then upgrade
    assert wait_for(lambda: all(getattr(w, "welcome", None) for w in [*watchers.values(), resumer]), timeout=20)

    def report(ids: set[int], everyone: dict | None = None) -> dict[str, str]:
        everyone = everyone or {**watchers, "resumer": resumer}
        return {
            n: f"{len(ids & {e['subject_id'] for e in w.received})}/{len(ids)} connected={w.connected} "
            f"in order={_in_order(w)}"
            for n, w in everyone.items()
        }

    # (a) Requests through nginx reach both api processes; every socket hears,
    # in order, of each request and of its dispatch by a worker.
    first = _post_many(site.nginx.url, hq.auth, FIRST)
    assert Counter(status for _, status, _ in first) == {201: FIRST}
    first_ids = {body["id"] for _, _, body in first}
    assert all(_served_posts(api) > 0 for api in site.api), "nginx sent requests to both api processes"
    everyone = [*watchers.values(), resumer]
    assert wait_for(lambda: all(_heard(w, first_ids) for w in everyone), timeout=60), report(first_ids)
    for name, sio in {**watchers, "resumer": resumer}.items():
        assert {"placement.requested", "placement.assigned"} <= {e["type"] for e in sio.received}, name
        assert _in_order(sio), (name, _ids(sio))

    # (r) The resumer leaves, events happen without it, and it comes back
    # through nginx with its last event id: exactly the missed ones, in order.
    last = max(_ids(resumer))
    resumer.disconnect()
    missed = _post_many(site.nginx.url, hq.auth, MISSED)
    missed_ids = {body["id"] for _, _, body in missed}
    watcher = watchers["nginx websocket"]
    assert wait_for(lambda: _heard(watcher, missed_ids), timeout=30), report(missed_ids)
    back = sockets(site.nginx.url, hq.token, ("polling", "websocket"), last_event_id=last)
    assert wait_for(lambda: getattr(back, "welcome", None), timeout=20)
    expected = [e["id"] for e in watcher.received if e["id"] > last]
    replayed = _ids(back)[: back.welcome["replayed"]]
    assert replayed == expected[: len(replayed)] and set(expected) <= set(_ids(back)), (expected, _ids(back))
    assert _heard(back, missed_ids) and _in_order(back)
    db_session.expire_all()
    in_db = select(Event.id).where(Event.id > last, Event.id <= replayed[-1]).order_by(Event.id)
    assert replayed == db_session.scalars(in_db).all()
    back.received[:0] = resumer.received  # one screen: what it had, then what it caught up on

    # (c) The second part is posted while one api process, one realtime
    # process and one worker die.
    doomed_api, doomed_realtime, doomed_worker = site.api[0], site.realtime[0], site.workers[0]
    with ThreadPoolExecutor(4) as pool:
        pending = [pool.submit(_post, site.nginx.url, hq.auth) for _ in range(SECOND)]
        assert wait_for(lambda: sum(f.done() for f in pending) >= SECOND // 4, timeout=30)
        doomed_api.kill()
        doomed_realtime.kill()
        doomed_worker.send_signal(signal.SIGKILL)
        doomed_worker.wait()
        second = [f.result() for f in pending]
    statuses = Counter(status for _, status, _ in second)
    accepted = {body["id"] for _, status, body in second if status == 201}
    unanswered = [key for key, status, _ in second if status != 201]
    # Every POST is answered 201, or (its process killed after the change
    # committed and before it answered) 409 "first answer lost".
    assert set(statuses) <= {201, 409}, statuses

    # A POST whose answer died with its process: the key tells whether its
    # change was written (committed); none may be written and then lost.
    db_session.expire_all()
    written_unanswered = db_session.scalar(
        select(func.count()).where(IdempotencyRecord.key.in_(unanswered), IdempotencyRecord.committed.is_(True))
    )
    assert written_unanswered == len(unanswered), statuses

    def all_settled() -> bool:
        db_session.expire_all()
        statuses = db_session.scalars(select(PlacementRequest.status)).all()
        expected = FIRST + MISSED + len(accepted) + written_unanswered
        return len(statuses) == expected and set(statuses) <= {"assigned", "waiting"}

    assert wait_for(all_settled, timeout=45), Counter(db_session.scalars(select(PlacementRequest.status)).all())
    every = set(db_session.scalars(select(PlacementRequest.id)).all())
    assert first_ids | missed_ids | accepted <= every

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

    # Sockets on the surviving realtime process heard every outcome, in
    # order; those on the dead one reconnect through nginx (to the survivor)
    # with their last event id and catch up, in order, none twice.
    survivors = {n: w for n, w in {**watchers, "resumer": back}.items() if n != "realtime 0"}
    for name, sio in list(survivors.items()):
        if sio.connected and not wait_for(lambda sio=sio: not sio.connected, timeout=0.5):
            continue
        again = sockets(site.nginx.url, hq.token, ("websocket",), last_event_id=max(_ids(sio)))
        again.received[:0] = sio.received
        survivors[name] = again
    assert wait_for(lambda: all(_heard(w, every) for w in survivors.values()), timeout=30), report(every, survivors)
    for name, sio in survivors.items():
        assert _in_order(sio), (name, _ids(sio))
    assert _served_posts(site.api[1]) > 0
