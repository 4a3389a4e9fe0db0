"""The outbox (work that must follow a commit, written in the same
transaction) and the record of periodic runs (one row per job per tick)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.extensions import db

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class OutboxEntry(db.Model):
    """A job to queue once the transaction that wrote this row commits. The
    relay queues it and sets `sent_at`; until then it waits, whatever Redis does."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(String(64))
    args: Mapped[list[Any]] = mapped_column(JSON, nullable=False)
    not_before: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    # The web request that declared it (coordinator.ops.trace), for the job's logs and events.
    request_id: Mapped[str | None] = mapped_column(String(64))


class PeriodicRun(db.Model):
    """A periodic job's run for one tick: the unique key lets exactly one of
    several workers run it."""

    __tablename__ = "periodic_runs"
    __table_args__ = (UniqueConstraint("job_id", "tick"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(64), index=True)
    tick: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
