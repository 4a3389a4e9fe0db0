"""Housing figures for HQ: beds free, held and occupied, people waiting and in
quarantine, in a user's scope. The map's KPI strip, the overview and the
situation report all read them from here."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.auth.models import User
from coordinator.housing.models import Facility, FacilityBeds, PlacementRequest

WAITING = ("requested", "waiting")


def summary(*, session: Session, user: User, region_id: int | None = None) -> dict[str, int]:
    """Beds and people across the facilities in the user's scope (national
    users may narrow it to one region)."""
    scope = authz.region_scope(user)
    if scope is None:
        scope = region_id
    beds_q = select(
        func.coalesce(func.sum(FacilityBeds.total), 0),
        func.coalesce(func.sum(FacilityBeds.out_of_service), 0),
        func.coalesce(func.sum(FacilityBeds.held), 0),
        func.coalesce(func.sum(FacilityBeds.occupied), 0),
        func.coalesce(func.sum(FacilityBeds.free), 0),
    ).join(Facility)
    people_q = select(
        PlacementRequest.status,
        func.coalesce(func.sum(PlacementRequest.head_count), 0),
        func.coalesce(func.sum(PlacementRequest.checked_in_count), 0),
    ).group_by(PlacementRequest.status)
    if scope is not None:
        beds_q = beds_q.where(Facility.region_id == scope)
        people_q = people_q.where(PlacementRequest.region_id == scope)
    total, oos, held, occupied, free = (int(v) for v in session.execute(beds_q).one())
    people = {status: (int(heads), int(inside)) for status, heads, inside in session.execute(people_q)}
    return {
        "beds_total": total,
        "beds_free": free,
        "beds_held": held,
        "beds_occupied": occupied,
        "beds_out_of_service": oos,
        "people_waiting": sum(people.get(s, (0, 0))[0] for s in WAITING),
        "people_in_quarantine": people.get("checked_in", (0, 0))[1],
    }
