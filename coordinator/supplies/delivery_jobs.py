"""Delivery jobs: plan runs for warehouses with held stock on no run yet.
Each takes ids, uses the app's session, calls services and commits."""

from __future__ import annotations

from coordinator.extensions import db
from coordinator.queue import Periodic, job
from coordinator.supplies import deliveries


@job("default")
def plan_delivery_runs(warehouse_ids: list[int] | None = None) -> list[dict]:
    """Plan delivery runs for these warehouses (all if None), one warehouse
    per transaction. Idempotent: what is already on a run is left alone."""
    results = []
    for warehouse_id in deliveries.warehouses_to_plan(db.session, warehouse_ids):
        results.append(deliveries.plan_warehouse(session=db.session, warehouse_id=warehouse_id))
        db.session.commit()
    db.session.commit()
    return results


JOBS = (plan_delivery_runs,)
# A sweep for held stock whose planning was declared but could not be done
# then (no delivery team had a vehicle, the warehouse was closed).
PERIODIC = (Periodic("plan-delivery-runs", 300, "plan_delivery_runs"),)
