"""Map layers: each a list of points with what HQ needs to see, scoped to the
user's region. Reporter identities never appear here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.auth.models import User
from coordinator.common.errors import Forbidden, Invalid
from coordinator.field import tasks as field_tasks
from coordinator.field.models import Task, Team
from coordinator.geo.models import Region
from coordinator.hotline.models import Case
from coordinator.housing.models import Facility, PlacementRequest
from coordinator.hq.models import Headquarters
from coordinator.supplies.models import SupplyRequest, Warehouse


def _facilities(session: Session, region_id: int | None) -> list[dict[str, Any]]:
    query = select(Facility)
    if region_id:
        query = query.where(Facility.region_id == region_id)
    out = []
    for f in session.scalars(query):
        in_service = sum(b.total - b.out_of_service for b in f.beds)
        out.append(
            {
                "id": f.id,
                "lat": f.lat,
                "lon": f.lon,
                "name": f.name,
                "region_id": f.region_id,
                "status": "closed" if f.status == "closed" else ("full" if f.is_full else "open"),
                "free": f.free_beds,
                "in_service": in_service,
                "free_share": round(f.free_beds / in_service, 3) if in_service else 0.0,
                "beds": {
                    b.category: {"free": b.free, "held": b.held, "occupied": b.occupied, "total": b.total}
                    for b in f.beds
                },
            }
        )
    return out


def _waiting(session: Session, region_id: int | None) -> list[dict[str, Any]]:
    query = select(PlacementRequest).where(PlacementRequest.status.in_(("waiting", "requested")))
    if region_id:
        query = query.where(PlacementRequest.region_id == region_id)
    return [
        {
            "id": p.id,
            "lat": p.origin_lat,
            "lon": p.origin_lon,
            "name": f"#{p.id} {p.origin_name}",
            "people": p.head_count,
            "reason": p.wait_reason,
            "priority": p.priority,
            "region_id": p.region_id,
        }
        for p in session.scalars(query)
    ]


def _teams(session: Session, region_id: int | None) -> list[dict[str, Any]]:
    query = select(Team)
    if region_id:
        query = query.where(Team.region_id == region_id)
    busy = {
        t.team_id: t for t in session.scalars(select(Task).where(Task.status.in_(("accepted", "en_route", "on_site"))))
    }
    out = []
    for t in session.scalars(query):
        task = busy.get(t.id)
        status = (
            "off_duty" if not t.on_duty else "stale" if field_tasks.is_stale(t) else "busy" if task else "available"
        )
        lat = t.last_lat if t.last_lat is not None else t.home_hq.lat
        lon = t.last_lon if t.last_lon is not None else t.home_hq.lon
        out.append(
            {
                "id": t.id,
                "lat": lat,
                "lon": lon,
                "name": t.name,
                "status": status,
                "region_id": t.region_id,
                "task": {
                    "id": task.id,
                    "title": task.title,
                    "status": task.status,
                    "lat": task.dest_lat if task.status == "on_site" and task.dest_lat else task.lat,
                    "lon": task.dest_lon if task.status == "on_site" and task.dest_lon else task.lon,
                }
                if task
                else None,
            }
        )
    return out


def _warehouses(session: Session, region_id: int | None) -> list[dict[str, Any]]:
    query = select(Warehouse)
    if region_id:
        query = query.where(Warehouse.region_id == region_id)
    return [
        {
            "id": w.id,
            "lat": w.lat,
            "lon": w.lon,
            "name": w.name,
            "region_id": w.region_id,
            "stock": {b.item.name: b.on_hand for b in w.balances},
        }
        for w in session.scalars(query)
    ]


def _hqs(session: Session, region_id: int | None) -> list[dict[str, Any]]:
    query = select(Headquarters)
    if region_id:
        query = query.where(Headquarters.region_id == region_id)
    return [
        {
            "id": h.id,
            "lat": h.lat,
            "lon": h.lon,
            "name": h.name,
            "silent": h.silent,
            "region_id": h.region_id,
            "last_report_at": h.last_report_at.isoformat() if h.last_report_at else None,
        }
        for h in session.scalars(query)
    ]


def _cases(session: Session, region_id: int | None) -> list[dict[str, Any]]:
    query = select(Case).where(Case.status.not_in(("closed", "resolved")), Case.lat.is_not(None))
    if region_id:
        query = query.where(Case.region_id == region_id)
    return [
        {
            "id": c.id,
            "lat": c.lat,
            "lon": c.lon,
            "name": c.number,
            "category": c.category,
            "severity": c.severity,
            "breached": c.breached,
            "status": c.status,
            "region_id": c.region_id,
            "sla_due_at": c.sla_due_at.isoformat() if c.sla_due_at else None,
        }
        for c in session.scalars(query)
    ]


def _supply(session: Session, region_id: int | None) -> list[dict[str, Any]]:
    query = select(SupplyRequest).where(SupplyRequest.status == "open")
    out = []
    for r in session.scalars(query):
        org = r.organization
        if region_id and org.region_id != region_id:
            continue
        out.append(
            {
                "id": r.id,
                "lat": org.lat,
                "lon": org.lon,
                "name": org.name,
                "tier": r.tier,
                "region_id": org.region_id,
                "lines": len(r.lines),
            }
        )
    return out


LAYERS: dict[str, Callable[[Session, int | None], list[dict[str, Any]]]] = {
    "facilities": _facilities,
    "waiting": _waiting,
    "warehouses": _warehouses,
    "supply": _supply,
    "cases": _cases,
    "hqs": _hqs,
    "teams": _teams,
}


def layers(*, session: Session, user: User, names: list[str], region_id: int | None) -> dict[str, Any]:
    """The named layers, limited to a region (a regional HQ user always gets their own)."""
    unknown = [n for n in names if n not in LAYERS]
    if unknown:
        raise Invalid(f"Unknown layers: {', '.join(unknown)}. Layers: {', '.join(LAYERS)}.", field="layers")
    scope = authz.region_scope(user)
    if region_id is not None:
        if session.get(Region, region_id) is None:
            raise Invalid(f"Unknown region {region_id}.", field="region_id")
        if scope is not None and region_id != scope:
            raise Forbidden("You may see only your own region.")
    region_id = scope if scope is not None else region_id
    return {"region_id": region_id, "layers": {n: LAYERS[n](session, region_id) for n in names}}
