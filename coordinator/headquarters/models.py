"""Headquarters (national and regional) and their status reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, Float, ForeignKey, Integer, String, Text
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
    last_report_at: Mapped[datetime | None] = mapped_column(DateTime)
    silent: Mapped[bool] = mapped_column(Boolean, default=False)

    region = relationship("Region", lazy="joined")

    @property
    def is_national(self) -> bool:
        return self.region_id is None


class HQStatusReport(db.Model):
    __tablename__ = "hq_status_reports"
    __table_args__ = (CheckConstraint("staff_on_duty >= 0 AND open_cases >= 0", name="counts_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hq_id: Mapped[int] = mapped_column(ForeignKey("headquarters.id"), index=True)
    staff_on_duty: Mapped[int] = mapped_column(Integer)
    open_cases: Mapped[int] = mapped_column(Integer)
    needs: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
