"""Teams and tasks (deliveries, transfers, inspections)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.common.models import Timestamped
from coordinator.extensions import db

TASK_KINDS = ("delivery", "transfer", "inspection")
TASK_STATUSES = (
    "created",
    "offered",
    "accepted",
    "en_route",
    "on_site",
    "done",
    "failed",
    "declined",
    "expired",
    "cancelled",
)


class Team(Timestamped, db.Model):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    home_hq_id: Mapped[int] = mapped_column(ForeignKey("headquarters.id"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    can_deliver: Mapped[bool] = mapped_column(Boolean, default=False)
    vehicle_capacity_kg: Mapped[int] = mapped_column(Integer, default=0)
    can_transfer: Mapped[bool] = mapped_column(Boolean, default=False)
    seats: Mapped[int] = mapped_column(Integer, default=0)
    can_inspect: Mapped[bool] = mapped_column(Boolean, default=False)
    on_duty: Mapped[bool] = mapped_column(Boolean, default=False)
    last_lat: Mapped[float | None] = mapped_column(Float)
    last_lon: Mapped[float | None] = mapped_column(Float)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime)

    home_hq = relationship("Headquarters", lazy="joined")
    members = relationship("User", lazy="selectin", foreign_keys="User.team_id")


class Task(Timestamped, db.Model):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    source_type: Mapped[str | None] = mapped_column(String(32))
    source_id: Mapped[int | None] = mapped_column(Integer)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="created", index=True)
    priority: Mapped[int] = mapped_column(Integer, default=3)
    title: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    dest_lat: Mapped[float | None] = mapped_column(Float)
    dest_lon: Mapped[float | None] = mapped_column(Float)
    deadline: Mapped[datetime | None] = mapped_column(DateTime)
    fail_reason: Mapped[str | None] = mapped_column(Text)

    team = relationship(Team, lazy="joined")
