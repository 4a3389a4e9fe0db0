"""Hotline intake: a report opens a case with an SLA clock. The reporter's
identity stays on the report and never enters an event."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from coordinator.common.clock import now
from coordinator.common.errors import Invalid
from coordinator.events import service as events
from coordinator.hotline import cases
from coordinator.hotline.models import CATEGORIES, CHANNELS, SEVERITIES, Case, Report

SLA_HOURS = {"critical": 4, "high": 24, "normal": 72}


def file_report(
    *,
    session: Session,
    channel: str,
    category: str,
    description: str,
    region_id: int | None,
    lat: float | None = None,
    lon: float | None = None,
    settlement: str = "",
    employer_name: str = "",
    severity: str = "normal",
    anonymous: bool = False,
    reporter_name: str | None = None,
    reporter_contact: str | None = None,
    actor_id: int | None = None,
) -> Report:
    """Record a report and open its case; raises Invalid on unknown values."""
    if channel not in CHANNELS:
        raise Invalid(f"Unknown channel '{channel}'.", field="channel")
    if category not in CATEGORIES:
        raise Invalid(f"Unknown category '{category}'.", field="category")
    if severity not in SEVERITIES:
        raise Invalid(f"Unknown severity '{severity}'.", field="severity")
    if not description.strip():
        raise Invalid("Describe what happened.", field="description")
    opened = now()
    case = Case(
        number="pending",
        category=category,
        severity=severity,
        region_id=region_id,
        lat=lat,
        lon=lon,
        employer_name=employer_name,
        summary=description[:280],
        sla_due_at=opened + timedelta(hours=SLA_HOURS[severity]),
    )
    session.add(case)
    session.flush()
    case.number = f"C-{opened:%Y}-{case.id:06d}"
    report = Report(
        channel=channel,
        category=category,
        description=description,
        anonymous=anonymous,
        reporter_name=None if anonymous else reporter_name,
        reporter_contact=None if anonymous else reporter_contact,
        employer_name=employer_name,
        settlement=settlement,
        region_id=region_id,
        lat=lat,
        lon=lon,
        case_id=case.id,
        taken_by_id=actor_id,
    )
    session.add(report)
    session.flush()
    events.record(
        session=session,
        type="case.opened",
        subject_type="case",
        subject_id=case.id,
        rooms=cases.rooms(case),
        actor_id=actor_id,
        after={
            "number": case.number,
            "category": category,
            "severity": severity,
            "status": case.status,
            "region_id": region_id,
            "sla_due_at": case.sla_due_at,
            "channel": channel,
        },
    )
    return report
