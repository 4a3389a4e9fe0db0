"""API: the HQ alert feed and acknowledgements."""

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields, validate

from coordinator.alerts import models, service
from coordinator.api import pagination
from coordinator.api.pagination import PageQuery
from coordinator.api.schemas import StrictSchema, UtcDateTime
from coordinator.authz import HQ_ROLES, allow
from coordinator.events import versions
from coordinator.extensions import db

blp = Blueprint("api_alerts", __name__, url_prefix="/alerts", description="HQ alerts")


class AlertsQuery(PageQuery):
    state = fields.String(load_default="open", validate=validate.OneOf(service.STATES))
    kind = fields.String(validate=validate.OneOf(models.KINDS), metadata={"description": "Only alerts of this kind."})


class AlertOut(StrictSchema):
    id = fields.Integer()
    kind = fields.String()
    severity = fields.String()
    region_id = fields.Integer(allow_none=True)
    subject_type = fields.String()
    subject_id = fields.Integer()
    message = fields.String(metadata={"description": "In the caller's language."})
    content = fields.Dict(
        allow_none=True,
        metadata={"description": "The message as data: msgid and params (none on alerts raised before 0010)."},
    )
    raised_at = UtcDateTime()
    acknowledged_at = UtcDateTime(allow_none=True)
    acknowledged_by = fields.String(allow_none=True)
    cleared_at = UtcDateTime(allow_none=True)


@blp.route("", methods=["GET"])
@allow(*HQ_ROLES)
@blp.arguments(AlertsQuery, location="query")
@blp.response(200, AlertOut(many=True), headers=pagination.LINK_HEADER | versions.ETAG_HEADER)
@blp.alt_response(304, **versions.NOT_MODIFIED_DOC)
@versions.conditional()
def list_alerts(args):
    """Alerts in the caller's scope, the most severe first, then newest (open: live and not yet
    acknowledged); `kind` keeps one kind."""
    found = service.list_alerts(
        session=db.session, user=current_user, state=args["state"], kind=args.get("kind"), **pagination.params(args)
    )
    return [service.to_dict(a) for a in pagination.rows(found, args)]


@blp.route("/<int:alert_id>/acknowledge", methods=["POST"])
@allow(*HQ_ROLES)
@blp.response(200, AlertOut)
def acknowledge(alert_id):
    """Acknowledge an alert: records who and when, and removes it from every feed."""
    alert = service.acknowledge(session=db.session, user=current_user, alert_id=alert_id)
    db.session.commit()
    return service.to_dict(alert)
