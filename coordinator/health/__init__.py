"""Health check: database, Redis, workers and queue depths."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register /healthz."""
    from coordinator.health import views

    app.register_blueprint(views.bp)
