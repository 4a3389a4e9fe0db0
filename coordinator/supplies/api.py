"""API: the catalogue, warehouses and their ledger, organizations and supply
requests. Views stay thin: check the body, call the service, commit."""

from __future__ import annotations

import csv
import io

from flask import Response
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields
from sqlalchemy import select

from coordinator import authz, database
from coordinator.api import pagination
from coordinator.api.pagination import PageQuery
from coordinator.api.schemas import CSV_TEXT
from coordinator.authz import HQ_ROLES, WAREHOUSE_ROLES, allow
from coordinator.events import versions
from coordinator.extensions import db
from coordinator.queue import after_commit
from coordinator.supplies import board, delivery_reads, ledger, requests, warehouses
from coordinator.supplies.allocation_api import AllocationOut
from coordinator.supplies.delivery_api import StopOut
from coordinator.supplies.models import Item, Organization
from coordinator.supplies.schemas import (
    AdjustmentIn,
    ItemOut,
    MoveOut,
    MoveQuery,
    OrganizationOut,
    ReceiptIn,
    RequestCancelIn,
    RequestIn,
    RequestOut,
    RequestQuery,
    StockCountIn,
    TransferIn,
    WarehouseOut,
)

blp = Blueprint("api_supplies", __name__, url_prefix="/warehouses", description="Warehouses and their stock ledger")
catalogue_blp = Blueprint("api_items", __name__, url_prefix="/items", description="The catalogue of items")
requests_blp = Blueprint("api_supply_requests", __name__, url_prefix="/supply-requests", description="Supply requests")
orgs_blp = Blueprint("api_organizations", __name__, url_prefix="/organizations", description="Requester organizations")
REQUESTERS = (*HQ_ROLES, "requester")


@catalogue_blp.route("", methods=["GET"])
@allow(*authz.ANY_USER)
@catalogue_blp.response(200, ItemOut(many=True))
def list_items():
    """Every item that can be stocked and requested."""
    return db.session.scalars(select(Item).order_by(Item.name)).all()


@blp.route("", methods=["GET"])
@allow(*WAREHOUSE_ROLES)
@blp.arguments(PageQuery, location="query")
@blp.response(200, WarehouseOut(many=True), headers=pagination.LINK_HEADER | versions.ETAG_HEADER)
@blp.alt_response(304, **versions.NOT_MODIFIED_DOC)
@versions.conditional()
def list_warehouses(args):
    """Warehouses within the caller's scope, with their stock by item and lot."""
    found = warehouses.list_warehouses(session=db.session, user=current_user, **pagination.params(args))
    return [warehouses.with_stock(db.session, w) for w in pagination.rows(found, args)]


@blp.route("/<int:warehouse_id>", methods=["GET"])
@allow(*WAREHOUSE_ROLES)
@blp.response(200, WarehouseOut)
def get_warehouse(warehouse_id):
    """One warehouse with its stock by item and lot, and days of cover."""
    wh = warehouses.get_warehouse(session=db.session, user=current_user, warehouse_id=warehouse_id)
    return warehouses.with_stock(db.session, wh)


def _stock_changed(warehouse_id: int, item_id: int) -> None:
    # Stock that arrives may serve lines still waiting for it.
    after_commit(db.session, "allocate_supplies", [item_id])


@blp.route("/<int:warehouse_id>/receipts", methods=["POST"])
@allow(*WAREHOUSE_ROLES)
@blp.arguments(ReceiptIn)
@blp.response(201, MoveOut)
def receive(body, warehouse_id):
    """Stock received from a donor or a purchase (lot and expiry for items that have them)."""
    warehouses.get_warehouse(session=db.session, user=current_user, warehouse_id=warehouse_id)
    move = ledger.receive(session=db.session, warehouse_id=warehouse_id, actor_id=current_user.id, **body)
    _stock_changed(warehouse_id, move.item_id)
    db.session.commit()
    return move


@blp.route("/<int:warehouse_id>/adjustments", methods=["POST"])
@allow(*WAREHOUSE_ROLES)
@blp.arguments(AdjustmentIn)
@blp.response(201, MoveOut)
def adjust(body, warehouse_id):
    """A signed correction of one lot, with a reason code (damaged, expired, lost, found, correction)."""
    warehouses.get_warehouse(session=db.session, user=current_user, warehouse_id=warehouse_id)
    move = ledger.adjust(session=db.session, warehouse_id=warehouse_id, actor_id=current_user.id, **body)
    if move.quantity > 0:
        _stock_changed(warehouse_id, move.item_id)
    db.session.commit()
    return move


@blp.route("/<int:warehouse_id>/counts", methods=["POST"])
@allow(*WAREHOUSE_ROLES)
@blp.arguments(StockCountIn)
@blp.response(201, MoveOut)
def count(body, warehouse_id):
    """A physical count: the difference from the stock at the moment of the count is written as a move."""
    warehouses.get_warehouse(session=db.session, user=current_user, warehouse_id=warehouse_id)
    move = ledger.count(session=db.session, warehouse_id=warehouse_id, actor_id=current_user.id, **body)
    if move.quantity > 0:
        _stock_changed(warehouse_id, move.item_id)
    db.session.commit()
    return move


@blp.route("/<int:warehouse_id>/transfers", methods=["POST"])
@allow(*WAREHOUSE_ROLES)
@blp.arguments(TransferIn)
@blp.response(201, MoveOut(many=True))
def transfer(body, warehouse_id):
    """Move available stock to another warehouse (earliest expiry first)."""
    warehouses.get_warehouse(session=db.session, user=current_user, warehouse_id=warehouse_id)
    moves = ledger.transfer(session=db.session, from_warehouse_id=warehouse_id, actor_id=current_user.id, **body)
    _stock_changed(body["to_warehouse_id"], body["item_id"])
    db.session.commit()
    return moves


@blp.route("/<int:warehouse_id>/moves", methods=["GET"])
@allow(*WAREHOUSE_ROLES)
@blp.arguments(MoveQuery, location="query")
@blp.response(200, MoveOut(many=True))
def moves(args, warehouse_id):
    """The ledger of a warehouse, newest first, filterable by item, kind and dates."""
    warehouses.get_warehouse(session=db.session, user=current_user, warehouse_id=warehouse_id)
    return warehouses.moves(session=db.session, warehouse_id=warehouse_id, **args)


@blp.route("/<int:warehouse_id>/moves.csv", methods=["GET"])
@allow(*WAREHOUSE_ROLES)
@blp.arguments(MoveQuery, location="query")
@blp.response(200, CSV_TEXT, content_type="text/csv", description="The same moves as CSV, one row per move.")
def moves_csv(args, warehouse_id):
    """The ledger of a warehouse as CSV (same filters)."""
    wh = warehouses.get_warehouse(session=db.session, user=current_user, warehouse_id=warehouse_id)
    rows = MoveOut(many=True).dump(warehouses.moves(session=db.session, warehouse_id=warehouse_id, **args))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(MoveOut().fields))
    writer.writeheader()
    for row in rows:
        writer.writerow({k: warehouses.csv_cell(v) for k, v in row.items()})
    return Response(
        buf.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="warehouse-{wh.id}-moves.csv"'},
    )


@orgs_blp.route("", methods=["GET"])
@allow(*REQUESTERS)
@orgs_blp.arguments(PageQuery, location="query")
@orgs_blp.response(200, OrganizationOut(many=True), headers=pagination.LINK_HEADER | versions.ETAG_HEADER)
@orgs_blp.alt_response(304, **versions.NOT_MODIFIED_DOC)
@versions.conditional()
def list_organizations(args):
    """Requester organizations in scope (a requester: its own)."""
    query = pagination.window(select(Organization).order_by(Organization.name, Organization.id), args)
    found = db.session.scalars(
        authz.scoped(query, current_user, region=Organization.region_id, organization=Organization.id)
    ).all()
    return pagination.rows(found, args)


@requests_blp.route("", methods=["GET"])
@allow(*REQUESTERS)
@requests_blp.arguments(RequestQuery, location="query")
@requests_blp.response(200, RequestOut(many=True), headers=pagination.LINK_HEADER | versions.ETAG_HEADER)
@requests_blp.alt_response(304, **versions.NOT_MODIFIED_DOC)
@versions.conditional()
def list_requests(args):
    """Supply requests in scope, newest first (a requester: its organization's)."""
    found = requests.list_requests(
        session=db.session, user=current_user, status=args["status"], **pagination.params(args)
    )
    return pagination.rows(found, args)


@requests_blp.route("", methods=["POST"])
@allow(*REQUESTERS)
@requests_blp.arguments(RequestIn)
@requests_blp.response(201, RequestOut)
def create_request(body):
    """File a request (a requester for its organization, HQ on an organization's behalf)."""
    request = requests.create(session=db.session, user=current_user, **body)
    database.commit_keeping(db.session)
    return request


class RequestDetailOut(RequestOut):
    allocations = fields.Nested(AllocationOut, many=True, attribute="allocations_out")
    deliveries = fields.Nested(StopOut, many=True, attribute="deliveries_out")


@requests_blp.route("/<int:request_id>", methods=["GET"])
@allow(*REQUESTERS)
@requests_blp.response(200, RequestDetailOut)
def get_request(request_id):
    """One request with its lines, the allocations serving it (with their
    reasoning) and the delivery stops bringing it (with their proof)."""
    request = requests.get(session=db.session, user=current_user, request_id=request_id)
    request.allocations_out = board.list_allocations(session=db.session, user=current_user, request_id=request.id)
    request.deliveries_out = delivery_reads.stops_for_request(db.session, request.id)
    return request


@requests_blp.route("/<int:request_id>/cancel", methods=["POST"])
@allow(*REQUESTERS)
@requests_blp.arguments(RequestCancelIn)
@requests_blp.response(200, RequestOut)
def cancel_request(body, request_id):
    """Cancel a request not yet dispatched; its held stock is released."""
    request = requests.cancel(session=db.session, user=current_user, request_id=request_id, reason=body["reason"])
    db.session.commit()
    return request
