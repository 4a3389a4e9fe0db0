"""The outbox relay: committed outbox rows go to RQ and are marked sent.

`send_now` runs right after a commit (the fast path). `sweep` runs in every
worker every half second: it queues what the fast path could not (Redis was
away, the process died between commit and queueing) and delayed rows once due.
A row queued twice is harmless: every job is idempotent. Still, the sweep
leaves a row alone for its first `GRACE`: the fast path is queueing it, and
queued again (the mark "sent" was waiting for the write lock) a dispatch job
ran twice, taking a worker from the requests behind it."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from redis.exceptions import RedisError
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from coordinator import queue
from coordinator.common.clock import now
from coordinator.common.handover import Handover
from coordinator.extensions import db
from coordinator.queue.models import OutboxEntry

log = logging.getLogger("birlik.outbox")
BATCH = 500
KEEP_SENT = timedelta(days=1)
GRACE = timedelta(seconds=1)


def _queue_one(name: str, args: list[Any], entry_id: int, request_id: str | None) -> None:
    covered = queue.registered(name).covered
    if covered is not None and covered(*args):
        return  # a job already coming does this one's work (see `queue.job`)
    queue.enqueue(name, *args, job_id=f"outbox-{entry_id}", request_id=request_id)


def send_now(due: Iterable[tuple[int, str, list[Any], str | None]]) -> None:
    """Queue just-committed rows; on a Redis failure leave them to the sweep.
    Rows queued are marked sent by a thread of this process (`_MARKS`), off the caller's
    path: marked here, every POST took the write lock a second time."""
    sent = []
    for entry_id, name, args, request_id in due:
        try:
            _queue_one(name, args, entry_id, request_id)
        except RedisError as exc:
            log.warning("Redis is unavailable (%s); %s waits in the outbox", exc, name)
            break
        sent.append(entry_id)
    if sent:
        _MARKS.put(current_app._get_current_object(), sent)


def mark_sent(ids: list[int]) -> None:
    """Mark rows queued, in a short transaction of their own."""
    with db.engine.begin() as conn:
        conn.execute(update(OutboxEntry).where(OutboxEntry.id.in_(ids)).values(sent_at=now()))


def _mark(pending: dict[Flask, list[int]]) -> None:
    for app, ids in pending.items():
        try:
            with app.app_context():
                mark_sent(ids)
        except SQLAlchemyError as exc:
            log.warning("outbox: %d rows not marked sent (%s); the sweep queues them again", len(ids), exc)


# Marks queued rows sent, many in one transaction, on a thread of the process.
# A row left unmarked (the process died first, the database was away) is
# queued again by the sweep after `GRACE`: a second run of an idempotent job.
_MARKS = Handover("birlik-outbox-marker", _mark)


def flush_marks() -> None:
    """Mark what this process queued, now (a worker about to exit)."""
    _MARKS.flush(wait=10)


def sweep(*, session: Session) -> int:
    """Queue every unsent row that is due, oldest first, each (job, args) once;
    returns how many rows were sent. Raises RedisError when Redis is away
    (nothing is marked sent then). The caller commits."""
    at = now()
    due = or_(
        and_(OutboxEntry.not_before.is_(None), OutboxEntry.created_at <= at - GRACE),  # the fast path's, if it failed
        OutboxEntry.not_before <= at,  # delayed: only the sweep queues these
    )
    rows = session.scalars(
        select(OutboxEntry)
        .where(OutboxEntry.sent_at.is_(None), due)
        .order_by(OutboxEntry.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    queued: set[tuple] = set()
    for row in rows:
        # Arguments may be lists (a batch's ids): compare them as JSON text.
        key = (row.job, json.dumps(row.args, sort_keys=True, default=str))
        row.attempts += 1
        if key not in queued:
            _queue_one(row.job, row.args, row.id, row.request_id)
            queued.add(key)
        row.sent_at = now()
    return len(rows)


def prune(*, session: Session) -> int:
    """Forget rows sent more than a day ago. The caller commits."""
    result = session.execute(delete(OutboxEntry).where(OutboxEntry.sent_at < now() - KEEP_SENT))
    return result.rowcount or 0


def backlog(*, session: Session) -> dict[str, Any]:
    """Unsent rows that are due, and the age of the oldest, for /healthz."""
    oldest = session.scalar(
        select(OutboxEntry.created_at)
        .where(OutboxEntry.sent_at.is_(None), or_(OutboxEntry.not_before.is_(None), OutboxEntry.not_before <= now()))
        .order_by(OutboxEntry.id)
        .limit(1)
    )
    count = session.scalar(
        select(db.func.count(OutboxEntry.id)).where(
            OutboxEntry.sent_at.is_(None), or_(OutboxEntry.not_before.is_(None), OutboxEntry.not_before <= now())
        )
    )
    return {"unsent": int(count or 0), "oldest_seconds": (now() - oldest).total_seconds() if oldest else 0.0}
