"""Request and response schemas of the housing API (and its CSV rows)."""

from marshmallow import fields, validate

from coordinator.api.pagination import PageQuery
from coordinator.api.schemas import Id, StrictSchema, UtcDateTime
from coordinator.housing.facilities import MAX_BEDS
from coordinator.housing.models import BED_CATEGORIES, FACILITY_KINDS
from coordinator.i18n import render

LAT = validate.Range(min=-90, max=90)
LON = validate.Range(min=-180, max=180)


class BedCountsIn(StrictSchema):
    total = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_BEDS))
    out_of_service = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=MAX_BEDS))


class FacilityIn(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=160))
    kind = fields.String(load_default="other", validate=validate.OneOf(FACILITY_KINDS))
    status = fields.String(load_default="open", validate=validate.OneOf(("open", "closed")))
    settlement = fields.String(validate=validate.Length(max=120))
    lat = fields.Float(validate=LAT)
    lon = fields.Float(validate=LON)
    address = fields.String(load_default="", validate=validate.Length(max=255))
    contact_phone = fields.String(load_default="", validate=validate.Length(max=40))
    has_medical_staff = fields.Boolean(load_default=False)
    accessible = fields.Boolean(load_default=False)
    meals = fields.Boolean(load_default=True)
    beds = fields.Dict(
        keys=fields.String(validate=validate.OneOf(BED_CATEGORIES)),
        values=fields.Nested(BedCountsIn),
        load_default=dict,
    )


class FacilityUpdate(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=160))
    kind = fields.String(validate=validate.OneOf(FACILITY_KINDS))
    status = fields.String(validate=validate.OneOf(("open", "closed")))
    address = fields.String(validate=validate.Length(max=255))
    contact_phone = fields.String(validate=validate.Length(max=40))
    has_medical_staff = fields.Boolean()
    accessible = fields.Boolean()
    meals = fields.Boolean()


class FacilityCsvRow(StrictSchema):
    """One row of a facilities CSV file: bed totals by category in their own columns."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=160))
    kind = fields.String(load_default="other", validate=validate.OneOf(FACILITY_KINDS))
    settlement = fields.String(validate=validate.Length(max=120))
    lat = fields.Float(validate=LAT)
    lon = fields.Float(validate=LON)
    address = fields.String(load_default="", validate=validate.Length(max=255))
    contact_phone = fields.String(load_default="", validate=validate.Length(max=40))
    has_medical_staff = fields.Boolean(load_default=False)
    accessible = fields.Boolean(load_default=False)
    meals = fields.Boolean(load_default=True)
    standard = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_BEDS))
    shared = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_BEDS))
    family = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_BEDS))
    isolation = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_BEDS))


class ManagersIn(StrictSchema):
    usernames = fields.List(
        fields.String(validate=validate.Length(min=1, max=80)), required=True, validate=validate.Length(max=50)
    )
    shown = fields.List(
        fields.String(validate=validate.Length(min=1, max=80)),
        load_default=None,
        validate=validate.Length(max=200),
        metadata={
            "description": "The managers the caller's form showed: only these may be removed, so a manager "
            "the caller never saw is kept. Without it, the list is replaced."
        },
    )


class BedsOut(StrictSchema):
    category = fields.String()
    total = fields.Integer()
    out_of_service = fields.Integer()
    held = fields.Integer()
    occupied = fields.Integer()
    free = fields.Integer()


class FacilityOut(StrictSchema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    status = fields.String()
    is_full = fields.Boolean()
    region_id = fields.Integer()
    settlement = fields.String()
    lat = fields.Float()
    lon = fields.Float()
    address = fields.String()
    contact_phone = fields.String()
    has_medical_staff = fields.Boolean()
    accessible = fields.Boolean()
    meals = fields.Boolean()
    free_beds = fields.Integer()
    total_beds = fields.Integer()
    beds = fields.Nested(BedsOut, many=True)


class PlacementIn(StrictSchema):
    head_count = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    names = fields.List(fields.String(validate=validate.Length(max=120)), load_default=list)
    contact_phone = fields.String(required=True, validate=validate.Length(min=3, max=40))
    origin = fields.String(validate=validate.Length(max=120))
    origin_lat = fields.Float(validate=LAT)
    origin_lon = fields.Float(validate=LON)
    needs_isolation = fields.Boolean(load_default=False)
    needs_family = fields.Boolean(load_default=False)
    needs_accessible = fields.Boolean(load_default=False)
    needs_medical = fields.Boolean(load_default=False)
    needs_transport = fields.Boolean(load_default=False)
    priority = fields.Integer(load_default=3, validate=validate.Range(min=1, max=5))
    quarantine_days = fields.Integer(load_default=14, validate=validate.Range(min=1, max=60))


class PlacementCsvRow(PlacementIn):
    """One row of a placements CSV file: names separated by semicolons."""

    head_count = fields.Integer(required=True, validate=validate.Range(min=1))
    names = fields.Function(deserialize=lambda v: [n.strip() for n in v.split(";") if n.strip()], load_default=list)


class PlacementOut(StrictSchema):
    id = fields.Integer()
    status = fields.String()
    head_count = fields.Integer()
    names = fields.List(fields.String(), allow_none=True)
    contact_phone = fields.String()
    origin_name = fields.String()
    origin_lat = fields.Float()
    origin_lon = fields.Float()
    region_id = fields.Integer(allow_none=True)
    needs_isolation = fields.Boolean()
    needs_family = fields.Boolean()
    needs_accessible = fields.Boolean()
    needs_medical = fields.Boolean()
    needs_transport = fields.Boolean()
    priority = fields.Integer()
    quarantine_days = fields.Integer()
    allow_split = fields.Boolean()
    wait_reason = fields.String(allow_none=True)
    facility_id = fields.Integer(allow_none=True)
    bed_category = fields.String(allow_none=True)
    hold_expires_at = UtcDateTime(allow_none=True)
    checked_in_count = fields.Integer()
    checked_in_at = UtcDateTime(allow_none=True)
    release_due_at = UtcDateTime(allow_none=True)
    decision = fields.Dict(allow_none=True)
    moved_at = UtcDateTime(allow_none=True, metadata={"description": "When its hold was moved (at most once)."})
    moved_from_id = fields.Integer(allow_none=True, metadata={"description": "The facility it was moved from."})
    moved_text = fields.Function(
        lambda p: render(((p.decision or {}).get("reoptimised") or {}).get("reason")) or None,
        allow_none=True,
        metadata={"description": "Why it moved to a nearer facility, in the caller's language (data: decision)."},
    )
    parent_id = fields.Integer(allow_none=True)
    created_at = UtcDateTime()


class PlacementDetail(PlacementOut):
    timeline = fields.List(fields.Dict())


class CountIn(StrictSchema):
    count = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class OptionalCountIn(StrictSchema):
    count = fields.Integer(strict=True, validate=validate.Range(min=1))


class MoveIn(StrictSchema):
    facility_id = Id(required=True, strict=True)
    category = fields.String(validate=validate.OneOf(BED_CATEGORIES))


class FacilityQuery(PageQuery):
    region_id = Id()


class PlacementQuery(PageQuery):
    status = fields.String(
        validate=validate.OneOf(
            (
                "requested",
                "waiting",
                "assigned",
                "in_transit",
                "checked_in",
                "released",
                "no_show",
                "cancelled",
                "expired",
                "split",
            )
        )
    )
    facility_id = Id()


class ManagersOut(StrictSchema):
    managers = fields.List(fields.String(), required=True, metadata={"description": "The managers' usernames."})


class SummaryOut(StrictSchema):
    beds_total = fields.Integer(required=True)
    beds_free = fields.Integer(required=True)
    beds_held = fields.Integer(required=True)
    beds_occupied = fields.Integer(required=True)
    beds_out_of_service = fields.Integer(required=True)
    people_waiting = fields.Integer(required=True)
    people_in_quarantine = fields.Integer(required=True)


# The service gives days as ISO strings (the page's chart reads the same dict).
ISO_DAY = {"format": "date"}


class OccupancyDayOut(StrictSchema):
    day = fields.String(required=True, metadata=ISO_DAY)
    total = fields.Integer(required=True)
    out_of_service = fields.Integer(required=True)
    held = fields.Integer(required=True)
    occupied = fields.Integer(required=True)


class ForecastDayOut(StrictSchema):
    day = fields.String(required=True, metadata=ISO_DAY)
    releases = fields.Integer(required=True, metadata={"description": "People whose quarantine ends that day."})
    occupied = fields.Integer(required=True, metadata={"description": "Beds still occupied at the end of that day."})


class OccupancyOut(StrictSchema):
    history = fields.List(fields.Nested(OccupancyDayOut), required=True, metadata={"description": "The last 30 days."})
    forecast = fields.List(fields.Nested(ForecastDayOut), required=True, metadata={"description": "The next 14 days."})
