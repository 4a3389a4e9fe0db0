"""What the supplies pages read (HQ's board, the requester's page): allocations with
their reasoning and override, lines still unserved, and stock and days of
cover per item and warehouse with the items below their alert threshold.
Read-only; scope is applied by the caller's region."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordinator.supplies import stock
from coordinator.supplies.models import (
    OPEN_REQUEST_STATUSES,
    Allocation,
    AllocationOverride,
    DeliveryRun,
    Item,
    Organization,
    StockBalance,
    SupplyRequest,
    SupplyRequestLine,
    Warehouse,
)

ROWS_SHOWN = 200


def _overrides(session: Session, line_ids: Iterable[int]) -> dict[int, AllocationOverride]:
    ids = list(set(line_ids))
    if not ids:
        return {}
    query = select(AllocationOverride).where(AllocationOverride.line_id.in_(ids))
    return {o.line_id: o for o in session.scalars(query)}


def allocations(
    session: Session, *, region_id: int | None, item_id: int | None, statuses: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Lines with allocations in these statuses, by item, then tier, newest
    first: each with its request, organization, allocations (one per
    warehouse that serves it), the newest allocation's reasoning and the
    line's override."""
    query = (
        select(Allocation, SupplyRequest, Organization, SupplyRequestLine)
        .join(SupplyRequest, SupplyRequest.id == Allocation.request_id)
        .join(Organization, Organization.id == SupplyRequest.organization_id)
        .join(SupplyRequestLine, SupplyRequestLine.id == Allocation.line_id)
        .join(Item, Item.id == Allocation.item_id)
        .where(Allocation.status.in_(statuses))
        .order_by(Item.name, SupplyRequest.tier, Allocation.line_id.desc(), Allocation.id.desc())
        .limit(ROWS_SHOWN)
    )
    if region_id is not None:
        query = query.where(Organization.region_id == region_id)
    if item_id is not None:
        query = query.where(Allocation.item_id == item_id)
    lines: dict[int, dict[str, Any]] = {}
    for a, r, o, line in session.execute(query):
        group = lines.setdefault(
            line.id,
            {"line": line, "request": r, "organization": o, "allocations": [], "reasoning": a.reasoning or {}},
        )
        group["allocations"].append(a)
    overrides = _overrides(session, lines)
    return [group | {"override": overrides.get(line_id)} for line_id, group in lines.items()]


def unserved(session: Session, *, region_id: int | None, item_id: int | None) -> list[dict[str, Any]]:
    """Open lines not fully allocated, by tier then age."""
    query = (
        select(SupplyRequestLine, SupplyRequest, Organization)
        .join(SupplyRequest, SupplyRequest.id == SupplyRequestLine.request_id)
        .join(Organization, Organization.id == SupplyRequest.organization_id)
        .where(
            SupplyRequest.status.in_(OPEN_REQUEST_STATUSES),
            SupplyRequestLine.quantity_allocated < SupplyRequestLine.quantity_requested,
        )
        .order_by(SupplyRequest.tier, SupplyRequest.created_at, SupplyRequestLine.id)
        .limit(ROWS_SHOWN)
    )
    if region_id is not None:
        query = query.where(Organization.region_id == region_id)
    if item_id is not None:
        query = query.where(SupplyRequestLine.item_id == item_id)
    rows = session.execute(query).all()
    overrides = _overrides(session, (line.id for line, *_ in rows))
    return [
        {
            "line": line,
            "request": r,
            "organization": o,
            "remaining": line.quantity_requested - line.quantity_allocated,
            "override": overrides.get(line.id),
        }
        for line, r, o in rows
    ]


def cover(
    session: Session,
    *,
    window_days: int,
    region_id: int | None,
    items: list[Item],
    alert_days: Callable[[Item | None], float],
) -> dict[str, Any]:
    """Stock and days of cover per warehouse and item (each row with its
    cover status), and the items whose cover across the warehouses is below
    their alert threshold, scarcest first."""
    by_id = {i.id: i for i in items}
    per_warehouse = stock.cover_by_warehouse(session=session, window_days=window_days, region_id=region_id)
    names = warehouse_names(session, per_warehouse)
    held = _held(session, list(per_warehouse))
    rows, totals = [], defaultdict(lambda: {"on_hand": 0, "per_day": 0.0})
    for warehouse_id, entries in per_warehouse.items():
        for e in entries:
            limit = alert_days(by_id.get(e["item_id"]))
            rows.append(
                e
                | {
                    "warehouse_id": warehouse_id,
                    "warehouse": names.get(warehouse_id, ""),
                    "held": held.get((warehouse_id, e["item_id"]), 0),
                    "limit": limit,
                    "cover": stock.cover_status(e["days_of_cover"], alert_days=limit),
                }
            )
            totals[e["item_id"]]["on_hand"] += e["on_hand"]
            totals[e["item_id"]]["per_day"] += e["per_day"]
    alerts = []
    for item_id, t in totals.items():
        item, days = by_id.get(item_id), stock.days_of_cover(t["on_hand"], t["per_day"])
        limit = alert_days(item)
        status = stock.cover_status(days, alert_days=limit)
        if status in ("critical", "low"):
            alerts.append(
                {"item": item, "on_hand": t["on_hand"], "days_of_cover": days, "limit": limit, "cover": status}
            )
    rows.sort(key=lambda r: (r["item"], r["warehouse"]))
    alerts.sort(key=lambda a: (a["days_of_cover"], a["item"].name if a["item"] else ""))
    return {"rows": rows, "alerts": alerts}


def _held(session: Session, warehouse_ids: list[int]) -> dict[tuple[int, int], int]:
    if not warehouse_ids:
        return {}
    query = (
        select(StockBalance.warehouse_id, StockBalance.item_id, func.sum(StockBalance.held))
        .where(StockBalance.warehouse_id.in_(warehouse_ids))
        .group_by(StockBalance.warehouse_id, StockBalance.item_id)
    )
    return {(w, i): int(h or 0) for w, i, h in session.execute(query)}


def runs_of(session: Session, run_ids: Iterable[int | None]) -> dict[int, DeliveryRun]:
    """The runs with these ids (stops not yet on a run have none)."""
    ids = [i for i in set(run_ids) if i is not None]
    if not ids:
        return {}
    return {r.id: r for r in session.scalars(select(DeliveryRun).where(DeliveryRun.id.in_(ids)))}


def warehouse_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = [i for i in set(ids) if i is not None]
    if not wanted:
        return {}
    return dict(session.execute(select(Warehouse.id, Warehouse.name).where(Warehouse.id.in_(wanted))).all())
