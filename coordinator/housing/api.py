"""API: facilities and their beds."""

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields

from coordinator.api.schemas import StrictSchema
from coordinator.authz import allow
from coordinator.extensions import db
from coordinator.housing import service

blp = Blueprint("api_housing", __name__, url_prefix="/facilities", description="Quarantine facilities")
ROLES = ("admin", "hq", "facility_manager")


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
    contact_phone = fields.String()
    has_medical_staff = fields.Boolean()
    accessible = fields.Boolean()
    meals = fields.Boolean()
    free_beds = fields.Integer()
    total_beds = fields.Integer()
    beds = fields.Nested(BedsOut, many=True)


class FacilityQuery(StrictSchema):
    region_id = fields.Integer(load_default=None)


@blp.route("", methods=["GET"])
@allow(*ROLES)
@blp.arguments(FacilityQuery, location="query")
@blp.response(200, FacilityOut(many=True))
def list_facilities(args):
    """Facilities within the caller's scope."""
    return service.list_facilities(session=db.session, user=current_user, region_id=args["region_id"])


@blp.route("/<int:facility_id>", methods=["GET"])
@allow(*ROLES)
@blp.response(200, FacilityOut)
def get_facility(facility_id):
    """One facility with its beds by category."""
    return service.get_facility(session=db.session, user=current_user, facility_id=facility_id)
