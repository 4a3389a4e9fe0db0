"""The append-only event log, which is also the audit log."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the events API (replay over HTTP) and the ETags of conditional GETs."""
    from coordinator.api import register_api
    from coordinator.events import api, versions

    versions.init_app(app)

    register_api(api.blp)
