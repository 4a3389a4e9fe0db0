"""Watching a running system, the web side: request ids and latency for every
request, the /metrics endpoint for Prometheus, the open-socket gauge, the
back-pressure middleware and the RQ dashboard (admin only, at /admin/rq).
The plumbing below it is `coordinator.ops`."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, request
from flask_socketio import SocketIO

from coordinator.extensions import socketio
from coordinator.i18n import N_, client_texts
from coordinator.monitor import dashboard, endpoint
from coordinator.ops import metrics, pressure, trace

log = logging.getLogger("birlik.request")
# What app.js and field.js say while they wait to retry a 503.
T_RETRYING = N_("The server is busy; trying again in %(seconds)s s.")


def _observe(response: Response) -> Response:
    started = request.environ.get(pressure.STARTED_KEY)
    if started is None:
        return response
    seconds = time.perf_counter() - started
    route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    metrics.request_done(route, request.method, response.status_code, seconds)
    log.info(
        "%s %s %s",
        request.method,
        route,
        response.status_code,
        extra={"fields": {"route": route, "status": response.status_code, "ms": round(seconds * 1000, 1)}},
    )
    return response


def _socket_closed(*_args) -> None:
    # Counted for connections the realtime layer accepted (it counts them in).
    from flask import session

    if session.get("socket_user_id"):
        metrics.socket_closed()


def init_app(app: Flask, io: SocketIO = socketio) -> None:
    """JSON logs, metrics, the dashboard, and the in-flight bound (call after
    every blueprint and the realtime layer, before the proxy fix)."""
    trace.configure(app.config["LOG_LEVEL"])
    metrics.setup(metrics.directory(app.config["METRICS_DIR"], app.config["VAR_DIR"]))
    app.after_request(_observe)
    client_texts(app, [T_RETRYING, pressure.T_BUSY])
    io.on_event("disconnect", _socket_closed)
    endpoint.init_app(app)
    dashboard.init_app(app)
    app.wsgi_app = pressure.Pressure(
        app.wsgi_app,
        limit=app.config["MAX_IN_FLIGHT"],
        write_limit=app.config["MAX_WRITES_IN_FLIGHT"],
        retry_after=app.config["BUSY_RETRY_SECONDS"],
    )
