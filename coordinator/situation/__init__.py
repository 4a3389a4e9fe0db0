"""The situation report: today's figures by region and the last 30 days."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the situation report page."""
    from coordinator.situation import views

    app.register_blueprint(views.bp)
