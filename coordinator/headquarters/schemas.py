"""API schemas of the headquarters domain: the registry, staff, shifts,
status reports and the board. Bad input is a 422 naming the field."""

from __future__ import annotations

import re

from marshmallow import ValidationError, fields, validate

from coordinator.api.schemas import StrictSchema, UtcDateTime
from coordinator.headquarters import registry
from coordinator.i18n import N_

MAX_NEEDS = 4000
MAX_NOTES = 10000
_PHONE = re.compile(r"^[0-9+()\-. ]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _phone(value: str) -> None:
    if not _PHONE.match(value):
        # Marked for the catalogue: the error handler reads a known message in the reader's language.
        raise ValidationError(N_("A phone number has digits, spaces and + ( ) - . only, e.g. +7 7172 00 00 00."))


def _email(value: str) -> None:
    if value.strip() and not _EMAIL.match(value.strip()):
        raise ValidationError(N_("Not an e-mail address: write it as name@example.kz."))


class HQOut(StrictSchema):
    id = fields.Integer()
    name = fields.String()
    region_id = fields.Integer(allow_none=True)
    lat = fields.Float()
    lon = fields.Float()
    phone = fields.String()
    email = fields.String()
    address = fields.String()
    report_interval_minutes = fields.Integer(allow_none=True, metadata={"description": "Its own; null: the default"})
    interval_minutes = fields.Function(registry.interval_minutes, metadata={"description": "The one in force"})
    last_report_at = UtcDateTime(allow_none=True)
    silent = fields.Boolean()


class HQUpdate(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=160))
    phone = fields.String(validate=[validate.Length(max=40), _phone])
    email = fields.String(validate=[validate.Length(max=120), _email])
    address = fields.String(validate=validate.Length(max=240))
    report_interval_minutes = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=0, max=registry.MAX_INTERVAL),
        metadata={"description": f"{registry.MIN_INTERVAL} to {registry.MAX_INTERVAL}; 0 or null: the default"},
    )


class StaffIn(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    lead = fields.Boolean(load_default=False)
    position = fields.String(load_default="", validate=validate.Length(max=80))


class StaffOut(StrictSchema):
    user_id = fields.Integer()
    username = fields.Function(lambda s: s.user.username)
    name = fields.Function(lambda s: s.user.display_name)
    lead = fields.Boolean()
    position = fields.String()


class ShiftOut(StrictSchema):
    id = fields.Integer()
    hq_id = fields.Integer()
    user_id = fields.Integer()
    name = fields.Function(lambda s: s.user.display_name)
    started_at = UtcDateTime()
    ended_at = UtcDateTime(allow_none=True)
    ended_by_id = fields.Integer(allow_none=True)


class ShiftQuery(StrictSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class StatusIn(StrictSchema):
    staff_on_duty = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=10000))
    open_cases = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1000000))
    needs = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_NEEDS, error="Urgent needs take at most {max} characters."),
        metadata={"description": "Urgent needs"},
    )
    notes = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_NOTES, error="Notes take at most {max} characters."),
        metadata={"description": "Free text"},
    )


class StatusOut(StrictSchema):
    id = fields.Integer()
    hq_id = fields.Integer()
    staff_on_duty = fields.Integer()
    open_cases = fields.Integer()
    needs = fields.String()
    notes = fields.String()
    created_by_id = fields.Integer(allow_none=True)
    created_at = UtcDateTime()


class ReportQuery(StrictSchema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=500))


class PrefillOut(StrictSchema):
    staff_on_duty = fields.Integer()
    open_cases = fields.Integer(allow_none=True)


class OnDutyOut(StrictSchema):
    user_id = fields.Integer()
    name = fields.String()
    since = UtcDateTime()


class BoardLineOut(StrictSchema):
    hq_id = fields.Integer()
    name = fields.String()
    region_id = fields.Integer(allow_none=True)
    interval_minutes = fields.Integer()
    last_report_at = UtcDateTime(allow_none=True)
    age_minutes = fields.Integer(allow_none=True)
    due_at = UtcDateTime(allow_none=True)
    overdue = fields.Boolean()
    silent = fields.Boolean()
    on_duty = fields.List(fields.Nested(OnDutyOut))
    open_cases = fields.Integer(allow_none=True)
    breached_cases = fields.Integer(allow_none=True)
    needs = fields.String()
    reported_staff_on_duty = fields.Integer(allow_none=True)
