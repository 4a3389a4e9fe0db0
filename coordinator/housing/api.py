"""API: facilities, their beds, occupancy, and CSV import."""

from flask import Response
from flask_login import current_user
from flask_smorest import Blueprint

from coordinator.api import pagination
from coordinator.authz import HOUSING_ROLES, HQ_ROLES, allow
from coordinator.events import versions
from coordinator.extensions import db
from coordinator.housing import facilities, facility_rows, figures
from coordinator.housing.schemas import (
    BedCountsIn,
    FacilityIn,
    FacilityOut,
    FacilityQuery,
    FacilityUpdate,
    ManagersIn,
    ManagersOut,
    OccupancyOut,
    SummaryOut,
)
from coordinator.imports.api import ImportOut, start_import

blp = Blueprint("api_housing", __name__, url_prefix="/facilities", description="Quarantine facilities")


@blp.route("", methods=["GET"])
@allow(*HOUSING_ROLES)
@blp.arguments(FacilityQuery, location="query")
@blp.response(200, FacilityOut(many=True), headers=pagination.LINK_HEADER | versions.ETAG_HEADER)
@blp.alt_response(304, **versions.NOT_MODIFIED_DOC)
@versions.conditional()
def list_facilities(args):
    """Facilities within the caller's scope (`?region_id=` narrows it), by name.

    Paged (`page`, `limit`); conditional (`ETag`, `If-None-Match`)."""
    body, next_page = facility_rows.cached_page(session=db.session, user=current_user, args=args)
    pagination.note_next(next_page)
    return Response(body, mimetype="application/json")


@blp.route("/summary", methods=["GET"])
@allow(*HQ_ROLES)
@blp.response(200, SummaryOut)
def summary():
    """Beds free, held and occupied, people waiting and in quarantine, in the caller's scope."""
    return figures.summary(session=db.session, user=current_user)


@blp.route("", methods=["POST"])
@allow(*HQ_ROLES)
@blp.arguments(FacilityIn)
@blp.response(201, FacilityOut)
def create_facility(body):
    """Create a facility with its beds by category."""
    facility = facilities.create_facility(session=db.session, user=current_user, data=body)
    db.session.commit()
    return facility


@blp.route("/<int:facility_id>", methods=["GET"])
@allow(*HOUSING_ROLES)
@blp.response(200, FacilityOut)
def get_facility(facility_id):
    """One facility with its beds by category."""
    return facilities.get(session=db.session, user=current_user, facility_id=facility_id)


@blp.route("/<int:facility_id>", methods=["PATCH"])
@allow(*HQ_ROLES)
@blp.arguments(FacilityUpdate)
@blp.response(200, FacilityOut)
def update_facility(body, facility_id):
    """Change a facility's details; closing it stops new placements there."""
    facility = facilities.get(session=db.session, user=current_user, facility_id=facility_id)
    facilities.update_facility(session=db.session, user=current_user, facility=facility, data=body)
    db.session.commit()
    return facility


@blp.route("/<int:facility_id>/beds/<category>", methods=["PUT"])
@allow(*HOUSING_ROLES)
@blp.arguments(BedCountsIn)
@blp.response(200, FacilityOut)
def set_beds(body, facility_id, category):
    """Set a bed category's total and out-of-service beds."""
    facility = facilities.get(session=db.session, user=current_user, facility_id=facility_id)
    facilities.set_beds(session=db.session, user=current_user, facility=facility, category=category, **body)
    db.session.commit()
    return facility


@blp.route("/<int:facility_id>/managers", methods=["PUT"])
@allow(*HQ_ROLES)
@blp.arguments(ManagersIn)
@blp.response(200, ManagersOut)
def set_managers(body, facility_id):
    """Set who manages the facility (usernames of facility-manager users);
    with `shown`, only the shown managers left out are removed."""
    facility = facilities.get(session=db.session, user=current_user, facility_id=facility_id)
    managers = facilities.set_managers(
        session=db.session, user=current_user, facility=facility, usernames=body["usernames"], shown=body["shown"]
    )
    db.session.commit()
    return {"managers": [m.username for m in managers]}


@blp.route("/<int:facility_id>/occupancy", methods=["GET"])
@allow(*HOUSING_ROLES)
@blp.response(200, OccupancyOut)
def occupancy(facility_id):
    """The last 30 days of beds and the releases due in the next 14 days."""
    facility = facilities.get(session=db.session, user=current_user, facility_id=facility_id)
    return facilities.occupancy(session=db.session, facility=facility)


@blp.route("/import", methods=["POST"])
@allow(*HQ_ROLES)
@blp.response(202, ImportOut)
def import_facilities():
    """Upload a facilities CSV (multipart field `file`); it is imported by a worker."""
    return start_import("facilities")
