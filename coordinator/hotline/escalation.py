"""The SLA scan (a periodic job): a clock that has run 75 % of its budget
warns the case's regional HQ; one that runs out breaches, and the case is
escalated from its regional HQ to the national HQ. Each clock warns and
breaches once; each is an event (and the alert scan raises its alert from
`sla.state`). Clocks of cases no longer worked on are stopped."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from coordinator.common.clock import now
from coordinator.hotline import cases, sla, workflow
from coordinator.hotline.models import Case, CaseClock

STAGE_WORDS = {"triage": "triage", "assignment": "inspection assignment", "resolution": "resolution"}


def _due(at) -> object:
    return (
        select(CaseClock, Case)
        .join(Case, Case.id == CaseClock.case_id)
        .where(
            CaseClock.stopped_at.is_(None),
            CaseClock.paused_at.is_(None),
            or_(
                and_(CaseClock.warned_at.is_(None), CaseClock.warn_at <= at),
                and_(CaseClock.breached_at.is_(None), CaseClock.due_at <= at),
            ),
        )
        .order_by(CaseClock.due_at)
        .with_for_update(of=CaseClock)
    )


def _breach(session: Session, clock: CaseClock, case: Case, at) -> None:
    before = cases.state(case)
    clock.breached_at = at
    clock.warned_at = clock.warned_at or at
    case.breached = True
    case.escalated_national = True
    sla.refresh(session=session, case=case)
    words = STAGE_WORDS[clock.stage]
    workflow.record_step(session, case, "escalated", actor_id=None, note=f"{words} SLA breached: national HQ")
    workflow.emit(
        session,
        case,
        "case.sla_breached",
        actor_id=None,
        before=before,
        extra={"stage": clock.stage, "due_at": clock.due_at, "escalated_to": "national"},
    )


def _warn(session: Session, clock: CaseClock, case: Case, at) -> None:
    clock.warned_at = at
    workflow.record_step(
        session, case, "warned", actor_id=None, note=f"{STAGE_WORDS[clock.stage]} SLA due {clock.due_at:%Y-%m-%d %H:%M}"
    )
    workflow.emit(
        session,
        case,
        "case.sla_warning",
        actor_id=None,
        extra={"stage": clock.stage, "due_at": clock.due_at, "escalated_to": "region"},
    )


def scan(*, session: Session) -> dict[str, int]:
    """Warn at 75 % and breach when due, once per clock."""
    at = now()
    out = {"warned": 0, "breached": 0, "stopped": 0}
    for clock, case in session.execute(_due(at)).all():
        if not cases.is_open(case):
            sla.stop(session=session, case=case)
            out["stopped"] += 1
        elif clock.breached_at is None and clock.due_at <= at:
            _breach(session, clock, case, at)
            out["breached"] += 1
        elif clock.warned_at is None:
            _warn(session, clock, case, at)
            out["warned"] += 1
    return out
