"""The JSON API under /api/v1: OpenAPI via flask-smorest, error handling,
idempotency, the base schema, and the checks of ids and query strings. Each
domain registers its own blueprints with `register_api` from its `init_app`;
this package imports no domain."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from flask_smorest import Blueprint

from coordinator.api import errors, idempotency, ids, pagination, query
from coordinator.api.schemas import ApiError
from coordinator.common.clock import iso_utc
from coordinator.extensions import api

PREFIX = "/api/v1"
DESCRIPTION = (
    "Birlik emergency-response coordination API.\n\n"
    "Times (`date-time`) are ISO 8601 in UTC, written with `Z` (2026-11-24T08:04:01.215166Z). "
    "A time sent with an offset is converted to UTC; one sent without an offset is taken as UTC."
)


def register_api(*blueprints: Blueprint) -> None:
    """Mount a domain's API blueprints under /api/v1 (call after `init_app`)."""
    for blp in blueprints:
        api.register_blueprint(blp, url_prefix=PREFIX + blp.url_prefix)


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, with times as the API's schemas write them (ISO 8601 in
    UTC with its offset) instead of Flask's HTTP date, for a dict a view
    returns without a schema and for `tojson` in pages."""

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, datetime):
            return iso_utc(o)
        if isinstance(o, date):
            return o.isoformat()
        return DefaultJSONProvider.default(o)


def init_app(app: Flask) -> None:
    """Set up the id converter of every route (so before any route is added),
    the JSON of times, the API object, the error handlers, the query check
    and idempotency."""
    ids.init_app(app)
    app.json = JSONProvider(app)
    api.ERROR_SCHEMA = ApiError  # documents the body `errors.py` writes
    api.init_app(app, spec_kwargs={"info": {"description": DESCRIPTION}})
    if "bearerAuth" not in api.spec.components.security_schemes:
        api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    errors.init_app(app)
    query.init_app(app)
    pagination.init_app(app)
    idempotency.init_app(app)
