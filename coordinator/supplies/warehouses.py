"""Warehouses in a user's scope, their stock and their ledger."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.auth.models import User
from coordinator.common.errors import NotFound
from coordinator.i18n import N_, text
from coordinator.supplies import ledger, stock
from coordinator.supplies.models import StockMove, Warehouse


def list_warehouses(*, session: Session, user: User, limit: int | None = None, offset: int = 0) -> list[Warehouse]:
    """Warehouses in scope by name (`limit` rows from `offset`): a warehouse manager sees only their own."""
    query = select(Warehouse).order_by(Warehouse.name, Warehouse.id).limit(limit).offset(offset)
    return list(session.scalars(authz.scoped(query, user, region=Warehouse.region_id, warehouse=Warehouse.id)))


def get_warehouse(*, session: Session, user: User, warehouse_id: int) -> Warehouse:
    wh = session.get(Warehouse, warehouse_id)
    if wh is None:
        raise NotFound(text(N_("No warehouse with id %(warehouse_id)s."), warehouse_id=warehouse_id))
    authz.require_record(user, region_id=wh.region_id, warehouse_id=wh.id)
    return wh


def with_stock(session: Session, wh: Warehouse) -> SimpleNamespace:
    """A warehouse and its stock by item and lot, with each item's days of cover."""
    window = current_app.config["COVER_WINDOW_DAYS"]
    rates = stock.daily_issue(session=session, window_days=window, region_id=wh.region_id)
    rows = []
    for row in ledger.stock_by_item(session=session, warehouse_id=wh.id):
        per_day = rates.get((wh.id, row["item_id"]), 0.0)
        rows.append(row | {"per_day": round(per_day, 1), "days_of_cover": stock.days_of_cover(row["on_hand"], per_day)})
    fields = ("id", "name", "region_id", "settlement", "lat", "lon", "status")
    return SimpleNamespace(**{f: getattr(wh, f) for f in fields}, stock=rows)


def moves(
    *,
    session: Session,
    warehouse_id: int,
    item_id: int | None = None,
    kind: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
) -> list[StockMove]:
    """A warehouse's moves, newest first (by when they happened)."""
    query = select(StockMove).where(StockMove.warehouse_id == warehouse_id)
    if item_id is not None:
        query = query.where(StockMove.item_id == item_id)
    if kind:
        query = query.where(StockMove.kind == kind)
    if since is not None:
        query = query.where(StockMove.occurred_at >= since)
    if until is not None:
        query = query.where(StockMove.occurred_at <= until)
    return list(session.scalars(query.order_by(StockMove.occurred_at.desc(), StockMove.id.desc()).limit(limit)))


def csv_cell(value: Any) -> Any:
    """A CSV cell that spreadsheet programs will not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
