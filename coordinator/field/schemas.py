"""Request and response schemas of the field API."""

from marshmallow import fields, validate

from coordinator.api.schemas import Id, StrictSchema, UtcDateTime
from coordinator.field.models import TASK_KINDS


class TeamOut(StrictSchema):
    id = fields.Integer()
    name = fields.String()
    home_hq_id = fields.Integer()
    region_id = fields.Integer()
    can_deliver = fields.Boolean()
    vehicle_capacity_kg = fields.Integer()
    can_transfer = fields.Boolean()
    seats = fields.Integer()
    can_inspect = fields.Boolean()
    on_duty = fields.Boolean()
    stale = fields.Boolean()
    last_lat = fields.Float(allow_none=True)
    last_lon = fields.Float(allow_none=True)
    last_seen_at = fields.DateTime(allow_none=True)


class PositionIn(StrictSchema):
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    at = UtcDateTime(required=True)
    accuracy_m = fields.Float(validate=validate.Range(min=0))


class ShiftIn(StrictSchema):
    on_duty = fields.Boolean(required=True)


class TaskIn(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(TASK_KINDS))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    dest_lat = fields.Float(validate=validate.Range(min=-90, max=90))
    dest_lon = fields.Float(validate=validate.Range(min=-180, max=180))
    priority = fields.Integer(load_default=3, validate=validate.Range(min=1, max=5))
    deadline = UtcDateTime()
    details = fields.Dict()


class TaskOut(StrictSchema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String(attribute="display_title", metadata={"description": "In the caller's language."})
    status = fields.String()
    team_id = fields.Integer(allow_none=True)
    region_id = fields.Integer(allow_none=True)
    priority = fields.Integer()
    lat = fields.Float()
    lon = fields.Float()
    dest_lat = fields.Float(allow_none=True)
    dest_lon = fields.Float(allow_none=True)
    deadline = fields.DateTime(allow_none=True)
    details = fields.Dict(allow_none=True)
    report = fields.Dict(allow_none=True)
    fail_reason = fields.String(allow_none=True)
    needs_hq = fields.Boolean()
    status_reason = fields.String(
        attribute="reason_text",
        allow_none=True,
        metadata={"description": "Why the task needs HQ, or why dispatch closed it, in the caller's language."},
    )
    offer_attempts = fields.Integer()
    offer_expires_at = fields.DateTime(allow_none=True)
    source_type = fields.String(allow_none=True)
    source_id = fields.Integer(allow_none=True)
    offered_at = fields.DateTime(allow_none=True)
    accepted_at = fields.DateTime(allow_none=True)
    en_route_at = fields.DateTime(allow_none=True)
    on_site_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class TaskDetail(TaskOut):
    timeline = fields.List(fields.Dict())


class ReasonIn(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class ReportIn(StrictSchema):
    """What the team reports when the work is done: proof of delivery (recipient
    and quantities received), people handed over, or the inspection checklist."""

    recipient = fields.String(validate=validate.Length(max=120))
    received = fields.Dict(keys=fields.String(), values=fields.Integer(validate=validate.Range(min=0)))
    handed_over = fields.Integer(validate=validate.Range(min=0))
    checklist = fields.Dict(keys=fields.String(), values=fields.Boolean())
    notes = fields.String(validate=validate.Length(max=4000))
    photos = fields.List(fields.String(validate=validate.Length(max=2_000_000)), validate=validate.Length(max=5))


class ReassignIn(StrictSchema):
    team_id = Id(required=True, strict=True)


class TaskQuery(StrictSchema):
    status = fields.String()
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=2000))
