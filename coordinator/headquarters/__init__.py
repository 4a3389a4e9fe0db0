"""Operational headquarters: the registry (contacts, region, staff), the duty
roster, scheduled status reports and silence, and the status board."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the headquarters API, pages and the silence job."""
    from coordinator import queue
    from coordinator.api import register_api
    from coordinator.headquarters import api, jobs, views

    register_api(api.blp)
    app.register_blueprint(views.bp)
    queue.register(app, *jobs.JOBS, periodic=jobs.PERIODIC)
