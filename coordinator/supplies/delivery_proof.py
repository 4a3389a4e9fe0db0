"""Proof of delivery at a stop, and the requester's confirmation.

The team doing the run records, per line, what the recipient accepted and
what was rejected (with a reason). Accepted units are recorded as delivered;
rejected units come back to the warehouse (returned), except missing ones,
which never arrived and so cannot come back. Every rejection is a
discrepancy for HQ to follow up, and what was rejected is allocated again."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.common.errors import Conflict, Forbidden, Invalid, NotFound
from coordinator.events import service as events
from coordinator.events.models import Event
from coordinator.field import tasks as field_tasks
from coordinator.geo.service import check_point
from coordinator.i18n import N_, message, text
from coordinator.queue import after_commit
from coordinator.supplies import delivery_steps, ledger, requests
from coordinator.supplies.item_names import item_text, unit_text
from coordinator.supplies.models import (
    Delivery,
    DeliveryLine,
    DeliveryRun,
    Discrepancy,
    SupplyRequest,
    SupplyRequestLine,
    Warehouse,
)

REJECT_REASONS = ("damaged", "expired", "wrong_item", "missing")
# A stop's status as the word an error message shows (in English, the code itself).
STOP_WORDS = {
    "planned": N_("planned"),
    "delivered": N_("delivered"),
    "failed": N_("failed"),
    "cancelled": N_("cancelled"),
}
NOT_BROUGHT_BACK = ("missing",)  # never reached the door, so nothing returns to the warehouse
MAX_PHOTO_CHARS = 2_000_000  # as a task's photos


def get_stop(session: Session, stop_id: int, *, lock: bool = False) -> Delivery:
    query = select(Delivery).where(Delivery.id == stop_id).execution_options(populate_existing=True)
    stop = session.scalar(query.with_for_update(of=Delivery) if lock else query)
    if stop is None:
        raise NotFound(text(N_("No delivery stop with id %(stop_id)s."), stop_id=stop_id))
    return stop


def stop_lines(session: Session, stop: Delivery) -> list[DeliveryLine]:
    return list(
        session.scalars(
            select(DeliveryLine)
            .where(DeliveryLine.delivery_id == stop.id)
            .order_by(DeliveryLine.id)
            .execution_options(populate_existing=True)
        )
    )


def stop_rooms(session: Session, stop: Delivery) -> list[str]:
    """The requests' organization and region, the warehouse, and the team."""
    wh = session.get(Warehouse, stop.warehouse_id)
    return sorted(
        set(requests.rooms(session.get(SupplyRequest, stop.supply_request_id)) if stop.supply_request_id else [])
        | set(events.rooms(regions=[wh.region_id], warehouses=[wh.id], teams=[stop.team_id]))
        | set(events.rooms(regions=[stop.organization.region_id], organizations=[stop.organization_id]))
    )


def _team_run(session: Session, user: User, stop: Delivery) -> DeliveryRun:
    """The stop's run, locked, if the user's team is the one doing it."""
    run = delivery_steps.locked_run(session, stop.run_id) if stop.run_id else None
    if run is None or run.task_id is None:
        raise Conflict(text(N_("This stop is on no delivery run.")))
    task = field_tasks.get(session=session, user=user, task_id=run.task_id)  # Forbidden for other teams
    if task.team_id is None or task.team_id != user.team_id:
        raise Forbidden(text(N_("This delivery run is another team's.")))
    return run


def _checked_lines(lines: list[DeliveryLine], given: list[dict[str, Any]]) -> dict[int, tuple[int, int, str | None]]:
    """Every line of the stop, once, with accepted + rejected = shipped and a
    reason from the list for any rejection."""
    by_id = {line.id: line for line in lines}
    out: dict[int, tuple[int, int, str | None]] = {}
    for n, entry in enumerate(given):
        line = by_id.get(entry.get("line_id"))
        if line is None:
            raise Invalid(
                text(N_("Line %(line_id)s is not on this stop."), line_id=entry.get("line_id")),
                field=f"lines.{n}.line_id",
            )
        if line.id in out:
            raise Invalid(
                text(N_("%(item)s is given twice: one entry per line."), item=item_text(line.item.name)),
                field=f"lines.{n}.line_id",
            )
        accepted, rejected, reason = entry.get("accepted"), entry.get("rejected"), entry.get("reject_reason") or None
        for value in (accepted, rejected):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise Invalid(
                    text(N_("%(item)s: quantities are whole numbers, zero or more."), item=item_text(line.item.name)),
                    field=f"lines.{n}",
                )
        if accepted + rejected != line.quantity:
            raise Invalid(
                text(
                    N_(
                        "%(item)s: accepted (%(accepted)s) and rejected (%(rejected)s) must add up to the "
                        "%(quantity)s %(unit)s shipped."
                    ),
                    item=item_text(line.item.name),
                    accepted=accepted,
                    rejected=rejected,
                    quantity=line.quantity,
                    unit=unit_text(line.item.unit),
                ),
                field=f"lines.{n}",
            )
        if rejected and reason not in REJECT_REASONS:
            raise Invalid(
                text(
                    N_("%(item)s: say why %(rejected)s %(unit)s were rejected: one of %(reasons)s."),
                    item=item_text(line.item.name),
                    rejected=rejected,
                    unit=unit_text(line.item.unit),
                    reasons=", ".join(REJECT_REASONS),
                ),
                field=f"lines.{n}.reject_reason",
            )
        if not rejected and reason:
            raise Invalid(
                text(N_("%(item)s: nothing was rejected, so leave out the reason."), item=item_text(line.item.name)),
                field=f"lines.{n}",
            )
        out[line.id] = (accepted, rejected, reason)
    missing = [item_text(line.item.name) for line in lines if line.id not in out]
    if missing:
        raise Invalid(
            text(
                N_("Say what was accepted and rejected of every line; missing: %(missing)s."),
                missing=", ".join(missing),
            ),
            field="lines",
        )
    return out


def prove(
    *,
    session: Session,
    user: User,
    stop_id: int,
    recipient_name: str,
    lat: float,
    lon: float,
    lines: list[dict[str, Any]],
    photo: str | None = None,
) -> Delivery:
    """Record a stop's proof of delivery (by the team doing its run)."""
    run = _team_run(session, user, get_stop(session, stop_id))
    stop = get_stop(session, stop_id, lock=True)  # after the run's lock, as every change to a stop
    if stop.status == "delivered":
        raise Conflict(
            text(
                N_("Stop %(seq)s (%(org)s) already has its proof of delivery."),
                seq=stop.seq,
                org=stop.organization.name,
            )
        )
    if stop.status != "planned":
        raise Conflict(
            text(
                N_("Stop %(seq)s (%(org)s) is %(status)s: nothing to deliver."),
                seq=stop.seq,
                org=stop.organization.name,
                status=message(STOP_WORDS[stop.status]) if stop.status in STOP_WORDS else stop.status,
            )
        )
    if run.status != "picked_up":
        raise Conflict(text(N_("Pick the load up at the warehouse first: mark the task on site there.")))
    recipient = (recipient_name or "").strip()
    if not recipient:
        raise Invalid(text(N_("Write the name of the person who received the delivery.")), field="recipient_name")
    check_point(lat, lon, field="lat")
    if photo is not None and (not photo.startswith("data:image/") or len(photo) > MAX_PHOTO_CHARS):
        raise Invalid(text(N_("The photo must be an image (a data: URL) of at most 2 MB.")), field="photo")
    mine = stop_lines(session, stop)
    checked = _checked_lines(mine, lines)
    allocations = delivery_steps.lock_allocations(session, [stop.id])
    for line in mine:
        if getattr(allocations.get(line.allocation_id), "status", None) != "issued":
            raise Conflict(
                text(
                    N_("%(item)s is not on the vehicle for this stop any more: ask HQ."), item=item_text(line.item.name)
                )
            )

    touched, again, notes = set(), set(), []
    for line in mine:
        accepted, rejected, reason = checked[line.id]
        allocation = allocations[line.allocation_id]
        ledger.arrive(
            session=session, warehouse_id=stop.warehouse_id, allocation_id=allocation.id, delivery_id=stop.id,
            accepted=accepted, returned=0 if reason in NOT_BROUGHT_BACK else rejected, reason_code=reason or "",
            actor_id=user.id,
        )  # fmt: skip
        line.quantity_received, line.quantity_rejected, line.reject_reason = accepted, rejected, reason
        request_line = session.get(SupplyRequestLine, allocation.line_id)
        request_line.quantity_delivered += accepted
        request_line.quantity_allocated = max(0, request_line.quantity_allocated - rejected)
        allocation.status = "delivered"
        touched.add(allocation.request_id)
        if rejected:
            again.add(line.item_id)
            item = line.item
            note = f"{rejected} {item.unit} of {item.name} {reason.replace('_', ' ')}"
            notes.append(note)
            session.add(Discrepancy(delivery_id=stop.id, item_id=item.id, quantity=rejected, reason=reason, note=note))
    stop.status, stop.received_by, stop.received_at = "delivered", recipient, now()
    stop.proof_lat, stop.proof_lon, stop.photo = lat, lon, photo
    stop.discrepancy = "; ".join(notes) or None
    session.flush()
    for request_id in sorted(touched):
        requests.refresh_status(session=session, request_id=request_id, actor_id=user.id)
    events.record(
        session=session,
        type="delivery.proven",
        subject_type="delivery",
        subject_id=stop.id,
        rooms=stop_rooms(session, stop),
        actor_id=user.id,
        after=proof_state(session, stop),
    )
    if again:
        after_commit(session, "allocate_supplies", sorted(again))
    return stop


def proof_state(session: Session, stop: Delivery) -> dict[str, Any]:
    """What events carry about a stop's proof (no photo: it is large)."""
    return {
        "run_id": stop.run_id,
        "warehouse_id": stop.warehouse_id,
        "organization_id": stop.organization_id,
        "request_id": stop.supply_request_id,
        "status": stop.status,
        "received_by": stop.received_by,
        "received_at": stop.received_at,
        "discrepancy": stop.discrepancy,
        "lines": [
            {"line_id": li.id, "item_id": li.item_id, "quantity": li.quantity, "accepted": li.quantity_received,
             "rejected": li.quantity_rejected, "reject_reason": li.reject_reason}
            for li in stop_lines(session, stop)
        ],
    }  # fmt: skip


def confirmed_at(session: Session, stop_ids: list[int]) -> dict[int, Any]:
    """When the requester confirmed each stop (stops not confirmed are absent)."""
    if not stop_ids:
        return {}
    rows = session.execute(
        select(Event.subject_id, Event.created_at).where(
            Event.subject_type == "delivery", Event.type == "delivery.confirmed", Event.subject_id.in_(stop_ids)
        )
    )
    return {stop_id: at for stop_id, at in rows}


def confirm(*, session: Session, user: User, stop_id: int) -> Delivery:
    """The requester organization confirms it received a delivered stop."""
    stop = get_stop(session, stop_id, lock=True)
    authz.require_record(user, region_id=stop.organization.region_id, organization_id=stop.organization_id)
    if stop.status != "delivered":
        raise Conflict(
            text(N_("There is nothing to confirm yet: the team records the proof of delivery at the door first."))
        )
    if confirmed_at(session, [stop.id]):
        raise Conflict(text(N_("The delivery to %(org)s is already confirmed."), org=stop.organization.name))
    events.record(
        session=session,
        type="delivery.confirmed",
        subject_type="delivery",
        subject_id=stop.id,
        rooms=stop_rooms(session, stop),
        actor_id=user.id,
        after=proof_state(session, stop),
    )
    return stop
