"""Housing figures for HQ: beds free, held and occupied, people waiting and in
quarantine, in a user's scope. The map's KPI strip, the overview and the
situation report all read them from here.

Beds and the people in them count in the region of the facility (a group from
one region placed across the border counts where its beds are), so "people in
quarantine" and "beds occupied" agree; a waiting group has no facility yet and
counts in the region it comes from. Free beds follow `FacilityBeds.free`: a
closed facility has none."""

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
    waiting_q = select(func.coalesce(func.sum(PlacementRequest.head_count), 0)).where(
        PlacementRequest.status.in_(WAITING)
    )
    inside_q = (
        select(func.coalesce(func.sum(PlacementRequest.checked_in_count), 0))
        .join(Facility, Facility.id == PlacementRequest.facility_id)
        .where(PlacementRequest.status == "checked_in")
    )
    if scope is not None:
        beds_q = beds_q.where(Facility.region_id == scope)
        waiting_q = waiting_q.where(PlacementRequest.region_id == scope)
        inside_q = inside_q.where(Facility.region_id == scope)
    total, oos, held, occupied, free = (int(v) for v in session.execute(beds_q).one())
    return {
        "beds_total": total,
        "beds_free": free,
        "beds_held": held,
        "beds_occupied": occupied,
        "beds_out_of_service": oos,
        "people_waiting": int(session.scalar(waiting_q)),
        "people_in_quarantine": int(session.scalar(inside_q)),
    }
