"""Idempotency-Key support for API POSTs. The first request with a key runs
and its answer is stored; a repeat with the same body gets that answer again;
a repeat with another body gets 422. The key is claimed in its own committed
row first, so two concurrent repeats cannot both run. The transaction that
carries the request out also marks the key `committed`, so a request whose
change was written never runs again, even if its first answer was an error."""

from __future__ import annotations

import hashlib
import time

from flask import Flask, Response, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import event as sa_event
from sqlalchemy import select, update
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
    record = IdempotencyRecord(
        user_id=current_user.id, key=key, method="POST", path=request.path, body_hash=digest, created_at=now()
    )
    db.session.add(record)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return _replay(key, digest)
    g.idempotency_id = record.id
    return None


def _replay(key: str, digest: str) -> Response:
    # A concurrent twin may still be running: wait briefly for its answer.
    for _ in range(50):
        existing = _find(key)
        if existing is None:
            break
        if existing.body_hash != digest:
            raise Invalid(
                text(N_("This Idempotency-Key was already used with a different request body.")), field=HEADER
            )
        if existing.status_code is not None and existing.status_code >= 500:
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
        db.session.rollback()
        time.sleep(0.1)
    raise Conflict(text(N_("A request with this Idempotency-Key is still being processed; retry shortly.")))


def _after(response: Response) -> Response:
    record_id = g.pop("idempotency_id", None)
    if record_id is None:
        return response
    db.session.rollback()
    record = db.session.get(IdempotencyRecord, record_id)
    if (response.status_code >= 500 or response.status_code in (409, 429)) and not record.committed:
        # Nothing was written: let the client retry.
        db.session.delete(record)
    else:
        record.status_code = response.status_code
        record.response_body = response.get_data(as_text=True)
    db.session.commit()
    return response


def _mark_committed(session: Session) -> None:
    # In the request's own transaction: the key and the change commit together.
    if not has_request_context() or g.get("idempotency_committed"):
        return
    record_id = g.get("idempotency_id")
    if record_id is not None:
        g.idempotency_committed = True
        session.execute(update(IdempotencyRecord).where(IdempotencyRecord.id == record_id).values(committed=True))


def init_app(app: Flask) -> None:
    app.before_request(_before)
    app.after_request(_after)
    if not sa_event.contains(Session, "before_commit", _mark_committed):
        sa_event.listen(Session, "before_commit", _mark_committed)
