"""Dispatch: choose a facility for a placement request and hold its beds.

The nearest open facility that meets the group's needs and has room for the
whole group in one compatible bed category wins. The hold is a conditional
UPDATE (see `beds`), so racing dispatchers never overbook; the loser simply
tries the next facility. The decision, with the nearer facilities passed over
and why, is stored on the request for HQ to read.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from coordinator.auth.models import User
from coordinator.common.clock import iso_utc, now
from coordinator.common.errors import Conflict, Invalid
from coordinator.field import tasks as field_tasks
from coordinator.housing import beds, nearest, wait_texts
from coordinator.housing.models import (
    FAMILY_CATEGORIES,
    GENERAL_CATEGORIES,
    ISOLATION_CATEGORIES,
    Facility,
    FacilityBeds,
    PlacementRequest,
)
from coordinator.housing.placement import record, state
from coordinator.i18n import N_, message, text

PASSED_SHOWN = 5


def categories_for(p: PlacementRequest) -> tuple[str, ...]:
    """Bed categories that can take this group, best first."""
    if p.needs_isolation:
        return ISOLATION_CATEGORIES
    if p.needs_family:
        return FAMILY_CATEGORIES
    return GENERAL_CATEGORIES


def unfit(f: Facility | nearest.Site, p: PlacementRequest) -> str | None:
    if f.status != "open":
        return "closed"
    if (p.needs_medical or p.needs_isolation) and not f.has_medical_staff:
        return "no medical staff on site"
    if p.needs_accessible and not f.accessible:
        return "not accessible"
    return None


def unclaimed() -> ColumnElement[bool]:
    """No batch dispatcher has the request (or its claim lapsed: its worker died)."""
    return or_(PlacementRequest.claimed_until.is_(None), PlacementRequest.claimed_until < now())


def _claim(session: Session, p: PlacementRequest) -> bool:
    """Make sure only one dispatcher works on a request at a time. A batch's
    claim that lapsed (its worker died) is cleared: the request is ours now."""
    result = session.execute(
        update(PlacementRequest)
        .where(PlacementRequest.id == p.id, PlacementRequest.status.in_(("requested", "waiting")), unclaimed())
        .values(updated_at=now(), claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def dispatch(*, session: Session, placement_id: int, actor_id: int | None = None) -> PlacementRequest | None:
    """Assign the request to the best facility, or leave it waiting with the reason.
    Idempotent: a request that is no longer requested or waiting is left alone."""
    p = session.get(PlacementRequest, placement_id, populate_existing=True)
    if p is None or p.status not in ("requested", "waiting") or not _claim(session, p):
        return p
    cats = categories_for(p)
    passed: list[dict[str, Any]] = []
    biggest = 0
    for facility, km in nearest.ranked(session, p):
        reason = unfit(facility, p)
        by_cat = {b.category: b for b in facility.beds}
        capacity = max((by_cat[c].total - by_cat[c].out_of_service for c in cats if c in by_cat), default=0)
        if reason is None:
            biggest = max(biggest, capacity)
            for cat in cats:
                bed = by_cat.get(cat)
                if bed is not None and bed.free >= p.head_count and beds.hold(session, facility.id, cat, p.head_count):
                    assign(session, p, facility, cat, km, passed, actor_id)
                    return p
            reason = f"not enough free {' or '.join(cats)} beds"
        if len(passed) < PASSED_SHOWN:
            passed.append(
                {
                    "facility_id": facility.id,
                    "name": facility.name,
                    "distance_km": round(km, 1),
                    "reason": reason,
                    "reason_text": wait_texts.passed_over(reason, cats),
                }
            )
    leave_waiting(session, p, passed, biggest, cats, actor_id)
    return p


def assign(
    session: Session,
    p: PlacementRequest,
    facility: Facility | nearest.Site,
    category: str,
    km: float,
    passed: list[dict[str, Any]],
    actor_id: int | None,
    **explained: Any,
) -> None:
    """Hold is taken: the request is assigned, with its decision (`explained`
    adds to it: a batch's next-best alternative and the batch itself)."""
    before = state(p)
    p.status, p.facility_id, p.bed_category, p.wait_reason = "assigned", facility.id, category, None
    p.hold_expires_at = now() + timedelta(minutes=current_app.config["HOLD_MINUTES"])
    p.decision = {
        "facility_id": facility.id,
        "facility": facility.name,
        "category": category,
        "distance_km": round(km, 1),
        "passed_over": passed,
        "decided_at": iso_utc(now()),
        **explained,
    }
    record(session, p, "placement.assigned", actor_id, before, facility_name=facility.name, distance_km=round(km, 1))
    if p.needs_transport:
        transfer_task(session, p, facility, actor_id)


def leave_waiting(
    session: Session,
    p: PlacementRequest,
    passed: list[dict[str, Any]],
    biggest: int,
    cats: tuple[str, ...],
    actor_id: int | None,
    **explained: Any,
) -> None:
    """No facility could take the group now: it waits, with the reason."""
    # Kept as a message with its data (read per reader); wait_reason keeps the English.
    why = wait_texts.waiting(
        head_count=p.head_count,
        biggest=biggest,
        cats=cats,
        medical=p.needs_medical or p.needs_isolation,
        accessible=p.needs_accessible,
    )
    reason = wait_texts.english(why)
    changed = p.status != "waiting" or p.wait_reason != reason
    before = state(p)
    p.status, p.wait_reason = "waiting", reason
    p.decision = {"passed_over": passed, "decided_at": iso_utc(now()), "wait": why, **explained}
    if changed:
        record(session, p, "placement.waiting", actor_id, before)


T_TRANSFER = N_("Transfer from %(origin)s to %(facility)s (group of %(count)s)")
T_PICK_UP = N_("the pick-up point")


def transfer_task(
    session: Session, p: PlacementRequest, facility: Facility | nearest.Site, actor_id: int | None
) -> None:
    # Through the field service, like every task; `transfer_picked_up` follows it.
    field_tasks.create(
        session=session,
        kind="transfer",
        # No plural forms needed: "group of N" reads right for any N in en, ru and kk.
        title=message(
            T_TRANSFER,
            origin=p.origin_name or message(T_PICK_UP),
            facility=facility.name,
            count=p.head_count,
        ),
        lat=p.origin_lat,
        lon=p.origin_lon,
        dest_lat=facility.lat,
        dest_lon=facility.lon,
        priority=p.priority,
        details={"head_count": p.head_count, "facility_id": facility.id, "facility": facility.name},
        source_type="placement",
        source_id=p.id,
        region_id=p.region_id,
        actor_id=actor_id,
    )


def stranded_ids(*, session: Session, older_than: timedelta = timedelta(minutes=1)) -> list[int]:
    """Requests still `requested` a while after they came in: their dispatch
    job was lost or failed for good. The periodic placing sweeps them up."""
    return list(
        session.scalars(
            select(PlacementRequest.id)
            .where(PlacementRequest.status == "requested", PlacementRequest.updated_at < now() - older_than)
            .order_by(PlacementRequest.priority, PlacementRequest.id)
        )
    )


def waiting_ids(*, session: Session) -> list[int]:
    """Waiting requests, highest priority (1) first, then oldest first."""
    return list(
        session.scalars(
            select(PlacementRequest.id)
            .where(PlacementRequest.status == "waiting")
            .order_by(PlacementRequest.priority, PlacementRequest.created_at, PlacementRequest.id)
        )
    )


def move(*, session: Session, user: User, p: PlacementRequest, facility: Facility, category: str | None) -> None:
    """HQ override: hold beds at another facility and release the old hold."""
    if p.status not in ("requested", "waiting", "assigned", "in_transit"):
        raise Conflict(text(N_("Cannot move a placement that is %(status)s."), status=p.status), status=p.status)
    cats = categories_for(p)
    category = category or next(
        (b.category for b in facility.beds if b.category in cats and b.free >= p.head_count), None
    )
    if category is None or not beds.hold(session, facility.id, category, p.head_count):
        raise Conflict(
            text(
                N_("%(facility)s has no %(n)s free beds in %(category)s."),
                facility=facility.name,
                n=p.head_count,
                category=category or " or ".join(cats),
            )
        )
    before = state(p)
    if p.status in ("assigned", "in_transit"):
        beds.unhold(session, p.facility_id, p.bed_category, p.head_count)
    old = p.facility_id
    if old is not None:  # HQ chose this facility: no automatic move undoes it (`reoptimise`)
        p.moved_at, p.moved_from_id = now(), old
    p.facility_id, p.bed_category, p.wait_reason = facility.id, category, None
    if p.status in ("requested", "waiting"):
        p.status = "assigned"
        p.hold_expires_at = now() + timedelta(minutes=current_app.config["HOLD_MINUTES"])
    p.decision = (p.decision or {}) | {
        "override": {"by": user.id, "from_facility_id": old, "to_facility_id": facility.id, "at": iso_utc(now())}
    }
    record(session, p, "placement.moved", user.id, before, left_facility_id=old, from_facility_id=old)


def split(*, session: Session, user: User, p: PlacementRequest) -> list[PlacementRequest]:
    """HQ allows a split: place the group in parts, nearest facilities first;
    whatever does not fit now waits as its own part."""
    if p.status not in ("requested", "waiting"):
        raise Conflict(
            text(N_("Only a requested or waiting group can be split (this one is %(status)s)."), status=p.status)
        )
    if p.head_count < 2:
        raise Invalid(text(N_("A group of one cannot be split.")), field="head_count")
    cats, remaining, parts = categories_for(p), p.head_count, []
    before = state(p)
    p.status, p.allow_split = "split", True
    for facility, km in nearest.ranked(session, p):
        if remaining == 0:
            break
        if unfit(facility, p):
            continue
        for bed in facility.beds:
            if remaining and bed.category in cats and bed.free > 0:
                take = min(bed.free, remaining)
                if beds.hold(session, facility.id, bed.category, take):
                    parts.append(_part(session, p, take))
                    assign(session, parts[-1], facility, bed.category, km, [], user.id)
                    remaining -= take
    if remaining:
        parts.append(_part(session, p, remaining))
        leave_waiting(session, parts[-1], [], 0, cats, user.id)
    record(session, p, "placement.split", user.id, before, parts=[c.id for c in parts])
    return parts


def _part(session: Session, parent: PlacementRequest, head_count: int) -> PlacementRequest:
    child = PlacementRequest(
        head_count=head_count,
        contact_phone=parent.contact_phone,
        origin_name=parent.origin_name,
        origin_lat=parent.origin_lat,
        origin_lon=parent.origin_lon,
        region_id=parent.region_id,
        needs_isolation=parent.needs_isolation,
        needs_family=parent.needs_family,
        needs_accessible=parent.needs_accessible,
        needs_medical=parent.needs_medical,
        needs_transport=parent.needs_transport,
        priority=parent.priority,
        quarantine_days=parent.quarantine_days,
        allow_split=True,
        status="requested",
        parent_id=parent.id,
        created_by_id=parent.created_by_id,
    )
    session.add(child)
    session.flush()
    return child


def largest_free(session: Session) -> dict[str, int]:
    """The largest free block of beds per category among open facilities."""
    rows = session.execute(
        select(FacilityBeds.category, func.max(FacilityBeds.free))
        .join(Facility)
        .where(Facility.status == "open")
        .group_by(FacilityBeds.category)
    )
    return {cat: int(n or 0) for cat, n in rows}


def could_fit(p: PlacementRequest, largest: dict[str, int]) -> bool:
    """Whether any open facility has a free block big enough for the group
    (a cheap test before a full dispatch)."""
    return p.head_count <= max((largest.get(c, 0) for c in categories_for(p)), default=0)
