"""Supply requests: a requester organization (or HQ on its behalf) asks for
items; allocation serves the lines; delivery runs bring them. The request's
status follows its lines and allocations (`refresh_status`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload, selectinload

from coordinator import authz
from coordinator.auth.models import User
from coordinator.common.clock import now
from coordinator.common.errors import Conflict, Forbidden, Invalid, NotFound
from coordinator.events import service as events
from coordinator.i18n import N_, message, text
from coordinator.queue import after_commit
from coordinator.supplies import ledger
from coordinator.supplies.item_names import item_text
from coordinator.supplies.models import Allocation, AllocationOverride, Organization, SupplyRequest, SupplyRequestLine

MAX_LINES = 50
MAX_QUANTITY = 1_000_000
# A request's status as the word an error message shows (in English, the code itself).
STATUS_WORDS = {
    "pending": N_("pending"),
    "partly_allocated": N_("partly allocated"),
    "allocated": N_("allocated"),
    "dispatched": N_("dispatched"),
    "delivered": N_("delivered"),
    "cancelled": N_("cancelled"),
}


def status_word(status: str) -> Any:
    """A request's status as a message for an error text (an unknown code as is)."""
    return message(STATUS_WORDS[status]) if status in STATUS_WORDS else status.replace("_", " ")


def rooms(request: SupplyRequest) -> list[str]:
    """Who hears about a request: its organization and the HQs of its region."""
    return events.rooms(regions=[request.organization.region_id], organizations=[request.organization_id])


def list_requests(
    *, session: Session, user: User, status: str | None = None, limit: int = 200, offset: int = 0
) -> list[SupplyRequest]:
    """Requests in the user's scope, newest first (a requester: their organization's)."""
    query = select(SupplyRequest).join(Organization).order_by(SupplyRequest.created_at.desc(), SupplyRequest.id.desc())
    if status:
        query = query.where(SupplyRequest.status == status)
    query = authz.scoped(query, user, region=Organization.region_id, organization=SupplyRequest.organization_id)
    return list(session.scalars(query.limit(limit).offset(offset)))


def get(*, session: Session, user: User, request_id: int, lock: bool = False) -> SupplyRequest:
    query = select(SupplyRequest).where(SupplyRequest.id == request_id)
    request = session.scalar(query.with_for_update(of=SupplyRequest) if lock else query)
    if request is None:
        raise NotFound(text(N_("No supply request with id %(request_id)s."), request_id=request_id))
    authz.require_record(user, region_id=request.organization.region_id, organization_id=request.organization_id)
    return request


def _organization(session: Session, user: User, organization_id: int | None) -> Organization:
    if user.role == "requester":
        if organization_id not in (None, user.organization_id):
            raise Forbidden(text(N_("You may file requests only for your own organization.")))
        organization_id = user.organization_id
    if organization_id is None:
        raise Invalid(text(N_("Say which organization the request is for.")), field="organization_id")
    org = session.get(Organization, organization_id)
    if org is None:
        raise Invalid(
            text(N_("Unknown organization %(organization_id)s."), organization_id=organization_id),
            field="organization_id",
        )
    authz.require_record(user, region_id=org.region_id, organization_id=org.id)
    return org


def _check_lines(session: Session, lines: list[dict[str, Any]]) -> None:
    if not lines:
        raise Invalid(text(N_("A request needs at least one line: an item and a quantity.")), field="lines")
    if len(lines) > MAX_LINES:
        raise Invalid(text(N_("A request may have at most %(max)s lines."), max=MAX_LINES), field="lines")
    seen = set()
    for n, line in enumerate(lines, start=1):
        field = f"lines.{n}"
        item = ledger.get_item(session, line.get("item_id"), field=f"{field}.item_id")
        if item.id in seen:
            raise Invalid(
                text(N_("%(item)s is asked for twice: put it on one line."), item=item_text(item.name)),
                field=f"{field}.item_id",
            )
        seen.add(item.id)
        qty = line.get("quantity")
        if not isinstance(qty, int) or isinstance(qty, bool) or not 0 < qty <= MAX_QUANTITY:
            raise Invalid(
                text(N_("Line %(n)s: the quantity must be a whole number from 1 to %(max)s."), n=n, max=MAX_QUANTITY),
                field=field,
            )
        on_hand, daily_use = line.get("on_hand"), line.get("daily_use")
        if on_hand is not None and (not isinstance(on_hand, int) or on_hand < 0):
            raise Invalid(
                text(N_("Line %(n)s: your stock on hand must be a whole number, zero or more."), n=n), field=field
            )
        if daily_use is not None and (not isinstance(daily_use, (int, float)) or daily_use <= 0):
            raise Invalid(text(N_("Line %(n)s: daily use must be above zero (or left empty)."), n=n), field=field)
        if (on_hand is None) != (daily_use is None):
            raise Invalid(
                text(N_("Line %(n)s: give both your stock on hand and your daily use, or neither."), n=n), field=field
            )


def create(
    *,
    session: Session,
    user: User,
    lines: list[dict[str, Any]],
    organization_id: int | None = None,
    needed_by: date | None = None,
    note: str = "",
) -> SupplyRequest:
    """File a request: lines of {item_id, quantity, on_hand?, daily_use?}. Its
    tier is the organization's. Allocation runs after commit."""
    org = _organization(session, user, organization_id)
    _check_lines(session, lines)
    if needed_by is not None and needed_by < now().date():
        raise Invalid(text(N_("The needed-by date is in the past.")), field="needed_by")
    request = SupplyRequest(
        organization_id=org.id, tier=org.tier, needed_by=needed_by, note=note.strip(), created_by_id=user.id
    )
    session.add(request)
    session.flush()
    for line in lines:
        session.add(
            SupplyRequestLine(
                request_id=request.id,
                item_id=line["item_id"],
                quantity_requested=line["quantity"],
                on_hand=line.get("on_hand"),
                daily_use=line.get("daily_use"),
            )
        )
    session.flush()
    session.refresh(request)
    events.record(
        session=session,
        type="supply_request.created",
        subject_type="supply_request",
        subject_id=request.id,
        rooms=rooms(request),
        actor_id=user.id,
        after=state(request),
    )
    after_commit(session, "allocate_supplies", sorted(line["item_id"] for line in lines))
    return request


def cancel(*, session: Session, user: User, request_id: int, reason: str) -> SupplyRequest:
    """Cancel a request not yet dispatched: its held stock goes back to the
    shelves (and to others waiting for it)."""
    request = get(session=session, user=user, request_id=request_id, lock=True)
    if not (reason or "").strip():
        raise Invalid(text(N_("Say why the request is cancelled.")), field="reason")
    if request.status in ("dispatched", "delivered", "cancelled"):
        raise Conflict(
            text(
                N_("Request #%(request_id)s is %(status)s and can no longer be cancelled."),
                request_id=request.id,
                status=status_word(request.status),
            )
        )
    before = state(request)
    for allocation in session.scalars(
        select(Allocation).where(Allocation.request_id == request.id, Allocation.status == "held")
    ):
        ledger.release(session=session, warehouse_id=allocation.warehouse_id, allocation_id=allocation.id)
        allocation.status = "released"
    for line in request.lines:
        line.quantity_allocated = line.quantity_delivered
    request.status = "cancelled"
    request.cancel_reason = reason.strip()
    session.flush()
    events.record(
        session=session,
        type="supply_request.cancelled",
        subject_type="supply_request",
        subject_id=request.id,
        rooms=rooms(request),
        actor_id=user.id,
        before=before,
        after=state(request) | {"reason": request.cancel_reason},
    )
    after_commit(session, "allocate_supplies", sorted({line.item_id for line in request.lines}))
    return request


def status_of(request: SupplyRequest, allocations: list[Allocation], targets: dict[int, int] | None = None) -> str:
    """What a request's lines and allocations say its status is. A line's
    target is what was asked, or the quantity HQ fixed for it (`targets`)."""
    if request.status == "cancelled":
        return "cancelled"
    lines = request.lines
    target = {line.id: (targets or {}).get(line.id, line.quantity_requested) for line in lines}
    if all(line.quantity_delivered >= target[line.id] for line in lines):
        return "delivered"
    live = [a for a in allocations if a.status != "released"]
    if all(line.quantity_allocated >= target[line.id] for line in lines):
        if live and all(a.status in ("issued", "delivered") for a in live):
            return "dispatched"
        return "allocated"
    if any(line.quantity_allocated > 0 or line.quantity_delivered > 0 for line in lines):
        return "partly_allocated"
    return "pending"


def refresh_status(*, session: Session, request_id: int, actor_id: int | None = None) -> SupplyRequest:
    """Set a request's status from its lines and allocations; record the change."""
    request = session.get(SupplyRequest, request_id)
    session.refresh(request)
    allocations = list(session.scalars(select(Allocation).where(Allocation.request_id == request_id)))
    targets = _fixed_quantities(session, [line.id for line in request.lines])
    return _set_status(session, request, status_of(request, allocations, targets), actor_id)


def _fixed_quantities(session: Session, line_ids: list[int]) -> dict[int, int]:
    """Quantities HQ fixed for these lines (overrides), by line id."""
    if not line_ids:
        return {}
    rows = session.execute(
        select(AllocationOverride.line_id, AllocationOverride.quantity).where(
            AllocationOverride.line_id.in_(line_ids), AllocationOverride.quantity.is_not(None)
        )
    )
    return dict(rows.all())


def refresh_statuses(*, session: Session, request_ids: list[int], actor_id: int | None = None) -> None:
    """`refresh_status` for many requests, read together."""
    if not request_ids:
        return
    found = session.scalars(
        select(SupplyRequest).where(SupplyRequest.id.in_(request_ids)).order_by(SupplyRequest.id)
        .options(selectinload(SupplyRequest.lines)).execution_options(populate_existing=True)
    ).all()  # fmt: skip
    allocations: dict[int, list[Allocation]] = {r.id: [] for r in found}
    for a in session.scalars(
        select(Allocation).where(Allocation.request_id.in_(request_ids))
        .options(lazyload(Allocation.line), lazyload(Allocation.warehouse))
    ):  # fmt: skip
        allocations[a.request_id].append(a)
    targets = _fixed_quantities(session, [line.id for r in found for line in r.lines])
    for request in found:
        _set_status(session, request, status_of(request, allocations[request.id], targets), actor_id)


def _set_status(session: Session, request: SupplyRequest, new: str, actor_id: int | None) -> SupplyRequest:
    if new != request.status:
        before = {"status": request.status}
        request.status = new
        session.flush()
        events.record(
            session=session,
            type="supply_request.status",
            subject_type="supply_request",
            subject_id=request.id,
            rooms=rooms(request),
            actor_id=actor_id,
            before=before,
            after=state(request),
        )
    return request


def state(request: SupplyRequest) -> dict[str, Any]:
    """What events carry about a request."""
    return {
        "organization_id": request.organization_id,
        "tier": request.tier,
        "status": request.status,
        "needed_by": request.needed_by,
        "lines": [
            {
                "line_id": line.id,
                "item_id": line.item_id,
                "requested": line.quantity_requested,
                "allocated": line.quantity_allocated,
                "delivered": line.quantity_delivered,
            }
            for line in request.lines
        ],
    }
