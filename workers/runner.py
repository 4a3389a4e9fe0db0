"""Worker start-up: an RQ worker with the scheduler on, plus RQ's cron
scheduler in a thread for the periodic jobs the domains registered
(`coordinator.queue.register`). Started by `flask --app coordinator worker`."""

from __future__ import annotations

import logging
import threading

from flask import Flask
from rq import SimpleWorker
from rq.cron import CronScheduler

from coordinator.geo import gazetteer
from coordinator.queue import connection, get_queue, periodic_jobs

log = logging.getLogger("birlik.worker")


def _cron(app: Flask, name: str) -> CronScheduler:
    with app.app_context():
        cron = CronScheduler(connection=connection(), name=name)
        for spec, fn in periodic_jobs(app):
            cron.register(fn, queue_name=fn.queue_name, cron=spec.cron, name=spec.id)
    return cron


def _cron_loop(cron: CronScheduler, stop: threading.Event) -> None:
    # CronScheduler.start() installs signal handlers, which only the main
    # thread may do; this is its loop without them.
    cron.register_birth()
    try:
        while not stop.is_set():
            if cron.enqueue_jobs():
                cron.save()
            cron.heartbeat()
            stop.wait(max(1.0, min(cron.calculate_sleep_interval(), 30.0)))
    finally:
        cron.register_death()


def run_worker(app: Flask, *, burst: bool = False, with_cron: bool = True) -> None:
    """Run one worker on every queue until stopped (or until empty with burst).

    Jobs run in the worker process itself (RQ's SimpleWorker), not in a forked
    horse per job: dispatch jobs take ~15 ms, and a fork per job cost ten times
    that, besides sharing database connections across the fork. Job timeouts
    still apply (SIGALRM in the main thread); a supervisor restarts a worker
    that dies."""
    with app.app_context():
        queues = [get_queue(q) for q in app.config["RQ_QUEUES"]]
        worker = SimpleWorker(queues, connection=connection())
        gazetteer.settlements()  # load it now, not inside the first job
        if with_cron and not burst:
            stop = threading.Event()
            cron = _cron(app, f"cron-{worker.name}")
            threading.Thread(target=_cron_loop, args=(cron, stop), name="rq-cron", daemon=True).start()
        try:
            worker.work(with_scheduler=True, burst=burst, logging_level="INFO")
        finally:
            if with_cron and not burst:
                stop.set()
