"""Operational headquarters: the registry, scheduled status reports, silence."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the headquarters API and the silence job."""
    from coordinator import queue
    from coordinator.api import register_api
    from coordinator.headquarters import api, jobs

    register_api(api.blp)
    queue.register(app, *jobs.JOBS, periodic=jobs.PERIODIC)
