"""API: delivery runs, proof of delivery at each stop, the requester's
confirmation, and the discrepancies proofs found."""

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields, validate

from coordinator.api import pagination
from coordinator.api.pagination import PageQuery
from coordinator.api.schemas import Id, StrictSchema, UtcDateTime
from coordinator.authz import HQ_ROLES, WAREHOUSE_ROLES, allow, is_national
from coordinator.events import versions
from coordinator.extensions import db
from coordinator.queue import after_commit
from coordinator.supplies import delivery_proof, delivery_reads, warehouses
from coordinator.supplies.models import RUN_STATUSES

runs_blp = Blueprint("api_delivery_runs", __name__, url_prefix="/supplies", description="Delivery runs")
stops_blp = Blueprint("api_deliveries", __name__, url_prefix="/deliveries", description="Deliveries (run stops)")

RUN_READERS = (*WAREHOUSE_ROLES, "field")
STOP_READERS = (*RUN_READERS, "requester")


class StopLineOut(StrictSchema):
    id = fields.Integer()
    item_id = fields.Integer()
    item = fields.String()
    unit = fields.String()
    quantity = fields.Integer(metadata={"description": "Shipped."})
    accepted = fields.Integer(allow_none=True)
    rejected = fields.Integer(allow_none=True)
    reject_reason = fields.String(allow_none=True)


class StopOut(StrictSchema):
    id = fields.Integer()
    run_id = fields.Integer(allow_none=True)
    seq = fields.Integer()
    organization_id = fields.Integer()
    organization = fields.String()
    settlement = fields.String()
    request_id = fields.Integer(allow_none=True)
    lat = fields.Float()
    lon = fields.Float()
    status = fields.String()
    received_by = fields.String(allow_none=True)
    received_at = UtcDateTime(allow_none=True)
    proof_lat = fields.Float(allow_none=True)
    proof_lon = fields.Float(allow_none=True)
    has_photo = fields.Boolean()
    discrepancy = fields.String(allow_none=True)
    confirmed_at = UtcDateTime(allow_none=True)
    lines = fields.List(fields.Nested(StopLineOut))


class StopDetail(StopOut):
    photo = fields.String(allow_none=True)


class RunOut(StrictSchema):
    id = fields.Integer()
    warehouse_id = fields.Integer()
    warehouse = fields.String()
    status = fields.String()
    task_id = fields.Integer(allow_none=True)
    task_status = fields.String(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    team = fields.String(allow_none=True)
    load_kg = fields.Float()
    capacity_kg = fields.Float()
    route_km = fields.Float()
    request_order_km = fields.Float()
    created_at = UtcDateTime()
    stops = fields.List(fields.Nested(StopOut))


class RunQuery(PageQuery):
    warehouse_id = Id()
    status = fields.String(validate=validate.OneOf(RUN_STATUSES))


class PlanIn(StrictSchema):
    warehouse_id = Id(strict=True)


class PlanOut(StrictSchema):
    queued = fields.Boolean()
    warehouse_ids = fields.List(fields.Integer(), allow_none=True)


class ProofLineIn(StrictSchema):
    line_id = Id(required=True, strict=True)
    accepted = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1_000_000))
    rejected = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1_000_000))
    reject_reason = fields.String(
        allow_none=True,
        validate=validate.Length(max=24),
        metadata={"description": f"Needed when any unit is rejected: {', '.join(delivery_proof.REJECT_REASONS)}."},
    )


class ProofIn(StrictSchema):
    recipient_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    photo = fields.String(allow_none=True, validate=validate.Length(max=delivery_proof.MAX_PHOTO_CHARS))
    lines = fields.List(fields.Nested(ProofLineIn), required=True, validate=validate.Length(min=1, max=200))


class DiscrepancyQuery(StrictSchema):
    warehouse_id = Id()
    open = fields.Boolean(load_default=False)


class DiscrepancyOut(StrictSchema):
    id = fields.Integer()
    delivery_id = fields.Integer()
    run_id = fields.Integer(allow_none=True)
    warehouse_id = fields.Integer()
    warehouse = fields.String()
    organization_id = fields.Integer()
    organization = fields.String()
    request_id = fields.Integer(allow_none=True)
    item_id = fields.Integer()
    item = fields.String()
    unit = fields.String()
    quantity = fields.Integer()
    reason = fields.String()
    note = fields.String()
    received_by = fields.String(allow_none=True)
    created_at = UtcDateTime()
    resolved_at = UtcDateTime(allow_none=True)


@runs_blp.route("/runs", methods=["GET"])
@allow(*RUN_READERS)
@runs_blp.arguments(RunQuery, location="query")
@runs_blp.response(200, RunOut(many=True), headers=pagination.LINK_HEADER | versions.ETAG_HEADER)
@runs_blp.alt_response(304, **versions.NOT_MODIFIED_DOC)
@versions.conditional()
def list_runs(args):
    """Delivery runs in scope, newest first: a warehouse manager's from their
    warehouses, a field team's those given to it."""
    found = delivery_reads.list_runs(
        session=db.session,
        user=current_user,
        warehouse_id=args.get("warehouse_id"),
        status=args.get("status"),
        **pagination.params(args),
    )
    return pagination.rows(found, args)


@runs_blp.route("/runs/<int:run_id>", methods=["GET"])
@allow(*RUN_READERS)
@runs_blp.response(200, RunOut)
def get_run(run_id):
    """One run with its stops in route order."""
    run = delivery_reads.get_run(session=db.session, user=current_user, run_id=run_id)
    return delivery_reads.run_out(db.session, run)


@runs_blp.route("/runs/plan", methods=["POST"])
@allow(*WAREHOUSE_ROLES)
@runs_blp.arguments(PlanIn)
@runs_blp.response(202, PlanOut)
def plan(body):
    """Plan runs now for held stock on no run yet (one warehouse, or all in scope)."""
    if "warehouse_id" in body:
        ids = [warehouses.get_warehouse(session=db.session, user=current_user, warehouse_id=body["warehouse_id"]).id]
    elif is_national(current_user):
        ids = None
    else:
        ids = [w.id for w in warehouses.list_warehouses(session=db.session, user=current_user)]
    after_commit(db.session, "plan_delivery_runs", ids)
    db.session.commit()
    return {"queued": True, "warehouse_ids": ids}


@runs_blp.route("/discrepancies", methods=["GET"])
@allow(*WAREHOUSE_ROLES)
@runs_blp.arguments(DiscrepancyQuery, location="query")
@runs_blp.response(200, DiscrepancyOut(many=True))
def discrepancies(args):
    """Short or refused deliveries, newest first (HQ in scope, a warehouse manager their own)."""
    return delivery_reads.discrepancies(
        session=db.session, user=current_user, warehouse_id=args.get("warehouse_id"), open_only=args["open"]
    )


@stops_blp.route("/<int:stop_id>", methods=["GET"])
@allow(*STOP_READERS)
@stops_blp.response(200, StopDetail)
def get_stop(stop_id):
    """One stop with its proof (and photo)."""
    return delivery_reads.get_stop_for(session=db.session, user=current_user, stop_id=stop_id)


@stops_blp.route("/<int:stop_id>/proof", methods=["POST"])
@allow("field")
@stops_blp.arguments(ProofIn)
@stops_blp.response(200, StopOut)
def proof(body, stop_id):
    """Proof of delivery at a stop, by the team doing the run: who received
    it, where, an optional photo, and per line what was accepted and what was
    rejected (with a reason). Accepted + rejected must equal what was shipped."""
    stop = delivery_proof.prove(session=db.session, user=current_user, stop_id=stop_id, **body)
    db.session.commit()
    return delivery_reads.stop_out(stop, delivery_proof.stop_lines(db.session, stop))


@stops_blp.route("/<int:stop_id>/confirm", methods=["POST"])
@allow(*HQ_ROLES, "requester")
@stops_blp.response(200, StopOut)
def confirm(stop_id):
    """The requester organization confirms it received the delivery."""
    stop = delivery_proof.confirm(session=db.session, user=current_user, stop_id=stop_id)
    db.session.commit()
    at = delivery_proof.confirmed_at(db.session, [stop.id]).get(stop.id)
    return delivery_reads.stop_out(stop, delivery_proof.stop_lines(db.session, stop), at)
