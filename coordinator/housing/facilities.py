"""Facilities and their beds: create, edit, capacity, and occupancy history."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator import authz, localtime
from coordinator.auth.models import User
from coordinator.common.errors import Invalid, NotFound
from coordinator.events import service as events
from coordinator.geo.service import check_point, locate, nearest_region
from coordinator.housing import beds
from coordinator.housing.models import (
    BED_CATEGORIES,
    FACILITY_KINDS,
    Facility,
    FacilityBeds,
    OccupancyDay,
    PlacementRequest,
)
from coordinator.i18n import N_, text

MAX_BEDS = 5000  # per category; more is a typing mistake, not a facility
FIELDS = ("name", "kind", "status", "address", "contact_phone", "has_medical_staff", "accessible", "meals")


def rooms(facility: Facility) -> list[str]:
    """Rooms that hear about a facility."""
    return events.rooms(regions=[facility.region_id], facilities=[facility.id])


def list_facilities(*, session: Session, user: User, region_id: int | None = None) -> list[Facility]:
    """Facilities within the user's scope, optionally of one region."""
    query = authz.scoped(
        select(Facility).order_by(Facility.name), user, region=Facility.region_id, facility=Facility.id
    )
    if region_id is not None:
        query = query.where(Facility.region_id == region_id)
    return list(session.scalars(query))


def beds_state(facility: Facility) -> dict[str, Any]:
    """A facility's bed counts for events and pages."""
    return {
        b.category: {
            "total": b.total,
            "out_of_service": b.out_of_service,
            "held": b.held,
            "occupied": b.occupied,
            "free": b.free,
        }
        for b in facility.beds
    } | {"_free": facility.free_beds, "_status": facility.status, "_full": facility.is_full}


def _check_beds(category: str, total: int, out_of_service: int) -> None:
    if category not in BED_CATEGORIES:
        raise Invalid(
            text(
                N_("Unknown bed category '%(category)s'. Use one of: %(categories)s."),
                category=category,
                categories=", ".join(BED_CATEGORIES),
            ),
            field="category",
        )
    if not 0 <= total <= MAX_BEDS:
        raise Invalid(
            text(N_("%(category)s beds must be between 0 and %(max)s."), category=category, max=MAX_BEDS), field="total"
        )
    if not 0 <= out_of_service <= total:
        raise Invalid(
            text(
                N_("Out-of-service %(category)s beds must be between 0 and the total (%(total)s)."),
                category=category,
                total=total,
            ),
            field="out_of_service",
        )


def _place(session: Session, settlement: str | None, lat: float | None, lon: float | None):
    if lat is not None and lon is not None:
        check_point(lat, lon, field="lat")
        return settlement or "", lat, lon, nearest_region(session=session, lat=lat, lon=lon)
    if not settlement:
        raise Invalid(text(N_("Give a settlement or coordinates.")), field="settlement")
    found, region = locate(session=session, name=settlement, field="settlement")
    return found.name, found.lat, found.lon, region


def create_facility(*, session: Session, user: User, data: dict[str, Any]) -> Facility:
    """Create a facility with its beds; raises Invalid or Forbidden."""
    if data.get("kind", "other") not in FACILITY_KINDS:
        raise Invalid(
            text(
                N_("Unknown kind '%(kind)s'. Use one of: %(kinds)s."),
                kind=data.get("kind"),
                kinds=", ".join(FACILITY_KINDS),
            ),
            field="kind",
        )
    settlement, lat, lon, region = _place(session, data.get("settlement"), data.get("lat"), data.get("lon"))
    authz.require_record(user, region_id=region.id)
    counts_by_category = data.get("beds") or {}
    for category, counts in counts_by_category.items():
        _check_beds(category, counts.get("total", 0), counts.get("out_of_service", 0))
    facility = Facility(
        region_id=region.id, settlement=settlement, lat=lat, lon=lon, **{k: data[k] for k in FIELDS if k in data}
    )
    session.add(facility)
    session.flush()
    for category, counts in counts_by_category.items():
        session.add(
            FacilityBeds(
                facility_id=facility.id,
                category=category,
                total=counts.get("total", 0),
                out_of_service=counts.get("out_of_service", 0),
            )
        )
    session.flush()
    session.refresh(facility)
    events.record(
        session=session,
        type="facility.created",
        subject_type="facility",
        subject_id=facility.id,
        rooms=rooms(facility),
        actor_id=user.id,
        after={"name": facility.name, "lat": lat, "lon": lon, "beds": beds_state(facility)},
    )
    if facility.free_beds:
        beds.freed(session, facility.id)
    return facility


def update_facility(*, session: Session, user: User, facility: Facility, data: dict[str, Any]) -> Facility:
    """Change a facility's details (not its beds)."""
    if "kind" in data and data["kind"] not in FACILITY_KINDS:
        raise Invalid(text(N_("Unknown kind '%(kind)s'."), kind=data["kind"]), field="kind")
    if "status" in data and data["status"] not in ("open", "closed"):
        raise Invalid(text(N_("Status is 'open' or 'closed' ('full' follows from the beds).")), field="status")
    before = {k: getattr(facility, k) for k in FIELDS if k in data}
    for key in before:
        setattr(facility, key, data[key])
    if before.get("status") == "closed" and facility.status == "open":
        beds.freed(session, facility.id)
    events.record(
        session=session,
        type="facility.updated",
        subject_type="facility",
        subject_id=facility.id,
        rooms=rooms(facility),
        actor_id=user.id,
        before=before,
        after={k: data[k] for k in before} | {"beds": beds_state(facility)},
    )
    return facility


def set_beds(
    *, session: Session, user: User, facility: Facility, category: str, total: int, out_of_service: int
) -> FacilityBeds:
    """Set a category's total and out-of-service beds. Refuses to go below what
    is held plus occupied; the update is conditional so a racing hold wins cleanly."""
    _check_beds(category, total, out_of_service)
    row = session.scalar(
        select(FacilityBeds)
        .where(FacilityBeds.facility_id == facility.id, FacilityBeds.category == category)
        .with_for_update()
    )
    if row is None:
        row = FacilityBeds(facility_id=facility.id, category=category, total=0, out_of_service=0)
        session.add(row)
        session.flush()
    before = {"total": row.total, "out_of_service": row.out_of_service, "held": row.held, "occupied": row.occupied}
    if total - out_of_service < row.held + row.occupied:
        raise Invalid(
            text(
                N_(
                    "%(category)s: %(held)s beds are held and %(occupied)s occupied, so at least "
                    "%(needed)s must stay in service (asked for %(asked)s)."
                ),
                category=category,
                held=row.held,
                occupied=row.occupied,
                needed=row.held + row.occupied,
                asked=total - out_of_service,
            ),
            field="total",
        )
    if total - out_of_service > row.total - row.out_of_service:
        beds.freed(session, facility.id)
    row.total, row.out_of_service = total, out_of_service
    session.flush()
    session.refresh(facility)
    events.record(
        session=session,
        type="facility.beds_changed",
        subject_type="facility",
        subject_id=facility.id,
        rooms=rooms(facility),
        actor_id=user.id,
        before={category: before},
        after={"category": category, "beds": beds_state(facility)},
    )
    return row


def snapshot_occupancy(*, session: Session, day: date | None = None) -> int:
    """Record every facility's beds for the day (upsert); returns how many rows."""
    day = day or localtime.local_today()  # the day people there are living
    existing = {r.facility_id: r for r in session.scalars(select(OccupancyDay).where(OccupancyDay.day == day))}
    count = 0
    for facility in session.scalars(select(Facility)):
        row = existing.get(facility.id) or OccupancyDay(facility_id=facility.id, day=day)
        row.total = sum(b.total for b in facility.beds)
        row.out_of_service = sum(b.out_of_service for b in facility.beds)
        row.held = sum(b.held for b in facility.beds)
        row.occupied = sum(b.occupied for b in facility.beds)
        session.add(row)
        count += 1
    return count


def occupancy(*, session: Session, facility: Facility, days: int = 30) -> dict[str, Any]:
    """The last `days` of history and the releases due over the next 14 days."""
    today = localtime.local_today()
    history = session.scalars(
        select(OccupancyDay)
        .where(OccupancyDay.facility_id == facility.id, OccupancyDay.day > today - timedelta(days=days))
        .order_by(OccupancyDay.day)
    ).all()
    due = session.scalars(
        select(PlacementRequest).where(
            PlacementRequest.facility_id == facility.id, PlacementRequest.status == "checked_in"
        )
    ).all()
    releases: Counter[date] = Counter()
    for p in due:
        if p.release_due_at:
            releases[localtime.to_local(p.release_due_at).date()] += p.checked_in_count
    occupied = sum(b.occupied for b in facility.beds)
    forecast = []
    for offset in range(1, 15):
        d = today + timedelta(days=offset)
        occupied -= releases.get(d, 0)
        forecast.append({"day": d.isoformat(), "releases": releases.get(d, 0), "occupied": max(occupied, 0)})
    return {
        "history": [
            {
                "day": r.day.isoformat(),
                "total": r.total,
                "out_of_service": r.out_of_service,
                "held": r.held,
                "occupied": r.occupied,
            }
            for r in history
        ],
        "forecast": forecast,
    }


def get(*, session: Session, user: User, facility_id: int) -> Facility:
    """One facility in the user's scope; raises NotFound or Forbidden."""
    facility = session.get(Facility, facility_id)
    if facility is None:
        raise NotFound(text(N_("No facility with id %(id)s."), id=facility_id))
    authz.require_record(user, region_id=facility.region_id, facility_id=facility.id)
    return facility


def set_managers(
    *, session: Session, user: User, facility: Facility, usernames: list[str], shown: list[str] | None = None
) -> list[User]:
    """Make these facility-manager users the facility's managers. With `shown`
    (the managers the caller's form showed), only those of them left out are
    removed: a manager the caller never saw (added meanwhile, or a page that
    showed none) is kept. Without it, the list is replaced. Raises Invalid."""
    managers = list(session.scalars(select(User).where(User.username.in_(usernames))))
    found = {m.username for m in managers}
    missing = [u for u in usernames if u not in found]
    if missing:
        raise Invalid(text(N_("Unknown users: %(names)s."), names=", ".join(missing)), field="usernames")
    wrong = [m.username for m in managers if m.role != "facility_manager"]
    if wrong:
        raise Invalid(text(N_("Not facility managers: %(names)s."), names=", ".join(wrong)), field="usernames")
    current = facility_managers(session=session, facility=facility)
    before = sorted(m.username for m in current)
    removable = set(before) if shown is None else set(shown)
    for m in current:
        if m.username in removable and m.username not in found:
            m.facilities = [f for f in m.facilities if f.id != facility.id]
    for m in managers:
        if all(f.id != facility.id for f in m.facilities):
            m.facilities = [*m.facilities, facility]
    session.flush()
    after = facility_managers(session=session, facility=facility)
    events.record(
        session=session,
        type="facility.managers_changed",
        subject_type="facility",
        subject_id=facility.id,
        rooms=rooms(facility),
        actor_id=user.id,
        before={"managers": before},
        after={"managers": [m.username for m in after]},
    )
    return after


def facility_managers(*, session: Session, facility: Facility) -> list[User]:
    from coordinator.auth.models import facility_managers as link

    return list(
        session.scalars(
            select(User)
            .join(link, link.c.user_id == User.id)
            .where(link.c.facility_id == facility.id)
            .order_by(User.username)
        )
    )
