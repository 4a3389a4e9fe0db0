"""API schemas of the ledger, warehouses, items and supply requests."""

from __future__ import annotations

from marshmallow import fields, validate

from coordinator.api.pagination import PageQuery
from coordinator.api.schemas import Id, StrictSchema, UtcDateTime
from coordinator.supplies.ledger import RECEIPT_SOURCES
from coordinator.supplies.models import MOVE_KINDS, REQUEST_STATUSES

Quantity = validate.Range(min=1, max=10_000_000, error="The quantity must be a whole number from {min} to {max}.")
Text = validate.Length(max=2000)
Short = validate.Length(max=120)


class ItemOut(StrictSchema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    unit = fields.String()
    category = fields.String()
    pack_size = fields.Integer()
    tracks_expiry = fields.Boolean()
    unit_kg = fields.Float()
    alert_days = fields.Float(allow_none=True)


class LotOut(StrictSchema):
    lot_id = fields.Integer()
    code = fields.String()
    expires_on = fields.Date(allow_none=True)
    on_hand = fields.Integer()
    held = fields.Integer()
    available = fields.Integer()


class StockOut(StrictSchema):
    item_id = fields.Integer()
    item = fields.String()
    unit = fields.String()
    on_hand = fields.Integer()
    held = fields.Integer()
    available = fields.Integer()
    per_day = fields.Float()
    days_of_cover = fields.Float(allow_none=True)
    lots = fields.Nested(LotOut, many=True)


class WarehouseOut(StrictSchema):
    id = fields.Integer()
    name = fields.String()
    region_id = fields.Integer()
    settlement = fields.String()
    lat = fields.Float()
    lon = fields.Float()
    status = fields.String()
    stock = fields.Nested(StockOut, many=True)


class DatedMoveIn(StrictSchema):
    occurred_at = UtcDateTime(load_default=None, metadata={"description": "When it happened (default: now)."})
    late_reason = fields.String(load_default="", validate=Text, metadata={"description": "Why a late entry is late."})


class ReceiptIn(DatedMoveIn):
    item_id = Id(required=True)
    quantity = fields.Integer(required=True, validate=Quantity)
    source = fields.String(required=True, validate=validate.OneOf(RECEIPT_SOURCES))
    reference = fields.String(load_default="", validate=Short)
    lot_code = fields.String(load_default="", validate=validate.Length(max=40))
    expires_on = fields.Date(load_default=None)


class AdjustmentIn(DatedMoveIn):
    lot_id = Id(required=True)
    quantity = fields.Integer(
        required=True, validate=validate.Range(min=-10_000_000, max=10_000_000), metadata={"description": "Signed."}
    )
    reason_code = fields.String(load_default="", validate=validate.Length(max=24))
    note = fields.String(load_default="", validate=Text)


class StockCountIn(DatedMoveIn):
    item_id = Id(required=True)
    lot_id = Id(load_default=None)
    counted = fields.Integer(required=True, validate=validate.Range(min=0, max=10_000_000))
    reason = fields.String(load_default="", validate=Text)
    reference = fields.String(load_default="", validate=Short)


class TransferIn(StrictSchema):
    to_warehouse_id = Id(required=True)
    item_id = Id(required=True)
    quantity = fields.Integer(required=True, validate=Quantity)
    reference = fields.String(load_default="", validate=Short)


class MoveOut(StrictSchema):
    id = fields.Integer()
    warehouse_id = fields.Integer()
    item_id = fields.Integer()
    item = fields.Function(lambda m: m.item.name)
    unit = fields.Function(lambda m: m.item.unit)
    lot_id = fields.Integer()
    lot = fields.Function(lambda m: m.lot.code)
    expires_on = fields.Function(lambda m: m.lot.expires_on.isoformat() if m.lot.expires_on else None)
    kind = fields.String()
    quantity = fields.Integer()
    counted = fields.Integer(allow_none=True)
    reason_code = fields.String()
    reason = fields.String()
    reference = fields.String()
    allocation_id = fields.Integer(allow_none=True)
    delivery_id = fields.Integer(allow_none=True)
    counterpart_warehouse_id = fields.Integer(allow_none=True)
    actor_id = fields.Integer(allow_none=True)
    occurred_at = UtcDateTime()
    created_at = UtcDateTime()


class MoveQuery(StrictSchema):
    item_id = Id(load_default=None)
    kind = fields.String(load_default=None, validate=validate.OneOf(MOVE_KINDS))
    since = UtcDateTime(load_default=None)
    until = UtcDateTime(load_default=None)
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=5000))


class OrganizationOut(StrictSchema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    tier = fields.Integer()
    region_id = fields.Integer()
    settlement = fields.String()


class SupplyLineIn(StrictSchema):
    item_id = Id(required=True)
    quantity = fields.Integer(required=True, validate=Quantity)
    on_hand = fields.Integer(load_default=None, validate=validate.Range(min=0, max=10_000_000))
    daily_use = fields.Float(load_default=None, validate=validate.Range(min=0, min_inclusive=False, max=10_000_000))


class RequestIn(StrictSchema):
    organization_id = Id(load_default=None)
    needed_by = fields.Date(load_default=None)
    note = fields.String(load_default="", validate=Text)
    lines = fields.List(fields.Nested(SupplyLineIn), required=True, validate=validate.Length(min=1, max=50))


class RequestCancelIn(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class RequestQuery(PageQuery):
    status = fields.String(load_default=None, validate=validate.OneOf(REQUEST_STATUSES))


class SupplyLineOut(StrictSchema):
    id = fields.Integer()
    item_id = fields.Integer()
    item = fields.Function(lambda line: line.item.name)
    unit = fields.Function(lambda line: line.item.unit)
    requested = fields.Integer(attribute="quantity_requested")
    allocated = fields.Integer(attribute="quantity_allocated")
    delivered = fields.Integer(attribute="quantity_delivered")
    on_hand = fields.Integer(allow_none=True)
    daily_use = fields.Float(allow_none=True)


class RequestOut(StrictSchema):
    id = fields.Integer()
    organization_id = fields.Integer()
    organization = fields.Function(lambda r: r.organization.name)
    tier = fields.Integer()
    status = fields.String()
    needed_by = fields.Date(allow_none=True)
    note = fields.String()
    cancel_reason = fields.String(allow_none=True)
    created_at = UtcDateTime()
    lines = fields.Nested(SupplyLineOut, many=True)
