"""The facilities nearest a group, read a few at a time as plain rows
(`Site`): what a single dispatch weighs before it holds beds."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import NamedTuple

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.geo.distance import haversine_matrix
from coordinator.housing.models import Facility, FacilityBeds, PlacementRequest

RANK_CHUNK = 12  # facilities read at a time while looking for one that fits


class Beds(NamedTuple):
    category: str
    total: int
    out_of_service: int
    free: int


@dataclass(frozen=True, slots=True)
class Site:
    """A facility as a dispatch weighs it: what `unfit`, the bed counts and
    the decision read. Read as plain rows: a dispatch looks at a dozen
    facilities and takes one, and loading them as ORM objects (their beds,
    their region) was a twelfth of a quiet moment's worker CPU (py-spy)."""

    id: int
    name: str
    lat: float
    lon: float
    status: str
    has_medical_staff: bool
    accessible: bool
    beds: tuple[Beds, ...]


def sites(session: Session, ids: list[int]) -> dict[int, Site]:
    """The facilities with these ids (those that exist), with their beds."""
    rows = session.execute(
        select(
            Facility.id,
            Facility.name,
            Facility.lat,
            Facility.lon,
            Facility.status,
            Facility.has_medical_staff,
            Facility.accessible,
            FacilityBeds.category,
            FacilityBeds.total,
            FacilityBeds.out_of_service,
            (FacilityBeds.total - FacilityBeds.out_of_service - FacilityBeds.held - FacilityBeds.occupied).label(
                "free"
            ),
        )
        .outerjoin(FacilityBeds)
        .where(Facility.id.in_(ids))
        .order_by(Facility.id, FacilityBeds.category)
    ).all()
    found: dict[int, Site] = {}
    for facility_id, group in groupby(rows, key=lambda row: row.id):
        rows_of = list(group)
        first = rows_of[0]
        closed = first.status == "closed"  # as FacilityBeds.free: a closed facility's beds are not free
        found[facility_id] = Site(
            *first[:7],
            beds=tuple(
                Beds(r.category, r.total, r.out_of_service, 0 if closed else r.free)
                for r in rows_of
                if r.category is not None  # a facility with no beds yet
            ),
        )
    return found


def ranked(session: Session, p: PlacementRequest) -> Iterator[tuple[Site, float]]:
    """Facilities nearest first. Only coordinates are read for all of them;
    whole facilities (with their beds) are read a few at a time, since the
    first few usually fit."""
    points = session.execute(select(Facility.id, Facility.lat, Facility.lon)).all()
    if not points:
        return
    km = haversine_matrix(
        np.array([p.origin_lat]),
        np.array([p.origin_lon]),
        np.array([row.lat for row in points]),
        np.array([row.lon for row in points]),
    )[0]
    order = np.argsort(km, kind="stable")
    for start in range(0, len(order), RANK_CHUNK):
        chunk = order[start : start + RANK_CHUNK]
        loaded = sites(session, [points[i].id for i in chunk])
        for i in chunk:
            facility = loaded.get(points[i].id)
            if facility is not None:
                yield facility, float(km[i])
