"""Supplies jobs. Each takes ids, uses the app's session, calls services and
commits."""

from __future__ import annotations

from coordinator import queue
from coordinator.extensions import db
from coordinator.queue import job
from coordinator.supplies import allocation

PLAN_RUNS = "plan_delivery_runs"


@job("dispatch")
def allocate_supplies(item_ids: list[int] | None = None) -> dict:
    """Share available stock among open request lines of these items (all
    items if None); then plan delivery runs from the warehouses it touched."""
    result = allocation.allocate(session=db.session, item_ids=item_ids)
    if result["warehouse_ids"] and _planner_known():
        queue.after_commit(db.session, PLAN_RUNS, result["warehouse_ids"])
    db.session.commit()
    return result


def _planner_known() -> bool:
    # Delivery planning is registered by the deliveries part of supplies;
    # until it is, allocation has nothing to hand over to.
    try:
        queue.registered(PLAN_RUNS)
    except KeyError:
        return False
    return True


JOBS = (allocate_supplies,)
PERIODIC = ()
