"""Supplies: the catalogue, the stock ledger, requests, allocations and
delivery runs.

The ledger is append-only (`StockMove`); `StockBalance` caches its sum per
warehouse and lot. Every move and its balance change are written together
under the balance row's lock, and a check constraint makes a negative or
over-held balance impossible even if a service got it wrong. `verify-ledger`
proves the cache equals the sum of the moves."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.common.clock import now
from coordinator.common.models import Timestamped
from coordinator.extensions import db

# How each kind of move changes a balance: (on hand, held) per unit of
# `quantity`. Adjustments and counts carry their own sign.
MOVE_EFFECTS: dict[str, tuple[int, int]] = {
    "received": (1, 0),
    "held": (0, 1),
    "released": (0, -1),
    "issued": (-1, -1),  # a held quantity leaves on a delivery run
    "delivered": (0, 0),  # what arrived at the requester (the record of arrival)
    "returned": (1, 0),  # rejected at the door and brought back
    "adjusted": (1, 0),
    "counted": (1, 0),  # the difference a physical count found
    "transfer_out": (-1, 0),
    "transfer_in": (1, 0),
}
MOVE_KINDS = tuple(MOVE_EFFECTS)
ORGANIZATION_KINDS = ("hospital", "clinic", "enterprise", "union")
ITEM_CATEGORIES = ("ppe", "disinfectant", "hygiene", "food", "medical", "other")
# WHO-guided priority tiers when stock is short.
TIERS = {1: "front-line medical", 2: "other medical", 3: "essential workers", 4: "union members"}
REQUEST_STATUSES = ("pending", "partly_allocated", "allocated", "dispatched", "delivered", "cancelled")
OPEN_REQUEST_STATUSES = ("pending", "partly_allocated", "allocated")
ALLOCATION_STATUSES = ("held", "issued", "delivered", "released")
RUN_STATUSES = ("planned", "picked_up", "done", "cancelled")
STOP_STATUSES = ("planned", "delivered", "failed", "cancelled")


class Item(db.Model):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16), default="ppe")
    pack_size: Mapped[int] = mapped_column(Integer, default=1)
    tracks_expiry: Mapped[bool] = mapped_column(Boolean, default=False)
    unit_kg: Mapped[float] = mapped_column(Float, default=0.1)  # what a vehicle's capacity is counted in
    alert_days: Mapped[float | None] = mapped_column(Float)  # alert below this many days of cover


class Lot(db.Model):
    """A batch of an item. Items without expiry have one lot with code ''."""

    __tablename__ = "lots"
    __table_args__ = (UniqueConstraint("item_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), default="")
    expires_on: Mapped[date | None] = mapped_column(Date)

    item = relationship(Item, lazy="joined")


class Warehouse(Timestamped, db.Model):
    __tablename__ = "warehouses"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    settlement: Mapped[str] = mapped_column(String(120), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(8), default="open")

    balances = relationship("StockBalance", lazy="selectin", viewonly=True)
    managers = relationship("User", secondary="warehouse_managers", lazy="selectin", viewonly=True)


class StockBalance(db.Model):
    __tablename__ = "stock_balances"
    __table_args__ = (
        UniqueConstraint("warehouse_id", "lot_id"),
        CheckConstraint("on_hand >= 0 AND held >= 0 AND held <= on_hand", name="stock_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[int] = mapped_column(Integer, default=0)

    item = relationship(Item, lazy="joined")
    lot = relationship(Lot, lazy="joined")

    @property
    def available(self) -> int:
        return self.on_hand - self.held


class StockMove(db.Model):
    """One line of the ledger. `occurred_at` is when it happened, `created_at`
    when it was recorded; a late entry (occurred well before it was recorded)
    carries its reason in `note`."""

    __tablename__ = "stock_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer)
    reason_code: Mapped[str] = mapped_column(String(24), default="")
    reason: Mapped[str] = mapped_column(Text, default="")  # free text: the note, a late entry's reason
    reference: Mapped[str] = mapped_column(String(120), default="")  # waybill, donor, count sheet...
    counted: Mapped[int | None] = mapped_column(Integer)  # a count: what was counted
    allocation_id: Mapped[int | None] = mapped_column(ForeignKey("allocations.id"), index=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"))
    counterpart_warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime, index=True, default=now)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True, default=now)

    item = relationship(Item, lazy="joined", viewonly=True)
    lot = relationship(Lot, lazy="joined", viewonly=True)


class Organization(Timestamped, db.Model):
    """A requester: hospital, clinic, enterprise or union organization."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(16))
    tier: Mapped[int] = mapped_column(Integer)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    settlement: Mapped[str] = mapped_column(String(120), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class SupplyRequest(Timestamped, db.Model):
    __tablename__ = "supply_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    tier: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    needed_by: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    lines = relationship("SupplyRequestLine", lazy="selectin", order_by="SupplyRequestLine.id")
    organization = relationship(Organization, lazy="joined")


class SupplyRequestLine(db.Model):
    __tablename__ = "supply_request_lines"
    __table_args__ = (
        CheckConstraint(
            "quantity_requested > 0 AND quantity_allocated >= 0 AND quantity_allocated <= quantity_requested",
            name="quantities_valid",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("supply_requests.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    quantity_requested: Mapped[int] = mapped_column(Integer)
    quantity_allocated: Mapped[int] = mapped_column(Integer, default=0)  # held, issued or delivered
    quantity_delivered: Mapped[int] = mapped_column(Integer, default=0)  # accepted at the door
    on_hand: Mapped[int | None] = mapped_column(Integer)  # the requester's own stock, if given
    daily_use: Mapped[float | None] = mapped_column(Float)  # the requester's use per day, if given

    item = relationship(Item, lazy="joined")
    request = relationship(SupplyRequest, lazy="joined", viewonly=True)


class Allocation(db.Model):
    """Stock of one warehouse held for one request line, with the reasoning
    of the run that decided it."""

    __tablename__ = "allocations"
    __table_args__ = (CheckConstraint("quantity > 0", name="allocation_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("supply_request_lines.id"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("supply_requests.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="held", index=True)
    distance_km: Mapped[float] = mapped_column(Float, default=0.0)
    reasoning: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    stop_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)

    line = relationship(SupplyRequestLine, lazy="joined", viewonly=True)
    warehouse = relationship(Warehouse, lazy="joined", viewonly=True)


class AllocationOverride(db.Model):
    """HQ's word on a line: serve it from this warehouse only, and/or give it
    exactly this quantity. Later allocation runs respect it."""

    __tablename__ = "allocation_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("supply_request_lines.id"), unique=True)
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"))
    quantity: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class DeliveryRun(Timestamped, db.Model):
    """Stops from one warehouse that fit one vehicle, in route order; done by
    a team through a field task."""

    __tablename__ = "delivery_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))
    status: Mapped[str] = mapped_column(String(12), default="planned", index=True)
    load_kg: Mapped[float] = mapped_column(Float, default=0.0)
    capacity_kg: Mapped[float] = mapped_column(Float, default=0.0)
    route_km: Mapped[float] = mapped_column(Float, default=0.0)
    request_order_km: Mapped[float] = mapped_column(Float, default=0.0)

    warehouse = relationship(Warehouse, lazy="joined", viewonly=True)
    stops = relationship("Delivery", lazy="selectin", order_by="Delivery.seq", viewonly=True)


class Delivery(Timestamped, db.Model):
    """One stop of a run: what goes to one organization, and its proof."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("delivery_runs.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    supply_request_id: Mapped[int | None] = mapped_column(ForeignKey("supply_requests.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    status: Mapped[str] = mapped_column(String(16), default="planned")
    received_by: Mapped[str | None] = mapped_column(String(120))
    received_at: Mapped[datetime | None] = mapped_column(DateTime)
    proof_lat: Mapped[float | None] = mapped_column(Float)
    proof_lon: Mapped[float | None] = mapped_column(Float)
    photo: Mapped[str | None] = mapped_column(Text)  # a data: URL, as task photos are
    discrepancy: Mapped[str | None] = mapped_column(Text)

    organization = relationship(Organization, lazy="joined", viewonly=True)
    lines = relationship("DeliveryLine", lazy="selectin", order_by="DeliveryLine.id", viewonly=True)


class DeliveryLine(db.Model):
    __tablename__ = "delivery_lines"
    __table_args__ = (
        CheckConstraint(
            "quantity_received IS NULL OR (quantity_received >= 0 AND quantity_rejected >= 0"
            " AND quantity_received + quantity_rejected = quantity)",
            name="proof_adds_up",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"), index=True)
    allocation_id: Mapped[int | None] = mapped_column(ForeignKey("allocations.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    quantity: Mapped[int] = mapped_column(Integer)  # shipped
    quantity_received: Mapped[int | None] = mapped_column(Integer)  # accepted at the door
    quantity_rejected: Mapped[int | None] = mapped_column(Integer)
    reject_reason: Mapped[str | None] = mapped_column(String(24))

    item = relationship(Item, lazy="joined", viewonly=True)


class Discrepancy(db.Model):
    """What a stop's proof showed short or damaged, for HQ to follow up."""

    __tablename__ = "supply_discrepancies"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)

    item = relationship(Item, lazy="joined", viewonly=True)
