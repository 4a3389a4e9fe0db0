"""The situation report: today's figures by region and the last 30 days."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the situation report page."""
    from coordinator.i18n import client_texts
    from coordinator.situation import report, views

    app.register_blueprint(views.bp)
    client_texts(app, report.LEGEND.values())  # sitrep.js's legends
