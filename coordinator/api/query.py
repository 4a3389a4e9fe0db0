"""Query strings of API routes: a parameter the route does not declare is a
422 naming it, as an unknown body field is. A route declares its parameters
with `@blp.arguments(Schema, location="query")`; a route without one takes
none. Checked once here, for every route of the API's blueprints."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import flask_smorest
from flask import Flask, current_app, request
from marshmallow import Schema


@cache
def declared(view: Callable) -> frozenset[str]:
    """The query parameters a view's `location="query"` schemas name."""
    names: set[str] = set()
    for param in getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", []):
        if param.get("in") != "query":
            continue
        schema: Schema = param["schema"]() if isinstance(param["schema"], type) else param["schema"]
        names.update(field.data_key or name for name, field in schema.load_fields.items())
    return frozenset(names)


def refuse_unknown() -> None:
    """Before each request: 422 for query parameters the API route does not declare."""
    blueprint = current_app.blueprints.get(request.blueprint or "")
    if request.endpoint is None or not isinstance(blueprint, flask_smorest.Blueprint):
        return
    unknown = sorted(set(request.args) - declared(current_app.view_functions[request.endpoint]))
    if unknown:
        flask_smorest.abort(422, messages={"query": {name: ["Unknown field."] for name in unknown}})


def init_app(app: Flask) -> None:
    app.before_request(refuse_unknown)
