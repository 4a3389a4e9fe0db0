"""Supplies services (read side for now)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.auth.models import User
from coordinator.common.errors import Forbidden, NotFound
from coordinator.supplies.models import Warehouse


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
