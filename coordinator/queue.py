"""Background work in one place: queue policy, the `job` decorator, the job
registry that each domain fills in its `init_app`, and follow-up jobs that a
service declares inside its transaction.

Who commits: the view (for a request) or the job (for background work), never
a service. A service that wants work done next calls `after_commit(session,
"place_waiting")`; the job is enqueued only if that transaction commits, and a
rollback drops it, the same way events are published. So no view and no
service imports a job, and nothing in `coordinator` imports `workers`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, has_app_context
from redis import Redis
from rq import Queue, Retry
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

DEFAULT_RETRY = Retry(max=3, interval=[5, 30, 120])
FAILURE_TTL = 7 * 24 * 3600
_PENDING = "birlik_followups"
_REGISTRY = "birlik_jobs"
_PERIODIC = "birlik_periodic"


@dataclass(frozen=True)
class Periodic:
    """A periodic job, declared as data: stable id, cron expression, job name."""

    id: str
    cron: str
    job: str


def connection() -> Redis:
    """The app's Redis connection (RQ's too)."""
    return current_app.extensions["birlik_redis"]


def get_queue(name: str = "default") -> Queue:
    """An RQ queue with the app's job timeout."""
    return Queue(name, connection=connection(), default_timeout=current_app.config["JOB_TIMEOUT"])


def _in_session(fn: Callable, args: tuple, kwargs: dict) -> Any:
    from coordinator.extensions import db

    try:
        return fn(*args, **kwargs)
    finally:
        # End the job's transaction whatever happened: a worker idling between
        # jobs must not hold a transaction (on SQLite, the write lock) open.
        db.session.remove()


def job(queue: str = "default", *, retry: Retry | None = DEFAULT_RETRY) -> Callable:
    """Mark a function as a job on `queue`. Jobs take ids, open their own
    session (the app's scoped one) and call services; they commit."""

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            if not has_app_context():
                # Workers start through the CLI (`flask --app coordinator
                # worker`), which runs every job inside the app's context.
                raise RuntimeError(f"job {fn.__name__} needs an app context: start workers with the CLI")
            return _in_session(fn, args, kwargs)

        run.job_name = fn.__name__  # type: ignore[attr-defined]
        run.queue_name = queue  # type: ignore[attr-defined]
        run.retry = retry  # type: ignore[attr-defined]
        return run

    return decorate


def register(app: Flask, *jobs: Callable, periodic: tuple[Periodic, ...] = ()) -> None:
    """Make jobs known by name to this app (each domain's `init_app` calls it)."""
    registry: dict[str, Callable] = app.extensions.setdefault(_REGISTRY, {})
    for fn in jobs:
        name = fn.job_name  # type: ignore[attr-defined]
        if registry.get(name, fn) is not fn:
            raise ValueError(f"two jobs are named {name!r}")
        registry[name] = fn
    app.extensions.setdefault(_PERIODIC, []).extend(p for p in periodic if p not in app.extensions[_PERIODIC])


def registered(name: str) -> Callable:
    """The job of that name; a KeyError names an unknown job at once."""
    try:
        return current_app.extensions[_REGISTRY][name]
    except KeyError:
        raise KeyError(f"no job named {name!r}; a domain's init_app registers it") from None


def periodic_jobs(app: Flask) -> list[tuple[Periodic, Callable]]:
    """Every periodic job with its function, for the worker's cron."""
    return [(p, app.extensions[_REGISTRY][p.job]) for p in app.extensions.get(_PERIODIC, [])]


def enqueue(name: str, *args: Any, delay: float | None = None) -> Any:
    """Put a job on its queue now (or after `delay` seconds)."""
    fn = registered(name)
    queue = get_queue(fn.queue_name)
    options = {"retry": fn.retry, "failure_ttl": FAILURE_TTL}
    if delay:
        return queue.enqueue_in(timedelta(seconds=delay), fn, args=args, **options)
    return queue.enqueue(fn, args=args, **options)


def after_commit(session: Session, name: str, *args: Any, delay: float | None = None) -> None:
    """Declare a follow-up job in the caller's transaction: it is enqueued
    when the transaction commits, once however often it was declared, and
    dropped on rollback."""
    registered(name)  # fail in the service, not later in the hook
    pending: dict[tuple, float | None] = session.info.setdefault(_PENDING, {})
    pending[(name, *args)] = delay


def _flush(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    for (name, *args), delay in (pending or {}).items():
        enqueue(name, *args, delay=delay)


def _drop(session: Session, previous) -> None:
    # Only the outermost rollback ends the transaction; a savepoint's rollback
    # (a bad CSV row) leaves the rest of it to commit or roll back.
    if previous.parent is None:
        session.info.pop(_PENDING, None)


def init_app(app: Flask) -> None:
    """Hook follow-up jobs into every session's commit (once per process)."""
    app.extensions.setdefault(_REGISTRY, {})
    app.extensions.setdefault(_PERIODIC, [])
    if not sa_event.contains(Session, "after_commit", _flush):
        sa_event.listen(Session, "after_commit", _flush)
        sa_event.listen(Session, "after_soft_rollback", _drop)
