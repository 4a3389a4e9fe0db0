"""Worker start-up: an RQ worker that runs jobs in its own process, plus one
upkeep thread that keeps the promises the queue makes:

- the outbox relay: committed outbox rows go to RQ (every half second, and
  again as soon as Redis comes back after an outage);
- events left unnumbered: on PostgreSQL an event is numbered in commit order
  just after its transaction commits; one whose process died in between is
  numbered and published here (`coordinator.events.relay`);
- periodic jobs: each tick of each job is queued by every worker and run by
  the first to claim it in the database (so once, however many workers);
- abandoned jobs: a job whose worker died (SIGKILL, power) is requeued once
  its heartbeat runs out (the dispatch queue's limit plus 5 s), or, if it
  died between taking the job and starting it, once a cleaning pass has seen
  it waiting for 5 s (`workers.dequeue`); cleaned every
  `WORKER_MAINTENANCE_SECONDS`.

No RQ scheduler process is started (delayed work waits in the outbox instead),
so a killed worker leaves no orphan holding a lock. If the upkeep thread fails
for a reason other than Redis being away, the worker exits non-zero, so its
supervisor restarts it. Started by `flask --app coordinator worker`."""

from __future__ import annotations

import gc
import logging
import os
import threading
import time

from flask import Flask
from redis.exceptions import RedisError
from rq import SimpleWorker, worker_registration
from rq.executions import Execution
from rq.job import Job
from rq.registry import clean_registries
from rq.utils import current_timestamp, now
from rq.worker import WorkerStatus
from sqlalchemy.exc import SQLAlchemyError

from coordinator import database
from coordinator.events import service as events
from coordinator.extensions import db
from coordinator.geo import gazetteer
from coordinator.queue import connection, get_queue, periodic, periodic_jobs, relay, warm_ups
from workers.dequeue import OLDEST_REDIS, BirlikQueue, Intermediate, started, supported

log = logging.getLogger("birlik.worker")
PRUNE_SECONDS = 600
UPKEEP_FAILED = 3  # exit status when the upkeep thread dies
# RQ's INFO lines for every job (taken, "Job OK", completed in N s). Each job
# already logs "job NAME(ARGS) started" and "done" with its request id
# (`coordinator.queue`), and failures stay at RQ's ERROR level: three more
# JSON lines per job only doubled the log (12,000 more in a 3,000-group surge).
_PER_JOB = frozenset(
    {
        "Worker %s: %s: %s",
        "Worker %s: %s: %s (%s)",
        "Successfully completed job %s in %ss on worker %s",
        "Successfully completed %s job in %ss on worker %s",
    }
)


def _not_per_job(record: logging.LogRecord) -> bool:
    return not (record.levelno == logging.INFO and record.msg in _PER_JOB)


class BirlikWorker(SimpleWorker):
    """Runs each job in the worker process (no fork per job: dispatch jobs
    take milliseconds and a fork cost ten times that). A running job's
    heartbeat lasts its remaining time limit plus 5 s, not RQ's fixed extra
    minute, so a job whose worker died is requeued within seconds. When Redis
    is away it tries again every 2 s at most (RQ's back-off reaches a minute),
    so work resumes within seconds of Redis coming back."""

    queue_class = BirlikQueue  # takes jobs without a moment where a death loses one
    log_result_lifespan = False  # no "result is kept for N seconds" line per job (see _PER_JOB)
    max_connection_wait_time = 2.0
    maintenance_lock_seconds = 5.0  # set from WORKER_MAINTENANCE_SECONDS

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.intermediate = Intermediate()

    def request_stop(self, signum, frame) -> None:
        """RQ's warm stop, always remembered. RQ marks it only when the
        worker is busy, else raises StopRequested where the signal lands; so
        an idle worker's loop ended as if Redis had gone away and ours
        started a fresh worker, and a StopRequested landing between dequeue
        and BUSY was swallowed: either way a supervisor's SIGTERM was ignored."""
        self._stop_requested = True
        super().request_stop(signum, frame)

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        limit = job.timeout if job.timeout and job.timeout > 0 else 60
        return max(int(limit - working_time), 1) + 5

    def prepare_execution(self, job: Job) -> Execution:
        """RQ's, plus the job's STARTED status in the same Redis transaction
        that puts it in the started registry. RQ sets the status a moment
        later; a worker killed in between (it happens under load) left an
        entry that the registry cleaning dropped without requeueing it, since
        only a STARTED job counts as abandoned: the job was lost. And out of
        the intermediate list it was moved to when taken (`workers.dequeue`),
        in the same transaction: it is always in one or the other."""
        with self.connection.pipeline() as pipeline:
            ttl = self.get_heartbeat_ttl(job)
            execution = Execution.create(job, ttl, pipeline=pipeline, worker_name=self.name)
            job.prepare_for_execution(self.name, pipeline=pipeline)
            started(job, pipeline)
            self.executions[execution.id] = execution
            self.set_state(WorkerStatus.BUSY, pipeline=pipeline)
            pipeline.execute()
        return execution

    def clean_registries(self) -> None:
        """RQ's registry cleaning, with a lock that lasts seconds instead of
        RQ's 15 minutes: a worker killed while it held the lock (the upkeep
        thread cleans every few seconds) would otherwise stop every worker
        from requeueing abandoned jobs for a quarter of an hour."""
        hold = max(int(self.maintenance_lock_seconds), 1)
        for queue in self.queues:
            if not self.connection.set(queue.registry_cleaning_key, 1, nx=True, ex=hold):
                continue  # another worker is cleaning this queue right now
            try:
                clean_registries(queue, self._exc_handlers)
                worker_registration.clean_worker_registry(queue)
                self.intermediate.clean(queue)
            finally:
                queue.release_maintenance_lock()
        self.last_cleaned_at = now()


class Upkeep:
    """The worker's upkeep loop (see the module docstring)."""

    def __init__(self, app: Flask, worker: BirlikWorker) -> None:
        self.app = app
        self.worker = worker
        self.stop = threading.Event()
        self.queued_ticks: dict[str, int] = {}
        self.last_maintenance = 0.0
        self.last_prune = 0.0

    def relay(self) -> None:
        try:
            sent = relay.sweep(session=db.session)
            db.session.commit()
            if sent:
                log.info("outbox: queued %d", sent)
        except RedisError as exc:
            db.session.rollback()
            log.warning("outbox: Redis unavailable (%s); will retry", exc)

    def checkpoint(self) -> None:
        database.checkpoint(db.engine)

    def number_events(self) -> None:
        numbered = events.sweep(engine=db.engine)
        if numbered:
            log.info("events: numbered %d that their writer left unnumbered", numbered)

    def periodic(self) -> None:
        for spec, fn in periodic_jobs(self.app):
            tick = periodic.current_tick(spec)
            if self.queued_ticks.get(spec.id) == tick:
                continue
            try:
                get_queue(fn.queue_name).enqueue(
                    fn, kwargs={"_tick": tick}, job_id=f"periodic-{spec.id}-{tick}", retry=fn.retry
                )
            except RedisError as exc:
                log.warning("periodic %s: Redis unavailable (%s); will retry", spec.id, exc)
                return
            self.queued_ticks[spec.id] = tick

    def _abandoned(self) -> bool:
        """Whether a started job's heartbeat has run out (its worker died)."""
        due = current_timestamp()
        conn = self.worker.connection
        return any(conn.zrangebyscore(q.started_job_registry.key, 0, due, start=0, num=1) for q in self.worker.queues)

    def maintenance(self) -> None:
        every = self.app.config["WORKER_MAINTENANCE_SECONDS"]
        try:
            # Also as soon as a dead worker's job is due, not up to `every`
            # later: its heartbeat (20 s on dispatch) already takes most of
            # the 30 s in which a dispatch is promised.
            if time.monotonic() - self.last_maintenance < every and not self._abandoned():
                return
            self.worker.clean_registries()  # abandoned jobs are requeued here
            self.worker.heartbeat()
        except RedisError as exc:
            log.warning("maintenance: Redis unavailable (%s)", exc)
            return
        self.last_maintenance = time.monotonic()

    def prune(self) -> None:
        if time.monotonic() - self.last_prune < PRUNE_SECONDS:
            return
        relay.prune(session=db.session)
        periodic.prune(session=db.session)
        db.session.commit()
        self.last_prune = time.monotonic()

    def loop(self) -> None:
        pause = self.app.config["OUTBOX_RELAY_SECONDS"]
        try:
            while not self.stop.is_set():
                with self.app.app_context():
                    try:
                        self.relay()
                        self.number_events()
                        self.checkpoint()
                        self.periodic()
                        self.maintenance()
                        self.prune()
                    except SQLAlchemyError as exc:
                        # The database is the source of truth: wait for it.
                        log.warning("upkeep: database unavailable (%s)", exc)
                    finally:
                        db.session.remove()
                self.stop.wait(pause)
        except BaseException:
            log.exception("upkeep thread failed; exiting so the supervisor restarts the worker")
            os._exit(UPKEEP_FAILED)


def _wait_for_redis(app: Flask) -> None:
    """A worker started while Redis is away waits for it instead of dying."""
    while True:
        try:
            connection().ping()
            return
        except RedisError as exc:
            log.warning("waiting for Redis at start-up (%s)", exc)
            time.sleep(2.0)


def _new_worker(app: Flask, queues: list) -> BirlikWorker:
    worker = BirlikWorker(queues, connection=connection())
    if _not_per_job not in worker.log.filters:
        worker.log.addFilter(_not_per_job)
    worker.maintenance_lock_seconds = app.config["WORKER_MAINTENANCE_SECONDS"]
    return worker


def run_worker(app: Flask, *, burst: bool = False) -> None:
    """Run one worker on every queue until stopped (or until empty with burst).
    Job timeouts apply (SIGALRM in the main thread). When RQ's loop gives up
    because Redis went away, a fresh worker takes over as soon as Redis is
    back; run workers under a supervisor that restarts them when they exit."""
    with app.app_context():
        _wait_for_redis(app)
        if not supported(connection()):
            raise SystemExit(f"Redis {'.'.join(map(str, OLDEST_REDIS))} or newer is needed (LMOVE): upgrade it")
        queues = [get_queue(q, queue_class=BirlikWorker.queue_class) for q in app.config["RQ_QUEUES"]]
        worker = _new_worker(app, queues)
        gazetteer.settlements()  # load it now, not inside the first job
        # What start-up loaded stays: keep the collector from walking it. A
        # full collection in the middle of a job paused it ~60-100 ms with
        # SQLite's write lock held, and every request waited with it.
        gc.freeze()
        events.number_in_background(engine=db.engine)
        try:
            _work(app, worker, queues, burst=burst)
        finally:
            events.stop_numbering()
            relay.flush_marks()


def _work(app: Flask, worker: BirlikWorker, queues: list, *, burst: bool) -> None:
    if burst:
        worker.work(with_scheduler=False, burst=True, logging_level="INFO")
        return
    for warm in warm_ups(app):  # a burst worker (tests, one-off runs) would not live to use it
        try:
            warm()
        except OSError as exc:  # e.g. TMPDIR's path too long for a socket: it is tried again when needed
            log.warning("warm-up %s failed: %s", getattr(warm, "__qualname__", warm), exc)
    upkeep = Upkeep(app, worker)
    worker.clean_registries()  # what a killed predecessor left behind
    threading.Thread(target=upkeep.loop, name="birlik-upkeep", daemon=True).start()
    try:
        while True:
            try:
                worker.work(with_scheduler=False, logging_level="INFO")
            except RedisError as exc:  # raised while registering or tearing down
                log.warning("worker loop: Redis unavailable (%s)", exc)
            if worker._stop_requested:
                return  # SIGTERM or SIGINT: a clean stop
            # RQ's loop quit on an error (Redis went away mid-job): start over.
            _wait_for_redis(app)
            worker = _new_worker(app, queues)
            upkeep.worker = worker
    finally:
        upkeep.stop.set()
