"""What the supplies pages read beyond the services: allocations grouped by
request line, unserved lines and open discrepancies narrowed to a region, and
stock and days of cover per item and warehouse with the items below their
alert threshold. Read-only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordinator.auth.models import User
from coordinator.supplies import board, delivery_reads, stock
from coordinator.supplies.models import DeliveryRun, Item, Organization, StockBalance, SupplyRequestLine, Warehouse

ROWS_SHOWN = 200


def in_region(session: Session, rows: list[dict[str, Any]], region_id: int | None) -> list[dict[str, Any]]:
    """The rows of organizations in the region (all rows when None)."""
    if region_id is None:
        return rows
    orgs = set(session.scalars(select(Organization.id).where(Organization.region_id == region_id)))
    return [r for r in rows if r["organization_id"] in orgs]


def allocation_lines(
    session: Session,
    *,
    user: User,
    region_id: int | None,
    item_id: int | None,
    statuses: tuple[str, ...],
) -> list[dict[str, Any]]:
    """The allocations in these statuses (as the allocation API gives them),
    grouped by request line: by item, then tier, newest line first. Each
    line has its allocations (one per warehouse serving it), the newest
    one's reasoning, its override, and what it asked and got in all."""
    rows = [
        row
        for status in statuses
        for row in board.list_allocations(session=session, user=user, item_id=item_id, status=status, limit=ROWS_SHOWN)
    ]
    rows = in_region(session, rows, region_id)
    rows.sort(key=lambda r: (r["item"], r["tier"], -r["line_id"], -r["id"]))
    lines: dict[int, dict[str, Any]] = {}
    for row in rows[:ROWS_SHOWN]:
        group = lines.setdefault(
            row["line_id"],
            {k: row[k] for k in ("line_id", "request_id", "organization_id", "organization", "tier", "item", "unit")}
            | {"allocations": [], "reasoning": row["reasoning"], "override": row["override"]},
        )
        group["allocations"].append(row)
    totals = {
        line.id: line
        for line in session.scalars(select(SupplyRequestLine).where(SupplyRequestLine.id.in_(list(lines))))
    }
    for line_id, group in lines.items():
        line = totals.get(line_id)
        group["requested"] = line.quantity_requested if line else None
        group["allocated"] = line.quantity_allocated if line else None
    return list(lines.values())


def waiting(session: Session, *, user: User, region_id: int | None, item_id: int | None) -> list[dict[str, Any]]:
    """The lines still short of what they asked (as the allocation API gives them)."""
    rows = board.unserved(session=session, user=user, item_id=item_id, limit=ROWS_SHOWN)
    return in_region(session, rows, region_id)


def open_discrepancies(
    session: Session, *, user: User, region_id: int | None = None, warehouse_id: int | None = None
) -> list[dict[str, Any]]:
    """What proofs of delivery found short or refused and nobody resolved yet."""
    rows = delivery_reads.discrepancies(session=session, user=user, warehouse_id=warehouse_id, open_only=True)
    return in_region(session, rows, region_id)[:ROWS_SHOWN]


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
