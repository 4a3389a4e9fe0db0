"""Scheduled status reports (staff on duty, open cases, urgent needs, free
text) and the silence flag of an HQ that stopped reporting: raised by a
periodic job once an HQ is quiet for longer than its interval, cleared by its
next report, both live."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordinator import queue
from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.events import service as events
from coordinator.headquarters import case_figures, roster
from coordinator.headquarters.models import Headquarters, HQStatusReport

# The HQ screen and the demo find the registry's list and lookup here too.
from coordinator.headquarters.registry import get, interval_minutes, list_hqs, rooms

__all__ = ["flag_silent", "get", "history", "latest", "list_hqs", "prefill", "report_status"]


def report_status(
    *,
    session: Session,
    user: User,
    hq_id: int,
    staff_on_duty: int,
    open_cases: int,
    needs: str = "",
    notes: str = "",
) -> HQStatusReport:
    """File an HQ's scheduled status report; it clears the HQ's silence flag
    (the event says so: `before.silent` true). Raises NotFound or Forbidden."""
    hq = get(session=session, user=user, hq_id=hq_id)
    before = {"last_report_at": hq.last_report_at, "silent": hq.silent}
    report = HQStatusReport(
        hq_id=hq.id,
        staff_on_duty=staff_on_duty,
        open_cases=open_cases,
        needs=needs.strip(),
        notes=notes.strip(),
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
            "needs": report.needs,
            "report_id": report.id,
        },
    )
    if before["silent"]:
        queue.after_commit(session, "scan_alerts")  # the national HQ's alert clears now, not at the next scan
    return report


def flag_silent(*, session: Session) -> list[int]:
    """Flag every HQ that has not reported within its interval (its own, or
    the default); return their ids. An HQ that never reported is silent."""
    at = now()
    candidates = session.scalars(
        select(Headquarters)
        .where(Headquarters.silent.is_(False))
        .order_by(Headquarters.id)
        .with_for_update(skip_locked=True, of=Headquarters)
    ).all()
    stale = [
        hq
        for hq in candidates
        if hq.last_report_at is None or hq.last_report_at < at - timedelta(minutes=interval_minutes(hq))
    ]
    for hq in stale:
        hq.silent = True
        events.record(
            session=session,
            type="hq.silent",
            subject_type="hq",
            subject_id=hq.id,
            rooms=rooms(hq),
            before={"silent": False},
            after={
                "silent": True,
                "last_report_at": hq.last_report_at,
                "name": hq.name,
                "interval_minutes": interval_minutes(hq),
            },
        )
    if stale:
        queue.after_commit(session, "scan_alerts")  # the national HQ sees the flag in its alerts
    return [hq.id for hq in stale]


def latest(*, session: Session, hq_ids: list[int]) -> dict[int, HQStatusReport]:
    """Each HQ's newest status report."""
    if not hq_ids:
        return {}
    newest = select(func.max(HQStatusReport.id)).where(HQStatusReport.hq_id.in_(hq_ids)).group_by(HQStatusReport.hq_id)
    return {r.hq_id: r for r in session.scalars(select(HQStatusReport).where(HQStatusReport.id.in_(newest)))}


def history(*, session: Session, hq: Headquarters, limit: int = 20) -> list[HQStatusReport]:
    """The HQ's status reports, newest first."""
    query = select(HQStatusReport).where(HQStatusReport.hq_id == hq.id)
    return list(session.scalars(query.order_by(HQStatusReport.id.desc()).limit(limit)))


def prefill(*, session: Session, hq: Headquarters) -> dict[str, int | None]:
    """What a new report starts from: the staff on duty now by the roster, and
    the HQ's open cases by the hotline's count (None when unknown)."""
    on_duty = roster.on_duty(session=session, hq_ids=[hq.id]).get(hq.id, [])
    cases = case_figures.of_hq(session=session, region_id=hq.region_id)
    return {"staff_on_duty": len(on_duty), "open_cases": cases.open if cases else None}
