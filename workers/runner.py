"""Worker start-up: an RQ worker with the scheduler on, plus RQ's cron
scheduler in a thread for the periodic jobs of `workers.jobs.PERIODIC`."""

from __future__ import annotations

import logging
import os
import threading

from flask import Flask
from rq import Worker
from rq.cron import CronScheduler

from coordinator.extensions import db
from workers import jobs
from workers.queue import connection, get_queue

log = logging.getLogger("birlik.worker")


def _cron(app: Flask, name: str) -> CronScheduler:
    with app.app_context():
        cron = CronScheduler(connection=connection(), name=name)
        for job_id, expr, fn in jobs.PERIODIC:
            cron.register(fn, queue_name=fn.queue_name, cron=expr, name=job_id)
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
    Each job runs in a forked work horse, as RQ does by default."""
    with app.app_context():
        engine = db.engine
        # A forked horse must not reuse the parent's database connections.
        os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
        queues = [get_queue(q) for q in app.config["RQ_QUEUES"]]
        worker = Worker(queues, connection=connection())
        if with_cron and not burst:
            stop = threading.Event()
            cron = _cron(app, f"cron-{worker.name}")
            threading.Thread(target=_cron_loop, args=(cron, stop), name="rq-cron", daemon=True).start()
        try:
            worker.work(with_scheduler=True, burst=burst, logging_level="INFO")
        finally:
            if with_cron and not burst:
                stop.set()
