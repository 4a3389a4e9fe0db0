"""Turns domain errors and HTTP errors into responses, in one place: JSON
under /api/, an HTML page elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from coordinator.common.errors import DomainError
from coordinator.events.service import jsonable
from coordinator.extensions import db


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz" or request.is_json


def _respond(
    status: int, message: str, errors: dict | None = None, headers: dict | None = None, extra: dict | None = None
):
    if _wants_json():
        body = {"code": status, "message": message, **(extra or {})}
        if errors:
            body["errors"] = errors
        resp = jsonify(body)
    else:
        resp = render_template("error.html", status=status, message=message, errors=errors)
        resp = (resp, status)
        from flask import make_response

        resp = make_response(resp)
    resp.status_code = status
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def handle_domain_error(exc: DomainError):
    db.session.rollback()
    errors = {exc.field: [exc.message]} if exc.field else None
    extra = dict(exc.extra)
    headers = {"Retry-After": str(extra.pop("retry_after"))} if "retry_after" in extra else None
    # Extra facts (such as a task's current state with a 409) go into the JSON body.
    return _respond(exc.status, exc.message, errors, headers, jsonable(extra))


def handle_http_error(exc: HTTPException):
    db.session.rollback()
    data = getattr(exc, "data", None) or {}
    errors = data.get("messages") or data.get("errors")
    message = data.get("message") or exc.description or exc.name
    if exc.code == 422 and errors:
        message = "Some fields are not valid: " + _field_list(errors)
    if exc.code == 413:
        message = "The request body is too large."
    return _respond(exc.code or 500, message, errors)


def _field_list(errors: dict) -> str:
    names: list[str] = []
    for location in errors.values():
        if isinstance(location, dict):
            names.extend(str(k) for k in location)
    return ", ".join(names) or "see errors"


def handle_csrf_error(exc: CSRFError):
    return _respond(400, "The form expired or lacks its CSRF token. Reload the page and try again.")


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
