"""Prometheus series, in prometheus_client's multiprocess mode: every gunicorn
worker and every RQ worker writes its values to files under one directory
(`BIRLIK_METRICS_DIR`, by default `<BIRLIK_VAR_DIR>/prometheus`; it becomes
`PROMETHEUS_MULTIPROC_DIR`), and a
scrape of /metrics in any web process adds them all up. Files of processes
that no longer run are removed when gunicorn's master starts
(`gunicorn_hooks.on_starting`).

prometheus_client picks its storage when it is first imported, so nothing
imports it before `setup` has set the directory; until then (and in a
process that never calls `setup`) every recording function does nothing."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ENV = "PROMETHEUS_MULTIPROC_DIR"
# Event types that are dispatch decisions: (domain, outcome). Counted when the
# event is published, i.e. once its transaction has committed.
DECISIONS = {
    "placement.assigned": ("housing", "placed"),
    "placement.waiting": ("housing", "waiting"),
    "placement.reoptimised": ("housing", "moved_nearer"),
    "task.offered": ("field", "offered"),
    "task.offer_expired": ("field", "offer_expired"),
    "task.needs_hq": ("field", "needs_hq"),
}
# Seconds: requests and dispatch jobs take milliseconds, imports and routing minutes.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
JOB_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0, 60.0, 300.0)

_series: dict[str, Any] = {}


def directory(metrics_dir: str, var_dir: str) -> str:
    """The multiprocess directory: METRICS_DIR if set, else under var/. (An
    inherited PROMETHEUS_MULTIPROC_DIR is not trusted: a test server started
    from a test process would share that process's files.)"""
    return metrics_dir or str(Path(var_dir) / "prometheus")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def clean(path: str) -> None:
    """Remove the files of processes that no longer run (when gunicorn's
    master starts). Not every file: a worker started beside the web server
    (`make demo` starts both at once) may already have written its own, and
    a file removed under it would swallow what it counts from then on."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    for file in folder.glob("*.db"):
        pid = file.stem.rpartition("_")[2]
        if not pid.isdigit() or not _alive(int(pid)):
            file.unlink(missing_ok=True)


def setup(path: str) -> None:
    """Point prometheus_client at the shared directory and define the series
    (once per process)."""
    if _series:
        return
    os.environ[ENV] = path
    Path(path).mkdir(parents=True, exist_ok=True)
    from prometheus_client import Counter, Gauge, Histogram

    _series.update(
        requests=Histogram(
            "birlik_http_request_duration_seconds",
            "Web request latency by route (the URL rule), method and status.",
            ["route", "method", "status"],
            buckets=LATENCY_BUCKETS,
        ),
        refused=Counter("birlik_http_requests_refused_total", "Requests refused with 503: the process was full."),
        gone=Counter("birlik_http_requests_abandoned_total", "Requests dropped unworked: the client had gone."),
        sockets=Gauge("birlik_open_sockets", "Open, signed-in Socket.IO connections.", multiprocess_mode="livesum"),
        events=Counter("birlik_events_emitted_total", "Events published to Socket.IO rooms, by type.", ["type"]),
        job_seconds=Histogram(
            "birlik_job_duration_seconds", "Background job run time, by job name.", ["job"], buckets=JOB_BUCKETS
        ),
        job_failures=Counter("birlik_job_failures_total", "Background job runs that raised, by job name.", ["job"]),
        decisions=Counter(
            "birlik_dispatch_decisions_total", "Dispatch decisions by domain and outcome.", ["domain", "outcome"]
        ),
    )


def request_done(route: str, method: str, status: int, seconds: float) -> None:
    if _series:
        _series["requests"].labels(route, method, str(status)).observe(seconds)


def refused() -> None:
    if _series:
        _series["refused"].inc()


def abandoned() -> None:
    if _series:
        _series["gone"].inc()


def socket_opened() -> None:
    if _series:
        _series["sockets"].inc()


def socket_closed() -> None:
    if _series:
        _series["sockets"].dec()


def event_emitted(type_: str) -> None:
    if not _series:
        return
    _series["events"].labels(type_).inc()
    decision = DECISIONS.get(type_)
    if decision:
        _series["decisions"].labels(*decision).inc()


@contextmanager
def job_run(name: str) -> Iterator[None]:
    """Time a job run; count it as failed if it raises."""
    start = time.perf_counter()
    try:
        yield
    except BaseException:
        if _series:
            _series["job_failures"].labels(name).inc()
        raise
    finally:
        if _series:
            _series["job_seconds"].labels(name).observe(time.perf_counter() - start)


def exposition(queue_depths: Callable[[], dict[str, dict[str, int]]]) -> tuple[bytes, str]:
    """Every process's series added up, plus the queue depths read now."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
    from prometheus_client.core import GaugeMetricFamily

    class Queues:
        def collect(self):
            depth = GaugeMetricFamily("birlik_queue_depth", "Jobs waiting in each RQ queue.", labels=["queue"])
            failed = GaugeMetricFamily(
                "birlik_queue_failed_jobs", "Jobs in each RQ queue's failed registry.", labels=["queue"]
            )
            for name, counts in queue_depths().items():
                depth.add_metric([name], counts["queued"])
                failed.add_metric([name], counts["failed"])
            yield depth
            yield failed

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(Queues())
    return generate_latest(registry), CONTENT_TYPE_LATEST


def process_dead(pid: int) -> None:
    """Drop a dead process's live gauges (its counters still count)."""
    if os.environ.get(ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
