"""A case's SLA clock, in one place for the map, the figures and the alerts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement

from coordinator.common.clock import now
from coordinator.hotline.models import OPEN_CASE_STATUSES, Case


def state(case: Case, *, warning_minutes: int, at: datetime | None = None) -> str:
    """breached, due_soon, on_time, or stopped (the case is no longer being worked on)."""
    at = at or now()
    if case.status not in OPEN_CASE_STATUSES:
        return "stopped"
    if case.breached or (case.sla_due_at and case.sla_due_at <= at):
        return "breached"
    if case.sla_due_at and case.sla_due_at <= at + timedelta(minutes=warning_minutes):
        return "due_soon"
    return "on_time"


def breached_clause(at: datetime | None = None) -> ColumnElement[bool]:
    """SQL for an open case past its SLA (flagged, or simply overdue)."""
    return Case.status.in_(OPEN_CASE_STATUSES) & (Case.breached.is_(True) | (Case.sla_due_at <= (at or now())))
