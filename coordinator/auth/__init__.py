"""Users, roles, sessions, API tokens and login throttling."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register sign-in pages and the token API."""
    from coordinator.api import register_api
    from coordinator.auth import api, views

    register_api(api.blp)
    app.register_blueprint(views.bp)
