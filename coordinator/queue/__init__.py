"""Background work in one place: queue policy, the `job` decorator, the job
registry that each domain fills in its `init_app`, follow-up jobs through the
outbox, and periodic jobs.

Database first. A service that wants work done next calls
`after_commit(session, "place_waiting")`: that writes an outbox row in the
caller's transaction, so the work exists exactly when the change does. Once
the transaction commits, the row is queued at once (`relay.send_now`); if
Redis is away, the worker's relay queues it when Redis returns. Jobs are
idempotent, so a row queued twice does no harm.

Who commits: the view (for a request) or the job (for background work), never
a service. No view or service imports a job, and nothing in `coordinator`
imports `workers`.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, has_app_context
from redis import Redis
from rq import Queue, Retry
from sqlalchemy import event as sa_event
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from coordinator import database
from coordinator.common.clock import now
from coordinator.ops import metrics, trace

# Retried at once (no RQ scheduler runs; delayed work waits in the outbox).
DEFAULT_RETRY = Retry(max=3)
FAILURE_TTL = 7 * 24 * 3600
_PENDING = "birlik_outbox"
_REGISTRY = "birlik_jobs"
_PERIODIC = "birlik_periodic"
_WARM = "birlik_warm"
log = logging.getLogger("birlik.jobs")


@dataclass(frozen=True)
class Periodic:
    """A periodic job, declared as data: stable id, every how many seconds
    (ticks are aligned to the clock, so every worker agrees on them), job name."""

    id: str
    every: int
    job: str


def connection() -> Redis:
    """The app's Redis connection (RQ's too)."""
    return current_app.extensions["birlik_redis"]


def timeout_for(queue: str) -> int:
    """Seconds a job of this queue may run. Dispatch jobs take milliseconds,
    so a short limit there also means a dead worker's job is noticed fast."""
    cfg = current_app.config
    return cfg["DISPATCH_JOB_TIMEOUT"] if queue == "dispatch" else cfg["JOB_TIMEOUT"]


def get_queue(name: str = "default", *, queue_class: type[Queue] = Queue) -> Queue:
    """An RQ queue with its job timeout (a worker's own `queue_class`: see `workers.dequeue`)."""
    return queue_class(name, connection=connection(), default_timeout=timeout_for(name))


def _in_session(fn: Callable, args: tuple, kwargs: dict) -> Any:
    from coordinator.extensions import db

    try:
        return fn(*args, **kwargs)
    except BaseException:
        # Whatever was raised (the time limit's own exception, or the error
        # of a flush it cut off), a statement cut off half way goes first.
        database.drop_if_cut_off(db.session())
        raise
    finally:
        # End the job's transaction whatever happened: a worker idling between
        # jobs must not hold a transaction (on SQLite, the write lock) open.
        db.session.remove()


def _request_id() -> str | None:
    """The request id the running RQ job carries (set when its outbox row was
    declared inside a web request), so its log lines and events carry it too."""
    from rq import get_current_job

    current = get_current_job()
    return (current.meta or {}).get("request_id") if current is not None else None


def _logged(fn: Callable, args: tuple, kwargs: dict) -> Any:
    from rq import get_current_job

    # The job's id (an outbox row's is "outbox-<row id>") ties the line to RQ's
    # registries and the outbox; RQ's own line that named it is left out.
    current = get_current_job()
    log.info("job %s%r started", fn.__name__, args, extra={"fields": {"job_id": current.id} if current else {}})
    result = _in_session(fn, args, kwargs)
    log.info("job %s%r done", fn.__name__, args)
    return result


def job(
    queue: str = "default",
    *,
    retry: Retry | None = DEFAULT_RETRY,
    timeout: str | None = None,
    covered: Callable[..., bool] | None = None,
) -> Callable:
    """Mark a function as a job on `queue`. Jobs take ids, use the app's
    session, call services and commit. A periodic run carries `_tick` and
    runs only if no other worker has claimed that tick. `timeout`: the name
    of the setting that limits this job's run, if not its queue's.
    `covered(*args)`: whether a job already coming will do this one's work,
    asked once the transaction that declared it has committed; if so it is
    not queued (its outbox row counts as sent)."""

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def run(*args: Any, _tick: int | None = None, **kwargs: Any) -> Any:
            if not has_app_context():
                # Workers start through the CLI (`flask --app coordinator
                # worker`), which runs every job inside the app's context.
                raise RuntimeError(f"job {fn.__name__} needs an app context: start workers with the CLI")
            with trace.bound(_request_id(), fn.__name__), metrics.job_run(fn.__name__):
                if _tick is None:
                    return _logged(fn, args, kwargs)
                from coordinator.queue import periodic

                return periodic.run_once(fn, _tick, lambda: _logged(fn, args, kwargs))

        run.job_name = fn.__name__  # type: ignore[attr-defined]
        run.queue_name = queue  # type: ignore[attr-defined]
        run.retry = retry  # type: ignore[attr-defined]
        run.timeout = timeout  # type: ignore[attr-defined]
        run.covered = covered  # type: ignore[attr-defined]
        return run

    return decorate


def register(
    app: Flask, *jobs: Callable, periodic: tuple[Periodic, ...] = (), warm: tuple[Callable[[], None], ...] = ()
) -> None:
    """Make jobs known by name to this app (each domain's `init_app` calls it);
    `warm`: what a long-running worker readies at start-up, so a job does not
    pay for it the first time (with the cores busy, as in a surge)."""
    registry: dict[str, Callable] = app.extensions.setdefault(_REGISTRY, {})
    for fn in jobs:
        name = fn.job_name  # type: ignore[attr-defined]
        if registry.get(name, fn) is not fn:
            raise ValueError(f"two jobs are named {name!r}")
        registry[name] = fn
    app.extensions.setdefault(_PERIODIC, []).extend(p for p in periodic if p not in app.extensions[_PERIODIC])
    app.extensions.setdefault(_WARM, []).extend(w for w in warm if w not in app.extensions[_WARM])


def registered(name: str) -> Callable:
    """The job of that name; a KeyError names an unknown job at once."""
    try:
        return current_app.extensions[_REGISTRY][name]
    except KeyError:
        raise KeyError(f"no job named {name!r}; a domain's init_app registers it") from None


def warm_ups(app: Flask) -> list[Callable[[], None]]:
    """What the domains asked a long-running worker to ready at start-up."""
    return list(app.extensions.get(_WARM, []))


def periodic_jobs(app: Flask) -> list[tuple[Periodic, Callable]]:
    """Every periodic job with its function, for the worker."""
    return [(p, app.extensions[_REGISTRY][p.job]) for p in app.extensions.get(_PERIODIC, [])]


def enqueue(name: str, *args: Any, job_id: str | None = None, request_id: str | None = None, **kwargs: Any) -> Any:
    """Put a job on its queue now (raises redis errors: callers that must not
    lose the work go through `after_commit` instead). `request_id`: the web
    request that asked for it (default: the one running now), kept in the job's meta."""
    fn = registered(name)
    request_id = request_id or trace.current()
    return get_queue(fn.queue_name).enqueue(
        fn,
        args=args,
        kwargs=kwargs,
        job_id=job_id,
        retry=fn.retry,
        job_timeout=current_app.config[fn.timeout] if fn.timeout else None,
        failure_ttl=FAILURE_TTL,
        meta={"request_id": request_id} if request_id else None,
    )


def after_commit(session: Session, name: str, *args: Any, delay: float | None = None) -> None:
    """Declare a follow-up job in the caller's transaction: an outbox row,
    queued once the transaction commits (after `delay` seconds if given);
    declared twice in one transaction, it is queued once; a rollback drops it."""
    from coordinator.queue.models import OutboxEntry

    registered(name)  # fail in the service, not later in the relay
    pending: dict[tuple, tuple[OutboxEntry, bool]] = session.info.setdefault(_PENDING, {})
    key = (name, json.dumps(args, sort_keys=True, default=str))  # args may hold lists
    if key in pending and inspect(pending[key][0]).session is session:
        return  # already declared in this transaction (and not rolled back with a savepoint)
    entry = OutboxEntry(
        job=name,
        args=list(args),
        created_at=now(),
        not_before=now() + timedelta(seconds=delay) if delay else None,
        request_id=trace.current(),
    )
    session.add(entry)
    pending[key] = (entry, bool(delay))


def _sent_now(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; the transaction has not committed yet
    pending = session.info.pop(_PENDING, None)
    if not pending or not has_app_context():
        return
    due = []
    for (name, _), (entry, delayed) in pending.items():
        identity = inspect(entry).identity  # read without SQL: the session has just committed
        if identity is not None and not delayed:
            due.append((identity[0], name, entry.args, entry.request_id))
    if due:
        from coordinator.queue import relay

        relay.send_now(due)


def _drop(session: Session, previous) -> None:
    # Only the outermost rollback ends the transaction; a savepoint's rollback
    # (a bad CSV row) leaves the rest of it to commit or roll back.
    if previous.parent is None:
        session.info.pop(_PENDING, None)


def init_app(app: Flask) -> None:
    """Queue outbox rows right after every commit (once per process)."""
    app.extensions.setdefault(_REGISTRY, {})
    app.extensions.setdefault(_PERIODIC, [])
    if not sa_event.contains(Session, "after_commit", _sent_now):
        sa_event.listen(Session, "after_commit", _sent_now)
        sa_event.listen(Session, "after_soft_rollback", _drop)
