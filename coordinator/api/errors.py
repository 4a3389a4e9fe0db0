"""Turns domain errors and HTTP errors into responses, in one place: JSON
under /api/, an HTML page elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from coordinator.api import error_texts
from coordinator.common.errors import DomainError
from coordinator.events.service import jsonable
from coordinator.extensions import db
from coordinator.i18n import N_, text


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
        resp = render_template(
            "error.html", status=status, message=message, errors=errors, field_name=error_texts.field_name
        )
        resp = (resp, status)
        from flask import make_response

        resp = make_response(resp)
    resp.status_code = status
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def handle_domain_error(exc: DomainError):
    db.session.rollback()
    # A message the catalogue knows is read in the reader's language.
    message = text(exc.message)
    errors = {exc.field: [message]} if exc.field else None
    extra = dict(exc.extra)
    headers = {"Retry-After": str(extra.pop("retry_after"))} if "retry_after" in extra else None
    # Extra facts (such as a task's current state with a 409) go into the JSON body.
    return _respond(exc.status, message, errors, headers, jsonable(extra))


def handle_http_error(exc: HTTPException):
    db.session.rollback()
    data = getattr(exc, "data", None) or {}
    errors = data.get("messages") or data.get("errors")
    # Werkzeug's own descriptions are English: a description we gave (abort
    # with a message) is kept, the default one replaced by ours.
    own = exc.description if exc.description != type(exc).description else None
    message = data.get("message") or own or error_texts.status_text(exc.code or 500) or exc.name
    if exc.code == 422 and errors:
        # API clients get the fields' keys (as in `errors`), a page the fields' labels.
        names = _keys(errors) if _wants_json() else error_texts.field_names(errors)
        message = text(N_("Some fields are not valid: %(fields)s."), fields=", ".join(names)) if names else message
        errors = error_texts.translate_errors(errors)
    return _respond(exc.code or 500, message, errors)


def _keys(errors: dict) -> list[str]:
    return [str(k) for location in errors.values() if isinstance(location, dict) for k in location]


def handle_csrf_error(exc: CSRFError):
    return _respond(400, text(N_("The form expired or lacks its CSRF token. Reload the page and try again.")))


def init_app(app: Flask) -> None:
    from coordinator.i18n import client_texts

    client_texts(app, [N_("Request failed (%(status)s)"), N_("Some fields are not valid.")])
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
