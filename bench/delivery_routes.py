"""Delivery routes benchmark.

The demo country (`coordinator.demo.seed`: ten union warehouses in real
cities, organizations at real settlements of the GeoNames gazetteer, delivery
teams with 500-3000 kg vehicles) files one request per organization, in a
random order; each is held at its nearest warehouse with the stock (a
stand-in for allocation, so the figures do not depend on its rules). Then the
real planning service (`deliveries.plan_warehouse`: vehicle loads, OR-Tools
routes) plans every warehouse. Reported: the total length of the planned
round trips against visiting the same runs' stops in request order, their
ratio, and the planning time.

`python -m bench.delivery_routes` runs it alone; BENCH_ROUTE_SECONDS sets the
solver's time per warehouse (default: the app's, 1 s).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import select

from coordinator import create_app
from coordinator.cli import upgrade_database
from coordinator.demo import seed as demo_seed
from coordinator.embedded_redis import PrivateRedis
from coordinator.extensions import db
from coordinator.geo.distance import haversine_matrix
from coordinator.supplies import deliveries, ledger
from coordinator.supplies.models import (
    Allocation,
    DeliveryRun,
    Item,
    Organization,
    SupplyRequest,
    SupplyRequestLine,
    Warehouse,
)

# What an organization asks for: item code -> (smallest, largest) quantity.
ASKS = {"mask": (500, 5000), "ffp2": (100, 1000), "gloves": (200, 2000), "gown": (20, 200), "sanitizer": (10, 80),
        "foodkit": (5, 25)}  # fmt: skip


def _file_and_hold(session, rng: random.Random) -> int:
    """One request per organization, in a random order, held at the nearest
    warehouse that has the stock; returns how many lines were held."""
    items = {i.code: i for i in session.scalars(select(Item))}
    houses = list(session.scalars(select(Warehouse).order_by(Warehouse.id)))
    orgs = list(session.scalars(select(Organization).order_by(Organization.id)))
    rng.shuffle(orgs)
    km = haversine_matrix(
        np.array([o.lat for o in orgs]),
        np.array([o.lon for o in orgs]),
        np.array([w.lat for w in houses]),
        np.array([w.lon for w in houses]),
    )
    held = 0
    for row, org in enumerate(orgs):
        request = SupplyRequest(organization_id=org.id, tier=org.tier, status="pending")
        session.add(request)
        session.flush()
        for code in rng.sample(sorted(ASKS), rng.randint(1, 3)):
            low, high = ASKS[code]
            quantity = rng.randint(low, high)
            line = SupplyRequestLine(request_id=request.id, item_id=items[code].id, quantity_requested=quantity)
            session.add(line)
            session.flush()
            for col in np.argsort(km[row]):
                wh = houses[col]
                if ledger.available(session, wh.id, line.item_id) >= quantity:
                    allocation = Allocation(
                        line_id=line.id, request_id=request.id, item_id=line.item_id, warehouse_id=wh.id,
                        quantity=quantity, status="held", distance_km=float(km[row][col]), reasoning={},
                    )  # fmt: skip
                    session.add(allocation)
                    session.flush()
                    ledger.hold(
                        session=session, warehouse_id=wh.id, item_id=line.item_id, quantity=quantity,
                        allocation_id=allocation.id,
                    )  # fmt: skip
                    line.quantity_allocated = quantity
                    held += 1
                    break
        session.commit()
    return held


def run(seed: int = 11) -> dict:
    work = Path(tempfile.mkdtemp(prefix="birlik-bench-routes-"))
    redis_server = PrivateRedis(work)
    try:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
                "REDIS_URL": redis_server.start(),
                "SECRET_KEY": "bench",
                "VAR_DIR": str(work),
            }
        )
        if os.environ.get("BENCH_ROUTE_SECONDS"):
            app.config["SUPPLY_ROUTE_SECONDS"] = float(os.environ["BENCH_ROUTE_SECONDS"])
        with app.app_context():
            upgrade_database()
            demo_seed.seed(session=db.session, password="bench-password-2020")
            db.session.commit()
            held = _file_and_hold(db.session, random.Random(seed))
            started = time.perf_counter()
            planned = []
            for warehouse_id in deliveries.warehouses_to_plan(db.session, None):
                planned.append(deliveries.plan_warehouse(session=db.session, warehouse_id=warehouse_id))
                db.session.commit()
            seconds = time.perf_counter() - started
            runs = list(db.session.scalars(select(DeliveryRun)))
            route = sum(r.route_km for r in runs)
            order = sum(r.request_order_km for r in runs)
            stops = sum(len(r.stops) for r in runs)
            return {
                "organizations": db.session.query(Organization).count(),
                "warehouses_planned": len(planned),
                "lines_held": held,
                "runs": len(runs),
                "stops": stops,
                "multi_stop_runs": sum(1 for r in runs if len(r.stops) > 1),
                "capacity_kg": sorted({r.capacity_kg for r in runs}),
                "mean_load_pct": round(100 * sum(r.load_kg / r.capacity_kg for r in runs) / len(runs), 1),
                "route_km": round(route, 1),
                "request_order_km": round(order, 1),
                "ratio": round(route / order, 3),
                "saving_pct": round(100 * (order - route) / order, 1),
                "route_seconds_per_warehouse": app.config.get("SUPPLY_ROUTE_SECONDS", deliveries.ROUTE_SECONDS),
                "planning_seconds": round(seconds, 1),
            }
    finally:
        redis_server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
