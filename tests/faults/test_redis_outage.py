"""Redis stops for 20 s on a running system: nothing the API accepted is lost,
retries with the same Idempotency-Key create nothing twice, periodic jobs and
/healthz come back within a tick, and a screen that stayed connected ends with
every event of its rooms. Real Valkey, real worker processes, real gunicorn."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from coordinator.common.clock import now
from coordinator.events.models import Event
from coordinator.housing.models import PlacementRequest
from coordinator.queue.models import PeriodicRun

OUTAGE_SECONDS = 20
GROUP = {"head_count": 1, "contact_phone": "+7 701 000 00 00", "origin": "Almaty"}


def _statuses(db_session, ids):
    db_session.expire_all()
    return dict(
        db_session.execute(
            select(PlacementRequest.id, PlacementRequest.status).where(PlacementRequest.id.in_(ids))
        ).all()
    )


def _worker_up(client) -> bool:
    return client.get("/healthz").get_json()["workers"]["ok"]


def test_requests_posted_while_redis_is_down_are_all_dispatched_once(
    client, make, db_session, valkey, workers, wait_for
):
    make.facility("almaty", beds={"standard": 200})
    hq = make.account("hq")
    workers(1)
    assert wait_for(lambda: _worker_up(client), timeout=60)
    valkey.stop()
    ids: dict[str, int] = {}
    started = time.monotonic()
    while time.monotonic() - started < OUTAGE_SECONDS:
        key = f"outage-{len(ids)}"
        headers = {**hq.auth, "Idempotency-Key": key}
        first = client.post("/api/v1/placements", json=GROUP, headers=headers)
        assert first.status_code == 201, first.get_data(as_text=True)
        again = client.post("/api/v1/placements", json=GROUP, headers=headers)
        assert again.status_code == 201 and again.headers["Idempotent-Replay"] == "true"
        assert again.get_json()["id"] == first.get_json()["id"]
        ids[key] = first.get_json()["id"]
        time.sleep(0.5)
    assert len(ids) >= 20
    valkey.start()
    back = time.monotonic()

    for key, placement_id in ids.items():  # the client's retries once Redis is back
        retry = client.post("/api/v1/placements", json=GROUP, headers={**hq.auth, "Idempotency-Key": key})
        assert retry.status_code == 201 and retry.get_json()["id"] == placement_id
    assert wait_for(
        lambda: set(_statuses(db_session, ids.values()).values()) <= {"assigned", "waiting"},
        timeout=10 - (time.monotonic() - back),
    ), _statuses(db_session, ids.values())
    assert db_session.scalar(select(func.count(PlacementRequest.id))) == len(ids)


def test_periodic_jobs_and_health_come_back_within_a_tick(client, db_session, valkey, workers, wait_for):
    tick = 2
    workers(1, PERIODIC_EVERY=str(tick))
    assert wait_for(lambda: client.get("/healthz").status_code == 200, timeout=60), client.get("/healthz").get_json()
    valkey.stop()
    time.sleep(OUTAGE_SECONDS)  # the outage itself: nothing to wait for but time
    assert client.get("/healthz").status_code == 503
    valkey.start()
    back, returned = time.monotonic(), now()

    def ran_since() -> bool:
        db_session.expire_all()
        return bool(db_session.scalar(select(func.count(PeriodicRun.id)).where(PeriodicRun.started_at >= returned)))

    assert wait_for(ran_since, timeout=3 * tick)
    assert time.monotonic() - back <= tick + 2.0, "a periodic job should run within one tick of Redis returning"
    assert wait_for(lambda: client.get("/healthz").status_code == 200, timeout=10), client.get("/healthz").get_json()


def test_a_connected_screen_gets_every_event_of_its_rooms_after_an_outage(
    client, make, db_session, valkey, socket_client, wait_for
):
    facility = make.facility("almaty", beds={"standard": 10})
    hq = make.account("hq")
    sio = socket_client(hq.token)
    assert wait_for(lambda: getattr(sio, "welcome", None))
    lock = threading.Lock()
    got: list[int] = []
    state = {"syncing": False, "held": [], "last": sio.welcome["last_event_id"], "batches": []}

    def deliver(ev):
        got.append(ev["id"])
        state["last"] = max(state["last"], ev["id"])

    def on_event(ev):
        with lock:
            if state["syncing"]:
                state["held"].append(ev)
            else:
                deliver(ev)

    def on_resync(data):
        # The protocol the pages follow (static/js/app.js).
        with lock:
            state["syncing"] = True
            after = min(state["last"], data["after"])
        answer = sio.call("sync", {"after": after}, timeout=15)
        with lock:
            state["batches"].append([e["id"] for e in answer["events"]])
            for ev in answer["events"]:
                if ev["id"] not in got:
                    deliver(ev)
            for ev in sorted(state["held"], key=lambda e: e["id"]):
                if ev["id"] not in got:
                    deliver(ev)
            state["held"].clear()
            state["syncing"] = False

    sio.on("event", on_event)
    sio.on("resync", on_resync)
    first = db_session.scalar(select(func.max(Event.seq))) or 0  # the ids clients see: commit order

    def change(n):
        resp = client.put(f"/api/v1/facilities/{facility.id}/beds/standard", json={"total": 10 + n}, headers=hq.auth)
        assert resp.status_code == 200

    change(0)
    assert wait_for(lambda: len(got) >= 1)
    resyncs_before = len(state["batches"])  # the server's first subscription may have sent one
    valkey.stop()
    for n in range(1, 11):  # made while the web process cannot publish
        change(n)
        time.sleep(OUTAGE_SECONDS / 10)
    valkey.start()
    assert wait_for(lambda: len(state["batches"]) > resyncs_before, timeout=15), "the server should say: resync"
    for n in range(11, 14):  # and live again after
        change(n)

    db_session.expire_all()
    expected = list(db_session.scalars(select(Event.seq).where(Event.seq > first).order_by(Event.seq)))
    assert wait_for(lambda: sorted(got) == expected, timeout=10), (got, expected)
    assert len(got) == len(set(got)), "no event twice"
    assert all(batch == sorted(batch) for batch in state["batches"]), "a replay comes in order"


def test_a_supply_request_filed_while_redis_is_down_is_allocated_once_it_is_back(
    client, make, db_session, valkey, workers, wait_for
):
    """Its follow-up job takes a list of item ids: the worker's sweep of the
    outbox queues it (it once stopped the worker: a list is no set member)."""
    masks = make.stock(make.warehouse("almaty"), "Medical mask", on_hand=100)
    org = make.organization("almaty", tier=1)
    requester = make.account("requester", organization_id=org.id)
    workers(1)
    assert wait_for(lambda: _worker_up(client), timeout=60)
    valkey.stop()
    body = {"lines": [{"item_id": masks.id, "quantity": 10}]}
    filed = client.post("/api/v1/supply-requests", json=body, headers=requester.auth)
    assert filed.status_code == 201, filed.get_data(as_text=True)
    request_id = filed.get_json()["id"]
    valkey.start()

    def status() -> str:
        return client.get(f"/api/v1/supply-requests/{request_id}", headers=requester.auth).get_json()["status"]

    assert wait_for(lambda: status() == "allocated", timeout=60), status()
    assert wait_for(lambda: _worker_up(client), timeout=30)
