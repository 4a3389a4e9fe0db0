"""Thousands of screens on one web process: 1,500 Socket.IO clients over
websocket (asyncio, in two helper processes) stay connected to the live
server at once; one bed change made through the API reaches every one of
them, and /healthz answers within a second meanwhile."""

import time

import pytest
import requests

from tests.realtime.crowd import Crowd

CLIENTS = 1500
HELPERS = 2


# One database is enough. SQLite, the demo's, is the harder case under gevent:
# its own wait for the write lock would stop every greenlet (coordinator/database.py).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.web_role("realtime")  # the gevent process that holds the screens
def test_fifteen_hundred_screens_hear_a_bed_change_and_health_still_answers(live_server, make):
    hq = make.account("hq")
    facility = make.facility("almaty", beds={"standard": 10})
    crowds = [Crowd(live_server.url, hq.token, CLIENTS // HELPERS) for _ in range(HELPERS)]
    try:
        joined = [crowd.connected() for crowd in crowds]
        assert sum(j["connected"] for j in joined) == CLIENTS, joined

        started = time.monotonic()
        health = requests.get(live_server.url + "/healthz", timeout=5)
        assert time.monotonic() - started < 1.0
        assert health.json()["status"] in ("ok", "failing")  # no worker runs here: "failing" is an answer too

        resp = requests.put(
            f"{live_server.url}/api/v1/facilities/{facility.id}/beds/standard",
            json={"total": 12},
            headers=hq.auth,
            timeout=10,
        )
        assert resp.status_code == 200, resp.text
        heard = [crowd.wait(1, timeout=30) for crowd in crowds]
        assert sum(h["complete"] for h in heard) == CLIENTS, [h["complete"] for h in heard]
        ids = {event_id for h in heard for event_id in h["delays_ms"]}
        assert len(ids) == 1  # the one change, once each

        started = time.monotonic()
        assert requests.get(live_server.url + "/healthz", timeout=5).status_code in (200, 503)
        assert time.monotonic() - started < 1.0
    finally:
        for crowd in crowds:
            crowd.close()
