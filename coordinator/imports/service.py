"""CSV imports: every row is validated by the same service that creates it,
inside one transaction; any error rolls back the lot, so a bad file writes
nothing. Progress goes to Redis as the rows are read, so a page can show it."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError
from sqlalchemy.orm import Session

from coordinator.auth.models import User
from coordinator.common.errors import DomainError, Invalid, NotFound
from coordinator.imports.models import IMPORT_KINDS, ImportJob
from coordinator.redis_conn import get_redis

MAX_ROWS = 20000
PROGRESS_EVERY = 25

# kind -> (row schema, creator(session, user, row) -> created id); filled by the domains.
HANDLERS: dict[str, tuple[type[Schema], Callable[[Session, User, dict[str, Any]], int]]] = {}


def register(kind: str, schema: type[Schema], create: Callable[[Session, User, dict[str, Any]], int]) -> None:
    HANDLERS[kind] = (schema, create)


def _key(import_id: int) -> str:
    return f"birlik:import:{import_id}"


def create(*, session: Session, user: User, kind: str, filename: str, raw: bytes) -> ImportJob:
    """Store an uploaded file as an import job; raises Invalid for a file that is not CSV."""
    if kind not in IMPORT_KINDS:
        raise Invalid(f"Unknown import kind '{kind}'.", field="kind")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid("The file is not UTF-8 text. Save it as CSV (UTF-8) and try again.", field="file") from exc
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise Invalid("The file is empty.", field="file")
    expected = set(HANDLERS[kind][0]().fields)
    unknown = [h for h in header if h.strip() not in expected]
    if unknown:
        raise Invalid(f"Unknown columns: {', '.join(unknown)}. Allowed: {', '.join(sorted(expected))}.", field="file")
    rows = sum(1 for _ in reader)
    if rows == 0:
        raise Invalid("The file has a header but no rows.", field="file")
    if rows > MAX_ROWS:
        raise Invalid(f"The file has {rows} rows; at most {MAX_ROWS} at a time.", field="file")
    job = ImportJob(kind=kind, filename=filename[:255], content=text, total_rows=rows, created_by_id=user.id)
    session.add(job)
    session.flush()
    return job


def progress(*, session: Session, user: User, import_id: int) -> dict[str, Any]:
    """The import's state, with live progress while it runs."""
    job = session.get(ImportJob, import_id)
    if job is None or (job.created_by_id != user.id and user.role != "admin"):
        raise NotFound(f"No import with id {import_id}.")
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


def run(*, session: Session, import_id: int) -> str:
    """Validate and create every row; all or nothing. Returns the final status."""
    job = session.get(ImportJob, import_id)
    if job is None or job.status in ("done", "failed"):
        return job.status if job else "missing"
    schema_cls, creator = HANDLERS[job.kind]
    user = session.get(User, job.created_by_id)
    job.status = "running"
    session.commit()
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
    if errors:
        session.rollback()
        job = session.get(ImportJob, import_id)
        job.status, job.errors, job.processed_rows, job.created_rows = "failed", errors, job.total_rows, 0
    else:
        job.status, job.processed_rows, job.created_rows = "done", job.total_rows, len(created)
    session.commit()
    if job.status == "done" and job.kind == "placements":
        from workers.jobs import dispatch_placement

        for placement_id in created:
            dispatch_placement.enqueue(placement_id)
    return job.status
