"""Watching a running system, through a real gunicorn server and a real
worker process: /metrics adds up the series of both after real activity; a
request id follows a placement from the POST through its job to the emitted
event; the RQ dashboard is for admin only."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import requests
import socketio

from coordinator import queue
from tests.ops.conftest import sample
from tests.servers import ROOT

GROUP = {"contact_phone": "+7 701 555 12 12", "origin": "Almaty", "head_count": 2}
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _worker_burst(config) -> list[dict]:
    """`flask --app coordinator worker --burst` as production runs it (same
    var dir as the web server, so the same metrics directory); its JSON log lines."""
    env = {
        **os.environ,
        "BIRLIK_ENV": "test",
        "BIRLIK_DATABASE_URL": config["DATABASE_URL"],
        "BIRLIK_REDIS_URL": config["REDIS_URL"],
        "BIRLIK_SECRET_KEY": config["SECRET_KEY"],
        "BIRLIK_VAR_DIR": config["VAR_DIR"],
    }
    proc = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "coordinator", "worker", "--burst"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = []
    for line in proc.stderr.splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            pytest.fail(f"a worker log line is not JSON: {line!r}")
    return lines


def _listen(server, token: str) -> socketio.Client:
    sio = socketio.Client(reconnection=False)
    sio.received = []  # type: ignore[attr-defined]
    sio.on("event", lambda payload: sio.received.append(payload))
    sio.connect(server.url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    return sio


def test_a_request_id_follows_a_placement_to_its_job_and_event(ops_server, make, config, wait_for):
    hq = make.account("hq")
    make.facility("almaty", beds={"standard": 10})
    server = ops_server()
    sio = _listen(server, hq.token)
    try:
        rid = "trace-placement-0001"
        resp = requests.post(
            server.url + "/api/v1/placements", json=GROUP, headers={**hq.auth, "X-Request-ID": rid}, timeout=10
        )
        assert resp.status_code == 201, resp.text
        assert resp.headers["X-Request-ID"] == rid
        placement_id = resp.json()["id"]

        lines = _worker_burst(config)
        job_lines = [ln for ln in lines if ln.get("job") == "dispatch_placement"]
        assert job_lines and all(ln.get("request_id") == rid for ln in job_lines), lines
        emitted = [ln for ln in lines if ln["logger"] == "birlik.events" and "placement.assigned" in ln["msg"]]
        assert emitted and emitted[0]["request_id"] == rid

        def assigned():
            return [e for e in sio.received if e["type"] == "placement.assigned" and e["subject_id"] == placement_id]

        assert wait_for(assigned)
        assert assigned()[0]["request_id"] == rid
        # The web server's own lines for the POST carry it too.
        web = [json.loads(x) for x in server.log.read_text().splitlines() if x.startswith("{")]
        assert any(ln.get("request_id") == rid and ln.get("route") == "/api/v1/placements" for ln in web)
    finally:
        sio.disconnect()

    # An id that is not sane is replaced, not echoed.
    resp = requests.get(server.url + "/login", headers={"X-Request-ID": "bad id\twith tab"}, timeout=10)
    assert resp.headers["X-Request-ID"] != "bad id\twith tab" and len(resp.headers["X-Request-ID"]) == 32


def test_metrics_expose_the_named_series_after_real_activity(app, ops_server, make, config, wait_for):
    hq = make.account("hq")
    make.facility("almaty", beds={"standard": 10})
    server = ops_server()
    sio = _listen(server, hq.token)
    try:
        resp = requests.post(server.url + "/api/v1/placements", json=GROUP, headers=hq.auth, timeout=10)
        assert resp.status_code == 201, resp.text
        assert requests.get(server.url + "/api/v1/facilities", headers=hq.auth, timeout=10).status_code == 200
        with app.app_context():
            queue.enqueue("expire_holds", "an argument it does not take")  # a job that fails
        _worker_burst(config)
        assert wait_for(lambda: any(e["type"] == "placement.assigned" for e in sio.received))
        with app.app_context():
            queue.enqueue("release_due")  # left waiting: a queue depth of 1

        scrape = requests.get(server.url + "/metrics", timeout=10)
        assert scrape.status_code == 200 and scrape.headers["Content-Type"].startswith("text/plain")
        text = scrape.text
        count = "birlik_http_request_duration_seconds_count"
        assert sample(text, count, route="/api/v1/placements", method="POST", status="201") == 1
        assert sample(text, count, route="/api/v1/facilities/<int:facility_id>") == 0  # by rule, not path
        assert sample(text, count, route="/api/v1/facilities", method="GET") == 1
        assert sample(text, "birlik_open_sockets") == 1
        assert sample(text, "birlik_events_emitted_total", type="placement.assigned") == 1
        assert sample(text, "birlik_job_duration_seconds_count", job="dispatch_placement") >= 1
        assert sample(text, "birlik_job_failures_total", job="expire_holds") >= 1
        assert sample(text, "birlik_dispatch_decisions_total", domain="housing", outcome="placed") == 1
        assert sample(text, "birlik_queue_depth", queue="default") == 1
        assert 'birlik_queue_depth{queue="dispatch"} 0.0' in text
    finally:
        sio.disconnect()
    assert wait_for(lambda: sample(requests.get(server.url + "/metrics", timeout=10).text, "birlik_open_sockets") == 0)

    # Not from another machine (a proxied request) without the token.
    proxied = requests.get(server.url + "/metrics", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10)
    assert proxied.status_code == 403


def test_metrics_token_lets_a_remote_scraper_in(ops_server):
    server = ops_server(BIRLIK_METRICS_TOKEN="scrape-secret-1234")
    proxied = {"X-Forwarded-For": "203.0.113.9"}
    assert requests.get(server.url + "/metrics", headers=proxied, timeout=10).status_code == 403
    wrong = {**proxied, "Authorization": "Bearer nope"}
    assert requests.get(server.url + "/metrics", headers=wrong, timeout=10).status_code == 403
    right = {**proxied, "Authorization": "Bearer scrape-secret-1234"}
    assert requests.get(server.url + "/metrics", headers=right, timeout=10).status_code == 200


def test_rq_dashboard_is_for_admin_only(ops_server, make, app):
    accounts = make.every_role("almaty")
    server = ops_server()
    with app.app_context():
        queue.enqueue("release_due")
    admin = accounts.pop("admin")
    page = requests.get(server.url + "/admin/rq/", headers=admin.auth, timeout=10)
    assert page.status_code == 200 and "RQ" in page.text
    # Its inline scripts run by hash; nothing else inline does.
    policy = dict(d.split(" ", 1) for d in page.headers["Content-Security-Policy"].split("; "))
    assert "'sha256-" in policy["script-src"] and "unsafe-inline" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'none'"
    queues = requests.get(server.url + "/admin/rq/0/data/queues.json", headers=admin.auth, timeout=10)
    assert queues.status_code == 200
    assert {q["name"]: q["count"] for q in queues.json()["queues"]}.get("default") == 1
    workers = requests.get(server.url + "/admin/rq/0/data/workers.json", headers=admin.auth, timeout=10)
    assert workers.status_code == 200 and "workers" in workers.json()
    jobs = requests.get(server.url + "/admin/rq/0/view/jobs/default/queued/8/asc/1", headers=admin.auth, timeout=10)
    assert jobs.status_code == 200, jobs.text[-500:]
    listed = requests.get(
        server.url + "/admin/rq/0/data/jobs/default/queued/8/asc/1.json", headers=admin.auth, timeout=10
    )
    assert listed.status_code == 200 and len(listed.json()["jobs"]) == 1, listed.text[-500:]
    # Requeueing every failed job is a POST: a link cannot do it with the admin's cookie.
    assert requests.get(server.url + "/admin/rq/requeue/default", headers=admin.auth, timeout=10).status_code == 405

    for name, account in accounts.items():
        for path in ("/admin/rq/", "/admin/rq/0/data/queues.json", "/admin/rq/0/view/workers"):
            resp = requests.get(server.url + path, headers=account.auth, timeout=10)
            assert resp.status_code == 403, (name, path, resp.status_code)
    anonymous = requests.get(server.url + "/admin/rq/", allow_redirects=False, timeout=10)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
