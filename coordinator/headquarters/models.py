"""Headquarters (national, regional and city), their staff, duty shifts and
status reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.common.models import Timestamped
from coordinator.extensions import db


class Headquarters(Timestamped, db.Model):
    __tablename__ = "headquarters"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    # None: the national HQ.
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), unique=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    email: Mapped[str] = mapped_column(String(120), default="", server_default="")
    address: Mapped[str] = mapped_column(String(240), default="", server_default="")
    # How often this HQ must report, when not the setting (HQ_SILENCE_MINUTES).
    report_interval_minutes: Mapped[int | None] = mapped_column(Integer)
    last_report_at: Mapped[datetime | None] = mapped_column(DateTime)
    silent: Mapped[bool] = mapped_column(Boolean, default=False)

    region = relationship("Region", lazy="joined")

    @property
    def is_national(self) -> bool:
        return self.region_id is None


class HQStaff(db.Model):
    """A user attached to an HQ (one HQ per user); leads may sign others off duty."""

    __tablename__ = "hq_staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    hq_id: Mapped[int] = mapped_column(ForeignKey("headquarters.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    lead: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)

    user = relationship("User", lazy="joined")


class HQShift(db.Model):
    """A spell on duty at an HQ: open (ended_at None) while the person is on duty."""

    __tablename__ = "hq_shifts"
    __table_args__ = (
        # One open shift per person, whatever races the database sees.
        Index(
            "uq_hq_shifts_open_user",
            "user_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hq_id: Mapped[int] = mapped_column(ForeignKey("headquarters.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    ended_by = relationship("User", foreign_keys=[ended_by_id], lazy="joined")


class HQStatusReport(db.Model):
    __tablename__ = "hq_status_reports"
    __table_args__ = (CheckConstraint("staff_on_duty >= 0 AND open_cases >= 0", name="counts_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hq_id: Mapped[int] = mapped_column(ForeignKey("headquarters.id"), index=True)
    staff_on_duty: Mapped[int] = mapped_column(Integer)
    open_cases: Mapped[int] = mapped_column(Integer)
    needs: Mapped[str] = mapped_column(Text, default="")  # urgent needs
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")  # free text
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)

    created_by = relationship("User", lazy="joined")
