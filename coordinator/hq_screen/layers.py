"""The HQ screen's map layers: each a list of points with what HQ needs to see, scoped to the
user's region. Reporter identities never appear here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.auth.models import User
from coordinator.common.clock import iso_utc
from coordinator.common.errors import Invalid
from coordinator.field import teams as field_teams
from coordinator.field.models import Task, Team
from coordinator.geo.models import Region
from coordinator.headquarters.models import Headquarters
from coordinator.hotline import cases as hotline_cases
from coordinator.hotline import sla
from coordinator.hotline.models import OPEN_CASE_STATUSES, Case
from coordinator.housing.models import Facility, PlacementRequest
from coordinator.i18n import N_, render, text
from coordinator.supplies import stock
from coordinator.supplies.models import OPEN_REQUEST_STATUSES, Organization, SupplyRequest, Warehouse

Rows = Iterator[dict[str, Any]]
BATCH = 500


def _rows(session: Session, query) -> Iterator[Any]:
    """Read in batches, so an export streams instead of loading every row first."""
    return session.scalars(query.execution_options(yield_per=BATCH))


def _facilities(session: Session, region_id: int | None) -> Rows:
    query = select(Facility).order_by(Facility.id)
    if region_id:
        query = query.where(Facility.region_id == region_id)
    for f in _rows(session, query):
        in_service = sum(b.total - b.out_of_service for b in f.beds)
        yield (
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


def _waiting(session: Session, region_id: int | None) -> Rows:
    query = (
        select(PlacementRequest)
        .where(PlacementRequest.status.in_(("waiting", "requested")))
        .order_by(PlacementRequest.id)
    )
    if region_id:
        query = query.where(PlacementRequest.region_id == region_id)
    return (
        {
            "id": p.id,
            "status": p.status,
            "lat": p.origin_lat,
            "lon": p.origin_lon,
            "name": f"#{p.id} {p.origin_name}",
            "people": p.head_count,
            "reason": render((p.decision or {}).get("wait")) or p.wait_reason,  # in the reader's language
            "priority": p.priority,
            "region_id": p.region_id,
        }
        for p in _rows(session, query)
    )


def _teams(session: Session, region_id: int | None) -> Rows:
    query = select(Team).order_by(Team.id)
    if region_id:
        query = query.where(Team.region_id == region_id)
    busy = {t.team_id: t for t in session.scalars(select(Task).where(Task.status.in_(field_teams.WORKING)))}
    for t in _rows(session, query):
        task = busy.get(t.id)
        status = field_teams.team_status(t, working=task is not None)
        lat = t.last_lat if t.last_lat is not None else t.home_hq.lat
        lon = t.last_lon if t.last_lon is not None else t.home_hq.lon
        yield (
            {
                "id": t.id,
                "lat": lat,
                "lon": lon,
                "name": t.name,
                "status": status,
                "stale": field_teams.is_stale(t),  # a busy team's phone can be silent too
                "region_id": t.region_id,
                "task": {
                    "id": task.id,
                    "title": task.display_title,
                    "status": task.status,
                    "lat": task.dest_lat if task.status == "on_site" and task.dest_lat else task.lat,
                    "lon": task.dest_lon if task.status == "on_site" and task.dest_lon else task.lon,
                }
                if task
                else None,
            }
        )


def cover_status(days: float | None) -> str:
    """A warehouse's state by its worst days of cover."""
    return stock.cover_status(days, alert_days=current_app.config["COVER_ALERT_DAYS"])


def _warehouses(session: Session, region_id: int | None) -> Rows:
    query = select(Warehouse).order_by(Warehouse.id)
    if region_id:
        query = query.where(Warehouse.region_id == region_id)
    cover = stock.cover_by_warehouse(
        session=session, window_days=current_app.config["COVER_WINDOW_DAYS"], region_id=region_id
    )
    for w in _rows(session, query):
        items = cover.get(w.id, [])
        worst = stock.worst_cover(items)
        yield {
            "id": w.id,
            "lat": w.lat,
            "lon": w.lon,
            "name": w.name,
            "region_id": w.region_id,
            "status": cover_status(worst),
            "worst_cover_days": worst,
            "stock": {i["item"]: {k: i[k] for k in ("on_hand", "per_day", "days_of_cover")} for i in items},
        }


def _hqs(session: Session, region_id: int | None) -> Rows:
    query = select(Headquarters).order_by(Headquarters.id)
    if region_id:
        query = query.where(Headquarters.region_id == region_id)
    return (
        {
            "id": h.id,
            "lat": h.lat,
            "lon": h.lon,
            "name": h.name,
            "silent": h.silent,
            "status": "silent" if h.silent else "reporting",
            "region_id": h.region_id,
            "last_report_at": iso_utc(h.last_report_at) if h.last_report_at else None,
        }
        for h in _rows(session, query)
    )


def _cases(session: Session, region_id: int | None) -> Rows:
    """Every open case (`hotline.cases.open_clause`), so the map holds as many
    as the figures count: one reported with only its region is drawn at the
    region's centre and marked approximate."""
    warning = current_app.config["SLA_WARNING_MINUTES"]
    query = (
        select(Case, Region.lat, Region.lon)
        .outerjoin(Region, Region.id == Case.region_id)
        .where(hotline_cases.open_clause(), Case.lat.is_not(None) | Case.region_id.is_not(None))
        .order_by(Case.id)
    )
    if region_id:
        query = query.where(Case.region_id == region_id)
    return (
        {
            "id": c.id,
            "lat": c.lat if c.lat is not None else region_lat,
            "lon": c.lon if c.lon is not None else region_lon,
            "approximate": c.lat is None,
            "name": c.number,
            "category": c.category,
            "severity": c.severity,
            "breached": c.breached,
            "sla": sla.state(c, warning_minutes=warning),
            "status": c.status,
            "region_id": c.region_id,
            "sla_due_at": iso_utc(c.sla_due_at) if c.sla_due_at else None,
        }
        for c, region_lat, region_lon in session.execute(query.execution_options(yield_per=BATCH))
    )


def _supply(session: Session, region_id: int | None) -> Rows:
    query = select(SupplyRequest).where(SupplyRequest.status.in_(OPEN_REQUEST_STATUSES)).order_by(SupplyRequest.id)
    if region_id:
        query = query.join(Organization).where(Organization.region_id == region_id)
    for r in _rows(session, query):
        org = r.organization
        yield (
            {
                "id": r.id,
                "lat": org.lat,
                "lon": org.lon,
                "name": org.name,
                "tier": r.tier,
                "status": f"tier_{r.tier}",
                "region_id": org.region_id,
                "lines": len(r.lines),
            }
        )


LAYERS: dict[str, Callable[[Session, int | None], Rows]] = {
    "facilities": _facilities,
    "waiting": _waiting,
    "warehouses": _warehouses,
    "supply": _supply,
    "cases": _cases,
    "hqs": _hqs,
    "teams": _teams,
}


# The values of each layer's "status", for the status filter.
STATUSES: dict[str, tuple[str, ...]] = {
    "facilities": ("open", "full", "closed"),
    "waiting": ("requested", "waiting"),
    "warehouses": ("critical", "low", "ok", "no_issue"),
    "supply": ("tier_1", "tier_2", "tier_3", "tier_4"),
    "cases": OPEN_CASE_STATUSES,
    "hqs": ("silent", "reporting"),
    "teams": ("available", "busy", "stale", "off_duty"),
}


def check_filters(names: list[str], statuses: list[str]) -> None:
    """Refuse unknown layers, and statuses that no layer has. A status of
    another layer is not an error: the map reloads one layer at a time under
    one status filter ("full" leaves the cases layer whole)."""
    unknown = [n for n in names if n not in LAYERS]
    if unknown or not names:
        raise Invalid(
            text(
                N_("Unknown layers: %(unknown)s. Layers: %(layers)s."),
                unknown=", ".join(unknown) or text(N_("(none given)")),
                layers=", ".join(LAYERS),
            ),
            field="layers",
        )
    known = {v for values in STATUSES.values() for v in values}
    bad = [v for v in statuses if v not in known]
    if bad:
        raise Invalid(
            text(
                N_("Unknown status %(bad)s. Statuses: %(known)s."), bad=", ".join(bad), known=", ".join(sorted(known))
            ),
            field="status",
        )


def rows(*, session: Session, name: str, region_id: int | None, statuses: list[str]) -> Rows:
    """One layer's rows, filtered by the statuses it has; a filter of other
    layers' statuses only leaves it whole."""
    wanted = set(statuses) & set(STATUSES[name])
    for row in LAYERS[name](session, region_id):
        if not wanted or row.get("status") in wanted:
            yield row


def layers(
    *, session: Session, user: User, names: list[str], region_id: int | None, statuses: list[str] | None = None
) -> dict[str, Any]:
    """The named layers, limited to a region (a regional HQ user always gets their own)."""
    statuses = statuses or []
    check_filters(names, statuses)
    region_id = authz.region_to_show(session=session, user=user, region_id=region_id)
    return {
        "region_id": region_id,
        "layers": {n: list(rows(session=session, name=n, region_id=region_id, statuses=statuses)) for n in names},
    }
