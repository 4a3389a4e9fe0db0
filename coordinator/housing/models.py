"""Facilities, their beds by category, and placement requests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    case,
    select,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship
from sqlalchemy.sql import ColumnElement

from coordinator.common.models import Timestamped
from coordinator.extensions import db

FACILITY_KINDS = ("sanatorium", "rest_home", "hotel", "dormitory", "training_centre", "other")
BED_CATEGORIES = ("standard", "shared", "family", "isolation")
PLACEMENT_STATUSES = (
    "requested",
    "waiting",
    "assigned",
    "in_transit",
    "checked_in",
    "released",
    "no_show",
    "cancelled",
    "expired",
    "split",
)
# Which bed categories can take a group, best first.
ISOLATION_CATEGORIES = ("isolation",)
FAMILY_CATEGORIES = ("family", "standard")
GENERAL_CATEGORIES = ("standard", "shared")


class Facility(Timestamped, db.Model):
    __tablename__ = "facilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    settlement: Mapped[str] = mapped_column(String(120), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(255), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    has_medical_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    meals: Mapped[bool] = mapped_column(Boolean, default=True)

    beds = relationship("FacilityBeds", lazy="selectin", order_by="FacilityBeds.category", back_populates="facility")
    region = relationship("Region", lazy="joined")

    @property
    def free_beds(self) -> int:
        return sum(b.free for b in self.beds)

    @property
    def total_beds(self) -> int:
        return sum(b.total for b in self.beds)

    @property
    def is_full(self) -> bool:
        """'Full' is derived: open, with no free bed in any category."""
        return self.status == "open" and self.free_beds == 0


class FacilityBeds(db.Model):
    """Bed counts of one category at one facility. The constraints make
    overbooking impossible even if a racing writer got past the service."""

    __tablename__ = "facility_beds"
    __table_args__ = (
        UniqueConstraint("facility_id", "category"),
        CheckConstraint("total >= 0 AND out_of_service >= 0 AND held >= 0 AND occupied >= 0", name="beds_not_negative"),
        CheckConstraint("out_of_service + held + occupied <= total", name="beds_not_overbooked"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(16))
    total: Mapped[int] = mapped_column(Integer, default=0)
    out_of_service: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[int] = mapped_column(Integer, default=0)
    occupied: Mapped[int] = mapped_column(Integer, default=0)

    facility = relationship(Facility, back_populates="beds")

    @hybrid_property
    def free(self) -> int:
        """Free beds: the one definition, in Python and in SQL. A closed
        facility has none: its beds cannot be given, so no figure counts them."""
        if self.facility is not None and self.facility.status == "closed":
            return 0
        return self.total - self.out_of_service - self.held - self.occupied

    @free.inplace.expression
    @classmethod
    def _free_expression(cls) -> ColumnElement[int]:
        # Its own alias, so a query that already joins facilities still reads this row's own.
        own = aliased(Facility)
        status = select(own.status).where(own.id == cls.facility_id).correlate_except(own).scalar_subquery()
        closed = status == "closed"
        return case((closed, 0), else_=cls.total - cls.out_of_service - cls.held - cls.occupied)


class PlacementRequest(Timestamped, db.Model):
    __tablename__ = "placement_requests"
    __table_args__ = (CheckConstraint("head_count >= 1", name="head_count_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    head_count: Mapped[int] = mapped_column(Integer)
    names: Mapped[list[str] | None] = mapped_column(JSON)
    contact_phone: Mapped[str] = mapped_column(String(40))
    origin_name: Mapped[str] = mapped_column(String(120), default="")
    origin_lat: Mapped[float] = mapped_column(Float)
    origin_lon: Mapped[float] = mapped_column(Float)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    needs_isolation: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_family: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_medical: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_transport: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[int] = mapped_column(Integer, default=3)
    quarantine_days: Mapped[int] = mapped_column(Integer, default=14)
    allow_split: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="requested", index=True)
    wait_reason: Mapped[str | None] = mapped_column(Text)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"), index=True)
    bed_category: Mapped[str | None] = mapped_column(String(16))
    hold_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    checked_in_count: Mapped[int] = mapped_column(Integer, default=0)
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime)
    release_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("placement_requests.id"), index=True)
    # A batch dispatcher's claim (see `housing.surge`): nobody else dispatches the request until it lapses.
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)
    # Set when the group's hold was moved (by HQ or to a much nearer facility
    # that freed beds, see `housing.reoptimise`): a group is moved at most once.
    # Where it was moved from stays as a plain id, a record like an event's.
    moved_at: Mapped[datetime | None] = mapped_column(DateTime)
    moved_from_id: Mapped[int | None] = mapped_column(Integer, index=True)

    facility = relationship(Facility, lazy="joined")


class OccupancyDay(db.Model):
    """One facility's beds on one day (the day's last reading)."""

    __tablename__ = "occupancy_days"
    __table_args__ = (UniqueConstraint("facility_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    total: Mapped[int] = mapped_column(Integer)
    out_of_service: Mapped[int] = mapped_column(Integer)
    held: Mapped[int] = mapped_column(Integer)
    occupied: Mapped[int] = mapped_column(Integer)
