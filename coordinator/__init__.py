"""Birlik coordinator: the web app, API and realtime hub."""

from __future__ import annotations

import importlib
from typing import Any

from flask import Flask, has_request_context, request, session
from flask_login import current_user

from config.settings import BaseConfig, from_env


def _configure(app: Flask, config: dict[str, Any] | type | None) -> None:
    env = from_env()
    app.config.from_object(env.pop("_CLASS"))
    app.config.update(env)
    if isinstance(config, type):
        app.config.from_object(config)
    elif config:
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("Set BIRLIK_SECRET_KEY: production needs its own secret.")
    if not app.config.get("REDIS_URL"):
        from coordinator import embedded_redis

        app.config["REDIS_URL"] = embedded_redis.ensure(app.config["VAR_DIR"])
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]


def _locale() -> str:
    langs = BaseConfig.LANGUAGES
    if not has_request_context():
        return "en"  # a job or the CLI: English, the language of stored fallbacks and logs
    if current_user and current_user.is_authenticated and current_user.locale in langs:
        return current_user.locale
    if session.get("lang") in langs:
        return session["lang"]
    return request.accept_languages.best_match(langs) or "en"


# The domains and screens, in the order their init_app runs. Each registers
# its own blueprints, pages, CSV handlers, jobs and hooks; nothing else does.
DOMAINS = (
    "coordinator.auth",
    "coordinator.geo",
    "coordinator.events",
    "coordinator.imports",
    "coordinator.headquarters",
    "coordinator.housing",
    "coordinator.field",
    "coordinator.supplies",
    "coordinator.hotline",
    "coordinator.alerts",
    "coordinator.hq_screen",
    "coordinator.situation",
    "coordinator.health",
)


def create_app(config: dict[str, Any] | type | None = None) -> Flask:
    """Build the app: settings, then each subsystem's init_app, then each domain's."""
    app = Flask(__name__, static_folder="../static", static_url_path="/static")
    _configure(app, config)

    import coordinator.models  # noqa: F401  (every table, before the engine is used)
    from coordinator import (
        api,
        authz,
        cli,
        database,
        headers,
        i18n,
        localtime,
        monitor,
        pages,
        proxies,
        queue,
        realtime,
        redis_conn,
        vendor,
    )
    from coordinator.auth import security
    from coordinator.events import service as event_service

    database.init_app(app)
    redis_conn.init_app(app)
    headers.init_app(app)
    i18n.init_app(app, _locale)
    localtime.init_app(app)
    security.init_app(app)
    authz.init_app(app)
    security.init_csrf(app)
    event_service.init_app(app)
    queue.init_app(app)
    realtime.init_app(app)
    api.init_app(app)
    vendor.init_app(app)
    cli.init_app(app)
    pages.init_app(app)
    for name in DOMAINS:
        importlib.import_module(name).init_app(app)
    monitor.init_app(app)  # after every route and the realtime layer
    proxies.init_app(app)  # last: the outermost WSGI layer
    return app
