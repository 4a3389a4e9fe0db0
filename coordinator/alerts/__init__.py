"""HQ alerts: raised by conditions, acknowledged by people, cleared when the condition ends."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the alerts API and the scan job."""
    from coordinator import queue
    from coordinator.alerts import api, jobs
    from coordinator.api import register_api

    register_api(api.blp)
    queue.register(app, *jobs.JOBS, periodic=jobs.PERIODIC)
