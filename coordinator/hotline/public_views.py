"""The public's pages: the report form (no sign-in, anonymous allowed,
phone-sized) and the status lookup. Each answers HTML to a plain form post
and JSON to the page's script (`Accept: application/json`), which keeps an
unsent report on the phone and sends it again."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from coordinator import database
from coordinator.auth.security import client_address
from coordinator.authz import public
from coordinator.common.errors import Invalid, TooManyAttempts
from coordinator.events.service import jsonable
from coordinator.extensions import db
from coordinator.hotline import intake, privacy
from coordinator.hotline import public as service
from coordinator.hotline.models import CATEGORIES, Report
from coordinator.hotline.settings import value

bp = Blueprint("public_report", __name__)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _answer(template: str, status: int, body: dict[str, Any], headers: dict | None = None, **context):
    if _wants_json():
        resp = make_response(jsonify(jsonable(body)), status)
    else:
        resp = make_response(render_template(template, **context), status)
    for key, val in (headers or {}).items():
        resp.headers[key] = val
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _form_page(status: int = 200, error: Invalid | None = None, message: str | None = None, headers=None):
    text = message or (error.message if error else None)
    body = {
        "code": status,
        "message": text,
        "errors": {error.field: [error.message]} if error and error.field else None,
    }
    return _answer(
        "hotline/report_form.html",
        status,
        body,
        headers,
        token=request.form.get("form_token") or service.new_form_token(),
        categories=CATEGORIES,
        values=request.form,
        error=text,
        error_field=error.field if error else None,
    )


def _filed(report: Report, code: str, status: int):
    body = {"number": report.public_number, "lookup_code": privacy.format_code(code), "status": report.case.status}
    return _answer("hotline/report_done.html", status, body, number=body["number"], code=body["lookup_code"])


def _int(name: str) -> int | None:
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Invalid(_("Give the number of workers as a whole number."), field=name) from None


def _point() -> tuple[float | None, float | None]:
    lat, lon = request.form.get("lat", "").strip(), request.form.get("lon", "").strip()
    if not lat or not lon:
        return None, None
    try:
        return float(lat), float(lon)
    except ValueError:
        raise Invalid(_("The location from your phone could not be read."), field="location") from None


def _file(key: str):
    lat, lon = _point()
    anonymous = request.form.get("anonymous") in ("on", "1", "true")
    return intake.file_report(
        session=db.session,
        channel="web",
        category=request.form.get("category", ""),
        description=request.form.get("description", ""),
        employer_name=request.form.get("employer_name", ""),
        settlement=request.form.get("settlement", ""),
        lat=lat,
        lon=lon,
        workers_affected=_int("workers_affected"),
        anonymous=anonymous,
        reporter_name=request.form.get("reporter_name"),
        reporter_contact=request.form.get("reporter_contact"),
        issue_code=True,
        submission_key=key,
    )


@bp.route("/report", methods=["GET", "POST"])
@public
def report():
    """The public report form; a post files the report (committed before the
    answer), which gives the case number and the status-lookup code."""
    if request.method == "GET":
        return _form_page()
    address = client_address()
    limit = service.report_limit()
    try:
        limit.check(address)
        key, age = service.read_form_token(request.form.get("form_token"))
        earlier = service.already_filed(session=db.session, submission_key=key)
        if earlier is not None:  # the same form again: its first answer was lost
            return _filed(earlier, privacy.new_lookup_code(key), 200)
        if request.form.get(service.HONEYPOT) or age < value("HOTLINE_MIN_FILL_SECONDS"):
            limit.hit(address)
            return _form_page(400, message=_("Your report could not be accepted. Check it and send it again."))
        filed = _file(key)
        database.commit_keeping(db.session)
    except TooManyAttempts as exc:
        db.session.rollback()
        retry = str(exc.extra["retry_after"])
        return _form_page(
            429, message=_("Too many reports from your connection. Try again later."), headers={"Retry-After": retry}
        )
    except Invalid as exc:
        db.session.rollback()
        return _form_page(422 if exc.field != "form" else 400, error=exc)
    except IntegrityError:  # a twin of this form committed first
        db.session.rollback()
        earlier = service.already_filed(session=db.session, submission_key=key)
        return _filed(earlier, privacy.new_lookup_code(key), 200)
    limit.hit(address)
    return _filed(filed, filed.lookup_code, 201)


@bp.route("/report/status", methods=["GET", "POST"])
@public
def status():
    """The reporter's lookup: case number and code show the status and the
    public steps; a wrong code answers as an unknown number does."""
    if request.method == "GET":
        return _answer("hotline/report_status.html", 200, {}, found=None, asked=False)
    address = client_address()
    limit = service.lookup_limit()
    try:
        limit.check(address)
    except TooManyAttempts as exc:
        message = _("Too many lookups from your connection. Try again later.")
        headers = {"Retry-After": str(exc.extra["retry_after"])}
        return _answer(
            "hotline/report_status.html",
            429,
            {"code": 429, "message": message},
            headers,
            found=None,
            asked=True,
            error=message,
        )
    found = service.lookup(session=db.session, number=request.form.get("number", ""), code=request.form.get("code", ""))
    if found is None:
        limit.hit(address)
        message = _("No report matches this case number and code. Check both and try again.")
        return _answer(
            "hotline/report_status.html", 404, {"code": 404, "message": message}, found=None, asked=True, error=message
        )
    return _answer("hotline/report_status.html", 200, service.describe_lookup(found), found=found, asked=True)
