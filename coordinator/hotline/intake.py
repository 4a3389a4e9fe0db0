"""Hotline intake: a report from any channel (operator's phone form, public web
form, another channel's API) opens a case with its SLA clocks, a suggested
severity and the HQ of its region. The reporter's identity stays on the
report and never enters an event. Duplicates are looked for after commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import has_app_context
from sqlalchemy.orm import Session

from coordinator import queue
from coordinator.common.clock import now
from coordinator.common.errors import Invalid
from coordinator.geo import service as geo
from coordinator.hotline import privacy, settings, sla
from coordinator.hotline import text as normalize
from coordinator.hotline.models import CATEGORIES, CHANNELS, SEVERITIES, Case, Report
from coordinator.hotline.workflow import emit, record_step
from coordinator.i18n import N_, message, text

# Resolution budgets of the first release, kept for the demo's history; the
# clocks themselves take their budgets from sla.py.
SLA_HOURS = {"critical": 4, "high": 24, "normal": 72}
# Severity suggested from the category, raised for many workers affected.
CATEGORY_SEVERITY = {
    "unsafe_conditions": "high",
    "no_ppe": "high",
    "quarantine_violation": "high",
    "help_request": "high",
    "unpaid_wages": "normal",
    "forced_unpaid_leave": "normal",
    "dismissal": "normal",
    "other": "normal",
}
MANY_WORKERS = (100, 500)  # each threshold reached raises the severity one step
MAX_WORKERS = 1_000_000


def suggest_severity(category: str, workers_affected: int | None) -> str:
    """critical, high or normal: from the category, one step up at 100 workers and another at 500."""
    level = SEVERITIES.index(CATEGORY_SEVERITY.get(category, "normal"))
    level -= sum(1 for n in MANY_WORKERS if (workers_affected or 0) >= n)
    return SEVERITIES[max(level, 0)]


# The text fields a report's length check names (in English, the field's name).
FIELD_WORDS = {
    "description": N_("Description"),
    "employer_name": N_("Employer name"),
    "settlement": N_("Settlement"),
    "reporter_name": N_("Reporter name"),
    "reporter_contact": N_("Reporter contact"),
    "via": N_("Via"),
}


def _check_text(value: str | None, field: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise Invalid(
            text(
                N_("%(what)s is longer than %(limit)s characters."),
                what=message(FIELD_WORDS[field]) if field in FIELD_WORDS else field.replace("_", " ").capitalize(),
                limit=limit,
            ),
            field=field,
        )
    return value


def _place(
    session: Session, settlement: str, lat: float | None, lon: float | None, region_id: int | None
) -> tuple[str, float | None, float | None, int | None, bool]:
    """Where: coordinates (checked), or a settlement found in the gazetteer."""
    if (lat is None) != (lon is None):
        raise Invalid(
            text(N_("Give both latitude and longitude, or a settlement.")), field="lat" if lat is None else "lon"
        )
    if lat is not None:
        if has_app_context():
            geo.check_point(lat, lon, field="lat")
        if region_id is None:
            region_id = geo.nearest_region(session=session, lat=lat, lon=lon).id
        return settlement, lat, lon, region_id, True
    if settlement:
        found, region = geo.locate(session=session, name=settlement, field="settlement")
        return found.name, found.lat, found.lon, region_id or region.id, False
    if region_id is None:
        raise Invalid(text(N_("Say where: a settlement or the workplace's coordinates.")), field="settlement")
    return settlement, None, None, region_id, False


def file_report(
    *,
    session: Session,
    channel: str,
    category: str,
    description: str,
    region_id: int | None = None,
    lat: float | None = None,
    lon: float | None = None,
    settlement: str = "",
    employer_name: str = "",
    severity: str | None = None,
    anonymous: bool = False,
    reporter_name: str | None = None,
    reporter_contact: str | None = None,
    workers_affected: int | None = None,
    via: str = "",
    actor_id: int | None = None,
    issue_code: bool = False,
    submission_key: str | None = None,
    opened_at: datetime | None = None,
) -> Report:
    """Record a report and open its case; raises Invalid naming the field.

    With `issue_code`, the report gets a status-lookup code for its reporter
    (on `report.lookup_code`; only its keyed hash is stored), derived from
    `submission_key` when given so that a resent form gets the same answer.
    Run inside the app: outside it (a data script) no reporter key is made
    and no duplicate check is queued."""
    if channel not in CHANNELS:
        raise Invalid(
            text(
                N_("Unknown channel '%(channel)s'. Use one of: %(choices)s."),
                channel=channel,
                choices=", ".join(CHANNELS),
            ),
            field="channel",
        )
    if category not in CATEGORIES:
        raise Invalid(
            text(
                N_("Unknown category '%(category)s'. Use one of: %(choices)s."),
                category=category,
                choices=", ".join(CATEGORIES),
            ),
            field="category",
        )
    if severity is not None and severity not in SEVERITIES:
        raise Invalid(
            text(
                N_("Unknown severity '%(severity)s'. Use one of: %(choices)s."),
                severity=severity,
                choices=", ".join(SEVERITIES),
            ),
            field="severity",
        )
    description = _check_text(description, "description", settings.value("HOTLINE_DESCRIPTION_MAX"))
    if not description:
        raise Invalid(text(N_("Describe what happened.")), field="description")
    if workers_affected is not None and not 1 <= workers_affected <= MAX_WORKERS:
        raise Invalid(text(N_("Workers affected runs from 1 to %(max)s."), max=MAX_WORKERS), field="workers_affected")
    employer_name = _check_text(employer_name, "employer_name", 160)
    settlement = _check_text(settlement, "settlement", 120)
    if not anonymous:
        reporter_name = _check_text(reporter_name, "reporter_name", 120) or None
        reporter_contact = _check_text(reporter_contact, "reporter_contact", 120) or None
    settlement, lat, lon, region_id, precise = _place(session, settlement, lat, lon, region_id)

    opened = opened_at or now()
    suggested = suggest_severity(category, workers_affected)
    case = Case(
        number="pending",
        category=category,
        severity=severity or suggested,
        severity_suggested=suggested,
        region_id=region_id,
        lat=lat,
        lon=lon,
        settlement=settlement,
        employer_name=employer_name,
        employer_norm=normalize.employer(employer_name),
        workers_affected=workers_affected,
        summary=description[:280],
        created_at=opened,
        updated_at=opened,
    )
    session.add(case)
    session.flush()
    case.number = f"C-{opened:%Y}-{case.id:06d}"
    for stage in ("triage", "resolution"):
        sla.start(session=session, case=case, stage=stage, at=opened)
    sla.refresh(session=session, case=case)

    code = privacy.new_lookup_code(submission_key) if issue_code else None
    report = Report(
        channel=channel,
        via=_check_text(via, "via", 40),
        category=category,
        description=description,
        anonymous=anonymous,
        reporter_name=None if anonymous else reporter_name,
        reporter_contact=None if anonymous else reporter_contact,
        reporter_key=None if anonymous or not has_app_context() else privacy.reporter_key(reporter_contact),
        employer_name=employer_name,
        employer_norm=case.employer_norm,
        settlement=settlement,
        region_id=region_id,
        lat=lat,
        lon=lon,
        precise=precise,
        workers_affected=workers_affected,
        case=case,  # in memory: the answer reads it, after the commit too
        taken_by_id=actor_id,
        public_number=case.number,
        lookup_hash=privacy.lookup_hash(code) if code else None,
        submission_hash=privacy.submission_hash(submission_key) if submission_key else None,
        created_at=opened,
        updated_at=opened,
    )
    session.add(report)
    session.flush()
    report.lookup_code = code  # type: ignore[attr-defined]  (handed to the reporter once, never stored)
    record_step(session, case, "status", actor_id=actor_id, status="new", public=True).at = opened
    emit(session, case, "case.opened", actor_id=actor_id, extra={"channel": channel})
    if has_app_context():
        queue.after_commit(session, "check_duplicates", case.id)
    return report


def describe(report: Report) -> dict[str, Any]:
    """What the filer of a report is told: the case number and, once, the lookup code."""
    code = getattr(report, "lookup_code", None)
    return {
        "report_id": report.id,
        "case_id": report.case_id,
        "number": report.public_number,
        "lookup_code": privacy.format_code(code) if code else None,
        "severity_suggested": report.case.severity_suggested,
        "region_id": report.case.region_id,
    }
