"""Operational headquarters: the list in scope, scheduled status reports, and
the silence flag for an HQ that stopped reporting."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator import authz, queue
from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.common.errors import NotFound
from coordinator.events import service as events
from coordinator.headquarters.models import Headquarters, HQStatusReport


def rooms(hq: Headquarters) -> list[str]:
    """Rooms that hear about an HQ: national, and its own region."""
    return events.rooms(regions=[hq.region_id])


def list_hqs(*, session: Session, user: User) -> list[Headquarters]:
    """HQs the user may see: all for national staff, their own region's otherwise."""
    query = select(Headquarters).order_by(Headquarters.region_id.is_not(None), Headquarters.name)
    return list(session.scalars(authz.scoped(query, user, region=Headquarters.region_id)))


def get(*, session: Session, user: User, hq_id: int) -> Headquarters:
    """One HQ, within the user's scope; raises NotFound or Forbidden."""
    hq = session.get(Headquarters, hq_id)
    if hq is None:
        raise NotFound(f"No headquarters with id {hq_id}.")
    authz.require_record(user, region_id=hq.region_id)
    return hq


def report_status(
    *, session: Session, user: User, hq_id: int, staff_on_duty: int, open_cases: int, needs: str
) -> HQStatusReport:
    """File an HQ's scheduled status report; clears its silence flag."""
    hq = get(session=session, user=user, hq_id=hq_id)
    before = {"last_report_at": hq.last_report_at, "silent": hq.silent}
    report = HQStatusReport(
        hq_id=hq.id,
        staff_on_duty=staff_on_duty,
        open_cases=open_cases,
        needs=needs,
        created_by_id=user.id,
        created_at=now(),
    )
    session.add(report)
    hq.last_report_at, hq.silent = report.created_at, False
    session.flush()
    events.record(
        session=session,
        type="hq.status_reported",
        subject_type="hq",
        subject_id=hq.id,
        rooms=rooms(hq),
        actor_id=user.id,
        before=before,
        after={
            "last_report_at": hq.last_report_at,
            "silent": False,
            "staff_on_duty": staff_on_duty,
            "open_cases": open_cases,
            "needs": needs,
            "report_id": report.id,
        },
    )
    return report


def flag_silent(*, session: Session, silence_minutes: int) -> list[int]:
    """Flag every HQ that has not reported within the window; return their ids."""
    cutoff = now() - timedelta(minutes=silence_minutes)
    stale = session.scalars(
        select(Headquarters)
        .where(Headquarters.silent.is_(False))
        .where((Headquarters.last_report_at.is_(None)) | (Headquarters.last_report_at < cutoff))
        .with_for_update(skip_locked=True, of=Headquarters)
    ).all()
    for hq in stale:
        hq.silent = True
        events.record(
            session=session,
            type="hq.silent",
            subject_type="hq",
            subject_id=hq.id,
            rooms=rooms(hq),
            before={"silent": False},
            after={"silent": True, "last_report_at": hq.last_report_at, "name": hq.name},
        )
    if stale:
        queue.after_commit(session, "scan_alerts")  # the national HQ sees the flag in its alerts
    return [hq.id for hq in stale]
