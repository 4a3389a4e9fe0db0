"""Stock figures HQ steers by: days of cover and stock history. Both are read
from the append-only stock moves, so they never disagree with the balances."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from coordinator import localtime
from coordinator.common.clock import now
from coordinator.supplies.item_names import item_message, item_text, unit_message, unit_text
from coordinator.supplies.models import MOVE_EFFECTS, Item, StockBalance, StockMove, Warehouse

# Stock leaving a warehouse for use: the "daily issue" of days of cover.
ISSUE_KINDS = ("issued",)
_ON_HAND_SIGN = {kind: effect[0] for kind, effect in MOVE_EFFECTS.items() if effect[0]}


def daily_issue(*, session: Session, window_days: int, region_id: int | None = None) -> dict[tuple[int, int], float]:
    """Mean units issued per day over the window, by (warehouse id, item id)."""
    since = now() - timedelta(days=window_days)
    query = (
        select(StockMove.warehouse_id, StockMove.item_id, func.sum(StockMove.quantity))
        .where(StockMove.kind.in_(ISSUE_KINDS), StockMove.occurred_at >= since)
        .group_by(StockMove.warehouse_id, StockMove.item_id)
    )
    if region_id is not None:
        query = query.join(Warehouse, Warehouse.id == StockMove.warehouse_id).where(Warehouse.region_id == region_id)
    return {(w, i): abs(float(q)) / window_days for w, i, q in session.execute(query)}


def days_of_cover(on_hand: int, per_day: float) -> float | None:
    """Days the stock lasts at the recent rate (None: nothing issued lately)."""
    if per_day <= 0:
        return None
    return round(on_hand / per_day, 1)


def cover_by_warehouse(
    *, session: Session, window_days: int, region_id: int | None = None
) -> dict[int, list[dict[str, Any]]]:
    """Each warehouse's items with on-hand stock, daily issue and days of cover."""
    rates = daily_issue(session=session, window_days=window_days, region_id=region_id)
    query = (
        select(StockBalance.warehouse_id, Item, func.sum(StockBalance.on_hand))
        .join(Item, Item.id == StockBalance.item_id)
        .group_by(StockBalance.warehouse_id, Item.id)
    )
    if region_id is not None:
        query = query.join(Warehouse, Warehouse.id == StockBalance.warehouse_id).where(Warehouse.region_id == region_id)
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for warehouse_id, item, on_hand in session.execute(query.order_by(Item.name)):
        per_day = rates.get((warehouse_id, item.id), 0.0)
        out[warehouse_id].append(
            {
                "balance_id": f"{warehouse_id}-{item.id}",  # one per warehouse and item, whatever its lots
                "item_id": item.id,
                "item": item_text(item.name),
                "unit": unit_text(item.unit),
                # The same as messages, for texts stored now and read later (alerts).
                "item_message": item_message(item.name),
                "unit_message": unit_message(item.unit),
                "on_hand": int(on_hand),
                "per_day": round(per_day, 1),
                "days_of_cover": days_of_cover(int(on_hand), per_day),
                "alert_days": item.alert_days,
            }
        )
    return dict(out)


def worst_cover(items: list[dict[str, Any]]) -> float | None:
    """The lowest days of cover among items (None when nothing is being issued)."""
    known = [i["days_of_cover"] for i in items if i["days_of_cover"] is not None]
    return min(known) if known else None


def item_cover(*, session: Session, window_days: int, region_id: int | None = None) -> list[dict[str, Any]]:
    """Days of cover per item across the warehouses in scope, scarcest first."""
    rates = daily_issue(session=session, window_days=window_days, region_id=region_id)
    per_item: dict[int, float] = defaultdict(float)
    for (_, item_id), rate in rates.items():
        per_item[item_id] += rate
    query = (
        select(Item.id, Item.name, Item.unit, func.coalesce(func.sum(StockBalance.on_hand), 0))
        .join(StockBalance, StockBalance.item_id == Item.id)
        .join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
        .group_by(Item.id, Item.name, Item.unit)
    )
    if region_id is not None:
        query = query.where(Warehouse.region_id == region_id)
    rows = [
        {
            "item": name,
            "unit": unit,
            "on_hand": int(on_hand),
            "per_day": round(per_item.get(item_id, 0.0), 1),
            "days_of_cover": days_of_cover(int(on_hand), per_item.get(item_id, 0.0)),
        }
        for item_id, name, unit, on_hand in session.execute(query)
    ]
    return sorted(rows, key=lambda r: (r["days_of_cover"] is None, r["days_of_cover"] or 0, r["item"]))


def history(*, session: Session, days: int, region_id: int | None = None) -> dict[str, Any]:
    """On-hand stock per item at the end of each of the last `days` days,
    walked back from today's balances through the moves."""
    today = localtime.local_today()
    first = today - timedelta(days=days - 1)
    current = {r["item"]: r["on_hand"] for r in item_cover(session=session, window_days=1, region_id=region_id)}
    signed = case(
        *((StockMove.kind == k, StockMove.quantity * s) for k, s in _ON_HAND_SIGN.items()),
        else_=0,
    )
    # Days are local (TIMEZONE): each move is put in its local day here, so
    # the database needs no zone arithmetic (which differs between engines).
    query = (
        select(Item.name, StockMove.occurred_at, signed)
        .join(Item, Item.id == StockMove.item_id)
        .where(StockMove.occurred_at >= localtime.day_start(first))
    )
    if region_id is not None:
        query = query.join(Warehouse, Warehouse.id == StockMove.warehouse_id).where(Warehouse.region_id == region_id)
    change: dict[str, dict[date, int]] = defaultdict(dict)
    for name, at, delta in session.execute(query):
        d = localtime.to_local(at).date()
        change[name][d] = change[name].get(d, 0) + int(delta or 0)
    labels = [first + timedelta(days=i) for i in range(days)]
    series = {}
    for name, on_hand in current.items():
        values, level = [], on_hand
        for d in reversed(labels):
            values.append(level)
            level -= change[name].get(d, 0)
        series[item_text(name)] = list(reversed(values))
    return {"days": [d.isoformat() for d in labels], "series": series}


def cover_status(days: float | None, *, alert_days: float) -> str:
    """The one reading of days of cover, for the map, the figures and the alerts:
    critical below a third of `alert_days`, low below it, ok above it, and
    no_issue when nothing has been issued lately (cover cannot be computed)."""
    if days is None:
        return "no_issue"
    return "critical" if days < alert_days / 3 else "low" if days < alert_days else "ok"
