"""GET /healthz: database, Redis, workers and queue depths."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify
from redis import RedisError
from rq import Queue, Worker
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from coordinator.authz import public
from coordinator.extensions import db
from coordinator.redis_conn import get_redis

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
                "last_heartbeat": beat.isoformat() if beat else None,
                "alive": age is not None and age < stale_after,
            }
        )
    alive = [w for w in workers if w["alive"]]
    queues = {q: Queue(q, connection=conn).count for q in current_app.config["RQ_QUEUES"]}
    worker_part = {"ok": bool(alive), "count": len(alive), "workers": workers}
    if not alive:
        worker_part["error"] = "No worker has sent a heartbeat recently."
    return {"ok": True}, worker_part, queues


@bp.route("/healthz")
@public
def healthz():
    database = _database()
    redis_part, workers, queues = _redis_and_workers()
    parts = {"database": database, "redis": redis_part, "workers": workers}
    failing = [name for name, part in parts.items() if not part["ok"]]
    body = {"status": "ok" if not failing else "failing", "failing": failing, **parts, "queues": queues}
    return jsonify(body), (200 if not failing else 503)
