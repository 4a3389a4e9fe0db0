"""Quarantine housing services (read side for now)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.auth.models import User
from coordinator.housing.models import Facility


def list_facilities(*, session: Session, user: User, region_id: int | None = None) -> list[Facility]:
    """Facilities within the user's scope, optionally of one region."""
    query = select(Facility).order_by(Facility.name)
    if user.role == "facility_manager":
        query = query.where(Facility.id.in_([f.id for f in user.facilities]))
    scope = authz.region_scope(user)
    if scope is not None:
        query = query.where(Facility.region_id == scope)
    if region_id is not None:
        query = query.where(Facility.region_id == region_id)
    return list(session.scalars(query))


def summary(*, session: Session, user: User, region_id: int | None = None) -> dict[str, int]:
    """Beds and people across the facilities in the user's scope (national
    users may narrow it to one region)."""
    from sqlalchemy import func

    from coordinator.housing.models import FacilityBeds, PlacementRequest

    scope = authz.region_scope(user)
    if scope is None:
        scope = region_id
    beds_q = select(
        func.coalesce(func.sum(FacilityBeds.total), 0),
        func.coalesce(func.sum(FacilityBeds.out_of_service), 0),
        func.coalesce(func.sum(FacilityBeds.held), 0),
        func.coalesce(func.sum(FacilityBeds.occupied), 0),
    ).join(Facility)
    people_q = select(
        PlacementRequest.status,
        func.coalesce(func.sum(PlacementRequest.head_count), 0),
        func.coalesce(func.sum(PlacementRequest.checked_in_count), 0),
    ).group_by(PlacementRequest.status)
    if scope is not None:
        beds_q = beds_q.where(Facility.region_id == scope)
        people_q = people_q.where(PlacementRequest.region_id == scope)
    total, oos, held, occupied = (int(v) for v in session.execute(beds_q).one())
    people = {status: (int(heads), int(inside)) for status, heads, inside in session.execute(people_q)}
    return {
        "beds_total": total,
        "beds_free": total - oos - held - occupied,
        "beds_held": held,
        "beds_occupied": occupied,
        "beds_out_of_service": oos,
        "people_waiting": people.get("waiting", (0, 0))[0] + people.get("requested", (0, 0))[0],
        "people_in_quarantine": people.get("checked_in", (0, 0))[1],
    }
