"""Periodic jobs: every worker knows the ticks (aligned to the clock), may
queue a tick's run, and the first run to claim the tick in the database does
the work; the others return at once. So a periodic job runs once per tick
however many workers there are, and a tick missed while Redis was away is
run as soon as it returns."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from coordinator.common.clock import now
from coordinator.extensions import db
from coordinator.queue import Periodic
from coordinator.queue.models import PeriodicRun

SKIPPED = "skipped: another worker ran this tick"


def every(spec: Periodic) -> int:
    """The spec's interval, or the test/demo override `PERIODIC_EVERY` when set."""
    return int(current_app.config.get("PERIODIC_EVERY") or spec.every)


def current_tick(spec: Periodic, at: float | None = None) -> int:
    """The index of the tick that `at` (default: now) falls in."""
    return int((at if at is not None else time.time()) // every(spec))


def _spec_of(fn: Callable) -> Periodic:
    from coordinator.queue import periodic_jobs

    for spec, job_fn in periodic_jobs(current_app):
        if job_fn is fn or getattr(job_fn, "__wrapped__", None) is fn:
            return spec
    raise KeyError(f"{fn.__name__} is not a periodic job")


_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def run_once(fn: Callable, tick: int, work: Callable[[], Any]) -> Any:
    """Claim (job, tick) and do the work; a second claim of the tick is skipped."""
    spec = _spec_of(fn)
    # Every worker claims every tick, and all but one lose: a plain INSERT's
    # unique violation put an ERROR line in PostgreSQL's log for each loser,
    # every tick, which buried the real ones. A conflict here is no error.
    insert = _INSERTS[db.session.get_bind().dialect.name]
    run_id = db.session.scalar(
        insert(PeriodicRun)
        .values(job_id=spec.id, tick=tick, started_at=now())
        .on_conflict_do_nothing(index_elements=["job_id", "tick"])
        .returning(PeriodicRun.id)
    )
    db.session.commit()
    if run_id is None:
        db.session.remove()
        return SKIPPED
    result = work()
    finished = db.session.get(PeriodicRun, run_id)
    finished.finished_at = now()
    db.session.commit()
    db.session.remove()
    return result


def prune(*, session, keep_days: int = 2) -> int:
    """Forget runs older than `keep_days`. The caller commits."""
    from datetime import timedelta

    from sqlalchemy import delete

    result = session.execute(delete(PeriodicRun).where(PeriodicRun.started_at < now() - timedelta(days=keep_days)))
    return result.rowcount or 0


def last_runs() -> dict[str, Any]:
    """When each periodic job last ran (started), for /healthz."""
    from sqlalchemy import func

    rows = db.session.execute(select(PeriodicRun.job_id, func.max(PeriodicRun.started_at)).group_by(PeriodicRun.job_id))
    return {job_id: started for job_id, started in rows}
