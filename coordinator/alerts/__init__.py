"""HQ alerts: raised by conditions, acknowledged by people, cleared when the condition ends."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the alerts API and the scan job."""
    from coordinator import queue
    from coordinator.alerts import api, jobs, service
    from coordinator.api import register_api
    from coordinator.i18n import client_texts

    register_api(api.blp)
    client_texts(app, service.TEXTS)  # the HQ screen renders live alerts in the reader's language
    queue.register(app, *jobs.JOBS, periodic=jobs.PERIODIC)
