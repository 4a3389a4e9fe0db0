"""API: headquarters and their status reports."""

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields, validate

from coordinator.api.schemas import StrictSchema
from coordinator.authz import HQ_ROLES, allow
from coordinator.extensions import db
from coordinator.headquarters import reports

blp = Blueprint("api_hq", __name__, url_prefix="/hqs", description="Operational headquarters")


class HQOut(StrictSchema):
    id = fields.Integer()
    name = fields.String()
    region_id = fields.Integer(allow_none=True)
    lat = fields.Float()
    lon = fields.Float()
    last_report_at = fields.DateTime(allow_none=True)
    silent = fields.Boolean()


class StatusIn(StrictSchema):
    staff_on_duty = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=10000))
    open_cases = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1000000))
    needs = fields.String(load_default="", validate=validate.Length(max=4000))


class StatusOut(StrictSchema):
    id = fields.Integer()
    hq_id = fields.Integer()
    staff_on_duty = fields.Integer()
    open_cases = fields.Integer()
    needs = fields.String()
    created_at = fields.DateTime()


@blp.route("", methods=["GET"])
@allow(*HQ_ROLES)
@blp.response(200, HQOut(many=True))
def list_hqs():
    """HQs within the caller's scope."""
    return reports.list_hqs(session=db.session, user=current_user)


@blp.route("/<int:hq_id>", methods=["GET"])
@allow(*HQ_ROLES)
@blp.response(200, HQOut)
def get_hq(hq_id):
    """One HQ."""
    return reports.get(session=db.session, user=current_user, hq_id=hq_id)


@blp.route("/<int:hq_id>/status-reports", methods=["POST"])
@allow(*HQ_ROLES)
@blp.arguments(StatusIn)
@blp.response(201, StatusOut)
def report_status(body, hq_id):
    """File a status report: staff on duty, open cases, needs."""
    report = reports.report_status(session=db.session, user=current_user, hq_id=hq_id, **body)
    db.session.commit()
    return report
