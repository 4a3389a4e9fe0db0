"""Cases: what counts as open (one definition for the map, the figures, the
overview, the situation report and the alerts), who hears about a case, and
the list the hotline works from."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.auth.models import User
from coordinator.events import service as events
from coordinator.hotline.models import OPEN_CASE_STATUSES, Case


def open_clause() -> ColumnElement[bool]:
    """SQL for an open case: still being worked on, and not a duplicate of another."""
    return Case.status.in_(OPEN_CASE_STATUSES) & Case.duplicate_of_id.is_(None)


def rooms(case: Case) -> list[str]:
    """Rooms that hear about a case: national HQ, the hotline, the case's region."""
    return events.rooms(regions=[case.region_id], hotline=True)


def latest(*, session: Session, user: User, limit: int = 50) -> list[Case]:
    """The newest cases in the user's scope."""
    query = select(Case).order_by(Case.created_at.desc()).limit(limit)
    return list(session.scalars(authz.scoped(query, user, region=Case.region_id, everything=("hotline_operator",))))
