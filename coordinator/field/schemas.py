"""Request and response schemas of the field API."""

from marshmallow import fields, validate

from coordinator.api.pagination import PageQuery
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
    last_seen_at = UtcDateTime(allow_none=True)


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
    deadline = UtcDateTime(allow_none=True)
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
    offer_expires_at = UtcDateTime(allow_none=True)
    source_type = fields.String(allow_none=True)
    source_id = fields.Integer(allow_none=True)
    offered_at = UtcDateTime(allow_none=True)
    accepted_at = UtcDateTime(allow_none=True)
    en_route_at = UtcDateTime(allow_none=True)
    on_site_at = UtcDateTime(allow_none=True)
    finished_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime()


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


class TaskQuery(PageQuery):
    status = fields.String()


class HistoryQuery(StrictSchema):
    team_id = Id()
    kind = fields.String(validate=validate.OneOf(TASK_KINDS))
    since = fields.Date(metadata={"description": "First day (in BIRLIK_TIMEZONE) the task may have ended on."})
    until = fields.Date(metadata={"description": "Last day (in BIRLIK_TIMEZONE) the task may have ended on."})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class TimelineStep(StrictSchema):
    type = fields.String(metadata={"description": "The event: task.created, task.offered, task.declined, ..."})
    at = UtcDateTime()
    team_id = fields.Integer(allow_none=True)
    team = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    text = fields.String(metadata={"description": "The step as a sentence in the caller's language."})


class TaskReport(StrictSchema):
    source_type = fields.String(
        allow_none=True, metadata={"description": "Whose report: delivery_run, case, placement; null: the team's own."}
    )
    data = fields.Dict(
        metadata={
            "description": "delivery_run: the proof at each stop; case: the inspection's checklist and photos; "
            "placement: the group's pick-up and arrival; the team's own: what it sent (photos counted)."
        }
    )


class HistoryItem(StrictSchema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    status = fields.String()
    status_text = fields.String()
    team_id = fields.Integer(allow_none=True)
    team = fields.String(allow_none=True)
    region_id = fields.Integer(allow_none=True)
    source_type = fields.String(allow_none=True)
    source_id = fields.Integer(allow_none=True)
    fail_reason = fields.String(allow_none=True)
    created_at = UtcDateTime()
    finished_at = UtcDateTime()
    timeline = fields.List(fields.Nested(TimelineStep))
    report = fields.Nested(TaskReport, allow_none=True)


class HistoryOut(StrictSchema):
    items = fields.List(fields.Nested(HistoryItem))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()
