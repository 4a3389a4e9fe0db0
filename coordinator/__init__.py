"""Birlik coordinator: the web app, API and realtime hub."""

from __future__ import annotations

from typing import Any

from flask import Flask, request, session
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
    if current_user and current_user.is_authenticated and current_user.locale in langs:
        return current_user.locale
    if session.get("lang") in langs:
        return session["lang"]
    return request.accept_languages.best_match(langs) or "en"


def create_app(config: dict[str, Any] | type | None = None) -> Flask:
    """Build the app: settings, then each subsystem's init_app, then blueprints."""
    app = Flask(__name__, static_folder="../static", static_url_path="/static")
    _configure(app, config)

    from coordinator import api, authz, cli, database, i18n, pages, realtime, redis_conn, vendor
    from coordinator.auth import security
    from coordinator.auth.views import bp as auth_bp
    from coordinator.events import service as event_service
    from coordinator.field import views as field_views
    from coordinator.health.views import bp as health_bp
    from coordinator.housing import views as housing_views
    from coordinator.situation import views as situation_views

    database.init_app(app)
    redis_conn.init_app(app)
    i18n.init_app(app, _locale)
    security.init_app(app)
    authz.init_app(app)
    security.init_csrf(app)
    event_service.init_app(app)
    realtime.init_app(app)
    api.init_app(app)
    vendor.init_app(app)
    cli.init_app(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(housing_views.bp)
    app.register_blueprint(field_views.bp)
    app.register_blueprint(situation_views.bp)
    return app
