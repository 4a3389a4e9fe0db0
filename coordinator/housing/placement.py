"""Placement requests: intake and every step of the lifecycle after dispatch.

requested -> (dispatch) assigned | waiting -> in_transit -> checked_in -> released;
also no_show, cancelled, expired (hold not confirmed) and split (HQ allowed it).
Every step moves bed counts through `beds` and writes an event.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from coordinator import authz, queue
from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.common.errors import Conflict, Forbidden, Invalid, NotFound
from coordinator.events import service as events
from coordinator.events.models import Event
from coordinator.field.hooks import TaskStep
from coordinator.geo.service import check_point, locate, nearest_region
from coordinator.housing import beds
from coordinator.housing.models import Facility, PlacementRequest
from coordinator.i18n import N_, message, text

ACTIVE = ("requested", "waiting", "assigned", "in_transit")
HOLDING = ("assigned", "in_transit")


def rooms(session: Session, p: PlacementRequest, *, left_facility_id: int | None = None) -> list[str]:
    """Rooms that hear about a placement: its origin's region, its facility and
    that facility's region, and on a move also the facility it left and that
    facility's region."""
    facility_ids = [f for f in (p.facility_id, left_facility_id) if f is not None]
    facility_regions = [_region_id(session, f) for f in facility_ids]
    return events.rooms(regions=[p.region_id, *facility_regions], facilities=facility_ids)


def _region_id(session: Session, facility_id: int) -> int | None:
    # From the identity map when the facility is loaded (a batch loads them
    # all), else the one column: a dispatch reads facilities as plain rows,
    # and `session.get` would load this one whole, with its beds.
    loaded = session.identity_map.get(identity_key(Facility, facility_id))
    if loaded is not None:
        return loaded.region_id
    return session.scalar(select(Facility.region_id).where(Facility.id == facility_id))


def state(p: PlacementRequest) -> dict[str, Any]:
    """What events carry about a placement (no names or phone numbers)."""
    return {
        "status": p.status,
        "head_count": p.head_count,
        "facility_id": p.facility_id,
        "bed_category": p.bed_category,
        "checked_in_count": p.checked_in_count,
        "hold_expires_at": p.hold_expires_at,
        "release_due_at": p.release_due_at,
        "wait_reason": p.wait_reason,
        "priority": p.priority,
        "region_id": p.region_id,
        "origin": p.origin_name,
        "lat": p.origin_lat,
        "lon": p.origin_lon,
    }


def record(
    session: Session,
    p: PlacementRequest,
    type_: str,
    actor_id: int | None,
    before: dict | None,
    *,
    left_facility_id: int | None = None,
    **extra: Any,
) -> None:
    """Write a placement event (the one shape every step uses)."""
    events.record(
        session=session,
        type=type_,
        subject_type="placement",
        subject_id=p.id,
        rooms=rooms(session, p, left_facility_id=left_facility_id),
        actor_id=actor_id,
        before=before,
        after=state(p) | extra,
    )


def create(*, session: Session, user: User | None, data: dict[str, Any]) -> PlacementRequest:
    """Register a placement request; raises Invalid with the field at fault."""
    head_count = data["head_count"]
    max_group = current_app.config["MAX_GROUP"]
    if not 1 <= head_count <= max_group:
        raise Invalid(text(N_("head_count must be between 1 and %(max)s."), max=max_group), field="head_count")
    names = data.get("names") or []
    if len(names) > head_count:
        raise Invalid(
            text(N_("%(names)s names were given for %(n)s people."), names=len(names), n=head_count), field="names"
        )
    lat, lon, origin = data.get("origin_lat"), data.get("origin_lon"), (data.get("origin") or "").strip()
    if lat is not None and lon is not None:
        check_point(lat, lon, field="origin")
        region = nearest_region(session=session, lat=lat, lon=lon)
    elif origin:
        found, region = locate(session=session, name=origin, field="origin")
        lat, lon, origin = found.lat, found.lon, found.name
    else:
        raise Invalid(text(N_("Give the origin as a settlement name or as coordinates.")), field="origin")
    p = PlacementRequest(
        head_count=head_count,
        names=names or None,
        contact_phone=data["contact_phone"],
        origin_name=origin,
        origin_lat=lat,
        origin_lon=lon,
        region_id=region.id,
        priority=data.get("priority", 3),
        quarantine_days=data.get("quarantine_days", 14),
        created_by_id=user.id if user else None,
        **{
            k: bool(data.get(k, False))
            for k in ("needs_isolation", "needs_family", "needs_accessible", "needs_medical", "needs_transport")
        },
    )
    session.add(p)
    session.flush()
    record(session, p, "placement.requested", p.created_by_id, None)
    queue.after_commit(session, "dispatch_placement", p.id)
    return p


def get(*, session: Session, user: User, placement_id: int, lock: bool = False) -> PlacementRequest:
    """A placement the user may see: HQ in scope, or the manager of its facility."""
    query = select(PlacementRequest).where(PlacementRequest.id == placement_id)
    if lock:
        query = query.with_for_update(of=PlacementRequest)
    p = session.scalar(query)
    if p is None:
        raise NotFound(text(N_("No placement request with id %(id)s."), id=placement_id))
    if user.role == "facility_manager" and p.facility_id not in {f.id for f in user.facilities}:
        raise Forbidden(text(N_("This placement is not at a facility you manage.")))
    facility_region = session.get(Facility, p.facility_id).region_id if p.facility_id else None
    authz.require_record(user, region_id=p.region_id, also_regions=(facility_region,), facility_id=p.facility_id)
    return p


def scope_regions() -> tuple:
    """A placement's regions for `authz.scoped`: its origin's and its facility's."""
    facility_region = select(Facility.region_id).where(Facility.id == PlacementRequest.facility_id).scalar_subquery()
    return (PlacementRequest.region_id, facility_region)


def _require(p: PlacementRequest, allowed: tuple[str, ...], action: str) -> dict[str, Any]:
    if p.status not in allowed:
        raise Conflict(
            text(
                N_("Cannot %(action)s a placement that is %(status)s."),
                action=action,
                status=p.status.replace("_", " "),
            ),
            status=p.status,
        )
    return state(p)


def mark_in_transit(*, session: Session, user: User | None, p: PlacementRequest) -> PlacementRequest:
    """The group was picked up: its hold no longer expires."""
    before = _require(p, ("assigned",), "start the transfer of")
    p.status, p.hold_expires_at = "in_transit", None
    record(session, p, "placement.in_transit", user.id if user else None, before)
    return p


def transfer_picked_up(*, session: Session, step: TaskStep, actor: User | None) -> None:
    """A transfer task's team is on site: its group is picked up (registered
    with `field.hooks` for placement tasks reaching `on_site`)."""
    p = session.get(PlacementRequest, step.source_id)
    if p is not None and p.status == "assigned":
        mark_in_transit(session=session, user=actor, p=p)


T_GONE = N_("Its placement request no longer exists.")
T_CHECKED_IN = N_("The group has already checked in.")
T_CANCELLED = N_("The placement was cancelled.")
T_NOT_WAITING = N_("The group no longer waits for a transfer (placement %(status)s).")
PURPOSE_TEXTS = (T_GONE, T_CHECKED_IN, T_CANCELLED, T_NOT_WAITING)


def transfer_purpose(*, session: Session, source_id: int, kind: str) -> dict[str, Any] | None:
    """Why a placement's transfer task is no longer needed (a message), or None while
    its group still waits to be picked up (registered with `field.hooks.on_purpose`)."""
    p = session.get(PlacementRequest, source_id)
    if p is None:
        return message(T_GONE)
    if p.status == "assigned":
        return None
    if p.status == "checked_in":
        return message(T_CHECKED_IN)
    if p.status == "cancelled":
        return message(T_CANCELLED)
    return message(T_NOT_WAITING, status=p.status)


def check_in(*, session: Session, user: User, p: PlacementRequest, count: int) -> PlacementRequest:
    """Check in `count` people; the rest of the group is marked no-show."""
    before = _require(p, HOLDING, "check in")
    if not 1 <= count <= p.head_count:
        raise Invalid(
            text(N_("Between 1 and %(n)s people can be checked in for this group."), n=p.head_count), field="count"
        )
    beds.occupy(session, p.facility_id, p.bed_category, held=p.head_count, arrived=count)
    p.status, p.checked_in_count, p.checked_in_at = "checked_in", count, now()
    p.hold_expires_at = None
    p.release_due_at = p.checked_in_at + timedelta(days=p.quarantine_days)
    record(session, p, "placement.checked_in", user.id, before, no_show_count=p.head_count - count)
    return p


def no_show(*, session: Session, user: User, p: PlacementRequest) -> PlacementRequest:
    """Nobody of the group arrived: its beds return."""
    before = _require(p, HOLDING, "mark as no-show")
    beds.unhold(session, p.facility_id, p.bed_category, p.head_count)
    p.status, p.hold_expires_at = "no_show", None
    record(session, p, "placement.no_show", user.id, before)
    return p


def cancel(*, session: Session, user: User, p: PlacementRequest) -> PlacementRequest:
    """Cancel a request that is not yet checked in; held beds return."""
    before = _require(p, ACTIVE, "cancel")
    if p.status in HOLDING:
        beds.unhold(session, p.facility_id, p.bed_category, p.head_count)
    p.status, p.hold_expires_at = "cancelled", None
    record(session, p, "placement.cancelled", user.id, before)
    return p


def release(*, session: Session, user: User | None, p: PlacementRequest, count: int | None = None) -> PlacementRequest:
    """Check people out (all by default, or `count` early); the group is released when none remain."""
    before = _require(p, ("checked_in",), "check out")
    count = p.checked_in_count if count is None else count
    if not 1 <= count <= p.checked_in_count:
        raise Invalid(text(N_("Between 1 and %(n)s people can be checked out."), n=p.checked_in_count), field="count")
    beds.vacate(session, p.facility_id, p.bed_category, count)
    p.checked_in_count -= count
    if p.checked_in_count == 0:
        p.status = "released"
    record(
        session,
        p,
        "placement.released" if p.status == "released" else "placement.checked_out",
        user.id if user else None,
        before,
        checked_out=count,
    )
    return p


def expire_holds(*, session: Session) -> int:
    """Expire holds nobody confirmed in time; their beds return."""
    due = session.scalars(
        select(PlacementRequest)
        .where(PlacementRequest.status == "assigned", PlacementRequest.hold_expires_at < now())
        .with_for_update(skip_locked=True, of=PlacementRequest)
    ).all()
    for p in due:
        before = state(p)
        beds.unhold(session, p.facility_id, p.bed_category, p.head_count)
        p.status = "expired"
        record(session, p, "placement.expired", None, before)
    return len(due)


def release_due(*, session: Session) -> int:
    """Release groups whose quarantine has ended."""
    due = session.scalars(
        select(PlacementRequest)
        .where(PlacementRequest.status == "checked_in", PlacementRequest.release_due_at <= now())
        .with_for_update(skip_locked=True, of=PlacementRequest)
    ).all()
    for p in due:
        release(session=session, user=None, p=p)
    return len(due)


def timeline(*, session: Session, p: PlacementRequest) -> list[dict[str, Any]]:
    """Every event of a placement, oldest first."""
    rows = session.scalars(
        select(Event).where(Event.subject_type == "placement", Event.subject_id == p.id).order_by(Event.id)
    )
    return [
        {
            "id": e.id,
            "type": e.type,
            "at": e.created_at,
            "actor_id": e.actor_id,
            "status": (e.after or {}).get("status"),
        }
        for e in rows
    ]
