"""Cases: what counts as open (one definition for the map, the figures, the
overview, the situation report and the alerts), who may see a case, who hears
about it, and the lists the hotline and the HQs work from."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.auth.models import User
from coordinator.common.errors import Forbidden, NotFound
from coordinator.events import service as events
from coordinator.hotline import sla
from coordinator.hotline import text as normalize
from coordinator.hotline.models import OPEN_CASE_STATUSES, Case, CaseStep
from coordinator.i18n import N_, text

# Who works with cases: hotline operators see every case, HQ users those of their scope.
CASE_ROLES = ("admin", "hq", "hotline_operator")
QUEUE_LIMIT = 200


def open_clause() -> ColumnElement[bool]:
    """SQL for an open case: still being worked on, and not a duplicate of another."""
    return Case.status.in_(OPEN_CASE_STATUSES) & Case.duplicate_of_id.is_(None)


def is_open(case: Case) -> bool:
    """The same test as `open_clause`, for a case at hand."""
    return case.status in OPEN_CASE_STATUSES and case.duplicate_of_id is None


def rooms(case: Case) -> list[str]:
    """Rooms that hear about a case: national HQ, the hotline, the case's region."""
    return events.rooms(regions=[case.region_id], hotline=True)


def state(case: Case) -> dict[str, Any]:
    """What an event says about a case: never the reporter, nor the description."""
    return {
        "number": case.number,
        "status": case.status,
        "severity": case.severity,
        "category": case.category,
        "region_id": case.region_id,
        "sla_due_at": case.sla_due_at,
        "sla_stage": case.sla_stage,
        "breached": case.breached,
        "escalated_national": case.escalated_national,
        "paused": case.paused,
        "waiting_on": case.waiting_on,
        "duplicate_of_id": case.duplicate_of_id,
        "assignee_id": case.assignee_id,
    }


def scope(query: Select, user: User) -> Select:
    """Limit a query of cases to the user's scope."""
    return authz.scoped(query, user, region=Case.region_id, everything=("hotline_operator",))


def require(user: User, case: Case) -> None:
    """Refuse a case outside the user's scope (Forbidden)."""
    if user.role == "hotline_operator":
        return
    if user.role not in authz.HQ_ROLES:
        raise Forbidden(text(N_("Your role may not see hotline cases.")))
    authz.require_record(user, region_id=case.region_id)


def get(*, session: Session, user: User, case_id: int, lock: bool = False) -> Case:
    """One case in the user's scope; raises NotFound or Forbidden."""
    query = select(Case).where(Case.id == case_id)
    if lock:
        query = query.with_for_update(of=Case)
    found = session.scalar(query)
    if found is None:
        raise NotFound(text(N_("No case with id %(case_id)s."), case_id=case_id))
    require(user, found)
    return found


def latest(*, session: Session, user: User, limit: int = 50) -> list[Case]:
    """The newest cases in the user's scope."""
    query = select(Case).order_by(Case.created_at.desc()).limit(limit)
    return list(session.scalars(scope(query, user)))


def _filtered(
    user: User,
    status: str | None,
    severity: str | None,
    category: str | None,
    region_id: int | None,
    q: str | None,
) -> Select:
    query = select(Case)
    if status in (None, "open"):
        query = query.where(open_clause())
    elif status != "all":
        query = query.where(Case.status == status, Case.duplicate_of_id.is_(None))
    for column, wanted in ((Case.severity, severity), (Case.category, category), (Case.region_id, region_id)):
        if wanted is not None:
            query = query.where(column == wanted)
    if q and q.strip():
        like, employer = f"%{q.strip()}%", normalize.employer(q)
        matches = [Case.number.ilike(like), Case.settlement.ilike(like)]
        if employer:
            matches.append(Case.employer_norm.like(f"%{employer}%"))
        query = query.where(or_(*matches))
    return scope(query, user)


def queue(
    *,
    session: Session,
    user: User,
    status: str | None = None,
    severity: str | None = None,
    category: str | None = None,
    region_id: int | None = None,
    sla_state: str | None = None,
    q: str | None = None,
    limit: int = QUEUE_LIMIT,
    offset: int = 0,
) -> list[Case]:
    """Cases to work on: new ones first, then by the clock that falls due
    first. Without a status, the open cases; "all" for every case."""
    query = _filtered(user, status, severity, category, region_id, q).order_by(
        sql_case((Case.status == "new", 0), else_=1),
        Case.sla_due_at.is_(None),
        Case.sla_due_at,
        Case.id,
    )
    if sla_state is not None:
        query = query.where(sla.state_clause(sla_state))
    return list(session.scalars(query.limit(limit).offset(offset)))


def count(
    *,
    session: Session,
    user: User,
    status: str | None = None,
    severity: str | None = None,
    category: str | None = None,
    region_id: int | None = None,
    q: str | None = None,
) -> int:
    """How many cases `queue` would list with no limit (the queue shows at most
    `QUEUE_LIMIT`, its count says how many there are)."""
    query = _filtered(user, status, severity, category, region_id, q)
    return int(session.scalar(select(func.count()).select_from(query.subquery())))


def steps(*, session: Session, case: Case, public_only: bool = False) -> list[CaseStep]:
    """The case's history, oldest first (public_only: what the reporter may see)."""
    query = select(CaseStep).where(CaseStep.case_id == case.id).order_by(CaseStep.at, CaseStep.id)
    if public_only:
        query = query.where(CaseStep.public.is_(True))
    return list(session.scalars(query))
