"""An alert is one condition HQ should look at. It stays on record after it is
acknowledged or cleared, so who saw what and when is never lost."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.extensions import db

KINDS = ("stock_low", "ledger_drift", "sla_warning", "sla_breach", "hq_silent", "offer_expired", "team_stale")


class Alert(db.Model):
    __tablename__ = "alerts"
    # One live alert per condition: a second scanner's insert fails instead of doubling it.
    __table_args__ = (
        Index(
            "uq_alerts_live",
            "key",
            unique=True,
            sqlite_where=text("cleared_at IS NULL"),
            postgresql_where=text("cleared_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(24), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    subject_type: Mapped[str] = mapped_column(String(24))
    subject_id: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)  # in English; rows before 0010 have only this
    # The message as a message id with parameters, rendered per reader.
    content: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    raised_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)

    acknowledged_by = relationship("User", lazy="joined")
