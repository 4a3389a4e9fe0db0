"""Re-optimising holds nobody has confirmed yet: when beds free up at a
facility, a group assigned far away may be moved there if it is much nearer.

The rules live here, and only here. A group is moved only if:
- it is still `assigned` and its hold has not run out (no pick-up, no
  check-in has confirmed it), and no team has taken its transfer task;
- it was never moved before (by this or by HQ): at most once;
- the freed facility meets its needs and has room for the whole group in one
  compatible bed category, and no group still waiting for beds could use them
  (waiting groups come first);
- the freed facility is much nearer: at least `REOPT_MIN_SAVING_KM` fewer km
  from where the group is, and at most `REOPT_MAX_RATIO` of the old distance.
The largest saving in person-km goes first. Each move is its own transaction
(the job commits it):
the placement row is claimed with a conditional update (so two runs never move
a group twice), the new hold is the conditional update of `beds` (so no bed
is ever double-booked), and the event keeps the reason as a message that the
facility left, the new one and HQ each read in their own language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from coordinator.common.clock import iso_utc, now
from coordinator.field import tasks as field_tasks
from coordinator.geo.distance import haversine_matrix
from coordinator.housing import beds
from coordinator.housing.dispatch import categories_for, transfer_task, unfit
from coordinator.housing.models import Facility, FacilityBeds, PlacementRequest
from coordinator.housing.placement import record, state
from coordinator.i18n import N_, message

T_MOVED = N_("Moved from %(old)s to %(new)s: %(new_km)s km instead of %(old_km)s km (a nearer facility freed beds).")
T_TASK_MOVED = N_("The group was moved to %(new)s, a nearer facility; a new transfer goes there.")
TEXTS = (T_MOVED, T_TASK_MOVED)


@dataclass(frozen=True)
class Candidate:
    placement_id: int
    old_facility_id: int
    category: str
    old_km: float
    new_km: float
    head_count: int

    @property
    def saved_person_km(self) -> float:
        return (self.old_km - self.new_km) * self.head_count


def much_nearer(old_km: float, new_km: float) -> bool:
    """Whether a move from `old_km` to `new_km` is worth unsettling a plan for."""
    cfg = current_app.config
    return old_km - new_km >= cfg["REOPT_MIN_SAVING_KM"] and new_km <= cfg["REOPT_MAX_RATIO"] * old_km


def candidates(*, session: Session, facility: Facility) -> list[Candidate]:
    """Assigned groups elsewhere that the rules allow to move to `facility`
    now, the largest saving first (a plan: each move re-checks it)."""
    if facility.status != "open":
        return []
    free = {b.category: b.free for b in facility.beds}
    if max(free.values(), default=0) <= 0 or _someone_waits_for(session, facility, free):
        return []
    rows = session.execute(
        select(PlacementRequest, Facility.lat, Facility.lon)
        .join(Facility, Facility.id == PlacementRequest.facility_id)
        .where(
            PlacementRequest.status == "assigned",
            PlacementRequest.moved_at.is_(None),
            PlacementRequest.facility_id != facility.id,
            PlacementRequest.hold_expires_at > now(),
            PlacementRequest.head_count <= max(free.values()),
        )
    ).all()
    if not rows:
        return []
    origins = np.array([(r[0].origin_lat, r[0].origin_lon) for r in rows], dtype=float)
    # From each origin to its own facility: a matrix over the distinct facilities, not every pair of rows.
    places, column = np.unique(np.array([(r.lat, r.lon) for r in rows], dtype=float), axis=0, return_inverse=True)
    old_km = haversine_matrix(origins[:, 0], origins[:, 1], places[:, 0], places[:, 1])[
        np.arange(len(rows)), column.reshape(-1)
    ]
    new_km = haversine_matrix(origins[:, 0], origins[:, 1], np.array([facility.lat]), np.array([facility.lon]))[:, 0]
    found = []
    for (p, _, _), old, new in zip(rows, old_km, new_km, strict=True):
        category = _fits(facility, free, p) if much_nearer(float(old), float(new)) else None
        if category is not None:
            found.append(Candidate(p.id, p.facility_id, category, float(old), float(new), p.head_count))
    return sorted(found, key=lambda c: (-c.saved_person_km, c.placement_id))


def _fits(facility: Facility, free: dict[str, int], p: PlacementRequest) -> str | None:
    """The category of `facility` that can take `p` whole now, if any."""
    if unfit(facility, p) is not None:
        return None
    return next((c for c in categories_for(p) if free.get(c, 0) >= p.head_count), None)


def _someone_waits_for(session: Session, facility: Facility, free: dict[str, int]) -> bool:
    """Whether a group still without beds could use these: it has the first
    claim on them (the waiting groups' job places it), a move waits for the
    next beds to free up."""
    pending = session.scalars(
        select(PlacementRequest).where(
            PlacementRequest.status.in_(("requested", "waiting")),
            PlacementRequest.head_count <= max(free.values()),
        )
    )
    return any(_fits(facility, free, p) for p in pending)


def _lock_beds(session: Session, facility_ids: list[int]) -> None:
    """Lock both facilities' bed rows in id order, so two runs moving groups
    between the same two facilities in opposite directions never deadlock."""
    session.execute(
        select(FacilityBeds.id)
        .where(FacilityBeds.facility_id.in_(sorted(facility_ids)))
        .order_by(FacilityBeds.facility_id, FacilityBeds.category)
        .with_for_update()
    ).all()


def move(*, session: Session, facility: Facility, c: Candidate) -> bool:
    """Move one group if the rules still allow it; False (nothing changed) if
    not: confirmed, picked up or moved meanwhile, or the beds went to another.
    Locks in the order every other writer takes them (a team's step: task,
    then placement; HQ and holds: placement, then beds), so none deadlocks
    with it; on False the caller rolls everything back."""
    if not field_tasks.withdraw_for_source(
        session=session,
        source_type="placement",
        source_id=c.placement_id,
        reason=message(T_TASK_MOVED, new=facility.name),
    ):
        return False  # a team took its transfer
    moved_at = now()
    claimed = session.execute(
        update(PlacementRequest)
        .where(
            PlacementRequest.id == c.placement_id,
            PlacementRequest.status == "assigned",
            PlacementRequest.moved_at.is_(None),
            PlacementRequest.facility_id == c.old_facility_id,
            PlacementRequest.hold_expires_at > moved_at,
        )
        .values(moved_at=moved_at, moved_from_id=c.old_facility_id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return False
    _lock_beds(session, [facility.id, c.old_facility_id])
    if not beds.hold(session, facility.id, c.category, c.head_count):
        return False
    p = session.get(PlacementRequest, c.placement_id, populate_existing=True)
    old = session.get(Facility, c.old_facility_id)
    before = state(p)
    beds.unhold(session, old.id, p.bed_category, p.head_count)
    reason = message(T_MOVED, old=old.name, new=facility.name, old_km=round(c.old_km), new_km=round(c.new_km))
    why = {
        "from_facility_id": old.id,
        "from_facility": old.name,
        "from_km": round(c.old_km, 1),
        "to_facility_id": facility.id,
        "to_facility": facility.name,
        "to_km": round(c.new_km, 1),
        "saved_km": round(c.old_km - c.new_km, 1),
        "at": iso_utc(moved_at),
        "reason": reason,
    }
    p.facility_id, p.bed_category = facility.id, c.category
    p.hold_expires_at = moved_at + timedelta(minutes=current_app.config["HOLD_MINUTES"])
    p.decision = (p.decision or {}) | {"reoptimised": why}
    record(session, p, "placement.reoptimised", None, before, left_facility_id=old.id, **why)
    if p.needs_transport:
        transfer_task(session, p, facility, None)
    return True


T_HQ_MOVED = N_("Moved by HQ from %(old)s to %(new)s.")
MOVED_AWAY_HOURS = 24  # how long a facility's page lists the groups moved away from it


def why_moved(p: PlacementRequest, old_name: str) -> dict | None:
    """The sentence (a message) saying why a group was moved, or None if it never was."""
    if p.moved_at is None:
        return None
    reoptimised = (p.decision or {}).get("reoptimised")
    if reoptimised:
        return reoptimised["reason"]
    return message(T_HQ_MOVED, old=old_name, new=p.facility.name if p.facility else "—")


def moved_away(*, session: Session, facility_ids: list[int]) -> dict[int, list[tuple[PlacementRequest, dict]]]:
    """Per facility: the groups moved away from it in the last hours, newest
    first, each with why (its manager expected them, and asks where they went)."""
    out: dict[int, list[tuple[PlacementRequest, dict]]] = {f: [] for f in facility_ids}
    if not facility_ids:
        return out
    names = dict(session.execute(select(Facility.id, Facility.name).where(Facility.id.in_(facility_ids))).all())
    rows = session.scalars(
        select(PlacementRequest)
        .where(
            PlacementRequest.moved_from_id.in_(facility_ids),
            PlacementRequest.moved_at >= now() - timedelta(hours=MOVED_AWAY_HOURS),
        )
        .order_by(PlacementRequest.moved_at.desc())
        .limit(100)
    )
    for p in rows:
        out[p.moved_from_id].append((p, why_moved(p, names.get(p.moved_from_id, "—"))))
    return out
