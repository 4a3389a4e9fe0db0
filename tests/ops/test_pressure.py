"""Back-pressure under a real gunicorn: past BIRLIK_MAX_IN_FLIGHT requests
being worked on, the answer is 503 with Retry-After at once; once the load
ends, service is normal; a request whose client has gone is not worked on."""

from __future__ import annotations

import importlib.util
import json
import socket
import time

import pytest
import requests
from sqlalchemy import select

from coordinator.housing.models import PlacementRequest
from tests.ops.conftest import SlowPost, fill, sample, unread_bytes

WORKERS = ["gthread"] + (["gevent"] if importlib.util.find_spec("gevent") else [])
LOGIN_BODY = b"username=nobody&password=wrong-password&csrf_token=x" + b"&pad=" + b"x" * 200
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
GROUP = {"contact_phone": "+7 701 555 12 12", "origin": "Almaty", "head_count": 2}


def _timed_get(url: str, **kwargs) -> tuple[requests.Response, float]:
    start = time.monotonic()
    resp = requests.get(url, timeout=10, **kwargs)
    return resp, time.monotonic() - start


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("worker_class", WORKERS)
def test_overload_is_refused_at_once_then_served(ops_server, wait_for, worker_class):
    server = ops_server(
        BIRLIK_MAX_IN_FLIGHT="2", BIRLIK_BUSY_RETRY_SECONDS="3", GUNICORN_CMD_ARGS=f"--worker-class {worker_class}"
    )
    slow: list[SlowPost] = []
    try:
        # Slow sign-ins fill the bound: then a page is refused. One more is
        # sent while none is: a slow one that reached the app while another
        # request was still in flight was itself refused and holds nothing.
        assert wait_for(lambda: fill(server, "/login", LOGIN_BODY, FORM, slow), timeout=60)

        resp, took = _timed_get(server.url + "/login", headers={"Accept-Language": "ru"})
        assert resp.status_code == 503 and took < 1.0
        assert resp.headers["Retry-After"] == "3"
        assert "3" in resp.text and "<html" in resp.text and resp.headers["X-Request-ID"]

        resp, took = _timed_get(server.url + "/api/v1/facilities", headers={"Accept-Language": "kk"})
        assert resp.status_code == 503 and took < 1.0
        body = resp.json()
        assert body["retry_after"] == 3 and body["msgid"].startswith("The service is busy")
        assert body["message"] != body["msgid"] % body["params"]  # in Kazakh, not English

        # Health and metrics are never refused.
        health, took = _timed_get(server.url + "/healthz")
        assert health.status_code in (200, 503) and "failing" in health.json() and took < 1.0
        assert requests.get(server.url + "/metrics", timeout=10).status_code == 200
    finally:
        answers = [s.finish() for s in slow]
    # The two slow requests that held the bound were served (the form refused, not the server).
    assert sum(not a.startswith(b"HTTP/1.1 503") for a in answers) >= 2, answers
    assert wait_for(lambda: requests.get(server.url + "/login", timeout=10).status_code == 200)
    assert all(requests.get(server.url + "/login", timeout=10).status_code == 200 for _ in range(5))
    scrape = requests.get(server.url + "/metrics", timeout=10).text
    assert sample(scrape, "birlik_http_requests_refused_total") >= 2


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_writes_have_their_own_bound_and_reads_keep_the_rest(ops_server, wait_for):
    """A surge of writes (on SQLite they queue for one lock) fills only the
    writes' bound: a further POST is refused at once, a page is still read."""
    server = ops_server(BIRLIK_MAX_IN_FLIGHT="4", BIRLIK_MAX_WRITES_IN_FLIGHT="2")
    slow: list[SlowPost] = []

    def writes_full() -> bool:
        # As `fill`, with a write as the probe: a slow one that reached the app
        # while a probe was in flight was refused and holds nothing, so add one.
        if requests.post(server.url + "/login", data=LOGIN_BODY, headers=FORM, timeout=10).status_code == 503:
            return True
        slow.append(SlowPost(server, "/login", LOGIN_BODY, FORM))
        return False

    try:
        assert wait_for(writes_full, timeout=60)
        refused = requests.post(server.url + "/api/v1/placements", json=GROUP, timeout=10)
        assert refused.status_code == 503 and refused.headers["Retry-After"]
        # Two of four slots are taken, both by writes: reads are served.
        assert all(requests.get(server.url + "/login", timeout=10).status_code == 200 for _ in range(3))
    finally:
        answers = [s.finish() for s in slow]
    assert sum(not a.startswith(b"HTTP/1.1 503") for a in answers) >= 2, answers
    assert wait_for(
        lambda: requests.post(server.url + "/login", data=LOGIN_BODY, headers=FORM, timeout=10).status_code != 503
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_request_whose_client_left_is_not_worked_on(ops_server, make, db_session, wait_for):
    """One worker thread, held by a slow request: a placement request queued
    behind it whose client hangs up is dropped, not carried out."""
    hq = make.account("hq")
    server = ops_server(BIRLIK_WEB_THREADS="1", BIRLIK_MAX_IN_FLIGHT="8")
    holder = SlowPost(server, "/login", LOGIN_BODY, FORM)
    # The only thread has read the slow request's head (gunicorn reads on that
    # thread). A loaded machine can take well over 10 s to get there.
    assert wait_for(lambda: unread_bytes(server.port, holder.local_port) == 0, timeout=60)

    payload = json.dumps(GROUP).encode()
    auth = hq.auth["Authorization"]
    gone = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    gone.sendall(
        f"POST /api/v1/placements HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {auth}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n".encode()
        + payload
    )
    gone.close()  # the caller gave up while the request waited for the thread

    assert b"HTTP/1.1" in holder.finish()
    log = server.log
    assert wait_for(lambda: "client gone" in log.read_text(), timeout=60)
    assert db_session.scalars(select(PlacementRequest)).all() == []

    # The same request from a client that waits is carried out.
    resp = requests.post(server.url + "/api/v1/placements", json=GROUP, headers=hq.auth, timeout=10)
    assert resp.status_code == 201, resp.text
    assert len(db_session.scalars(select(PlacementRequest)).all()) == 1
