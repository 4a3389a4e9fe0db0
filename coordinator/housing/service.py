"""Quarantine housing services (read side for now)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.auth.models import User
from coordinator.common.errors import NotFound
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


def get_facility(*, session: Session, user: User, facility_id: int) -> Facility:
    """One facility within the user's scope; raises NotFound or Forbidden."""
    facility = session.get(Facility, facility_id)
    if facility is None:
        raise NotFound(f"No facility with id {facility_id}.")
    authz.require_facility(user, facility.id, facility.region_id)
    return facility
