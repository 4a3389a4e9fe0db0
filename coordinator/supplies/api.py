"""API: warehouses and their stock."""

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields

from coordinator.api.schemas import StrictSchema
from coordinator.authz import WAREHOUSE_ROLES, allow
from coordinator.extensions import db
from coordinator.supplies import warehouses

blp = Blueprint("api_supplies", __name__, url_prefix="/warehouses", description="Warehouses and stock")


class BalanceOut(StrictSchema):
    item_id = fields.Integer()
    item = fields.Function(lambda b: b.item.name)
    unit = fields.Function(lambda b: b.item.unit)
    on_hand = fields.Integer()
    held = fields.Integer()


class WarehouseOut(StrictSchema):
    id = fields.Integer()
    name = fields.String()
    region_id = fields.Integer()
    settlement = fields.String()
    lat = fields.Float()
    lon = fields.Float()
    balances = fields.Nested(BalanceOut, many=True)


@blp.route("", methods=["GET"])
@allow(*WAREHOUSE_ROLES)
@blp.response(200, WarehouseOut(many=True))
def list_warehouses():
    """Warehouses within the caller's scope, with stock on hand."""
    return warehouses.list_warehouses(session=db.session, user=current_user)


@blp.route("/<int:warehouse_id>", methods=["GET"])
@allow(*WAREHOUSE_ROLES)
@blp.response(200, WarehouseOut)
def get_warehouse(warehouse_id):
    """One warehouse."""
    return warehouses.get_warehouse(session=db.session, user=current_user, warehouse_id=warehouse_id)
