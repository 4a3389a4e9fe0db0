"""GET /healthz reports each part and names what fails."""

import json

from rq import Worker

from coordinator import queue
from coordinator.queue import connection, get_queue


def test_without_a_worker_health_is_503_naming_workers(client):
    resp = client.get("/healthz")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["failing"] == ["workers"]
    assert body["database"]["ok"] and body["redis"]["ok"]
    assert set(body["queues"]) == {"dispatch", "default"}


def test_with_a_live_worker_health_is_200(app, client):
    with app.app_context():
        worker = Worker([get_queue("default")], connection=connection())
        worker.register_birth()
        worker.heartbeat()
    try:
        resp = client.get("/healthz")
        assert resp.status_code == 200, resp.get_json()
        body = resp.get_json()
        assert body["workers"]["count"] == 1
        assert body["workers"]["workers"][0]["last_heartbeat"]
    finally:
        with app.app_context():
            worker.register_death()


def test_redis_down_is_503_naming_redis(app, config):
    from coordinator import create_app

    broken = create_app({**config, "REDIS_URL": "redis://127.0.0.1:1/0"})
    resp = broken.test_client().get("/healthz")
    assert resp.status_code == 503
    assert "redis" in resp.get_json()["failing"]


def test_worker_command_runs_queued_jobs(app, make, burst_workers):
    """`flask --app coordinator worker --burst`, as a separate process, drains
    the queue, and logs each job once as started and once as done (RQ's own
    per-job lines repeat them and are left out)."""

    make.hq("atyrau")
    with app.app_context():
        job = queue.enqueue("flag_silent_hqs")
    [stderr] = burst_workers(1, timeout=120)
    with app.app_context():
        job.refresh()
        assert job.get_status() == "finished", stderr[-2000:]
        assert len(job.return_value()) >= 1
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    about_job = [line["msg"] for line in lines if job.id in line["msg"] or "flag_silent_hqs" in line["msg"]]
    assert about_job == ["job flag_silent_hqs() started", "job flag_silent_hqs() done"], stderr[-2000:]
    assert [line.get("job_id") for line in lines if line["msg"] == "job flag_silent_hqs() started"] == [job.id]
    assert any(line["logger"] == "rq.worker" for line in lines), "RQ's start-up lines are kept"
