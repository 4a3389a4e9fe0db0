"""Supplies services (read side for now)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.auth.models import User
from coordinator.common.errors import Forbidden, Invalid, NotFound
from coordinator.supplies.models import Item, Organization, SupplyRequest, SupplyRequestLine, Warehouse


def list_warehouses(*, session: Session, user: User) -> list[Warehouse]:
    """Warehouses in scope: a warehouse manager sees only their own."""
    query = select(Warehouse).order_by(Warehouse.name)
    if user.role == "warehouse_manager":
        query = query.where(Warehouse.id.in_([w.id for w in user.warehouses]))
    scope = authz.region_scope(user)
    if scope is not None:
        query = query.where(Warehouse.region_id == scope)
    return list(session.scalars(query))


def get_warehouse(*, session: Session, user: User, warehouse_id: int) -> Warehouse:
    wh = session.get(Warehouse, warehouse_id)
    if wh is None:
        raise NotFound(f"No warehouse with id {warehouse_id}.")
    if user.role == "warehouse_manager" and all(w.id != wh.id for w in user.warehouses):
        raise Forbidden("You do not manage this warehouse.")
    authz.require_region(user, wh.region_id)
    return wh


def create_request(
    *,
    session: Session,
    organization_id: int,
    lines: list[tuple[int, int]],
    note: str = "",
    actor_id: int | None = None,
) -> SupplyRequest:
    """Open a supply request for an organization; its tier is the organization's."""
    from coordinator.events import service as events

    org = session.get(Organization, organization_id)
    if org is None:
        raise NotFound(f"No organization with id {organization_id}.")
    if not lines:
        raise Invalid("A request needs at least one line.", field="lines")
    for item_id, qty in lines:
        if qty <= 0:
            raise Invalid("Quantities must be positive.", field="lines")
        if session.get(Item, item_id) is None:
            raise Invalid(f"Unknown item {item_id}.", field="lines")
    request = SupplyRequest(organization_id=org.id, tier=org.tier, note=note, created_by_id=actor_id)
    session.add(request)
    session.flush()
    for item_id, qty in lines:
        session.add(SupplyRequestLine(request_id=request.id, item_id=item_id, quantity_requested=qty))
    session.flush()
    events.record(
        session=session,
        type="supply_request.created",
        subject_type="supply_request",
        subject_id=request.id,
        rooms=["hq", f"region:{org.region_id}", f"organization:{org.id}"],
        actor_id=actor_id,
        after={
            "organization_id": org.id,
            "tier": org.tier,
            "status": request.status,
            "lines": [{"item_id": i, "quantity": q} for i, q in lines],
        },
    )
    return request
