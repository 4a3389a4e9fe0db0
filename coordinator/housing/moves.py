"""Where HQ may move a group ("Move here" on the placements board): the
facilities that can take it now, nearest first, each with its free beds and
the distance from where the group is."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coordinator.geo.distance import haversine_matrix
from coordinator.housing.dispatch import categories_for
from coordinator.housing.models import Facility, PlacementRequest

# A phone's select of 150 facilities is unusable; the nearest with room are
# what HQ picks from (any other stays reachable through the API).
CHOICES = 20


@dataclass(frozen=True)
class Choice:
    facility: Facility
    free: int  # beds free in the categories this group can use
    km: float


def _room(facility: Facility, p: PlacementRequest) -> int:
    """Free beds in the group's categories, 0 unless one category fits it all."""
    cats = categories_for(p)
    free = [b.free for b in facility.beds if b.category in cats]
    return sum(free) if facility.status == "open" and any(f >= p.head_count for f in free) else 0


def choices(
    *, placements: list[PlacementRequest], facilities: list[Facility], limit: int = CHOICES
) -> dict[int, list[Choice]]:
    """For each placement id: up to `limit` open facilities (not its own) with
    room for the whole group, nearest to its current facility (when it has
    one) or its origin first."""
    if not placements or not facilities:
        return {p.id: [] for p in placements}
    by_id = {f.id: f for f in facilities}

    def where(p: PlacementRequest) -> tuple[float, float]:
        here = by_id.get(p.facility_id) if p.facility_id else None
        return (here.lat, here.lon) if here is not None else (p.origin_lat, p.origin_lon)

    points = np.array([where(p) for p in placements], dtype=float)
    km = haversine_matrix(
        points[:, 0], points[:, 1], np.array([f.lat for f in facilities]), np.array([f.lon for f in facilities])
    )
    out: dict[int, list[Choice]] = {}
    for row, p in enumerate(placements):
        found = []
        for col in np.argsort(km[row], kind="stable"):
            f = facilities[col]
            free = _room(f, p) if f.id != p.facility_id else 0
            if free:
                found.append(Choice(f, free, round(float(km[row, col]), 1)))
                if len(found) == limit:
                    break
        out[p.id] = found
    return out
