"""Following a delivery run's field task (registered with `field.hooks`):

- on site (at the warehouse): the load is picked up, every allocation on the
  run is issued from the ledger, and its requests are dispatched;
- done: refused (409) while a stop has no proof of delivery;
- failed or cancelled: what was not delivered goes back, held stock released
  and issued stock returned to the warehouse, and the request lines are free
  to be allocated again.

Also the rooms and state of a run's events. Services never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.auth.models import User
from coordinator.common.errors import Conflict
from coordinator.events import service as events
from coordinator.field.hooks import TaskStep
from coordinator.i18n import N_, text
from coordinator.queue import after_commit
from coordinator.supplies import ledger, requests
from coordinator.supplies.models import (
    Allocation,
    Delivery,
    DeliveryLine,
    DeliveryRun,
    SupplyRequest,
    SupplyRequestLine,
)


def run_rooms(session: Session, run: DeliveryRun, team_id: int | None = None) -> list[str]:
    """Who hears about a run: its warehouse, the organizations it serves, and
    the HQs of their regions (and the team doing it)."""
    orgs = [s.organization for s in _stops(session, run)]
    return events.rooms(
        regions=[run.warehouse.region_id, *(o.region_id for o in orgs)],
        warehouses=[run.warehouse_id],
        organizations=[o.id for o in orgs],
        teams=[team_id],
    )


def run_state(session: Session, run: DeliveryRun) -> dict[str, Any]:
    """What events carry about a run."""
    return {
        "warehouse_id": run.warehouse_id,
        "task_id": run.task_id,
        "status": run.status,
        "load_kg": run.load_kg,
        "capacity_kg": run.capacity_kg,
        "route_km": run.route_km,
        "request_order_km": run.request_order_km,
        "stops": [{"stop_id": s.id, "seq": s.seq, "organization_id": s.organization_id, "status": s.status}
                  for s in _stops(session, run)],
    }  # fmt: skip


def record_run(session: Session, run: DeliveryRun, type_: str, actor_id: int | None, **extra: Any) -> None:
    session.flush()
    events.record(
        session=session,
        type=type_,
        subject_type="delivery_run",
        subject_id=run.id,
        rooms=run_rooms(session, run, extra.pop("team_id", None)),
        actor_id=actor_id,
        after=run_state(session, run) | extra,
    )


def _stops(session: Session, run: DeliveryRun) -> list[Delivery]:
    return list(
        session.scalars(
            select(Delivery)
            .where(Delivery.run_id == run.id)
            .order_by(Delivery.seq)
            .execution_options(populate_existing=True)
        )
    )


def _lines(session: Session, stop: Delivery) -> list[DeliveryLine]:
    return list(
        session.scalars(
            select(DeliveryLine)
            .where(DeliveryLine.delivery_id == stop.id)
            .order_by(DeliveryLine.id)
            .execution_options(populate_existing=True)
        )
    )


def locked_run(session: Session, run_id: int) -> DeliveryRun | None:
    """The run, locked: every change to a run's stops takes this lock first."""
    return session.scalar(
        select(DeliveryRun)
        .where(DeliveryRun.id == run_id)
        .with_for_update(of=DeliveryRun)
        .execution_options(populate_existing=True)
    )


def lock_allocations(session: Session, stop_ids: list[int]) -> dict[int, Allocation]:
    """The allocations on these stops, read fresh under lock. Their requests
    are locked first, in id order, as cancelling a request locks it: a cancel
    and a pick-up (or a proof, or a failed run) then never act on the same
    allocation at once."""
    if not stop_ids:
        return {}
    ids = select(DeliveryLine.allocation_id).where(DeliveryLine.delivery_id.in_(stop_ids))
    request_ids = sorted(set(session.scalars(select(Allocation.request_id).where(Allocation.id.in_(ids)))))
    session.execute(
        select(SupplyRequest.id).where(SupplyRequest.id.in_(request_ids)).order_by(SupplyRequest.id).with_for_update()
    )
    rows = session.scalars(
        select(Allocation)
        .where(Allocation.id.in_(ids))
        .order_by(Allocation.id)
        .with_for_update(of=Allocation)
        .execution_options(populate_existing=True)
    )
    return {a.id: a for a in rows}


def picked_up(*, session: Session, step: TaskStep, actor: User | None) -> None:
    """The run's team is on site at the warehouse: everything held for the
    run leaves on it (issued from the ledger) and its requests are dispatched.
    Lines whose allocation was released meanwhile (a request cancelled) drop out."""
    run = locked_run(session, step.source_id)
    if run is None or run.status != "planned":
        return
    if run.warehouse.status != "open":
        raise Conflict(
            text(N_("%(warehouse)s is closed: stock cannot leave it until it reopens."), warehouse=run.warehouse.name)
        )
    actor_id = actor.id if actor else None
    team_id = actor.team_id if actor else None
    touched: set[int] = set()
    load = 0.0
    stops = [s for s in _stops(session, run) if s.status == "planned"]
    allocations = lock_allocations(session, [s.id for s in stops])
    for stop in stops:
        stop.team_id = team_id
        kept = 0
        for line in _lines(session, stop):
            allocation = allocations.get(line.allocation_id)
            if allocation is None or allocation.status != "held":
                session.delete(line)
                continue
            line.quantity = ledger.issue(
                session=session,
                warehouse_id=run.warehouse_id,
                allocation_id=allocation.id,
                delivery_id=stop.id,
                actor_id=actor_id,
            )
            allocation.status = "issued"
            touched.add(allocation.request_id)
            load += line.quantity * line.item.unit_kg
            kept += 1
        if not kept:
            stop.status = "cancelled"
    run.status = "picked_up"
    run.load_kg = round(load, 3)
    session.flush()
    for request_id in sorted(touched):
        requests.refresh_status(session=session, request_id=request_id, actor_id=actor_id)
    record_run(session, run, "delivery_run.picked_up", actor_id, team_id=team_id)


def finished(*, session: Session, step: TaskStep, actor: User | None) -> None:
    """The team reports the run done: refused (409) while a stop lacks its proof."""
    run = locked_run(session, step.source_id)
    if run is None or run.status in ("done", "cancelled"):
        return
    if run.status == "planned":
        raise Conflict(text(N_("Run #%(run_id)s was never picked up at the warehouse."), run_id=run.id))
    unproven = [s for s in _stops(session, run) if s.status == "planned"]
    if unproven:
        names = "; ".join(text(N_("stop %(seq)s, %(org)s"), seq=s.seq, org=s.organization.name) for s in unproven)
        raise Conflict(
            text(
                N_("No proof of delivery yet for %(names)s. Record each stop's proof, or report the run failed."),
                names=names,
            ),
            stops=[s.id for s in unproven],
        )
    run.status = "done"
    record_run(session, run, "delivery_run.done", actor.id if actor else None, team_id=actor.team_id if actor else None)


def abandoned(*, session: Session, step: TaskStep, actor: User | None) -> None:
    """The run's task failed or was cancelled: every stop not yet delivered
    is given up. Stock still held is released; stock already on the vehicle
    comes back to the warehouse (returned). The request lines are free to be
    allocated again, and allocation is declared."""
    run = locked_run(session, step.source_id)
    if run is None or run.status in ("done", "cancelled"):
        return
    why = "run_failed" if step.status == "failed" else "run_cancelled"
    actor_id = actor.id if actor else None
    touched: set[int] = set()
    items: set[int] = set()
    stops = [s for s in _stops(session, run) if s.status == "planned"]
    allocations = lock_allocations(session, [s.id for s in stops])
    for stop in stops:
        for line in _lines(session, stop):
            allocation = allocations.get(line.allocation_id)
            if allocation is None or allocation.status not in ("held", "issued"):
                continue
            if allocation.status == "held":
                ledger.release(session=session, warehouse_id=run.warehouse_id, allocation_id=allocation.id)
            else:
                ledger.arrive(
                    session=session, warehouse_id=run.warehouse_id, allocation_id=allocation.id,
                    delivery_id=stop.id, accepted=0, returned=line.quantity, reason_code=why, actor_id=actor_id,
                )  # fmt: skip
            allocation.status = "released"
            request_line = session.get(SupplyRequestLine, allocation.line_id)
            request_line.quantity_allocated = max(0, request_line.quantity_allocated - allocation.quantity)
            touched.add(allocation.request_id)
            items.add(allocation.item_id)
        stop.status = "failed" if step.status == "failed" else "cancelled"
    run.status = "cancelled"
    session.flush()
    for request_id in sorted(touched):
        requests.refresh_status(session=session, request_id=request_id, actor_id=actor_id)
    record_run(session, run, f"delivery_run.{step.status}", actor_id, reason=step.reason)
    if items:
        after_commit(session, "allocate_supplies", sorted(items))
