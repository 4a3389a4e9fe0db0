"""API: the HQ registry, staff, duty shifts, status reports and the board."""

from flask_login import current_user
from flask_smorest import Blueprint

from coordinator.authz import HQ_ROLES, allow
from coordinator.extensions import db
from coordinator.headquarters import board, registry, reports, roster
from coordinator.headquarters.schemas import (
    BoardLineOut,
    HQOut,
    HQUpdate,
    PrefillOut,
    ReportQuery,
    ShiftOut,
    ShiftQuery,
    StaffIn,
    StaffOut,
    StatusIn,
    StatusOut,
)

blp = Blueprint("api_hq", __name__, url_prefix="/hqs", description="Operational headquarters")


def _hq(hq_id: int):
    return registry.get(session=db.session, user=current_user, hq_id=hq_id)


@blp.route("", methods=["GET"])
@allow(*HQ_ROLES)
@blp.response(200, HQOut(many=True))
def list_hqs():
    """HQs within the caller's scope."""
    return registry.list_hqs(session=db.session, user=current_user)


@blp.route("/board", methods=["GET"])
@allow(*HQ_ROLES)
@blp.response(200, BoardLineOut(many=True))
def status_board():
    """Every HQ in scope at a glance: last report and its age, who is on duty,
    open and breached cases (the hotline's counts), needs, the silence flag."""
    return [board.to_json(line) for line in board.rows(session=db.session, user=current_user)]


@blp.route("/<int:hq_id>", methods=["GET"])
@allow(*HQ_ROLES)
@blp.response(200, HQOut)
def get_hq(hq_id):
    """One HQ."""
    return _hq(hq_id)


@blp.route("/<int:hq_id>", methods=["PATCH"])
@allow(*HQ_ROLES)
@blp.arguments(HQUpdate)
@blp.response(200, HQOut)
def update_hq(body, hq_id):
    """Change an HQ's name and contacts (regional HQs their own only), or its
    report interval (national HQ only; 0 or null: the default)."""
    hq = registry.update(session=db.session, user=current_user, hq=_hq(hq_id), data=body)
    db.session.commit()
    return hq


@blp.route("/<int:hq_id>/staff", methods=["GET"])
@allow(*HQ_ROLES)
@blp.response(200, StaffOut(many=True))
def list_staff(hq_id):
    """The HQ's staff, leads first."""
    return roster.staff(session=db.session, hq=_hq(hq_id))


@blp.route("/<int:hq_id>/staff", methods=["POST"])
@allow(*HQ_ROLES)
@blp.arguments(StaffIn)
@blp.response(200, StaffOut)
def set_staff(body, hq_id):
    """Attach an HQ user (of the HQ's region) to its staff, or change their lead flag and position."""
    row = roster.set_staff(session=db.session, user=current_user, hq=_hq(hq_id), **body)
    db.session.commit()
    return row


@blp.route("/<int:hq_id>/staff/<int:user_id>", methods=["DELETE"])
@allow(*HQ_ROLES)
@blp.response(200, StaffOut(many=True))
def remove_staff(hq_id, user_id):
    """Take a person off the HQ's staff (and off duty there); answers with the staff left."""
    hq = _hq(hq_id)
    roster.remove_staff(session=db.session, user=current_user, hq=hq, user_id=user_id)
    db.session.commit()
    return roster.staff(session=db.session, hq=hq)


@blp.route("/<int:hq_id>/shifts", methods=["GET"])
@allow(*HQ_ROLES)
@blp.arguments(ShiftQuery, location="query")
@blp.response(200, ShiftOut(many=True))
def list_shifts(args, hq_id):
    """The HQ's shifts, newest first; open ones (ended_at null) are on duty now."""
    return roster.shifts(session=db.session, hq=_hq(hq_id), limit=args["limit"])


@blp.route("/<int:hq_id>/shifts", methods=["POST"])
@allow(*HQ_ROLES)
@blp.response(201, ShiftOut)
def sign_on(hq_id):
    """Sign yourself on duty at your HQ (409 if you are not on its staff or on duty already)."""
    shift = roster.sign_on(session=db.session, user=current_user, hq=_hq(hq_id))
    db.session.commit()
    return shift


@blp.route("/<int:hq_id>/shifts/<int:shift_id>/end", methods=["POST"])
@allow(*HQ_ROLES)
@blp.response(200, ShiftOut)
def sign_off(hq_id, shift_id):
    """Sign off duty: yourself, or anyone at an HQ you lead."""
    shift = roster.sign_off(session=db.session, user=current_user, hq=_hq(hq_id), shift_id=shift_id)
    db.session.commit()
    return shift


@blp.route("/<int:hq_id>/status-reports", methods=["GET"])
@allow(*HQ_ROLES)
@blp.arguments(ReportQuery, location="query")
@blp.response(200, StatusOut(many=True))
def list_reports(args, hq_id):
    """The HQ's status reports, newest first."""
    return reports.history(session=db.session, hq=_hq(hq_id), limit=args["limit"])


@blp.route("/<int:hq_id>/status-reports/prefill", methods=["GET"])
@allow(*HQ_ROLES)
@blp.response(200, PrefillOut)
def prefill(hq_id):
    """What a new report starts from: staff on duty by the roster, open cases by the hotline."""
    return reports.prefill(session=db.session, hq=_hq(hq_id))


@blp.route("/<int:hq_id>/status-reports", methods=["POST"])
@allow(*HQ_ROLES)
@blp.arguments(StatusIn)
@blp.response(201, StatusOut)
def report_status(body, hq_id):
    """File a status report: staff on duty, open cases, urgent needs, free text.
    It clears the HQ's silence flag."""
    report = reports.report_status(session=db.session, user=current_user, hq_id=hq_id, **body)
    db.session.commit()
    return report
