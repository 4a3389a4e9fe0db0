"""Allocation of scarce stock to request lines (being written; see issue 11)."""

from __future__ import annotations

from sqlalchemy.orm import Session


def allocate(*, session: Session, item_ids: list[int] | None = None) -> dict:
    """Allocate available stock to open lines of these items."""
    return {"allocated": 0}
