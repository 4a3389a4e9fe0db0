"""HQ's overrides of allocation: pin a line to a warehouse and/or fix its
quantity, with a reason. Recorded as events; every later allocation run
respects them (`allocation`), which is declared to run after commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.common.errors import Conflict, Invalid, NotFound
from coordinator.events import service as events
from coordinator.i18n import N_, text
from coordinator.queue import after_commit
from coordinator.supplies import requests
from coordinator.supplies.item_names import unit_text
from coordinator.supplies.models import (
    OPEN_REQUEST_STATUSES,
    Allocation,
    AllocationOverride,
    SupplyRequest,
    SupplyRequestLine,
    Warehouse,
)


def state(override: AllocationOverride | None, session: Session | None = None) -> dict[str, Any] | None:
    """An override as the API and events show it."""
    if override is None:
        return None
    wh = session.get(Warehouse, override.warehouse_id) if session is not None and override.warehouse_id else None
    return {
        "line_id": override.line_id,
        "warehouse_id": override.warehouse_id,
        "warehouse": wh.name if wh else None,
        "quantity": override.quantity,
        "reason": override.reason,
        "actor_id": override.actor_id,
        "created_at": override.created_at,
    }


def _line(session: Session, user: User, line_id: int) -> tuple[SupplyRequestLine, SupplyRequest]:
    """The line, locked (so two overrides of one line take turns), in the user's scope."""
    line = session.scalar(
        select(SupplyRequestLine)
        .where(SupplyRequestLine.id == line_id)
        .with_for_update(of=SupplyRequestLine)
        .execution_options(populate_existing=True)
    )
    if line is None:
        raise NotFound(text(N_("No supply request line with id %(line_id)s."), line_id=line_id))
    request = session.get(SupplyRequest, line.request_id)
    authz.require_record(user, region_id=request.organization.region_id, organization_id=request.organization_id)
    return line, request


def _committed(session: Session, line_id: int) -> int:
    """Units of a line that are on a delivery run or gone: no override can take them back."""
    on_run = or_(Allocation.status.in_(("issued", "delivered")), Allocation.stop_id.is_not(None))
    return int(
        session.scalar(
            select(func.coalesce(func.sum(Allocation.quantity), 0)).where(
                Allocation.line_id == line_id, Allocation.status != "released", on_run
            )
        )
    )


def _record(session: Session, user: User, request: SupplyRequest, line: SupplyRequestLine, type_: str, **kw) -> None:
    events.record(
        session=session, type=type_, subject_type="supply_request_line", subject_id=line.id,
        rooms=requests.rooms(request), actor_id=user.id, **kw,
    )  # fmt: skip


def set_override(
    *,
    session: Session,
    user: User,
    line_id: int,
    reason: str,
    warehouse_id: int | None = None,
    quantity: int | None = None,
) -> AllocationOverride:
    """Pin a line to a warehouse and/or fix its quantity (replacing any
    earlier override of the line). Raises NotFound, Invalid (no reason,
    nothing overridden, an unknown warehouse, a quantity above what was asked
    or below what already left) or Conflict (the request is no longer open,
    the warehouse is closed)."""
    line, request = _line(session, user, line_id)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(text(N_("Say why you override the allocation.")), field="reason")
    if warehouse_id is None and quantity is None:
        raise Invalid(text(N_("Pin a warehouse, fix a quantity, or both.")), field="warehouse_id")
    if request.status not in OPEN_REQUEST_STATUSES:
        raise Conflict(
            text(
                N_("Request #%(request_id)s is %(status)s: its allocation is settled."),
                request_id=request.id,
                status=requests.status_word(request.status),
            )
        )
    if warehouse_id is not None:
        wh = session.get(Warehouse, warehouse_id)
        if wh is None:
            raise Invalid(
                text(N_("Unknown warehouse %(warehouse_id)s."), warehouse_id=warehouse_id), field="warehouse_id"
            )
        if wh.status != "open":
            raise Conflict(text(N_("%(wh)s is closed: pin an open warehouse."), wh=wh.name), field="warehouse_id")
    if quantity is not None:
        unit = line.item.unit
        if quantity > line.quantity_requested:
            raise Invalid(
                text(
                    N_("The line asks for %(quantity_requested)s %(unit)s: fix at most that many."),
                    quantity_requested=line.quantity_requested,
                    unit=unit_text(unit),
                ),
                field="quantity",
            )
        committed = _committed(session, line.id)
        if quantity < committed:
            raise Invalid(
                text(
                    N_("%(committed)s %(unit)s are already on a delivery run or delivered: fix at least that many."),
                    committed=committed,
                    unit=unit_text(unit),
                ),
                field="quantity",
            )
    override = session.scalar(select(AllocationOverride).where(AllocationOverride.line_id == line.id))
    before = state(override, session)
    if override is None:
        override = AllocationOverride(line_id=line.id, reason=reason)
        session.add(override)
    override.warehouse_id, override.quantity, override.reason = warehouse_id, quantity, reason
    override.actor_id, override.created_at = user.id, now()
    session.flush()
    _record(session, user, request, line, "allocation.override_set", before=before, after=state(override, session))
    after_commit(session, "allocate_supplies", [line.item_id])
    return override


def clear_override(*, session: Session, user: User, line_id: int) -> None:
    """Remove a line's override: the next run shares for it as for any other line."""
    line, request = _line(session, user, line_id)
    override = session.scalar(select(AllocationOverride).where(AllocationOverride.line_id == line.id))
    if override is None:
        raise NotFound(text(N_("Line %(line_id)s has no override."), line_id=line.id))
    before = state(override, session)
    session.delete(override)
    session.flush()
    _record(session, user, request, line, "allocation.override_cleared", before=before)
    after_commit(session, "allocate_supplies", [line.item_id])
