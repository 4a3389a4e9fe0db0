"""CSV imports: uploaded files imported by a worker, all rows or none."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the progress API and the import job (domains register their
    row handlers and upload routes)."""
    from coordinator import queue
    from coordinator.api import register_api
    from coordinator.imports import api, jobs

    register_api(api.blp)
    queue.register(app, *jobs.JOBS)
