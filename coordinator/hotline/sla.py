"""A case's SLA clocks, in one place for the queue, the map, the figures, the
alerts and the breach dashboard.

Three clocks, each with a budget per severity: triage (opened -> triaged),
assignment (triaged -> inspection assigned) and resolution (opened -> resolved
or referred). A pause stops only the resolution clock; its due time moves on
by the paused time. A clock warns once `SLA_WARNING_SHARE` (75 %) of its
budget has run and breaches when its due time passes; a breach escalates the
case from its regional HQ to the national HQ. The case carries the clock that
falls due first (`sla_due_at`, `sla_stage`, `sla_budget_minutes`), so lists
and SQL read one row per case.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, false, not_, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from coordinator.common.clock import now
from coordinator.hotline import settings
from coordinator.hotline.models import OPEN_CASE_STATUSES, SEVERITIES, Case, CaseClock

SETTING = {"triage": "SLA_TRIAGE_HOURS", "assignment": "SLA_ASSIGNMENT_HOURS", "resolution": "SLA_RESOLUTION_HOURS"}
STATES = ("on_time", "due_soon", "breached", "paused", "stopped")


class minutes_until(FunctionElement):
    """SQL: minutes from a time to a later one (negative once past), on SQLite and PostgreSQL."""

    type = Float()
    inherit_cache = True


@compiles(minutes_until, "sqlite")
def _minutes_sqlite(element: minutes_until, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 1440.0)"


@compiles(minutes_until, "postgresql")
def _minutes_postgresql(element: minutes_until, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 60.0)"


def state_clause(wanted: str, at: datetime | None = None) -> ColumnElement[bool]:
    """SQL for the cases whose `state` (without `warning_minutes`) is `wanted`,
    so a list filters by SLA state in the database."""
    at = at or now()
    open_ = Case.status.in_(OPEN_CASE_STATUSES) & Case.duplicate_of_id.is_(None)
    # IS tests, so that a NULL column never makes a clause NULL (and a case fall out of every state).
    breached = Case.breached.is_(True) | (Case.sla_due_at.is_not(None) & (Case.sla_due_at <= at))
    running = open_ & not_(breached)
    warn_share = 1 - settings.value("SLA_WARNING_SHARE")
    warned = and_(
        Case.sla_budget_minutes.is_not(None),
        minutes_until(at, Case.sla_due_at) <= Case.sla_budget_minutes * warn_share,
    )
    clauses = {
        "stopped": not_(open_),
        "breached": open_ & breached,
        "paused": running & Case.sla_due_at.is_(None) & Case.paused.is_(True),
        "due_soon": running & Case.sla_due_at.is_not(None) & warned,
        "on_time": running
        & or_(
            Case.sla_due_at.is_(None) & Case.paused.is_not(True),
            Case.sla_due_at.is_not(None) & not_(warned),
        ),
    }
    return clauses.get(wanted, false())


def budget_minutes(stage: str, severity: str) -> int:
    """The budget of a stage's clock for a severity, in minutes."""
    hours = settings.value(SETTING[stage])[SEVERITIES.index(severity)]
    return max(1, round(hours * 60))


def _warn_at(due_at: datetime, budget: int) -> datetime:
    return due_at - timedelta(minutes=budget * (1 - settings.value("SLA_WARNING_SHARE")))


def clocks(*, session: Session, case: Case) -> list[CaseClock]:
    """Every clock of a case, oldest first."""
    return list(session.scalars(select(CaseClock).where(CaseClock.case_id == case.id).order_by(CaseClock.id)))


def running(*, session: Session, case: Case) -> dict[str, CaseClock]:
    """The case's clocks that have not stopped, by stage."""
    return {c.stage: c for c in clocks(session=session, case=case) if c.stopped_at is None}


def start(*, session: Session, case: Case, stage: str, at: datetime | None = None) -> CaseClock:
    """Start a stage's clock (a running one of the same stage is kept)."""
    current = running(session=session, case=case).get(stage)
    if current is not None:
        return current
    at = at or now()
    budget = budget_minutes(stage, case.severity)
    due = at + timedelta(minutes=budget)
    clock = CaseClock(
        case_id=case.id, stage=stage, budget_minutes=budget, started_at=at, due_at=due, warn_at=_warn_at(due, budget)
    )
    session.add(clock)
    session.flush()
    return clock


def stop(*, session: Session, case: Case, stages: tuple[str, ...] = ("triage", "assignment", "resolution")) -> None:
    """Stop the named clocks of a case (those not running are left alone)."""
    at = now()
    for stage, clock in running(session=session, case=case).items():
        if stage in stages:
            if clock.paused_at is not None:
                clock.paused_seconds += int((at - clock.paused_at).total_seconds())
                clock.paused_at = None
            clock.stopped_at = at


def rebudget(*, session: Session, case: Case) -> None:
    """The severity changed: running clocks take the new budget from their start."""
    for clock in running(session=session, case=case).values():
        budget = budget_minutes(clock.stage, case.severity)
        clock.budget_minutes = budget
        clock.due_at = clock.started_at + timedelta(minutes=budget, seconds=clock.paused_seconds)
        clock.warn_at = _warn_at(clock.due_at, budget)
        if clock.breached_at is None and clock.warned_at is not None and clock.warn_at > now():
            clock.warned_at = None  # more time now: it may warn again when due


def pause(*, session: Session, case: Case) -> None:
    """Stop the resolution clock for a while (the other clocks run on)."""
    clock = running(session=session, case=case).get("resolution")
    if clock is not None and clock.paused_at is None:
        clock.paused_at = now()


def resume(*, session: Session, case: Case) -> None:
    """Restart the resolution clock; it falls due later by the paused time."""
    clock = running(session=session, case=case).get("resolution")
    if clock is None or clock.paused_at is None:
        return
    paused = now() - clock.paused_at
    clock.paused_seconds += int(paused.total_seconds())
    clock.due_at += paused
    clock.warn_at += paused
    clock.paused_at = None


def refresh(*, session: Session, case: Case) -> None:
    """Copy the clock that falls due first (of those running) onto the case."""
    session.flush()
    active = [c for c in running(session=session, case=case).values() if c.paused_at is None]
    lead = min(active, key=lambda c: c.due_at, default=None)
    case.sla_due_at = lead.due_at if lead else None
    case.sla_stage = lead.stage if lead else None
    case.sla_budget_minutes = lead.budget_minutes if lead else None


def state(case: Case, *, warning_minutes: int | None = None, at: datetime | None = None) -> str:
    """on_time, due_soon (75 % of the leading clock's budget has run), breached
    (a clock ran out: it stays so until the case is finished), paused (only
    the paused resolution clock is left), or stopped (no longer worked on).
    `warning_minutes` serves only cases opened before clocks had budgets."""
    at = at or now()
    if case.status not in OPEN_CASE_STATUSES or case.duplicate_of_id is not None:
        return "stopped"
    if case.breached or (case.sla_due_at is not None and case.sla_due_at <= at):
        return "breached"
    if case.sla_due_at is None:
        return "paused" if case.paused else "on_time"
    if case.sla_budget_minutes:
        share = settings.value("SLA_WARNING_SHARE")
        if at >= case.sla_due_at - timedelta(minutes=case.sla_budget_minutes * (1 - share)):
            return "due_soon"
    elif warning_minutes is not None and case.sla_due_at <= at + timedelta(minutes=warning_minutes):
        return "due_soon"
    return "on_time"


def breached_clause(at: datetime | None = None) -> ColumnElement[bool]:
    """SQL for an open case past its SLA (flagged, or simply overdue)."""
    return Case.status.in_(OPEN_CASE_STATUSES) & (Case.breached.is_(True) | (Case.sla_due_at <= (at or now())))


def remaining_minutes(clock: CaseClock, at: datetime | None = None) -> int | None:
    """Minutes left on a clock (negative: overdue); None once it stopped."""
    if clock.stopped_at is not None:
        return None
    at = clock.paused_at or at or now()
    return int((clock.due_at - at).total_seconds() // 60)


def clock_state(clock: CaseClock, at: datetime | None = None) -> str:
    """The state of one clock: met / missed once stopped, else paused, breached, due_soon or on_time."""
    at = at or now()
    if clock.stopped_at is not None:
        return "missed" if clock.breached_at or clock.stopped_at > clock.due_at else "met"
    if clock.paused_at is not None:
        return "paused"
    if clock.due_at <= at:
        return "breached"
    return "due_soon" if clock.warn_at <= at else "on_time"
