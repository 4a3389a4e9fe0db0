"""The app's Redis connection, created once per app."""

from __future__ import annotations

from flask import Flask, current_app
from redis import Redis


def init_app(app: Flask) -> None:
    app.extensions["birlik_redis"] = Redis.from_url(
        app.config["REDIS_URL"], health_check_interval=30, socket_connect_timeout=2
    )


def get_redis() -> Redis:
    """The Redis client of the current app."""
    return current_app.extensions["birlik_redis"]
