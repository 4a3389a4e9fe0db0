"""GET /healthz: database, Redis, workers and queue depths."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify
from redis import RedisError
from rq import Queue, Worker
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from coordinator.authz import public
from coordinator.common.clock import iso_utc
from coordinator.common.clock import now as app_now
from coordinator.extensions import db
from coordinator.queue import periodic, periodic_jobs, relay
from coordinator.redis_conn import get_redis

# Unsent outbox rows older than this mean the relay is not keeping up.
OUTBOX_STALE_SECONDS = 30

bp = Blueprint("health", __name__)


def _database() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True, "backend": db.engine.dialect.name}
    except SQLAlchemyError as exc:
        return {"ok": False, "error": str(exc.__class__.__name__)}


def _redis_and_workers() -> tuple[dict, dict, dict]:
    conn = get_redis()
    try:
        conn.ping()
    except RedisError as exc:
        failed = {"ok": False, "error": str(exc)}
        return failed, {"ok": False, "error": "Redis unreachable"}, {}
    stale_after = current_app.config["WORKER_STALE_SECONDS"]
    now = datetime.now(UTC)
    workers = []
    for w in Worker.all(connection=conn):
        beat = w.last_heartbeat
        if beat is not None and beat.tzinfo is None:
            beat = beat.replace(tzinfo=UTC)
        age = (now - beat).total_seconds() if beat else None
        workers.append(
            {
                "name": w.name,
                "state": w.get_state(),
                "last_heartbeat": iso_utc(beat) if beat else None,
                "alive": age is not None and age < stale_after,
                "started": iso_utc(w.birth_date) if w.birth_date else None,
            }
        )
    alive = [w for w in workers if w["alive"]]
    queues = {q: Queue(q, connection=conn).count for q in current_app.config["RQ_QUEUES"]}
    worker_part = {"ok": bool(alive), "count": len(alive), "workers": workers}
    if not alive:
        worker_part["error"] = "No worker has sent a heartbeat recently."
    return {"ok": True}, worker_part, queues


def _outbox() -> dict:
    try:
        backlog = relay.backlog(session=db.session)
    except SQLAlchemyError:
        return {"ok": False, "error": "database unreachable"}
    part = {"ok": backlog["oldest_seconds"] <= OUTBOX_STALE_SECONDS, **backlog}
    if not part["ok"]:
        part["error"] = f"{backlog['unsent']} follow-up jobs wait to be queued (is Redis or every worker down?)."
    return part


def _periodic(workers: list[dict]) -> dict:
    """When periodic jobs last started; failing when none ran for three of the
    most frequent one's intervals while a worker has been up that long (the
    workers' scheduling has stopped)."""
    try:
        runs = periodic.last_runs()
    except SQLAlchemyError:
        return {"ok": False, "error": "database unreachable"}
    specs = [spec for spec, _ in periodic_jobs(current_app)]
    limit = 3 * min((periodic.every(s) for s in specs), default=60)
    newest = max(runs.values(), default=None)
    age = (app_now() - newest).total_seconds() if newest else None
    now = datetime.now(UTC)
    up = [(now - datetime.fromisoformat(w["started"])).total_seconds() for w in workers if w["alive"] and w["started"]]
    just_started = bool(up) and max(up) <= limit
    fresh = age is not None and age <= limit
    part = {"ok": fresh or just_started, "last_run_seconds_ago": age, "limit_seconds": limit}
    if not part["ok"]:
        part["error"] = "No periodic job has run recently."
    return part


@bp.route("/healthz")
@public
def healthz():
    database = _database()
    redis_part, workers, queues = _redis_and_workers()
    parts = {"database": database, "redis": redis_part, "workers": workers, "outbox": _outbox()}
    if workers["ok"]:
        # Without a live worker that is already the failing part.
        parts["periodic"] = _periodic(workers["workers"])
    failing = [name for name, part in parts.items() if not part["ok"]]
    body = {"status": "ok" if not failing else "failing", "failing": failing, **parts, "queues": queues}
    return jsonify(body), (200 if not failing else 503)
