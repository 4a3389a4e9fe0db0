"""Supplies jobs. Each takes ids, uses the app's session, calls services and
commits."""

from __future__ import annotations

from coordinator.extensions import db
from coordinator.queue import job
from coordinator.supplies import allocation


@job("dispatch")
def allocate_supplies(item_ids: list[int] | None = None) -> dict:
    """Share available stock among open request lines of these items (all items if None)."""
    result = allocation.allocate(session=db.session, item_ids=item_ids)
    db.session.commit()
    return result


JOBS = (allocate_supplies,)
PERIODIC = ()
