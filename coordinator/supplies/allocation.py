"""Allocation of scarce stock to open request lines.

Per item: lines HQ fixed a quantity for come first, then tier 1 before tier 2
and so on. Within a tier, when stock is short, shares are levelled
(`fair_share`): by days of cover when every line gave its own stock and daily
use, otherwise max-min on the quantities asked; whole units, leftovers to
those still short, oldest request first. Each share is held at the nearest
open warehouses with stock, split when one is not enough; a line HQ pinned to
a warehouse is served from that one only (`allocation_run`). Every
allocation keeps its reasoning (`allocation_reasons`). What cannot be served
waits for the next run.

Concurrency: a run locks its items' rows (in id order), then the requests it
serves, before it reads any stock; so two runs for one item take turns on
PostgreSQL, as every writer does on SQLite (BEGIN IMMEDIATE). The ledger's
guarded updates have the last word: a hold that finds less than planned
(a transfer or an adjustment came in between) keeps what it got, and the
run reads the stock again and plans what is left."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, lazyload

from coordinator.common.errors import Invalid
from coordinator.events import service as events
from coordinator.i18n import N_, text
from coordinator.queue import after_commit
from coordinator.supplies import allocation_reasons, requests
from coordinator.supplies.allocation_run import OpenLine, Run
from coordinator.supplies.models import (
    OPEN_REQUEST_STATUSES,
    Allocation,
    AllocationOverride,
    Item,
    SupplyRequest,
    SupplyRequestLine,
    Warehouse,
)


def _record_events(session: Session, run: Run) -> None:
    """One event per request served or given back in the run (listing its
    allocations), then each touched request's status. Events come last: on
    PostgreSQL they serialise every writer of events until commit."""
    session.flush()
    for type_, rows in (
        ("allocation.made", [(row, None) for row in run.made]),
        ("allocation.released", run.released),
    ):
        by_request: dict[int, list[tuple[Allocation, int | None]]] = defaultdict(list)
        for row, released in rows:
            by_request[row.request_id].append((row, released))
        for request_id, found in sorted(by_request.items()):
            request = session.get(SupplyRequest, request_id)
            depots = [session.get(Warehouse, row.warehouse_id) for row, _ in found]
            rooms = requests.rooms(request) + events.rooms(
                warehouses=[w.id for w in depots], regions=[w.region_id for w in depots]
            )
            allocations = [
                allocation_reasons.event_state(row) | ({"released": n} if n is not None else {}) for row, n in found
            ]
            events.record(
                session=session, type=type_, subject_type="supply_request", subject_id=request_id, rooms=rooms,
                after={"request_id": request_id, "allocations": allocations},
            )  # fmt: skip
    requests.refresh_statuses(session=session, request_ids=sorted(run.request_ids))


# -- the run -----------------------------------------------------------------------------


def _lock_items(session: Session, item_ids: list[int] | None) -> list[int]:
    """Lock the items' rows in id order (PostgreSQL; on SQLite the
    transaction already holds the write lock): one run per item at a time."""
    query = select(Item.id).order_by(Item.id).with_for_update()
    if item_ids is not None:
        query = query.where(Item.id.in_(sorted(set(item_ids))))
    return list(session.scalars(query))


def _open_lines(session: Session, item_ids: list[int]) -> list[OpenLine]:
    """Lines of open requests still short, and lines with an override (which
    may have to give stock back), read after their requests are locked."""
    overridden = select(AllocationOverride.line_id)
    open_request = SupplyRequest.status.in_(OPEN_REQUEST_STATUSES)
    wanted = (
        select(SupplyRequestLine.id, SupplyRequestLine.request_id)
        .join(SupplyRequest, SupplyRequest.id == SupplyRequestLine.request_id)
        .where(
            SupplyRequestLine.item_id.in_(item_ids),
            open_request,
            or_(
                SupplyRequestLine.quantity_allocated < SupplyRequestLine.quantity_requested,
                SupplyRequestLine.id.in_(overridden),
            ),
        )
    )
    rows = session.execute(wanted).all()
    if not rows:
        return []
    request_ids = sorted({r.request_id for r in rows})
    locked = session.scalars(
        select(SupplyRequest)
        .where(SupplyRequest.id.in_(request_ids), open_request)
        .order_by(SupplyRequest.id)
        .with_for_update(of=SupplyRequest)
        .execution_options(populate_existing=True)
    ).all()
    by_id = {r.id: r for r in locked}
    lines = session.scalars(
        select(SupplyRequestLine)
        .where(SupplyRequestLine.id.in_([r.id for r in rows]), SupplyRequestLine.request_id.in_(list(by_id)))
        .order_by(SupplyRequestLine.id)
        .execution_options(populate_existing=True)
    ).all()
    line_ids = [line.id for line in lines]
    found = session.scalars(select(AllocationOverride).where(AllocationOverride.line_id.in_(line_ids)))
    overrides = {o.line_id: o for o in found}
    return [OpenLine(line, by_id[line.request_id], overrides.get(line.id), line.quantity_allocated) for line in lines]


def allocate(*, session: Session, item_ids: list[int] | None = None) -> dict[str, Any]:
    """Allocate available stock to the open lines of these items (every item
    if None): hold it, record each allocation with its reasoning and an
    event, and refresh the requests' status. Never commits. Returns what was
    done: {allocations, units, released, warehouse_ids, request_ids}."""
    locked = _lock_items(session, item_ids)
    lines = _open_lines(session, locked) if locked else []
    warehouses = session.scalars(
        select(Warehouse)
        .where(Warehouse.status == "open")
        .order_by(Warehouse.id)
        .options(lazyload(Warehouse.balances), lazyload(Warehouse.managers))
    ).all()
    run = Run(session, list(warehouses))
    for item_id in locked:
        item_lines = [o for o in lines if o.line.item_id == item_id]
        if item_lines:
            run.allocate_item(session.get(Item, item_id), item_lines)
    _record_events(session, run)
    return run.result()


def request_run(*, session: Session, item_ids: list[int] | None = None) -> None:
    """Declare an allocation run for these items (every item if None), to
    run once the caller commits. Raises Invalid for an unknown item."""
    if item_ids is not None:
        known = set(session.scalars(select(Item.id).where(Item.id.in_(item_ids))))
        unknown = sorted(set(item_ids) - known)
        if unknown:
            raise Invalid(
                text(N_("Unknown item %(item_id)s. Pick one from /api/v1/items."), item_id=unknown[0]), field="item_ids"
            )
        item_ids = sorted(known)
    after_commit(session, "allocate_supplies", item_ids)
