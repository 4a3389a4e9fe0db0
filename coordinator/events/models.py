"""Event rows. Only `coordinator.events.service` writes them."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.extensions import db

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT.
EventId = BigInteger().with_variant(Integer(), "sqlite")


class Event(db.Model):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(64), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    # The event's place in commit order: what clients see as its id (live, on
    # replay, as their cursor). Null only between its transaction's commit and
    # its numbering (`coordinator.events.relay`); a replay never shows it then.
    seq: Mapped[int | None] = mapped_column(EventId)
    request_id: Mapped[str | None] = mapped_column(String(64))  # the web request that caused it

    rooms = relationship("EventRoom", lazy="selectin", cascade="all, delete-orphan")


# Replay scans numbers after a cursor and the ids they carry (PostgreSQL
# reads both from the index alone).
Index("ix_events_seq", Event.seq, unique=True, postgresql_include=["id"])
# The committed events still waiting for their `seq` (few, briefly).
Index("ix_events_unsequenced", Event.id, postgresql_where=text("seq IS NULL"), sqlite_where=text("seq IS NULL"))


class EventRoom(db.Model):
    """Which socket rooms an event concerns; replay filters on it."""

    __tablename__ = "event_rooms"

    event_id: Mapped[int] = mapped_column(EventId, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    room: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
