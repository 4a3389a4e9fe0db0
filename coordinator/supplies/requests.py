"""Supply requests: a requester organization asks for items."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.auth.models import User
from coordinator.common.errors import Invalid, NotFound
from coordinator.events import service as events
from coordinator.supplies.models import Item, Organization, SupplyRequest, SupplyRequestLine


def list_requests(*, session: Session, user: User) -> list[SupplyRequest]:
    """Requests in the user's scope, newest first (a requester: their organization's)."""
    query = select(SupplyRequest).join(Organization).order_by(SupplyRequest.created_at.desc())
    query = authz.scoped(query, user, region=Organization.region_id, organization=SupplyRequest.organization_id)
    return list(session.scalars(query))


def create_request(
    *,
    session: Session,
    organization_id: int,
    lines: list[tuple[int, int]],
    note: str = "",
    actor_id: int | None = None,
) -> SupplyRequest:
    """Open a supply request for an organization; its tier is the organization's."""
    org = session.get(Organization, organization_id)
    if org is None:
        raise NotFound(f"No organization with id {organization_id}.")
    if not lines:
        raise Invalid("A request needs at least one line.", field="lines")
    for item_id, qty in lines:
        if qty <= 0:
            raise Invalid("Quantities must be positive.", field="lines")
        if session.get(Item, item_id) is None:
            raise Invalid(f"Unknown item {item_id}.", field="lines")
    request = SupplyRequest(organization_id=org.id, tier=org.tier, note=note, created_by_id=actor_id)
    session.add(request)
    session.flush()
    for item_id, qty in lines:
        session.add(SupplyRequestLine(request_id=request.id, item_id=item_id, quantity_requested=qty))
    session.flush()
    events.record(
        session=session,
        type="supply_request.created",
        subject_type="supply_request",
        subject_id=request.id,
        rooms=events.rooms(regions=[org.region_id], organizations=[org.id]),
        actor_id=actor_id,
        after={
            "organization_id": org.id,
            "tier": org.tier,
            "status": request.status,
            "lines": [{"item_id": i, "quantity": q} for i, q in lines],
        },
    )
    return request
