"""What the allocation board reads: allocations with their reasoning, and
the lines still waiting for stock, each in the caller's scope."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from coordinator import authz
from coordinator.auth.models import User
from coordinator.supplies import overrides
from coordinator.supplies.item_names import item_text, unit_text
from coordinator.supplies.models import (
    OPEN_REQUEST_STATUSES,
    Allocation,
    AllocationOverride,
    Item,
    Organization,
    SupplyRequest,
    SupplyRequestLine,
    Warehouse,
)


def list_allocations(
    *,
    session: Session,
    user: User,
    item_id: int | None = None,
    warehouse_id: int | None = None,
    request_id: int | None = None,
    status: str | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Allocations newest first: HQ those of its region (the requester's or
    the warehouse's), a warehouse manager those of their warehouses, a
    requester those of their organization."""
    query = (
        select(Allocation, SupplyRequest, Organization, Item, Warehouse, AllocationOverride)
        .join(SupplyRequest, SupplyRequest.id == Allocation.request_id)
        .join(Organization, Organization.id == SupplyRequest.organization_id)
        .join(Item, Item.id == Allocation.item_id)
        .join(Warehouse, Warehouse.id == Allocation.warehouse_id)
        .outerjoin(AllocationOverride, AllocationOverride.line_id == Allocation.line_id)
        .order_by(Allocation.created_at.desc(), Allocation.id.desc())
        .limit(limit)
        .offset(offset)
    )
    for column, value in (
        (Allocation.item_id, item_id),
        (Allocation.warehouse_id, warehouse_id),
        (Allocation.request_id, request_id),
        (Allocation.status, status),
    ):
        if value is not None:
            query = query.where(column == value)
    query = authz.scoped(
        query,
        user,
        region=(Organization.region_id, Warehouse.region_id),
        warehouse=Allocation.warehouse_id,
        organization=SupplyRequest.organization_id,
    )
    return [
        {
            "id": a.id,
            "line_id": a.line_id,
            "request_id": a.request_id,
            "organization_id": org.id,
            "organization": org.name,
            "tier": request.tier,
            "item_id": item.id,
            "item": item_text(item.name),
            "unit": unit_text(item.unit),
            "warehouse_id": wh.id,
            "warehouse": wh.name,
            "quantity": a.quantity,
            "status": a.status,
            "distance_km": a.distance_km,
            "created_at": a.created_at,
            "reasoning": a.reasoning or {},
            "override": overrides.state(override, session),
        }
        for a, request, org, item, wh, override in session.execute(query)
    ]


def unserved(
    *, session: Session, user: User, item_id: int | None = None, limit: int = 500, offset: int = 0
) -> list[dict[str, Any]]:
    """Open lines still short of what they asked (or of the quantity HQ
    fixed), tier first, then the earliest needed-by date, then the oldest
    request."""
    pinned = aliased(Warehouse)
    target = func.coalesce(AllocationOverride.quantity, SupplyRequestLine.quantity_requested)
    query = (
        select(SupplyRequestLine, SupplyRequest, Organization, Item, AllocationOverride, pinned.name)
        .join(SupplyRequest, SupplyRequest.id == SupplyRequestLine.request_id)
        .join(Organization, Organization.id == SupplyRequest.organization_id)
        .join(Item, Item.id == SupplyRequestLine.item_id)
        .outerjoin(AllocationOverride, AllocationOverride.line_id == SupplyRequestLine.id)
        .outerjoin(pinned, pinned.id == AllocationOverride.warehouse_id)
        .where(
            SupplyRequest.status.in_(OPEN_REQUEST_STATUSES),
            SupplyRequestLine.quantity_allocated < target,
        )
        .order_by(
            SupplyRequest.tier,
            SupplyRequest.needed_by.is_(None),
            SupplyRequest.needed_by,
            SupplyRequest.created_at,
            SupplyRequestLine.id,
        )
        .limit(limit)
        .offset(offset)
    )
    if item_id is not None:
        query = query.where(SupplyRequestLine.item_id == item_id)
    query = authz.scoped(query, user, region=Organization.region_id)
    out = []
    for line, request, org, item, override, pinned_name in session.execute(query):
        shown = overrides.state(override)
        if shown is not None:
            shown["warehouse"] = pinned_name
        out.append(
            {
                "line_id": line.id,
                "request_id": request.id,
                "organization_id": org.id,
                "organization": org.name,
                "tier": request.tier,
                "item_id": item.id,
                "item": item_text(item.name),
                "unit": unit_text(item.unit),
                "requested": line.quantity_requested,
                "allocated": line.quantity_allocated,
                "remaining": (
                    line.quantity_requested if override is None or override.quantity is None else override.quantity
                )
                - line.quantity_allocated,
                "needed_by": request.needed_by,
                "waiting_since": request.created_at,
                "override": shown,
            }
        )
    return out
