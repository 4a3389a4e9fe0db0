"""Reports (what was said) and cases (what is done about it). The reporter's
identity lives only on the report and is shown only to case handlers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

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


class Case(Timestamped, db.Model):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    status: Mapped[str] = mapped_column(String(24), default="new", index=True)
    severity: Mapped[str] = mapped_column(String(16), default="normal")
    category: Mapped[str] = mapped_column(String(32))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    employer_name: Mapped[str] = mapped_column(String(160), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    sla_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    breached: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated_national: Mapped[bool] = mapped_column(Boolean, default=False)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)

    reports = relationship("Report", lazy="selectin", back_populates="case")


class Report(Timestamped, db.Model):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    reporter_name: Mapped[str | None] = mapped_column(String(120))
    reporter_contact: Mapped[str | None] = mapped_column(String(120))
    employer_name: Mapped[str] = mapped_column(String(160), default="")
    settlement: Mapped[str] = mapped_column(String(120), default="")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case = relationship(Case, back_populates="reports")
