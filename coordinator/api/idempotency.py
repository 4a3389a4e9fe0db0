"""Idempotency-Key support for API POSTs. The first request with a key runs
and its answer is stored; a repeat with the same body gets that answer again;
a repeat with another body gets 422. The key is claimed in its own committed
row first, so two concurrent repeats cannot both run. The transaction that
carries the request out also marks the key `committed`, so a request whose
change was written never runs again, even if its first answer was an error.

A process that dies (killed, its machine lost) between claiming a key and
answering leaves the claim behind. A repeat that finds a claim older than
`IDEMPOTENCY_LEASE_SECONDS`, with nothing committed, takes it over with the
next attempt number and runs the request. Marking the key `committed` is
conditional on the attempt, so if the first run was only slow, whichever
commits first wins and the other's transaction is refused (409) and rolled
back: the change is made exactly once."""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

from flask import Flask, Response, current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import delete, func, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coordinator.api.models import IdempotencyRecord
from coordinator.common.clock import now
from coordinator.common.errors import Conflict, Invalid
from coordinator.extensions import db
from coordinator.i18n import N_, text

HEADER = "Idempotency-Key"


def _body_hash() -> str:
    return hashlib.sha256(request.method.encode() + request.path.encode() + request.get_data()).hexdigest()


def _find(key: str) -> IdempotencyRecord | None:
    return db.session.scalar(
        select(IdempotencyRecord).where(IdempotencyRecord.user_id == current_user.id, IdempotencyRecord.key == key)
    )


def _before():
    key = request.headers.get(HEADER)
    if not key or request.method != "POST" or not request.path.startswith("/api/"):
        return None
    if not current_user.is_authenticated:
        return None
    if len(key) > 128:
        raise Invalid(text(N_("Idempotency-Key is longer than 128 characters.")), field=HEADER)
    digest = _body_hash()
    at = now()
    record = IdempotencyRecord(
        user_id=current_user.id,
        key=key,
        method="POST",
        path=request.path,
        body_hash=digest,
        created_at=at,
        claimed_at=at,
        attempt=1,
    )
    db.session.add(record)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return _replay(key, digest)
    g.idempotency_id, g.idempotency_attempt = record.id, 1
    return None


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["IDEMPOTENCY_LEASE_SECONDS"])


def _lapsed(existing: IdempotencyRecord) -> bool:
    """Its run has had longer than the lease: its process is taken for dead."""
    return (existing.claimed_at or existing.created_at) < now() - _lease()


def _take_over(existing: IdempotencyRecord) -> bool:
    """Claim a key whose run has not answered, has committed nothing and is
    older than the lease (its process died): the next attempt is ours."""
    attempt = existing.attempt
    taken = db.session.execute(
        update(IdempotencyRecord)
        .where(
            IdempotencyRecord.id == existing.id,
            IdempotencyRecord.attempt == attempt,
            IdempotencyRecord.committed.is_(False),
            IdempotencyRecord.status_code.is_(None),
            func.coalesce(IdempotencyRecord.claimed_at, IdempotencyRecord.created_at) < now() - _lease(),
        )
        .values(attempt=attempt + 1, claimed_at=now())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if taken.rowcount != 1:
        return False
    g.idempotency_id, g.idempotency_attempt = existing.id, attempt + 1
    return True


def _replay(key: str, digest: str) -> Response | None:
    # A concurrent twin may still be running: wait briefly for its answer.
    for _ in range(50):
        existing = _find(key)
        if existing is None:
            break
        if existing.body_hash != digest:
            raise Invalid(
                text(N_("This Idempotency-Key was already used with a different request body.")), field=HEADER
            )
        lost = existing.committed and existing.status_code is None and _lapsed(existing)
        if lost or (existing.status_code is not None and existing.status_code >= 500):
            raise Conflict(
                text(
                    N_(
                        "This request was already carried out, but its first answer was lost. "
                        "Look the result up instead of sending it again."
                    )
                )
            )
        if existing.status_code is not None:
            resp = Response(existing.response_body, status=existing.status_code, mimetype="application/json")
            resp.headers["Idempotent-Replay"] = "true"
            return resp
        if not existing.committed and _lapsed(existing) and _take_over(existing):
            return None  # the first run died: this request runs instead
        db.session.rollback()
        time.sleep(0.1)
    raise Conflict(text(N_("A request with this Idempotency-Key is still being processed; retry shortly.")))


def _after(response: Response) -> Response:
    record_id = g.pop("idempotency_id", None)
    if record_id is None:
        return response
    db.session.rollback()
    # Only while the key is still this run's (a retry may have taken it over).
    ours = (IdempotencyRecord.id == record_id, IdempotencyRecord.attempt == g.pop("idempotency_attempt"))
    forgotten = 0
    if response.status_code >= 500 or response.status_code in (409, 429):
        # Nothing was written: let the client retry.
        forgotten = db.session.execute(
            delete(IdempotencyRecord).where(*ours, IdempotencyRecord.committed.is_(False))
        ).rowcount
    if not forgotten:
        db.session.execute(
            update(IdempotencyRecord)
            .where(*ours)
            .values(status_code=response.status_code, response_body=response.get_data(as_text=True))
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    return response


def _mark_committed(session: Session) -> None:
    # In the request's own transaction: the key and the change commit together.
    if not has_request_context() or g.get("idempotency_committed"):
        return
    record_id = g.get("idempotency_id")
    if record_id is not None:
        marked = session.execute(
            update(IdempotencyRecord)
            .where(
                IdempotencyRecord.id == record_id,
                IdempotencyRecord.attempt == g.idempotency_attempt,
                IdempotencyRecord.committed.is_(False),
            )
            .values(committed=True)
            .execution_options(synchronize_session=False)
        )
        if marked.rowcount != 1:
            # A retry took the key over (this run was thought dead) and may
            # already have committed: this transaction must not.
            raise Conflict(text(N_("A retry of this request took over its Idempotency-Key; it was not carried out.")))
        g.idempotency_committed = True


def init_app(app: Flask) -> None:
    app.before_request(_before)
    app.after_request(_after)
    if not sa_event.contains(Session, "before_commit", _mark_committed):
        sa_event.listen(Session, "before_commit", _mark_committed)
