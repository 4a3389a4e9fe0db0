"""Request and response schemas of the hotline API. No response schema has a
field for the reporter's identity except `ReporterOut`, which only the
recorded reveal uses."""

from __future__ import annotations

from marshmallow import fields, validate

from coordinator.api.pagination import PageQuery
from coordinator.api.schemas import Id, StrictSchema, UtcDateTime
from coordinator.hotline.models import (
    CASE_STATUSES,
    CATEGORIES,
    REFERRAL_BODIES,
    SEVERITIES,
    WAITING_ON,
)
from coordinator.hotline.sla import STATES

LAT = validate.Range(min=-90, max=90)
LON = validate.Range(min=-180, max=180)
CATEGORY = validate.OneOf(CATEGORIES, error="Unknown category {input!r}. Use one of: {choices}.")
SEVERITY = validate.OneOf(SEVERITIES, error="Unknown severity {input!r}. Use one of: {choices}.")


class HotlineReportIn(StrictSchema):
    """A report from the operator's form (channel "phone") or another channel (channel "api")."""

    channel = fields.String(load_default="api", validate=validate.OneOf(("phone", "api")))
    via = fields.String(load_default="", validate=validate.Length(max=40))
    category = fields.String(required=True, validate=CATEGORY)
    description = fields.String(required=True)
    employer_name = fields.String(load_default="", validate=validate.Length(max=160))
    settlement = fields.String(load_default="", validate=validate.Length(max=120))
    lat = fields.Float(validate=LAT)
    lon = fields.Float(validate=LON)
    workers_affected = fields.Integer(validate=validate.Range(min=1, max=1_000_000))
    anonymous = fields.Boolean(load_default=False)
    reporter_name = fields.String(validate=validate.Length(max=120))
    reporter_contact = fields.String(validate=validate.Length(max=120))
    severity = fields.String(validate=SEVERITY)


class ReportFiled(StrictSchema):
    report_id = fields.Integer()
    case_id = fields.Integer()
    number = fields.String()
    lookup_code = fields.String(allow_none=True)
    severity_suggested = fields.String()
    region_id = fields.Integer(allow_none=True)


class DraftIn(StrictSchema):
    """What the operator has typed so far."""

    employer_name = fields.String(load_default="", validate=validate.Length(max=160))
    lat = fields.Float(validate=LAT)
    lon = fields.Float(validate=LON)
    contact = fields.String(validate=validate.Length(max=120))


class CandidateOut(StrictSchema):
    case_id = fields.Integer()
    number = fields.String()
    category = fields.String()
    status = fields.String()
    severity = fields.String()
    employer_name = fields.String()
    settlement = fields.String()
    created_at = UtcDateTime()
    reasons = fields.List(fields.String())


class SuggestQuery(StrictSchema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=120))


class CasesQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(("open", "all", *CASE_STATUSES)))
    severity = fields.String(validate=SEVERITY)
    category = fields.String(validate=CATEGORY)
    region_id = Id()
    sla = fields.String(validate=validate.OneOf(STATES))
    q = fields.String(validate=validate.Length(max=80))


class CaseOut(StrictSchema):
    id = fields.Integer()
    number = fields.String()
    status = fields.String()
    severity = fields.String()
    severity_suggested = fields.String(allow_none=True)
    category = fields.String()
    region_id = fields.Integer(allow_none=True)
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    settlement = fields.String()
    employer_name = fields.String()
    workers_affected = fields.Integer(allow_none=True)
    summary = fields.String()
    sla = fields.String()
    sla_due_at = UtcDateTime(allow_none=True)
    sla_stage = fields.String(allow_none=True)
    breached = fields.Boolean()
    escalated_national = fields.Boolean()
    paused = fields.Boolean()
    waiting_on = fields.String(allow_none=True)
    pause_reason = fields.String(allow_none=True)
    duplicate_of_id = fields.Integer(allow_none=True)
    assignee_id = fields.Integer(allow_none=True)
    referred_to = fields.String(allow_none=True)
    referral_reference = fields.String(allow_none=True)
    resolution = fields.String(allow_none=True)
    resolved_at = UtcDateTime(allow_none=True)
    closed_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime()


class ReportOut(StrictSchema):
    """A report as case handlers see it: what was said, not who said it."""

    id = fields.Integer()
    channel = fields.String()
    via = fields.String()
    category = fields.String()
    description = fields.String()
    anonymous = fields.Boolean()
    employer_name = fields.String()
    settlement = fields.String()
    workers_affected = fields.Integer(allow_none=True)
    public_number = fields.String(allow_none=True)
    created_at = UtcDateTime()


class ClockOut(StrictSchema):
    stage = fields.String()
    budget_minutes = fields.Integer()
    started_at = UtcDateTime()
    due_at = UtcDateTime()
    paused_at = UtcDateTime(allow_none=True)
    warned_at = UtcDateTime(allow_none=True)
    breached_at = UtcDateTime(allow_none=True)
    stopped_at = UtcDateTime(allow_none=True)
    state = fields.String()


class StepOut(StrictSchema):
    kind = fields.String()
    status = fields.String(allow_none=True)
    note = fields.String()
    public = fields.Boolean()
    actor = fields.Function(lambda s: s.actor.display_name if s.actor else None)
    at = UtcDateTime()


class LinkOut(StrictSchema):
    id = fields.Integer()
    case_id = fields.Integer()
    other_id = fields.Integer()
    other_number = fields.String()
    reasons = fields.List(fields.String())
    score = fields.Float()
    status = fields.String()


class InspectionOut(StrictSchema):
    id = fields.Integer()
    task_id = fields.Integer()
    status = fields.String()
    checklist = fields.Dict(allow_none=True)
    notes = fields.String()
    fail_reason = fields.String(allow_none=True)
    inspected_at = UtcDateTime(allow_none=True)


class EvidenceOut(StrictSchema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    inspection_id = fields.Integer(allow_none=True)
    created_at = UtcDateTime()


class CaseDetail(CaseOut):
    reports = fields.List(fields.Nested(ReportOut))
    clocks = fields.List(fields.Nested(ClockOut))
    steps = fields.List(fields.Nested(StepOut))
    links = fields.List(fields.Nested(LinkOut))
    inspections = fields.List(fields.Nested(InspectionOut))
    evidence = fields.List(fields.Nested(EvidenceOut))


class ReporterOut(StrictSchema):
    report_id = fields.Integer()
    channel = fields.String()
    anonymous = fields.Boolean()
    name = fields.String(allow_none=True)
    contact = fields.String(allow_none=True)


class TriageIn(StrictSchema):
    severity = fields.String(validate=SEVERITY)
    region_id = Id()


class UpdateIn(TriageIn):
    assignee_id = Id()


class ResolveIn(StrictSchema):
    resolution = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class ReferIn(StrictSchema):
    to = fields.String(required=True, validate=validate.OneOf(REFERRAL_BODIES))
    reference = fields.String(required=True, validate=validate.Length(min=1, max=80))


class CloseIn(StrictSchema):
    note = fields.String(load_default="", validate=validate.Length(max=4000))


class PauseIn(StrictSchema):
    waiting_on = fields.String(required=True, validate=validate.OneOf(WAITING_ON))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class CommentIn(StrictSchema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class LinkIn(StrictSchema):
    """Another case to link into this one, by number or id."""

    number = fields.String(validate=validate.Length(min=1, max=24))
    case_id = Id()


class BulkIn(StrictSchema):
    case_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=500))
    action = fields.String(required=True, validate=validate.OneOf(("triage", "update", "link", "inspect")))
    severity = fields.String(validate=SEVERITY)
    region_id = Id()
    assignee_id = Id()


class BulkOut(StrictSchema):
    done = fields.List(fields.Integer())
    failed = fields.Dict(keys=fields.String(), values=fields.String())
    into = fields.Integer(allow_none=True)


class BreachFiguresQuery(StrictSchema):
    region_id = Id()
    category = fields.String(validate=CATEGORY)


EMPLOYER_NAMES = {"type": "array", "items": {"type": "string"}, "description": "Employer names, best match first."}


class PlaceOut(StrictSchema):
    name = fields.String(required=True)
    region_code = fields.String(required=True)
    lat = fields.Float(required=True)
    lon = fields.Float(required=True)


class BreachedClockOut(StrictSchema):
    case_id = fields.Integer(required=True)
    number = fields.String(required=True)
    stage = fields.String(required=True)
    due_at = UtcDateTime(required=True)
    breached_at = UtcDateTime(required=True)
    stopped = fields.Boolean(required=True)
    region_id = fields.Integer(required=True, allow_none=True)
    category = fields.String(required=True)
    severity = fields.String(required=True)
    status = fields.String(required=True)


def _by_state(description: str) -> fields.Dict:
    """{key: {SLA state: count}}."""
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    return fields.Dict(keys=fields.String(), values=counts, required=True, metadata={"description": description})


class BreachFiguresOut(StrictSchema):
    total = fields.Integer(required=True, metadata={"description": "Open cases in scope."})
    by_state = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    by_stage = _by_state("By case status, then SLA state.")
    by_region = _by_state('By region id ("none" for no region), then SLA state.')
    by_category = _by_state("By category, then SLA state.")
    breached_stages = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    breached = fields.List(fields.Nested(BreachedClockOut), required=True, metadata={"description": "At most 500."})
