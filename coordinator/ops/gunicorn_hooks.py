"""Gunicorn hooks for operations (config/gunicorn.py points at these): JSON
logs for gunicorn's own loggers, a metrics directory rid of dead processes
when the master starts, a dead worker's live gauges dropped, and a quick
shutdown that is quick."""

from __future__ import annotations

import logging
import os

from config.settings import from_env
from coordinator.ops import metrics, trace

LOGCONFIG = trace.logconfig(os.environ.get("BIRLIK_LOG_LEVEL", "INFO"))


def _metrics_dir() -> str:
    env = from_env()
    base = env["_CLASS"]
    return metrics.directory(env.get("METRICS_DIR", base.METRICS_DIR), env.get("VAR_DIR", base.VAR_DIR))


def on_starting(server) -> None:
    """Master start: forget the metrics of processes gone since the last run,
    and let the workers inherit the directory."""
    path = _metrics_dir()
    metrics.clean(path)
    os.environ[metrics.ENV] = path


def child_exit(server, worker) -> None:
    metrics.process_dead(worker.pid)


def worker_int(worker) -> None:
    """gunicorn's quick shutdown (SIGINT, SIGQUIT): the worker leaves now.
    Left to itself it leaves by `sys.exit`, which waits for every request
    thread, and a thread holding a socket (a page left open) never ends: the
    worker stayed until the master killed it, `graceful_timeout` (30 s)
    later. What it had not handed on yet (outbox rows to mark sent, events
    to number) the workers' sweeps take up, as after a crash."""
    logging.shutdown()
    os._exit(0)
