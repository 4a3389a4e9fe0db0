"""API: placement requests and every step of their lifecycle."""

from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from coordinator import authz, database, queue
from coordinator.api import pagination
from coordinator.authz import HOUSING_ROLES, HQ_ROLES, PLACEMENT_CREATORS, allow
from coordinator.common.errors import Conflict
from coordinator.events import versions
from coordinator.extensions import db
from coordinator.housing import dispatch, facilities, placement
from coordinator.housing.models import PlacementRequest
from coordinator.housing.schemas import (
    CountIn,
    MoveIn,
    OptionalCountIn,
    PlacementDetail,
    PlacementIn,
    PlacementOut,
    PlacementQuery,
)
from coordinator.i18n import N_, text
from coordinator.imports.api import ImportOut, start_import

blp = Blueprint("api_placements", __name__, url_prefix="/placements", description="Placement requests")


@blp.route("", methods=["POST"])
@allow(*PLACEMENT_CREATORS)
@blp.arguments(PlacementIn)
@blp.response(201, PlacementOut)
def create(body):
    """Register a group needing quarantine housing; a worker places it."""
    p = placement.create(session=db.session, user=current_user, data=body)
    database.commit_keeping(db.session)
    return p


@blp.route("", methods=["GET"])
@allow(*HOUSING_ROLES)
@blp.arguments(PlacementQuery, location="query")
@blp.response(200, PlacementOut(many=True), headers=pagination.LINK_HEADER | versions.ETAG_HEADER)
@blp.alt_response(304, **versions.NOT_MODIFIED_DOC)
@versions.conditional()
def list_placements(args):
    """Placements in the caller's scope, newest first."""
    query = pagination.window(select(PlacementRequest).order_by(PlacementRequest.id.desc()), args)
    if "status" in args:
        query = query.where(PlacementRequest.status == args["status"])
    if "facility_id" in args:
        query = query.where(PlacementRequest.facility_id == args["facility_id"])
    query = authz.scoped(query, current_user, region=placement.scope_regions(), facility=PlacementRequest.facility_id)
    return pagination.rows(db.session.scalars(query).all(), args)


@blp.route("/<int:placement_id>", methods=["GET"])
@allow(*HOUSING_ROLES)
@blp.response(200, PlacementDetail)
def get(placement_id):
    """One placement with its decision and timeline."""
    p = placement.get(session=db.session, user=current_user, placement_id=placement_id)
    p.timeline = placement.timeline(session=db.session, p=p)
    return p


def _step(placement_id: int, action, **kwargs):
    p = placement.get(session=db.session, user=current_user, placement_id=placement_id, lock=True)
    action(session=db.session, user=current_user, p=p, **kwargs)
    db.session.commit()
    return p


@blp.route("/<int:placement_id>/transit", methods=["POST"])
@allow(*HQ_ROLES)
@blp.response(200, PlacementOut)
def transit(placement_id):
    """The group was picked up and is on its way."""
    return _step(placement_id, placement.mark_in_transit)


@blp.route("/<int:placement_id>/check-in", methods=["POST"])
@allow(*HOUSING_ROLES)
@blp.arguments(CountIn)
@blp.response(200, PlacementOut)
def check_in(body, placement_id):
    """Check in `count` people of the group; the rest are no-shows."""
    return _step(placement_id, placement.check_in, count=body["count"])


@blp.route("/<int:placement_id>/no-show", methods=["POST"])
@allow(*HOUSING_ROLES)
@blp.response(200, PlacementOut)
def no_show(placement_id):
    """Nobody of the group arrived."""
    return _step(placement_id, placement.no_show)


@blp.route("/<int:placement_id>/release", methods=["POST"])
@allow(*HOUSING_ROLES)
@blp.arguments(OptionalCountIn)
@blp.response(200, PlacementOut)
def release(body, placement_id):
    """Check people out early (all of the group unless `count` is given)."""
    return _step(placement_id, placement.release, count=body.get("count"))


@blp.route("/<int:placement_id>/cancel", methods=["POST"])
@allow(*HQ_ROLES)
@blp.response(200, PlacementOut)
def cancel(placement_id):
    """Cancel a request that has not checked in."""
    return _step(placement_id, placement.cancel)


@blp.route("/<int:placement_id>/move", methods=["POST"])
@allow(*HQ_ROLES)
@blp.arguments(MoveIn)
@blp.response(200, PlacementOut)
def move(body, placement_id):
    """HQ override: hold the group's beds at another facility."""
    p = placement.get(session=db.session, user=current_user, placement_id=placement_id, lock=True)
    target = facilities.get(session=db.session, user=current_user, facility_id=body["facility_id"])
    dispatch.move(session=db.session, user=current_user, p=p, facility=target, category=body.get("category"))
    db.session.commit()
    return p


@blp.route("/<int:placement_id>/dispatch", methods=["POST"])
@allow(*HQ_ROLES)
@blp.response(202, PlacementOut)
def redispatch(placement_id):
    """HQ asks a worker to try placing a waiting group again now."""
    p = placement.get(session=db.session, user=current_user, placement_id=placement_id)
    if p.status not in ("requested", "waiting"):
        raise Conflict(
            text(
                N_("Placement %(id)s is %(status)s; only a waiting group can be dispatched again."),
                id=p.id,
                status=p.status,
            )
        )
    queue.after_commit(db.session, "dispatch_placement", p.id)
    db.session.commit()
    return p


@blp.route("/<int:placement_id>/split", methods=["POST"])
@allow(*HQ_ROLES)
@blp.response(200, PlacementOut(many=True))
def split(placement_id):
    """HQ allows the group to be split across facilities; returns the parts."""
    p = placement.get(session=db.session, user=current_user, placement_id=placement_id, lock=True)
    parts = dispatch.split(session=db.session, user=current_user, p=p)
    db.session.commit()
    return parts


@blp.route("/import", methods=["POST"])
@allow(*HQ_ROLES)
@blp.response(202, ImportOut)
def import_placements():
    """Upload a placements CSV (multipart field `file`); it is imported by a worker."""
    return start_import("placements")
