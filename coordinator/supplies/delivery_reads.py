"""Reading delivery runs, stops and discrepancies, within the caller's scope:
national HQ everything, a regional HQ its region's warehouses, a warehouse
manager their warehouses, a field team the runs it was given, a requester the
stops of its organization."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from flask import url_for
from sqlalchemy import Integer, String, column, select, table
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.auth.models import User
from coordinator.common.errors import NotFound
from coordinator.i18n import N_, text
from coordinator.supplies import ledger
from coordinator.supplies.delivery_proof import confirmed_at, get_stop, stop_lines
from coordinator.supplies.item_names import item_text, unit_text
from coordinator.supplies.models import (
    Allocation,
    Delivery,
    DeliveryLine,
    DeliveryRun,
    Discrepancy,
    Lot,
    Organization,
    Warehouse,
)

# The field domain's tables, read for a run's task status and team (supplies
# uses field only through its seams; these name just the columns read).
_TASKS = table("tasks", column("id", Integer), column("team_id", Integer), column("status", String))
_TEAMS = table("teams", column("id", Integer), column("name", String))


def _task_facts(session: Session, task_ids: list[int]) -> dict[int, dict[str, Any]]:
    ids = [i for i in task_ids if i is not None]
    if not ids:
        return {}
    rows = session.execute(
        select(_TASKS.c.id, _TASKS.c.status, _TASKS.c.team_id, _TEAMS.c.name)
        .outerjoin(_TEAMS, _TEAMS.c.id == _TASKS.c.team_id)
        .where(_TASKS.c.id.in_(ids))
    )
    return {i: {"task_status": status, "team_id": team_id, "team": name} for i, status, team_id, name in rows}


def stop_out(stop: Delivery, lines: list[DeliveryLine], confirmed: Any = None) -> dict[str, Any]:
    """A stop as the API gives it."""
    org = stop.organization
    return {
        "id": stop.id,
        "run_id": stop.run_id,
        "seq": stop.seq,
        "organization_id": org.id,
        "organization": org.name,
        "settlement": org.settlement,
        "request_id": stop.supply_request_id,
        "lat": org.lat,
        "lon": org.lon,
        "status": stop.status,
        "received_by": stop.received_by,
        "received_at": stop.received_at,
        "proof_lat": stop.proof_lat,
        "proof_lon": stop.proof_lon,
        "has_photo": bool(stop.photo),
        "discrepancy": stop.discrepancy,
        "confirmed_at": confirmed,
        "lines": [
            {"id": li.id, "item_id": li.item_id, "item": item_text(li.item.name), "unit": unit_text(li.item.unit),
             "quantity": li.quantity,
             "accepted": li.quantity_received, "rejected": li.quantity_rejected, "reject_reason": li.reject_reason}
            for li in lines
        ],
    }  # fmt: skip


def _stops_out(session: Session, stops: list[Delivery]) -> list[dict[str, Any]]:
    ids = [s.id for s in stops]
    lines: dict[int, list[DeliveryLine]] = defaultdict(list)
    if ids:
        query = select(DeliveryLine).where(DeliveryLine.delivery_id.in_(ids)).order_by(DeliveryLine.id)
        for li in session.scalars(query.execution_options(populate_existing=True)):
            lines[li.delivery_id].append(li)
    confirmed = confirmed_at(session, ids)
    return [stop_out(s, lines[s.id], confirmed.get(s.id)) for s in stops]


def stops_for_request(session: Session, request_id: int) -> list[dict[str, Any]]:
    """Every stop bringing something of a request (for the request's page):
    the stops of its allocations, in the order they were planned."""
    stop_ids = select(Allocation.stop_id).where(Allocation.request_id == request_id, Allocation.stop_id.is_not(None))
    stops = session.scalars(select(Delivery).where(Delivery.id.in_(stop_ids)).order_by(Delivery.id)).all()
    return _stops_out(session, list(stops))


def _runs_out(session: Session, runs: list[DeliveryRun]) -> list[dict[str, Any]]:
    facts = _task_facts(session, [r.task_id for r in runs])
    stops: dict[int, list[Delivery]] = defaultdict(list)
    if runs:
        query = select(Delivery).where(Delivery.run_id.in_([r.id for r in runs])).order_by(Delivery.seq)
        for s in session.scalars(query.execution_options(populate_existing=True)):
            stops[s.run_id].append(s)
    all_stops = _stops_out(session, [s for r in runs for s in stops[r.id]])
    by_run: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for s in all_stops:
        by_run[s["run_id"]].append(s)
    return [
        {
            "id": r.id,
            "warehouse_id": r.warehouse_id,
            "warehouse": r.warehouse.name,
            "status": r.status,
            "task_id": r.task_id,
            **facts.get(r.task_id, {"task_status": None, "team_id": None, "team": None}),
            "load_kg": r.load_kg,
            "capacity_kg": r.capacity_kg,
            "route_km": r.route_km,
            "request_order_km": r.request_order_km,
            "created_at": r.created_at,
            "stops": by_run[r.id],
        }
        for r in runs
    ]


def list_runs(
    *,
    session: Session,
    user: User,
    warehouse_id: int | None = None,
    status: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Runs in scope, newest first (`limit` rows from `offset`)."""
    query = (
        select(DeliveryRun)
        .join(Warehouse, Warehouse.id == DeliveryRun.warehouse_id)
        .outerjoin(_TASKS, _TASKS.c.id == DeliveryRun.task_id)
        .order_by(DeliveryRun.id.desc())
    )
    if warehouse_id is not None:
        query = query.where(DeliveryRun.warehouse_id == warehouse_id)
    if status:
        query = query.where(DeliveryRun.status == status)
    query = authz.scoped(
        query, user, region=Warehouse.region_id, warehouse=DeliveryRun.warehouse_id, team=_TASKS.c.team_id
    )
    return _runs_out(session, list(session.scalars(query.limit(limit).offset(offset))))


def get_run(*, session: Session, user: User, run_id: int) -> DeliveryRun:
    run = session.get(DeliveryRun, run_id, populate_existing=True)
    if run is None:
        raise NotFound(text(N_("No delivery run with id %(run_id)s."), run_id=run_id))
    team_id = _task_facts(session, [run.task_id]).get(run.task_id, {}).get("team_id")
    authz.require_record(user, region_id=run.warehouse.region_id, warehouse_id=run.warehouse_id, team_id=team_id)
    return run


def run_out(session: Session, run: DeliveryRun) -> dict[str, Any]:
    return _runs_out(session, [run])[0]


def task_reports(*, session: Session, tasks: list[Any]) -> dict[int, dict[str, Any]]:
    """What each delivery run's task produced, for HQ's task history (the
    `field.reports` provider of run tasks): the proof at each stop, with a
    link to its photo. The caller has already scoped the tasks."""
    runs = list(session.scalars(select(DeliveryRun).where(DeliveryRun.id.in_([t.source_id for t in tasks]))))
    by_run = {r["id"]: r for r in _runs_out(session, runs)}
    out = {}
    for t in tasks:
        run = by_run.get(t.source_id)
        if run is None:
            continue
        stops = [
            s | {"photo_url": url_for("supplies_deliveries.stop_photo", stop_id=s["id"]) if s["has_photo"] else None}
            for s in run["stops"]
        ]
        out[t.task_id] = {k: run[k] for k in ("id", "warehouse", "status", "load_kg", "route_km")} | {"stops": stops}
    return out


def get_stop_for(*, session: Session, user: User, stop_id: int) -> dict[str, Any]:
    """One stop with its photo: for HQ, the warehouse, the team and the requester."""
    stop = get_stop(session, stop_id)
    run = session.get(DeliveryRun, stop.run_id) if stop.run_id else None
    team_id = _task_facts(session, [run.task_id]).get(run.task_id, {}).get("team_id") if run else None
    authz.require_record(
        user,
        region_id=session.get(Warehouse, stop.warehouse_id).region_id,
        also_regions=(stop.organization.region_id,),
        warehouse_id=stop.warehouse_id,
        team_id=team_id,
        organization_id=stop.organization_id,
    )
    out = stop_out(stop, stop_lines(session, stop), confirmed_at(session, [stop.id]).get(stop.id))
    return out | {"photo": stop.photo}


def discrepancies(
    *, session: Session, user: User, warehouse_id: int | None = None, open_only: bool = False
) -> list[dict[str, Any]]:
    """What proofs of delivery found short or refused, newest first."""
    query = (
        select(Discrepancy, Delivery, Warehouse, Organization)
        .join(Delivery, Delivery.id == Discrepancy.delivery_id)
        .join(Warehouse, Warehouse.id == Delivery.warehouse_id)
        .join(Organization, Organization.id == Delivery.organization_id)
        .order_by(Discrepancy.id.desc())
    )
    if warehouse_id is not None:
        query = query.where(Delivery.warehouse_id == warehouse_id)
    if open_only:
        query = query.where(Discrepancy.resolved_at.is_(None))
    query = authz.scoped(query, user, region=Warehouse.region_id, warehouse=Delivery.warehouse_id)
    return [
        {
            "id": d.id,
            "delivery_id": stop.id,
            "run_id": stop.run_id,
            "warehouse_id": wh.id,
            "warehouse": wh.name,
            "organization_id": org.id,
            "organization": org.name,
            "request_id": stop.supply_request_id,
            "item_id": d.item_id,
            "item": item_text(d.item.name),
            "unit": unit_text(d.item.unit),
            "quantity": d.quantity,
            "reason": d.reason,
            "note": d.note,
            "received_by": stop.received_by,
            "created_at": d.created_at,
            "resolved_at": d.resolved_at,
        }
        for d, stop, wh, org in session.execute(query.limit(500))
    ]


def pick_list(session: Session, run: DeliveryRun) -> dict[str, Any]:
    """What the warehouse puts on the vehicle: each item by lot, earliest
    expiry first (what the run holds, or what it took once picked up), and
    what each stop gets."""
    stops = session.scalars(select(Delivery).where(Delivery.run_id == run.id).order_by(Delivery.seq)).all()
    picks: dict[tuple[int, int], int] = defaultdict(int)
    per_stop = []
    for stop in stops:
        lines = stop_lines(session, stop)
        per_stop.append({"stop": stop, "lines": lines})
        for li in lines:
            lots = ledger.issued_lots(session, li.allocation_id) or ledger.held_lots(session, li.allocation_id)
            for lot_id, qty in lots.items():
                picks[(li.item_id, lot_id)] += qty
    lots = {lot.id: lot for lot in session.scalars(select(Lot).where(Lot.id.in_([k[1] for k in picks])))}
    rows = sorted(
        ({"item": lots[lot_id].item, "lot": lots[lot_id], "quantity": qty} for (_, lot_id), qty in picks.items()),
        key=lambda r: (r["item"].name, r["lot"].expires_on or date.max, r["lot"].code),
    )
    return {"rows": rows, "stops": per_stop}
