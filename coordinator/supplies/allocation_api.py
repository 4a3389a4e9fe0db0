"""API: allocation on demand, the allocations with their reasoning, the lines
still waiting, and HQ's overrides of a line."""

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields, validate

from coordinator.api import pagination
from coordinator.api.pagination import PageQuery
from coordinator.api.schemas import Id, StrictSchema, UtcDateTime
from coordinator.authz import HQ_ROLES, allow
from coordinator.events import versions
from coordinator.extensions import db
from coordinator.supplies import allocation, board, overrides
from coordinator.supplies.models import ALLOCATION_STATUSES
from coordinator.supplies.requests import MAX_QUANTITY

blp = Blueprint("api_allocation", __name__, url_prefix="/supplies", description="Allocation of scarce stock")
lines_blp = Blueprint("api_supply_lines", __name__, url_prefix="/supply-lines", description="HQ's overrides")

ALLOCATION_READERS = (*HQ_ROLES, "warehouse_manager", "requester")


def _filters(args: dict) -> dict:
    """A query's filters, without its paging."""
    return {k: v for k, v in args.items() if k not in ("page", "limit")}


class AllocateIn(StrictSchema):
    item_ids = fields.List(Id(strict=True), validate=validate.Length(min=1, max=500))


class QueuedOut(StrictSchema):
    queued = fields.Boolean()


class AllocationQuery(PageQuery):
    item_id = Id()
    warehouse_id = Id()
    request_id = Id()
    status = fields.String(validate=validate.OneOf(ALLOCATION_STATUSES))


class UnservedQuery(PageQuery):
    item_id = Id()


class OverrideIn(StrictSchema):
    warehouse_id = Id(strict=True, allow_none=True)
    quantity = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=0, max=MAX_QUANTITY))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class OverrideOut(StrictSchema):
    line_id = fields.Integer()
    warehouse_id = fields.Integer(allow_none=True)
    warehouse = fields.String(allow_none=True)
    quantity = fields.Integer(allow_none=True)
    reason = fields.String()
    actor_id = fields.Integer(allow_none=True)
    created_at = UtcDateTime()


class AllocationOut(StrictSchema):
    id = fields.Integer()
    line_id = fields.Integer()
    request_id = fields.Integer()
    organization_id = fields.Integer()
    organization = fields.String()
    tier = fields.Integer()
    item_id = fields.Integer()
    item = fields.String()
    unit = fields.String()
    warehouse_id = fields.Integer()
    warehouse = fields.String()
    quantity = fields.Integer()
    status = fields.String()
    distance_km = fields.Float()
    created_at = UtcDateTime()
    reasoning = fields.Dict()
    override = fields.Nested(OverrideOut, allow_none=True)


class UnservedOut(StrictSchema):
    line_id = fields.Integer()
    request_id = fields.Integer()
    organization_id = fields.Integer()
    organization = fields.String()
    tier = fields.Integer()
    item_id = fields.Integer()
    item = fields.String()
    unit = fields.String()
    requested = fields.Integer()
    allocated = fields.Integer()
    remaining = fields.Integer()
    needed_by = fields.Date(allow_none=True)
    waiting_since = UtcDateTime()
    override = fields.Nested(OverrideOut, allow_none=True)


@blp.route("/allocate", methods=["POST"])
@allow(*HQ_ROLES)
@blp.arguments(AllocateIn)
@blp.response(202, QueuedOut)
def allocate(body):
    """Run allocation now (for these items, or every item); a worker does it."""
    allocation.request_run(session=db.session, item_ids=body.get("item_ids"))
    db.session.commit()
    return {"queued": True}


@blp.route("/allocations", methods=["GET"])
@allow(*ALLOCATION_READERS)
@blp.arguments(AllocationQuery, location="query")
@blp.response(200, AllocationOut(many=True), headers=pagination.LINK_HEADER | versions.ETAG_HEADER)
@blp.alt_response(304, **versions.NOT_MODIFIED_DOC)
@versions.conditional()
def list_allocations(args):
    """Allocations in scope, newest first, each with its reasoning: HQ its
    region's, a warehouse manager their warehouses', a requester their organization's."""
    found = board.list_allocations(session=db.session, user=current_user, **_filters(args), **pagination.params(args))
    return pagination.rows(found, args)


@blp.route("/unserved", methods=["GET"])
@allow(*HQ_ROLES)
@blp.arguments(UnservedQuery, location="query")
@blp.response(200, UnservedOut(many=True), headers=pagination.LINK_HEADER | versions.ETAG_HEADER)
@blp.alt_response(304, **versions.NOT_MODIFIED_DOC)
@versions.conditional()
def unserved(args):
    """Open lines still short of what they asked, in the order allocation serves them."""
    found = board.unserved(session=db.session, user=current_user, **_filters(args), **pagination.params(args))
    return pagination.rows(found, args)


@lines_blp.route("/<int:line_id>/override", methods=["PUT"])
@allow(*HQ_ROLES)
@lines_blp.arguments(OverrideIn)
@lines_blp.response(200, OverrideOut)
def set_override(body, line_id):
    """Pin the line to a warehouse and/or fix its quantity, with a reason; allocation runs again."""
    override = overrides.set_override(session=db.session, user=current_user, line_id=line_id, **body)
    db.session.commit()
    return overrides.state(override, db.session)


@lines_blp.route("/<int:line_id>/override", methods=["DELETE"])
@allow(*HQ_ROLES)
@lines_blp.response(204)
def clear_override(line_id):
    """Remove the line's override; allocation runs again."""
    overrides.clear_override(session=db.session, user=current_user, line_id=line_id)
    db.session.commit()
