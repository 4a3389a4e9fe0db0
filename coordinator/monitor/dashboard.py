"""RQ's dashboard (rq-dashboard) at /admin/rq, for the `admin` role only: its
views are declared through coordinator.authz like every other view, so any
other role gets 403 and an anonymous visitor is sent to sign in.

Its pages run an inline script and compile underscore templates at run time,
which the app's CSP forbids; its own responses get a policy that allows
exactly those inline scripts (by hash) and `unsafe-eval`, nothing else. In a
browser its delete and requeue buttons post without our CSRF token and are
refused: the dashboard is for looking (an admin's bearer token may use them)."""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any

import rq_dashboard
from flask import Flask, Response, current_app, request
from redis.exceptions import ResponseError
from rq.exceptions import NoSuchJobError
from rq_dashboard.web import setup_rq_connection
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound as HttpNotFound
from werkzeug.routing import IntegerConverter

from coordinator import authz
from coordinator.api.errors import handle_domain_error
from coordinator.common.errors import NotFound
from coordinator.headers import content_security_policy
from coordinator.i18n import N_

PREFIX = "/admin/rq"
_BLUEPRINT = "rq_dashboard"
_INLINE = re.compile(rb"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.S)


def _policy(body: bytes, tile_url: str) -> str:
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(code).digest()).decode() + "'"
        for attrs, code in _INLINE.findall(body)
        if code.strip() and b"text/template" not in attrs
    ]
    base = content_security_policy(tile_url)
    # Bootstrap's markup in the dashboard carries style attributes.
    base = base.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    return base.replace("script-src 'self'", " ".join(["script-src 'self' 'unsafe-eval'", *hashes]))


def _csp(response: Response) -> Response:
    if request.blueprint == _BLUEPRINT and response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = _policy(response.get_data(), current_app.config["TILE_URL"])
    return response


def _own_copy(view: Callable) -> Callable:
    """A wrapper to carry the access rule (its static view is a bound method,
    and the library's functions are shared by every app in the process). A
    job or queue gone from Redis (finished jobs expire) is a 404, not a 500."""

    @functools.wraps(view)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except (NoSuchJobError, ResponseError):
            return handle_domain_error(NotFound(N_("That job or queue is no longer in Redis.")))

    return run


def _post_only(view: Callable) -> Callable:
    """The dashboard lets a GET requeue every failed job of a queue: a link on
    another site would do it with an admin's cookie (GETs carry no CSRF
    token). Changes are POSTs here. Checked in the view, so the role check
    comes first and a non-admin gets 403 whatever the method."""

    @functools.wraps(view)
    def run(*args: Any, **kwargs: Any) -> Any:
        if request.method != "POST":
            raise MethodNotAllowed(valid_methods=["POST"])
        return view(*args, **kwargs)

    return run


def _one_instance(endpoint: str | None, values: dict[str, Any] | None) -> None:
    # We give the dashboard one Redis, instance 0; another number would be its
    # LookupError (a 500), so it is a 404 here, before its own hooks run.
    if endpoint and endpoint.startswith(_BLUEPRINT + ".") and (values or {}).get("instance_number", 0) != 0:
        raise HttpNotFound()


def init_app(app: Flask) -> None:
    app.config.setdefault("RQ_DASHBOARD_REDIS_URL", app.config["REDIS_URL"])
    app.config.setdefault("RQ_DASHBOARD_POLL_INTERVAL", 5000)
    # The app's `int` converter refuses 0 (ids start at 1); the dashboard
    # numbers its Redis instances from 0, so its rules get werkzeug's own.
    ours = app.url_map.converters["int"]
    app.url_map.converters["int"] = IntegerConverter
    try:
        app.register_blueprint(rq_dashboard.blueprint, url_prefix=PREFIX)
    finally:
        app.url_map.converters["int"] = ours
    setup_rq_connection(app)
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.startswith(_BLUEPRINT + "."):
            own = _own_copy(view)
            if endpoint == f"{_BLUEPRINT}.requeue_all":
                own = _post_only(own)
            app.view_functions[endpoint] = authz.allow("admin")(own)
    app.after_request(_csp)
    app.url_value_preprocessor(_one_instance)
