"""Reports (what was said) and cases (what is done about it), with the case's
clocks, steps, duplicate suggestions, evidence, inspections and the record of
who saw a reporter's identity. The reporter's identity lives only on the
report and is shown only to those who handle the case."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.common.clock import now
from coordinator.common.models import Timestamped
from coordinator.extensions import db

CATEGORIES = (
    "unpaid_wages",
    "forced_unpaid_leave",
    "dismissal",
    "no_ppe",
    "unsafe_conditions",
    "quarantine_violation",
    "help_request",
    "other",
)
CHANNELS = ("phone", "web", "api")
SEVERITIES = ("critical", "high", "normal")
CASE_STATUSES = (
    "new",
    "triaged",
    "inspection_assigned",
    "inspected",
    "resolved",
    "referred",
    "closed",
)
# Cases still being worked on: they count as open and run an SLA clock.
OPEN_CASE_STATUSES = ("new", "triaged", "inspection_assigned", "inspected")
# The SLA clocks: triage (opened -> triaged), assignment (triaged -> inspection
# assigned) and resolution (opened -> resolved or referred; the one a pause stops).
CLOCK_STAGES = ("triage", "assignment", "resolution")
REFERRAL_BODIES = ("labour_inspectorate", "prosecutor")
WAITING_ON = ("reporter", "employer", "other")
LINK_STATUSES = ("suggested", "linked", "dismissed")


class Case(Timestamped, db.Model):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    status: Mapped[str] = mapped_column(String(24), default="new", index=True)
    severity: Mapped[str] = mapped_column(String(16), default="normal")
    severity_suggested: Mapped[str | None] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    settlement: Mapped[str] = mapped_column(String(120), default="")
    employer_name: Mapped[str] = mapped_column(String(160), default="")
    employer_norm: Mapped[str] = mapped_column(String(160), default="", index=True)
    workers_affected: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, default="")
    # The SLA clock that falls due first among those running (see sla.py).
    sla_due_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    sla_stage: Mapped[str | None] = mapped_column(String(16))
    sla_budget_minutes: Mapped[int | None] = mapped_column(Integer)
    breached: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated_national: Mapped[bool] = mapped_column(Boolean, default=False)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    waiting_on: Mapped[str | None] = mapped_column(String(16))
    pause_reason: Mapped[str | None] = mapped_column(Text)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    referred_to: Mapped[str | None] = mapped_column(String(24))
    referral_reference: Mapped[str | None] = mapped_column(String(80))
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    reports = relationship("Report", lazy="selectin", back_populates="case", order_by="Report.id")
    assignee = relationship("User", lazy="joined", foreign_keys=[assignee_id])


class Report(Timestamped, db.Model):
    __tablename__ = "reports"
    # Duplicate checks compare the reports of the last days.
    __table_args__ = (Index("ix_reports_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    via: Mapped[str] = mapped_column(String(40), default="")  # the other channel's name (sms, bot...)
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    reporter_name: Mapped[str | None] = mapped_column(String(120))
    reporter_contact: Mapped[str | None] = mapped_column(String(120))
    # A keyed hash (HMAC with the app's secret) of the normalised phone number:
    # the same reporter is recognised across channels without comparing numbers.
    reporter_key: Mapped[str | None] = mapped_column(String(64), index=True)
    employer_name: Mapped[str] = mapped_column(String(160), default="")
    employer_norm: Mapped[str] = mapped_column(String(160), default="", index=True)
    settlement: Mapped[str] = mapped_column(String(120), default="")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    precise: Mapped[bool] = mapped_column(Boolean, default=False)  # a point, not a settlement's centre
    workers_affected: Mapped[int | None] = mapped_column(Integer)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # What the reporter was given: the case number of the day, and a keyed hash of the lookup code.
    public_number: Mapped[str | None] = mapped_column(String(24), index=True)
    lookup_hash: Mapped[str | None] = mapped_column(String(64))
    submission_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    case = relationship(Case, back_populates="reports")


class CaseClock(db.Model):
    """One SLA clock of a case: its budget, when it started and falls due,
    pauses, and when it warned, breached and stopped."""

    __tablename__ = "case_clocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    budget_minutes: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    due_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    warn_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    paused_at: Mapped[datetime | None] = mapped_column(DateTime)
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    warned_at: Mapped[datetime | None] = mapped_column(DateTime)
    breached_at: Mapped[datetime | None] = mapped_column(DateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)


class CaseStep(db.Model):
    """A case's history: each status change (public: the reporter's lookup
    shows it), pause, link, comment and file, with who and when."""

    __tablename__ = "case_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    status: Mapped[str | None] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(DateTime, default=now)

    actor = relationship("User", lazy="joined")


class DuplicateLink(db.Model):
    """A suggestion that two cases are about the same thing (same employer,
    same site or same reporter), and what an operator decided."""

    __tablename__ = "case_links"
    __table_args__ = (UniqueConstraint("case_id", "other_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    score: Mapped[float] = mapped_column(Float, default=0)
    status: Mapped[str] = mapped_column(String(12), default="suggested", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)

    case = relationship(Case, foreign_keys=[case_id], lazy="joined")
    other = relationship(Case, foreign_keys=[other_id], lazy="joined")


class Inspection(Timestamped, db.Model):
    """A workplace inspection asked for a case, carried out as a field task."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="assigned")  # assigned, done, failed, cancelled
    checklist: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    notes: Mapped[str] = mapped_column(Text, default="")
    fail_reason: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    inspected_at: Mapped[datetime | None] = mapped_column(DateTime)

    inspector = relationship("User", lazy="joined", foreign_keys=[inspector_id])


class Evidence(db.Model):
    """A file kept for a case: its type sniffed from its content, its size and
    SHA-256 (which names it under the data folder)."""

    __tablename__ = "case_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"))
    filename: Mapped[str] = mapped_column(String(160))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)

    uploaded_by = relationship("User", lazy="joined")


class ReporterView(db.Model):
    """Who saw a reporter's identity and contact, when, and how."""

    __tablename__ = "reporter_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    via: Mapped[str] = mapped_column(String(16))  # page, api, print
    at: Mapped[datetime] = mapped_column(DateTime, default=now)

    user = relationship("User", lazy="joined")
