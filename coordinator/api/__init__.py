"""The JSON API under /api/v1: OpenAPI via flask-smorest, error handling and
idempotency. Each domain package contributes its own blueprint."""

from __future__ import annotations

from flask import Flask

from coordinator.api import errors, idempotency
from coordinator.extensions import api

PREFIX = "/api/v1"


def init_app(app: Flask) -> None:
    from coordinator.alerts.api import blp as alerts_blp
    from coordinator.auth.api import blp as auth_blp
    from coordinator.events.api import blp as events_blp
    from coordinator.field.api import blp as field_blp
    from coordinator.field.api import tasks_blp
    from coordinator.geo.api import blp as geo_blp
    from coordinator.housing import csv_rows
    from coordinator.housing.api import blp as housing_blp
    from coordinator.housing.placement_api import blp as placements_blp
    from coordinator.housing.placement_api import imports_blp
    from coordinator.hq.api import blp as hq_blp
    from coordinator.situation.api import blp as map_blp
    from coordinator.supplies.api import blp as supplies_blp

    api.init_app(app, spec_kwargs={"info": {"description": "Birlik emergency-response coordination API."}})
    if "bearerAuth" not in api.spec.components.security_schemes:
        api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for blp in (
        auth_blp,
        geo_blp,
        events_blp,
        hq_blp,
        housing_blp,
        placements_blp,
        imports_blp,
        supplies_blp,
        field_blp,
        tasks_blp,
        map_blp,
        alerts_blp,
    ):
        api.register_blueprint(blp, url_prefix=PREFIX + blp.url_prefix)
    csv_rows.register()
    errors.init_app(app)
    idempotency.init_app(app)
