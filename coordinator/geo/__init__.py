"""Geography: regions, offline gazetteer, distances."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the regions and geocoding API."""
    from coordinator.api import register_api
    from coordinator.geo import api

    register_api(api.blp)
