"""Teams and tasks (deliveries, transfers, inspections)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.common.models import Timestamped
from coordinator.extensions import db
from coordinator.i18n import render

TASK_KINDS = ("delivery", "transfer", "inspection")
# A team with a task in one of these is at work on it.
WORKING_STATUSES = ("accepted", "en_route", "on_site")
# A team's own open tasks (what its phone shows), and every open task.
TEAM_OPEN_STATUSES = ("offered", *WORKING_STATUSES)
OPEN_STATUSES = ("created", *TEAM_OPEN_STATUSES)
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
    title: Mapped[str] = mapped_column(String(200), default="")  # English; rows before 0010 have only this
    # The title as a message id with parameters, rendered in the reader's language.
    title_message: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    dest_lat: Mapped[float | None] = mapped_column(Float)
    dest_lon: Mapped[float | None] = mapped_column(Float)
    deadline: Mapped[datetime | None] = mapped_column(DateTime)
    fail_reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # what the work needs (items, head count...)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # what the team reported (proof of delivery...)
    offer_attempts: Mapped[int] = mapped_column(Integer, default=0)
    needs_hq: Mapped[bool] = mapped_column(Boolean, default=False)  # nobody took it: HQ must assign
    # Why the task needs HQ, or why dispatch closed it (a message id with parameters).
    status_reason: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    offered_at: Mapped[datetime | None] = mapped_column(DateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    en_route_at: Mapped[datetime | None] = mapped_column(DateTime)
    on_site_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    team = relationship(Team, lazy="joined")

    @property
    def display_title(self) -> str:
        """The title in the reader's language (the stored English for older rows)."""
        return render(self.title_message) if self.title_message else self.title

    @property
    def reason_text(self) -> str | None:
        """Why the task needs HQ or was closed, in the reader's language."""
        return render(self.status_reason) if self.status_reason else None


class TaskOffer(db.Model):
    """One offer of a task to a team. At most one open offer per task."""

    __tablename__ = "task_offers"
    __table_args__ = (
        Index(
            "uq_task_offers_open",
            "task_id",
            unique=True,
            sqlite_where=text("status = 'offered'"),
            postgresql_where=text("status = 'offered'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="offered")  # offered|accepted|declined|expired|withdrawn
    offered_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)


class TeamPosition(db.Model):
    """A team's recent positions (a short track)."""

    __tablename__ = "team_positions"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
