"""Serves front-end libraries installed by npm (node_modules), so no page
fetches anything from a CDN."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, abort, send_from_directory

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"
# Only these packages are exposed; the rest of node_modules stays private.
PACKAGES = {"leaflet", "leaflet.markercluster", "socket.io-client", "swagger-ui-dist", "chart.js", "idiomorph"}

bp = Blueprint("vendor", __name__)


@bp.route("/vendor/<package>/<path:filename>")
def asset(package: str, filename: str):
    if package not in PACKAGES:
        abort(404)
    return send_from_directory(NODE_MODULES / package, filename, max_age=86400)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
