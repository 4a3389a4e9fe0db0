"""Delivery runs: allocations held in a warehouse become runs that fit one
vehicle, with one stop per organization, in a short route; each run is done
by a field team through a task (the field domain's `tasks.create`), whose
steps come back through `field.hooks` to `delivery_steps`. Proof of delivery
at each stop is in `delivery_proof`. Services never commit.

A run's stops all come from one warehouse and fit the smallest delivery
vehicle; an allocation heavier than that is split into vehicle loads (its
hold moves with each part), and an organization's allocations that do not fit
together become stops on different runs."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from flask import current_app
from sqlalchemy import Boolean, Integer, column, func, select, table
from sqlalchemy.orm import Session

from coordinator.field import tasks as field_tasks
from coordinator.i18n import N_, message
from coordinator.supplies import delivery_steps, ledger, routing
from coordinator.supplies.models import (
    Allocation,
    Delivery,
    DeliveryLine,
    DeliveryRun,
    Organization,
    SupplyRequest,
    Warehouse,
)

# A delivery task's title, rendered per reader (no plural forms: "stops: N").
T_TITLE = N_("Deliver supplies from %(warehouse)s to %(place)s")
T_STOPS = N_("stops: %(count)s")
TEXTS = (T_TITLE, T_STOPS)
SOURCE = "delivery_run"  # the source_type of a run's task
ROUTE_SECONDS = 1.0  # the routing solver's time per warehouse (config SUPPLY_ROUTE_SECONDS)
RUN_MAX_STOPS = 15  # stops a team can do in one run (config SUPPLY_RUN_MAX_STOPS)

# The field domain's teams table, read (never written) for vehicle capacities.
# Supplies may use field only through its seams, and no seam says what teams
# can carry; a Core table names just the columns read, without field's models.
_TEAMS = table(
    "teams",
    column("region_id", Integer),
    column("can_deliver", Boolean),
    column("vehicle_capacity_kg", Integer),
)


def vehicle_capacity_kg(session: Session, region_id: int) -> float | None:
    """What one run may weigh: the smallest vehicle among the delivery teams
    of the warehouse's region (of the whole country if the region has none).
    A run's task is offered to whichever capable team is nearest, and dispatch
    does not weigh loads, so a run must fit any of them. None: no team with a
    vehicle can deliver."""
    query = select(func.min(_TEAMS.c.vehicle_capacity_kg)).where(
        _TEAMS.c.can_deliver.is_(True), _TEAMS.c.vehicle_capacity_kg > 0
    )
    capacity = session.scalar(query.where(_TEAMS.c.region_id == region_id)) or session.scalar(query)
    return float(capacity) if capacity else None


# -- planning --------------------------------------------------------------------------


@dataclass
class _Parcel:
    """What one stop of a run brings to one organization."""

    organization: Organization
    allocations: list[Allocation] = field(default_factory=list)
    kg: float = 0.0

    def order_key(self, requests_by_id: dict[int, SupplyRequest]) -> tuple:
        """Where the parcel comes in request order: its oldest request."""
        return min((requests_by_id[a.request_id].created_at, a.request_id) for a in self.allocations)


def _kg(allocation: Allocation) -> float:
    return allocation.quantity * allocation.line.item.unit_kg


def warehouses_to_plan(session: Session, warehouse_ids: list[int] | None) -> list[int]:
    """The warehouses (of those given, or all) with held stock not yet on a run."""
    query = select(Allocation.warehouse_id).where(Allocation.status == "held", Allocation.stop_id.is_(None))
    if warehouse_ids is not None:
        query = query.where(Allocation.warehouse_id.in_(warehouse_ids))
    return sorted(set(session.scalars(query.distinct())))


def plan_warehouse(*, session: Session, warehouse_id: int, actor_id: int | None = None) -> dict[str, Any]:
    """Plan runs for a warehouse's held allocations that are on no run yet.
    Idempotent: the warehouse row is locked while planning, and an allocation
    put on a stop is never planned again."""
    wh = session.scalar(select(Warehouse).where(Warehouse.id == warehouse_id).with_for_update(of=Warehouse))
    if wh is None:
        return {"warehouse_id": warehouse_id, "runs": [], "waiting": "no such warehouse"}
    pending = list(
        session.scalars(
            select(Allocation)
            .where(Allocation.warehouse_id == wh.id, Allocation.status == "held", Allocation.stop_id.is_(None))
            .order_by(Allocation.request_id, Allocation.id)
            .execution_options(populate_existing=True)
        )
    )
    if not pending:
        return {"warehouse_id": wh.id, "runs": [], "waiting": None}
    if wh.status != "open":
        return {"warehouse_id": wh.id, "runs": [], "waiting": f"{wh.name} is closed"}
    capacity = vehicle_capacity_kg(session, wh.region_id)
    if capacity is None:
        return {"warehouse_id": wh.id, "runs": [], "waiting": "no delivery team has a vehicle"}
    loads, too_heavy = _vehicle_loads(session, pending, capacity)
    parcels = _parcels(session, loads, capacity)
    cfg = current_app.config
    routes = routing.plan_routes(
        (wh.lat, wh.lon),
        [routing.Stop(p.organization.lat, p.organization.lon, p.kg) for p in parcels],
        capacity_kg=capacity,
        max_stops=cfg.get("SUPPLY_RUN_MAX_STOPS", RUN_MAX_STOPS),
        seconds=cfg.get("SUPPLY_ROUTE_SECONDS", ROUTE_SECONDS),
    )
    runs = [_make_run(session, wh, [parcels[i] for i in route], capacity, actor_id) for route in routes]
    waiting = f"{len(too_heavy)} allocations weigh more per unit than a vehicle carries" if too_heavy else None
    return {"warehouse_id": wh.id, "runs": [r.id for r in runs], "waiting": waiting}


def _vehicle_loads(
    session: Session, pending: list[Allocation], capacity: float
) -> tuple[list[Allocation], list[Allocation]]:
    """Split allocations heavier than a vehicle into vehicle-sized ones (the
    holds move with them), and set aside those of which a single unit is."""
    out, too_heavy = [], []
    for allocation in pending:
        unit_kg = allocation.line.item.unit_kg
        per_vehicle = math.floor(capacity / unit_kg) if unit_kg > 0 else allocation.quantity
        if per_vehicle < 1:
            too_heavy.append(allocation)
            continue
        while allocation.quantity > per_vehicle:
            rest = _split(session, allocation, keep=per_vehicle)
            out.append(allocation)
            allocation = rest
        out.append(allocation)
    return out, too_heavy


def _split(session: Session, allocation: Allocation, *, keep: int) -> Allocation:
    """Move all but `keep` units of an allocation to a new allocation of the
    same line (its hold released here and taken there, earliest expiry first)."""
    rest = allocation.quantity - keep
    ledger.release(session=session, warehouse_id=allocation.warehouse_id, allocation_id=allocation.id, quantity=rest)
    allocation.quantity = keep
    part = Allocation(
        line_id=allocation.line_id,
        request_id=allocation.request_id,
        item_id=allocation.item_id,
        warehouse_id=allocation.warehouse_id,
        quantity=rest,
        status="held",
        distance_km=allocation.distance_km,
        reasoning={**(allocation.reasoning or {}), "split_from": allocation.id},
        created_at=allocation.created_at,
    )
    session.add(part)
    session.flush()
    ledger.hold(
        session=session, warehouse_id=part.warehouse_id, item_id=part.item_id, quantity=rest, allocation_id=part.id
    )
    return part


def _parcels(session: Session, allocations: list[Allocation], capacity: float) -> list[_Parcel]:
    """Each organization's allocations as few parcels as fit a vehicle each
    (heaviest first into the first that has room), in request order."""
    by_org: dict[int, list[Allocation]] = defaultdict(list)
    for a in allocations:
        by_org[a.line.request.organization_id].append(a)
    parcels: list[_Parcel] = []
    for org_id, group in by_org.items():
        org = session.get(Organization, org_id)
        mine: list[_Parcel] = []
        for a in sorted(group, key=lambda a: (-_kg(a), a.id)):
            target = next((p for p in mine if p.kg + _kg(a) <= capacity + 1e-9), None)
            if target is None:
                target = _Parcel(org)
                mine.append(target)
            target.allocations.append(a)
            target.kg += _kg(a)
        parcels += mine
    return parcels


def _make_run(
    session: Session, wh: Warehouse, parcels: list[_Parcel], capacity: float, actor_id: int | None
) -> DeliveryRun:
    """One run: its stops in route order, their lines, and the field task."""
    request_ids = {a.request_id for p in parcels for a in p.allocations}
    by_id = {r.id: r for r in session.scalars(select(SupplyRequest).where(SupplyRequest.id.in_(request_ids)))}
    depot = (wh.lat, wh.lon)
    run = DeliveryRun(
        warehouse_id=wh.id,
        status="planned",
        load_kg=round(sum(p.kg for p in parcels), 3),
        capacity_kg=capacity,
        route_km=round(routing.tour_km(depot, [(p.organization.lat, p.organization.lon) for p in parcels]), 3),
        request_order_km=round(
            routing.tour_km(
                depot,
                [(p.organization.lat, p.organization.lon) for p in sorted(parcels, key=lambda p: p.order_key(by_id))],
            ),
            3,
        ),
    )
    session.add(run)
    session.flush()
    stops = []
    for seq, parcel in enumerate(parcels, start=1):
        stop = Delivery(
            run_id=run.id,
            seq=seq,
            warehouse_id=wh.id,
            organization_id=parcel.organization.id,
            supply_request_id=parcel.order_key(by_id)[1],
            status="planned",
        )
        session.add(stop)
        session.flush()
        for a in sorted(parcel.allocations, key=lambda a: (a.request_id, a.line_id, a.id)):
            session.add(DeliveryLine(delivery_id=stop.id, allocation_id=a.id, item_id=a.item_id, quantity=a.quantity))
            a.stop_id = stop.id
        stops.append(stop)
    session.flush()
    run.task_id = _task(session, wh, run, stops, list(by_id.values()), actor_id).id
    delivery_steps.record_run(session, run, "delivery_run.planned", actor_id)
    return run


def _task(
    session: Session,
    wh: Warehouse,
    run: DeliveryRun,
    stops: list[Delivery],
    reqs: list[SupplyRequest],
    actor_id: int | None,
):
    """The run's field task: from the warehouse (where the team picks the load
    up) to the last stop; its details list the stops in order."""
    for stop in stops:
        session.refresh(stop)
    last = stops[-1].organization
    where = stops[0].organization.name if len(stops) == 1 else message(T_STOPS, count=len(stops))
    needed_by = min((r.needed_by for r in reqs if r.needed_by), default=None)
    return field_tasks.create(
        session=session,
        kind="delivery",
        title=message(T_TITLE, warehouse=wh.name, place=where),
        lat=wh.lat,
        lon=wh.lon,
        dest_lat=last.lat,
        dest_lon=last.lon,
        priority=max(1, min(5, min(r.tier for r in reqs))),
        deadline=datetime.combine(needed_by, time(23, 59)) if needed_by else None,
        details={
            "run_id": run.id,
            "warehouse_id": wh.id,
            "warehouse": wh.name,
            "load_kg": run.load_kg,
            "route_km": run.route_km,
            "stops": [_stop_brief(s) for s in stops],
        },
        source_type=SOURCE,
        source_id=run.id,
        region_id=wh.region_id,
        actor_id=actor_id,
    )


def _stop_brief(stop: Delivery) -> dict[str, Any]:
    org = stop.organization
    return {
        "stop_id": stop.id,
        "seq": stop.seq,
        "organization": org.name,
        "settlement": org.settlement,
        "lat": org.lat,
        "lon": org.lon,
        "items": [{"item": li.item.name, "unit": li.item.unit, "quantity": li.quantity} for li in stop.lines],
    }
