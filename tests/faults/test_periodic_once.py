"""With three workers, each periodic job runs once per tick: every worker
queues each tick, and only the run that claims it does the work; the others
return at once, and nothing fails (before, two of three snapshot runs failed
with a unique violation)."""

from __future__ import annotations

from rq.job import Job
from rq.registry import FailedJobRegistry, FinishedJobRegistry
from sqlalchemy import func, select

from coordinator.queue import connection, periodic
from coordinator.queue.models import PeriodicRun

TICK = 2


def test_three_workers_run_each_periodic_job_once_per_tick(app, make, db_session, workers, wait_for, request):
    make.facility("almaty", beds={"standard": 10})
    # Losing a claim is no error: before, PostgreSQL logged a unique
    # violation for every losing worker, every tick. (Read in the suite's
    # own cluster; a server given by BIRLIK_TEST_POSTGRES_URL has no log here.)
    on_postgres = app.config["DATABASE_URL"].startswith("postgresql")
    server_log = request.getfixturevalue("postgres_log") if on_postgres else None
    logged_before = server_log.stat().st_size if server_log is not None else 0
    procs = workers(3, PERIODIC_EVERY=str(TICK))

    def ticks_run() -> int:
        db_session.expire_all()
        return db_session.scalar(select(func.count(func.distinct(PeriodicRun.tick)))) or 0

    assert wait_for(lambda: ticks_run() >= 4, timeout=60)
    # Stop the workers the way a supervisor does (SIGTERM: each finishes the
    # job in hand), so no tick's winning run is still going when we read: a
    # skipped copy that finished first put the job in the finished registry
    # while the winner was still at work.
    for proc in procs:
        proc.terminate()
    for proc in procs:
        assert proc.wait(timeout=60) == 0
    db_session.expire_all()
    claimed = db_session.execute(select(PeriodicRun.job_id, PeriodicRun.tick)).all()
    assert len(claimed) == len(set(claimed))
    finished = db_session.execute(
        select(PeriodicRun.job_id, PeriodicRun.tick).where(PeriodicRun.finished_at.is_not(None))
    ).all()

    with app.app_context():
        conn = connection()
        executions, worked = 0, {}
        for queue in ("dispatch", "default"):
            assert FailedJobRegistry(queue, connection=conn).get_job_ids() == [], "no run failed"
            for job_id in FinishedJobRegistry(queue, connection=conn).get_job_ids():
                if not job_id.startswith("periodic-"):
                    continue
                results = Job.fetch(job_id, connection=conn).results()
                executions += len(results)
                worked[job_id] = sum(1 for r in results if r.return_value != periodic.SKIPPED)
    # Each (job, tick) did its work exactly once, though it ran more often than that.
    assert worked and set(worked.values()) == {1}, worked
    assert executions > len(worked), "the other workers' copies should have run (and been skipped)"
    assert {f"periodic-{job}-{tick}" for job, tick in finished} <= set(worked)
    if server_log is not None:
        with server_log.open(errors="replace") as log:
            log.seek(logged_before)
            assert "periodic_runs" not in log.read()
