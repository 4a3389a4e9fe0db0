"""Queue policy in one place: queue names, timeouts, retries, and the `job`
decorator. Jobs take ids, open their own app context and call services."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import current_app, has_app_context
from redis import Redis
from rq import Queue, Retry

DEFAULT_RETRY = Retry(max=3, interval=[5, 30, 120])
FAILURE_TTL = 7 * 24 * 3600


def connection() -> Redis:
    return current_app.extensions["birlik_redis"]


def get_queue(name: str = "default") -> Queue:
    return Queue(name, connection=connection(), default_timeout=current_app.config["JOB_TIMEOUT"])


def _app_factory():
    # Imported lazily so importing a jobs module never builds an app.
    from coordinator import create_app

    return create_app()


def _in_session(fn: Callable, args: tuple, kwargs: dict) -> Any:
    from coordinator.extensions import db

    try:
        return fn(*args, **kwargs)
    finally:
        # End the job's transaction whatever happened: a worker idling between
        # jobs must not hold a transaction (on SQLite, the write lock) open.
        db.session.remove()


def job(queue: str = "default", *, retry: Retry | None = DEFAULT_RETRY) -> Callable:
    """Mark a function as a job. `fn.enqueue(*ids)` puts it on its queue; when
    a worker runs it outside an app context, it builds one first."""

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            if not has_app_context():
                with _app_factory().app_context():
                    return _in_session(fn, args, kwargs)
            return _in_session(fn, args, kwargs)

        def enqueue(*args: Any, job_id: str | None = None, **kwargs: Any):
            return get_queue(queue).enqueue(
                run, args=args, kwargs=kwargs, job_id=job_id, retry=retry, failure_ttl=FAILURE_TTL
            )

        def enqueue_in(seconds: float, *args: Any, **kwargs: Any):
            from datetime import timedelta

            return get_queue(queue).enqueue_in(
                timedelta(seconds=seconds), run, args=args, kwargs=kwargs, retry=retry, failure_ttl=FAILURE_TTL
            )

        run.enqueue = enqueue  # type: ignore[attr-defined]
        run.enqueue_in = enqueue_in  # type: ignore[attr-defined]
        run.queue_name = queue  # type: ignore[attr-defined]
        return run

    return decorate
