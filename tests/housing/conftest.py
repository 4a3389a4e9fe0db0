"""Helpers for the housing tests: facilities made through the API, bed counts,
and holds that run out. (`hq` and `api` come from tests/conftest.py.)"""

from datetime import timedelta

import pytest
from sqlalchemy import update

from coordinator.common.clock import now
from coordinator.housing.models import FacilityBeds, PlacementRequest


@pytest.fixture
def facility_via_api(api):
    def create(beds: dict[str, int], settlement: str = "Almaty", **extra) -> dict:
        body = {
            "name": f"Sanatorium {settlement} {len(beds)}",
            "kind": "sanatorium",
            "settlement": settlement,
            "beds": {c: {"total": n} for c, n in beds.items()},
            **extra,
        }
        status, created = api("post", "/facilities", json=body)
        assert status == 201, created
        return created

    return create


@pytest.fixture
def bed_counts(db_session):
    def read(facility_id: int, category: str = "standard") -> dict[str, int]:
        db_session.expire_all()
        row = db_session.query(FacilityBeds).filter_by(facility_id=facility_id, category=category).one()
        return {"total": row.total, "held": row.held, "occupied": row.occupied, "free": row.free}

    return read


@pytest.fixture
def time_passes(db_session):
    """Move a hold's deadline into the past, as if its minutes had run out."""

    def expire(placement_id: int) -> None:
        db_session.execute(
            update(PlacementRequest)
            .where(PlacementRequest.id == placement_id)
            .values(hold_expires_at=now() - timedelta(seconds=1))
        )
        db_session.commit()

    return expire
