"""Housing pages: HQ's facilities and placements, the facility page, and the
facility manager's phone page. Actions go through the JSON API."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from coordinator import authz
from coordinator.api.schemas import Id
from coordinator.authz import allow
from coordinator.extensions import db
from coordinator.geo.service import list_regions
from coordinator.housing import facilities as facility_service
from coordinator.housing import moves, placement, reoptimise, steps
from coordinator.housing.models import BED_CATEGORIES, FACILITY_KINDS, PLACEMENT_STATUSES, PlacementRequest
from coordinator.pages import query_args

bp = Blueprint("housing", __name__)
bp.add_app_template_global(steps.labels, "placement_steps")  # the placement timeline's step labels
BOARD = ("waiting", "requested", "assigned", "in_transit", "checked_in")
MOVABLE = ("requested", "waiting", "assigned", "in_transit")


class FacilitiesQuery(Schema):
    region_id = Id(error="Unknown region {input!r}: pick a region from the list.")


class PlacementsQuery(Schema):
    status = fields.String(
        validate=validate.OneOf(PLACEMENT_STATUSES, error="Unknown status {input!r}: pick one of the tabs.")
    )


def _placements(*, statuses: tuple[str, ...], facility_ids: list[int] | None = None, limit: int = 300):
    query = (
        select(PlacementRequest)
        .where(PlacementRequest.status.in_(statuses))
        .order_by(PlacementRequest.priority, PlacementRequest.created_at)
        .limit(limit)
    )
    if facility_ids is not None:
        query = query.where(PlacementRequest.facility_id.in_(facility_ids))
    query = authz.scoped(query, current_user, region=placement.scope_regions(), facility=PlacementRequest.facility_id)
    return db.session.scalars(query).all()


@bp.route("/hq/facilities")
@allow(*authz.HQ_ROLES)
def facilities():
    region_id = query_args(FacilitiesQuery()).get("region_id")
    return render_template(
        "housing/facilities.html",
        facilities=facility_service.list_facilities(session=db.session, user=current_user, region_id=region_id),
        regions={r.id: r for r in list_regions(session=db.session)},
        kinds=FACILITY_KINDS,
        categories=BED_CATEGORIES,
        region_id=region_id,
    )


@bp.route("/facilities/<int:facility_id>")
@allow(*authz.HOUSING_ROLES)
def facility(facility_id: int):
    f = facility_service.get(session=db.session, user=current_user, facility_id=facility_id)
    return render_template(
        "housing/facility.html",
        facility=f,
        categories=BED_CATEGORIES,
        occupancy=facility_service.occupancy(session=db.session, facility=f),
        placements=_placements(statuses=("assigned", "in_transit", "checked_in"), facility_ids=[f.id]),
        managers=facility_service.facility_managers(session=db.session, facility=f),
        moved_away=reoptimise.moved_away(session=db.session, facility_ids=[f.id])[f.id],
    )


@bp.route("/hq/placements")
@allow(*authz.HQ_ROLES)
def placements():
    status = query_args(PlacementsQuery()).get("status")
    statuses = (status,) if status else BOARD
    rows = _placements(statuses=statuses)
    movable = [p for p in rows if p.status in MOVABLE]
    facility_list = facility_service.list_facilities(session=db.session, user=current_user)
    return render_template(
        "housing/placements.html",
        board={s: [p for p in rows if p.status == s] for s in statuses},
        status=status,
        statuses=PLACEMENT_STATUSES,
        moves=moves.choices(placements=movable, facilities=facility_list),
    )


def manager_home():
    """The facility manager's phone page: beds, arrivals, occupants."""
    mine = facility_service.list_facilities(session=db.session, user=current_user)
    ids = [f.id for f in mine]
    rows = _placements(statuses=("assigned", "in_transit", "checked_in"), facility_ids=ids)
    return render_template(
        "housing/manager.html",
        facilities=mine,
        arrivals={f.id: [p for p in rows if p.facility_id == f.id and p.status != "checked_in"] for f in mine},
        occupants={f.id: [p for p in rows if p.facility_id == f.id and p.status == "checked_in"] for f in mine},
        moved_away=reoptimise.moved_away(session=db.session, facility_ids=ids),
    )
