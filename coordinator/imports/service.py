"""CSV imports: every row is validated by the same service that creates it,
inside one transaction; any error rolls back the lot, so a bad file writes
nothing. Progress goes to Redis as the rows are read, so a page can show it.
Domains register how a row of their kind is created (`register`, from their
`init_app`); the `run_import` job drives `start`, `apply` and `finish`."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from marshmallow import Schema, ValidationError
from sqlalchemy.orm import Session

from coordinator import queue
from coordinator.auth.models import User
from coordinator.common.errors import DomainError, Invalid, NotFound
from coordinator.i18n import N_, text
from coordinator.imports.models import IMPORT_KINDS, ImportJob
from coordinator.redis_conn import get_redis

MAX_ROWS = 20000
PROGRESS_EVERY = 25

_HANDLERS = "birlik_csv_handlers"
Creator = Callable[[Session, User, dict[str, Any]], int]


def register(app: Flask, kind: str, schema: type[Schema], create: Creator) -> None:
    """Say how a CSV row of `kind` is validated (schema) and created (creator
    returning the new id). Each domain calls it from its `init_app`."""
    app.extensions.setdefault(_HANDLERS, {})[kind] = (schema, create)


def _handler(kind: str) -> tuple[type[Schema], Creator]:
    return current_app.extensions[_HANDLERS][kind]


def _key(import_id: int) -> str:
    return f"birlik:import:{import_id}"


def create(*, session: Session, user: User, kind: str, filename: str, raw: bytes) -> ImportJob:
    """Store an uploaded file as an import job; raises Invalid for a file that is not CSV."""
    if kind not in IMPORT_KINDS or kind not in current_app.extensions.get(_HANDLERS, {}):
        raise Invalid(text(N_("Unknown import kind '%(kind)s'."), kind=kind), field="kind")
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(
            text(N_("The file is not UTF-8 text. Save it as CSV (UTF-8) and try again.")), field="file"
        ) from exc
    reader = csv.reader(io.StringIO(content))
    header = next(reader, None)
    if not header:
        raise Invalid(text(N_("The file is empty.")), field="file")
    expected = set(_handler(kind)[0]().fields)
    unknown = [h for h in header if h.strip() not in expected]
    if unknown:
        raise Invalid(
            text(
                N_("Unknown columns: %(unknown)s. Allowed: %(allowed)s."),
                unknown=", ".join(unknown),
                allowed=", ".join(sorted(expected)),
            ),
            field="file",
        )
    rows = sum(1 for _ in reader)
    if rows == 0:
        raise Invalid(text(N_("The file has a header but no rows.")), field="file")
    if rows > MAX_ROWS:
        raise Invalid(
            text(N_("The file has %(rows)s rows; at most %(max)s at a time."), rows=rows, max=MAX_ROWS), field="file"
        )
    job = ImportJob(kind=kind, filename=filename[:255], content=content, total_rows=rows, created_by_id=user.id)
    session.add(job)
    session.flush()
    queue.after_commit(session, "run_import", job.id)
    return job


def progress(*, session: Session, user: User, import_id: int) -> dict[str, Any]:
    """The import's state, with live progress while it runs."""
    job = session.get(ImportJob, import_id)
    if job is None or (job.created_by_id != user.id and user.role != "admin"):
        raise NotFound(text(N_("No import with id %(id)s."), id=import_id))
    processed = job.processed_rows
    if job.status in ("queued", "running"):
        live = get_redis().hget(_key(job.id), "processed")
        processed = int(live or 0)
    return {
        "id": job.id,
        "kind": job.kind,
        "filename": job.filename,
        "status": job.status,
        "total_rows": job.total_rows,
        "processed_rows": processed,
        "created_rows": job.created_rows,
        "errors": job.errors or [],
    }


def _clean(row: dict[str, str | None]) -> dict[str, str]:
    # Blank cells mean "not given", so defaults apply.
    return {k.strip(): v.strip() for k, v in row.items() if k and v is not None and v.strip() != ""}


def start(*, session: Session, import_id: int) -> ImportJob | None:
    """Mark a queued import running; None when it is gone or already ran."""
    job = session.get(ImportJob, import_id)
    if job is None or job.status in ("done", "failed"):
        return None
    job.status = "running"
    return job


def apply(*, session: Session, job: ImportJob) -> tuple[list[int], list[dict[str, Any]]]:
    """Validate and create every row, each in a savepoint; returns the created
    ids and the row-by-row errors. The caller commits only when no row failed."""
    schema_cls, creator = _handler(job.kind)
    user = session.get(User, job.created_by_id)
    redis, key = get_redis(), _key(job.id)
    errors: list[dict[str, Any]] = []
    created: list[int] = []
    schema = schema_cls()
    for number, raw in enumerate(csv.DictReader(io.StringIO(job.content)), start=2):
        try:
            data = schema.load(_clean(raw))
            with session.begin_nested():
                created.append(creator(session, user, data))
        except ValidationError as exc:
            for field, messages in exc.normalized_messages().items():
                errors.append({"row": number, "field": field, "message": "; ".join(map(str, messages))})
        except DomainError as exc:
            errors.append({"row": number, "field": exc.field, "message": exc.message})
        if (number - 1) % PROGRESS_EVERY == 0:
            redis.hset(key, "processed", number - 1)
    redis.hset(key, "processed", job.total_rows)
    redis.expire(key, 3600)
    return created, errors


def finish(*, session: Session, import_id: int, created: int, errors: list[dict[str, Any]]) -> str:
    """Record the outcome (after the caller rolled back a failed import); returns the status."""
    job = session.get(ImportJob, import_id)
    job.processed_rows = job.total_rows
    if errors:
        job.status, job.errors, job.created_rows = "failed", errors, 0
    else:
        job.status, job.created_rows = "done", created
    return job.status
