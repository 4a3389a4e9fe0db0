"""Stored answers to POSTs that carried an Idempotency-Key."""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.extensions import db


class IdempotencyRecord(db.Model):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(128))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(255))
    body_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    # Set in the transaction that carried the request out: from then on the
    # key answers for a change that exists, whatever the first answer was.
    committed: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Who runs the request now: a retry takes over a claim older than the
    # lease (its process died) with the next attempt; the transaction that
    # carries the request out must still hold its attempt to commit.
    attempt: Mapped[int] = mapped_column(Integer, default=1, server_default="1", nullable=False)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
