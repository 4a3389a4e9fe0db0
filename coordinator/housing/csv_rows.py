"""How CSV rows become facilities and placements: through the same services."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from coordinator.auth.models import User
from coordinator.housing import facilities, placement
from coordinator.housing.models import BED_CATEGORIES
from coordinator.housing.schemas import FacilityCsvRow, PlacementCsvRow
from coordinator.imports import service as imports


def _facility(session: Session, user: User, row: dict[str, Any]) -> int:
    data = {k: v for k, v in row.items() if k not in BED_CATEGORIES}
    data["beds"] = {c: {"total": row[c], "out_of_service": 0} for c in BED_CATEGORIES if row.get(c)}
    return facilities.create_facility(session=session, user=user, data=data).id


def _placement(session: Session, user: User, row: dict[str, Any]) -> int:
    return placement.create(session=session, user=user, data=row).id


def register(app: Flask) -> None:
    """Teach the CSV importer housing's two kinds of rows."""
    imports.register(app, "facilities", FacilityCsvRow, _facility)
    imports.register(app, "placements", PlacementCsvRow, _placement)
