"""Warehouses in a user's scope."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.auth.models import User
from coordinator.common.errors import NotFound
from coordinator.supplies.models import Warehouse


def list_warehouses(*, session: Session, user: User) -> list[Warehouse]:
    """Warehouses in scope: a warehouse manager sees only their own."""
    query = select(Warehouse).order_by(Warehouse.name)
    return list(session.scalars(authz.scoped(query, user, region=Warehouse.region_id, warehouse=Warehouse.id)))


def get_warehouse(*, session: Session, user: User, warehouse_id: int) -> Warehouse:
    wh = session.get(Warehouse, warehouse_id)
    if wh is None:
        raise NotFound(f"No warehouse with id {warehouse_id}.")
    authz.require_record(user, region_id=wh.region_id, warehouse_id=wh.id)
    return wh
